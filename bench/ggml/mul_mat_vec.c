// Times ggml's quantized matrix-vector product (one MUL_MAT of an m×k Q4_0/Q8_0 matrix with an f32 vector, the
// decode-time shape) on one ggml backend, through ggml's public API: the CUDA backend's own kernels
// (mul_mat_vec_q and the q8_1 quantization of the vector) run on whatever libcuda the process loads, so under
// `cuemu run` this measures the emulator on ggml's real kernels with a bounded run count, which
// test-backend-ops perf (≥ 100 GFLOP per measurement) cannot give the reference tier.
//
// usage: mul_mat_vec <backend dir> <CPU|CUDA0> <q4_0|q8_0> <m> <k> <runs> [threads]
// prints one line: backend type m k runs µs/run GB/s(weights) max|Δ| against the CPU backend (CUDA0 only)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml.h"

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// Fixed-seed values in [-1, 1): the same matrix and vector on every run and backend.
static void fill(float *values, int64_t count, uint64_t seed) {
    for (int64_t i = 0; i < count; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        values[i] = (float)((seed >> 40) / (double)(1ULL << 24)) * 2.0f - 1.0f;
    }
}

static ggml_backend_t start_backend(const char *name, int threads) {
    ggml_backend_dev_t device = ggml_backend_dev_by_name(name);
    if (!device) return NULL;
    ggml_backend_t backend = ggml_backend_dev_init(device, NULL);
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(device);
    ggml_backend_set_n_threads_t set_threads =
        (ggml_backend_set_n_threads_t)ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads");
    if (backend && set_threads) set_threads(backend, threads);
    return backend;
}

struct product {
    struct ggml_context *ctx;
    ggml_backend_buffer_t buffer;
    struct ggml_cgraph *graph;
    struct ggml_tensor *out;
};

// Builds out = matrix · vector in the backend's memory, with the matrix quantized from fixed-seed values.
static int build(struct product *p, ggml_backend_t backend, enum ggml_type type, int64_t m, int64_t k) {
    struct ggml_init_params params = {ggml_tensor_overhead() * 8 + ggml_graph_overhead(), NULL, true};
    p->ctx = ggml_init(params);
    struct ggml_tensor *matrix = ggml_new_tensor_2d(p->ctx, type, k, m);
    struct ggml_tensor *vector = ggml_new_tensor_2d(p->ctx, GGML_TYPE_F32, k, 1);
    p->out = ggml_mul_mat(p->ctx, matrix, vector);
    p->buffer = ggml_backend_alloc_ctx_tensors(p->ctx, backend);
    if (!p->buffer) return 0;

    float *values = malloc(sizeof(float) * m * k);
    void *quantized = malloc(ggml_nbytes(matrix));
    fill(values, m * k, 1);
    ggml_quantize_chunk(type, values, quantized, 0, m, k, NULL);
    ggml_backend_tensor_set(matrix, quantized, 0, ggml_nbytes(matrix));
    fill(values, k, 2);
    ggml_backend_tensor_set(vector, values, 0, ggml_nbytes(vector));
    free(values);
    free(quantized);

    p->graph = ggml_new_graph(p->ctx);
    ggml_build_forward_expand(p->graph, p->out);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s <backend dir> <CPU|CUDA0> <q4_0|q8_0> <m> <k> <runs> [threads]\n", argv[0]);
        return 2;
    }
    const char *backend_name = argv[2];
    enum ggml_type type = strcmp(argv[3], "q4_0") == 0 ? GGML_TYPE_Q4_0 : strcmp(argv[3], "q8_0") == 0 ? GGML_TYPE_Q8_0 : GGML_TYPE_COUNT;
    int64_t m = atoll(argv[4]), k = atoll(argv[5]);
    int runs = atoi(argv[6]), threads = argc > 7 ? atoi(argv[7]) : 2;
    if (type == GGML_TYPE_COUNT || m <= 0 || k <= 0 || k % 32 != 0 || runs <= 0) {
        fprintf(stderr, "bad arguments: type q4_0|q8_0, m > 0, k a positive multiple of 32, runs > 0\n");
        return 2;
    }

    ggml_backend_load_all_from_path(argv[1]);
    ggml_backend_t backend = start_backend(backend_name, threads);
    if (!backend) {
        fprintf(stderr, "backend %s not available\n", backend_name);
        return 1;
    }
    struct product product;
    if (!build(&product, backend, type, m, k)) {
        fprintf(stderr, "allocation on %s failed\n", backend_name);
        return 1;
    }

    // The first compute loads modules / compiles kernels: not timed.
    if (ggml_backend_graph_compute(backend, product.graph) != GGML_STATUS_SUCCESS) {
        fprintf(stderr, "compute on %s failed\n", backend_name);
        return 1;
    }
    double start = now_us();
    for (int i = 0; i < runs; i++) ggml_backend_graph_compute(backend, product.graph);
    ggml_backend_synchronize(backend);
    double per_run = (now_us() - start) / runs;

    float *result = malloc(sizeof(float) * m);
    ggml_backend_tensor_get(product.out, result, 0, sizeof(float) * m);

    // The CPU backend's product of the same inputs: the emulated result must agree within quantization noise.
    char difference[32] = "-";
    if (strcmp(backend_name, "CPU") != 0) {
        ggml_backend_t cpu = start_backend("CPU", threads);
        struct product reference;
        if (!cpu || !build(&reference, cpu, type, m, k) || ggml_backend_graph_compute(cpu, reference.graph) != GGML_STATUS_SUCCESS) {
            fprintf(stderr, "CPU backend for the comparison failed\n");
            return 1;
        }
        float *expected = malloc(sizeof(float) * m);
        ggml_backend_tensor_get(reference.out, expected, 0, sizeof(float) * m);
        double worst = 0, scale = 0;
        for (int64_t i = 0; i < m; i++) {
            worst = fmax(worst, fabs((double)result[i] - expected[i]));
            scale = fmax(scale, fabs((double)expected[i]));
        }
        snprintf(difference, sizeof difference, "%.2e", scale > 0 ? worst / scale : worst);
    }

    double weight_bytes = (double)ggml_row_size(type, k) * m;
    printf("%s %s %lld %lld %d %.1f %.4g %s\n", backend_name, argv[3], (long long)m, (long long)k, runs, per_run,
           weight_bytes / per_run / 1e3, difference);
    return 0;
}
