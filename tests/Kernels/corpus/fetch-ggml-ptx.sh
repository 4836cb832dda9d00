#!/usr/bin/env bash
# Fetches the two prebuilt ggml CUDA backends that form cuemu's reference PTX corpus into a cache
# outside the work tree (never committed). Prints the two libggml-cuda.so paths, one per line.
#   build 13: @node-llama-cpp/linux-x64-cuda@3.22.1      (zstd-compressed PTX, compute_75/80/90)
#   build 12: @node-llama-cpp/linux-x64-cuda-ext@3.22.1  (LZ4-compressed PTX, compute_50/61/70/75/80)
set -euo pipefail

cache="${CUEMU_NPM_CACHE:-$HOME/.cache/cuemu/npm}"
version=3.22.1
mkdir -p "$cache"

fetch_package() {
  local package="$1" tarball_name="$2"
  local tarball="$cache/$tarball_name-$version.tgz"
  local unpacked="$cache/$tarball_name-$version"
  if [[ ! -f "$tarball" ]]; then
    # npm pack writes into the current folder; do it in the cache so nothing lands in the work tree.
    (cd "$cache" && npm pack --silent "$package@$version" >/dev/null)
  fi
  if [[ ! -d "$unpacked" ]]; then
    mkdir -p "$unpacked.partial"
    tar -xzf "$tarball" -C "$unpacked.partial"
    mv "$unpacked.partial" "$unpacked"
  fi
}

fetch_package @node-llama-cpp/linux-x64-cuda node-llama-cpp-linux-x64-cuda
fetch_package @node-llama-cpp/linux-x64-cuda-ext node-llama-cpp-linux-x64-cuda-ext

find "$cache/node-llama-cpp-linux-x64-cuda-$version" "$cache/node-llama-cpp-linux-x64-cuda-ext-$version" \
  -name libggml-cuda.so -type f | sort
