//! Fixture modules: every directory `tests/fixtures/<rule>/<case>/` is a Go
//! module whose expectations live in its source, in the spirit of
//! go/analysis testdata:
//!
//! - `// want RULE` at the end of a line expects a finding of RULE on that
//!   line; alone on a line, on the next line. A file with no `want` expects
//!   none.
//! - `X.go.golden` is the text of `X.go` after `mapfix --write`; without one
//!   the file must stay unchanged.
//! - `case.toml` (optional): `args = [...]` extra mapfix arguments;
//!   `before = "fail"` when the module's own tests fail before the rewrite
//!   (a panic the fix removes); `race = true` to run `go test -race` after it
//!   (a plain run before it may crash, as racy code does)
//!   and expect the race detector to fire before it (a case without goldens
//!   reports a race it has no fix for: the files stay as they were, and so
//!   does the race); `race_free = true` for a negative case whose tests
//!   must pass under `go test -race`.
//!
//! For every case: findings equal the expectations; the dry-run output
//! matches its insta snapshot (in `snapshots/`); after `--write`, goldens
//! match, `gofmt -l` is empty, `go vet` and `go test` pass; a second run is a
//! fixpoint that only re-reports findings without an applied fix.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CaseConfig {
    #[serde(default)]
    args: Vec<String>,
    before: Option<String>,
    #[serde(default)]
    race: bool,
    #[serde(default)]
    race_free: bool,
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `(file, line, rule)` expected by `// want` comments.
fn expectations(dir: &Path) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for rel in files_with_ext(dir, ".go") {
        let text = std::fs::read_to_string(dir.join(&rel)).unwrap();
        for (i, line) in text.lines().enumerate() {
            let Some(pos) = line.find("// want ") else { continue };
            let own_line = line[..pos].trim().is_empty();
            let target = if own_line { i + 2 } else { i + 1 };
            for rule in line[pos + 8..].split([',', ' ']).filter(|s| !s.is_empty()) {
                out.insert((rel.to_string_lossy().into_owned(), target, rule.to_string()));
            }
        }
    }
    out
}

