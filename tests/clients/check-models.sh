#!/usr/bin/env bash
# Checks the generated test models against independent oracles, on the CPU only (no cuemu involved):
#  1. ggml's own quantiser (ggml_quantize_chunk, via oracle/check_quantization.c) re-encodes tiny-f32 and
#     must reproduce the bytes of tiny-{f16,q8_0,q4_0} exactly; ggml's gguf reader must accept every file.
#  2. The generator is deterministic: regenerating a model gives a byte-identical file.
#  3. llama.cpp's CPU backend loads each model and completes a prompt greedily, twice with identical text.
#
# usage: tests/clients/check-models.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -f $CLIENTS_ENV ]] || fail "client harness not installed: run tests/clients/setup.sh"
source "$CLIENTS_ENV"
make_scratch

oracle="$SCRATCH/check_quantization"
gcc -O2 -o "$oracle" "$CLIENT_SCRIPTS_DIR/oracle/check_quantization.c" -I"$LLAMA_SRC/ggml/include" \
    -L"$LLAMA_BIN" -lggml-base -Wl,-rpath,"$LLAMA_BIN"
for type in f16 q8_0 q4_0; do
    "$oracle" "$CUEMU_TEST_MODELS/tiny-f32.gguf" "$CUEMU_TEST_MODELS/tiny-$type.gguf" ||
        fail "tiny-$type.gguf differs from ggml's own encoding of tiny-f32.gguf"
done

dotnet run --project "$REPO_ROOT/tools/ModelGen" -c Release -- --vocab "$LLAMA_SRC/models/ggml-vocab-llama-spm.gguf" \
    --out "$SCRATCH/regenerated" --models tiny --types q4_0 >/dev/null
cmp "$SCRATCH/regenerated/tiny-q4_0.gguf" "$CUEMU_TEST_MODELS/tiny-q4_0.gguf" ||
    fail "regenerating tiny-q4_0.gguf gave different bytes"
echo "PASS: tiny-q4_0.gguf regenerates byte-identically"

prompt="The emulated GPU computes the same tokens as the processor because"
for model in "$CUEMU_TEST_MODELS"/{tiny,small100m}-{f16,q8_0,q4_0}.gguf; do
    name="$(basename "$model" .gguf)"
    for run in 1 2; do
        run_completion "$SCRATCH/$name.$run.txt" "$SCRATCH/$name.$run.log" \
            "$LLAMA_BIN/llama-completion" -m "$model" -p "$prompt" -n 16 --temp 0 --top-k 1 --seed 1 -t 2 -c 512 \
            -no-cnv --no-display-prompt --no-warmup -dev none -ngl 0 ||
            { tail -20 "$SCRATCH/$name.$run.log"; fail "llama-completion failed on $name"; }
    done
    [[ -s $SCRATCH/$name.1.txt ]] || fail "$name generated no text"
    cmp -s "$SCRATCH/$name.1.txt" "$SCRATCH/$name.2.txt" || fail "two CPU runs of $name differ"
    echo "PASS: $name on CPU, deterministic: $(tr '\n' ' ' <"$SCRATCH/$name.1.txt")"
done
