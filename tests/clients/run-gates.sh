#!/usr/bin/env bash
# Runs every client gate of issue 5 in turn and prints one line per gate; exits non-zero if any failed.
# Each gate's output goes to <log folder>/<gate>.log (default: a fresh folder under ${TMPDIR:-/tmp}).
#
# usage: tests/clients/run-gates.sh [log folder]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
logs="${1:-$(mktemp -d "${TMPDIR:-/tmp}/cuemu-gates.XXXXXX")}"
mkdir -p "$logs"

gates=(
    "selftest|$here/selftest.sh"
    "check-models|$here/check-models.sh"
    "list-devices|$here/list-devices.sh"
    "ollama-preload|$here/ollama-preload.sh"
    "backend-ops-cuda13|$here/gate-backend-ops.sh --plugin cuda13"
    "backend-ops-cuda12|$here/gate-backend-ops.sh --plugin cuda12"
    "completion-cuda13|$here/compare-completion.sh --plugin cuda13"
    "completion-cuda12|$here/compare-completion.sh --plugin cuda12 tiny-q8_0:9"
    "logits-agreement|$here/logits-agreement.sh"
    "llama-archs|$here/llama-archs.sh"
    "node-llama-cpp|$here/node-llama-cpp.sh"
    "node-llama-cpp-cuda12|$here/node-llama-cpp.sh --cuda12-only"
)
failed=0
for gate in "${gates[@]}"; do
    name="${gate%%|*}"
    read -ra command <<<"${gate#*|}"
    start=$SECONDS
    if "${command[@]}" >"$logs/$name.log" 2>&1; then
        printf '%-24s PASS  %5ss\n' "$name" $((SECONDS - start))
    else
        printf '%-24s FAIL  %5ss  %s\n' "$name" $((SECONDS - start)) "$(grep -m1 '^FAIL' "$logs/$name.log" || tail -1 "$logs/$name.log")"
        failed=1
    fi
done
echo "logs: $logs"
exit $failed
