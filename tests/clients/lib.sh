# Sourced by the client gate scripts: where everything is, how to start a program under cuemu, and the
# proof (from the dynamic loader's own log) that the CUDA libraries a client loaded are cuemu's.

CLIENT_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLIENT_SCRIPTS_DIR/../.." && pwd)"
CLIENTS_ENV="${CUEMU_CACHE:-$HOME/.cache/cuemu}/clients/env.sh"
CUEMU_LAUNCHER="${CUEMU_LAUNCHER:-$REPO_ROOT/cuemu}"   # overridable, e.g. for an installed cuemu
CUEMU_LIB_DIR="${CUEMU_LIB_DIR:-$REPO_ROOT/artifacts/cuemu/lib}"

fail() { echo "FAIL: $*" >&2; exit 1; }

# Loads the locations written by setup.sh and checks that the cuemu launcher exists.
require_harness() {
    [[ -f $CLIENTS_ENV ]] || fail "client harness not installed: run tests/clients/setup.sh ($CLIENTS_ENV missing)"
    # shellcheck source=/dev/null
    source "$CLIENTS_ENV"
    [[ -x $CUEMU_LAUNCHER ]] || fail "cuemu launcher $CUEMU_LAUNCHER not found (it is built by the exports work)"
}

# Per-run scratch folder, removed on exit unless CUEMU_KEEP_LOGS=1 (then its path is printed).
make_scratch() {
    SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/cuemu-clients.XXXXXX")"
    if [[ ${CUEMU_KEEP_LOGS:-0} == 1 ]]; then
        trap 'echo "logs kept in $SCRATCH" >&2' EXIT
    else
        trap 'rm -rf "$SCRATCH"' EXIT
    fi
}

# cuemu_run_logged <loader-log-prefix> <command...>
# Runs the command through `cuemu run`; the loader's library log (LD_DEBUG=libs) of the command and of
# every process it starts goes to <prefix>.<pid>. LD_DEBUG is applied by `env` inside the launcher so that
# the launcher's own work (e.g. building cuemu) does not flood the log. A run that exceeds
# CUEMU_GATE_TIMEOUT seconds (default 3600) is killed and fails, so a hung emulator cannot hang a gate.
cuemu_run_logged() {
    local log_prefix=$1
    shift
    timeout --kill-after=30 "${CUEMU_GATE_TIMEOUT:-3600}" \
        "$CUEMU_LAUNCHER" run -- env LD_DEBUG=libs LD_DEBUG_OUTPUT="$log_prefix" "$@"
}

# assert_cuemu_libraries <loader-log-prefix> <soname...>
# Every NVIDIA-named library any logged process initialised must come from cuemu's lib folder, and each
# named soname must have been initialised from there. A machine with NVIDIA's own libraries (Debian's CUDA
# toolkit installs a real libcuda.so.1) must not let a gate pass on them.
assert_cuemu_libraries() {
    local log_prefix=$1
    shift
    local ours
    ours="$(realpath "$CUEMU_LIB_DIR")"
    local logs=("$log_prefix".*)
    [[ -e ${logs[0]} ]] || fail "no loader log written under $log_prefix.* (did the program start?)"

    # "<real folder>/<name as loaded>" for every library the loader initialised.
    local path loaded=() foreign=0
    while IFS= read -r path; do
        loaded+=("$(dirname "$(realpath "$path")")/$(basename "$path")")
    done < <(grep -h 'calling init: ' "${logs[@]}" | sed 's/.*calling init: //' | sort -u)

    for path in "${loaded[@]}"; do
        case "$(basename "$path")" in
            libcuda.so* | libcudart.so* | libcublas.so* | libcublasLt.so* | libnvidia-ml.so*)
                if [[ "$(dirname "$path")" != "$ours" ]]; then
                    echo "foreign CUDA library loaded: $path" >&2
                    foreign=1
                fi
                ;;
        esac
    done
    ((foreign == 0)) || fail "a CUDA library outside $ours was loaded"

    local soname
    for soname in "$@"; do
        printf '%s\n' "${loaded[@]}" | grep -Fxq "$ours/$soname" || fail "$soname was not loaded from $ours"
    done
    echo "loader log: $* loaded from $ours; no foreign CUDA library"
}

