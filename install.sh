#!/bin/sh
# Installs a mapfix release binary: downloads this platform's archive and
# the release's SHA256SUMS, checks the archive against it, and puts `mapfix`
# in ~/.local/bin (or the directory asked for).
#
#   curl -fsSL https://github.com/OWNER/mapfix/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --version 0.1.0 --to /usr/local/bin
#
# Options (or environment):
#   --version X    (MAPFIX_VERSION)       release to install; default: the latest
#   --to DIR       (MAPFIX_INSTALL_DIR)   where to put mapfix; default: ~/.local/bin
#   --base-url URL (MAPFIX_DOWNLOAD_URL)  the directory holding the release's
#                  archives and SHA256SUMS; default: the GitHub release of --version
#   --target T     (MAPFIX_TARGET)        the archive's Rust target triple; default: this machine's
#   MAPFIX_REPOSITORY  owner/name of the GitHub repository (default OWNER/mapfix)
set -eu

repo=${MAPFIX_REPOSITORY:-OWNER/mapfix}
version=${MAPFIX_VERSION:-}
dir=${MAPFIX_INSTALL_DIR:-}
base=${MAPFIX_DOWNLOAD_URL:-}
target=${MAPFIX_TARGET:-}

say() { printf 'mapfix-install: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift 2 ;;
        --to) [ $# -ge 2 ] || die "--to needs a directory"; dir=$2; shift 2 ;;
        --base-url) [ $# -ge 2 ] || die "--base-url needs a URL"; base=$2; shift 2 ;;
        --target) [ $# -ge 2 ] || die "--target needs a target triple"; target=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0" 2>/dev/null || true; exit 0 ;;
        *) die "unknown argument: $1" ;;
    esac
done
version=${version#v}
[ -n "$dir" ] || dir="${HOME:?HOME is not set; use --to DIR}/.local/bin"

detect_target() {
    os=$(uname -s)
    arch=$(uname -m)
    case $arch in
        x86_64|amd64) arch=x86_64 ;;
        aarch64|arm64) arch=aarch64 ;;
        *) die "no mapfix release for CPU $arch (build from source: cargo install --locked mapfix)" ;;
    esac
    case $os in
        Linux)
            # glibc systems get the glibc build; others (Alpine...) the static musl one.
            if (ldd --version 2>&1 || true) | grep -qi -e glibc -e 'gnu libc'; then
                echo "$arch-unknown-linux-gnu"
            else
                echo "$arch-unknown-linux-musl"
            fi ;;
        Darwin) echo "$arch-apple-darwin" ;;
        *) die "no install script for $os: on Windows use pipx install mapfix, npm, or the .zip of the release" ;;
    esac
}

download() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https,http' -fsSL --retry 3 -o "$2" "$1" || die "cannot download $1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1" || die "cannot download $1"
    else
        die "neither curl nor wget is installed"
    fi
}

sha256() { # FILE -> hex digest
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 "$1" | sed 's/^.*= *//'
    else
        die "no sha256sum, shasum or openssl to verify the download"
    fi
}

[ -n "$target" ] || target=$(detect_target)
if [ -z "$base" ]; then
    if [ -n "$version" ]; then
        base="https://github.com/$repo/releases/download/v$version"
    else
        base="https://github.com/$repo/releases/latest/download"
    fi
fi
base=${base%/}
archive="mapfix-$target.tar.gz"

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t mapfix)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "downloading $base/$archive"
download "$base/$archive" "$tmp/$archive"
download "$base/SHA256SUMS" "$tmp/SHA256SUMS"

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$want" ] || die "$base/SHA256SUMS has no line for $archive"
got=$(sha256 "$tmp/$archive")
if [ "$got" != "$want" ]; then
    die "checksum mismatch for $archive: SHA256SUMS says $want, the download is $got; nothing installed"
fi
say "SHA-256 verified ($got)"

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $archive"
bin="$tmp/x/mapfix-$target/mapfix"
[ -f "$bin" ] || die "$archive holds no mapfix-$target/mapfix"
mkdir -p "$dir" || die "cannot create $dir"
# Copy, then rename: a running mapfix is never overwritten in place.
if ! { cp "$bin" "$dir/.mapfix.tmp.$$" && chmod 755 "$dir/.mapfix.tmp.$$" && mv -f "$dir/.mapfix.tmp.$$" "$dir/mapfix"; }; then
    rm -f "$dir/.mapfix.tmp.$$"
    die "cannot write $dir/mapfix"
fi
say "installed $("$dir/mapfix" --version) to $dir/mapfix"
case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *) say "$dir is not on PATH: add it (export PATH=\"$dir:\$PATH\")" ;;
esac
