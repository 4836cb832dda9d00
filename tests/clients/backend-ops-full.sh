#!/usr/bin/env bash
# The whole test-backend-ops suite (mode test, every op and every case) on the emulated CUDA0 against ggml's CPU
# backend, one process per op so that a crash (ggml aborts on any CUDA error) costs one op, each op under a time
# limit so that the run always finishes. Resumable: every finished op leaves its result in the state folder and
# a later run skips it (--fresh starts over). At the end (and after every op) it writes docs/COMPATIBILITY.md:
# per-op passed / failed / not-supported / not-run case counts, how each op's run ended, its time, and the run's
# engine tier, plugin, persona, date and command. Ops or cases that did not run make the table "partial".
# Exits non-zero if any case failed or any op's run did not finish cleanly.
#
# usage: tests/clients/backend-ops-full.sh [--plugin cuda13|cuda12] [--op-timeout SECONDS] [--state DIR]
#                                          [--output FILE] [--fresh] [OP ...]
# OPs: the ops to run now (default: every op not finished yet); the report always lists every op.
# The engine tier is CUEMU_ENGINE's (recorded in the report); the state folder defaults to
# ${CUEMU_CACHE:-~/.cache/cuemu}/backend-ops-full/<plugin>-<tier>, so runs of different tiers never mix.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

invocation="tests/clients/backend-ops-full.sh${*:+ $*}"
plugin=cuda13
op_timeout=1800
state=""
output="$REPO_ROOT/docs/COMPATIBILITY.md"
fresh=0
while (($#)); do
    case $1 in
        --plugin) plugin=$2; shift 2 ;;
        --op-timeout) op_timeout=$2; shift 2 ;;
        --state) state=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        --fresh) fresh=1; shift ;;
        -*) fail "unknown option $1" ;;
        *) break ;;
    esac
done
tier="${CUEMU_ENGINE:-compiled}"
persona="${CUEMU_PERSONA:-h100}"
state="${state:-${CUEMU_CACHE:-$HOME/.cache/cuemu}/backend-ops-full/$plugin-$tier}"
require_harness
bin="$(plugin_bin_dir "$plugin")"
((fresh == 0)) || rm -rf "$state"
mkdir -p "$state"

