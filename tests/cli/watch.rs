//! `--watch`: a run, then another each time a Go file changes.

use crate::common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Waits for a line of the child's stdout containing `want`.
fn wait_for(lines: &mpsc::Receiver<String>, want: &str, seen: &mut Vec<String>) {
    loop {
        match lines.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                let found = line.contains(want);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => panic!("no line with {want:?} within 30 s; output so far:\n{}", seen.join("\n")),
        }
    }
}

#[test]
fn a_change_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.path().join("a.go"),
        "package p\n\nfunc Len(m map[string]int) int { return len(m) }\n",
    )
    .unwrap();
    let mut child = Command::new(mapfix_bin())
        .args(["--watch", "--color", "never", "."])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    wait_for(&rx, "0 findings in 1 file scanned", &mut seen);
    std::fs::write(
        dir.path().join("b.go"),
        "package p\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n",
    )
    .unwrap();
    wait_for(&rx, "+\tclear(m)", &mut seen);
    wait_for(&rx, "1 finding in 2 files scanned", &mut seen);
    let _ = child.kill();
    let _ = child.wait();
}
