/* cuBLAS through our libcublas + libcudart shims: every GEMM type/compute row and transpose pair of Sgemm, GemmEx,
 * GemmBatchedEx, GemmStridedBatchedEx, SgemmBatched, SgemmStridedBatched, and StrsmBatched, on small padded matrices,
 * against a plain C reference; then handle, stream, math-mode, pointer-mode, version and argument-error checks.
 * Inputs are small integers so every product and sum is exact in binary16, bfloat16 and TF32: results must match the
 * reference exactly, and padding (beyond m rows) must be left untouched. EXPECT_CUBLAS_VERSION comes from the test. */
#include <string.h>
#include <stdlib.h>
#include <cuemu/cuemu_api.h>
#include "../check.h"

#ifndef EXPECT_CUBLAS_VERSION
#error "EXPECT_CUBLAS_VERSION must be defined"
#endif

enum { M = 3, N = 4, K = 5, BATCH = 3, PAD = 2 };
#define SENTINEL 777.0f

static float half_to_float(unsigned short bits) { _Float16 h; memcpy(&h, &bits, 2); return (float)h; }
static unsigned short float_to_half(float v) { _Float16 h = (_Float16)v; unsigned short bits; memcpy(&bits, &h, 2); return bits; }
/* Only exact values are stored, so dropping the low half of the binary32 pattern is exact. */
static unsigned short float_to_bf16(float v) { unsigned int bits; memcpy(&bits, &v, 4); return (unsigned short)(bits >> 16); }
static float bf16_to_float(unsigned short b) { unsigned int bits = (unsigned int)b << 16; float v; memcpy(&v, &bits, 4); return v; }

static size_t element_size(cudaDataType t) { return t == CUDA_R_32F ? 4 : 2; }

static void store(cudaDataType t, void* base, size_t index, float v)
{
    if (t == CUDA_R_32F) ((float*)base)[index] = v;
    else if (t == CUDA_R_16F) ((unsigned short*)base)[index] = float_to_half(v);
    else ((unsigned short*)base)[index] = float_to_bf16(v);
}

static float load(cudaDataType t, const void* base, size_t index)
{
    if (t == CUDA_R_32F) return ((const float*)base)[index];
    if (t == CUDA_R_16F) return half_to_float(((const unsigned short*)base)[index]);
    return bf16_to_float(((const unsigned short*)base)[index]);
}

static unsigned int rng = 12345;
static int small_int(void) { rng = rng * 1103515245u + 12345u; return (int)((rng >> 16) % 7) - 3; }

static void* device_copy(const void* host, size_t bytes)
{
    void* p = NULL;
    CHECK_EQ(0, cudaMalloc(&p, bytes));
    CHECK_EQ(0, cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice));
    return p;
}

/* One batch entry: host copies of A, B, C (C includes padding) and the expected result. */
struct problem {
    int transa, transb, lda, ldb, ldc;
    cudaDataType ab_type, c_type;
    size_t a_elems, b_elems, c_elems;
    unsigned char a[BATCH][64 * 4], b[BATCH][64 * 4], c[BATCH][64 * 4];
    float expected[BATCH][64];
};

static void make_problem(struct problem* p, int transa, int transb, cudaDataType ab, cudaDataType c, float alpha, float beta)
{
    p->transa = transa; p->transb = transb; p->ab_type = ab; p->c_type = c;
    int a_rows = transa == CUBLAS_OP_N ? M : K, a_cols = transa == CUBLAS_OP_N ? K : M;
    int b_rows = transb == CUBLAS_OP_N ? K : N, b_cols = transb == CUBLAS_OP_N ? N : K;
    p->lda = a_rows + PAD; p->ldb = b_rows + PAD; p->ldc = M + PAD;
    p->a_elems = (size_t)p->lda * a_cols; p->b_elems = (size_t)p->ldb * b_cols; p->c_elems = (size_t)p->ldc * N;
    for (int e = 0; e < BATCH; e++) {
        for (size_t i = 0; i < p->a_elems; i++) store(ab, p->a[e], i, (int)(i % p->lda) < a_rows ? small_int() : SENTINEL);
        for (size_t i = 0; i < p->b_elems; i++) store(ab, p->b[e], i, (int)(i % p->ldb) < b_rows ? small_int() : SENTINEL);
        for (size_t i = 0; i < p->c_elems; i++) store(c, p->c[e], i, (int)(i % p->ldc) < M ? small_int() : SENTINEL);
        for (int j = 0; j < N; j++)
            for (int i = 0; i < p->ldc; i++) {
                size_t ci = (size_t)j * p->ldc + i;
                if (i >= M) { p->expected[e][ci] = load(c, p->c[e], ci); continue; }
                double sum = 0;
                for (int q = 0; q < K; q++) {
                    float av = load(ab, p->a[e], transa == CUBLAS_OP_N ? (size_t)q * p->lda + i : (size_t)i * p->lda + q);
                    float bv = load(ab, p->b[e], transb == CUBLAS_OP_N ? (size_t)j * p->ldb + q : (size_t)q * p->ldb + j);
                    sum += (double)av * bv;
                }
                p->expected[e][ci] = (float)(alpha * sum + beta * load(c, p->c[e], ci));
            }
    }
}

