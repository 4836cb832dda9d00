#!/usr/bin/env bash
# Installs the real clients cuemu is tested against, cached outside the work tree:
#   node-llama-cpp 3.22.1 with its prebuilt CUDA 13 plugin (@node-llama-cpp/linux-x64-cuda) and the CUDA 12
#   fallback (@node-llama-cpp/linux-x64-cuda-ext), the llama.cpp source shipped inside it, a CPU-only
#   GGML_BACKEND_DL build of that source with the prebuilt CUDA plugins placed beside the binaries, the
#   backend-preload helper and the generated test models.
# Idempotent: every step is skipped when its result is already present and current.
# Writes ${CACHE}/env.sh, which the gate scripts source; see docs/CLIENTS.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${CUEMU_CACHE:-$HOME/.cache/cuemu}/clients"
NLC_VERSION=3.22.1
# Pinned so that every machine builds exactly the source the prebuilt plugins were built from.
LLAMA_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6
BUILD_JOBS="${CUEMU_BUILD_JOBS:-2}"
BUILD_TARGETS=(test-backend-ops llama-completion llama-bench test-llama-archs)

NPM_DIR="$CACHE/npm"
SRC_DIR="$CACHE/llama.cpp"
BUILD_DIR="$CACHE/build"
BIN_DIR="$BUILD_DIR/bin"                 # built binaries + CUDA 13 plugin
BIN_CUDA12_DIR="$BUILD_DIR/bin-cuda12"   # hard-linked twin of bin/ carrying the CUDA 12 fallback plugin
MODELS_DIR="$CACHE/models"
NLC_MODULES="$NPM_DIR/node_modules"
CUDA13_PLUGIN="$NLC_MODULES/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so"
CUDA12_PLUGIN="$NLC_MODULES/@node-llama-cpp/linux-x64-cuda-ext/bins/linux-x64-cuda/fallback/libggml-cuda.so"

SECONDS=0
log() { printf '[setup +%4ss] %s\n' "$SECONDS" "$*" >&2; }

