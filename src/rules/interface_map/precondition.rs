//! The text precondition (see `go/prefilter.rs`): a `map[string]any` (or
//! `map[string]interface{}`) that a local declaration gives a variable
//! (`m := map…{`, `m := make(map…`, `var m map…`) and that gets a
//! string-literal key somewhere: an entry of its literal (`{"k": …`) or an
//! index (`m["k"]`). Without a key there are no fields, so no finding;
//! parameters, results and slices of maps are never declarations.
//!
//! Anything it cannot read on one line counts as a possible match.

use crate::go::lex;

const SPELLINGS: [&str; 2] = ["map[string]any", "map[string]interface{}"];

pub fn may_match(text: &str) -> bool {
    SPELLINGS.iter().any(|spelling| {
        memchr::memmem::find_iter(text.as_bytes(), spelling.as_bytes())
            .any(|at| occurrence_may_match(text, at, at + spelling.len()))
    })
}

/// The map type written at `start..end`.
fn occurrence_may_match(text: &str, start: usize, end: usize) -> bool {
    let line_start = crate::go::lines::line_start(text, start);
    let mut before = text[line_start..start].trim_end();
    if let Some(b) = before.strip_suffix("make(") {
        before = b.trim_end();
    }
    let name = match declared_name(before) {
        Declared::Name(name) => Some(name),
        Declared::Unsure => return true,
        Declared::No => return false,
    };
    let rest = text[end..].trim_start_matches([' ', '\t', '\r', '\n']);
    if let Some(body) = rest.strip_prefix('{') {
        // A literal: string keys inside (or a comment in the way) will do.
        let body = body.trim_start_matches([' ', '\t', '\r', '\n']);
        if body.starts_with(['"', '`', '/']) {
            return true;
        }
    }
    name.is_some_and(|name| indexed_with_literal(text, name))
}

enum Declared<'a> {
    Name(&'a str),
    /// Not a form this one line tells (`a, b := …`, a `var (…)` block entry).
    Unsure,
    /// Not a declaration: a parameter, a result, a field, an element type…
    No,
}

/// The variable a line declares with the map type (or its value) after
/// `before`: `m :=`, `m =` (in a `var` block), `var m =`, `var m`.
fn declared_name(before: &str) -> Declared<'_> {
    let stripped = before
        .strip_suffix(":=")
        .or_else(|| before.strip_suffix('='))
        .map(str::trim_end);
    let assigned = stripped.is_some();
    let lhs = stripped.unwrap_or(before);
    let (var, lhs) = match lhs.trim_start().strip_prefix("var ") {
        Some(rest) => (true, rest.trim()),
        None => (false, lhs.trim()),
    };
    let is_ident = !lhs.is_empty() && lhs.bytes().all(lex::is_ident_byte) && !lhs.as_bytes()[0].is_ascii_digit();
    match (is_ident, assigned || var) {
        (true, _) if matches!(lhs, "return" | "case" | "go" | "defer") => Declared::No,
        // (`m map[string]any` alone: an entry of a `var (…)` block, or a field.)
        (true, _) => Declared::Name(lhs),
        // Empty: the type starts the line, what declares it is above.
        _ if lhs.is_empty() => Declared::Unsure,
        _ if assigned || var => Declared::Unsure,
        _ => Declared::No,
    }
}

/// Whether `name[` followed by a string literal (or a comment) occurs.
fn indexed_with_literal(text: &str, name: &str) -> bool {
    lex::word_occurrences(text, name).any(|at| {
        let rest = text[at + name.len()..].trim_start_matches([' ', '\t']);
        rest.strip_prefix('[')
            .map(|r| r.trim_start_matches([' ', '\t', '\r', '\n']))
            .is_some_and(|r| r.starts_with(['"', '`', '/']))
    })
}

#[cfg(test)]
mod tests {
    use super::may_match;

    #[test]
    fn needs_a_declared_map_with_a_literal_key() {
        assert!(may_match("m := map[string]any{\"a\": 1}"));
        assert!(may_match("m := map[string]interface{}{\n\t\"a\": 1,\n}"));
        assert!(may_match("m := map[string]any{}\nm[\"a\"] = 1"));
        assert!(may_match("m := make(map[string]any)\nm[\"a\"] = 1"));
        assert!(may_match("var m map[string]any\njson.Unmarshal(b, &m)\n_ = m[\"a\"]"));
        assert!(may_match("var m = map[string]any{}\nm [ `a` ] = 1"));
        assert!(may_match("var (\n\tm map[string]any\n)\nm[\"a\"] = 1"));
        assert!(
            may_match("m, ok := map[string]any{}, true"),
            "unsure: left to the parse"
        );
        assert!(may_match("m := map[string]any{ // fields\n}"));
    }

    #[test]
    fn other_uses_of_the_type_do_not_match() {
        assert!(!may_match("func f(m map[string]any) { _ = m[\"a\"] }"));
        assert!(!may_match("func f() map[string]any { return nil }\nx[\"a\"] = 1"));
        assert!(!may_match("xs := []map[string]any{}\nxs[\"a\"] = 1"));
        assert!(
            !may_match("m := map[string]any{}\nm[k] = 1\nn[\"a\"] = 1"),
            "no literal key on m"
        );
        assert!(!may_match(
            "m := make(map[string]any, n)\nfor k, v := range src {\n\tm[k] = v\n}"
        ));
        assert!(!may_match("var m map[string]any\nmm[\"a\"] = 1"));
        assert!(!may_match("type T struct {\n\tExtra map[string]any `json:\"x\"`\n}"));
        assert!(!may_match("return map[string]any{\"a\": 1}"));
        assert!(
            !may_match("a, m := 1, map[string]any{\"a\": 1}"),
            "one of several values"
        );
        assert!(!may_match("f(map[string]any{\"a\": 1}, x: map[string]any{\"b\": 2})"));
    }
}
