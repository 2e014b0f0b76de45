//! Baselines: `--write-baseline` records findings by rule, path and matched
//! text; `--baseline` hides them, survives edits elsewhere, reports new and
//! extra identical sites, and keeps recorded sites' fixes out of `--write`.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

const TWO_LOOPS: &str = "package p\n\nfunc f(m, n map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\tfor k := range n {\n\t\tdelete(n, k)\n\t}\n}\n";

fn module(source: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(dir.path().join("p/p.go"), source).unwrap();
    dir
}

fn lines(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<u64>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = mapfix(dir, &all);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)));
    (
        out.status.code(),
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["line"].as_u64().unwrap())
            .collect(),
    )
}

#[test]
fn records_then_hides_and_survives_edits_elsewhere() {
    let dir = module(TWO_LOOPS);
    let out = mapfix(dir.path(), &["--write-baseline", "mapfix-baseline.json", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("recorded 2 findings in mapfix-baseline.json"));
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("mapfix-baseline.json")).unwrap()).unwrap();
    assert_eq!(file["version"], 1);
    let entry = &file["findings"][0];
    assert_eq!(entry["rule"], "range-delete");
    assert_eq!(entry["path"], "p/p.go");
    assert_eq!(entry["count"], 1);
    assert_eq!(entry["fingerprint"].as_str().unwrap().len(), 16);

    assert_eq!(
        lines(dir.path(), &["--baseline", "mapfix-baseline.json", "."]),
        (Some(0), vec![])
    );
    // Lines move and indentation changes: still the same findings.
    let edited = TWO_LOOPS
        .replace("package p\n", "package p\n\n// Added later.\nvar x = 1\n")
        .replace("\t\tdelete(m, k)", "    delete(m, k)");
    std::fs::write(dir.path().join("p/p.go"), edited).unwrap();
    assert_eq!(
        lines(dir.path(), &["--baseline", "mapfix-baseline.json", "."]),
        (Some(0), vec![])
    );
    // From another directory, paths are still relative to the baseline file.
    let out = mapfix(&dir.path().join("p"), &["--baseline", "../mapfix-baseline.json", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn new_and_extra_identical_findings_are_reported() {
    let dir = module(TWO_LOOPS);
    mapfix(dir.path(), &["--write-baseline", "b.json", "."]);
    let more = TWO_LOOPS.strip_suffix("}\n").unwrap().to_string()
        + "\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n\nfunc g(q map[int]int) {\n\tfor k := range q {\n\t\tdelete(q, k)\n\t}\n}\n";
    std::fs::write(dir.path().join("p/p.go"), &more).unwrap();
    // The third loop over m is a second copy of a recorded site: one extra.
    let (code, found) = lines(dir.path(), &["--baseline", "b.json", "."]);
    assert_eq!(code, Some(1));
    assert_eq!(found, [10, 16]);
}

#[test]
fn recorded_findings_are_not_fixed_by_write() {
    let dir = module(TWO_LOOPS);
    mapfix(dir.path(), &["--write-baseline", "b.json", "."]);
    let with_new =
        TWO_LOOPS.to_string() + "\nfunc g(q map[int]int) {\n\tfor k := range q {\n\t\tdelete(q, k)\n\t}\n}\n";
    std::fs::write(dir.path().join("p/p.go"), &with_new).unwrap();
    let out = mapfix(dir.path(), &["--baseline", "b.json", "."]);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+\tclear(q)") && !diff.contains("clear(m)") && !diff.contains("clear(n)"),
        "{diff}"
    );
    let out = mapfix(dir.path(), &["-w", "--baseline", "b.json", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = std::fs::read_to_string(dir.path().join("p/p.go")).unwrap();
    assert_eq!(
        text,
        with_new.replace("\tfor k := range q {\n\t\tdelete(q, k)\n\t}\n", "\tclear(q)\n")
    );
}

#[test]
fn bad_baselines_are_usage_errors() {
    let dir = module(TWO_LOOPS);
    let out = mapfix(dir.path(), &["--baseline", "missing.json", "."]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(dir.path().join("b.json"), "{\"version\": 9, \"findings\": []}").unwrap();
    let out = mapfix(dir.path(), &["--baseline", "b.json", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("baseline version 9"),
        "{}",
        describe(&out)
    );
    let out = mapfix(dir.path(), &["-w", "--write-baseline", "b.json", "."]);
    assert_eq!(out.status.code(), Some(2), "--write and --write-baseline conflict");
}