fn reported(json: &serde_json::Value) -> BTreeSet<(String, usize, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().trim_start_matches("./").to_string();
            (
                path,
                f["line"].as_u64().unwrap() as usize,
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn run_json(dir: &Path, args: &[String], extra: &[&str]) -> serde_json::Value {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    all.extend_from_slice(&["--format", "json", "."]);
    let out = mapfix(dir, &all);
    assert!(
        out.status.code() != Some(2),
        "mapfix failed in {}:\n{}",
        dir.display(),
        describe(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", describe(&out)))
}

fn check_case(rule: &str, case_dir: &Path) {
    let name = case_dir.file_name().unwrap().to_string_lossy().into_owned();
    let config: CaseConfig = match std::fs::read_to_string(case_dir.join("case.toml")) {
        Ok(t) => toml::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", case_dir.display())),
        Err(_) => CaseConfig::default(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join(&name);
    copy_tree(case_dir, &work);
    let has_tests = !files_with_ext(&work, "_test.go").is_empty();

    // Behaviour before the rewrite.
    if has_tests {
        let before = go(&work, &["test", "./..."]);
        match config.before.as_deref() {
            Some("fail") => assert!(
                !before.status.success(),
                "{rule}/{name}: tests were expected to fail before the fix"
            ),
            // A racy program may also crash with "concurrent map writes" on
            // a plain run: the race detector below is the check of "before".
            _ if config.race => {}
            _ => assert!(
                before.status.success(),
                "{rule}/{name}: tests fail before the fix:\n{}",
                describe(&before)
            ),
        }
        if config.race {
            let race = go(&work, &["test", "-race", "-count=3", "./..."]);
            assert!(
                !race.status.success(),
                "{rule}/{name}: the race detector saw no race before the fix"
            );
        }
        if config.race_free {
            let race = go(&work, &["test", "-race", "-count=3", "./..."]);
            assert!(
                race.status.success(),
                "{rule}/{name}: the race detector fired on a race-free case:\n{}",
                describe(&race)
            );
        }
    }

    // Findings equal the inline expectations.
    let json = run_json(&work, &config.args, &[]);
    assert_eq!(
        reported(&json),
        expectations(&work),
        "{rule}/{name}: findings differ from // want comments"
    );

    // Dry-run text output is snapshotted.
    let mut args: Vec<&str> = config.args.iter().map(String::as_str).collect();
    args.extend_from_slice(&["--color", "never", "."]);
    let dry = mapfix(&work, &args);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(format!("{rule}__{name}"), String::from_utf8_lossy(&dry.stdout));
    });

    // Write, then compare with goldens.
    let mut write_args = args.clone();
    write_args.insert(0, "--write");
    let wrote = mapfix(&work, &write_args);
    assert!(
        wrote.status.code() != Some(2),
        "{rule}/{name}: --write failed:\n{}",
        describe(&wrote)
    );
    for rel in files_with_ext(case_dir, ".go") {
        let golden = case_dir.join(format!("{}.golden", rel.display()));
        let expected = std::fs::read_to_string(if golden.exists() { golden } else { case_dir.join(&rel) }).unwrap();
        let actual = std::fs::read_to_string(work.join(&rel)).unwrap();
        assert_eq!(
            actual,
            expected,
            "{rule}/{name}: {} after --write differs from its golden",
            rel.display()
        );
    }
    let goldens = files_with_ext(case_dir, ".go.golden");

    // The Go toolchain judges the rewrite.
    if !goldens.is_empty() {
        let fmt = std::process::Command::new(gofmt_binary())
            .arg("-l")
            .arg(".")
            .current_dir(&work)
            .output()
            .unwrap();
        assert!(
            fmt.stdout.is_empty(),
            "{rule}/{name}: gofmt -l lists files after the fix:\n{}",
            describe(&fmt)
        );
        let vet = go(&work, &["vet", "./..."]);
        assert!(
            vet.status.success(),
            "{rule}/{name}: go vet fails after the fix:\n{}",
            describe(&vet)
        );
    }
    if has_tests {
        let after = go(&work, &["test", "./..."]);
        assert!(
            after.status.success(),
            "{rule}/{name}: tests fail after the fix:\n{}",
            describe(&after)
        );
        if config.race && !goldens.is_empty() {
            let race = go(&work, &["test", "-race", "-count=3", "./..."]);
            assert!(
                race.status.success(),
                "{rule}/{name}: race after the fix:\n{}",
                describe(&race)
            );
        }
    }

    // A second run is a fixpoint: no fix left to apply.
    let again = run_json(&work, &config.args, &[]);
    let with_fix: Vec<_> = again["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let fix = &f["fix"];
            !fix.is_null() && (fix["safety"] == "safe" || config.args.iter().any(|a| a == "--unsafe"))
        })
        .collect();
    assert!(
        with_fix.is_empty(),
        "{rule}/{name}: second run still has fixes: {with_fix:?}"
    );
}

/// The cases of one rule: the directories under `tests/fixtures/<rule>/`.
fn rule_cases(rule: &str) -> Vec<PathBuf> {
    let dir = fixtures_root().join(rule);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures for {rule}");
    cases
}

/// The rules with fixture modules: every directory of `tests/fixtures/`
/// but `generative/` (tests/generative.rs), each named after a rule.
fn fixture_rules() -> Vec<String> {
    let known = rule_ids();
    let mut rules: Vec<String> = std::fs::read_dir(fixtures_root())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "generative")
        .collect();
    rules.sort();
    for rule in &rules {
        assert!(
            known.contains(rule),
            "tests/fixtures/{rule}/ does not name a rule ({known:?})"
        );
    }
    rules
}

/// The IDs `mapfix rules --format json` lists.
fn rule_ids() -> Vec<String> {
    let out = Command::new(mapfix_bin())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every case of every rule, on as many threads as there are cores (a new
/// rule's fixtures need no test function of their own).
#[test]
fn every_rule_fixture() {
    let cases: Vec<(String, PathBuf)> = fixture_rules()
        .into_iter()
        .flat_map(|rule| rule_cases(&rule).into_iter().map(move |c| (rule.clone(), c)))
        .collect();
    // `MAPFIX_FIXTURES=a,b` runs only the cases whose `rule/case` contains one of them.
    if let Ok(only) = std::env::var("MAPFIX_FIXTURES") {
        let wanted = |c: &PathBuf| {
            let name = c.strip_prefix(fixtures_root()).unwrap().display().to_string();
            only.split(',').any(|o| name.contains(o))
        };
        let cases: Vec<_> = cases.iter().filter(|(_, c)| wanted(c)).cloned().collect();
        assert!(!cases.is_empty(), "MAPFIX_FIXTURES={only} names no case");
        return run_cases(&cases);
    }
    assert!(cases.len() >= 6, "fixtures found: {}", cases.len());
    run_cases(&cases);
}

fn run_cases(cases: &[(String, PathBuf)]) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let failed: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut failed = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((rule, case)) = cases.get(i) else { break };
                        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_case(rule, case)));
                        if run.is_err() {
                            failed.push(case.strip_prefix(fixtures_root()).unwrap().display().to_string());
                        }
                    }
                    failed
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    assert!(failed.is_empty(), "failing fixture cases (messages above): {failed:?}");
}
