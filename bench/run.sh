#!/usr/bin/env bash
# Benchmark: mapfix on a Go tree against only reading and only parsing the
# same files, and against the ast-grep CLI with the same rules. Every
# measurement is repeated (interleaved, so that load from other processes
# hits all of them alike); medians of wall time, CPU time (user+sys) and
# peak RSS are printed, with ratios against (a) reading and (b) parsing.
# (f) is --write on a fresh copy, to compare with the dry run (c). Then
# mapfix on 1x, 2x, 4x copies of the corpus: time should grow linearly and
# memory not at all.
#
#   bench/run.sh [CORPUS]     default: a copy of $(go env GOROOT)/src
#
# Environment: REPS (5), JOBS (2), SCALES ("1 2 4"), SKIP_AST_GREP=1,
# CARGO_PROFILE (release; `profiling` keeps debug info for perf),
# BENCH_WORK (scratch directory; default a new one under /tmp, removed at exit).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REPS=${REPS:-5}
JOBS=${JOBS:-2}
SCALES=${SCALES:-"1 2 4"}

if [ -n "${BENCH_WORK:-}" ]; then
    WORK=$BENCH_WORK
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /tmp/mapfix-bench.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
fi

if [ ! -x /usr/bin/time ]; then
    echo "bench: installing GNU time (Debian package 'time') for peak memory" >&2
    apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi

CARGO_PROFILE=${CARGO_PROFILE:-release}
echo "bench: building mapfix ($CARGO_PROFILE)" >&2
cargo build --profile "$CARGO_PROFILE" --quiet 2>"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }
MAPFIX=${CARGO_TARGET_DIR:-$ROOT/target}/$CARGO_PROFILE/mapfix

