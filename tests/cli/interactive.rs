//! `-i/--interactive`: answers piped with `--answers-from-stdin`, the
//! refusal without a terminal, and the guarantee that only accepted fixes
//! are written even though the fixer runs to a fixpoint.

use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/everyday"),
        dir.path(),
    );
    dir
}

fn original(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/everyday")
            .join(rel),
    )
    .unwrap()
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

fn interactive(dir: &Path, extra: &[&str], answers: &str) -> Output {
    let mut child = Command::new(mapfix_bin())
        .args(["-i", "--answers-from-stdin"])
        .args(extra)
        .arg(".")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(answers.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn refuses_without_a_terminal() {
    let dir = fixture();
    let out = Command::new(mapfix_bin())
        .args(["-i", "."])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--interactive needs a terminal") && stderr.contains("--answers-from-stdin"),
        "{stderr}"
    );
    assert_eq!(read(dir.path(), "cache/cache.go"), original("cache/cache.go"));
}

#[test]
fn answers_flag_needs_interactive() {
    let dir = fixture();
    let out = mapfix(dir.path(), &["--answers-from-stdin", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn only_accepted_fixes_are_written_even_across_fix_passes() {
    let dir = fixture();
    // Three fixes are offered: cache.go:11 (no), cache.go:24 (yes), session.go (end of input: quit).
    let out = interactive(dir.path(), &[], "n y");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[1/3] cache/cache.go:11:2"), "{stderr}");
    assert!(stderr.contains("[3/3] session/session.go:10:14"), "{stderr}");
    assert!(stderr.contains("mapfix: 1 of 3 fixes accepted"), "{stderr}");
    let cache = read(dir.path(), "cache/cache.go");
    // The rejected loop stays, although the second fix pass finds it again.
    assert!(
        cache.contains("func (c *Cache) Reset() {\n\tfor k := range c.items {\n\t\tdelete(c.items, k)\n\t}\n"),
        "{cache}"
    );
    assert!(
        cache.contains("\t//mapfix:ignore range-delet\n\tclear(c.items)\n}"),
        "{cache}"
    );
    assert_eq!(read(dir.path(), "session/session.go"), original("session/session.go"));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("1 fix applied"), "{summary}");
}

#[test]
fn all_applies_the_rest_and_matches_write() {
    let dir = fixture();
    let out = interactive(dir.path(), &[], "a");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("3 of 3 fixes accepted"),
        "{}",
        describe(&out)
    );
    let written = fixture();
    mapfix(written.path(), &["-w", "."]);
    for rel in ["cache/cache.go", "session/session.go"] {
        assert_eq!(read(dir.path(), rel), read(written.path(), rel), "{rel}");
    }
}

#[test]
fn quit_writes_nothing_and_unknown_keys_are_asked_again() {
    let dir = fixture();
    let out = interactive(dir.path(), &[], "x q");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("please answer y, n, a or q"), "{stderr}");
    assert!(stderr.contains("0 of 3 fixes accepted"), "{stderr}");
    assert!(!stderr.contains("[2/3]"), "{stderr}");
    assert_eq!(read(dir.path(), "cache/cache.go"), original("cache/cache.go"));
    assert_eq!(read(dir.path(), "session/session.go"), original("session/session.go"));
}

#[test]
fn unsafe_fixes_are_offered_only_with_unsafe() {
    let dir = fixture();
    let out = interactive(dir.path(), &["--unsafe"], "nyq");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[2/4] cache/cache.go:14:2") && stderr.contains("fix (unsafe)"),
        "{stderr}"
    );
    let cache = read(dir.path(), "cache/cache.go");
    assert!(
        cache.contains("clear(c.byID)") && !cache.contains("clear(c.items)"),
        "{cache}"
    );
}

#[test]
fn declined_unsafe_fixes_are_not_said_to_need_unsafe() {
    let dir = fixture();
    // Decline the safe fix, then the unsafe one, accept nothing else.
    let out = interactive(dir.path(), &["--unsafe"], "nnnn");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("available with --unsafe"), "{text}");
    assert!(text.contains("1 unsafe fix left out"), "{text}");
}

#[test]
fn machine_formats_report_what_was_applied() {
    let dir = fixture();
    let out = interactive(dir.path(), &["--format", "json"], "yn");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let applied: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"]["applied"] == true)
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(applied, [11]);
    assert_eq!(doc["summary"]["applied"], 1);
}
