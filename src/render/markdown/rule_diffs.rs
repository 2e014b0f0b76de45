//! Each rule's share of a file's diff, for the markdown body: a diff of the
//! file as read against the file with only that rule's changes, so a rule's
//! section shows only its own sites even where another rule's fix is a line away.
//!
//! Why not apply each rule's edits to the original: fixes run to a fixpoint,
//! and the report keeps only the first pass's edits (relative to the file as
//! read). A fix that waited for an overlapping one, a fix of text another fix
//! produced, and the added imports are in the fixed text but in no finding.
//! So the split starts from the real change, the file as read → the fixed
//! text (what is written): it is cut into regions (runs of changed lines),
//! each region goes to the rules that made it, and each rule's text is the
//! original with only its regions changed. A region two rules share (fixes
//! on adjacent lines) is split by the rules' own edits when those edits,
//! applied to the region as read, give exactly the region as fixed; when they
//! do not, every rule that touches it shows it whole.

use super::is_fixed;
use crate::engine::{line_col, FileReport};
use crate::plan;
use crate::render::{display_path, line_diff, unified_diff, RunResult};
use crate::rules::TextEdit;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// Per rule, per file path: the unified diff of that rule's changes.
pub(super) fn rule_diffs(run: &RunResult) -> BTreeMap<&str, BTreeMap<String, String>> {
    let mut out: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for report in &run.reports {
        for (rule, diff) in diffs_by_rule(run, report) {
            out.entry(rule).or_default().insert(display_path(&report.path), diff);
        }
    }
    out
}

/// A fixed finding: its rule, its lines and its edits (0-based lines, inclusive).
struct FixedSite<'a> {
    rule: &'a str,
    lines: (usize, usize),
    edits: Vec<(&'a TextEdit, (usize, usize))>,
    imports: bool,
}

/// A run of changed lines: line ranges in the old and the new text.
struct Region {
    old: Range<usize>,
    new: Range<usize>,
}

fn diffs_by_rule<'a>(run: &RunResult, report: &'a FileReport) -> Vec<(&'a str, String)> {
    let (Some(source), Some(fixed)) = (&report.source, &report.fixed_text) else {
        return Vec::new();
    };
    let old = source.text.as_str();
    let sites = fixed_sites(run, report, old);
    if sites.is_empty() {
        return Vec::new();
    }
    let diff = line_diff(old, fixed);
    let old_at = line_starts(diff.old_slices());
    let new_at = line_starts(diff.new_slices());
    // Per rule, the replacement text of each region it owns (by region index).
    let mut pieces: BTreeMap<&str, BTreeMap<usize, String>> = BTreeMap::new();
    let regions = regions(&diff);
    for (i, region) in regions.iter().enumerate() {
        let old_bytes = old_at[region.old.start]..old_at[region.old.end];
        let new_text = &fixed[new_at[region.new.start]..new_at[region.new.end]];
        let shares = split_by_edits(&sites, old, old_bytes, new_text, source.crlf).unwrap_or_else(|| {
            owners(&sites, region)
                .into_iter()
                .map(|r| (r, new_text.to_string()))
                .collect()
        });
        for (rule, text) in shares {
            pieces.entry(rule).or_default().insert(i, text);
        }
    }
    let path = display_path(&report.path);
    pieces
        .into_iter()
        .filter_map(|(rule, own)| {
            let mut text = String::with_capacity(old.len());
            let mut at = 0;
            for (i, piece) in &own {
                let region = &regions[*i];
                text.push_str(&old[at..old_at[region.old.start]]);
                text.push_str(piece);
                at = old_at[region.old.end];
            }
            text.push_str(&old[at..]);
            (text != old).then(|| (rule, unified_diff(&path, old, &text)))
        })
        .collect()
}

fn fixed_sites<'a>(run: &RunResult, report: &'a FileReport, old: &str) -> Vec<FixedSite<'a>> {
    let line = |offset: usize| line_col(old, offset).0 - 1;
    report
        .findings
        .iter()
        .filter(|f| is_fixed(run, f))
        .filter_map(|f| {
            let fix = f.fix.as_ref()?;
            let edits = fix
                .edits
                .iter()
                .filter(|e| e.range.end <= old.len())
                .map(|e| (e, (line(e.range.start), line(e.range.end.max(e.range.start + 1) - 1))))
                .collect();
            Some(FixedSite {
                rule: f.rule.as_str(),
                lines: (f.line - 1, f.end_line - 1),
                edits,
                imports: !fix.imports.is_empty(),
            })
        })
        .collect()
}

/// Byte offset of each line start, and of the end.
fn line_starts(lines: &[&str]) -> Vec<usize> {
    let mut at = Vec::with_capacity(lines.len() + 1);
    let mut offset = 0;
    at.push(0);
    for l in lines {
        offset += l.len();
        at.push(offset);
    }
    at
}

