//! The text precondition (see `go/prefilter.rs`): something that may write
//! a map (an index expression followed by an assignment or `++`/`--`, or a
//! call to `delete` or `clear`) in a file that starts a goroutine (`go …`,
//! `.Go(func…`) or defines an HTTP handler (`ServeHTTP`, `HandleFunc`,
//! `HandlerFunc`): the write may be in the goroutine's literal, in the
//! spawner after it (the read side), in a function started by name, or in
//! a handler. For a goroutine's literal alone, the map written outside it
//! must be one the literal names. Files that start goroutines but write no
//! such map are spared their parse.
//!
//! Read on tokens from the start of the file, so comments and strings
//! cannot mislead it; anything it cannot follow to the end counts as a
//! possible match.

use crate::go::lex::{self, Tok};

pub fn may_match(text: &str) -> bool {
    let word = |s: usize, e: usize| &text[s..e];
    let toks: Vec<(Tok, usize)> = lex::tokens(text).filter(|(t, _)| *t != Tok::Newline).collect();
    // Bracket depth, the depths at which the launched literals we are inside
    // began, and for each open `[` the word before it (`m` of `s.m[`).
    let mut depth = 0usize;
    let mut open: Vec<Literal> = Vec::new();
    let mut indexed: Vec<Option<&str>> = Vec::new();
    let mut named_or_handler = false;
    let mut written: Vec<&str> = Vec::new();
    let mut in_literals: std::collections::HashSet<&str> = Default::default();
    for (i, &(tok, at)) in toks.iter().enumerate() {
        let next = toks.get(i + 1).map(|(t, _)| *t);
        let prev_word = i.checked_sub(1).and_then(|p| match toks[p].0 {
            Tok::Word(s, e) => Some(word(s, e)),
            _ => None,
        });
        match tok {
            Tok::Word(s, e) => {
                let w = word(s, e);
                if !open.is_empty() {
                    in_literals.insert(w);
                }
                match w {
                    "func" if launches(text, &toks[..i]) => open.push(Literal { depth, in_body: false }),
                    "go" if !matches!(next, Some(Tok::Word(s, e)) if word(s, e) == "func") => named_or_handler = true,
                    "ServeHTTP" | "HandleFunc" | "HandlerFunc" => named_or_handler = true,
                    "delete" | "clear" if next == Some(Tok::Punct(b'(')) => {
                        if !open.is_empty() {
                            return true;
                        }
                        match toks.get(i + 2).map(|(t, _)| *t) {
                            Some(Tok::Word(s, e)) => written.push(word(s, e)),
                            _ => written.push(""),
                        }
                    }
                    _ => {}
                }
            }
            Tok::Punct(b'(' | b'[' | b'{') => {
                if tok == Tok::Punct(b'{') {
                    if let Some(lit) = open.last_mut().filter(|l| l.depth == depth) {
                        lit.in_body = true;
                    }
                }
                if tok == Tok::Punct(b'[') {
                    indexed.push(prev_word);
                }
                depth += 1;
            }
            Tok::Punct(b')' | b']' | b'}') => {
                let Some(d) = depth.checked_sub(1) else { return true };
                depth = d;
                let name = if tok == Tok::Punct(b']') {
                    indexed.pop().flatten()
                } else {
                    None
                };
                if matches!(tok, Tok::Punct(b']' | b')')) && lex::assignment_follows(text, at + 1) {
                    if !open.is_empty() {
                        return true;
                    }
                    // Outside a literal only a plain `m[k] op` counts (not a
                    // comment that may hide one).
                    let rest = text[at + 1..].trim_start_matches([' ', '\t']);
                    if tok == Tok::Punct(b']') && !rest.starts_with("//") && !rest.starts_with("/*") {
                        written.push(name.unwrap_or(""));
                    }
                }
                // A `{…}` at the literal's own depth closed: its body, unless
                // another `{` follows (that was a result type, `interface{}`).
                if tok == Tok::Punct(b'}') && next != Some(Tok::Punct(b'{')) {
                    while open.last().is_some_and(|l| l.depth == depth && l.in_body) {
                        open.pop();
                    }
                }
            }
            _ => {}
        }
    }
    // The text ended inside a literal: unsure.
    if !open.is_empty() {
        return true;
    }
    if written.is_empty() {
        return false;
    }
    // A named launch or a handler may write in a function of this file; a
    // launched literal may read a map written outside it (the read side).
    named_or_handler || written.iter().any(|w| w.is_empty() || in_literals.contains(w))
}

