/* Like ggml's CUDA plugin, whose .init_array constructors register fatbins: the first CUDA call happens inside
   dlopen, under the dynamic loader's lock, so the runtime must start there without deadlocking. */
#include <cuemu/cuemu_api.h>

int constructor_version = -1;
CUresult constructor_result = CUDA_ERROR_UNKNOWN;

__attribute__((constructor)) static void register_at_load(void)
{
    constructor_result = cuDriverGetVersion(&constructor_version);
}
