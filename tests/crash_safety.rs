//! Crash safety of `--write`, with the test-only failpoints of `apply.rs`
//! (cargo feature `failpoints`; `tests/run.sh` runs
//! `cargo test --features failpoints --test crash_safety`). The process is
//! aborted at every step of a write; each file must then be entirely old or
//! entirely new, the temporary file left behind must be invisible to mapfix
//! and the `go` tool, and the next run removes it and finishes the job. A
//! pause at a step lets the test change the file under mapfix's feet.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every failpoint of a write, in order.
const STEPS: [&str; 6] = [
    "before-check",
    "after-temp-create",
    "after-write",
    "after-fsync",
    "before-rename",
    "after-rename",
];

const A_OLD: &str = "package m\n\n// Reset empties m.\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const A_NEW: &str = "package m\n\n// Reset empties m.\nfunc Reset(m map[string]int) {\n\tclear(m)\n}\n";
const B_OLD: &str = "package m\n\nfunc Drop(m map[int]bool) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const B_NEW: &str = "package m\n\nfunc Drop(m map[int]bool) {\n\tclear(m)\n}\n";

fn module() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/m\n\ngo 1.22\n").unwrap();
    std::fs::write(dir.join("a.go"), A_OLD).unwrap();
    std::fs::write(dir.join("b.go"), B_OLD).unwrap();
    (tmp, dir)
}

fn write_with_failpoint(dir: &Path, failpoint: &str) -> Output {
    Command::new(mapfix_bin())
        .args(["--write", "."])
        .current_dir(dir)
        .env("MAPFIX_FAILPOINT", failpoint)
        .output()
        .unwrap()
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mapfix-") && n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn assert_aborted(out: &Output, failpoint: &str) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(6),
        "{failpoint}: expected SIGABRT:\n{}",
        describe(out)
    );
}

/// Each file is entirely its old or entirely its new text.
fn file_state(dir: &Path, name: &str, old: &str, new: &str) -> &'static str {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    if text == old {
        "old"
    } else if text == new {
        "new"
    } else {
        panic!("{name} is neither old nor new after a crash:\n{text}")
    }
}

/// A crash in the first write (a.go) or the second (b.go, `STEP:2`).
#[cfg(unix)]
#[test]
fn a_crash_at_any_step_leaves_whole_files_and_the_next_run_recovers() {
    for step in STEPS {
        for nth in [1, 2] {
            let failpoint = format!("{step}:{nth}");
            let (_tmp, dir) = module();
            let out = write_with_failpoint(&dir, &failpoint);
            assert_aborted(&out, &failpoint);

            let renamed = step == "after-rename";
            let a_expected = if nth == 2 || renamed { "new" } else { "old" };
            let b_expected = if nth == 2 && renamed { "new" } else { "old" };
            assert_eq!(file_state(&dir, "a.go", A_OLD, A_NEW), a_expected, "{failpoint}: a.go");
            assert_eq!(file_state(&dir, "b.go", B_OLD, B_NEW), b_expected, "{failpoint}: b.go");

            // The temporary file of the interrupted write, if it was created, is left...
            let leftovers = temp_files(&dir);
            let expect_leftover = step != "before-check" && !renamed;
            assert_eq!(
                leftovers.len(),
                usize::from(expect_leftover),
                "{failpoint}: {leftovers:?}"
            );
            // ...but neither mapfix nor the go tool takes it for source.
            let vet = go(&dir, &["vet", "./..."]);
            assert!(
                vet.status.success(),
                "{failpoint}: go vet with a leftover:\n{}",
                describe(&vet)
            );

            // The next run removes it and finishes the job.
            let again = mapfix(&dir, &["--write", "."]);
            assert_eq!(
                again.status.code(),
                Some(0),
                "{failpoint}: rerun:\n{}",
                describe(&again)
            );
            let stderr = String::from_utf8_lossy(&again.stderr);
            for name in &leftovers {
                assert!(
                    stderr.contains(name.as_str()) && stderr.contains("interrupted run"),
                    "{failpoint}: {stderr}"
                );
            }
            assert_eq!(
                temp_files(&dir),
                Vec::<String>::new(),
                "{failpoint}: leftovers after the rerun"
            );
            assert_eq!(std::fs::read_to_string(dir.join("a.go")).unwrap(), A_NEW);
            assert_eq!(std::fs::read_to_string(dir.join("b.go")).unwrap(), B_NEW);
        }
    }
}

/// Pauses mapfix at `step` of its first write, runs `meddle` on the file,
/// lets it go on, and returns its output.
fn change_during_write(step: &str, meddle: impl FnOnce(&Path)) -> (Output, tempfile::TempDir, PathBuf) {
    let (tmp, dir) = module();
    let pause = tmp.path().join("pause");
    std::fs::create_dir(&pause).unwrap();
    let child = Command::new(mapfix_bin())
        .args(["--write", "a.go"])
        .current_dir(&dir)
        .env("MAPFIX_FAILPOINT", step)
        .env("MAPFIX_FAILPOINT_PAUSE", &pause)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !pause.join("reached").exists() {
        assert!(std::time::Instant::now() < deadline, "mapfix never reached {step}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    meddle(&dir.join("a.go"));
    std::fs::write(pause.join("resume"), "").unwrap();
    (child.wait_with_output().unwrap(), tmp, dir)
}

#[test]
fn a_file_changed_between_read_and_write_is_left_alone() {
    // Before the content check, and after the new text is on disk but before the rename.
    for step in ["before-check", "after-fsync"] {
        let edited = "package m\n\n// edited by someone else meanwhile\n";
        let (out, _tmp, dir) = change_during_write(step, |a| std::fs::write(a, edited).unwrap());
        assert_eq!(out.status.code(), Some(2), "{step}:\n{}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("a.go") && stderr.contains("changed on disk"),
            "{step}: {stderr}"
        );
        assert_eq!(std::fs::read_to_string(dir.join("a.go")).unwrap(), edited, "{step}");
        assert_eq!(temp_files(&dir), Vec::<String>::new(), "{step}: temporary file left");
    }
}

#[test]
fn a_file_replaced_by_an_identical_copy_is_left_alone() {
    // Same bytes, new inode (an editor's save): the write would clobber whatever
    // the other program meant to do next, so mapfix backs off.
    let (out, _tmp, dir) = change_during_write("after-fsync", |a| {
        let copy = a.with_extension("copy");
        std::fs::write(&copy, A_OLD).unwrap();
        std::fs::rename(&copy, a).unwrap();
    });
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(dir.join("a.go")).unwrap(), A_OLD);
}
