#!/usr/bin/env bash
# Gate: llama.cpp's test-llama-archs builds random-weight models of an architecture and requires the logits
# of every device to be within NMSE 1e-4 of the CPU's. In a GGML_BACKEND_DL build it never loads backend
# plugins itself, so cuemu's CUDA0 appears only with the preload helper (preload/ggml_load_all.c) whose
# constructor calls ggml_backend_load_all. Passes only if rows for the emulated device ran and all passed.
#
# usage: tests/clients/llama-archs.sh [--plugin cuda13|cuda12] [ARCH-REGEX]     (default: llama)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

plugin=cuda13
if [[ ${1:-} == --plugin ]]; then plugin=$2; shift 2; fi
arch="${1:-llama}"
require_harness
make_scratch
bin="$(plugin_bin_dir "$plugin")"
helper="$bin/libcuemu-ggml-load-all.so"
[[ -f $helper ]] || fail "preload helper $helper missing: run tests/clients/setup.sh"

# The emulated device's description is the label test-llama-archs prints in its Device column.
"$CUEMU_LAUNCHER" run -- "$bin/llama-completion" --list-devices >"$SCRATCH/devices.out" 2>&1 || true
device="$(sed -n 's/^  CUDA0: \(.*\) ([0-9]* MiB, [0-9]* MiB free)$/\1/p' "$SCRATCH/devices.out")"
[[ -n $device ]] || { cat "$SCRATCH/devices.out"; fail "CUDA0 is not listed, nothing to test"; }

# Like llama-completion, test-llama-archs prints through an asynchronous logger it does not drain before
# exiting: a run that exits 0 without its final "Summary:" line lost the end of its output and is repeated.
for attempt in 1 2 3; do
    rm -f "$SCRATCH"/ld.*
    status=0
    GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld" \
        bash -c 'LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$0" exec "$@"' "$helper" "$bin/test-llama-archs" -a "$arch" \
        >"$SCRATCH/archs.out" 2>&1 || status=$?
    if ((status != 0)) || grep -q '^Summary: ' "$SCRATCH/archs.out"; then break; fi
    echo "test-llama-archs output incomplete (upstream logger exit race), attempt $attempt; repeating" >&2
done
grep -E '^\|' "$SCRATCH/archs.out" || true
rows="$(grep -cF "|$device|" "$SCRATCH/archs.out" || true)"
((rows > 0)) || { tail -30 "$SCRATCH/archs.out"; fail "no test-llama-archs row ran on $device"; }
grep -Eq '^Summary: all [1-9][0-9]* test\(s\) passed' "$SCRATCH/archs.out" ||
    { grep -E '^Summary' "$SCRATCH/archs.out" || tail -30 "$SCRATCH/archs.out"; fail "test-llama-archs -a $arch did not pass"; }
((status == 0)) || fail "test-llama-archs exited with $status"
assert_cuemu_libraries "$SCRATCH/ld" $(plugin_sonames "$plugin")
echo "PASS: test-llama-archs -a $arch: $rows row(s) on $device within NMSE 1e-4 of the CPU"
