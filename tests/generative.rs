//! Generative tests: thousands of Go files from the grammar in
//! `generative/gen.rs` (PROPTEST_CASES, default 2000), each run through the
//! engine in-process with every rule (`--rule all`), with and without
//! `--unsafe`. For every case: no panic and no error on valid input; the
//! fixed text parses; a second run is a fixpoint; applying the rules one by
//! one (in catalogue order, or reversed) gives the same text as all at once.
//! Then, over the whole batch at once: inputs and outputs are gofmt-clean
//! (`gofmt -l -e`, one call each); the dry-run diff (one patch for all
//! cases, through `git apply`) and the atomic write both give the engine's
//! text, and so do the mapfix binary's dry-run output and `--write` on a
//! sample; `go vet` passes on a sample of inputs and outputs (the generator
//! only makes valid Go, and the fixes keep it valid). The in-process phase
//! stops at PROPTEST_CASES or after MAPFIX_GEN_BUDGET_SECS (default 90 s),
//! whichever comes first; the count is printed.
//!
//! Failing seeds are kept by proptest in `proptest-regressions/` and re-run
//! first; counter-examples worth a name become fixtures under
//! `tests/fixtures/generative/`, checked by `regression_fixtures_hold`.

mod common;
#[path = "generative/gen.rs"]
mod gen;

use common::*;
use mapfix::{builtin_rules, syntax_error, unified_diff, write_file, Engine};
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Cases per run unless PROPTEST_CASES says otherwise.
const DEFAULT_CASES: u32 = 2000;
/// Time for generating and checking cases in-process, unless
/// MAPFIX_GEN_BUDGET_SECS says otherwise; the batch checks come after it.
const DEFAULT_BUDGET_SECS: u64 = 90;
/// Fewer cases than this within the budget is a failure, not a pass.
const MIN_CASES: usize = 300;
/// Cases per proptest runner (each with fresh random seeds).
const CHUNK: u32 = 100;
/// Cases whose input and output `go vet` checks.
const VET_SAMPLE: usize = 60;
/// Cases run through the mapfix binary (dry run and --write).
const BINARY_SAMPLE: usize = 200;

/// Engines: all rules, and one per rule; each with and without unsafe fixes.
struct Engines {
    all: [Engine; 2],
    per_rule: Vec<[Engine; 2]>,
}

impl Engines {
    fn new() -> Self {
        let ids: Vec<String> = builtin_rules().iter().map(|r| r.id.clone()).collect();
        Engines {
            all: [Engine::new(&ids, false), Engine::new(&ids, true)],
            per_rule: ids
                .iter()
                .map(|id| [Engine::new(&[id], false), Engine::new(&[id], true)])
                .collect(),
        }
    }
}

/// A directory tree inside one Go module (go 1.22), with fresh directories on demand.
struct Workspace {
    root: PathBuf,
    counter: AtomicUsize,
}

impl Workspace {
    fn new(root: &Path) -> Self {
        std::fs::write(root.join("go.mod"), "module example.com/gen\n\ngo 1.22\n").unwrap();
        Workspace {
            root: root.to_path_buf(),
            counter: AtomicUsize::new(0),
        }
    }

