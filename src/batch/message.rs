//! Commit messages and pull-request titles for a repository's rewrite: the
//! subject names the rule (`mapfix: use clear() for delete-all loops (3
//! sites)`) or, for several rules, counts them; the body lists every rule.

use crate::engine::Finding;
use crate::rules::Rule;
use std::collections::{BTreeMap, BTreeSet};

/// Subjects longer than this fall back to a shorter combined form.
const SUBJECT_MAX: usize = 72;

/// The fixes of one rule in one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    pub rule: String,
    /// The rule's `docs.title`, or a generic phrase.
    pub title: String,
    pub sites: usize,
    pub files: usize,
}

/// Groups the fixes this run includes by rule (sorted by rule ID).
pub fn rule_changes<'a>(findings: impl Iterator<Item = &'a Finding>, rules: &[Rule]) -> Vec<RuleChange> {
    let mut by_rule: BTreeMap<&str, (usize, BTreeSet<&std::path::Path>)> = BTreeMap::new();
    for f in findings.filter(|f| f.fix_status().is_included()) {
        let entry = by_rule.entry(&f.rule).or_default();
        entry.0 += 1;
        entry.1.insert(&f.path);
    }
    by_rule
        .into_iter()
        .map(|(rule, (sites, files))| {
            let title = rules
                .iter()
                .find(|r| r.id == rule)
                .map(|r| r.docs.title.trim().to_string())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| format!("fix {rule} findings"));
            RuleChange {
                rule: rule.to_string(),
                title,
                sites,
                files: files.len(),
            }
        })
        .collect()
}

fn sites(n: usize) -> String {
    if n == 1 {
        "1 site".into()
    } else {
        format!("{n} sites")
    }
}

/// The one-line subject (also the pull-request title).
pub fn subject(changes: &[RuleChange]) -> String {
    match changes {
        [] => "mapfix: no changes".into(),
        [one] => format!("mapfix: {} ({})", one.title, sites(one.sites)),
        many => {
            let total: usize = many.iter().map(|c| c.sites).sum();
            let ids: Vec<&str> = many.iter().map(|c| c.rule.as_str()).collect();
            let named = format!(
                "mapfix: fix {} of Go map anti-patterns ({})",
                sites(total),
                ids.join(", ")
            );
            if named.chars().count() <= SUBJECT_MAX {
                named
            } else {
                format!(
                    "mapfix: fix {} of Go map anti-patterns ({} rules)",
                    sites(total),
                    many.len()
                )
            }
        }
    }
}

/// The full commit message: subject, blank line, one line per rule.
pub fn commit_message(changes: &[RuleChange]) -> String {
    let mut msg = format!("{}\n\nRewritten by mapfix:\n\n", subject(changes));
    for c in changes {
        let files = if c.files == 1 {
            "1 file".to_string()
        } else {
            format!("{} files", c.files)
        };
        msg.push_str(&format!("- {}: {} ({} in {files})\n", c.rule, c.title, sites(c.sites)));
    }
    msg.push_str("\n`mapfix explain RULE` shows each rule's rationale and fix safety.\n");
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(rule: &str, title: &str, sites: usize, files: usize) -> RuleChange {
        RuleChange {
            rule: rule.into(),
            title: title.into(),
            sites,
            files,
        }
    }

    #[test]
    fn one_rule_subject_names_it() {
        let c = [change("range-delete", "use clear() for delete-all loops", 3, 2)];
        assert_eq!(subject(&c), "mapfix: use clear() for delete-all loops (3 sites)");
        assert_eq!(
            commit_message(&c),
            "mapfix: use clear() for delete-all loops (3 sites)\n\nRewritten by mapfix:\n\n\
             - range-delete: use clear() for delete-all loops (3 sites in 2 files)\n\n\
             `mapfix explain RULE` shows each rule's rationale and fix safety.\n"
        );
    }

    #[test]
    fn several_rules_combine() {
        let c = [
            change("nil-reset", "re-make maps", 1, 1),
            change("range-delete", "use clear()", 2, 1),
        ];
        assert_eq!(
            subject(&c),
            "mapfix: fix 3 sites of Go map anti-patterns (nil-reset, range-delete)"
        );
        let many: Vec<_> = (0..6)
            .map(|i| change(&format!("some-long-rule-{i}"), "x", 1, 1))
            .collect();
        assert_eq!(subject(&many), "mapfix: fix 6 sites of Go map anti-patterns (6 rules)");
    }

    #[test]
    fn builtin_rules_have_titles() {
        let rules = crate::rules::builtin_rules();
        for r in &rules {
            assert!(!r.docs.title.trim().is_empty(), "{} has no docs.title", r.id);
        }
    }
}