static int compare(const char* what, const struct problem* p, int entry, const void* result)
{
    for (size_t i = 0; i < p->c_elems; i++) {
        float got = load(p->c_type, result, i);
        if (got != p->expected[entry][i]) {
            CHECK(0, "%s transa=%d transb=%d ab=%d c=%d entry %d element %zu: expected %g, got %g",
                  what, p->transa, p->transb, p->ab_type, p->c_type, entry, i, p->expected[entry][i], got);
            return 0;
        }
    }
    return 1;
}

struct row { cudaDataType ab, c; cublasComputeType_t compute; };
static const struct row rows[] = {
    { CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F },
    { CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32 },
    { CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_16F },
    { CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_16BF },
    { CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F },
    { CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F },
    { CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F },
    { CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F },
    { CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F },
};

static int gemm_calls;

/* Runs one problem through GemmEx (entry 0), GemmBatchedEx and GemmStridedBatchedEx (all entries). */
static void run_ex(cublasHandle_t handle, const struct row* r, int transa, int transb)
{
    const float alpha_f = 2.0f, beta_f = -1.0f;
    struct problem* p = malloc(sizeof *p);
    make_problem(p, transa, transb, r->ab, r->c, alpha_f, beta_f);
    unsigned short alpha_h = float_to_half(alpha_f), beta_h = float_to_half(beta_f);
    const void* alpha = r->compute == CUBLAS_COMPUTE_16F ? (const void*)&alpha_h : (const void*)&alpha_f;
    const void* beta = r->compute == CUBLAS_COMPUTE_16F ? (const void*)&beta_h : (const void*)&beta_f;
    size_t ab_size = element_size(r->ab), c_size = element_size(r->c);
    size_t a_bytes = p->a_elems * ab_size, b_bytes = p->b_elems * ab_size, c_bytes = p->c_elems * c_size;
    unsigned char result[64 * 4];

    /* GemmEx on entry 0. */
    void* a = device_copy(p->a[0], a_bytes); void* b = device_copy(p->b[0], b_bytes); void* c = device_copy(p->c[0], c_bytes);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGemmEx(handle, transa, transb, M, N, K, alpha, a, r->ab, p->lda, b, r->ab, p->ldb,
                                                 beta, c, r->c, p->ldc, r->compute, CUBLAS_GEMM_DEFAULT_TENSOR_OP));
    CHECK_EQ(0, cudaMemcpy(result, c, c_bytes, cudaMemcpyDeviceToHost));
    compare("GemmEx", p, 0, result);
    cudaFree(a); cudaFree(b); cudaFree(c);

    /* GemmBatchedEx: separate allocations, pointer arrays in device memory. */
    void *as[BATCH], *bs[BATCH], *cs[BATCH];
    for (int e = 0; e < BATCH; e++) {
        as[e] = device_copy(p->a[e], a_bytes); bs[e] = device_copy(p->b[e], b_bytes); cs[e] = device_copy(p->c[e], c_bytes);
    }
    void** a_array = device_copy(as, sizeof as); void** b_array = device_copy(bs, sizeof bs); void** c_array = device_copy(cs, sizeof cs);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGemmBatchedEx(handle, transa, transb, M, N, K, alpha, (const void* const*)a_array, r->ab,
                                                        p->lda, (const void* const*)b_array, r->ab, p->ldb, beta, c_array, r->c,
                                                        p->ldc, BATCH, r->compute, CUBLAS_GEMM_DEFAULT));
    for (int e = 0; e < BATCH; e++) {
        CHECK_EQ(0, cudaMemcpy(result, cs[e], c_bytes, cudaMemcpyDeviceToHost));
        compare("GemmBatchedEx", p, e, result);
        cudaFree(as[e]); cudaFree(bs[e]); cudaFree(cs[e]);
    }
    cudaFree(a_array); cudaFree(b_array); cudaFree(c_array);

    /* GemmStridedBatchedEx: entries one stride apart in one allocation. */
    long long stride_a = (long long)p->a_elems, stride_b = (long long)p->b_elems, stride_c = (long long)p->c_elems;
    unsigned char host_a[BATCH * 64 * 4], host_b[BATCH * 64 * 4], host_c[BATCH * 64 * 4];
    for (int e = 0; e < BATCH; e++) {
        memcpy(host_a + e * a_bytes, p->a[e], a_bytes); memcpy(host_b + e * b_bytes, p->b[e], b_bytes);
        memcpy(host_c + e * c_bytes, p->c[e], c_bytes);
    }
    a = device_copy(host_a, BATCH * a_bytes); b = device_copy(host_b, BATCH * b_bytes); c = device_copy(host_c, BATCH * c_bytes);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGemmStridedBatchedEx(handle, transa, transb, M, N, K, alpha, a, r->ab, p->lda, stride_a,
                                                               b, r->ab, p->ldb, stride_b, beta, c, r->c, p->ldc, stride_c, BATCH,
                                                               r->compute, CUBLAS_GEMM_DEFAULT));
    CHECK_EQ(0, cudaMemcpy(host_c, c, BATCH * c_bytes, cudaMemcpyDeviceToHost));
    for (int e = 0; e < BATCH; e++) compare("GemmStridedBatchedEx", p, e, host_c + e * c_bytes);
    cudaFree(a); cudaFree(b); cudaFree(c);
    free(p);
    gemm_calls += 3;
}

