//! `--watch`: a run, then polling of what it depends on (Go files, go.mod,
//! mapfix.toml) and another run on each change. Not the run itself.

use super::RunArgs;
use std::path::{Path, PathBuf};

/// `--watch`: runs, then polls the files the run depends on and runs again
/// when one changes (as ruff's `--watch`).
pub fn watch(args: &RunArgs, run: fn(&RunArgs) -> i32) -> i32 {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    loop {
        // The state the run starts from: a change made while it runs
        // triggers the next one. With --write the run's own writes are
        // part of it (taken after the run), so that the loop settles.
        let mut before = watched_state(&roots);
        run(args);
        if args.write {
            before = watched_state(&roots);
        }
        eprintln!("mapfix: watching for changes (Ctrl-C to stop)");
        loop {
            std::thread::sleep(std::time::Duration::from_millis(300));
            if watched_state(&roots) != before {
                // Let an editor finish writing (several files, temp + rename).
                std::thread::sleep(std::time::Duration::from_millis(100));
                break;
            }
        }
        eprintln!("mapfix: change detected; running again");
    }
}

/// What a watched run depends on: every Go file of the walk, and the
/// go.mod and mapfix.toml files of their directories and above, with their
/// modification times and sizes.
fn watched_state(roots: &[PathBuf]) -> Vec<(PathBuf, Option<std::time::SystemTime>, u64)> {
    let (files, _) = crate::walk::go_files(roots);
    let mut paths: Vec<PathBuf> = files.into_iter().map(|f| f.path).collect();
    let mut dirs: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| std::path::absolute(p).ok()?.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut seen = std::collections::HashSet::new();
    for dir in dirs {
        for d in dir.ancestors() {
            if !seen.insert(d.to_path_buf()) {
                break;
            }
            paths.extend(
                ["go.mod", "mapfix.toml"]
                    .iter()
                    .map(|n| d.join(n))
                    .filter(|p| p.is_file()),
            );
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(&p).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            let len = meta.map_or(0, |m| m.len());
            (p, modified, len)
        })
        .collect()
}