    /// Writes `text` as `p.go` in a new directory under `group` and returns its path.
    fn file(&self, group: &str, text: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let dir = self.root.join(group).join(format!("c{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.go");
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// One engine run over `text` in a scratch directory: the text after its fixes.
fn fixed_by(ws: &Workspace, engine: &Engine, text: &str) -> Result<String, TestCaseError> {
    // One scratch file for all runs: alone in its directory, it has no
    // package siblings whose cached index could go stale.
    let path = ws.root.join("scratch/p.go");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let report = engine.process(&path);
    if let Some(e) = report.errors.first() {
        return Err(TestCaseError::fail(format!("error on generated input: {e}\n{text}")));
    }
    Ok(report.fixed_text.unwrap_or_else(|| text.to_string()))
}

/// A case kept for the batch checks.
struct Done {
    input: PathBuf,
    output: String,
    unsafe_fixes: bool,
    changed: bool,
    /// Rules with findings in the input.
    rules: Vec<String>,
}

fn check_case(
    ws: &Workspace,
    engines: &Engines,
    text: &str,
    unsafe_fixes: bool,
    rules_reversed: bool,
) -> Result<Done, TestCaseError> {
    let u = usize::from(unsafe_fixes);
    let group = if unsafe_fixes { "unsafe" } else { "safe" };
    let input = ws.file(group, text);
    let report = engines.all[u].process(&input);
    if let Some(e) = report.errors.first() {
        return Err(TestCaseError::fail(format!("error on generated input: {e}\n{text}")));
    }
    let rules = report.rules.clone();
    let Some(fixed) = report.fixed_text.clone() else {
        // No fix applies: no rule alone has one either (detection is per rule).
        return Ok(Done {
            input,
            output: text.to_string(),
            unsafe_fixes,
            changed: false,
            rules,
        });
    };
    if let Some(at) = syntax_error(&fixed) {
        return Err(TestCaseError::fail(format!(
            "fixed text does not parse at byte {at}:\n{fixed}"
        )));
    }
    let again = fixed_by(ws, &engines.all[u], &fixed)?;
    if again != fixed {
        return Err(TestCaseError::fail(format!(
            "not a fixpoint: a second run changes\n{fixed}\ninto\n{again}"
        )));
    }
    let mut stepwise = text.to_string();
    let order: Vec<&[Engine; 2]> = if rules_reversed {
        engines.per_rule.iter().rev().collect()
    } else {
        engines.per_rule.iter().collect()
    };
    for rule_engines in order {
        stepwise = fixed_by(ws, &rule_engines[u], &stepwise)?;
    }
    if stepwise != fixed {
        return Err(TestCaseError::fail(format!(
            "rule by rule (reversed: {rules_reversed}) differs from all at once.\ninput:\n{text}\nall at once:\n{fixed}\nrule by rule:\n{stepwise}"
        )));
    }
    Ok(Done {
        input,
        output: fixed,
        unsafe_fixes,
        changed: true,
        rules,
    })
}

fn budget() -> std::time::Duration {
    let secs = std::env::var("MAPFIX_GEN_BUDGET_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_BUDGET_SECS);
    std::time::Duration::from_secs(secs)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

#[test]
fn generated_programs_keep_every_invariant() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = Workspace::new(tmp.path());
    let engines = Engines::new();
    let done: Mutex<Vec<Done>> = Mutex::new(Vec::new());
    let (wanted, budget) = (cases(), budget());
    let started = Instant::now();
    let strategy = (gen::file_plan(), proptest::bool::ANY, proptest::bool::ANY);
    // Chunks of fresh random cases until `wanted` cases or the time budget.
    while (done.lock().unwrap().len() as u32) < wanted && started.elapsed() < budget {
        let chunk = CHUNK.min(wanted - done.lock().unwrap().len() as u32);
        let persistence = FileFailurePersistence::Direct("proptest-regressions/generative.txt");
        let mut config = Config {
            cases: chunk,
            failure_persistence: Some(Box::new(persistence)),
            ..Config::default()
        };
        config.max_shrink_iters = 2000;
        let result = TestRunner::new(config).run(&strategy, |(plan, unsafe_fixes, reversed)| {
            let case = check_case(&ws, &engines, &plan.render(), unsafe_fixes, reversed)?;
            done.lock().unwrap().push(case);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }
    let done = done.into_inner().unwrap();
    let changed = done.iter().filter(|d| d.changed).count();
    eprintln!(
        "generative: {} cases ({changed} changed by fixes) checked in-process in {:.1?}",
        done.len(),
        started.elapsed()
    );
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for rule in done.iter().flat_map(|d| &d.rules) {
        *by_rule.entry(rule.as_str()).or_default() += 1;
    }
    eprintln!("generative: findings by rule: {by_rule:?}");
    assert!(
        done.len() >= MIN_CASES.min(wanted as usize),
        "only {} cases fit in the time budget",
        done.len()
    );
    batch_checks(&ws, &done);
    eprintln!("generative: batch checks done after {:.1?}", started.elapsed());
}

/// The checks that run once over all cases.
fn batch_checks(ws: &Workspace, done: &[Done]) {
    // Inputs are gofmt-clean (the generator writes what gofmt prints)...
    for group in ["safe", "unsafe"] {
        if ws.root.join(group).exists() {
            assert_gofmt_clean(&ws.root.join(group), "generated input");
        }
    }
    // ...and so are the outputs.
    let outputs = ws.root.join("outputs");
    for (i, d) in done.iter().enumerate() {
        let dir = outputs.join(format!("c{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("p.go"), &d.output).unwrap();
    }
    assert_gofmt_clean(&outputs, "fixed output");

    // The dry-run diff (the renderer's own unified_diff) applied with `git
    // apply`, and the atomic write, both give the engine's text.
    let patched = ws.root.join("patched");
    let written = ws.root.join("written");
    let mut patch = String::new();
    for (i, d) in done.iter().enumerate().filter(|(_, d)| d.changed) {
        let rel = format!("c{i}/p.go");
        let input = std::fs::read_to_string(&d.input).unwrap();
        patch.push_str(&unified_diff(&rel, &input, &d.output));
        for tree in [&patched, &written] {
            std::fs::create_dir_all(tree.join(format!("c{i}"))).unwrap();
            std::fs::write(tree.join(&rel), &input).unwrap();
        }
        write_file(&written.join(&rel), &d.output).unwrap();
    }
    if !patch.is_empty() {
        let applied = git_apply(&patched, patch.as_bytes());
        assert!(applied.status.success(), "git apply failed:\n{}", describe(&applied));
    }
    for (i, d) in done.iter().enumerate().filter(|(_, d)| d.changed) {
        let rel = format!("c{i}/p.go");
        assert_eq!(
            std::fs::read_to_string(patched.join(&rel)).unwrap(),
            d.output,
            "{rel}: diff + git apply differs"
        );
        assert_eq!(
            std::fs::read_to_string(written.join(&rel)).unwrap(),
            d.output,
            "{rel}: write differs"
        );
    }

    // The binary, end to end, on a sample: its dry-run output through `git
    // apply`, and its --write, equal the in-process result.
    for unsafe_fixes in [false, true] {
        let group = if unsafe_fixes { "unsafe" } else { "safe" };
        let sample = ws.root.join(format!("binary-{group}"));
        let cases: Vec<(String, &Done)> = done
            .iter()
            .filter(|d| d.unsafe_fixes == unsafe_fixes)
            .take(BINARY_SAMPLE / 2)
            .enumerate()
            .map(|(i, d)| (format!("c{i}/p.go"), d))
            .collect();
        for (rel, d) in &cases {
            std::fs::create_dir_all(sample.join(rel).parent().unwrap()).unwrap();
            std::fs::copy(&d.input, sample.join(rel)).unwrap();
        }
        if cases.is_empty() {
            continue;
        }
        let mut args = vec!["--rule", "all", "--color", "never", "--jobs", "2"];
        if unsafe_fixes {
            args.push("--unsafe");
        }
        let dry = mapfix(&sample, &[args.as_slice(), &["."]].concat());
        assert!(
            matches!(dry.status.code(), Some(0 | 1)),
            "dry run failed:\n{}",
            describe(&dry)
        );
        let patched = ws.root.join(format!("binary-patched-{group}"));
        copy_tree(&sample, &patched);
        let apply = git_apply(&patched, &dry.stdout);
        assert!(
            apply.status.success(),
            "git apply of the dry-run output failed:\n{}",
            describe(&apply)
        );
        let write = mapfix(&sample, &[args.as_slice(), &["--write", "."]].concat());
        assert!(
            matches!(write.status.code(), Some(0 | 1)),
            "--write failed:\n{}",
            describe(&write)
        );
        for (rel, d) in &cases {
            assert_eq!(
                std::fs::read_to_string(patched.join(rel)).unwrap(),
                d.output,
                "{rel}: dry-run output + git apply"
            );
            assert_eq!(
                std::fs::read_to_string(sample.join(rel)).unwrap(),
                d.output,
                "{rel}: mapfix --write"
            );
        }
    }

    // go vet on a sample of inputs and their outputs: the generator makes valid
    // Go, and the fixes keep it valid.
    let vet = ws.root.join("vet");
    for (i, d) in done.iter().take(VET_SAMPLE).enumerate() {
        for (kind, text) in [
            ("in", std::fs::read_to_string(&d.input).unwrap()),
            ("out", d.output.clone()),
        ] {
            let dir = vet.join(format!("{kind}{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("p.go"), text).unwrap();
        }
    }
    let out = go(&ws.root, &["vet", "./vet/..."]);
    assert!(
        out.status.success(),
        "go vet on generated programs:\n{}",
        describe(&out)
    );
}

fn assert_gofmt_clean(dir: &Path, what: &str) {
    let out = std::process::Command::new(gofmt_binary())
        .args(["-l", "-e", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    let first = listed
        .lines()
        .next()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_default());
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "{what} is not gofmt-clean:\n{}\nfirst listed file:\n{}",
        describe(&out),
        first.unwrap_or_default()
    );
}

fn git_apply(dir: &Path, patch: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(["apply", "--whitespace=nowarn", "-"])
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    child.stdin.take().unwrap().write_all(patch).unwrap();
    child.wait_with_output().unwrap()
}

/// Counter-examples found by the generator, kept as plain Go files with the
/// text the fixes must produce (`X.go.golden`; none: unchanged), checked with
/// the same invariants; a `// mapfix-test: unsafe` line runs with `--unsafe`.
#[test]
fn regression_fixtures_hold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generative");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let tmp = tempfile::tempdir().unwrap();
    let ws = Workspace::new(tmp.path());
    let engines = Engines::new();
    let mut checked = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "go") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let golden = std::fs::read_to_string(path.with_extension("go.golden")).unwrap_or_else(|_| text.clone());
        let unsafe_fixes = text.contains("// mapfix-test: unsafe");
        for reversed in [false, true] {
            let done = check_case(&ws, &engines, &text, unsafe_fixes, reversed)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(done.output, golden, "{}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 0, "no .go files in {}", dir.display());
}
