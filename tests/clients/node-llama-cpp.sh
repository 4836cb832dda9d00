#!/usr/bin/env bash
# Gate: node-llama-cpp 3.22.1 with its prebuilt CUDA bindings, started through `cuemu run`, reports `cuda`
# with the emulated device's name and VRAM and generates the same greedy text as its CPU bindings (run
# natively, the oracle). With --cuda12-only the CUDA 13 runtime libraries are hidden, so node-llama-cpp
# must fall back to the CUDA 12 plugin of @node-llama-cpp/linux-x64-cuda-ext.
#
# usage: tests/clients/node-llama-cpp.sh [--cuda12-only] [MODEL]     (default model: tiny-f16)
# The default is the F16 model: its 16 greedy tokens are robust against rounding (two correct CPU paths differ by
# NMSE ~1e-6), while the quantised models' texts may part where two correct backends round differently
# (compare-completion.sh states their prefix lengths).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cuda12_only=0
if [[ ${1:-} == --cuda12-only ]]; then cuda12_only=1; shift; fi
require_harness
make_scratch
model="${1:-tiny-f16}"
[[ $model == */* ]] || model="$CUEMU_TEST_MODELS/$model.gguf"
[[ -f $model ]] || fail "model $model not found (setup.sh generates them)"
script="$CLIENT_SCRIPTS_DIR/node/complete.mjs"
prompt="The emulated GPU computes the same tokens as the processor because"
tokens=16
export NLC_PROJECT

node "$script" cpu "$model" "$tokens" "$prompt" >"$SCRATCH/cpu.json" 2>"$SCRATCH/cpu.log" ||
    { tail -20 "$SCRATCH/cpu.log"; fail "node-llama-cpp CPU run failed"; }

if ((cuda12_only)); then
    # A library folder holding only the CUDA 12 names (node-llama-cpp detects CUDA by file presence), and a
    # preload list without the CUDA 13 shims; CUEMU_HOME keeps the shims finding cuemu's managed side.
    lib12="$SCRATCH/cuda12-lib"
    mkdir -p "$lib12"
    for f in "$CUEMU_LIB_DIR"/*; do
        case "$(basename "$f")" in *.so.13 | *.so.13.*) ;; *) ln -s "$(realpath "$f")" "$lib12/$(basename "$f")" ;; esac
    done
    sonames="libcuda.so.1 libcudart.so.12 libcublas.so.12"
    timeout --kill-after=30 "${CUEMU_GATE_TIMEOUT:-3600}" "$CUEMU_LAUNCHER" run -- bash -c '
        preload=$(tr ":" "\n" <<<"${LD_PRELOAD:-}" | grep -v "\.so\.13" | paste -sd: -)
        exec env LD_LIBRARY_PATH="$0" LD_PRELOAD="$preload" CUEMU_HOME="${CUEMU_HOME:-$1}" \
            LD_DEBUG=libs LD_DEBUG_OUTPUT="$2" node "$3" cuda "$4" "$5" "$6"' \
        "$lib12" "$(dirname "$CUEMU_LIB_DIR")" "$SCRATCH/ld-cuda" "$script" "$model" "$tokens" "$prompt" \
        >"$SCRATCH/cuda.json" 2>"$SCRATCH/cuda.log" ||
        { tail -20 "$SCRATCH/cuda.log"; fail "node-llama-cpp CUDA run failed"; }
else
    sonames="libcuda.so.1 libcudart.so.13 libcublas.so.13"
    cuemu_run_logged "$SCRATCH/ld-cuda" node "$script" cuda "$model" "$tokens" "$prompt" \
        >"$SCRATCH/cuda.json" 2>"$SCRATCH/cuda.log" ||
        { tail -20 "$SCRATCH/cuda.log"; fail "node-llama-cpp CUDA run failed"; }
fi

cat "$SCRATCH/cuda.json"
field() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(JSON.stringify(r[process.argv[2]]))' "$1" "$2"; }
[[ $(field "$SCRATCH/cuda.json" gpu) == '"cuda"' ]] || fail "node-llama-cpp reported gpu $(field "$SCRATCH/cuda.json" gpu), not cuda"
[[ $(field "$SCRATCH/cuda.json" devices) == '["'* ]] || fail "node-llama-cpp listed no CUDA device"
[[ $(field "$SCRATCH/cuda.json" vramTotal) =~ ^[1-9][0-9]*$ ]] || fail "node-llama-cpp reported no VRAM"
[[ $(field "$SCRATCH/cuda.json" gpuLayers) == "$(field "$SCRATCH/cuda.json" totalLayers)" ]] ||
    fail "only $(field "$SCRATCH/cuda.json" gpuLayers) of $(field "$SCRATCH/cuda.json" totalLayers) layers were offloaded to CUDA"
[[ $(field "$SCRATCH/cuda.json" text) == "$(field "$SCRATCH/cpu.json" text)" ]] ||
    fail "CUDA text $(field "$SCRATCH/cuda.json" text) differs from CPU text $(field "$SCRATCH/cpu.json" text)"
# shellcheck disable=SC2086
assert_cuemu_libraries "$SCRATCH/ld-cuda" $sonames
if ((cuda12_only)); then
    plugin_path='/@node-llama-cpp/linux-x64-cuda-ext/bins/linux-x64-cuda/fallback/libggml-cuda.so$'
else
    plugin_path='/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so$'
fi
grep -h 'calling init: ' "$SCRATCH"/ld-cuda.* | grep -Eq "$plugin_path" ||
    fail "the expected plugin (${plugin_path%\$}) was not loaded"
echo "PASS: node-llama-cpp reports cuda on $(field "$SCRATCH/cuda.json" devices) and matches its CPU text"
