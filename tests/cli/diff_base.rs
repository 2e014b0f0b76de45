//! `--diff-base REV`: only findings on lines changed since REV (and in
//! untracked files) are reported, and with `--write` fixed; per repository
//! in a batch.

use crate::batch_support::*;
use serde_json::Value;
use std::path::Path;

const OLD: &str = "package a\n\nfunc Old(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const NEW_FUNC: &str = "\nfunc New(n map[string]int) {\n\tfor k := range n {\n\t\tdelete(n, k)\n\t}\n}\n";

/// A repository whose committed file has an old finding; the work tree
/// adds a new one to that file and an untracked file with another.
fn repo(dir: &Path) {
    git_repo(dir, &[("go.mod", "module m\n\ngo 1.22\n"), ("a.go", OLD)]);
    std::fs::write(dir.join("a.go"), format!("{OLD}{NEW_FUNC}")).unwrap();
    std::fs::write(dir.join("b.go"), OLD.replace("Old", "Untracked")).unwrap();
}

fn lines(out: &std::process::Output) -> Vec<(String, u64)> {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(out)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect()
}

#[test]
fn reports_new_findings_and_not_old_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    repo(&dir);
    let all = mapfix(&dir, &["--format", "json", "."]);
    assert_eq!(lines(&all).len(), 3, "{}", describe(&all));
    let new = mapfix(&dir, &["--format", "json", "--diff-base", "HEAD", "."]);
    assert_eq!(
        lines(&new),
        [("a.go".to_string(), 10), ("b.go".to_string(), 4)],
        "{}",
        describe(&new)
    );

    // --write fixes only those: the old loop stays.
    let out = mapfix(&dir, &["--diff-base", "HEAD", "-w", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let a = std::fs::read_to_string(dir.join("a.go")).unwrap();
    assert!(a.contains("for k := range m {") && a.contains("clear(n)"), "{a}");
    assert!(std::fs::read_to_string(dir.join("b.go")).unwrap().contains("clear(m)"));
}

#[test]
fn a_bad_revision_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    repo(&dir);
    let out = mapfix(&dir, &["--diff-base", "no-such-rev", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no-such-rev"),
        "{}",
        describe(&out)
    );
    let out = mapfix(&dir, &["--diff-base", "--output=x", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn each_repository_of_a_batch_has_its_own_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    repo(&root.join("one"));
    // A second repository whose only finding is committed: nothing new.
    git_repo(&root.join("two"), &[("go.mod", "module m\n\ngo 1.22\n"), ("a.go", OLD)]);
    let out = mapfix(
        root,
        &["--batch", "--format", "json", "--diff-base", "HEAD", "one", "two"],
    );
    let got = lines(&out);
    assert_eq!(got.len(), 2, "{got:?}\n{}", describe(&out));
    assert!(got.iter().all(|(p, _)| p.starts_with("one")), "{got:?}");
}

/// A repository whose committed `a.go` has a finding with a fix on a line
/// that stays unchanged; the work tree adds a second one (line 10).
fn changed_repo(dir: &Path) {
    git_repo(dir, &[("go.mod", "module m\n\ngo 1.22\n"), ("a.go", OLD)]);
    std::fs::write(dir.join("a.go"), format!("{OLD}{NEW_FUNC}")).unwrap();
}

#[test]
fn baseline_findings_stay_hidden_when_the_diff_base_leaves_a_fix_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    changed_repo(&dir);
    // The baseline records only the new function's finding.
    let baseline = tmp.path().join("baseline.json");
    std::fs::write(dir.join("a.go"), format!("package a\n{NEW_FUNC}")).unwrap();
    let out = mapfix(&dir, &["--write-baseline", baseline.to_str().unwrap(), "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    std::fs::write(dir.join("a.go"), format!("{OLD}{NEW_FUNC}")).unwrap();

    // The old loop is on an unchanged line and the new one is recorded:
    // nothing to report, and nothing to write.
    let args = ["--baseline", baseline.to_str().unwrap(), "--diff-base", "HEAD"];
    let out = mapfix(&dir, &[&args[..], &["--format", "json", "."]].concat());
    assert_eq!(lines(&out), [], "{}", describe(&out));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // A batch runs each repository through the same filters.
    let out = mapfix(&dir, &[&args[..], &["--batch", "--format", "json", "."]].concat());
    assert_eq!(lines(&out), [], "{}", describe(&out));
    let out = mapfix(&dir, &[&args[..], &["-w", "."]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("a.go")).unwrap(),
        format!("{OLD}{NEW_FUNC}")
    );
}

#[test]
fn interactive_review_keeps_findings_on_unchanged_lines_hidden() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    changed_repo(&dir);
    // One fix is offered (the new loop's) and accepted.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mapfix"))
        .args([
            "-i",
            "--answers-from-stdin",
            "--diff-base",
            "HEAD",
            "--format",
            "json",
            ".",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"y").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(lines(&out), [("a.go".to_string(), 10)], "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 of 1 fix accepted"),
        "{}",
        describe(&out)
    );
    let a = std::fs::read_to_string(dir.join("a.go")).unwrap();
    assert!(a.contains("for k := range m {") && a.contains("clear(n)"), "{a}");
}