# The CUDA sonames each prebuilt plugin is linked against.
plugin_sonames() {
    case $1 in
        cuda13) echo "libcuda.so.1 libcudart.so.13 libcublas.so.13" ;;
        cuda12) echo "libcuda.so.1 libcudart.so.12 libcublas.so.12" ;;
        *) fail "unknown plugin '$1' (cuda13 or cuda12)" ;;
    esac
}

# The folder holding llama.cpp binaries next to the requested plugin.
plugin_bin_dir() {
    case $1 in
        cuda13) echo "$LLAMA_BIN" ;;
        cuda12) echo "$LLAMA_BIN_CUDA12" ;;
        *) fail "unknown plugin '$1' (cuda13 or cuda12)" ;;
    esac
}

# run_completion <stdout-file> <stderr-file> <command...>
# Runs a llama-completion command and returns its status. llama-completion prints through an
# asynchronous logger that it never drains before exiting, so now and then (≈1 run in 25 on a loaded
# 2-core machine) the last token and the final "\n\n" never reach stdout. A complete run's stdout ends
# with that "\n\n"; a run without it is incomplete — not a different answer — and is repeated (at most
# 3 attempts), so the comparison always sees whole outputs.
run_completion() {
    local out=$1 err=$2
    shift 2
    local attempt status
    for attempt in 1 2 3; do
        status=0
        "$@" >"$out" 2>"$err" || status=$?
        ((status == 0)) || return $status
        [[ $(tail -c 2 "$out" | od -An -c | tr -d ' ') == '\n\n' ]] && return 0
        echo "llama-completion output incomplete (upstream logger exit race), attempt $attempt; repeating" >&2
    done
    fail "llama-completion never delivered its whole output in 3 attempts: $*"
}

# count_backend_ops_cases <op> <test-backend-ops output file>
# Prints "<passed> <failed> <not supported> <unfinished>" for the op's cases in a console-mode output. The CUDA
# backend's debug lines ("ggml_backend_cuda_graph_compute: CUDA graph warmup …") and cuemu's own log lines can
# land between a case's "OP(params): " header and its verdict, so they are removed before the verdicts are read.
# A case whose header has no verdict (the process died or was stopped during it) counts as unfinished. The
# closing "Failing tests:" list repeats failed cases' names and is not counted again. A failed comparison prints
# "[OP] ERR = … > …" without a newline, so the next case's header can start in the middle of a line.
count_backend_ops_cases() {
    BACKEND_OP="$1" perl -0777 -ne '
        my $op = quotemeta $ENV{BACKEND_OP};
        s/\e\[[0-9;]*m//g;
        s/ggml_backend_cuda_graph_compute: [^\n]*\n//g;
        s/^cuemu: [^\n]*\n//mg;
        s/^Failing tests:\n.*//ms;
        s/(?<!\n)(  [A-Z0-9_]+\()/\n$1/g;   # a failed case'"'"'s "[OP] ERR = ..." line ends without a newline
        my ($passed, $failed, $unsupported, $unfinished) = (0, 0, 0, 0);
        for my $case (split /^(?=  [A-Z0-9_]+\()/m) {
            next unless $case =~ /^  $op\(.*?\): (.*)/s;
            my $verdict = $1;
            if ($verdict =~ /^not supported/) { $unsupported++ }
            elsif ($verdict =~ /^\s*OK\s*$/m) { $passed++ }
            elsif ($verdict =~ /^\s*FAIL\s*$/m || $verdict =~ /FAIL$/m) { $failed++ }
            else { $unfinished++ }
        }
        print "$passed $failed $unsupported $unfinished\n";
    ' "$2"
}
