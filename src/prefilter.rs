//! The byte-level pre-filter that spares most files a parse: one
//! Aho-Corasick automaton over the `metadata.prefilter` tokens of every
//! enabled rule finds, in a single pass over a file, which rules can match
//! it; a rule's optional text precondition (a Rust function its module
//! gives, `rules::registry::RuleModule`) then looks closer. Both are necessary
//! conditions: a file they reject cannot hold a finding of that rule.
//!
//! Also the small lexical helpers preconditions are written with. They err
//! on the side of "may match" around comments.

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
        for (h, pre) in hit.iter_mut().zip(&self.preconditions) {
            if *h {
                if let Some(pre) = pre {
                    *h = pre(text);
                }
            }
        }
        hit
    }
}

/// Whether `b` can be part of a Go identifier (bytes of non-ASCII letters included).
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Start offsets of `word` in `text` where it stands as a whole identifier.
pub fn word_occurrences<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, word.as_bytes()).filter(move |&at| {
        let end = at + word.len();
        (at == 0 || !is_ident_byte(bytes[at - 1])) && (end >= bytes.len() || !is_ident_byte(bytes[end]))
    })
}

/// What precedes offset `at`, looking back over whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// The last byte of the previous token, and its offset.
    Byte(u8, usize),
    /// A comment may lie in between: the previous token is unknown.
    Unknown,
    /// Only whitespace before `at`.
    Start,
    /// `at` itself is inside a line comment: not code.
    InComment,
}

/// The previous token's last byte before `at`, skipping whitespace, blank
/// lines and line comments. Says `Unknown` when that cannot be told from
/// the lines alone (a `/` that may end a block comment, a raw string or a
/// block comment on a line before), so callers can stay conservative.
pub fn byte_before(text: &str, at: usize) -> Before {
    let bytes = text.as_bytes();
    let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
    match code_len(&bytes[line_start..at]) {
        None => return Before::Unknown,
        Some(len) if len < at - line_start => return Before::InComment,
        Some(_) => {}
    }
    let mut i = at;
    loop {
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\r') {
            i -= 1;
        }
        if i == 0 {
            return Before::Start;
        }
        match bytes[i - 1] {
            b'\n' => {
                let line_end = i - 1;
                let line_start = memchr::memrchr(b'\n', &bytes[..line_end]).map_or(0, |n| n + 1);
                match code_len(&bytes[line_start..line_end]) {
                    Some(len) => i = line_start + len,
                    None => return Before::Unknown,
                }
            }
            b'/' => return Before::Unknown,
            b => return Before::Byte(b, i - 1),
        }
    }
}

/// The length of a line without its `//` comment; `None` when a raw string
/// or a block comment makes the line ambiguous on its own (one may have
/// begun on a line before and end on this one, even after a `//`).
fn code_len(line: &[u8]) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'`' => return None,
                b'/' if line.get(i + 1) == Some(&b'/') => {
                    let rest = &line[i..];
                    let ambiguous = memchr::memchr(b'`', rest).is_some() || memchr::memmem::find(rest, b"*/").is_some();
                    return (!ambiguous).then_some(i);
                }
                b'/' if line.get(i + 1) == Some(&b'*') => return None,
                b'*' if line.get(i + 1) == Some(&b'/') => return None,
                _ => {}
            },
        }
        i += 1;
    }
    Some(line.len())
}

/// An index or slice expression's brackets, as found by [`bracketed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bracketed {
    /// Just past the closing `]`.
    pub end: usize,
    /// A `:` at the top level inside: a slice expression (`a[i:j]`), which
    /// cannot be assigned to.
    pub slice: bool,
}

