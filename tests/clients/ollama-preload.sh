#!/usr/bin/env bash
# Gate for the Ollama recipe in docs/CLIENTS.md. Ollama cannot be downloaded here, so this reproduces what
# it does to a CUDA stand-in: its runner starts with Ollama's own library folders (holding NVIDIA's
# libcudart / libcublas) *prepended* to LD_LIBRARY_PATH. Decoy libraries with those sonames stand in for
# NVIDIA's; with the recipe (LD_PRELOAD of every cuemu shim) the decoys must never load, and
#  - Ollama's discovery calls (ollama/discovery_probe.c: native probe, driver >= 570, NVML UUID equal to
#    cudaDeviceProp.uuid) must accept the device, for the CUDA 13 and the CUDA 12 runtime;
#  - ggml's device listing (what Ollama >= 0.30 parses) must show CUDA0 with its compute capability.
# It also checks the trap itself: without LD_PRELOAD the decoy libcudart wins.
#
# usage: tests/clients/ollama-preload.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_harness
make_scratch
[[ -e $CUEMU_LIB_DIR/libcuda.so.1 ]] || fail "cuemu's libraries are not built ($CUEMU_LIB_DIR/libcuda.so.1 missing)"

probe="$SCRATCH/discovery_probe"
gcc -O2 -o "$probe" "$CLIENT_SCRIPTS_DIR/ollama/discovery_probe.c" -ldl

# Ollama's bundled NVIDIA libraries, as empty libraries with the same sonames: any use of one is visible.
decoys="$SCRATCH/ollama-lib"
mkdir -p "$decoys"
for soname in libcudart.so.12 libcudart.so.13 libcublas.so.12 libcublas.so.13 libcublasLt.so.12 libcublasLt.so.13; do
    echo 'int ollama_bundled_decoy;' | gcc -shared -fPIC -x c - -o "$decoys/$soname" -Wl,-soname,"$soname"
done

# The recipe: preload every cuemu library that has an NVIDIA soname.
preload=()
for soname in libcuda.so.1 libnvidia-ml.so.1 libcudart.so.12 libcudart.so.13 libcublas.so.12 libcublas.so.13 \
    libcublasLt.so.12 libcublasLt.so.13; do
    [[ -e $CUEMU_LIB_DIR/$soname ]] && preload+=("$CUEMU_LIB_DIR/$soname")
done
preload_list="$(IFS=:; echo "${preload[*]}")"
ollama_like() { # <loader-log-prefix> <command...>: an Ollama runner's environment plus the recipe
    local log_prefix=$1
    shift
    timeout --kill-after=30 "${CUEMU_GATE_TIMEOUT:-3600}" env LD_LIBRARY_PATH="$decoys:$CUEMU_LIB_DIR" LD_PRELOAD="$preload_list" \
        LD_DEBUG=libs LD_DEBUG_OUTPUT="$log_prefix" "$@"
}

# The trap: without LD_PRELOAD, Ollama's prepended folder supplies libcudart.
trap_out="$(env LD_LIBRARY_PATH="$decoys:$CUEMU_LIB_DIR" "$probe" libcudart.so.13 || true)"
grep -q 'missing symbol cudaGetDeviceCount' <<<"$trap_out" ||
    fail "expected the decoy libcudart to win without LD_PRELOAD; the probe said: $trap_out"
echo "trap reproduced: without LD_PRELOAD the prepended libcudart.so.13 is the one loaded"

for runtime in libcudart.so.13 libcudart.so.12; do
    ollama_like "$SCRATCH/ld-probe-$runtime" "$probe" "$runtime" >"$SCRATCH/probe-$runtime.out" 2>&1 ||
        { cat "$SCRATCH/probe-$runtime.out"; fail "Ollama's discovery would reject the device ($runtime)"; }
    cat "$SCRATCH/probe-$runtime.out"
    assert_cuemu_libraries "$SCRATCH/ld-probe-$runtime" libcuda.so.1 libnvidia-ml.so.1 "$runtime"
    # Determinism: what Ollama sees (names, UUID, PCI id, memory) is the same on every run.
    ollama_like "$SCRATCH/ld-probe-again-$runtime" "$probe" "$runtime" >"$SCRATCH/probe-again-$runtime.out" 2>&1 || true
    cmp -s "$SCRATCH/probe-$runtime.out" "$SCRATCH/probe-again-$runtime.out" ||
        fail "a second discovery run reported something else ($runtime)"
done

ollama_like "$SCRATCH/ld-list" "$LLAMA_BIN/llama-completion" --list-devices >"$SCRATCH/list.out" 2>&1 ||
    { cat "$SCRATCH/list.out"; fail "llama-completion --list-devices failed"; }
# llama.cpp's tools hide ggml's own "Device 0: ..., compute capability" line; their device list is what Ollama reads.
grep -E '^ *CUDA0: NVIDIA .*MiB' "$SCRATCH/list.out" ||
    fail "ggml did not initialise the CUDA device under the recipe"
grep -E '^  CUDA0: ' "$SCRATCH/list.out" || fail "CUDA0 not listed under the recipe"
assert_cuemu_libraries "$SCRATCH/ld-list" $(plugin_sonames cuda13)
echo "PASS: with LD_PRELOAD of cuemu's shims, Ollama's prepended libraries lose and discovery accepts the device"
