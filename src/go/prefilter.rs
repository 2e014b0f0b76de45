//! The byte-level pre-filter that spares most files a parse: one
//! Aho-Corasick automaton over the `metadata.prefilter` tokens of every
//! enabled rule finds, in a single pass over a file, which rules can match
//! it; a rule's optional text precondition (a Rust function its module
//! gives, `rules::registry::RuleModule`) then looks closer. Both are necessary
//! conditions: a file they reject cannot hold a finding of that rule.
//! Preconditions read the file with the Go lexer's tokens and byte-level
//! looks (`go/lex.rs`).

use aho_corasick::{AhoCorasick, MatchKind};

/// A checker's text precondition: a necessary condition on a file's bytes.
pub type Precondition = fn(&str) -> bool;

/// Which of a fixed list of rules may match a file.
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Rule index of each automaton pattern.
    pattern_rule: Vec<usize>,
    /// Rules with no tokens: every file is a candidate for them.
    unconditional: Vec<bool>,
    preconditions: Vec<Option<Precondition>>,
}

impl Prefilter {
    /// Compiles each rule's tokens and precondition (indexes in the result
    /// follow `rules`).
    pub fn new<'a>(rules: impl IntoIterator<Item = (&'a [String], Option<Precondition>)>) -> Self {
        let mut tokens = Vec::new();
        let mut pattern_rule = Vec::new();
        let mut unconditional = Vec::new();
        let mut preconditions = Vec::new();
        for (i, (prefilter, precondition)) in rules.into_iter().enumerate() {
            for tok in prefilter.iter().filter(|t| !t.is_empty()) {
                tokens.push(tok.as_bytes());
                pattern_rule.push(i);
            }
            unconditional.push(prefilter.iter().all(String::is_empty));
            preconditions.push(precondition);
        }
        let automaton = (!tokens.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&tokens)
                .expect("prefilter tokens compile")
        });
        Prefilter {
            automaton,
            pattern_rule,
            unconditional,
            preconditions,
        }
    }

    /// For each rule, whether `text` may hold a match of it.
    pub fn candidates(&self, text: &str) -> Vec<bool> {
        let mut hit = self.token_hits(text);
        for (h, pre) in hit.iter_mut().zip(&self.preconditions) {
            if *h {
                if let Some(pre) = pre {
                    *h = pre(text);
                }
            }
        }
        hit
    }

    /// For each rule, whether `text` holds one of its tokens (or it has none).
    pub fn token_hits(&self, text: &str) -> Vec<bool> {
        let mut hit = self.unconditional.clone();
        let mut missing = hit.iter().filter(|h| !**h).count();
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(text.as_bytes()) {
                if missing == 0 {
                    break;
                }
                let rule = self.pattern_rule[m.pattern().as_usize()];
                if !hit[rule] {
                    hit[rule] = true;
                    missing -= 1;
                }
            }
        }
        hit
    }
}
