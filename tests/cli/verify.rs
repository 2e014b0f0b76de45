//! `--write --verify` (SPEC §6): each touched package is checked with gofmt
//! and `go vet`; a package that fails gets every file mapfix wrote in it back
//! byte for byte, and the report names the package, the rules and the tool's
//! output. A user rule with a deliberately wrong fix (`len(m)` → `cap(m)`, a
//! type error on a map) drives the rollback.

use crate::common::*;
use std::path::{Path, PathBuf};

const RESET: &str = "package good\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const RESET_FIXED: &str = "package good\n\nfunc Reset(m map[string]int) {\n\tclear(m)\n}\n";
const SIZE: &str = "package bad\n\nfunc Size(m map[string]int) int {\n\treturn len(m)\n}\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const SIZE_TEST: &str = "package bad\n\nimport \"testing\"\n\nfunc TestSize(t *testing.T) {\n\tif Size(map[string]int{\"a\": 1}) != 1 {\n\t\tt.Fatal(\"size\")\n\t}\n}\n";

/// A module with packages `good` and `bad`, and a rules directory.
fn setup(rule_fix: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m");
    for (rel, text) in [
        ("go.mod", "module example.com/m\n\ngo 1.22\n"),
        ("good/good.go", RESET),
        ("bad/bad.go", SIZE),
        ("bad/bad_test.go", SIZE_TEST),
    ] {
        let p = m.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let rules = tmp.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("size.yml"),
        format!("id: map-size\nlanguage: go\nseverity: warning\nmessage: map size\nrule:\n  pattern: return len($A)\nfix: {rule_fix}\n"),
    )
    .unwrap();
    (tmp, m, rules)
}

fn run(m: &Path, rules: &Path, extra: &[&str]) -> std::process::Output {
    let rules = rules.to_str().unwrap();
    let mut args = vec!["--rules", rules, "--unsafe", "--write", "--verify", "--jobs", "2"];
    args.extend_from_slice(extra);
    args.push(".");
    mapfix(m, &args)
}

#[test]
fn a_package_broken_by_a_fix_is_restored_byte_for_byte() {
    let (_tmp, m, rules) = setup("return cap($A)");
    let out = run(&m, &rules, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    // Both fixes in `bad` (the wrong one and range-delete's) are undone; `good` keeps its fix.
    assert_eq!(std::fs::read_to_string(m.join("bad/bad.go")).unwrap(), SIZE);
    assert_eq!(std::fs::read_to_string(m.join("good/good.go")).unwrap(), RESET_FIXED);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad: go vet failed after fixes of map-size, range-delete (1 file restored)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("invalid argument: m (variable of type map[string]int) for built-in cap"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--verify: 2 packages checked with gofmt and go vet, 1 restored"),
        "{stderr}"
    );
    // The restored file's diff is not shown as a change.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("+++ b/good/good.go") && !stdout.contains("+++ b/bad/bad.go"),
        "{stdout}"
    );
    let vet = go(&m, &["vet", "./..."]);
    assert!(vet.status.success(), "{}", describe(&vet));
}

#[test]
fn json_reports_the_rollback_as_an_error_and_the_fixes_as_not_applied() {
    let (_tmp, m, rules) = setup("return cap($A)");
    let out = run(&m, &rules, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "bad");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("for built-in cap"), "{message}");
    // The error's line is traced back to the fix that made it.
    assert!(
        message.contains("(1 file restored); the error at bad.go:4 is in the fix of map-size:"),
        "{message}"
    );
    for f in json["findings"].as_array().unwrap() {
        let in_good = f["path"].as_str().unwrap().starts_with("good/");
        assert_eq!(f["fix"]["applied"], in_good, "{f}");
    }
}

