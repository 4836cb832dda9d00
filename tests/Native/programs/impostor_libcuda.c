/* Stands for another vendor's libcuda.so.1 that a program was linked against; LD_PRELOAD must put cuemu first. */
int cuDriverGetVersion(int* version)
{
    *version = 1;
    return 0;
}
