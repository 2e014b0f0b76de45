//! The fix-point of one file: included fixes applied pass by pass (non-
//! overlapping ones together, with their imports), the text re-parsed and
//! the rules run again until nothing changes; a fix that cannot apply is
//! named, never dropped silently. Not detection or reporting (`engine`).

use super::{applies_to, Engine, Finding, LineIndex, MAX_PASSES};
use crate::engine::selection;
use crate::go::load::SourceFile;
use crate::go::syntax;
use crate::plan;
use crate::rules::suppress;
use crate::rules::{Fix, Rule, TextEdit};
use std::ops::Range;

/// What one fix pass did: the new text, which of its fixes it applied and the edits.
struct Pass {
    text: String,
    applied: Vec<usize>,
    edits: Vec<TextEdit>,
    /// Fixes left out, with why.
    rejected: Vec<(usize, String)>,
}

/// What fixing a file came to: its text, the first-pass fixes left out
/// (indices into the included findings) and a message for each fix left out.
pub(super) struct Fixed {
    pub text: String,
    pub left_out: Vec<usize>,
    pub problems: Vec<String>,
}

/// The (rule, finding range) of each fix offered to a pass.
type FixKeys = Vec<(String, Range<usize>)>;

/// The message for a fix left out of a file.
fn left_out(rule: &str, why: &str) -> String {
    format!("rule {rule}: a fix was not applied: {why}; the file's other fixes were")
}

/// A fix offered to a pass: the rule it comes from, its edits, the imports it needs.
struct PassFix {
    rule: String,
    edits: Vec<TextEdit>,
    imports: Vec<String>,
}

/// Carries a selection's pending fixes across a pass (see `selection::advance`).
fn advance_pending(pending: &mut Option<FixKeys>, keys: &FixKeys, applied: &[usize], edits: &[TextEdit], crlf: bool) {
    if let Some(p) = pending {
        let done: FixKeys = applied.iter().map(|&i| keys[i].clone()).collect();
        selection::advance(p, &done, edits, crlf);
    }
}

