//! Command-line behaviour: exit codes, --write, the JSON schema, Go version
//! resolution, bad files beside good ones, the bundled example tree, and
//! what `--profile` reports.

use crate::common::*;
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const GOMOD_122: &str = "module example.com/m\n\ngo 1.22\n";
const LOOP: &str = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const CLEARED: &str = "package m\n\nfunc Reset(m map[string]int) {\n\tclear(m)\n}\n";

#[test]
fn exit_codes_follow_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    write(dir.path(), "clean.go", "package m\n\nfunc F() int { return 1 }\n");
    let out = mapfix(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    write(dir.path(), "loop.go", LOOP);
    let out = mapfix(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("loop.go")).unwrap(),
        LOOP,
        "dry run wrote"
    );

    let out = mapfix(dir.path(), &["--write", "."]);
    assert_eq!(out.status.code(), Some(0), "all findings fixed: {}", describe(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("loop.go")).unwrap(), CLEARED);

    let out = mapfix(dir.path(), &["--rule", "no-such-rule", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rule"));
}

#[test]
fn write_leaves_unsafe_findings_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    let src = "package m\n\nfunc Reset(m map[float64]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    write(dir.path(), "f.go", src);
    let out = mapfix(dir.path(), &["--write", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("f.go")).unwrap(), src);
    let out = mapfix(dir.path(), &["--write", "--unsafe", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(std::fs::read_to_string(dir.path().join("f.go"))
        .unwrap()
        .contains("clear(m)"));
}

#[test]
fn syntax_error_beside_good_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    write(dir.path(), "a.go", LOOP);
    let broken = "package m\n\nfunc Broken( {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n";
    write(dir.path(), "broken.go", broken);
    write(dir.path(), "z.go", &LOOP.replace("Reset", "ResetZ"));
    let out = mapfix(dir.path(), &["--write", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"][0]["path"], "broken.go");
    assert!(json["errors"][0]["message"].as_str().unwrap().contains("syntax error"));
    assert_eq!(std::fs::read_to_string(dir.path().join("broken.go")).unwrap(), broken);
    assert!(std::fs::read_to_string(dir.path().join("a.go"))
        .unwrap()
        .contains("clear(m)"));
    assert!(std::fs::read_to_string(dir.path().join("z.go"))
        .unwrap()
        .contains("clear(m)"));
    let text = mapfix(dir.path(), &["."]);
    assert!(
        String::from_utf8_lossy(&text.stderr).contains("broken.go"),
        "{}",
        describe(&text)
    );
}

#[test]
fn json_schema_version_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    write(dir.path(), "internal/cache/cache.go", "package cache\n\ntype C struct{ items map[string]int }\n\nfunc (c *C) Reset() {\n\tfor k := range c.items {\n\t\tdelete(c.items, k)\n\t}\n}\n\nfunc R(m map[any]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n");
    let out = mapfix(dir.path(), &["--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["version", "findings", "errors", "summary"]);
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "range-delete");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["path"], "internal/cache/cache.go");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(6), Some(2)));
    assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(8), Some(3)));
    assert_eq!(f["message"], "loop deletes every key; use clear(c.items)");
    assert_eq!(f["fix"]["safety"], "safe");
    assert_eq!(f["fix"]["description"], "replace loop with clear(c.items)");
    assert_eq!(f["fix"]["applied"], false);
    assert_eq!(json["findings"][1]["fix"]["safety"], "unsafe");
    assert_eq!(json["findings"][1]["fix"]["applied"], false);
    assert_eq!(
        json["summary"],
        serde_json::json!({"files_scanned": 1, "findings": 2, "fixable": 2, "applied": 0})
    );

    let out = mapfix(dir.path(), &["--format", "json", "--write", "."]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["fix"]["applied"], true);
    assert_eq!(json["findings"][1]["fix"]["applied"], false);
    assert_eq!(json["summary"]["applied"], 1);
}

