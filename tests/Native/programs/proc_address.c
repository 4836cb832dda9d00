/* cuGetProcAddress / _v2 as NVIDIA's runtime calls them: by base name, CUDA version and stream flags. */
/* Plain names must stay the legacy entry points here: the test compares against each ABI variant. */
#define CUEMU_NO_API_MACROS
#include <cuemu/cuemu_api.h>
#include "check.h"

static void* lookup(const char* name, int version, cuuint64_t flags, CUresult expected, CUdriverProcAddressQueryResult status)
{
    void* fn = (void*)1;
    CUdriverProcAddressQueryResult got = (CUdriverProcAddressQueryResult)-1;
    CUresult result = cuGetProcAddress_v2(name, &fn, version, flags, &got);
    CHECK(result == expected, "%s@%d flags %llu: result %d", name, version, (unsigned long long)flags, result);
    CHECK(got == status, "%s@%d: status %d", name, version, got);
    return fn;
}

typedef CUresult (*driver_version_fn)(int*);

int main(void)
{
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    /* The newest variant at or below the requested version. */
    CHECK(lookup("cuDeviceTotalMem", 12000, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuDeviceTotalMem_v2, "v2");
    CHECK(lookup("cuDeviceTotalMem", 3010, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuDeviceTotalMem, "v1");
    CHECK(lookup("cuDeviceTotalMem", 3020, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuDeviceTotalMem_v2, "3020");
    CHECK(lookup("cuCtxCreate", 11040, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuCtxCreate_v3, "v3");
    CHECK(lookup("cuCtxCreate", 12080, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuCtxCreate_v4, "v4");
    CHECK(lookup("cuMemAlloc", 12000, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuMemAlloc_v2, "alloc");
    CHECK(lookup("cuGetProcAddress", 12000, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuGetProcAddress_v2, "gpa");
    CHECK(lookup("cuGetProcAddress", 11030, 0, CUDA_SUCCESS, CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuGetProcAddress, "gpa1");
    /* Per-thread default stream: the _ptsz / _ptds exports; legacy and default: the plain ones. */
    CHECK(lookup("cuMemcpyHtoDAsync", 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, CUDA_SUCCESS,
                 CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuMemcpyHtoDAsync_v2_ptsz, "ptsz");
    CHECK(lookup("cuMemcpyHtoD", 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, CUDA_SUCCESS,
                 CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuMemcpyHtoD_v2_ptds, "ptds");
    CHECK(lookup("cuMemcpyHtoDAsync", 12000, CU_GET_PROC_ADDRESS_LEGACY_STREAM, CUDA_SUCCESS,
                 CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuMemcpyHtoDAsync_v2, "legacy");
    CHECK(lookup("cuLaunchKernel", 12000, CU_GET_PROC_ADDRESS_DEFAULT, CUDA_SUCCESS,
                 CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuLaunchKernel, "default");
    CHECK(lookup("cuInit", 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, CUDA_SUCCESS,
                 CU_GET_PROC_ADDRESS_SUCCESS) == (void*)&cuInit, "no variant");
    /* Unknown names and bad arguments. */
    CHECK(lookup("cuNoSuchFunction", 12000, 0, CUDA_ERROR_NOT_FOUND, CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND) == NULL, "pfn cleared");
    CHECK(lookup("cuMemAlloc_v2", 12000, 0, CUDA_ERROR_NOT_FOUND, CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND) == NULL, "versioned names are not base names");
    void* fn = NULL;
    CHECK_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress_v2(NULL, &fn, 12000, 0, NULL));
    CHECK_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress_v2("cuInit", NULL, 12000, 0, NULL));
    CHECK_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress_v2("cuInit", &fn, 12000, 7, NULL));
    /* The v1 entry (no status out-parameter) and a call through a returned pointer. */
    CHECK_EQ(CUDA_SUCCESS, cuGetProcAddress("cuDriverGetVersion", &fn, 12000, 0));
    int direct = 0, through = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDriverGetVersion(&direct));
    CHECK_EQ(CUDA_SUCCESS, ((driver_version_fn)fn)(&through));
    CHECK_EQ(direct, through);
    /* NVIDIA's private export tables are not served. */
    const void* table = (const void*)1;
    CUuuid id = { { 0 } };
    CHECK_EQ(CUDA_ERROR_NOT_SUPPORTED, cuGetExportTable(&table, &id));
    CHECK(table == NULL, "export table pointer not cleared");
    printf("proc_address: %d failures\n", check_failures);
    return check_failures;
}
