#!/usr/bin/env bash
# Proves the gates cannot pass vacuously, without needing cuemu:
#  1. the loader-log check accepts a CUDA library loaded from cuemu's folder and rejects one loaded from
#     elsewhere or not loaded at all (controls built from empty libraries with NVIDIA sonames);
#  2. every gate FAILs when `cuemu run` provides no CUDA library at all (a stand-in launcher);
#  3. the preload helper is what makes test-llama-archs see any backend in this GGML_BACKEND_DL build;
#  4. the case-verdict reader of the test-backend-ops scripts counts a hand-written output correctly.
#
# usage: tests/clients/selftest.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -f $CLIENTS_ENV ]] || fail "client harness not installed: run tests/clients/setup.sh"
source "$CLIENTS_ENV"
make_scratch

# 1. Loader-log check controls.
mkdir -p "$SCRATCH/ours" "$SCRATCH/theirs"
for folder in ours theirs; do
    echo 'int control;' | gcc -shared -fPIC -x c - -o "$SCRATCH/$folder/libcuda.so.1" -Wl,-soname,libcuda.so.1
done
printf '#include <dlfcn.h>\nint main(void) { return dlopen("libcuda.so.1", RTLD_NOW) ? 0 : 1; }\n' |
    gcc -x c - -o "$SCRATCH/open-libcuda" -ldl
load_from() { # <folder> <log prefix>
    LD_LIBRARY_PATH="$1" LD_DEBUG=libs LD_DEBUG_OUTPUT="$2" "$SCRATCH/open-libcuda" || true
}
check_with_ours() { (CUEMU_LIB_DIR="$SCRATCH/ours" assert_cuemu_libraries "$1" libcuda.so.1) >/dev/null 2>&1; }
load_from "$SCRATCH/ours" "$SCRATCH/ld-ours"
load_from "$SCRATCH/theirs" "$SCRATCH/ld-theirs"
load_from "$SCRATCH/none" "$SCRATCH/ld-none"
check_with_ours "$SCRATCH/ld-ours" || fail "loader check rejected a libcuda.so.1 loaded from cuemu's folder"
! check_with_ours "$SCRATCH/ld-theirs" || fail "loader check accepted a libcuda.so.1 from a foreign folder"
! check_with_ours "$SCRATCH/ld-none" || fail "loader check accepted a run that loaded no libcuda.so.1"
echo "PASS: loader check accepts ours, rejects foreign and missing libraries"

# 2. Every gate fails when the launcher provides no CUDA library.
mkdir -p "$SCRATCH/empty-lib"
cat >"$SCRATCH/no-cuda-launcher" <<LAUNCHER
#!/usr/bin/env bash
[[ \$1 == run && \$2 == -- ]] || exit 2
shift 2
export LD_LIBRARY_PATH="$SCRATCH/empty-lib"
exec "\$@"
LAUNCHER
chmod +x "$SCRATCH/no-cuda-launcher"
for gate in "list-devices.sh cuda13:h100:9.0" "gate-backend-ops.sh ADD" "compare-completion.sh tiny-q4_0" \
    "llama-archs.sh" "node-llama-cpp.sh" "ollama-preload.sh"; do
    read -ra command <<<"$gate"
    status=0
    CUEMU_LAUNCHER="$SCRATCH/no-cuda-launcher" CUEMU_LIB_DIR="$SCRATCH/empty-lib" \
        "$CLIENT_SCRIPTS_DIR/${command[0]}" "${command[@]:1}" >"$SCRATCH/gate.out" 2>&1 || status=$?
    ((status != 0)) && grep -q '^FAIL: ' "$SCRATCH/gate.out" ||
        { cat "$SCRATCH/gate.out"; fail "$gate did not fail without CUDA libraries"; }
    echo "PASS: $gate fails without CUDA: $(grep -m1 '^FAIL: ' "$SCRATCH/gate.out")"
done

# 3. The preload helper makes test-llama-archs load its backend plugins. Judged from the loader log, not
#    from the program's output: test-llama-archs often exits before its asynchronous logger printed.
LD_DEBUG=libs LD_DEBUG_OUTPUT="$SCRATCH/ld-archs-plain" "$LLAMA_BIN/test-llama-archs" -a llama >/dev/null 2>&1 || true
LD_PRELOAD="$LLAMA_BIN/libcuemu-ggml-load-all.so" LD_DEBUG=libs LD_DEBUG_OUTPUT="$SCRATCH/ld-archs-helper" \
    "$LLAMA_BIN/test-llama-archs" -a llama >/dev/null 2>&1 || fail "test-llama-archs failed on the CPU with the preload helper"
cpu_plugin_loaded() { grep -h 'calling init: ' "$1".* | grep -q '/libggml-cpu\.so$'; }
! cpu_plugin_loaded "$SCRATCH/ld-archs-plain" ||
    fail "test-llama-archs loaded backend plugins without the preload helper; the helper's premise no longer holds"
cpu_plugin_loaded "$SCRATCH/ld-archs-helper" || fail "with the preload helper test-llama-archs still loaded no backend plugin"
echo "PASS: test-llama-archs loads no backend plugin alone and loads them with the preload helper"

# 4. Case verdicts of test-backend-ops output, with the CUDA backend's debug line and a cuemu log line between a
#    case's header and its verdict, a case of another op whose name starts alike, a failed comparison's
#    "[OP] ERR" line running into the case header, a case cut off by a crash, and the closing list of failed
#    cases (which must not count twice).
printf '%s\n' "  ADD(a=1): $(printf '\e[1;32mOK\e[0m')" \
    "  ADD(a=2): ggml_backend_cuda_graph_compute: CUDA graph warmup complete" "cuemu: launch grid (1,1,1)" \
    "$(printf '\e[1;31mFAIL\e[0m')" "  ADD(a=3): not supported [CUDA0] " "  ADD1(a=1): OK" "  ADD(a=4): OK" \
    "[ADD] ERR = 2.5 > 0.0005     ADD(a=6): ggml_backend_cuda_graph_compute: CUDA graph warmup reset" "$(printf '\e[1;31mFAIL\e[0m')" \
    "  ADD(a=5): " "  4/5 tests passed" "Failing tests:" "  ADD(a=2)" >"$SCRATCH/verdicts.out"
[[ $(count_backend_ops_cases ADD "$SCRATCH/verdicts.out") == "2 2 1 1" ]] ||
    fail "case verdicts read as '$(count_backend_ops_cases ADD "$SCRATCH/verdicts.out")', expected '2 2 1 1'"
echo "PASS: test-backend-ops case verdicts are read past interleaved log lines"
