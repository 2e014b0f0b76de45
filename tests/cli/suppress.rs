//! Suppression comments: `//mapfix:ignore [RULE,...]` and `//nolint`
//! forms, on the construct's line or alone on the line above, and the
//! `unknown-suppression` finding for names no rule has.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn module(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.path().join("p.go"),
        format!("package p\n\nfunc f(m map[string]int) {{\n{body}}}\n"),
    )
    .unwrap();
    dir
}

/// `(line, column, rule)` of each finding.
fn findings(dir: &Path, args: &[&str]) -> Vec<(u64, u64, String)> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    all.push(".");
    let out = mapfix(dir, &all);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules_found(comment_line: &str, trailing: &str) -> Vec<String> {
    let body = format!("{comment_line}\tfor k := range m {{{trailing}\n\t\tdelete(m, k)\n\t}}\n");
    findings(module(&body).path(), &[])
        .into_iter()
        .map(|(_, _, r)| r)
        .collect()
}

#[test]
fn directives_on_the_line_or_above_silence_findings() {
    let silenced = [
        ("", " //mapfix:ignore"),
        ("", " // mapfix:ignore range-delete"),
        ("", " //mapfix:ignore nil-reset,range-delete"),
        (
            "",
            " //mapfix:ignore nil-reset, range-delete because the loop is clearer here",
        ),
        ("\t//mapfix:ignore range-delete\n", ""),
        ("\t// mapfix:ignore\n", ""),
        ("", " //nolint"),
        ("", " //nolint:all"),
        ("", " //nolint:mapfix"),
        ("", " //nolint:errcheck,mapfix // legacy"),
    ];
    for (above, trailing) in silenced {
        assert_eq!(
            rules_found(above, trailing),
            Vec::<String>::new(),
            "{above:?} {trailing:?}"
        );
    }
    let kept = [
        ("", " //mapfix:ignore nil-reset"),
        ("", " //nolint:errcheck"),
        ("\t// mapfix:ignore is a directive\n\n", ""),
    ];
    for (above, trailing) in kept {
        assert!(
            rules_found(above, trailing).contains(&"range-delete".to_string()),
            "{above:?} {trailing:?}"
        );
    }
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let dir = module("\tfor k := range m { //mapfix:ignore\n\t\tdelete(m, k)\n\t}\n");
    let out = mapfix(dir.path(), &["-w", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(std::fs::read_to_string(dir.path().join("p.go"))
        .unwrap()
        .contains("delete(m, k)"));
}

#[test]
fn unknown_rule_names_are_reported_where_they_are() {
    let dir = module("\tfor k := range m { //mapfix:ignore nil-reset,range-delet\n\t\tdelete(m, k)\n\t}\n");
    let found = findings(dir.path(), &[]);
    // The typo silences nothing, and is itself reported at its column.
    assert_eq!(
        found,
        [
            (4, 2, "range-delete".to_string()),
            (4, 47, "unknown-suppression".to_string())
        ]
    );
    let out = mapfix(dir.path(), &["."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("suppression comment names unknown rule \"range-delet\"")
            && text.contains("did you mean range-delete?"),
        "{text}"
    );
    // It is a rule like any other: it can be skipped.
    assert_eq!(
        findings(dir.path(), &["--skip-rule", "unknown-suppression"]),
        [(4, 2, "range-delete".to_string())]
    );
}

#[test]
fn names_of_disabled_and_user_rules_are_known() {
    let dir = module("\tx := len(m) //mapfix:ignore len-call,nil-reset\n\t_ = x\n");
    std::fs::create_dir(dir.path().join("lint")).unwrap();
    std::fs::write(
        dir.path().join("lint/len.yml"),
        "id: len-call\nlanguage: go\nseverity: info\nmessage: len\nrule:\n  pattern: len($M)\n",
    )
    .unwrap();
    assert_eq!(
        findings(dir.path(), &["--rules", "lint", "--skip-rule", "nil-reset"]),
        []
    );
    // Without the user rule loaded, its name is unknown.
    let found = findings(dir.path(), &[]);
    assert_eq!(
        found.iter().map(|f| f.2.as_str()).collect::<Vec<_>>(),
        ["unknown-suppression"]
    );
}

/// Findings reported after `-w` point into the written file: the
/// unknown-suppression below a rewritten loop moves up with its line.
#[test]
fn positions_after_a_write_are_those_of_the_written_file() {
    let dir = module("\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\tm[\"a\"] = 1 //mapfix:ignore range-delet\n");
    let before = findings(dir.path(), &[]);
    assert!(before.contains(&(7, 29, "unknown-suppression".into())), "{before:?}");
    let after = findings(dir.path(), &["-w"]);
    let written = std::fs::read_to_string(dir.path().join("p.go")).unwrap();
    let line = written.lines().position(|l| l.contains("range-delet")).unwrap() as u64 + 1;
    assert_eq!(line, 5, "{written}");
    let col = written.lines().nth(4).unwrap().find("range-delet").unwrap() as u64 + 1;
    assert!(
        after.contains(&(line, col, "unknown-suppression".into())),
        "{after:?}\n{written}"
    );
    let text = mapfix(dir.path(), &["-w", "."]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("p.go:5:"),
        "{}",
        describe(&text)
    );
}

/// A `//` inside a string earlier on the line starts no comment, and a
/// reason follows the list or `--`.
#[test]
fn directives_after_strings_and_with_reasons() {
    let dir = module("\tu := \"http://x\"; m = nil //mapfix:ignore -- legacy\n\tm[u] = 1\n");
    assert_eq!(findings(dir.path(), &[]), vec![]);
    let dir = module("\tm = nil //mapfix:ignore:nil-reset // legacy\n\tm[\"a\"] = 1\n");
    assert_eq!(findings(dir.path(), &[]), vec![]);
    let dir = module("\tm = nil\n\tm[\"a\"] = 1 //mapfix:ignore because legacy\n");
    let got = findings(dir.path(), &[]);
    assert!(
        got.iter().any(|f| f.2 == "unknown-suppression") && got.iter().any(|f| f.2 == "nil-reset"),
        "{got:?}"
    );
}

/// After `-w`, a finding whose comment the fix moved (out of a replaced
/// loop) is reported where the comment now is, with its real width, as a
/// second run reports it.
#[test]
fn findings_in_a_fixed_region_follow_their_text() {
    let dir = module("\tfor k := range m { //mapfix:ignore range-delet\n\t\tdelete(m, k)\n\t}\n");
    let written = findings(dir.path(), &["-w"]);
    let again = findings(dir.path(), &[]);
    assert_eq!(again, [(4, 18, "unknown-suppression".to_string())]);
    let unknown: Vec<_> = written.into_iter().filter(|f| f.2 == "unknown-suppression").collect();
    assert_eq!(unknown, again);
}
