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
            out.write_all(unified_diff(&patch_path(&report.path), &old, &new).as_bytes())?;
        }
        for e in run.all_errors() {
            crate::report::write_error(err, &super::text::ErrorDiag::new(e, None))?;
        }
        Ok(())
    }
}

/// The path a patch names a file by: relative to its git work tree's top,
/// or as given.
pub fn patch_path(path: &Path) -> String {
    match git_relative(path) {
        Some(rel) => display_path(&rel),
        None => {
            // `a/` and `b/` are prefixed: an absolute path becomes relative to `/`.
            let shown = display_path(path);
            shown.trim_start_matches("./").trim_start_matches('/').to_string()
        }
    }
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
