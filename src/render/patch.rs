//! `--format patch`: one patch holding every fix the run includes, for
//! `git apply` (or `patch -p1`). Paths are relative to the top of the
//! file's git work tree when it has one (git resolves them from there,
//! wherever it runs inside the tree), else as reached from the PATH
//! arguments (absolute ones relative to `/`). A BOM is kept in the diffed
//! text so context lines match the bytes on disk. Nothing else goes to
//! stdout; errors go to stderr.

use super::{display_path, unified_diff, Renderer, RunResult};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub struct PatchRenderer;

impl Renderer for PatchRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        for report in &run.reports {
            let (Some(source), Some(fixed)) = (&report.source, &report.fixed_text) else {
                continue;
            };
            let bom = if source.has_bom { "\u{feff}" } else { "" };
            let old = format!("{bom}{}", source.text);
            let new = format!("{bom}{fixed}");
            out.write_all(patch_diff(&patch_path(&report.path), &old, &new).as_bytes())?;
        }
        for e in run.all_errors() {
            crate::report::write_error(err, &super::text::ErrorDiag::new(e, None))?;
        }
        Ok(())
    }
}

/// The diff of one file, its `a/` and `b/` names quoted as git quotes them
/// when they hold a control character, a `"` or a `\` (`git apply` reads
/// a name up to a tab or newline otherwise).
fn patch_diff(path: &str, old: &str, new: &str) -> String {
    if !needs_quotes(path) {
        return unified_diff(path, old, new);
    }
    let diff = unified_diff("\0", old, new);
    let body = diff.strip_prefix("--- a/\0\n+++ b/\0\n").unwrap_or(&diff);
    format!(
        "--- {}\n+++ {}\n{body}",
        quote(&format!("a/{path}")),
        quote(&format!("b/{path}"))
    )
}

fn needs_quotes(path: &str) -> bool {
    path.bytes().any(|b| b < 0x20 || b == 0x7f || b == b'"' || b == b'\\')
}

/// A name in git's C-style quotes: `"a/x\ty.go"`.
fn quote(name: &str) -> String {
    let mut out = String::from("\"");
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The path a patch names a file by: relative to its git work tree's top,
/// or as given (`git apply` refuses `..` in a name: a path holding one is
/// named relative to the current directory when it lies below it, else by
/// its absolute path).
fn patch_path(path: &Path) -> String {
    match git_relative(path) {
        Some(rel) => shown(&rel),
        None => {
            let goes_up = path.components().any(|c| c == std::path::Component::ParentDir);
            let resolved = goes_up
                .then(|| {
                    let abs = std::path::absolute(path).ok()?;
                    let abs = normalize(&abs);
                    let cwd = std::env::current_dir().ok()?;
                    Some(abs.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(abs))
                })
                .flatten();
            // `a/` and `b/` are prefixed: an absolute path becomes relative to `/`.
            let shown = shown(resolved.as_deref().unwrap_or(path));
            shown.trim_start_matches("./").trim_start_matches('/').to_string()
        }
    }
}

/// The path with forward slashes; on Unix a `\` is part of a name.
fn shown(path: &Path) -> String {
    if cfg!(windows) {
        display_path(path)
    } else {
        path.to_string_lossy().into_owned()
    }
}

/// `a/b/../c` → `a/c`, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn git_relative(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(parent).ok()?;
    let top = dir.ancestors().find(|d| d.join(".git").exists())?;
    Some(dir.strip_prefix(top).ok()?.join(path.file_name()?))
}