# The corpus: scale k is k copies of it side by side (hard links: same bytes).
if [ $# -ge 1 ]; then
    SOURCE=$(cd "$1" && pwd)
else
    SOURCE="$(GOTOOLCHAIN=local go env GOROOT)/src"
fi
[ -d "$WORK/base" ] || cp -r "$SOURCE" "$WORK/base"
for k in 1 $SCALES; do
    dir=$WORK/corpus-$k
    [ -d "$dir" ] && continue
    mkdir -p "$dir"
    for i in $(seq "$k"); do cp -al "$WORK/base" "$dir/copy$i"; done
done
CORPUS=$WORK/corpus-1

# ast-grep, for (e): on PATH, or installed from npm under target/ (a global
# install would clash with /usr/bin/sg on Debian).
AST_GREP=""
if [ -z "${SKIP_AST_GREP:-}" ]; then
    TOOLS=$ROOT/target/bench-tools
    if command -v ast-grep >/dev/null 2>&1; then
        AST_GREP=$(command -v ast-grep)
    else
        if [ ! -x "$TOOLS/node_modules/.bin/ast-grep" ] && command -v npm >/dev/null 2>&1; then
            echo "bench: installing the ast-grep CLI (npm i --prefix target/bench-tools @ast-grep/cli)" >&2
            mkdir -p "$TOOLS"
            npm i --silent --prefix "$TOOLS" @ast-grep/cli >/dev/null 2>&1 || true
        fi
        [ -x "$TOOLS/node_modules/.bin/ast-grep" ] && AST_GREP=$TOOLS/node_modules/.bin/ast-grep
    fi
    if [ -n "$AST_GREP" ]; then
        # ast-grep parses with tree-sitter-go, whose node kinds differ from
        # tree-sitter-golang's: the same rules, with its kind and field names.
        mkdir -p "$WORK/sg/rules"
        for f in "$ROOT"/patterns/*.yml; do
            python3 - "$f" >"$WORK/sg/rules/$(basename "$f")" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for new, old in [("function_literal", "func_literal"), ("arguments", "argument_list"), ("assignment", "assignment_statement")]:
    text = re.sub(r"(kind: )%s\b" % new, r"\g<1>%s" % old, text)
text = text.replace("        field: element\n", "        field: value\n")
# nil is its own kind there; ++/-- are two statements.
text = text.replace("kind: identifier\n          regex: ^nil$", "kind: nil")
text = re.sub(r"( *)- kind: inc_dec_statement\n((?:\1  .*\n)*)", lambda m: "%s- kind: inc_statement\n%s%s- kind: dec_statement\n%s" % (m.group(1), m.group(2), m.group(1), m.group(2)), text)
# tree-sitter-go wraps a block's statements in a statement_list.
text = text.replace(
    "        has:\n          kind: expression_statement\n          has:\n            pattern: delete($M, $K)",
    "        has:\n          kind: statement_list\n          has:\n            kind: expression_statement\n            has:\n              pattern: delete($M, $K)")
print(text, end="")
PY
        done
        printf 'ruleDirs:\n  - %s\n' "$WORK/sg/rules" >"$WORK/sg/sgconfig.yml"
    fi
fi
[ -n "$AST_GREP" ] || echo "bench: (e) skipped: the ast-grep CLI is not on PATH and could not be installed with npm (@ast-grep/cli)" >&2

# measure NAME CMD...: one run; appends "wall cpu rss_kb" to $WORK/NAME.
measure() {
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%U %S %M" -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/stderr.out" || true
    t1=$(date +%s%N)
    # (GNU time puts "Command exited with non-zero status N" first.)
    read -r user sys rss < <(tail -n 1 "$WORK/time.out")
    echo "$(( (t1 - t0) / 1000000 )) $(calc "$user + $sys") $rss" >>"$WORK/$name"
}

# calc EXPR: floating-point arithmetic.
calc() { awk "BEGIN { print $* }"; }

# ratio A B: A/B, or "-" when B is too small to measure.
ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN { if (b + 0 > 0) printf f, a / b; else printf "-" }'; }

# median NAME COLUMN
median() {
    awk -v c="$2" '{print $c}' "$WORK/$1" | sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; print m}'
}

run_config() {
    local name=$1 corpus=$2
    case $name in
        a) measure a "$MAPFIX" bench-parse --mode read -j "$JOBS" "$corpus" ;;
        b) measure b "$MAPFIX" bench-parse --mode parse -j "$JOBS" "$corpus" ;;
        c) measure c "$MAPFIX" -j "$JOBS" --color never "$corpus" ;;
        d) measure d "$MAPFIX" -j "$JOBS" --color never --rule all --unsafe "$corpus" ;;
        e) measure e "$AST_GREP" scan -c "$WORK/sg/sgconfig.yml" -j "$JOBS" --color never \
               --globs '!**/testdata/**' --globs '!**/vendor/**' "$corpus" ;;
        f)
            # --write on a fresh full copy (not hard links: a write keeps
            # hard links, so it would reach the original).
            rm -rf "$WORK/write-copy"
            cp -r "$corpus" "$WORK/write-copy"
            sync # the copy's own writeback is not the run's
            measure f "$MAPFIX" -j "$JOBS" --color never --write "$WORK/write-copy"
            ;;
    esac
}

CONFIGS="a b c d f"
[ -n "$AST_GREP" ] && CONFIGS="$CONFIGS e"
rm -f "$WORK"/[a-e] "$WORK"/scale-*
echo "bench: corpus $SOURCE ($(find "$CORPUS" -name '*.go' | wc -l) .go files), $JOBS threads, $REPS repetitions, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$MAPFIX" bench-parse --mode read -j "$JOBS" "$CORPUS" >&2
for rep in $(seq "$REPS"); do
    for cfg in $CONFIGS; do run_config "$cfg" "$CORPUS"; done
    echo "bench: repetition $rep/$REPS done" >&2
done

label() {
    case $1 in
        a) echo "(a) read every .go file" ;;
        b) echo "(b) read + parse (Go grammar, no rules)" ;;
        c) echo "(c) mapfix, default rules (dry run)" ;;
        d) echo "(d) mapfix --rule all --unsafe (dry run)" ;;
        e) echo "(e) ast-grep scan, same YAML rules" ;;
        f) echo "(f) mapfix --write (default rules)" ;;
    esac
}

A_WALL=$(median a 1); B_WALL=$(median b 1); A_CPU=$(median a 2); B_CPU=$(median b 2)
echo
echo "medians of $REPS runs, $JOBS threads; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %9s %9s %8s %8s %8s %8s %9s\n' "" "wall ms" "cpu ms" "wall/a" "wall/b" "cpu/a" "cpu/b" "peak RSS"
for cfg in $CONFIGS; do
    w=$(median "$cfg" 1); c=$(median "$cfg" 2); m=$(median "$cfg" 3)
    printf '%-44s %9.0f %9.0f %8s %8s %8s %8s %6.1f MB\n' "$(label "$cfg")" "$w" "$(calc "$c * 1000")" \
        "$(ratio "$w" "$A_WALL" %.2f)" "$(ratio "$w" "$B_WALL")" \
        "$(ratio "$c" "$A_CPU" %.2f)" "$(ratio "$c" "$B_CPU")" "$(calc "$m / 1024")"
done
printf '(f)/(c): --write takes %sx the wall time of the dry run (%s files changed)\n' \
    "$(ratio "$(median f 1)" "$(median c 1)" %.2f)" \
    "$(diff -rq "$CORPUS" "$WORK/write-copy" 2>/dev/null | wc -l)"
if [ -n "$AST_GREP" ]; then
    printf '(e)/(c): ast-grep takes %sx the wall time of mapfix (%sx the CPU time)\n' \
        "$(ratio "$(median e 1)" "$(median c 1)" %.1f)" "$(ratio "$(median e 2)" "$(median c 2)" %.1f)"
fi

echo
echo "scaling: mapfix (c) on k copies of the corpus"
for rep in $(seq "$REPS"); do
    for k in $SCALES; do measure "scale-$k" "$MAPFIX" -j "$JOBS" --color never "$WORK/corpus-$k"; done
done
first=$(echo "$SCALES" | awk '{print $1}')
W1=$(median "scale-$first" 1); C1=$(median "scale-$first" 2)
printf '%-8s %9s %9s %18s %18s %9s\n' "copies" "wall ms" "cpu ms" "wall/(k*wall_1)" "cpu/(k*cpu_1)" "peak RSS"
for k in $SCALES; do
    w=$(median "scale-$k" 1); c=$(median "scale-$k" 2); m=$(median "scale-$k" 3)
    printf '%-8s %9.0f %9.0f %18s %18s %6.1f MB\n' "$k" "$w" "$(calc "$c * 1000")" \
        "$(ratio "$w" "$(calc "$k * $W1 / $first")" %.2f)" "$(ratio "$c" "$(calc "$k * $C1 / $first")" %.2f)" "$(calc "$m / 1024")"
done

echo
echo "where mapfix spends its time (one run of (c), then (d), with --profile; thread time summed over workers):"
# mapfix exits 1 or 2 on a real tree (findings, files it cannot parse): not a benchmark failure.
{ "$MAPFIX" -j "$JOBS" --color never --profile "$CORPUS" 2>&1 >/dev/null || true; } | grep -A1 '^mapfix profile'
{ "$MAPFIX" -j "$JOBS" --color never --rule all --unsafe --profile "$CORPUS" 2>&1 >/dev/null || true; } | grep -A1 '^mapfix profile'
