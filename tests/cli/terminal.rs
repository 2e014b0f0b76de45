//! Behaviour that depends on a terminal, checked in a real pseudo-terminal
//! (util-linux `script`): the progress bar, automatic colour and
//! interactive answers typed as single keys.

use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs mapfix in a pseudo-terminal (stdin, stdout and stderr all on it),
/// typing `input`. Returns the exit status and everything the terminal showed.
fn in_pty(dir: &Path, args: &[&str], input: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut line = quote(mapfix_bin().to_str().unwrap());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .expect("util-linux `script` runs (it provides the pseudo-terminal)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
    )
}

/// A module with `n` packages holding one delete-all loop each.
fn many_files(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    for i in 0..n {
        let p = dir.path().join(format!("p{i}"));
        std::fs::create_dir(&p).unwrap();
        std::fs::write(
            p.join("x.go"),
            "package p\n\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n",
        )
        .unwrap();
    }
    dir
}

#[test]
fn progress_bar_shows_only_on_a_terminal_and_only_for_text() {
    let dir = many_files(120);
    let (code, screen) = in_pty(dir.path(), &["--stats", "."], "", &[]);
    assert_eq!(code, Some(1), "{screen}");
    assert!(screen.contains("/120 files, "), "no progress bar:\n{screen}");
    assert!(screen.contains("mapfix: 120 findings in 120 files scanned"), "{screen}");
    let (_, json) = in_pty(dir.path(), &["--format", "json", "."], "", &[]);
    assert!(!json.contains("files, "), "progress bar in JSON output:\n{json}");
    serde_json::from_str::<serde_json::Value>(&json).expect("JSON output stays clean");
    // Not a terminal: nothing on stderr.
    let out = mapfix(dir.path(), &["--stats", "."]);
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    // Few files: no bar even on a terminal.
    let (_, small) = in_pty(many_files(3).path(), &["--stats", "."], "", &[]);
    assert!(!small.contains("files, "), "{small}");
}

#[test]
fn colour_is_automatic_on_a_terminal_unless_no_color() {
    let dir = many_files(1);
    let (_, screen) = in_pty(dir.path(), &["."], "", &[]);
    assert!(screen.contains("\x1b[31m-\tfor k := range m {\x1b[0m"), "{screen:?}");
    let (_, plain) = in_pty(dir.path(), &["."], "", &[("NO_COLOR", "1")]);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    // An empty NO_COLOR does not count (no-color.org).
    let (_, empty) = in_pty(dir.path(), &["."], "", &[("NO_COLOR", "")]);
    assert!(empty.contains("\x1b[32m+\tclear(m)\x1b[0m"), "{empty:?}");
}

#[test]
fn interactive_reads_single_keys_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/everyday"),
        dir.path(),
    );
    let before = std::fs::read_to_string(dir.path().join("cache/cache.go")).unwrap();
    let (code, screen) = in_pty(dir.path(), &["-i", "."], "nyq", &[("NO_COLOR", "1")]);
    assert_eq!(code, Some(1), "{screen}");
    assert!(screen.contains("[3/3] session/session.go:10:14"), "{screen}");
    assert!(screen.contains("1 of 3 fixes accepted"), "{screen}");
    let after = std::fs::read_to_string(dir.path().join("cache/cache.go")).unwrap();
    assert_ne!(before, after);
    assert!(
        after.contains("func (c *Cache) Reset() {\n\tfor k := range c.items {"),
        "{after}"
    );
    assert!(
        after.contains("\t//mapfix:ignore range-delet\n\tclear(c.items)\n}"),
        "{after}"
    );
}

#[test]
fn verify_shows_packages_vetted_on_a_terminal() {
    let dir = many_files(3);
    let go_dir = go_binary().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", go_dir.display(), std::env::var("PATH").unwrap_or_default());
    let env = [
        ("PATH", path.as_str()),
        ("GOTOOLCHAIN", "local"),
        ("GOPROXY", "off"),
        ("GOFLAGS", "-mod=mod"),
    ];
    let (code, screen) = in_pty(dir.path(), &["-w", "--verify", "."], "", &env);
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("/3 packages vetted"), "no verify progress:\n{screen}");
    // Not a terminal: no bar.
    let dir = many_files(3);
    let out = std::process::Command::new(mapfix_bin())
        .args(["-w", "--verify", "."])
        .current_dir(dir.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("packages vetted"),
        "{}",
        describe(&out)
    );
}
