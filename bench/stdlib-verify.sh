#!/usr/bin/env bash
# Real code: runs `mapfix --rule all --unsafe --write --verify` over a copy of
# the Go standard library and asserts that nothing was rolled back and that
# `go vet` passes for every package mapfix changed.
#
# The standard library only type-checks as the packages of module `std` (and
# `cmd`) inside a GOROOT: copied elsewhere, its import paths break. So the
# whole GOROOT is copied to a temporary directory and the copy's own `go`
# (bin/go, which takes its GOROOT from where it sits; GOROOT is set too) runs
# every check: `go vet .` in a package directory of the copy vets e.g.
# package `strings` of the copied std.
#
# Usage: bash bench/stdlib-verify.sh [extra mapfix args]
# Environment: MAPFIX=path/to/mapfix (default: builds target/release/mapfix),
#              KEEP=1 to keep the temporary GOROOT and the JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MAPFIX:-}" ]; then
    cargo build --release --locked --quiet
    MAPFIX="$PWD/target/release/mapfix"
fi
MAPFIX="$(cd "$(dirname "$MAPFIX")" && pwd)/$(basename "$MAPFIX")"

src_goroot="$(GOTOOLCHAIN=local go env GOROOT)"
work="$(mktemp -d)"
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
echo "copying $src_goroot to $work/goroot" >&2
cp -a "$src_goroot" "$work/goroot"

export GOROOT="$work/goroot"
export PATH="$GOROOT/bin:$PATH"
export GOTOOLCHAIN=local GOFLAGS= GOWORK=off
go version >&2

start=$(date +%s)
set +e
"$MAPFIX" --rule all --unsafe --write --verify --format json "$@" "$GOROOT/src" \
    >"$work/report.json" 2>"$work/stderr.txt"
status=$?
set -e
elapsed=$(( $(date +%s) - start ))
grep -- '--verify:' "$work/stderr.txt" >&2 || true

# The copy's go by absolute path: a python launcher may put another `go` first on PATH.
python3 - "$work/report.json" "$GOROOT/src" "$status" "$elapsed" "$GOROOT/bin/go" <<'PY'
import json, os, subprocess, sys
report_path, src, status, elapsed, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
report = json.load(open(report_path))
s = report["summary"]
rollbacks = [e for e in report["errors"] if "failed after fixes of" in e["message"]]
other_errors = [e for e in report["errors"] if e not in rollbacks]
applied = [f for f in report["findings"] if f["fix"] and f["fix"]["applied"]]
touched = sorted({os.path.dirname(f["path"]) for f in applied})
by_rule = {}
for f in applied:
    by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1

print(f"files scanned:      {s['files_scanned']}")
print(f"findings:           {s['findings']} ({s['fixable']} with a fix)")
print(f"fixes applied:      {s['applied']} {by_rule}")
print(f"packages touched:   {len(touched)}")
print(f"rollbacks:          {len(rollbacks)}")
print(f"other errors:       {len(other_errors)}")
print(f"mapfix exit status: {status}, {elapsed} s")
for e in rollbacks:
    print(f"ROLLBACK {e['path']}: {e['message']}", file=sys.stderr)
for e in other_errors[:20]:
    print(f"error {e['path']}: {e['message'].splitlines()[0]}", file=sys.stderr)

# Independent re-check: go vet on every touched package, per module (std, cmd).
failed = []
for module_root in (os.path.join(src, "cmd"), src):
    dirs = [d for d in touched if os.path.commonpath([d, module_root]) == module_root
            and not (module_root == src and os.path.commonpath([d, os.path.join(src, "cmd")]) == os.path.join(src, "cmd"))]
    if not dirs:
        continue
    rel = ["./" + os.path.relpath(d, module_root) for d in dirs]
    out = subprocess.run([go, "vet", *rel], cwd=module_root, capture_output=True, text=True)
    if out.returncode != 0:
        failed.append(out.stderr[-4000:])
print(f"go vet re-check:    {'FAILED' if failed else 'passed'} on {len(touched)} touched packages")
for f in failed:
    print(f, file=sys.stderr)
if rollbacks or failed or not applied:
    sys.exit(1)
PY
