/*
 * Preload helper for llama.cpp programs built with GGML_BACKEND_DL=ON that never call
 * ggml_backend_load_all() themselves (test-llama-archs is one): without it they only see the
 * backends linked at build time, which in a GGML_BACKEND_DL build is none, so CUDA0 never appears.
 *
 * LD_PRELOAD this library; its constructor runs before main() and registers every backend plugin
 * found beside the executable (libggml-cpu.so, libggml-cuda.so) or named by GGML_BACKEND_PATH.
 */
#include "ggml-backend.h"

__attribute__((constructor))
static void cuemu_load_all_ggml_backends(void)
{
    ggml_backend_load_all();
}