/* Sgemm, SgemmBatched and SgemmStridedBatched; alpha/beta from host or device memory per the handle's pointer mode. */
static void run_sgemm(cublasHandle_t handle, int transa, int transb, const float* alpha, const float* beta, float alpha_v, float beta_v)
{
    struct problem* p = malloc(sizeof *p);
    make_problem(p, transa, transb, CUDA_R_32F, CUDA_R_32F, alpha_v, beta_v);
    size_t a_bytes = p->a_elems * 4, b_bytes = p->b_elems * 4, c_bytes = p->c_elems * 4;
    float result[BATCH * 64];

    float *a = device_copy(p->a[0], a_bytes), *b = device_copy(p->b[0], b_bytes), *c = device_copy(p->c[0], c_bytes);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, transa, transb, M, N, K, alpha, a, p->lda, b, p->ldb, beta, c, p->ldc));
    CHECK_EQ(0, cudaMemcpy(result, c, c_bytes, cudaMemcpyDeviceToHost));
    compare("Sgemm", p, 0, result);
    cudaFree(a); cudaFree(b); cudaFree(c);

    float *as[BATCH], *bs[BATCH], *cs[BATCH];
    for (int e = 0; e < BATCH; e++) {
        as[e] = device_copy(p->a[e], a_bytes); bs[e] = device_copy(p->b[e], b_bytes); cs[e] = device_copy(p->c[e], c_bytes);
    }
    float** a_array = device_copy(as, sizeof as); float** b_array = device_copy(bs, sizeof bs); float** c_array = device_copy(cs, sizeof cs);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemmBatched(handle, transa, transb, M, N, K, alpha, (const float* const*)a_array, p->lda,
                                                       (const float* const*)b_array, p->ldb, beta, c_array, p->ldc, BATCH));
    for (int e = 0; e < BATCH; e++) {
        CHECK_EQ(0, cudaMemcpy(result, cs[e], c_bytes, cudaMemcpyDeviceToHost));
        compare("SgemmBatched", p, e, result);
        cudaFree(as[e]); cudaFree(bs[e]); cudaFree(cs[e]);
    }
    cudaFree(a_array); cudaFree(b_array); cudaFree(c_array);

    float host_a[BATCH * 64], host_b[BATCH * 64], host_c[BATCH * 64];
    for (int e = 0; e < BATCH; e++) {
        memcpy(host_a + e * p->a_elems, p->a[e], a_bytes); memcpy(host_b + e * p->b_elems, p->b[e], b_bytes);
        memcpy(host_c + e * p->c_elems, p->c[e], c_bytes);
    }
    a = device_copy(host_a, BATCH * a_bytes); b = device_copy(host_b, BATCH * b_bytes); c = device_copy(host_c, BATCH * c_bytes);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemmStridedBatched(handle, transa, transb, M, N, K, alpha, a, p->lda, (long long)p->a_elems,
                                                              b, p->ldb, (long long)p->b_elems, beta, c, p->ldc,
                                                              (long long)p->c_elems, BATCH));
    CHECK_EQ(0, cudaMemcpy(result, c, BATCH * c_bytes, cudaMemcpyDeviceToHost));
    for (int e = 0; e < BATCH; e++) compare("SgemmStridedBatched", p, e, result + e * p->c_elems);
    cudaFree(a); cudaFree(b); cudaFree(c);
    free(p);
    gemm_calls += 3;
}