install_system_packages() {
    local missing=()
    command -v cmake >/dev/null || missing+=(cmake)
    command -v g++ >/dev/null || missing+=(g++)
    command -v make >/dev/null || missing+=(make)
    command -v git >/dev/null || missing+=(git)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    command -v dotnet >/dev/null || { echo "setup: the .NET SDK (global.json) is required" >&2; exit 1; }
    if ((${#missing[@]})); then
        [[ $(id -u) == 0 ]] || { echo "setup: missing ${missing[*]}; run as root or install them" >&2; exit 1; }
        log "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    # Debian 12's nodejs is 18: enough to install the packages (and so the llama.cpp source), but
    # node-llama-cpp 3.22.1 itself requires Node >= 20 (engines), so its gate cannot run there.
    local node_major
    node_major="$(node -p 'process.versions.node.split(".")[0]')"
    if ((node_major < 20)); then
        log "WARNING: node $(node --version) < 20: node-llama-cpp.sh will not run (it needs Node >= 20)"
    fi
}

install_node_llama_cpp() {
    if [[ -f "$CUDA13_PLUGIN" && -f "$CUDA12_PLUGIN" && -f "$NLC_MODULES/node-llama-cpp/llama/gitRelease.bundle" ]] &&
       grep -q "\"version\": \"$NLC_VERSION\"" "$NLC_MODULES/node-llama-cpp/package.json"; then
        log "node-llama-cpp $NLC_VERSION already installed"
        return
    fi
    log "npm install node-llama-cpp@$NLC_VERSION + CUDA 13 / CUDA 12 prebuilt packages"
    mkdir -p "$NPM_DIR"
    [[ -f "$NPM_DIR/package.json" ]] || echo '{"name":"cuemu-clients","private":true}' >"$NPM_DIR/package.json"
    # --ignore-scripts: npm 11 skips node-llama-cpp's postinstall anyway (not in allowScripts), older npm
    # would run it; with NODE_LLAMA_CPP_SKIP_DOWNLOAD it exits at once, so skipping it changes nothing and
    # makes the install identical for every npm version. Nothing is ever built from source by npm.
    (cd "$NPM_DIR" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --ignore-scripts \
        --save-exact "node-llama-cpp@$NLC_VERSION" \
        "@node-llama-cpp/linux-x64-cuda@$NLC_VERSION" "@node-llama-cpp/linux-x64-cuda-ext@$NLC_VERSION")
}

unpack_llama_source() {
    if [[ -d "$SRC_DIR/.git" ]] && [[ $(git -C "$SRC_DIR" rev-parse HEAD) == "$LLAMA_COMMIT" ]]; then
        log "llama.cpp source $LLAMA_COMMIT already unpacked"
        return
    fi
    local bundle="$NLC_MODULES/node-llama-cpp/llama/gitRelease.bundle"
    local head
    head=$(git bundle list-heads "$bundle" | awk '$2 == "HEAD" {print $1}')
    [[ $head == "$LLAMA_COMMIT" ]] || { echo "setup: bundle HEAD $head, expected $LLAMA_COMMIT" >&2; exit 1; }
    log "git clone llama.cpp from $bundle"
    rm -rf "$SRC_DIR"
    git -c advice.detachedHead=false clone -q "$bundle" "$SRC_DIR"
}

build_llama() {
    log "configure + build ${BUILD_TARGETS[*]} (-j$BUILD_JOBS, nice) in $BUILD_DIR"
    # GGML_NATIVE=OFF: the CPU backend is compiled for a fixed x86-64 feature set (SSE4.2, AVX, AVX2, FMA,
    # F16C, BMI2; no AVX-512) instead of the build machine's, so the CPU oracle computes the same numbers on
    # every machine that can run it. CMAKE_PLATFORM_NO_VERSIONED_SONAME: the prebuilt plugins need
    # libggml-base.so, not libggml-base.so.0 (else two copies of ggml load). RPATH $ORIGIN: the binaries find
    # their libraries (and a twin folder its own) without LD_LIBRARY_PATH, which cuemu run owns.
    nice -n 10 cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON -DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF \
        -DGGML_CCACHE=OFF -DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON \
        -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=OFF \
        -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF >"$BUILD_DIR.configure.log" 2>&1 ||
        { tail -40 "$BUILD_DIR.configure.log" >&2; exit 1; }
    # ggml-cpu is a plugin nothing links against: name it so it is built.
    nice -n 10 cmake --build "$BUILD_DIR" -j"$BUILD_JOBS" --target "${BUILD_TARGETS[@]}" ggml-cpu
}

build_preload_helper() {
    local out="$BIN_DIR/libcuemu-ggml-load-all.so"
    local src="$REPO_ROOT/tests/clients/preload/ggml_load_all.c"
    if [[ -f "$out" && "$out" -nt "$src" && "$out" -nt "$BIN_DIR/libggml.so" ]]; then return; fi
    log "build preload helper $out"
    gcc -O2 -shared -fPIC -o "$out" "$src" -I"$SRC_DIR/ggml/include" \
        -L"$BIN_DIR" -lggml -lggml-base -Wl,-rpath,'$ORIGIN'
}

place_cuda_plugins() {
    log "place the CUDA 13 plugin in $BIN_DIR, the CUDA 12 plugin in $BIN_CUDA12_DIR"
    # Copies, not symlinks: ggml resolves the plugin folder from the executable's real path, so the twin
    # folder must hold real files (hard links) for that lookup to stay inside it.
    cp -u --preserve=timestamps "$CUDA13_PLUGIN" "$BIN_DIR/libggml-cuda.so"
    mkdir -p "$BIN_CUDA12_DIR"
    cp -u --preserve=timestamps "$CUDA12_PLUGIN" "$BIN_CUDA12_DIR/libggml-cuda.so"
    # A rebuild writes new inodes into bin/: refresh every hard link.
    find "$BIN_CUDA12_DIR" -mindepth 1 ! -name libggml-cuda.so -delete
    local f
    for f in "$BIN_DIR"/*; do
        if [[ $(basename "$f") == libggml-cuda.so ]]; then continue; fi
        if [[ -L $f ]]; then cp -P "$f" "$BIN_CUDA12_DIR/"; elif [[ -f $f ]]; then ln "$f" "$BIN_CUDA12_DIR/"; fi
    done
}

generate_models() {
    # The models are a pure function of the generator's source and the vocabulary file.
    local stamp
    stamp="$(cat "$REPO_ROOT"/tools/ModelGen/*.csproj "$REPO_ROOT"/tools/ModelGen/*.cs "$REPO_ROOT"/tools/ModelGen/*/*.cs \
        "$SRC_DIR/models/ggml-vocab-llama-spm.gguf" | sha256sum | cut -d' ' -f1)"
    if [[ -f $MODELS_DIR/.generator-stamp && $(cat "$MODELS_DIR/.generator-stamp") == "$stamp" ]]; then
        log "test models up to date in $MODELS_DIR"
        return
    fi
    log "generate test models into $MODELS_DIR"
    mkdir -p "$MODELS_DIR"
    rm -f "$MODELS_DIR/.generator-stamp"
    dotnet run --project "$REPO_ROOT/tools/ModelGen" -c Release -- \
        --vocab "$SRC_DIR/models/ggml-vocab-llama-spm.gguf" --out "$MODELS_DIR"
    echo "$stamp" >"$MODELS_DIR/.generator-stamp"
}

write_env() {
    cat >"$CACHE/env.sh" <<ENV
# Written by tests/clients/setup.sh; sourced by the gate scripts.
export CUEMU_CLIENTS="$CACHE"
export LLAMA_SRC="$SRC_DIR"
export LLAMA_BIN="$BIN_DIR"
export LLAMA_BIN_CUDA12="$BIN_CUDA12_DIR"
export NLC_PROJECT="$NPM_DIR"
export CUEMU_TEST_MODELS="$MODELS_DIR"
ENV
}

install_system_packages
install_node_llama_cpp
unpack_llama_source
build_llama
build_preload_helper
place_cuda_plugins
generate_models
write_env

cat <<REPORT
cuemu client harness ready (${SECONDS}s):
  node-llama-cpp project   $NPM_DIR
  CUDA 13 plugin (npm)     $CUDA13_PLUGIN
  CUDA 12 plugin (npm)     $CUDA12_PLUGIN
  llama.cpp source         $SRC_DIR ($LLAMA_COMMIT)
  binaries + CUDA 13       $BIN_DIR
  binaries + CUDA 12       $BIN_CUDA12_DIR
  preload helper           $BIN_DIR/libcuemu-ggml-load-all.so
  test models              $MODELS_DIR
  environment              $CACHE/env.sh
REPORT
