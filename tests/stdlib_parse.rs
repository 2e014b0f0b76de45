//! The grammar reads the Go of today: every `.go` file of the installed Go
//! toolchain's standard library outside `testdata` parses with no syntax
//! error (the toolchain itself compiles them, so each is valid Go).

use std::path::{Path, PathBuf};
use std::process::Command;

fn goroot() -> PathBuf {
    let out = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .expect("`go` is needed for this test (tests/run.sh installs it)");
    assert!(out.status.success(), "go env GOROOT failed");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ty = entry.file_type().unwrap();
        if ty.is_dir() {
            if name != "testdata" {
                go_files(&path, out);
            }
        } else if ty.is_file() && name.ends_with(".go") {
            out.push(path);
        }
    }
}

#[test]
fn every_standard_library_file_parses() {
    let src = goroot().join("src");
    let mut files = Vec::new();
    go_files(&src, &mut files);
    assert!(files.len() > 5000, "only {} files under {}", files.len(), src.display());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        if let Some(at) = mapfix::syntax_error(text) {
            let line = text[..at].matches('\n').count() + 1;
            failures.push(format!("{}:{line}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files have syntax errors:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
