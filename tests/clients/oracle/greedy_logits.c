/*
 * Greedy decoding through llama.cpp's C API with every step's logits written out, so that two backends can be
 * compared number by number instead of only by the text they happen to pick.
 *
 *   greedy_logits <plugin folder> <model.gguf> <device|none> <flash-attn auto|on|off> <steps> <prompt> <out.bin>
 *                 [forced.bin]
 *
 * Backend plugins (libggml-cpu.so, libggml-cuda.so) are loaded from <plugin folder>, the folder the llama.cpp
 * tools load them from (their own), since this program is built elsewhere.
 * The prompt is decoded as one batch (the prefill kernels); each further token alone (the decode kernels), as
 * llama-completion does. Step 0's logits are those after the prompt, step i's those after the i-th generated
 * token. Without forced.bin each step's token is the argmax of its logits (greedy). With forced.bin (the output
 * of another run) that run's tokens are fed instead (teacher forcing), so both runs see the same contexts and
 * their logits stay comparable after a first disagreement.
 *
 * out.bin: int32 n_vocab, int32 steps, then per step int32 token, float logits[n_vocab] (little endian).
 * Device "none" runs on the CPU backend only; a device name (CUDA0) offloads every layer to it. Flash attention
 * "auto" is llama.cpp's default; switching it on the CPU measures how far two correct CPU paths drift apart.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "llama.h"

static int fail(const char *message)
{
    fprintf(stderr, "greedy_logits: %s\n", message);
    return 1;
}

static int32_t argmax(const float *logits, int32_t n_vocab)
{
    int32_t best = 0;
    for (int32_t i = 1; i < n_vocab; i++)
        if (logits[i] > logits[best]) best = i;
    return best;
}

/* Reads the tokens of a previous run's output file; returns how many, or -1. */
static int32_t read_forced_tokens(const char *path, int32_t n_vocab, int32_t steps, int32_t *tokens)
{
    FILE *file = fopen(path, "rb");
    if (!file) return -1;
    int32_t header[2];
    int32_t count = -1;
    if (fread(header, sizeof header, 1, file) == 1 && header[0] == n_vocab && header[1] >= steps) {
        count = 0;
        float *skipped = malloc(sizeof(float) * (size_t)n_vocab);
        while (count < steps && fread(&tokens[count], sizeof(int32_t), 1, file) == 1
               && fread(skipped, sizeof(float), (size_t)n_vocab, file) == (size_t)n_vocab)
            count++;
        free(skipped);
    }
    fclose(file);
    return count;
}

int main(int argc, char **argv)
{
    if (argc != 8 && argc != 9)
        return fail("usage: greedy_logits <plugin folder> <model.gguf> <device|none> <flash-attn auto|on|off> <steps> "
                    "<prompt> <out.bin> [forced.bin]");
    const char *model_path = argv[2], *device_name = argv[3], *flash_attn = argv[4], *prompt = argv[6];
    const char *out_path = argv[7], *forced_path = argc == 9 ? argv[8] : NULL;
    const int32_t steps = atoi(argv[5]);
    if (steps < 1) return fail("steps must be at least 1");
    enum llama_flash_attn_type flash_attn_type;
    if (strcmp(flash_attn, "auto") == 0) flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    else if (strcmp(flash_attn, "on") == 0) flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    else if (strcmp(flash_attn, "off") == 0) flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    else return fail("flash-attn must be auto, on or off");

    ggml_backend_load_all_from_path(argv[1]);
    llama_backend_init();

    ggml_backend_dev_t devices[2] = {NULL, NULL};
    struct llama_model_params model_params = llama_model_default_params();
    if (strcmp(device_name, "none") == 0) {
        model_params.n_gpu_layers = 0;
    } else {
        devices[0] = ggml_backend_dev_by_name(device_name);
        if (!devices[0]) return fail("the requested device is not registered");
        model_params.n_gpu_layers = 999;
    }
    model_params.devices = devices;
    struct llama_model *model = llama_model_load_from_file(model_path, model_params);
    if (!model) return fail("cannot load the model");
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    const int32_t n_vocab = llama_vocab_n_tokens(vocab);

    struct llama_context_params context_params = llama_context_default_params();
    context_params.n_ctx = 512;
    context_params.n_batch = 512;
    context_params.n_threads = 2;
    context_params.n_threads_batch = 2;
    context_params.no_perf = true;
    context_params.flash_attn_type = flash_attn_type;
    struct llama_context *context = llama_init_from_model(model, context_params);
    if (!context) return fail("cannot create the context");

    int32_t prompt_tokens[512];
    const int32_t n_prompt = llama_tokenize(vocab, prompt, (int32_t)strlen(prompt), prompt_tokens, 512, true, true);
    if (n_prompt <= 0) return fail("cannot tokenize the prompt");

    int32_t *forced = NULL;
    if (forced_path) {
        forced = malloc(sizeof(int32_t) * (size_t)steps);
        if (read_forced_tokens(forced_path, n_vocab, steps, forced) != steps)
            return fail("the forced-token file does not hold enough steps of this vocabulary");
    }

    FILE *out = fopen(out_path, "wb");
    if (!out) return fail("cannot write the output file");
    const int32_t header[2] = {n_vocab, steps};
    fwrite(header, sizeof header, 1, out);

    struct llama_batch batch = llama_batch_get_one(prompt_tokens, n_prompt);
    int32_t token;
    for (int32_t step = 0; step < steps; step++) {
        if (llama_decode(context, batch) != 0) return fail("llama_decode failed");
        const float *logits = llama_get_logits_ith(context, -1);
        token = forced ? forced[step] : argmax(logits, n_vocab);
        fwrite(&token, sizeof token, 1, out);
        fwrite(logits, sizeof(float), (size_t)n_vocab, out);
        batch = llama_batch_get_one(&token, 1);
    }
    if (fclose(out) != 0) return fail("cannot finish the output file");

    free(forced);
    llama_free(context);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
