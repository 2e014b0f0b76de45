//! The platform a Go file's name asks for (`x_windows.go`, `x_js_wasm.go`,
//! `x_arm64_test.go`), so that `--verify` can vet a written file that the
//! host's GOOS/GOARCH does not compile, as the `go` tool would build it there.

/// Operating systems the `go` tool recognises in file names.
const KNOWN_OS: [&str; 17] = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

/// Architectures the `go` tool recognises in file names.
const KNOWN_ARCH: [&str; 15] = [
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le", "riscv64",
    "s390x", "sparc64", "wasm",
];

/// A GOOS/GOARCH pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    pub os: &'static str,
    pub arch: &'static str,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GOOS={} GOARCH={}", self.os, self.arch)
    }
}

/// The platform named by a file name's `_GOOS`, `_GOARCH` or `_GOOS_GOARCH`
/// suffix (before `_test`), completed with a port that exists; `None` when
/// the name names none.
pub fn platform_of(file_name: &str) -> Option<Platform> {
    let stem = file_name.strip_suffix(".go")?;
    let stem = stem.strip_suffix("_test").unwrap_or(stem);
    let parts: Vec<&str> = stem.split('_').collect();
    // The first element is never a constraint (`linux.go` is not linux-only).
    let tail = &parts[1.min(parts.len())..];
    let known_os = |s: &str| KNOWN_OS.iter().copied().find(|o| *o == s);
    let known_arch = |s: &str| KNOWN_ARCH.iter().copied().find(|a| *a == s);
    match tail {
        [.., os, arch] if known_os(os).is_some() && known_arch(arch).is_some() => Some(Platform {
            os: known_os(os)?,
            arch: known_arch(arch)?,
        }),
        [.., last] => match (known_os(last), known_arch(last)) {
            (Some(os), _) => Some(Platform {
                os,
                arch: default_arch(os),
            }),
            (None, Some(arch)) => Some(Platform {
                os: if arch == "wasm" { "js" } else { "linux" },
                arch,
            }),
            _ => None,
        },
        [] => None,
    }
}

/// An architecture the given OS has a port for.
fn default_arch(os: &str) -> &'static str {
    match os {
        "js" | "wasip1" => "wasm",
        "ios" | "android" => "arm64",
        "aix" => "ppc64",
        "zos" => "s390x",
        _ => "amd64",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(os: &'static str, arch: &'static str) -> Option<Platform> {
        Some(Platform { os, arch })
    }

    #[test]
    fn reads_the_suffixes_the_go_tool_reads() {
        assert_eq!(platform_of("fs_js.go"), p("js", "wasm"));
        assert_eq!(platform_of("zerrors_windows_386.go"), p("windows", "386"));
        assert_eq!(platform_of("asm_arm64_test.go"), p("linux", "arm64"));
        assert_eq!(platform_of("poll_darwin_test.go"), p("darwin", "amd64"));
        assert_eq!(platform_of("linux.go"), None);
        assert_eq!(platform_of("map_test.go"), None);
        assert_eq!(platform_of("cache.go"), None);
    }
}