#[test]
fn correct_fixes_are_kept() {
    // The "fix" is the identity on meaning: len(m) → int(len(m)) type-checks.
    let (_tmp, m, rules) = setup("return int(len($A))");
    let out = run(&m, &rules, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 packages checked with gofmt and go vet, 0 restored"));
    assert_eq!(std::fs::read_to_string(m.join("good/good.go")).unwrap(), RESET_FIXED);
    let bad = std::fs::read_to_string(m.join("bad/bad.go")).unwrap();
    assert!(
        bad.contains("return int(len(m))") && bad.contains("\tclear(m)\n"),
        "{bad}"
    );
    let test = go(&m, &["test", "./..."]);
    assert!(test.status.success(), "{}", describe(&test));
}

#[test]
fn a_fix_that_breaks_gofmt_cleanliness_is_restored() {
    let (_tmp, m, rules) = setup("return len(  $A  )");
    let out = run(&m, &rules, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gofmt failed after fixes of map-size") && stderr.contains("bad/bad.go"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(m.join("bad/bad.go")).unwrap(), SIZE);
}

#[test]
fn a_file_that_was_not_gofmt_clean_before_is_not_blamed() {
    let (_tmp, m, rules) = setup("return int(len($A))");
    let messy = RESET.replace("func Reset(", "func   Reset(");
    std::fs::write(m.join("good/good.go"), &messy).unwrap();
    let out = run(&m, &rules, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(m.join("good/good.go")).unwrap(),
        RESET_FIXED.replace("func Reset(", "func   Reset(")
    );
}

#[test]
fn a_package_that_failed_vet_before_is_restored_and_said_so() {
    let (_tmp, m, rules) = setup("return int(len($A))");
    let printf = "package good\n\nimport \"fmt\"\n\nfunc Show() {\n\tfmt.Printf(\"%d\\n\", \"not a number\")\n}\n";
    std::fs::write(m.join("good/show.go"), printf).unwrap();
    let out = run(&m, &rules, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = json["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("the package fails go vet without the fixes too"),
        "{message}"
    );
    assert!(
        message.contains("format %d has arg \"not a number\" of wrong type string"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(m.join("good/good.go")).unwrap(), RESET);
}

#[test]
fn a_file_for_another_platform_is_vetted_there() {
    let (_tmp, m, rules) = setup("return cap($A)");
    let other_os = if cfg!(windows) {
        "bad_linux.go"
    } else {
        "bad_windows.go"
    };
    std::fs::rename(m.join("bad/bad.go"), m.join("bad").join(other_os)).unwrap();
    std::fs::write(m.join("bad/doc.go"), "// Package bad measures maps.\npackage bad\n").unwrap();
    std::fs::remove_file(m.join("bad/bad_test.go")).unwrap();
    let out = run(&m, &rules, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = json["errors"][0]["message"].as_str().unwrap();
    let goos = if cfg!(windows) { "linux" } else { "windows" };
    assert!(
        message.starts_with(&format!(
            "go vet (GOOS={goos} GOARCH=amd64) failed after fixes of map-size"
        )),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(m.join("bad").join(other_os)).unwrap(), SIZE);
}

#[test]
fn files_no_platform_compiles_are_named() {
    let (_tmp, m, rules) = setup("return int(len($A))");
    let ignored = format!("//go:build ignore\n\n{RESET}");
    std::fs::write(m.join("good/good.go"), ignored).unwrap();
    std::fs::write(m.join("good/doc.go"), "// Package good resets maps.\npackage good\n").unwrap();
    let out = run(&m, &rules, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("checked by gofmt only: good/good.go"), "{stderr}");
}

#[test]
fn a_missing_go_toolchain_is_an_error_before_anything_is_written() {
    let (tmp, m, rules) = setup("return int(len($A))");
    let empty = tmp.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    let out = std::process::Command::new(mapfix_bin())
        .args(["--rules", rules.to_str().unwrap(), "--write", "--verify", "."])
        .current_dir(&m)
        .env("PATH", &empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`go` is not on PATH; nothing was written"));
    assert_eq!(std::fs::read_to_string(m.join("good/good.go")).unwrap(), RESET);
}

#[test]
fn verify_needs_write() {
    let (_tmp, m, _rules) = setup("return int(len($A))");
    let out = mapfix(&m, &["--verify", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--write"),
        "{}",
        describe(&out)
    );
}
