/* dlopens a library whose constructor makes the process's first CUDA call (see constructor_library.c). */
#include <dlfcn.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

int main(int argc, char** argv)
{
    CHECK(argc == 2, "usage: dlopen_constructor <library>");
    if (argc != 2) return 1;
    void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CHECK(library != NULL, "dlopen: %s", dlerror());
    if (!library) return 1;
    int* version = (int*)dlsym(library, "constructor_version");
    CUresult* result = (CUresult*)dlsym(library, "constructor_result");
    CHECK(version && result, "symbols missing");
    if (version && result) {
        CHECK_EQ(CUDA_SUCCESS, *result);
        CHECK(*version >= 12000, "version %d", *version);
    }
    printf("dlopen_constructor: %d failures\n", check_failures);
    return check_failures;
}
