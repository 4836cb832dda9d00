/* A cuBLAS operand outside accessible memory is a faulting kernel: the call answers CUBLAS_STATUS_EXECUTION_FAILED,
 * the context keeps cudaErrorIllegalAddress as its sticky error, and later work on it fails too. The scenario
 * (argv[1]) picks which operand is bad, since the first fault ends the context for the rest of the process;
 * "no-device" checks cublasCreate where no device is visible. */
#include <string.h>
#include <stdlib.h>
#include <cuemu/cuemu_api.h>
#include "../check.h"

enum { expectIllegalAddress = 700 };

int main(int argc, char** argv)
{
    const char* scenario = argc > 1 ? argv[1] : "";
    cublasHandle_t handle = NULL;
    if (strcmp(scenario, "no-device") == 0) {
        /* Without a usable device the runtime cannot initialise, and neither can cuBLAS. */
        CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasCreate(&handle));
        CHECK(handle == NULL, "no handle is written on failure");
        printf("blas_faults %s: %d failures\n", scenario, check_failures);
        return check_failures;
    }
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&handle));
    float host[16] = { 1, 2, 3, 4 }, one = 1.0f, zero = 0.0f, result[4] = { 0 };
    float *a, *b, *c;
    CHECK_EQ(0, cudaMalloc((void**)&a, sizeof host));
    CHECK_EQ(0, cudaMalloc((void**)&b, sizeof host));
    CHECK_EQ(0, cudaMalloc((void**)&c, sizeof host));
    CHECK_EQ(0, cudaMemcpy(a, host, sizeof host, cudaMemcpyHostToDevice));
    CHECK_EQ(0, cudaMemcpy(b, host, sizeof host, cudaMemcpyHostToDevice));
    CHECK_EQ(0, cudaMemcpy(c, host, sizeof host, cudaMemcpyHostToDevice));

    /* Sanity: a valid 2x2 GEMM works before the fault. */
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, 2, b, 2, &zero, c, 2));
    CHECK_EQ(0, cudaMemcpy(result, c, sizeof result, cudaMemcpyDeviceToHost));
    CHECK(result[0] == 7 && result[1] == 10 && result[2] == 15 && result[3] == 22, "2x2 product %g %g %g %g",
          result[0], result[1], result[2], result[3]);

    cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
    if (strcmp(scenario, "operand") == 0) {
        /* C spans 16 columns of 2: 128 bytes into a 64-byte allocation. */
        status = cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 16, 2, &one, a, 2, b, 2, &zero, c, 2);
    } else if (strcmp(scenario, "strided") == 0) {
        /* The second entry lies past the end of A's allocation. */
        status = cublasSgemmStridedBatched(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, 2, 16, b, 2, 0, &zero, c, 2, 0, 2);
    } else if (strcmp(scenario, "pointer-array") == 0) {
        /* The pointer arrays must live in device memory; a host array is out of the device's reach. */
        float* pointers[3] = { a, b, c };
        float** host_array = malloc(sizeof pointers);
        memcpy(host_array, pointers, sizeof pointers);
        status = cublasSgemmBatched(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, (const float* const*)host_array, 2,
                                    (const float* const*)host_array + 1, 2, &zero, host_array + 2, 2, 1);
        free(host_array);
    } else if (strcmp(scenario, "device-alpha") == 0) {
        /* Device pointer mode with alpha on the host stack. */
        CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE));
        status = cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, 2, b, 2, c, c, 2);
        CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST));
    } else {
        CHECK(0, "unknown scenario '%s'", scenario);
    }
    CHECK_EQ(CUBLAS_STATUS_EXECUTION_FAILED, status);
    CHECK_EQ(expectIllegalAddress, cudaDeviceSynchronize());
    CHECK_EQ(CUBLAS_STATUS_EXECUTION_FAILED, cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, 2, b, 2, &zero, c, 2));
    CHECK_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(handle));
    printf("blas_faults %s: %d failures\n", scenario, check_failures);
    return check_failures;
}
