/* An exported C function doing what a trivial driver entry must at least do: write its output. */
int bench_empty_entry(int* version)
{
    *version = 13000;
    return 0;
}
