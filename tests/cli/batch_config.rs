//! Every repository of a batch is processed with its own `mapfix.toml` and
//! `rule_dirs` only (SPEC §5): a repository's rules never touch another
//! repository, its `rule_dirs` stay inside it, a YAML file that is not a rule
//! is never quoted, and a repository whose config does not load fails alone.

use crate::batch_support::*;
use serde_json::Value;
use std::path::Path;

const BRANCH: &str = "mapfix/maps";

/// A user rule that rewrites every `len(X)` to `cap(X)`, marked safe.
const LEN_TO_CAP: &str = "id: len-to-cap
language: go
severity: warning
message: len becomes cap
rule:
  pattern: len($A)
fix: cap($A)
metadata:
  safety: safe
";

fn records(out: &std::process::Output) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(out)));
    doc["repositories"].as_array().unwrap().clone()
}

fn record<'a>(records: &'a [Value], path: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["path"] == path)
        .unwrap_or_else(|| panic!("no record of {path}: {records:?}"))
}

#[test]
fn a_repositorys_rules_and_config_apply_to_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // evil (listed first) brings a rule through rule_dirs; good has its own
    // config, which disables range-delete.
    git_repo(
        &root.join("evil"),
        &[
            ("go.mod", &gomod("evil", "1.22")),
            ("c.go", CLEAN_GO),
            ("mapfix.toml", "rule_dirs = [\"rules\"]\n"),
            ("rules/len.yml", LEN_TO_CAP),
        ],
    );
    git_repo(
        &root.join("good"),
        &[
            ("go.mod", &gomod("good", "1.22")),
            ("c.go", CLEAN_GO),
            ("b.go", RANGE_DELETE_GO),
            ("mapfix.toml", "[rules]\ndisable = [\"range-delete\"]\n"),
        ],
    );
    let out = mapfix(
        root,
        &[
            "--write", "--commit", "--branch", BRANCH, "--format", "json", "evil", "good",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // evil's rule rewrote evil only.
    let evil = git(&root.join("evil"), &["show", &format!("{BRANCH}:c.go")]);
    assert!(evil.contains("return cap(m)"), "{evil}");
    // good: its own config disabled its only finding; evil's rule never ran there.
    assert!(!has_rev(&root.join("good"), BRANCH), "{}", describe(&out));
    let text = stdout(&out);
    assert!(!text.contains("good/c.go"), "{text}");
    assert!(!text.contains("good/b.go"), "{text}");
    let good = record(&records(&out), "good").clone();
    assert_eq!(good["summary"]["findings"], 0, "{text}");
    assert_eq!(good["status"], "no-changes", "{text}");
}

#[test]
fn rule_dirs_must_stay_inside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_files(&root.join("outside"), &[("len.yml", LEN_TO_CAP)]);
    let outside = root.join("outside").canonicalize().unwrap();
    let link_target = outside.to_string_lossy().into_owned();
    for (name, dirs) in [
        ("parent", "[\"../outside\"]".to_string()),
        ("absolute", format!("[{link_target:?}]")),
        ("symlink", "[\"rules\"]".to_string()),
    ] {
        git_repo(
            &root.join(name),
            &[
                ("go.mod", &gomod(name, "1.22")),
                ("c.go", CLEAN_GO),
                ("mapfix.toml", &format!("rule_dirs = {dirs}\n")),
            ],
        );
    }
    std::os::unix::fs::symlink(&outside, root.join("symlink/rules")).unwrap();
    write_files(
        &root.join("good"),
        &[("go.mod", &gomod("good", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let out = mapfix(
        root,
        &["--batch", "--format", "json", "parent", "absolute", "symlink", "good"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let records = records(&out);
    for name in ["parent", "absolute", "symlink"] {
        let r = record(&records, name);
        assert_eq!(r["status"], "failed", "{name}: {r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("is not a directory inside the repository"),
            "{name}: {r}"
        );
    }
    // No repository got the outside rule; good went on with the built-in rules.
    let text = stdout(&out);
    assert!(!text.contains("len-to-cap"), "{text}");
    assert_eq!(record(&records, "good")["summary"]["findings"], 1, "{text}");
}

#[test]
fn a_yaml_file_that_is_not_a_rule_is_named_not_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    git_repo(
        &root.join("leaky"),
        &[
            ("go.mod", &gomod("leaky", "1.22")),
            ("c.go", CLEAN_GO),
            ("mapfix.toml", "rule_dirs = [\"conf\"]\n"),
            (
                "conf/credentials.yml",
                "aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key: TOPSECRET-4711\n",
            ),
        ],
    );
    write_files(
        &root.join("good"),
        &[("go.mod", &gomod("good", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    for format in ["json", "text"] {
        let out = mapfix(root, &["--batch", "--format", format, "leaky", "good"]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let all = describe(&out);
        assert!(!all.contains("TOPSECRET") && !all.contains("AKIAEXAMPLE"), "{all}");
        assert!(
            all.contains("credentials.yml") && all.contains("not a mapfix rule"),
            "{all}"
        );
    }
    // The same holds for a --rules directory given on the command line.
    let out = mapfix(root, &["--rules", "leaky/conf", "good"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let all = describe(&out);
    assert!(!all.contains("TOPSECRET") && all.contains("not a mapfix rule"), "{all}");
}

#[test]
fn a_bad_config_fails_its_repository_and_the_others_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    git_repo(
        &root.join("bad"),
        &[
            ("go.mod", &gomod("bad", "1.22")),
            ("b.go", RANGE_DELETE_GO),
            ("mapfix.toml", "[rules]\ncolour = 1\n"),
        ],
    );
    git_repo(
        &root.join("badrule"),
        &[
            ("go.mod", &gomod("badrule", "1.22")),
            ("b.go", RANGE_DELETE_GO),
            ("mapfix.toml", "[rules]\nenable = [\"no-such-rule\"]\n"),
        ],
    );
    git_repo(
        &root.join("good"),
        &[("go.mod", &gomod("good", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let out = mapfix(
        root,
        &[
            "--write", "--commit", "--branch", BRANCH, "--format", "json", "bad", "badrule", "good",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let records = records(&out);
    let bad = record(&records, "bad");
    assert_eq!(bad["status"], "failed", "{bad}");
    assert!(bad["reason"].as_str().unwrap().contains("colour"), "{bad}");
    let badrule = record(&records, "badrule");
    assert_eq!(badrule["status"], "failed", "{badrule}");
    assert!(
        badrule["reason"].as_str().unwrap().contains("no-such-rule"),
        "{badrule}"
    );
    for name in ["bad", "badrule"] {
        assert!(!has_rev(&root.join(name), BRANCH), "{name}");
    }
    assert_eq!(record(&records, "good")["status"], "committed", "{}", describe(&out));
    assert!(git(&root.join("good"), &["show", &format!("{BRANCH}:b.go")]).contains("clear(seen)"));
}

#[test]
fn a_config_above_the_repository_is_not_its_config() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // The fleet directory's config is not a repository's: each entry's
    // search for mapfix.toml stops at the entry's repository root.
    std::fs::write(root.join("mapfix.toml"), "[rules]\ndisable = [\"range-delete\"]\n").unwrap();
    git_repo(
        &root.join("a"),
        &[("go.mod", &gomod("a", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let out = mapfix(root, &["--batch", "--format", "json", "a"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        record(&records(&out), "a")["summary"]["findings"],
        1,
        "{}",
        describe(&out)
    );
    // --config FILE is the user's choice and applies to every repository.
    let out = mapfix(root, &["--batch", "--config", "mapfix.toml", "--format", "json", "a"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

/// Lines of a markdown text outside fenced code blocks.
fn prose_lines(markdown: &str) -> Vec<&str> {
    let mut fence: Option<String> = None;
    let mut out = Vec::new();
    for line in markdown.lines() {
        let ticks: String = line.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(f) if ticks.len() >= f.len() && line.trim_start_matches('`').trim().is_empty() => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => out.push(line),
        }
    }
    out
}

#[test]
fn a_file_name_cannot_write_markdown_into_the_pull_request_body() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let name = "x\n# Approved by security\n<!-- .go";
    git_repo(
        &root.join("r"),
        &[
            ("go.mod", &gomod("r", "1.22")),
            (name, RANGE_DELETE_GO),
            ("y.go", &TWO_RULES_GO.replace("package a", "package b")),
        ],
    );
    let out = mapfix(root, &["--batch", "--format", "markdown", "--unsafe", "r"]);
    let body = stdout(&out);
    assert!(body.contains("Approved by security"), "{}", describe(&out));
    for line in prose_lines(&body) {
        assert!(
            !line.starts_with("# Approved") && !line.starts_with("<!--"),
            "{line:?} in\n{body}"
        );
    }
    // The committed body of --pr (no gh on PATH: kept in the git directory).
    let out = mapfix_env(
        root,
        &["--write", "--commit", "--branch", BRANCH, "--pr", "r"],
        Some(std::ffi::OsStr::new(&bin_path_without_gh(root))),
        &[],
    );
    assert!(
        stdout(&out).contains("gh not found: pull-request body written to"),
        "{}",
        describe(&out)
    );
    let file = root.join("r/.git/mapfix-pr-body-mapfix-maps.md");
    let body = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{}", describe(&out)));
    for line in prose_lines(&body) {
        assert!(!line.starts_with("# Approved"), "{line:?} in\n{body}");
    }
}

/// A PATH holding only `git` (so that `gh` is not found).
fn bin_path_without_gh(root: &Path) -> String {
    let bin = root.join("only-git");
    std::fs::create_dir_all(&bin).unwrap();
    let git = which("git");
    std::os::unix::fs::symlink(git, bin.join("git")).unwrap();
    bin.to_string_lossy().into_owned()
}

fn which(program: &str) -> std::path::PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .expect("on PATH")
}
