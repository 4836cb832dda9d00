/*
 * Independent oracle for tools/ModelGen: re-encodes every tensor of the F32 model with ggml's own
 * ggml_quantize_chunk (the code path llama-quantize uses) and requires the bytes of the same tensor in a
 * generated F16 / Q8_0 / Q4_0 model to be identical. Loading both files through ggml's gguf reader also
 * proves they are well-formed GGUF.
 *
 * usage: check_quantization <model-f32.gguf> <model-other.gguf>     exit 0 = every tensor matches
 */
#include <stdio.h>
#include <string.h>

#include "ggml.h"
#include "gguf.h"

static struct gguf_context *load(const char *path, struct ggml_context **tensors)
{
    struct gguf_init_params params = { .no_alloc = false, .ctx = tensors };
    struct gguf_context *file = gguf_init_from_file(path, params);
    if (file == NULL)
        fprintf(stderr, "%s: ggml's gguf reader rejected the file\n", path);
    return file;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <model-f32.gguf> <model-other.gguf>\n", argv[0]);
        return 2;
    }
    struct ggml_context *reference_tensors = NULL, *candidate_tensors = NULL;
    struct gguf_context *reference = load(argv[1], &reference_tensors);
    struct gguf_context *candidate = load(argv[2], &candidate_tensors);
    if (reference == NULL || candidate == NULL)
        return 1;

    int64_t count = gguf_get_n_tensors(candidate);
    if (count != gguf_get_n_tensors(reference)) {
        fprintf(stderr, "tensor count differs: %lld vs %lld\n", (long long)gguf_get_n_tensors(reference), (long long)count);
        return 1;
    }

    int mismatches = 0;
    for (int64_t i = 0; i < count; i++) {
        const char *name = gguf_get_tensor_name(candidate, i);
        struct ggml_tensor *source = ggml_get_tensor(reference_tensors, name);
        struct ggml_tensor *encoded = ggml_get_tensor(candidate_tensors, name);
        if (source == NULL || source->type != GGML_TYPE_F32 || !ggml_are_same_shape(source, encoded)) {
            fprintf(stderr, "%s: missing, not F32 in the reference, or shaped differently\n", name);
            mismatches++;
            continue;
        }
        size_t size = ggml_nbytes(encoded);
        static unsigned char expected[256u << 20];
        if (size > sizeof expected) {
            fprintf(stderr, "%s: %zu bytes exceeds the oracle's buffer\n", name, size);
            return 1;
        }
        if (encoded->type == GGML_TYPE_F32)
            memcpy(expected, source->data, size);
        else
            ggml_quantize_chunk(encoded->type, (const float *)source->data, expected, 0,
                                ggml_nrows(source), source->ne[0], NULL);
        if (memcmp(expected, encoded->data, size) != 0) {
            size_t first = 0;
            while (expected[first] == ((const unsigned char *)encoded->data)[first])
                first++;
            fprintf(stderr, "%s (%s): bytes differ from ggml_quantize_chunk, first at byte %zu\n",
                    name, ggml_type_name(encoded->type), first);
            mismatches++;
        }
    }
    printf("%s: %lld tensors, %d differ from ggml's encoding\n", argv[2], (long long)count, mismatches);
    gguf_free(reference);
    gguf_free(candidate);
    ggml_free(reference_tensors);
    ggml_free(candidate_tensors);
    return mismatches == 0 ? 0 : 1;
}
