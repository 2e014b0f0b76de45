//! Baselines (SPEC §4): `--write-baseline FILE` records the current
//! findings; `--baseline FILE` then hides those and reports only new ones.
//! A finding is keyed by rule, path (relative to the baseline file's
//! directory) and a fingerprint of its matched text with whitespace
//! normalised, with a count for identical sites: no line numbers, so edits
//! elsewhere in a file do not bring recorded findings back.

use crate::engine::{FileReport, Finding};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The baseline file format version.
pub const VERSION: u32 = 1;

/// A baseline file that cannot be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("{}: cannot read baseline: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("{}: not a mapfix baseline: {error}", path.display())]
    Format { path: PathBuf, error: serde_json::Error },
    #[error("{}: baseline version {version} (this mapfix reads {VERSION})", path.display())]
    Version { path: PathBuf, version: u32 },
    #[error("{}: cannot write baseline: {error}", path.display())]
    Write { path: PathBuf, error: io::Error },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    path: String,
    fingerprint: String,
    count: usize,
}

type Key = (String, String, String);

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    dir: PathBuf,
    counts: BTreeMap<Key, usize>,
}

/// The fingerprint of a finding's matched text: FNV-1a (64 bit) of the text
/// with every run of whitespace turned into one space, as 16 hex digits.
pub fn fingerprint(snippet: &str) -> String {
    let normalised = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{:016x}", crate::hash::fnv1a64(normalised.as_bytes()))
}

/// The directory a baseline's paths are relative to.
fn base_dir(file: &Path) -> PathBuf {
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
}

fn key(dir: &Path, f: &Finding) -> Key {
    let abs = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
    let rel = abs.strip_prefix(dir).map(Path::to_path_buf).unwrap_or(abs);
    (
        f.rule.clone(),
        rel.to_string_lossy().replace('\\', "/"),
        fingerprint(&f.snippet),
    )
}

impl Baseline {
    pub fn load(file: &Path) -> Result<Baseline, BaselineError> {
        let path = || file.to_path_buf();
        let text = std::fs::read_to_string(file).map_err(|error| BaselineError::Read { path: path(), error })?;
        let parsed: BaselineFile =
            serde_json::from_str(&text).map_err(|error| BaselineError::Format { path: path(), error })?;
        if parsed.version != VERSION {
            return Err(BaselineError::Version {
                path: path(),
                version: parsed.version,
            });
        }
        let mut counts = BTreeMap::new();
        for e in parsed.findings {
            *counts.entry((e.rule, e.path, e.fingerprint)).or_default() += e.count;
        }
        Ok(Baseline {
            dir: base_dir(file),
            counts,
        })
    }

    /// Removes the findings the baseline records (each recorded count hides
    /// that many identical sites, in file order). Returns how many were hidden
    /// and whether any of them carried a fix this run would include.
    pub fn filter(&self, reports: &mut [FileReport]) -> (usize, bool) {
        let mut left = self.counts.clone();
        let (mut hidden, mut had_fix) = (0, false);
        for report in reports {
            report.findings.retain(|f| match left.get_mut(&key(&self.dir, f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    hidden += 1;
                    had_fix |= f.fix_status().is_included();
                    false
                }
                _ => true,
            });
        }
        (hidden, had_fix)
    }
}

/// Writes every finding of `reports` to `file`; returns how many.
pub fn write(file: &Path, reports: &[FileReport]) -> Result<usize, BaselineError> {
    let dir = base_dir(file);
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for f in reports.iter().flat_map(|r| r.findings.iter()) {
        *counts.entry(key(&dir, f)).or_default() += 1;
    }
    let total = counts.values().sum();
    let doc = BaselineFile {
        version: VERSION,
        findings: counts
            .into_iter()
            .map(|((rule, path, fingerprint), count)| Entry {
                rule,
                path,
                fingerprint,
                count,
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&doc).expect("baseline serialises") + "\n";
    std::fs::write(file, text).map_err(|error| BaselineError::Write {
        path: file.to_path_buf(),
        error,
    })?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_whitespace_layout() {
        assert_eq!(
            fingerprint("for k := range m {\n\tdelete(m, k)\n}"),
            fingerprint("for k := range m {\n        delete(m, k)\n    }")
        );
        assert_ne!(fingerprint("delete(m, k)"), fingerprint("delete(n, k)"));
        assert_eq!(fingerprint(""), "cbf29ce484222325");
    }
}
