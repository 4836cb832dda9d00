#!/usr/bin/env bash
# Prefill (pp128) and decode (tg32) tokens/s of the harness build on the generated models, measured with
# llama.cpp's llama-bench, 2 threads. Prints a markdown table of the median, minimum and maximum over the
# repetitions (medians resist the noise of a shared machine).
#   default: ggml's CPU backend alone, run natively (the CPU baseline of docs/PERFORMANCE.md);
#   --cuda:  one llama-bench run through `cuemu run` measuring both the CPU backend (-dev none -ngl 0) and
#            the emulated CUDA0 (-dev CUDA0 -ngl 99) on the same models, with the CUDA0/CPU ratio.
#
# usage: tests/clients/bench.sh [--cuda] [--plugin cuda13|cuda12] [repetitions] [models...]
#        (default 5 repetitions; every generated F16/Q8_0/Q4_0 model)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cuda=0 plugin=cuda13
while [[ ${1:-} == --* ]]; do
    case $1 in
        --cuda) cuda=1; shift ;;
        --plugin) plugin=$2; shift 2 ;;
        *) fail "unknown option $1" ;;
    esac
done
if ((cuda)); then require_harness; else
    [[ -f $CLIENTS_ENV ]] || fail "client harness not installed: run tests/clients/setup.sh"
    source "$CLIENTS_ENV"
fi
make_scratch
bin="$(plugin_bin_dir "$plugin")"

repetitions="${1:-5}"
shift || true
models=("$@")
((${#models[@]})) || models=(tiny-f16 tiny-q8_0 tiny-q4_0 small100m-f16 small100m-q8_0 small100m-q4_0)

args=(-p 128 -n 32 -t 2 -r "$repetitions" -o json)
for model in "${models[@]}"; do args+=(-m "$CUEMU_TEST_MODELS/$model.gguf"); done
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
if ((cuda)); then
    # Comma lists are llama-bench's parameter sweeps: the cross product of devices and layer counts runs in
    # one process; only (none, 0) = CPU and (CUDA0, 99) = all layers on CUDA0 are reported.
    GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld" \
        "$bin/llama-bench" "${args[@]}" -dev none,CUDA0 -ngl 0,99 >"$SCRATCH/bench.json" 2>"$SCRATCH/bench.err" ||
        { tail -20 "$SCRATCH/bench.err"; fail "llama-bench on cuemu failed"; }
    # shellcheck disable=SC2046
    assert_cuemu_libraries "$SCRATCH/ld" $(plugin_sonames "$plugin") >&2
else
    "$bin/llama-bench" "${args[@]}" -dev none -ngl 0 >"$SCRATCH/bench.json" 2>"$SCRATCH/bench.err" ||
        { tail -20 "$SCRATCH/bench.err"; fail "llama-bench failed"; }
fi
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"

node -e '
const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const cuda = process.argv[2] === "1";
const stats = run => {
    const samples = [...run.samples_ts].sort((a, b) => a - b);
    return {median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1)};
};
const f = x => x.toFixed(1);
const key = run => `${require("path").basename(run.model_filename, ".gguf")} | ${run.n_prompt > 0 ? `pp${run.n_prompt}` : `tg${run.n_gen}`}`;
const cpu = new Map(), gpu = new Map();
for (const run of runs) {
    if (run.devices === "none" && run.n_gpu_layers === 0) cpu.set(key(run), stats(run));
    else if (run.devices === "CUDA0" && run.n_gpu_layers === 99) gpu.set(key(run), stats(run));
}
if (!cuda) {
    console.log("| model | test | median t/s | min | max |");
    console.log("|---|---|---:|---:|---:|");
    for (const [k, s] of cpu) console.log(`| ${k} | ${f(s.median)} | ${f(s.min)} | ${f(s.max)} |`);
} else {
    console.log("| model | test | CPU median t/s | CUDA0 median t/s (min–max) | CUDA0 / CPU |");
    console.log("|---|---|---:|---:|---:|");
    for (const [k, s] of cpu) {
        const g = gpu.get(k);
        if (!g) { console.log(`| ${k} | ${f(s.median)} | missing | – |`); process.exitCode = 1; continue; }
        console.log(`| ${k} | ${f(s.median)} | ${f(g.median)} (${f(g.min)}–${f(g.max)}) | ${(g.median / s.median).toFixed(3)} |`);
    }
}' "$SCRATCH/bench.json" "$cuda"