/// The changed regions of a diff, in order.
fn regions(diff: &similar::TextDiff<str>) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (old, new) = (op.old_range(), op.new_range());
        match out.last_mut() {
            Some(last) if last.old.end == old.start && last.new.end == new.start => {
                last.old.end = old.end;
                last.new.end = new.end;
            }
            _ => out.push(Region { old, new }),
        }
    }
    out
}

/// The region's text per rule when the fixes' own edits inside it, applied
/// to the region as read, give exactly the region as fixed: each rule gets
/// the region with only its edits applied. `None` when they do not (a fix
/// of a later pass, an import, an edit reaching outside the region).
fn split_by_edits<'a>(
    sites: &[FixedSite<'a>],
    old: &str,
    bytes: Range<usize>,
    new_text: &str,
    crlf: bool,
) -> Option<Vec<(&'a str, String)>> {
    let overlaps = |r: &Range<usize>| {
        if r.is_empty() {
            bytes.start <= r.start && r.start <= bytes.end
        } else {
            r.start < bytes.end && bytes.start < r.end
        }
    };
    let inside: Vec<(&str, &TextEdit)> = sites
        .iter()
        .flat_map(|s| s.edits.iter().map(move |(e, _)| (s.rule, *e)))
        .filter(|(_, e)| overlaps(&e.range))
        .collect();
    if inside.is_empty()
        || inside
            .iter()
            .any(|(_, e)| e.range.start < bytes.start || e.range.end > bytes.end)
    {
        return None;
    }
    let mut ranges: Vec<&Range<usize>> = inside.iter().map(|(_, e)| &e.range).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    if ranges.windows(2).any(|w| w[1].start < w[0].end) {
        // Overlapping edits: one of them waited for a later pass.
        return None;
    }
    let apply = |rule: Option<&str>| {
        let edits: Vec<TextEdit> = inside
            .iter()
            .filter(|(r, _)| rule.is_none_or(|rule| rule == *r))
            .map(|(_, e)| TextEdit {
                range: e.range.start - bytes.start..e.range.end - bytes.start,
                replacement: e.replacement.clone(),
            })
            .collect();
        plan::apply_edits(&old[bytes.clone()], &edits, crlf)
    };
    if apply(None) != new_text {
        return None;
    }
    let rules: BTreeSet<&str> = inside.iter().map(|(r, _)| *r).collect();
    Some(rules.into_iter().map(|r| (r, apply(Some(r)))).collect())
}

/// The rules a region belongs to when their edits do not account for it:
/// those with an edit on its lines, else those whose finding it touches,
/// else (an added import) those whose fixes add imports, else all.
fn owners<'a>(sites: &[FixedSite<'a>], region: &Region) -> BTreeSet<&'a str> {
    let (a, b) = if region.old.is_empty() {
        (region.old.start.saturating_sub(1), region.old.start)
    } else {
        (region.old.start, region.old.end - 1)
    };
    let touches = |(lo, hi): (usize, usize)| a <= hi + 1 && lo <= b + 1;
    let by = |pick: &dyn Fn(&FixedSite) -> bool| -> BTreeSet<&'a str> {
        sites.iter().filter(|s| pick(s)).map(|s| s.rule).collect()
    };
    [
        by(&|s| s.edits.iter().any(|(_, lines)| touches(*lines))),
        by(&|s| touches(s.lines)),
        by(&|s| s.imports),
        by(&|_| true),
    ]
    .into_iter()
    .find(|set| !set.is_empty())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site<'a>(rule: &'a str, edit: &'a TextEdit) -> FixedSite<'a> {
        FixedSite {
            rule,
            lines: (0, 0),
            edits: vec![(edit, (0, 0))],
            imports: false,
        }
    }

    #[test]
    fn a_shared_region_is_split_by_the_rules_edits() {
        let old = "a := 1\nb = nil\n";
        let one = TextEdit {
            range: 5..6,
            replacement: "2".into(),
        };
        let two = TextEdit {
            range: 11..14,
            replacement: "make(M)".into(),
        };
        let sites = [site("one", &one), site("two", &two)];
        let split = split_by_edits(&sites, old, 0..old.len(), "a := 2\nb = make(M)\n", false);
        assert_eq!(
            split,
            Some(vec![
                ("one", "a := 2\nb = nil\n".to_string()),
                ("two", "a := 1\nb = make(M)\n".to_string())
            ])
        );
        // The fixed text is not the edits' result (a later pass): no split.
        assert_eq!(
            split_by_edits(&sites, old, 0..old.len(), "a := 3\nb = make(M)\n", false),
            None
        );
        // Edits that overlap cannot be applied one rule at a time.
        let wide = TextEdit {
            range: 0..12,
            replacement: String::new(),
        };
        let sites = [site("one", &one), site("wide", &wide)];
        assert_eq!(split_by_edits(&sites, old, 0..old.len(), "il\n", false), None);
    }
}
