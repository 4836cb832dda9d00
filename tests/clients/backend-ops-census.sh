#!/usr/bin/env bash
# The whole test-backend-ops suite (mode test, every op and case) on the emulated CUDA0, one op per process
# so that a crash (ggml aborts on any CUDA error) costs one op, not the census. Prints a markdown table of
# per-op passed / failed / not-supported case counts, the run's status and time, ready for
# docs/COMPATIBILITY.md. Exits non-zero if any case failed or any op's run did not finish cleanly.
#
# usage: tests/clients/backend-ops-census.sh [--plugin cuda13|cuda12] [output.md [OP ...]]   (default: every op)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

plugin=cuda13
if [[ ${1:-} == --plugin ]]; then plugin=$2; shift 2; fi
output="${1:-/dev/stdout}"
shift || true
require_harness
make_scratch
bin="$(plugin_bin_dir "$plugin")"

ops=("$@")
((${#ops[@]})) || mapfile -t ops < <("$bin/test-backend-ops" --list-ops 2>/dev/null | sed -n 's/^  \([A-Z0-9_]*\)$/\1/p')
((${#ops[@]} > 0)) || fail "test-backend-ops --list-ops listed no op"

rows=()
total_pass=0 total_fail=0 total_unsupported=0 unclean=0
census_start=$SECONDS
for op in "${ops[@]}"; do
    start=$SECONDS
    status=0
    GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld-$op" \
        "$bin/test-backend-ops" test -b CUDA0 -o "$op" >"$SCRATCH/$op.out" 2>&1 || status=$?
    # Case lines: "  OP(params): OK", "…: not supported [CUDA0]", "…: … FAIL" (colour codes stripped).
    counts="$(sed 's/\x1b\[[0-9;]*m//g' "$SCRATCH/$op.out" | awk -v op="$op" '
        index($0, "  " op "(") == 1 {
            if ($0 ~ /not supported/) unsupported++
            else if ($0 ~ /OK$/) passed++
            else if ($0 ~ /FAIL/) failed++
        }
        END { printf "%d %d %d", passed, failed, unsupported }')"
    read -r passed failed unsupported <<<"$counts"
    if ! grep -q '^Backend [0-9]*/[0-9]*: CUDA0$' "$SCRATCH/$op.out"; then
        run="no CUDA0"
    elif ((status == 124 || status == 137)); then
        run="timed out"
    elif ((status != 0)); then
        run="exit $status"
    else
        run="ok"
    fi
    [[ $run == ok ]] || unclean=$((unclean + 1))
    total_pass=$((total_pass + passed)) total_fail=$((total_fail + failed))
    total_unsupported=$((total_unsupported + unsupported))
    rows+=("| $op | $passed | $failed | $unsupported | $run | $((SECONDS - start)) |")
    echo "$op: $passed passed, $failed failed, $unsupported not supported, $run" >&2
done

{
    echo "test-backend-ops (mode test) on CUDA0, $plugin plugin, one process per op: $((SECONDS - census_start)) s in all."
    echo
    echo "| op | passed | failed | not supported | run | seconds |"
    echo "|---|---:|---:|---:|---|---:|"
    printf '%s\n' "${rows[@]}"
    echo "| **all ${#ops[@]} ops** | **$total_pass** | **$total_fail** | **$total_unsupported** | $unclean unclean | $((SECONDS - census_start)) |"
} >"$output"
((total_fail == 0 && unclean == 0)) || fail "$total_fail failed cases, $unclean ops whose run did not finish cleanly"
