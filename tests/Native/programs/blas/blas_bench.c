/* Throughput of cublasSgemm through the shims (wall clock, for docs only) next to the modelled (virtual-clock) rate.
 * Build and run (after `dotnet build src/Exports -c Release`):
 *   gcc -O2 -I artifacts/cuemu/include -o /tmp/blas_bench tests/Native/programs/blas/blas_bench.c \
 *       -L artifacts/cuemu/lib -l:libcublas.so.13 -l:libcudart.so.13 -Wl,-rpath,$PWD/artifacts/cuemu/lib
 *   /tmp/blas_bench 1024 3
 * Arguments: n (square n×n×n, A transposed as ggml passes it) and repetitions. Exit status: 0 when every call succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cuemu/cuemu_api.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char** argv)
{
    if (argc < 3) { fprintf(stderr, "usage: blas_bench n repetitions\n"); return 2; }
    int n = atoi(argv[1]), reps = atoi(argv[2]);
    cublasHandle_t h;
    if (cublasCreate(&h)) return 1;
    float *a, *b, *c; size_t bytes = (size_t)n * n * 4;
    cudaMalloc((void**)&a, bytes); cudaMalloc((void**)&b, bytes); cudaMalloc((void**)&c, bytes);
    float* host = malloc(bytes); for (size_t i = 0; i < (size_t)n * n; i++) host[i] = (float)(i % 7) - 3;
    cudaMemcpy(a, host, bytes, cudaMemcpyHostToDevice); cudaMemcpy(b, host, bytes, cudaMemcpyHostToDevice);
    float one = 1, zero = 0;
    cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
    /* One warm-up call so JIT compilation is not measured. */
    if (cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n)) return 1;
    cudaEventRecord(e0, NULL);
    double t0 = now();
    for (int r = 0; r < reps; r++)
        if (cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n)) return 1;
    double t1 = now();
    cudaEventRecord(e1, NULL);
    float ms; cudaEventElapsedTime(&ms, e0, e1);
    double flops = 2.0 * n * n * n * reps;
    printf("n=%d reps=%d wall %.3f s = %.2f GFLOP/s; virtual %.4f ms = %.1f GFLOP/s modelled\n", n, reps, t1 - t0, flops / (t1 - t0) / 1e9, ms, flops / (ms * 1e-3) / 1e9);
    return 0;
}