# Every op and its number of cases, from ggml's CPU backend listing every case (run natively: no emulator needed).
"$bin/test-backend-ops" support -b CPU >"$state/cases.txt" 2>&1 || fail "test-backend-ops support -b CPU failed"
# The report always covers every op (results of earlier runs come from the state folder); the OPs given run now.
mapfile -t all_ops < <("$bin/test-backend-ops" --list-ops 2>/dev/null | sed -n 's/^  \([A-Z0-9_]*\)$/\1/p')
((${#all_ops[@]} > 0)) || fail "test-backend-ops --list-ops listed no op"
ops=("$@")
((${#ops[@]})) || ops=("${all_ops[@]}")
declare -A cases_of=()
while read -r count op; do cases_of[$op]=$count; done < <(sed -n 's/^  \([A-Z0-9_]*\)(.*/\1/p' "$state/cases.txt" | sort | uniq -c)
case_count() { echo "${cases_of[$1]:-0}"; }

# One op: its result line "<passed> <failed> <not supported> <not run> <run> <seconds>" goes to <op>.result.
run_op() {
    local op=$1 start=$SECONDS status=0 cases
    cases="$(case_count "$op")"
    GGML_BACKEND_PATH="$bin/libggml-cuda.so" CUEMU_LOG="$state/$op.cuemu.log" CUEMU_GATE_TIMEOUT="$op_timeout" \
        cuemu_run_logged "$state/ld-$op" "$bin/test-backend-ops" test -b CUDA0 -o "$op" >"$state/$op.out" 2>&1 || status=$?
    local passed failed unsupported unfinished run
    read -r passed failed unsupported unfinished <<<"$(count_backend_ops_cases "$op" "$state/$op.out")"
    if ((status == 124 || status == 137)); then
        run="time limit ${op_timeout} s"
    elif ! grep -q '^Backend [0-9]*/[0-9]*: CUDA0$' "$state/$op.out"; then
        run="no CUDA0 backend"
    elif ((status != 0)); then
        run="exit $status"
    elif ! (assert_cuemu_libraries "$state/ld-$op" $(plugin_sonames "$plugin")) >"$state/$op.libs" 2>&1; then
        run="foreign CUDA library"
    else
        run="ok"
    fi
    local not_run=$((cases - passed - failed - unsupported))
    ((not_run >= 0)) || not_run=0
    rm -f "$state/ld-$op".*
    echo "$passed $failed $unsupported $not_run $run|$((SECONDS - start))" >"$state/$op.result"
    echo "$op: $passed passed, $failed failed, $unsupported not supported, $not_run not run ($unfinished interrupted), $run, $((SECONDS - start)) s" >&2
}

write_report() {
    local rows=() op line counts run seconds
    local total_pass=0 total_fail=0 total_unsupported=0 total_not_run=0 total_seconds=0 done_ops=0 unclean=0
    for op in "${all_ops[@]}"; do
        if [[ -f $state/$op.result ]]; then
            line="$(cat "$state/$op.result")"
            counts="${line%%|*}" seconds="${line##*|}"
            read -r passed failed unsupported not_run run <<<"$counts"
            [[ $run == ok ]] || unclean=$((unclean + 1))
            done_ops=$((done_ops + 1))
        else
            passed=0 failed=0 unsupported=0 not_run="$(case_count "$op")" run="not run yet" seconds=0
        fi
        total_pass=$((total_pass + passed)) total_fail=$((total_fail + failed))
        total_unsupported=$((total_unsupported + unsupported)) total_not_run=$((total_not_run + not_run))
        total_seconds=$((total_seconds + seconds))
        rows+=("| $op | $passed | $failed | $unsupported | $not_run | $run | $seconds |")
    done
    local completeness="complete"
    ((total_not_run == 0 && done_ops == ${#all_ops[@]})) || completeness="**partial**: $total_not_run cases not run ($((${#all_ops[@]} - done_ops)) ops not run yet, $unclean op runs ended early)"
    {
        echo "# test-backend-ops on the emulated GPU"
        echo
        echo "ggml's own op tests (\`test-backend-ops test -b CUDA0\`, llama.cpp de3ff815ea7d) on the emulated CUDA0,"
        echo "each case compared with ggml's CPU backend of the same build. Written by \`tests/clients/backend-ops-full.sh\`."
        echo
        echo "| | |"
        echo "|---|---|"
        echo "| command | \`CUEMU_ENGINE=$tier $invocation\` |"
        echo "| date (UTC) of this table | $(date -u '+%Y-%m-%d %H:%M') |"
        echo "| engine tier | $tier |"
        echo "| plugin / persona | $plugin / $persona |"
        echo "| time limit per op | $op_timeout s |"
        echo "| run time (sum of the op runs) | $total_seconds s |"
        echo "| ops | ${#all_ops[@]} ($done_ops run) |"
        echo "| result | $completeness |"
        echo
        echo "Columns: cases that passed, failed (differ from the CPU backend), are not supported by the CUDA backend"
        echo "(ggml's own supports_op answer for the emulated device), and were not run (the op's run ended early:"
        echo "time limit, crash, or not started). \"run\" says how the op's process ended. \"not run\" is a lower bound:"
        echo "it counts the cases \`test-backend-ops support -b CPU\` lists for the op, and support mode leaves out the"
        echo "fusion cases (whole-graph tests such as ADD chains) that test mode also runs."
        echo
        echo "| op | passed | failed | not supported | not run | run | seconds |"
        echo "|---|---:|---:|---:|---:|---|---:|"
        printf '%s\n' "${rows[@]}"
        echo "| **all ${#all_ops[@]} ops** | **$total_pass** | **$total_fail** | **$total_unsupported** | **$total_not_run** | $unclean ended early | $total_seconds |"
    } >"$output"
    FULL_FAILED=$total_fail FULL_UNCLEAN=$unclean FULL_NOT_STARTED=$((${#all_ops[@]} - done_ops))
}

for op in "${ops[@]}"; do
    if [[ -f $state/$op.result ]]; then
        echo "$op: done in an earlier run (state in $state)" >&2
        continue
    fi
    run_op "$op"
    write_report
done
write_report
echo "wrote $output" >&2
((FULL_FAILED == 0 && FULL_UNCLEAN == 0 && FULL_NOT_STARTED == 0)) ||
    fail "$FULL_FAILED failed cases, $FULL_UNCLEAN ops whose run ended early, $FULL_NOT_STARTED ops not run yet"
