/* Run with DOTNET_ROOT pointing nowhere: every family returns its not-initialised code, nothing aborts. */
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

int main(void)
{
    int value = -1;
    CHECK_EQ(CUDA_ERROR_NOT_INITIALIZED, cuInit(0));
    CHECK_EQ(CUDA_ERROR_NOT_INITIALIZED, cuDriverGetVersion(&value));
    CHECK_EQ(cudaErrorInitializationError, cudaGetDeviceCount(&value));
    CHECK_EQ(cudaErrorInitializationError, cudaMalloc(NULL, 16));
    cublasHandle_t handle = NULL;
    CHECK_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasCreate_v2(&handle));
    CHECK_EQ(NVML_ERROR_DRIVER_NOT_LOADED, nvmlInit_v2());
    const char* text = cudaGetErrorString(cudaErrorInvalidValue);
    CHECK(text != NULL && strstr(text, "DOTNET_ROOT") != NULL, "text '%s'", text ? text : "(null)");
    CHECK_EQ(-1, value);
    printf("runtime_missing: %d failures\n", check_failures);
    return check_failures;
}
