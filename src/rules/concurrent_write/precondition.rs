//! The text precondition (see `go/prefilter.rs`): something that may write
//! a map (an index expression followed by an assignment or `++`/`--`, or a
//! call to `delete` or `clear`) in a file that starts a goroutine (`go …`,
//! `.Go(func…`) or defines an HTTP handler (`ServeHTTP`, `HandleFunc`,
//! `HandlerFunc`): the write may be in the goroutine's literal, in the
//! spawner after it (the read side), in a function started by name, or in
//! a handler. Files that start goroutines but write no map are spared their
//! parse.
//!
//! Read on tokens from the start of the file, so comments and strings
//! cannot mislead it; anything it cannot follow to the end counts as a
//! possible match.

use crate::go::lex::{self, Tok};

pub fn may_match(text: &str) -> bool {
    let word = |s: usize, e: usize| &text[s..e];
    let toks: Vec<(Tok, usize)> = lex::tokens(text).filter(|(t, _)| *t != Tok::Newline).collect();
    let mut starts = false;
    let mut writes = false;
    for (i, &(tok, at)) in toks.iter().enumerate() {
        let next = toks.get(i + 1).map(|(t, _)| *t);
        match tok {
            Tok::Word(s, e) => match word(s, e) {
                "go" => starts = true,
                "Go" if i > 0 && toks[i - 1].0 == Tok::Punct(b'.') => starts = true,
                "ServeHTTP" | "HandleFunc" | "HandlerFunc" => starts = true,
                "delete" | "clear" if next == Some(Tok::Punct(b'(')) => writes = true,
                _ => {}
            },
            Tok::Punct(b']') if lex::assignment_follows(text, at + 1) => writes = true,
            _ => {}
        }
        if starts && writes {
            return true;
        }
    }
    false
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
            may_match("go func() { f() }()\nm[k] = 1\ndelete(m, k)"),
            "writes after the literal"
        );
        assert!(may_match("m[k] = 1\ngo func() { f() }()"), "writes before it");
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
        assert!(!may_match("func (h H) ServeHTTP(w W, r R) { _ = m[k] }"));
    }
}
