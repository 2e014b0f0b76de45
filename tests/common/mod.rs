//! Shared helpers for integration tests: the mapfix binary, the Go
//! toolchain, and copying fixture trees into temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built mapfix binary.
pub fn mapfix_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mapfix"))
}

/// Runs mapfix in `dir` with `args`.
pub fn mapfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(mapfix_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mapfix")
}

/// A `go` command that never downloads anything.
pub fn go(dir: &Path, args: &[&str]) -> Output {
    Command::new(go_binary())
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .output()
        .unwrap_or_else(|e| panic!("cannot run go {args:?}: {e}"))
}

/// The Go toolchain; tests that need it fail (not skip) when it is missing:
/// the README's test command installs it.
pub fn go_binary() -> PathBuf {
    which("go").expect("the Go toolchain is not on PATH; run `bash tests/run.sh`, which installs it")
}

/// `gofmt`: on PATH, or beside the toolchain in `$(go env GOROOT)/bin`.
pub fn gofmt_binary() -> PathBuf {
    if let Some(p) = which("gofmt") {
        return p;
    }
    let out = Command::new(go_binary())
        .args(["env", "GOROOT"])
        .output()
        .expect("go env GOROOT");
    let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let p = Path::new(&root).join("bin/gofmt");
    assert!(p.is_file(), "gofmt not found on PATH nor in {root}/bin");
    p
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// Copies a directory tree (files only) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Text of a command's output for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// All files under `dir` with extension `ext`, sorted, relative to `dir`.
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, ext, out);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    walk(dir, dir, ext, &mut out);
    out.sort();
    out
}

/// The official SARIF 2.1.0 schema (`tests/data`), compiled.
pub fn sarif_schema_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}
