#!/usr/bin/env bash
# Gate: ggml's CUDA backend, loaded by llama.cpp's own tool through `cuemu run`, initialises and lists the
# emulated device with the persona's compute capability; the loader log proves cuemu's libraries served it.
#
# usage: tests/clients/list-devices.sh [plugin:persona:cc ...]
#   default matrix (issue 5): cuda13:h100:9.0 cuda13:a100:8.0 cuda12:a100:8.0 cuda12:p40:6.1
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_harness
make_scratch

cases=("$@")
((${#cases[@]})) || cases=(cuda13:h100:9.0 cuda13:a100:8.0 cuda12:a100:8.0 cuda12:p40:6.1)

for case in "${cases[@]}"; do
    IFS=: read -r plugin persona capability <<<"$case"
    bin="$(plugin_bin_dir "$plugin")"
    init="$SCRATCH/$plugin-$persona.init"
    listing="$SCRATCH/$plugin-$persona.list"
    echo "== $plugin plugin, persona $persona: expecting compute capability $capability"
    # ggml's own init report ("ggml_cuda_init: found …", "Device 0: …, compute capability …") is logged at
    # plugin registration; llama.cpp's tools hide it behind their log filter, test-backend-ops keeps ggml's
    # default logger, so it is asked for (a case filter matching nothing: no op runs).
    # GGML_BACKEND_PATH makes a Release ggml report why a plugin failed to load instead of staying silent.
    CUEMU_PERSONA=$persona GGML_BACKEND_PATH="$bin/libggml-cuda.so" cuemu_run_logged "$SCRATCH/ld-$plugin-$persona" \
        "$bin/test-backend-ops" support -b CUDA0 -o ADD -p '^no-case-matches$' >"$init" 2>&1 ||
        { status=$?; cat "$init"; fail "test-backend-ops exited with $status ($plugin, $persona)"; }
    # What a user sees: llama.cpp's device listing.
    CUEMU_PERSONA=$persona GGML_BACKEND_PATH="$bin/libggml-cuda.so" \
        timeout --kill-after=30 "${CUEMU_GATE_TIMEOUT:-3600}" "$CUEMU_LAUNCHER" run -- \
        "$bin/llama-completion" --list-devices >"$listing" 2>&1 ||
        { status=$?; cat "$listing"; fail "llama-completion --list-devices exited with $status ($plugin, $persona)"; }
    grep -hv ' is not implemented; it returns ' "$init" "$listing" || true

    if grep -q 'failed to load.*libggml-cuda.so' "$init"; then
        fail "the CUDA plugin did not load ($plugin, $persona): $(grep -m1 'failed to load' "$init")"
    fi
    grep -q 'failed to initialize CUDA' "$init" && fail "ggml_cuda_init failed ($plugin, $persona)"
    grep -Eq "ggml_cuda_init: found [1-9][0-9]* CUDA devices" "$init" ||
        fail "ggml_cuda_init found no CUDA device ($plugin, $persona)"
    device_line="$(grep -E "^ *Device 0: .*, compute capability [0-9]+\.[0-9]+, VMM: (yes|no)" "$init" | head -1)" ||
        fail "no 'Device 0: …, compute capability …' line ($plugin, $persona)"
    [[ $device_line == *"compute capability $capability,"* ]] ||
        fail "expected compute capability $capability, got: $device_line"
    if [[ $persona == h100 ]]; then
        [[ $device_line == *"VMM: yes"* ]] || fail "the default persona must report VMM: yes; got: $device_line"
    fi
    grep -q '^Backend [0-9]*/[0-9]*: CUDA0$' "$init" || fail "test-backend-ops did not register CUDA0 ($plugin, $persona)"
    grep -Eq '^  CUDA0: .+ \([1-9][0-9]* MiB, [0-9]+ MiB free\)$' "$listing" ||
        fail "--list-devices did not list CUDA0 with its memory ($plugin, $persona)"
    # shellcheck disable=SC2046
    assert_cuemu_libraries "$SCRATCH/ld-$plugin-$persona" $(plugin_sonames "$plugin")
    echo "PASS: $plugin / $persona lists CUDA0 at compute capability $capability"
done