/* StrsmBatched, every side/uplo/trans/diag: solve, then multiply back in C and compare with alpha·B. Triangles have
 * a diagonal of ±1/±2 and integer entries, and B is chosen as op(A)·X for an integer X, so the solve is exact. */
static void run_trsm(cublasHandle_t handle)
{
    enum { TM = 4, TN = 3 };
    for (int side = 0; side < 2; side++)
    for (int uplo = 0; uplo < 2; uplo++)
    for (int trans = 0; trans < 2; trans++)
    for (int diag = 0; diag < 2; diag++) {
        int order = side == CUBLAS_SIDE_LEFT ? TM : TN, lda = order + 1, ldb = TM + 1;
        float a[BATCH][16 + 4 * 5], b[BATCH][5 * TN], x[BATCH][5 * TN];
        for (int e = 0; e < BATCH; e++) {
            for (int i = 0; i < lda * order; i++) a[e][i] = 100.0f; /* outside the triangle: must not be read */
            for (int j = 0; j < order; j++)
                for (int i = 0; i < order; i++) {
                    int in_triangle = uplo == CUBLAS_FILL_MODE_LOWER ? i > j : i < j;
                    if (i == j) a[e][j * lda + i] = diag == CUBLAS_DIAG_UNIT ? 50.0f : (small_int() >= 0 ? 1.0f : -2.0f);
                    else if (in_triangle) a[e][j * lda + i] = (float)small_int();
                }
            for (int i = 0; i < ldb * TN; i++) x[e][i] = (i % ldb) < TM ? (float)small_int() : SENTINEL;
            /* b = op(A)·x (left) or x·op(A) (right), with the unit diagonal taken as 1. */
            for (int j = 0; j < TN; j++)
                for (int i = 0; i < ldb; i++) {
                    if (i >= TM) { b[e][j * ldb + i] = SENTINEL; continue; }
                    double sum = 0;
                    for (int q = 0; q < order; q++) {
                        int r = side == CUBLAS_SIDE_LEFT ? i : q, s = side == CUBLAS_SIDE_LEFT ? q : j;
                        int ar = trans == CUBLAS_OP_N ? r : s, ac = trans == CUBLAS_OP_N ? s : r;
                        int in_triangle = uplo == CUBLAS_FILL_MODE_LOWER ? ar >= ac : ar <= ac;
                        double av = !in_triangle ? 0 : ar == ac && diag == CUBLAS_DIAG_UNIT ? 1 : a[e][ac * lda + ar];
                        double xv = side == CUBLAS_SIDE_LEFT ? x[e][j * ldb + q] : x[e][q * ldb + i];
                        sum += av * xv;
                    }
                    b[e][j * ldb + i] = (float)(sum / 2.0); /* alpha = 2 below */
                }
        }
        float *as[BATCH], *bs[BATCH];
        for (int e = 0; e < BATCH; e++) { as[e] = device_copy(a[e], sizeof a[e]); bs[e] = device_copy(b[e], sizeof b[e]); }
        float** a_array = device_copy(as, sizeof as); float** b_array = device_copy(bs, sizeof bs);
        float alpha = 2.0f;
        CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasStrsmBatched(handle, side, uplo, trans, diag, TM, TN, &alpha,
                                                           (const float* const*)a_array, lda, b_array, ldb, BATCH));
        for (int e = 0; e < BATCH; e++) {
            float got[5 * TN];
            CHECK_EQ(0, cudaMemcpy(got, bs[e], sizeof got, cudaMemcpyDeviceToHost));
            for (int i = 0; i < ldb * TN; i++)
                CHECK(got[i] == x[e][i], "StrsmBatched side=%d uplo=%d trans=%d diag=%d entry %d element %d: expected %g, got %g",
                      side, uplo, trans, diag, e, i, x[e][i], got[i]);
            cudaFree(as[e]); cudaFree(bs[e]);
        }
        cudaFree(a_array); cudaFree(b_array);
    }
}