/// Whether a text (a function's declaration) may write a map: an index
/// expression followed by an assignment or `++`/`--`, or a `delete`/`clear`
/// call.
pub fn may_write_map(text: &str) -> bool {
    let toks: Vec<(Tok, usize)> = lex::tokens(text).filter(|(t, _)| *t != Tok::Newline).collect();
    toks.iter().enumerate().any(|(i, &(tok, at))| match tok {
        Tok::Punct(b']') => lex::assignment_follows(text, at + 1),
        Tok::Word(s, e) => {
            matches!(&text[s..e], "delete" | "clear") && toks.get(i + 1).map(|(t, _)| *t) == Some(Tok::Punct(b'('))
        }
        _ => false,
    })
}

struct Literal {
    /// Bracket depth at `func`.
    depth: usize,
    /// Whether a `{` has opened at that depth.
    in_body: bool,
}

/// Whether the tokens before a `func` launch it: `go func` or `.Go(func`.
fn launches(text: &str, before: &[(Tok, usize)]) -> bool {
    let is_word = |t: &(Tok, usize), w: &str| matches!(t.0, Tok::Word(s, e) if &text[s..e] == w);
    match before {
        [.., go] if is_word(go, "go") => true,
        [.., dot, go, paren] => dot.0 == Tok::Punct(b'.') && is_word(go, "Go") && paren.0 == Tok::Punct(b'('),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::may_match;

    #[test]
    fn a_possible_map_write_inside_a_launched_literal() {
        assert!(may_match("go func() {\n\tm[k] = 1\n}()"));
        assert!(may_match("go func() { m[k]++ }()"));
        assert!(may_match("go func() { m[f(k)] += 2 }()"));
        assert!(may_match("go func() { v, m[k] = 1, 2 }()"));
        assert!(may_match("go func() { m[k], ok = f() }()"));
        assert!(may_match("go func() { delete(m, k) }()"));
        assert!(may_match("go func() { clear(m) }()"));
        assert!(may_match("g.Go(func() error { s.m[k] = 1; return nil })"));
        assert!(may_match("go func() interface{} { m[k] = 1; return nil }()"));
        assert!(may_match("go func() { f(func() { m[k] = 1 }) }()"));
        assert!(may_match("go func() {\n\t// c\n\tm[k] = `x`\n}()"));
        assert!(
            may_match("go func(a, b int) {\n\tm[a] = b\n}(1, 2)"),
            "arguments of the call"
        );
    }

    #[test]
    fn writes_outside_the_literal_count_too() {
        assert!(
            may_match("go func() { f(m) }()\nm[k] = 1"),
            "a write after the literal of a map it names"
        );
        assert!(may_match("m[k] = 1\ngo func() { _ = m[k] }()"), "a write before it");
        assert!(may_match("go func() { f(s.m) }()\ns.m[k] = 1"));
        assert!(may_match("go func() { f(m) }()\ndelete(m, k)"));
        assert!(may_match("f := func() { m[k] = 1 }\ngo f()"), "a named launch");
        assert!(may_match("go s.loop()\nfunc (s *S) loop() { s.m[k] = 1 }"));
        assert!(may_match("func h(w W, r R) { m[k] = 1 }\nhttp.HandleFunc(\"/\", h)"));
        assert!(may_match("func (h H) ServeHTTP(w W, r R) { delete(m, k) }"));
    }

    #[test]
    fn files_without_launch_or_write_do_not_match() {
        assert!(!may_match("go func() { ch <- m[k] }()"));
        assert!(!may_match("go func() { if m[k] == 1 { f() } }()"));
        assert!(!may_match("go func() { x := m[k]; _ = x }()"));
        assert!(!may_match("go func() { s := \"m[k] = 1\"; _ = s }()"));
        assert!(!may_match("go func() {\n\t// m[k] = 1\n\tf()\n}()"));
        assert!(!may_match("go func() { if m[k] <= 1 { f() } }()"));
        assert!(!may_match("m[k] = 1\ndelete(m, k)"), "no goroutine, no handler");
        assert!(!may_match("// go run it\nm[k] = 1"), "a comment is no launch");
        assert!(
            !may_match("go func() { f(a) }()\nm[k] = 1\ndelete(b, k)"),
            "writes of maps no launched literal names"
        );
        assert!(!may_match("func (h H) ServeHTTP(w W, r R) { _ = m[k] }"));
    }
}