/// The brackets whose `[` is just before `from`, skipping strings and
/// runes; `None` when a comment, a raw string, an unbalanced closer or the
/// end of the text makes them uncertain.
pub fn bracketed(text: &str, from: usize) -> Option<Bracketed> {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    let mut slice = false;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = skip_quoted(bytes, i)?,
            b'`' => return None,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => return None,
            b':' if depth == 1 => slice = true,
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (bytes[i] == b']').then_some(Bracketed { end: i + 1, slice });
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset of the closing quote of the string or rune opening at `at`;
/// `None` if the line ends first.
fn skip_quoted(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return None,
            b if b == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the text at `at` (after spaces) assigns to or increments what
/// precedes it: `=` (not `==`), `op=`, `++`, `--`, or a `,` that continues
/// a list of assigned expressions (`m[k], ok = …`). A comment there, or a
/// list that goes on past the line, counts as a yes.
pub fn assignment_follows(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let rest_at = |i: usize| {
        i + bytes[i..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .unwrap_or(bytes.len() - i)
    };
    let at = rest_at(at);
    let rest = &bytes[at..];
    let ops: [&[u8]; 15] = [
        b"//", b"/*", b"++", b"--", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=", b"^=", b"<<=", b">>=", b"&^=",
    ];
    if (rest.starts_with(b"=") && !rest.starts_with(b"==")) || ops.iter().any(|op| rest.starts_with(op)) {
        return true;
    }
    if !rest.starts_with(b",") {
        return false;
    }
    // A list: assigned if an `=` follows on the line before anything closes it.
    let mut depth = 0usize;
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return bytes[..i].trim_ascii_end().ends_with(b","),
            b'"' | b'\'' => match skip_quoted(bytes, i) {
                Some(end) => i = end,
                None => return true,
            },
            b'`' => return true,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => return true,
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' | b';' if depth == 0 => return false,
            b']' | b')' | b'}' => depth -= 1,
            b'=' if depth == 0 => return bytes.get(i + 1) != Some(&b'='),
            b'!' | b'<' | b'>' if depth == 0 && bytes.get(i + 1) == Some(&b'=') => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_respect_identifier_boundaries() {
        let text = "nil nilable x.nil _nil nil2 (nil) é nil";
        let at: Vec<_> = word_occurrences(text, "nil").collect();
        assert_eq!(at, [0, 14, 29, text.len() - 3]);
    }

    #[test]
    fn byte_before_skips_whitespace_and_doubts_comments() {
        assert_eq!(byte_before("m =  nil", 5), Before::Byte(b'=', 2));
        assert_eq!(byte_before("m =\n\tnil", 5), Before::Byte(b'=', 2));
        assert_eq!(byte_before("m = /* c */ nil", 12), Before::Unknown);
        assert_eq!(byte_before("m = // c\n\tnil", 10), Before::Byte(b'=', 2));
        assert_eq!(
            byte_before("{ // \"x\"\n\t// more\n\n\tdelete", 20),
            Before::Byte(b'{', 0)
        );
        assert_eq!(byte_before("s := \"http://x\"\nnil", 16), Before::Byte(b'"', 14));
        assert_eq!(byte_before("x := `a\nb` +\nnil", 13), Before::Unknown);
        assert_eq!(byte_before("/* a\nb */\nnil", 10), Before::Unknown);
        assert_eq!(byte_before("  nil", 2), Before::Start);
        assert_eq!(byte_before("x = 1 // or nil", 12), Before::InComment);
        assert_eq!(byte_before("s := \"//\" + nil", 12), Before::Byte(b'+', 10));
        assert_eq!(byte_before("a\n// x ` y\nnil", 11), Before::Unknown);
        assert_eq!(byte_before("a\nb // c */ nil", 12), Before::Unknown);
    }

    #[test]
    fn finds_brackets_and_assignments() {
        let text = "m[k[1]] = 1; m[\"]\"] += 2; m[f(x)]++; m[k] == 1; m[k][j] = 3; m[/* c */k] = 1; m[i:j] = x";
        let found: Vec<_> = text.match_indices("m[").map(|(i, _)| bracketed(text, i + 2)).collect();
        let ends: Vec<_> = found.iter().map(|b| b.map(|b| b.end)).collect();
        assert_eq!(ends[..5], [Some(7), Some(19), Some(33), Some(41), Some(52)]);
        assert_eq!(ends[5], None, "a comment in the way");
        assert_eq!(found[6].map(|b| b.slice), Some(true));
        assert!(found[..5].iter().all(|b| !b.unwrap().slice));
        let assigned: Vec<_> = ends[..5].iter().map(|e| assignment_follows(text, e.unwrap())).collect();
        assert_eq!(assigned, [true, true, true, false, false]);
        assert!(assignment_follows("] // c", 1));
        assert!(assignment_follows("], x = 1, 2", 1));
        assert!(assignment_follows("], x[f(a, b)] = 1, 2", 1));
        assert!(assignment_follows("], x,\n\ty = 1, 2, 3", 1));
        assert!(!assignment_follows("], x)", 1));
        assert!(!assignment_follows("], x == y)", 1));
        assert!(!assignment_follows("], b\nreturn", 1));
        assert!(!assignment_follows("] <= 2", 1));
        assert!(!assignment_follows("]\n\t= 2", 1));
    }
}
