#!/usr/bin/env bash
# Gate: greedy completion with every layer offloaded to the emulated CUDA0 (through `cuemu run`) produces
# the same text as ggml's CPU backend of the same build (run natively, without cuemu: the oracle), and two
# CUDA0 runs are byte-identical: the same stdout and the same API trace (CUEMU_TRACE, every CUDA call with
# its arguments and results, written by each run to its own file).
#
# usage: tests/clients/compare-completion.sh [--plugin cuda13|cuda12] [-n TOKENS] [MODEL[:TOKENS] ...]
#   MODEL: a path, or a generated model's name (tiny-f16, small100m-q4_0, …); :TOKENS overrides -n for it.
#   Default: the stated prefix lengths of docs/CLIENTS.md, tiny-f16:16 tiny-q8_0:9 tiny-q4_0:16. Greedy text is
#   compared for as many tokens as two correct backends agree on: in tiny-q8_0 the 10th token's lead over the
#   runner-up (0.021) is below the rounding spread of ggml's own CPU paths (flash attention on vs off picks a
#   different 4th token), so 9 is its stated prefix; oracle/logits-agreement.sh measures that spread.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

plugin=cuda13
tokens=16
while [[ ${1:-} == -* ]]; do
    case $1 in
        --plugin) plugin=$2; shift 2 ;;
        -n) tokens=$2; shift 2 ;;
        *) fail "unknown option $1" ;;
    esac
done
require_harness
make_scratch
bin="$(plugin_bin_dir "$plugin")"
prompt="The emulated GPU computes the same tokens as the processor because"

models=("$@")
((${#models[@]})) || models=(tiny-f16:16 tiny-q8_0:9 tiny-q4_0:16)

for model in "${models[@]}"; do
    model_tokens=$tokens
    if [[ $model =~ ^(.*):([0-9]+)$ ]]; then model=${BASH_REMATCH[1]}; model_tokens=${BASH_REMATCH[2]}; fi
    # Greedy (temperature 0, top-k 1), fixed seed, no conversation template, only the generated text on stdout.
    # -lv 4 lets llama.cpp's model-loading report ("offloaded N/N layers to GPU") through its log filter.
    completion_args=(-p "$prompt" -n "$model_tokens" --temp 0 --top-k 1 --seed 1 -t 2 -c 512 -no-cnv
        --no-display-prompt --no-warmup -lv 4)
    [[ $model == */* ]] || model="$CUEMU_TEST_MODELS/$model.gguf"
    [[ -f $model ]] || fail "model $model not found (setup.sh generates them)"
    name="$(basename "$model" .gguf)"

    run_completion "$SCRATCH/$name.cpu.txt" "$SCRATCH/$name.cpu.log" \
        "$bin/llama-completion" -m "$model" "${completion_args[@]}" -dev none -ngl 0 ||
        { tail -20 "$SCRATCH/$name.cpu.log"; fail "CPU run failed ($name)"; }
    [[ -s $SCRATCH/$name.cpu.txt ]] || fail "the CPU run generated no text ($name)"

    for run in 1 2; do
        # A private device-memory ledger per run: the machine-wide one (docs/ARCHITECTURE.md) subtracts other live
        # cuemu processes' allocations from cudaMemGetInfo's free memory, as a shared GPU would, and that must not
        # reach the comparison.
        mkdir -p "$SCRATCH/ledger-$name-$run"
        GGML_BACKEND_PATH="$bin/libggml-cuda.so" CUEMU_TRACE="$SCRATCH/$name.trace$run.txt" \
            CUEMU_LEDGER_DIR="$SCRATCH/ledger-$name-$run" run_completion "$SCRATCH/$name.cuda$run.txt" "$SCRATCH/$name.cuda$run.log" \
            cuemu_run_logged "$SCRATCH/ld-$name-$run" \
            "$bin/llama-completion" -m "$model" "${completion_args[@]}" -dev CUDA0 -ngl 99 ||
            { tail -20 "$SCRATCH/$name.cuda$run.log"; fail "CUDA0 run $run failed ($name)"; }
    done
    grep -Eq 'offloaded ([1-9][0-9]*)/\1 layers to GPU' "$SCRATCH/$name.cuda1.log" ||
        fail "not every layer was offloaded to CUDA0 ($name): $(grep -m1 'offloaded' "$SCRATCH/$name.cuda1.log" || echo 'no offload report')"
    cmp -s "$SCRATCH/$name.cuda1.txt" "$SCRATCH/$name.cuda2.txt" ||
        fail "two CUDA0 runs differ ($name): not deterministic"
    # The trace must have recorded the work (kernel launches, not just discovery) and be byte-identical.
    launches="$(grep -Ec '^#[0-9]+ t[0-9]+ (cu|cuda|__cuda)(LaunchKernel|LaunchKernelEx|LaunchKernelExC|GraphLaunch)\(' "$SCRATCH/$name.trace1.txt" || true)"
    ((launches > 0)) || fail "the API trace of the CUDA0 run records no kernel launch ($name)"
    if ! cmp -s "$SCRATCH/$name.trace1.txt" "$SCRATCH/$name.trace2.txt"; then
        diff "$SCRATCH/$name.trace1.txt" "$SCRATCH/$name.trace2.txt" | head -10
        fail "the API traces of two CUDA0 runs differ ($name): not deterministic"
    fi
    echo "determinism: two CUDA0 runs gave byte-identical stdout and API traces ($(wc -l <"$SCRATCH/$name.trace1.txt") calls, $launches launches)"
    if ! cmp -s "$SCRATCH/$name.cpu.txt" "$SCRATCH/$name.cuda1.txt"; then
        echo "CPU  : $(cat "$SCRATCH/$name.cpu.txt")"
        echo "CUDA0: $(cat "$SCRATCH/$name.cuda1.txt")"
        fail "CUDA0 text differs from the CPU backend's ($name, $model_tokens tokens)"
    fi
    # shellcheck disable=SC2046
    assert_cuemu_libraries "$SCRATCH/ld-$name-1" $(plugin_sonames "$plugin")
    echo "PASS: $name: $model_tokens greedy tokens on CUDA0 equal the CPU backend's: $(tr '\n' ' ' <"$SCRATCH/$name.cpu.txt")"
done
