#!/usr/bin/env bash
# Prefill and decode tokens/s of llama.cpp on the emulated GPU against the same build's CPU backend, same
# model, same process: one llama-bench run through `cuemu run` per engine tier, sweeping `-dev none,CUDA0`
# with `-ngl 99` (devices "none" = ggml's CPU backend alone; CUDA0 = every layer on the emulated GPU).
# Bounded so that it can be run by hand (default -p 16 -n 8, 3 repetitions). Prints per engine a markdown
# table of median tokens/s and the CUDA0 / CPU ratio, with the load average before and after the run, and
# the emulator's slowest kernels with their thread-instructions/s (CUEMU_LAUNCH_PROFILE).
#
# usage: tests/clients/bench-decode.sh [--engine compiled|reference|both] [--plugin cuda13|cuda12]
#                                      [--prompt N] [--gen N] [--repetitions N] [--threads N] [models...]
#        models are names in $CUEMU_TEST_MODELS without .gguf
#        (default: tiny-q8_0 tiny-q4_0 small100m-q8_0 small100m-q4_0)
# --threads is llama-bench's -t (default 2, every core here); on a loaded 2-core machine the CPU backend's
# spinning barrier makes 2-thread samples bimodal, -t 1 is the steadier baseline there.
# CUEMU_KEEP_LOGS=1 keeps llama-bench's JSON and stderr; CUEMU_GATE_TIMEOUT bounds each run (seconds).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engines=(compiled) plugin=cuda13 prompt=16 gen=8 repetitions=3 threads=2
while [[ ${1:-} == --* ]]; do
    case $1 in
        --engine)
            case $2 in
                both) engines=(reference compiled) ;;
                reference | compiled) engines=("$2") ;;
                *) fail "unknown engine '$2' (compiled, reference or both)" ;;
            esac
            shift 2 ;;
        --plugin) plugin=$2; shift 2 ;;
        --prompt) prompt=$2; shift 2 ;;
        --gen) gen=$2; shift 2 ;;
        --repetitions) repetitions=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        *) fail "unknown option $1" ;;
    esac
done
models=("$@")
((${#models[@]})) || models=(tiny-q8_0 tiny-q4_0 small100m-q8_0 small100m-q4_0)

require_harness
make_scratch
bin="$(plugin_bin_dir "$plugin")"
args=(-p "$prompt" -n "$gen" -t "$threads" -r "$repetitions" -o json -dev none,CUDA0 -ngl 99)
for model in "${models[@]}"; do
    [[ -f $CUEMU_TEST_MODELS/$model.gguf ]] || fail "model $CUEMU_TEST_MODELS/$model.gguf not found (tests/clients/setup.sh generates them)"
    args+=(-m "$CUEMU_TEST_MODELS/$model.gguf")
done

echo "llama-bench ${args[*]//$CUEMU_TEST_MODELS\//} (plugin $plugin, $(nproc) cores, CUEMU_ENGINE_WORKERS=${CUEMU_ENGINE_WORKERS:-all})"
for engine in "${engines[@]}"; do
    load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
    start=$SECONDS
    CUEMU_LAUNCH_PROFILE="$SCRATCH/profile-$engine.txt" CUEMU_ENGINE=$engine GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld-$engine" \
        "$bin/llama-bench" "${args[@]}" >"$SCRATCH/$engine.json" 2>"$SCRATCH/$engine.err" ||
        { tail -20 "$SCRATCH/$engine.err"; fail "llama-bench on cuemu ($engine tier) failed"; }
    # shellcheck disable=SC2046
    assert_cuemu_libraries "$SCRATCH/ld-$engine" $(plugin_sonames "$plugin") >/dev/null
    echo
    echo "engine $engine: $((SECONDS - start)) s wall; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
    node -e '
const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const median = run => {
    const samples = [...run.samples_ts].sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
};
const f = x => x >= 100 ? x.toFixed(0) : x.toPrecision(3);
const key = run => `${require("path").basename(run.model_filename, ".gguf")} | ${run.n_prompt > 0 ? `pp${run.n_prompt}` : `tg${run.n_gen}`}`;
const cpu = new Map(), gpu = new Map();
for (const run of runs) (run.devices === "none" ? cpu : gpu).set(key(run), run);
console.log("| model | test | CPU t/s | CUDA0 t/s (min–max) | CUDA0 / CPU |");
console.log("|---|---|---:|---:|---:|");
for (const [k, c] of cpu) {
    const g = gpu.get(k);
    if (!g) { console.log(`| ${k} | ${f(median(c))} | missing | – |`); process.exitCode = 1; continue; }
    console.log(`| ${k} | ${f(median(c))} | ${f(median(g))} (${f(Math.min(...g.samples_ts))}–${f(Math.max(...g.samples_ts))}) | ${(median(g) / median(c)).toPrecision(3)} |`);
}' "$SCRATCH/$engine.json"
    # The emulator's per-kernel profile (rewritten every 200 launches, so the last few may be missing).
    if [[ -s $SCRATCH/profile-$engine.txt ]]; then
        echo
        echo "slowest kernels on the $engine tier (CUEMU_LAUNCH_PROFILE: host ms, launches, thread-instructions, M thread-instr/s):"
        head -8 "$SCRATCH/profile-$engine.txt" | cut -c1-190
    fi
done
