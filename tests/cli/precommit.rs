//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run as pre-commit runs
//! them: the `entry` split on spaces, the staged Go files appended, from
//! the repository root. (`tests/packaging.rs` runs pre-commit itself with
//! the hook installed from the wheel.)

use crate::batch_support::*;
use std::path::Path;

#[derive(serde::Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    types: Vec<String>,
    pass_filenames: bool,
    #[serde(default)]
    require_serial: bool,
}

fn hooks() -> Vec<Hook> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// Runs a hook's entry on `files` in `dir`.
fn run_hook(hook: &Hook, dir: &Path, files: &[&str]) -> std::process::Output {
    let mut words = hook.entry.split_whitespace();
    assert_eq!(words.next(), Some("mapfix"), "{}: the entry runs mapfix", hook.id);
    let mut args: Vec<&str> = words.collect();
    if hook.pass_filenames {
        args.extend_from_slice(files);
    }
    mapfix(dir, &args)
}

const LOOP: &str = "package a\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const CLEAN: &str = "package a\n\nfunc Len(m map[string]int) int { return len(m) }\n";

#[test]
fn hooks_report_and_fix_the_staged_go_files() {
    let all = hooks();
    let ids: Vec<(&str, &str)> = all.iter().map(|h| (h.id.as_str(), h.language.as_str())).collect();
    assert_eq!(
        ids,
        [
            ("mapfix", "python"),
            ("mapfix-fix", "python"),
            ("mapfix-rust", "rust"),
            ("mapfix-fix-rust", "rust")
        ]
    );
    // Named files, once per commit, with the excludes applied to them.
    assert!(all
        .iter()
        .all(|h| h.types == ["go"] && h.pass_filenames && h.require_serial && h.entry.contains("--force-exclude")));
    // The Rust hooks run what the Python ones run.
    assert_eq!(all[0].entry, all[2].entry);
    assert_eq!(all[1].entry, all[3].entry);
    let hooks = &all[..2];

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    git_repo(
        &dir,
        &[
            ("go.mod", "module m\n\ngo 1.22\n"),
            ("a/loop.go", LOOP),
            ("a/clean.go", CLEAN),
        ],
    );
    let files = ["a/loop.go", "a/clean.go"];

    // The dry run fails the commit and changes nothing.
    let out = run_hook(&hooks[0], &dir, &files);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+\tclear(m)"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("a/loop.go")).unwrap(), LOOP);
    // On clean files it passes.
    assert_eq!(run_hook(&hooks[0], &dir, &["a/clean.go"]).status.code(), Some(0));

    // The fixing hook rewrites the file (pre-commit then fails the commit
    // because a file changed); a second run finds nothing.
    let out = run_hook(&hooks[1], &dir, &files);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(std::fs::read_to_string(dir.join("a/loop.go"))
        .unwrap()
        .contains("\tclear(m)\n"));
    assert_eq!(run_hook(&hooks[0], &dir, &files).status.code(), Some(0));
}

/// pre-commit names every staged file, vendored and excluded ones too: the
/// hooks leave alone what a run over the repository would not read.
#[test]
fn hooks_skip_staged_files_the_walk_or_config_excludes() {
    let hooks = hooks();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    git_repo(
        &dir,
        &[
            ("go.mod", "module m\n\ngo 1.22\n"),
            ("mapfix.toml", "exclude = [\"gen\"]\n"),
            ("gen/loop.go", LOOP),
            ("vendor/example.com/v/loop.go", LOOP),
            ("a/testdata/loop.go", LOOP),
        ],
    );
    let files = ["gen/loop.go", "vendor/example.com/v/loop.go", "a/testdata/loop.go"];
    for hook in &hooks {
        let out = run_hook(hook, &dir, &files);
        assert_eq!(out.status.code(), Some(0), "{}: {}", hook.id, describe(&out));
    }
    for f in files {
        assert_eq!(std::fs::read_to_string(dir.join(f)).unwrap(), LOOP, "{f}");
    }
}
