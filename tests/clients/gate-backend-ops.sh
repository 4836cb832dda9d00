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

# The bounded gate: exactly the ops of issue 5, each with a parameter filter (an ECMAScript regex that
# test-backend-ops matches against a case's parameter string; empty = every case) that keeps every code path of
# the op while leaving out its largest shapes, so the gate fits CI time with the compiled tier (the cost of each
# selection in thread-instructions is printed per op and recorded in docs/COMPATIBILITY.md). The whole suite is
# tests/clients/backend-ops-full.sh.
declare -A params_filter=(
    # 16M-element broadcasts
    [ADD]='^(?!.*ne=\[64,262144,)'
    [MUL]='^(?!.*ne=\[64,262144,)'
    # rows of 15..1024 and 200001 columns with and without mask/sinks/ALiBi; not the 1023/1024-square matrices,
    # nor the 1023/1024-row ones (one 1024-thread block per row)
    [SOFT_MAX]='ne=\[(15,15|16,16|16,2|32,2|200001|1024,16|1023,15),'
    # every mode and type; not the 2457- and 8192-row tensors
    [ROPE]='^(?!.*ne_a=\[(36,16,2457|16,16,8192),)'
    # from f32 into the types models use
    [SET_ROWS]='^type_src=f32,type_dst=(f32|f16|q8_0|q4_0),'
    # not the 4M- and 9M-element permutations
    [CONT]='^(?!.*ne=\[(2304|1024),64,64,)'
    # mmvf/mmvq (n <= 8), mmf/mmq (n = 9, 16) and cuBLAS paths, batched and broadcast, for the model weight types
    [MUL_MAT]='^type_a=(f32|f16|q8_0|q4_0),type_b=f32,m=16,n=(1|2|3|4|8|9|16),k=256,'
    # f16 K/V, head sizes 64 and 128: vec (1-3 queries) and mma (32, 75) kernels, GQA, sinks, two KV lengths; and
    # DeepSeek's K/V sizes 192/128 at 75 queries, whose stream-k blocks span two tiles (the case that needs warps to
    # take turns per loop iteration, see src/Emulator.Kernels/Engine/README.md)
    [FLASH_ATTN_EXT]='^(hsk=(64|128),hsv=(64|128),nh=4,nr23=\[(1,1|4,1)\],kv=(113|512),nb=(1|3|32|75)|hsk=192,hsv=128,nh=4,nr23=\[8,1\],kv=512,nb=75),mask=1,sinks=(0|1),max_bias=0\.000000,logit_softcap=0\.000000,prec=f32,type_K=f16,type_V=f16,permute=\[0,1,2,3\]'
)
ops=("$@")
((${#ops[@]})) || ops=(ADD MUL RMS_NORM SCALE SOFT_MAX ROPE GET_ROWS SET_ROWS CPY CONT SWIGLU MUL_MAT FLASH_ATTN_EXT)

failed=()
# "not supported" = cases ggml's CUDA backend declines for the emulated device (ggml's supports_op); they are
# listed, not run, and do not count in K/K.
printf '%-16s %7s %7s %13s %8s %20s  %s\n' op passed total not-supported seconds thread-instructions result
gate_start=$SECONDS
gate_work=0
judged=0
for op in "${ops[@]}"; do
    out="$SCRATCH/$op.out"
    args=(test -b CUDA0 -o "$op")
    [[ -n ${params_filter[$op]:-} ]] && args+=(-p "${params_filter[$op]}")
    status=0
    start=$SECONDS
    # cuemu's log (faults, unsupported calls, one line per launch with its thread-instructions) goes to a file of its own.
    GGML_BACKEND_PATH="$bin/libggml-cuda.so" CUEMU_LOG="$SCRATCH/$op.cuemu.log" CUEMU_LOG_LAUNCHES=1 \
        cuemu_run_logged "$SCRATCH/ld-$op" "$bin/test-backend-ops" "${args[@]}" >"$out" 2>&1 || status=$?
    work=0   # no log at all when cuemu never started (e.g. no CUDA library was provided)
    [[ ! -f $SCRATCH/$op.cuemu.log ]] ||
        work="$(sed -n 's/.*: ok, \([0-9]*\) thread-instructions$/\1/p' "$SCRATCH/$op.cuemu.log" | perl -ne '$s += $_; END { printf "%d\n", $s }')"
    gate_work=$((gate_work + work))

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
    read -r _ _ unsupported _ <<<"$(count_backend_ops_cases "$op" "$out")"
    judged=$((judged + 1))
    printf '%-16s %7s %7s %13s %8s %20s  %s\n' "$op" "${passed:--}" "${total:--}" "$unsupported" $((SECONDS - start)) "$work" "$verdict"
    if [[ $verdict != PASS ]]; then
        failed+=("$op")
        { grep -E 'FAIL|failed|error' "$out"; grep -v ': ok, [0-9]* thread-instructions$' "$SCRATCH/$op.cuemu.log" 2>/dev/null; } |
            head -20 | sed 's/^/    /' || true
    fi
done
printf '%-16s %7s %7s %13s %8s %20s\n' all "" "" "" $((SECONDS - gate_start)) "$gate_work"

((${#failed[@]} == 0)) || fail "test-backend-ops on CUDA0 ($plugin): ${failed[*]}"
((judged == ${#ops[@]})) || fail "only $judged of ${#ops[@]} ops were judged"
echo "PASS: every selected test-backend-ops case passed on CUDA0 ($plugin plugin)"