static void check_handles_and_settings(void)
{
    cublasHandle_t handle = NULL;
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasCreate(NULL));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&handle));
    CHECK(handle != NULL, "cublasCreate gave a NULL handle");

    int version = 0, major = -1, minor = -1, patch = -1;
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetVersion(handle, &version));
    CHECK_EQ(EXPECT_CUBLAS_VERSION, version);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetProperty(MAJOR_VERSION, &major));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetProperty(MINOR_VERSION, &minor));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetProperty(PATCH_LEVEL, &patch));
    CHECK_EQ(EXPECT_CUBLAS_VERSION, major * 10000 + minor * 100 + patch);
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasGetProperty((libraryPropertyType)7, &major));
    CHECK_EQ(EXPECT_CUBLAS_VERSION / 10000, cublasGetCudartVersion() / 1000);

    cudaStream_t stream = (cudaStream_t)0x1234, created = NULL;
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetStream(handle, &stream));
    CHECK(stream == NULL, "a new handle uses the legacy default stream");
    CHECK_EQ(0, cudaStreamCreate(&created));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetStream(handle, created));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetStream(handle, &stream));
    CHECK(stream == created, "cublasGetStream returns the stream set");

    cublasMath_t math = (cublasMath_t)-1;
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetMathMode(handle, &math));
    CHECK_EQ(CUBLAS_DEFAULT_MATH, math);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetMathMode(handle, CUBLAS_TF32_TENSOR_OP_MATH));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetMathMode(handle, &math));
    CHECK_EQ(CUBLAS_TF32_TENSOR_OP_MATH, math);
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSetMathMode(handle, (cublasMath_t)9));

    cublasPointerMode_t mode = (cublasPointerMode_t)-1;
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetPointerMode(handle, &mode));
    CHECK_EQ(CUBLAS_POINTER_MODE_HOST, mode);
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSetPointerMode(handle, (cublasPointerMode_t)2));

    void* workspace = NULL;
    CHECK_EQ(0, cudaMalloc(&workspace, 4 << 20));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetWorkspace(handle, workspace, 4 << 20));
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSetWorkspace(handle, (char*)workspace + 8, 1024));

    /* TF32 math mode rounds binary32 inputs to 10 mantissa bits: 1 + 2^-20 becomes 1. */
    float one_plus = 1.0f + 1.0f / (1 << 20), one = 1.0f, zero = 0.0f, out = 0.0f;
    float *a = device_copy(&one_plus, 4), *b = device_copy(&one, 4), *c = device_copy(&zero, 4);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(0, cudaMemcpy(&out, c, 4, cudaMemcpyDeviceToHost));
    CHECK(out == 1.0f, "TF32 math: expected 1, got %.9g", out);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(0, cudaMemcpy(&out, c, 4, cudaMemcpyDeviceToHost));
    CHECK(out == one_plus, "default math: expected %.9g, got %.9g", one_plus, out);

    /* Work on the handle's stream advances that stream's (virtual) time. */
    cudaEvent_t start, end;
    float ms = -1;
    CHECK_EQ(0, cudaEventCreate(&start));
    CHECK_EQ(0, cudaEventCreate(&end));
    CHECK_EQ(0, cudaEventRecord(start, created));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(0, cudaEventRecord(end, created));
    CHECK_EQ(0, cudaEventElapsedTime(&ms, start, end));
    CHECK(ms > 0, "a GEMM on the handle's stream takes modelled time, got %g ms", ms);

    /* Argument errors: nothing runs. */
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, &one, a, 1, b, 1, &zero, c, 2));
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, -1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle, (cublasOperation_t)5, CUBLAS_OP_N, 1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(CUBLAS_STATUS_NOT_SUPPORTED, cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, CUDA_R_32F, 1, b, CUDA_R_16F, 1,
                                                       &zero, c, CUDA_R_32F, 1, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    CHECK_EQ(CUBLAS_STATUS_NOT_SUPPORTED, cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, CUDA_R_32F, 1, b, CUDA_R_32F, 1,
                                                       &zero, c, CUDA_R_32F, 1, CUBLAS_COMPUTE_32F, (cublasGemmAlgo_t)50));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 0, 1, 1, &one, a, 1, b, 1, &zero, c, 1));

    /* Device pointer mode: alpha and beta are read from device memory. */
    float scales[2] = { 3.0f, 0.0f };
    float* device_scales = device_copy(scales, sizeof scales);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasGetPointerMode(handle, &mode));
    CHECK_EQ(CUBLAS_POINTER_MODE_DEVICE, mode);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, device_scales, b, 1, b, 1,
                                                device_scales + 1, c, 1));
    CHECK_EQ(0, cudaMemcpy(&out, c, 4, cudaMemcpyDeviceToHost));
    CHECK(out == 3.0f, "device pointer mode: expected 3, got %g", out);
    for (int ta = 0; ta < 3; ta++)
        for (int tb = 0; tb < 3; tb++) run_sgemm(handle, ta, tb, device_scales, device_scales + 1, 3.0f, 0.0f);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST));

    /* Status texts are NVIDIA's. */
    CHECK(strcmp(cublasGetStatusString(CUBLAS_STATUS_SUCCESS), "the operation completed successfully") == 0, "%s",
          cublasGetStatusString(CUBLAS_STATUS_SUCCESS));
    CHECK(strcmp(cublasGetStatusString(CUBLAS_STATUS_EXECUTION_FAILED), "the GPU program failed to execute") == 0, "%s",
          cublasGetStatusString(CUBLAS_STATUS_EXECUTION_FAILED));
    CHECK(strcmp(cublasGetStatusName(CUBLAS_STATUS_NOT_SUPPORTED), "CUBLAS_STATUS_NOT_SUPPORTED") == 0, "%s",
          cublasGetStatusName(CUBLAS_STATUS_NOT_SUPPORTED));

    /* cublasLoggerConfigure: with logging on, calls are written to stdout (the test reads the line); off again after. */
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasLoggerConfigure(1, 1, 0, NULL));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_T, CUBLAS_OP_N, 0, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasLoggerConfigure(0, 0, 0, NULL));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_C, CUBLAS_OP_N, 0, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    fflush(stdout);

    /* Destroyed handles are NOT_INITIALIZED everywhere, and stay so. */
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(handle));
    CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasDestroy(handle));
    CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasSetStream(handle, NULL));
    CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
    CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasSgemm((cublasHandle_t)0x1000, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, a, 1, b, 1, &zero, c, 1));
    cudaFree(a); cudaFree(b); cudaFree(c); cudaFree(device_scales); cudaFree(workspace);
    cudaStreamDestroy(created);
}

int main(void)
{
    check_handles_and_settings();

    cublasHandle_t handle;
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&handle));
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        for (int ta = 0; ta < 3; ta++)
            for (int tb = 0; tb < 3; tb++) run_ex(handle, &rows[r], ta, tb);
    float alpha = 2.0f, beta = -1.0f;
    for (int ta = 0; ta < 3; ta++)
        for (int tb = 0; tb < 3; tb++) run_sgemm(handle, ta, tb, &alpha, &beta, alpha, beta);
    run_trsm(handle);
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(handle));
    CHECK_EQ(0, cudaDeviceSynchronize());
    printf("blas_gemm: %d GEMM calls checked\n", gemm_calls);
    printf("blas_gemm: %d failures\n", check_failures);
    return check_failures;
}
