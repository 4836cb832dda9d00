/* Native loops for ShimCallBenchmarks: the same loop calling cuDriverGetVersion through cuemu's libcuda.so.1
   (shim -> entry table -> [UnmanagedCallersOnly] wrapper -> DriverApi) and calling an empty C function in a
   shared library (the cost of a plain cross-library call), so their ratio is measured in one run. */
int cuDriverGetVersion(int* version);
int bench_empty_entry(int* version);

long bench_shim_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++) {
        int version = 0;
        sum += cuDriverGetVersion(&version) + version;
    }
    return sum;
}

long bench_empty_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++) {
        int version = 0;
        sum += bench_empty_entry(&version) + version;
    }
    return sum;
}
