//! Each rule's documented example holds: `docs.before`, placed in its
//! `docs.context` file in a temporary module, is reported by the rule and
//! becomes `docs.after` with `--rule ID --unsafe -w`; `docs.after` is
//! reported no more. Rules without a fix only need the first and last.

mod common;

use common::*;
use mapfix::BuiltinRule;
use std::path::Path;

/// The marker line of `docs.context` that the example replaces.
const MARKER: &str = "// EXAMPLE";

/// `snippet` in place of the context's marker line, indented as the marker
/// is; the snippet itself when the rule has no context.
fn place(context: &str, snippet: &str) -> String {
    if context.is_empty() {
        return snippet.to_string();
    }
    let line = context
        .lines()
        .find(|l| l.trim() == MARKER)
        .unwrap_or_else(|| panic!("docs.context has no `{MARKER}` line:\n{context}"));
    let indent = &line[..line.len() - line.trim_start().len()];
    let body: String = snippet
        .trim_end()
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{indent}{l}\n")
            }
        })
        .collect();
    context.replacen(&format!("{line}\n"), &body, 1)
}

/// The module's Go version: below `before_go` for rules that only concern
/// older files, else at least 1.22 and the fix's `min_go`.
fn go_line(rule: &BuiltinRule) -> String {
    match (rule.before_go, rule.min_go) {
        (Some(v), _) => format!("1.{}", v - 1),
        (None, Some(v)) if v > 22 => format!("1.{v}"),
        _ => "1.22".to_string(),
    }
}

fn gofmt(text: &str, what: &str) -> String {
    let mut child = std::process::Command::new(gofmt_binary())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run gofmt");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "gofmt rejects {what}:\n{text}\n{}",
        describe(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The rule's findings in `dir`, as `--format json` lists them.
fn findings(dir: &Path, id: &str) -> Vec<serde_json::Value> {
    let out = mapfix(dir, &["--rule", id, "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    assert_eq!(json["errors"], serde_json::json!([]), "{}", describe(&out));
    json["findings"].as_array().unwrap().clone()
}

fn check_example(rule: &BuiltinRule) {
    let id = &rule.id;
    let before = place(&rule.context, &rule.before);
    let after = place(&rule.context, &rule.after);
    for (text, what) in [(&before, "before"), (&after, "after")] {
        assert_eq!(
            &gofmt(text, what),
            text,
            "{id}: docs.{what} in its context is not gofmt-clean"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("go.mod"),
        format!("module example.com/p\n\ngo {}\n", go_line(rule)),
    )
    .unwrap();
    let file = root.join("example.go");
    for (text, what) in [(&after, "after"), (&before, "before")] {
        std::fs::write(&file, text).unwrap();
        let built = go(root, &["build", "./..."]);
        assert!(
            built.status.success(),
            "{id}: docs.{what} does not compile:\n{text}\n{}",
            describe(&built)
        );
    }

    let found = findings(root, id);
    assert!(
        found.iter().any(|f| f["rule"] == id.as_str()),
        "{id}: docs.before is not reported:\n{before}\n{found:?}"
    );
    if rule.has_fix {
        let out = mapfix(root, &["--rule", id, "--unsafe", "-w", "."]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", describe(&out));
        let fixed = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            gofmt(&fixed, "the fixed file"),
            after,
            "{id}: the fix of docs.before is not docs.after"
        );
    }
    std::fs::write(&file, &after).unwrap();
    let found = findings(root, id);
    assert!(
        found.is_empty(),
        "{id}: docs.after is still reported:\n{after}\n{found:?}"
    );
}

#[test]
fn every_rule_example_turns_before_into_after() {
    let rules = mapfix::builtin_rules();
    assert!(rules.len() >= 7);
    for rule in &rules {
        check_example(rule);
    }
}

#[test]
fn examples_are_placed_at_the_marker_with_its_indentation() {
    let context = "package p\n\nfunc f() {\n\t// EXAMPLE\n}\n";
    assert_eq!(
        place(context, "a()\n\nb()\n"),
        "package p\n\nfunc f() {\n\ta()\n\n\tb()\n}\n"
    );
    assert_eq!(place("", "package q\n"), "package q\n");
}