impl Engine {
    /// Applies the included fixes, re-parses and repeats until nothing
    /// changes. A fix left out is named (rule and why) in `problems`; the
    /// other fixes of the file are still applied.
    pub(super) fn fix_to_fixpoint(&self, source: &SourceFile, tree: &syntax::GoTree, findings: &[Finding]) -> Fixed {
        // With a selection, later passes apply only the selected fixes still pending.
        let mut pending = self.options.selection.as_ref().map(|s| s.pending_for(&source.path));
        let included: Vec<(usize, &Finding)> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.fix_status().is_included())
            .collect();
        let mut keys: FixKeys = included
            .iter()
            .map(|(_, f)| (f.rule.clone(), f.range.clone()))
            .collect();
        let first: Vec<PassFix> = included
            .iter()
            .filter_map(|(_, f)| {
                f.fix.as_ref().map(|x| PassFix {
                    rule: f.rule.clone(),
                    edits: x.edits.clone(),
                    imports: x.imports.clone(),
                })
            })
            .collect();
        let pass = self.apply_pass(source, &source.text, tree, &first);
        let mut problems: Vec<String> = pass
            .rejected
            .iter()
            .map(|(i, why)| left_out(&first[*i].rule, why))
            .collect();
        let left_out_first: Vec<usize> = pass.rejected.iter().map(|(i, _)| included[*i].0).collect();
        let mut text = pass.text;
        let done = |text: String, problems: Vec<String>| Fixed {
            text,
            left_out: left_out_first.clone(),
            problems,
        };
        advance_pending(&mut pending, &keys, &pass.applied, &pass.edits, source.crlf);
        let mut refused: Vec<(String, Range<usize>)> = Vec::new();
        for _ in 1..MAX_PASSES {
            // A fix may bring in the tokens of a rule the original text lacked.
            let rules: Vec<&Rule> = self
                .candidates(&text)
                .into_iter()
                .filter(|r| applies_to(r, source))
                .collect();
            let tree = syntax::parse(&text);
            let suppressions = suppress::scan(&text);
            let lines = LineIndex::new(&text);
            let selected: Vec<(String, Range<usize>, Fix)> = self
                .detect(source, &text, &tree, &rules, false)
                .into_iter()
                .filter(|(rule, det)| {
                    let line = lines.line_col(det.range.start).0 - 1;
                    !suppress::is_suppressed(&suppressions, &rule.id, line)
                })
                .filter(|(rule, det)| {
                    pending
                        .as_ref()
                        .is_none_or(|p| p.contains(&(rule.id.clone(), det.range.clone())))
                })
                .filter(|(rule, det)| !refused.contains(&(rule.id.clone(), det.range.clone())))
                .filter_map(|(rule, d)| d.fix.map(|p| (rule.id.clone(), d.range, p)))
                .filter(|(_, _, p)| self.fix_allowed(source, p.safety))
                .collect();
            if selected.is_empty() {
                return done(text, problems);
            }
            keys = selected
                .iter()
                .map(|(rule, range, _)| (rule.clone(), range.clone()))
                .collect();
            let fixes: Vec<PassFix> = selected
                .into_iter()
                .map(|(rule, _, p)| PassFix {
                    rule,
                    edits: p.edits,
                    imports: p.imports,
                })
                .collect();
            let pass = self.apply_pass(source, &text, &tree, &fixes);
            for (i, why) in &pass.rejected {
                problems.push(left_out(&fixes[*i].rule, why));
                refused.push(keys[*i].clone());
            }
            advance_pending(&mut pending, &keys, &pass.applied, &pass.edits, source.crlf);
            if pass.text == text && pass.rejected.is_empty() {
                // Fixes offered and none changed the text: they can never apply.
                for (rule, _) in &keys {
                    problems.push(left_out(rule, "its fix changes nothing"));
                }
                return done(text, problems);
            }
            text = pass.text;
        }
        // Still fixing after MAX_PASSES: the file is left as it was (SPEC §3), the rules named.
        let mut rules: Vec<&str> = keys.iter().map(|(r, _)| r.as_str()).collect();
        rules.sort();
        rules.dedup();
        for rule in rules {
            problems.push(format!(
                "rule {rule}: its fixes did not converge in {MAX_PASSES} passes; the file is left as it was"
            ));
        }
        Fixed {
            text: source.text.clone(),
            left_out: included.iter().map(|(i, _)| *i).collect(),
            problems,
        }
    }

    /// One pass: non-overlapping fixes applied with the imports they need.
    /// A fix whose result does not parse, or whose import cannot be added
    /// beside the other edits, is left out and named in `rejected`; the
    /// others are still applied.
    fn apply_pass(&self, source: &SourceFile, text: &str, tree: &syntax::GoTree, fixes: &[PassFix]) -> Pass {
        let groups: Vec<&[TextEdit]> = fixes.iter().map(|f| f.edits.as_slice()).collect();
        let mut accepted = plan::non_overlapping(&groups);
        let mut rejected = Vec::new();
        // An import edit that would overlap a fix's edit: the fixes needing
        // imports wait for the next pass (the other edit is in the text
        // then); one whose own edit is in the way can never be applied.
        let imports_of =
            |set: &[usize]| -> Vec<String> { set.iter().flat_map(|&i| fixes[i].imports.clone()).collect() };
        let adds = plan::import_edits(text, &tree.root(), &imports_of(&accepted));
        let in_the_way: Vec<usize> = accepted
            .iter()
            .copied()
            .filter(|&i| {
                fixes[i]
                    .edits
                    .iter()
                    .any(|x| adds.iter().any(|e| plan::overlaps(&x.range, &e.range)))
            })
            .collect();
        if !in_the_way.is_empty() {
            let clash = |edits: &[TextEdit], adds: &[TextEdit]| {
                edits
                    .iter()
                    .any(|x| adds.iter().any(|e| plan::overlaps(&x.range, &e.range)))
            };
            for &i in &in_the_way {
                let own = plan::import_edits(text, &tree.root(), &fixes[i].imports);
                if clash(&fixes[i].edits, &own) {
                    rejected.push((
                        i,
                        format!("its edit is where import {} must go", fixes[i].imports.join(", ")),
                    ));
                }
            }
            accepted.retain(|i| fixes[*i].imports.is_empty() && !rejected.iter().any(|(r, _)| r == i));
        }
        let build = |set: &[usize]| -> (String, Vec<TextEdit>) {
            let mut edits: Vec<TextEdit> = set.iter().flat_map(|&i| fixes[i].edits.clone()).collect();
            edits.extend(plan::import_edits(text, &tree.root(), &imports_of(set)));
            (plan::apply_edits(text, &edits, source.crlf), edits)
        };
        let parses = |out: &str| syntax::first_error(&syntax::parse(out).root()).is_none();
        let (mut out, mut edits) = build(&accepted);
        if !parses(&out) {
            // Find the fixes that break the parse: add them one at a time.
            let mut kept: Vec<usize> = Vec::new();
            for &i in &accepted {
                let mut trial = kept.clone();
                trial.push(i);
                let (t, _) = build(&trial);
                if parses(&t) {
                    kept = trial;
                } else {
                    rejected.push((i, "its fix produces code that does not parse".to_string()));
                }
            }
            accepted = kept;
            (out, edits) = build(&accepted);
        }
        Pass {
            text: out,
            applied: accepted,
            edits,
            rejected,
        }
    }
}
