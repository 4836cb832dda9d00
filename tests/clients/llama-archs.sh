#!/usr/bin/env bash
# Gate: llama.cpp's test-llama-archs builds random-weight models of an architecture and requires the logits
# of every device to be within NMSE 1e-4 of the CPU's. In a GGML_BACKEND_DL build it never loads backend
# plugins itself, so cuemu's CUDA0 appears only with the preload helper (preload/ggml_load_all.c) whose
# constructor calls ggml_backend_load_all. Passes only if rows for the emulated device ran and all passed.
#
# test-llama-archs draws its weights and tokens from a random seed unless given one: the gate passes a fixed seed
# (CUEMU_ARCHS_SEED, default 1) so that two runs test the same numbers; the seed is printed.
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
seed="${CUEMU_ARCHS_SEED:-1}"
helper="$bin/libcuemu-ggml-load-all.so"
[[ -f $helper ]] || fail "preload helper $helper missing: run tests/clients/setup.sh"

# The emulated device's description is the label test-llama-archs prints in its Device column.
"$CUEMU_LAUNCHER" run -- "$bin/llama-completion" --list-devices >"$SCRATCH/devices.out" 2>&1 || true
device="$(sed -n 's/^  CUDA0: \(.*\) ([0-9]* MiB, [0-9]* MiB free)$/\1/p' "$SCRATCH/devices.out")"
[[ -n $device ]] || { cat "$SCRATCH/devices.out"; fail "CUDA0 is not listed, nothing to test"; }

status=0
GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld" \
    bash -c 'LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$0" exec "$@"' "$helper" "$bin/test-llama-archs" -a "$arch" -s "$seed" \
    >"$SCRATCH/archs.out" 2>&1 || status=$?
grep -E '^\|' "$SCRATCH/archs.out" || true

# The verdict is the exit status (0 only if every executed comparison passed) plus proof that comparisons
# ran on the emulated device. The output alone cannot be the verdict: test-llama-archs prints through an
# asynchronous logger it does not drain before exiting, so its last rows and "Summary:" line are often
# missing; rows of the device printed earlier are reliable.
((status == 0)) || { tail -30 "$SCRATCH/archs.out"; fail "test-llama-archs -a $arch exited with $status"; }
# Rows are "|arch|device|config|NMSE|roundtrip|" with right-aligned, space-padded columns.
device_rows="$(awk -F'|' -v device="$device" '{ label = $3; gsub(/^ +| +$/, "", label) } label == device' "$SCRATCH/archs.out")"
grep -q 'OK' <<<"$device_rows" || { tail -30 "$SCRATCH/archs.out"; fail "no test-llama-archs comparison on $device was reported"; }
! grep -q 'FAIL' <<<"$device_rows" || fail "a test-llama-archs comparison on $device failed"
if grep -q '^Summary: ' "$SCRATCH/archs.out"; then
    grep -Eq '^Summary: all [1-9][0-9]* test\(s\) passed' "$SCRATCH/archs.out" || fail "$(grep '^Summary: ' "$SCRATCH/archs.out")"
fi
assert_cuemu_libraries "$SCRATCH/ld" $(plugin_sonames "$plugin")
echo "PASS: test-llama-archs -a $arch -s $seed on $device: logits within NMSE 1e-4 of the CPU (exit 0)"
