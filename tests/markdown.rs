//! `--format markdown` (the pull-request body) on `tests/markdown/shop/`: a
//! module at Go 1.22 with a nested Go 1.20 module, two rules in one file
//! (each rule's section shows only its own hunks), an unsafe fix left out
//! and a finding with no fix. Dry-run and `--write` bodies are insta
//! snapshots in `snapshots/`.

mod common;

use common::*;
use std::path::Path;

fn shop() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/markdown/shop"),
        tmp.path(),
    );
    tmp
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn dry_run_body() {
    let tmp = shop();
    let out = mapfix(tmp.path(), &["--format", "markdown", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let body = String::from_utf8(out.stdout).unwrap();
    // Each rule's section carries only the hunks of its own sites.
    let nil_reset = &body[body.find("### `nil-reset`").unwrap()..body.find("### `range-delete`").unwrap()];
    assert!(
        nil_reset.contains("+\tc.hits = make(map[string]int)") && !nil_reset.contains("clear(c.items)"),
        "{nil_reset}"
    );
    snapshot("markdown__dry_run", &body);
}

#[test]
fn written_body() {
    let tmp = shop();
    let out = mapfix(tmp.path(), &["--write", "--format", "markdown", "."]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "unfixed findings remain: {}",
        describe(&out)
    );
    let body = String::from_utf8(out.stdout).unwrap();
    assert!(
        body.starts_with("mapfix fixed 2 of 4 findings in 1 file (3 scanned)."),
        "{body}"
    );
    snapshot("markdown__written", &body);
}

#[test]
fn nothing_to_report() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(tmp.path().join("a.go"), "package a\n").unwrap();
    let out = mapfix(tmp.path(), &["--format", "markdown", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "mapfix found no Go map anti-patterns in 1 file scanned.\n"
    );
}
