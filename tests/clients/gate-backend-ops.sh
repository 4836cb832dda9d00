#!/usr/bin/env bash
# Gate: ggml's own op tests (test-backend-ops, mode test) on the emulated CUDA0 against ggml's CPU backend,
# for the bounded op list of issue 5. test-backend-ops exits 0 even when no CUDA device exists, so each op
# passes only if the CUDA0 backend was tested and reported K/K tests passed with K > 0.
#
# usage: tests/clients/gate-backend-ops.sh [--plugin cuda13|cuda12] [OP ...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

plugin=cuda13
if [[ ${1:-} == --plugin ]]; then plugin=$2; shift 2; fi
require_harness
make_scratch
bin="$(plugin_bin_dir "$plugin")"

# op → test-case parameter filter (a regex over the case's parameter string; empty = every case).
declare -A params_filter=(
    [MUL_MAT]='^type_a=(f32|f16|q8_0|q4_0),type_b=f32,'
    [FLASH_ATTN_EXT]='^hsk=(64|128),hsv=(64|128),.*type_K=f16,type_V=f16,'
)
ops=("$@")
((${#ops[@]})) || ops=(ADD MUL RMS_NORM SCALE SOFT_MAX ROPE GET_ROWS SET_ROWS CPY CONT SWIGLU MUL_MAT FLASH_ATTN_EXT)

failed=()
printf '%-16s %8s %8s %s\n' op passed total result
for op in "${ops[@]}"; do
    out="$SCRATCH/$op.out"
    args=(test -b CUDA0 -o "$op")
    [[ -n ${params_filter[$op]:-} ]] && args+=(-p "${params_filter[$op]}")
    status=0
    GGML_BACKEND_PATH="$bin/libggml-cuda.so" \
        cuemu_run_logged "$SCRATCH/ld-$op" "$bin/test-backend-ops" "${args[@]}" >"$out" 2>&1 || status=$?

    summary="$(sed -n '/^Backend [0-9]*\/[0-9]*: CUDA0$/,/^Backend [0-9]*\/[0-9]*: /p' "$out" |
        grep -Eo '^  [0-9]+/[0-9]+ tests passed$' | head -1 || true)"
    passed="$(awk -F'[ /]+' '{print $2}' <<<"$summary")"
    total="$(awk -F'[ /]+' '{print $3}' <<<"$summary")"
    verdict=PASS
    if ! grep -q '^Backend [0-9]*/[0-9]*: CUDA0$' "$out"; then
        verdict="FAIL (no CUDA0 backend line)"
    elif [[ -z $summary ]]; then
        verdict="FAIL (no 'K/K tests passed' line for CUDA0)"
    elif ((total == 0)); then
        verdict="FAIL (0 cases ran on CUDA0)"
    elif ((passed != total)); then
        verdict="FAIL ($((total - passed)) cases failed)"
    elif ((status != 0)); then
        verdict="FAIL (exit status $status)"
    elif ! (assert_cuemu_libraries "$SCRATCH/ld-$op" $(plugin_sonames "$plugin")) >"$SCRATCH/$op.libs" 2>&1; then
        verdict="FAIL ($(tail -1 "$SCRATCH/$op.libs"))"
    fi
    printf '%-16s %8s %8s %s\n' "$op" "${passed:--}" "${total:--}" "$verdict"
    if [[ $verdict != PASS ]]; then
        failed+=("$op")
        grep -E 'FAIL|failed|error' "$out" | head -20 | sed 's/^/    /' || true
    fi
done

((${#failed[@]} == 0)) || fail "test-backend-ops on CUDA0 ($plugin): ${failed[*]}"
echo "PASS: every selected test-backend-ops case passed on CUDA0 ($plugin plugin)"
