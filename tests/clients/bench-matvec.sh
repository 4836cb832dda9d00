#!/usr/bin/env bash
# ggml's quantized matrix-vector kernels (MUL_MAT of a Q4_0 / Q8_0 matrix with one f32 column: mul_mat_vec_q
# plus the q8_1 quantization of the vector) on the emulated CUDA0 against the same build's CPU backend.
#
# Part 1 (always): bench/ggml/mul_mat_vec.c, compiled here against the harness's ggml, times a bounded number
#   of products per backend — natively on the CPU backend, then through `cuemu run` on CUDA0 for each engine
#   tier — and checks each CUDA0 result against the CPU backend's. Bounded run counts make the reference tier
#   measurable (seconds per product at the default 4096 × 14336, test-backend-ops' decode shape).
# Part 2 (--backend-ops): ggml's own `test-backend-ops perf -o MUL_MAT`, restricted to the n=1 cases of
#   q4_0/q8_0, natively on CPU and on cuemu's CUDA0 with the compiled tier. It times ≥ 100 GFLOP per case
#   (≈ 850 products) on a GPU backend, so it is not run on the reference tier (hours there).
#
# usage: tests/clients/bench-matvec.sh [--engine compiled|reference|both] [--plugin cuda13|cuda12]
#            [--shape MxK] [--runs N] [--reference-runs N] [--threads N] [--types "q4_0 q8_0"] [--backend-ops]
#        defaults: --engine both --shape 4096x14336 --runs 20 --reference-runs 1
# The CPU backend is timed with 1 thread and with every core (a loaded machine can make its spinning barrier
# slower with more threads); "time / best CPU" divides by the faster of the two. --threads N times only N.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engines=(reference compiled) plugin=cuda13 shape=4096x14336 runs=20 reference_runs=1 cpu_threads=(1 $(nproc)) types=(q4_0 q8_0) backend_ops=0
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
        --shape) shape=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --reference-runs) reference_runs=$2; shift 2 ;;
        --threads) cpu_threads=("$2"); shift 2 ;;
        --types) read -ra types <<<"$2"; shift 2 ;;
        --backend-ops) backend_ops=1; shift ;;
        *) fail "unknown option $1" ;;
    esac
done
[[ $shape =~ ^([0-9]+)x([0-9]+)$ ]] || fail "--shape takes MxK, e.g. 4096x14336"
m=${BASH_REMATCH[1]} k=${BASH_REMATCH[2]}

require_harness
make_scratch
bin="$(plugin_bin_dir "$plugin")"
program="$SCRATCH/mul_mat_vec"
gcc -std=gnu11 -O2 -Wall -I"$LLAMA_SRC/ggml/include" -o "$program" "$REPO_ROOT/bench/ggml/mul_mat_vec.c" \
    -L"$bin" -lggml -lggml-base -lm -Wl,-rpath,"$bin"

# measure <label> <command...>: appends "<label> <program output line>" to the results.
results="$SCRATCH/results"
measure() {
    local label=$1
    shift
    local output
    output="$("$@" 2>"$SCRATCH/last.err" | tail -1)" || { tail -20 "$SCRATCH/last.err"; fail "$label failed"; }
    echo "$label $output" >>"$results"
}

mapfile -t cpu_threads < <(printf '%s\n' "${cpu_threads[@]}" | sort -nu)
echo "MUL_MAT ${m}×${k} · f32 vector (ggml ${plugin} plugin, $(nproc) cores, CUEMU_ENGINE_WORKERS=${CUEMU_ENGINE_WORKERS:-all})"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for type in "${types[@]}"; do
    for threads in "${cpu_threads[@]}"; do
        measure "CPU-$threads" "$program" "$bin" CPU $type "$m" "$k" "$runs" "$threads"
    done
    for engine in "${engines[@]}"; do
        count=$runs
        [[ $engine == reference ]] && count=$reference_runs
        CUEMU_ENGINE=$engine GGML_BACKEND_PATH="$bin/libggml-cuda.so" \
            measure "cuemu-$engine" cuemu_run_logged "$SCRATCH/ld-$engine-$type" "$program" "$bin" CUDA0 $type "$m" "$k" "$count"
        # shellcheck disable=SC2046
        assert_cuemu_libraries "$SCRATCH/ld-$engine-$type" libcuda.so.1 >/dev/null
    done
done
echo "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| type | backend | products timed | µs / product | weight GB/s | time / best CPU | max rel. difference to CPU |"
echo "|---|---|--:|--:|--:|--:|--:|"
awk '
    { lines[NR] = $0 }
    $2 == "CPU" && (!($3 in best) || $7 < best[$3]) { best[$3] = $7 }
    END {
        for (i = 1; i <= NR; i++) {
            split(lines[i], f, " ")
            backend = f[2] == "CPU" ? "CPU (native), " substr(f[1], 5) " thread(s)" : "CUDA0, " substr(f[1], 7) " tier"
            printf "| %s | %s | %s | %.1f | %.3g | %.3g | %s |\n", f[3], backend, f[6], f[7], f[8], f[7] / best[f[3]], f[9]
        }
    }
' "$results"

if ((backend_ops)); then
    filter="^type_a=($(IFS='|'; echo "${types[*]}")),type_b=f32,m=[0-9]+,n=1,"
    echo
    echo "test-backend-ops perf -o MUL_MAT -p '$filter'"
    load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
    "$bin/test-backend-ops" perf -b CPU -o MUL_MAT -p "$filter" >"$SCRATCH/ops-cpu.out" 2>&1 || { tail -20 "$SCRATCH/ops-cpu.out"; fail "test-backend-ops on CPU failed"; }
    CUEMU_ENGINE=compiled GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld-ops" \
        "$bin/test-backend-ops" perf -b CUDA0 -o MUL_MAT -p "$filter" >"$SCRATCH/ops-cuda.out" 2>&1 ||
        { tail -20 "$SCRATCH/ops-cuda.out"; fail "test-backend-ops on CUDA0 failed"; }
    grep -q '^Backend [0-9]*/[0-9]*: CUDA0$' "$SCRATCH/ops-cuda.out" || fail "test-backend-ops did not test a CUDA0 backend"
    echo "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
    for side in cpu cuda; do
        echo "[$side]"
        grep 'us/run' "$SCRATCH/ops-$side.out" | sed 's/\x1b\[[0-9;]*m//g; s/,bs=.*):/):/; s/^ *//'
    done
fi
