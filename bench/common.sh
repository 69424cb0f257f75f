# Shared by the bench/vs-*.sh scripts (sourced, not run): finding the peer library
# and building the binary that is measured.

peer_python="${RECSCOPE_PEERS_PYTHON:-$HOME/.cache/recscope-peers/bin/python}"

# check_data FILE WHAT: stops with a message when FILE is missing.
check_data() {
    if [[ ! -f "$1" ]]; then
        echo "no $2 at $1: put it there or set RECSCOPE_BENCH_DATA" >&2
        exit 1
    fi
}

# find_peer LABEL MODULE SCRIPT: sets use_peer to 1 when SCRIPT exists and the
# peers' python imports MODULE, else to 0, saying why.
find_peer() {
    local label="$1" module="$2" script="$3"
    use_peer=0
    if [[ -n "${RECSCOPE_BENCH_NO_PEER:-}" ]]; then
        echo "$label skipped (RECSCOPE_BENCH_NO_PEER is set)" >&2
    elif [[ ! -f "$script" || ! -x "$peer_python" ]]; then
        echo "$label not found ($script with $peer_python): recscope figures only" >&2
    elif ! "$peer_python" -c "import $module" 2>/dev/null; then
        echo "$peer_python cannot import $module: recscope figures only" >&2
    else
        use_peer=1
    fi
}

# build_binary: builds the release binary and sets binary to a private copy of it,
# so that a later build in a shared build folder cannot swap it mid-measurement.
build_binary() {
    echo "building recscope (release)..." >&2
    cargo build --release --quiet
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    cp "${CARGO_TARGET_DIR:-target}/release/recscope" "$scratch/recscope"
    binary="$scratch/recscope"
}
