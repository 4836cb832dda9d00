#!/usr/bin/env bash
# CPU baseline for docs/PERFORMANCE.md: prefill (pp) and decode (tg) tokens/s of ggml's CPU backend of the
# harness build on the generated models, measured with llama.cpp's llama-bench. Prints a markdown table of
# the median, minimum and maximum over the repetitions (medians resist the noise of a shared machine).
#
# usage: tests/clients/bench-cpu.sh [repetitions] [models...]    (default 5; every generated F16/Q8_0/Q4_0 model)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -f $CLIENTS_ENV ]] || fail "client harness not installed: run tests/clients/setup.sh"
source "$CLIENTS_ENV"
make_scratch

repetitions="${1:-5}"
shift || true
models=("$@")
((${#models[@]})) || models=(tiny-f16 tiny-q8_0 tiny-q4_0 small100m-f16 small100m-q8_0 small100m-q4_0)

model_args=()
for model in "${models[@]}"; do model_args+=(-m "$CUEMU_TEST_MODELS/$model.gguf"); done
"$LLAMA_BIN/llama-bench" "${model_args[@]}" -p 128 -n 32 -t 2 -r "$repetitions" -ngl 0 -dev none -o json \
    >"$SCRATCH/bench.json" 2>"$SCRATCH/bench.err" || { cat "$SCRATCH/bench.err"; fail "llama-bench failed"; }

echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
node -e '
const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log("| model | test | median t/s | min | max | samples |");
console.log("|---|---|---:|---:|---:|---:|");
for (const run of runs) {
    const samples = [...run.samples_ts].sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)];
    const test = run.n_prompt > 0 ? `pp${run.n_prompt}` : `tg${run.n_gen}`;
    const model = require("path").basename(run.model_filename, ".gguf");
    const f = x => x.toFixed(1);
    console.log(`| ${model} | ${test} | ${f(median)} | ${f(samples[0])} | ${f(samples.at(-1))} | ${samples.length} |`);
}' "$SCRATCH/bench.json"
