//! Helpers for the crate's unit tests.

use std::path::PathBuf;

/// Every `step`-th Go file of the standard library of the Go toolchain on
/// PATH (`$(go env GOROOT)/src`), with its text; files that cannot be read
/// or are over 200 kB are left out.
pub fn stdlib_sample(step: usize) -> Vec<(PathBuf, String)> {
    let out = std::process::Command::new("go")
        .args(["env", "GOROOT"])
        .env("GOTOOLCHAIN", "local")
        .output();
    let out = out.expect("the Go toolchain is not on PATH; run `bash tests/run.sh`, which installs it");
    let src = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("src");
    let (files, _) = crate::walk::go_files(&[src]);
    assert!(files.len() > 1000, "{} files", files.len());
    files
        .into_iter()
        .step_by(step)
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f.path).ok()?;
            (text.len() <= 200_000).then_some((f.path, text))
        })
        .collect()
}
