//! `--format markdown` (the pull-request body) on `tests/markdown/shop/`: a
//! module at Go 1.22 with a nested Go 1.20 module, two rules in one file
//! (each rule's section shows only its own hunks), an unsafe fix left out
//! (and marked when `--unsafe` includes it) and a finding with no fix; and
//! on `tests/markdown/near/`, fixes of two rules on adjacent and nearby
//! lines, each rule's diff holding only its own changes. The bodies are
//! insta snapshots in `snapshots/`.

mod common;

use common::*;
use std::path::Path;

fn fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/markdown").join(name),
        tmp.path(),
    );
    tmp
}

fn shop() -> tempfile::TempDir {
    fixture("shop")
}

/// The text of rule `rule`'s section of a body.
fn section<'a>(body: &'a str, rule: &str) -> &'a str {
    let start = body
        .find(&format!("### `{rule}`"))
        .unwrap_or_else(|| panic!("no section for {rule}: {body}"));
    let end = body[start + 1..].find("\n### ").map_or(body.len(), |i| start + 1 + i);
    &body[start..end]
}

/// The diffs folded in a section, without their fences.
fn diffs(section: &str) -> Vec<&str> {
    section
        .split("```diff\n")
        .skip(1)
        .map(|rest| &rest[..rest.find("\n```").unwrap() + 1])
        .collect()
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

#[test]
fn each_rule_diff_holds_only_its_own_changes() {
    // A loop replaced by clear() right above (and two lines above) a nil
    // reset: one hunk of the file's diff, shown per rule only in part.
    let tmp = fixture("near");
    let out = mapfix(tmp.path(), &["--format", "markdown", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let body = String::from_utf8(out.stdout).unwrap();
    let nil_reset = section(&body, "nil-reset");
    let range_delete = section(&body, "range-delete");
    assert!(
        nil_reset.contains("+\ts.count = make(map[string]int)")
            && !nil_reset.contains("clear(s.seen)")
            && !nil_reset.contains("-\tfor k := range s.seen {"),
        "{nil_reset}"
    );
    assert!(
        range_delete.contains("+\tclear(s.seen)")
            && !range_delete.contains("make(map[string]int)")
            && !range_delete.contains("-\ts.count = nil"),
        "{range_delete}"
    );
    // Each rule's diff is a patch of the file as it is, on its own.
    for diff in diffs(nil_reset).into_iter().chain(diffs(range_delete)) {
        let patch = tmp.path().join("rule.patch");
        std::fs::write(&patch, diff).unwrap();
        let check = std::process::Command::new("git")
            .current_dir(tmp.path())
            .args(["apply", "--check", "rule.patch"])
            .output()
            .unwrap();
        assert!(check.status.success(), "{}\n{diff}", describe(&check));
    }
    snapshot("markdown__near", &body);
}

#[test]
fn unsafe_fixes_are_marked() {
    let tmp = shop();
    let safe = String::from_utf8(mapfix(tmp.path(), &["--format", "markdown", "."]).stdout).unwrap();
    assert!(!safe.contains("may change behaviour"), "{safe}");
    let out = mapfix(tmp.path(), &["--unsafe", "--format", "markdown", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let body = String::from_utf8(out.stdout).unwrap();
    assert!(body.contains("| `range-delete` | 3 | 2 (1 unsafe) | 0 |"), "{body}");
    let range_delete = section(&body, "range-delete");
    assert!(
        range_delete.contains(
            "- `cache/scores.go`: line 4 (replace loop with clear(scores); **unsafe: may change behaviour \
             — key type float64 can hold NaN, which the loop cannot delete**)"
        ),
        "{range_delete}"
    );
    // The safe fix of the same rule is not marked.
    assert!(
        range_delete.contains("- `cache/cache.go`: line 10 (replace loop with clear(c.items))\n"),
        "{range_delete}"
    );
    snapshot("markdown__unsafe", &body);
}

#[test]
fn rules_with_changes_come_before_findings_only() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("go.mod"), "module m\n\ngo 1.21\n").unwrap();
    std::fs::write(
        tmp.path().join("a.go"),
        "package a\n\nfunc f(m map[string]int, in []int) map[int]*int {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\
         \tout := map[int]*int{}\n\tfor i, v := range in {\n\t\tout[i] = &v\n\t}\n\treturn out\n}\n",
    )
    .unwrap();
    let out = mapfix(tmp.path(), &["--format", "markdown", "."]);
    let body = String::from_utf8(out.stdout).unwrap();
    let fixed = body.find("### `range-delete`").unwrap_or_else(|| panic!("{body}"));
    let unfixed = body.find("### `loopvar-pointer`").unwrap_or_else(|| panic!("{body}"));
    assert!(fixed < unfixed, "the section with changes comes first:\n{body}");
    let row = |rule: &str| body.find(&format!("| `{rule}` |")).unwrap();
    assert!(row("range-delete") < row("loopvar-pointer"), "{body}");
    assert!(body.contains("docs/rules/range-delete.md"), "{body}");
}