#[test]
fn go_version_resolution_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "loose/a.go", LOOP);
    // No go.mod, no flag: the newest version, said once on stderr.
    let out = mapfix(dir.path(), &["--format", "json", "loose"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!json["findings"][0]["fix"].is_null());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("assuming Go 1."),
        "{}",
        describe(&out)
    );
    // --go-version below 1.21: no clear.
    let out = mapfix(dir.path(), &["--format", "json", "--go-version", "1.20", "loose"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"][0]["fix"].is_null());
    // go.mod wins over --go-version.
    write(dir.path(), "mod/go.mod", "module x\n\ngo 1.20\n");
    write(dir.path(), "mod/sub/a.go", LOOP);
    let out = mapfix(dir.path(), &["--format", "json", "--go-version", "1.22", "mod"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"][0]["fix"].is_null());
    // A //go:build line wins over go.mod.
    write(dir.path(), "mod/sub/a.go", &format!("//go:build go1.21\n\n{LOOP}"));
    let out = mapfix(dir.path(), &["--format", "json", "mod"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!json["findings"][0]["fix"].is_null());
}

#[test]
fn walk_skips_like_the_go_tool_but_explicit_files_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    for p in [
        "vendor/v/a.go",
        "testdata/a.go",
        "_old/a.go",
        ".hidden/a.go",
        "ignored/a.go",
    ] {
        write(dir.path(), p, LOOP);
    }
    write(dir.path(), ".ignore", "ignored/\n");
    let out = mapfix(dir.path(), &["--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files_scanned"], 0, "{json}");
    let out = mapfix(dir.path(), &["--format", "json", "vendor/v/a.go"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["findings"], 1);
}

#[test]
fn crlf_and_bom_survive_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    let src = format!("\u{feff}{}", LOOP.replace('\n', "\r\n"));
    write(dir.path(), "w.go", &src);
    let out = mapfix(dir.path(), &["--write", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let expected = format!("\u{feff}{}", CLEARED.replace('\n', "\r\n"));
    assert_eq!(std::fs::read_to_string(dir.path().join("w.go")).unwrap(), expected);
}

#[test]
fn dry_run_diff_applies_with_git() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    write(dir.path(), "pkg/a.go", LOOP);
    let out = mapfix(dir.path(), &["--color", "never", "pkg"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let diff: String = stdout.split("mapfix:").next().unwrap().to_string();
    std::fs::write(dir.path().join("fix.patch"), diff).unwrap();
    let git = std::process::Command::new("git")
        .args(["apply", "--unsafe-paths", "fix.patch"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(git.status.success(), "{}", describe(&git));
    assert_eq!(std::fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(), CLEARED);
}

#[test]
fn example_tree_diffs_and_still_vets_after_write() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = mapfix(root, &["--color", "never", "examples/"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("examples_dry_run", String::from_utf8_lossy(&out.stdout)));

    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&root.join("examples"), tmp.path());
    let out = mapfix(tmp.path(), &["--write", "."]);
    assert_eq!(out.status.code(), Some(1), "unsafe findings remain: {}", describe(&out));
    let service = tmp.path().join("service");
    let vet = go(&service, &["vet", "./..."]);
    assert!(vet.status.success(), "{}", describe(&vet));
    let again = mapfix(tmp.path(), &["--write", "."]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout)
            .lines()
            .filter(|l| l.starts_with("---"))
            .count(),
        0
    );
}

#[test]
fn profile_counts_files_and_times_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GOMOD_122);
    write(dir.path(), "loop.go", LOOP);
    write(dir.path(), "clean.go", "package m\n\nfunc F() int { return 1 }\n");
    write(
        dir.path(),
        "gen.go",
        &format!(
            "// Code generated by x. DO NOT EDIT.\n\n{}",
            LOOP.replace("Reset", "Gen")
        ),
    );
    let out = mapfix(dir.path(), &["--profile", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("mapfix profile:"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("3 files read")
            && line.contains("1 generated skipped")
            && line.contains("1 passed the pre-filter"),
        "{line}"
    );
    assert!(
        line.contains("1 parsed"),
        "only the file with a delete loop is parsed: {line}"
    );
    let times = err
        .lines()
        .find(|l| l.starts_with("thread time:"))
        .unwrap_or_else(|| panic!("{err}"));
    for stage in [
        "walk",
        "read",
        "filter",
        "parse",
        "match",
        "fix",
        "output",
        "(of which diffs)",
    ] {
        assert!(times.contains(&format!(" {stage} ")), "{stage} missing: {times}");
    }
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+\tclear(m)"),
        "the run itself is unchanged"
    );
}

/// A directory without Go files says so on stderr; `--stats` with a
/// machine format is refused rather than ignored.
#[test]
fn no_go_files_is_said_and_stats_needs_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# not Go\n").unwrap();
    let out = mapfix(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no Go files found in ."),
        "{}",
        describe(&out)
    );
    let out = mapfix(dir.path(), &["--stats", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--stats"),
        "{}",
        describe(&out)
    );
}
