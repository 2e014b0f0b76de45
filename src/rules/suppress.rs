//! Suppression comments (SPEC §4): `//mapfix:ignore [RULE,...]` and
//! `//nolint[:list]` at the end of a construct's first line, or alone on
//! the line directly above it. A `//mapfix:ignore` list naming a rule that
//! does not exist is reported by the `unknown-suppression` rule
//! (`rules/unknown_suppression.rs`), which uses `ignore_list` below.

use crate::go::lines::LineIndex;

/// One suppression comment found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// 0-based line the comment is on.
    pub line: usize,
    /// Whether the comment is alone on its line (it then covers the next line).
    pub own_line: bool,
    /// Rules it names; empty means every rule.
    pub rules: Vec<String>,
    /// Byte offset of the comment, for reporting unknown rule names.
    pub offset: usize,
}

/// Finds every suppression comment in `text` (`//` comments only; a `//`
/// inside a string literal starts none).
pub fn scan(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut lines = None;
    for at in crate::go::lex::line_comments(text) {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let comment = text[at + 2..end].trim_end_matches('\r').trim_start();
        if let Some(rules) = parse_directive(comment) {
            let (line, column) = lines.get_or_insert_with(|| LineIndex::new(text)).line_col(at);
            out.push(Suppression {
                line: line - 1,
                own_line: text[at + 1 - column..at].trim().is_empty(),
                rules,
                offset: at,
            });
        }
    }
    out
}

/// The rules a directive names (empty: all), or `None` if it is no directive.
fn parse_directive(comment: &str) -> Option<Vec<String>> {
    let first = comment.split_whitespace().next()?;
    if first == "mapfix:ignore" || first.starts_with("mapfix:ignore:") {
        return Some(
            ignore_list(comment)
                .into_iter()
                .map(|(_, name)| name.to_string())
                .collect(),
        );
    }
    if first == "nolint" || first == "nolint:all" {
        return Some(Vec::new());
    }
    if let Some(list) = first.strip_prefix("nolint:") {
        let linters = split_list(list);
        if linters.iter().any(|l| l == "mapfix" || l == "all") {
            return Some(Vec::new());
        }
    }
    None
}

/// The rule names of a `mapfix:ignore` directive (`comment` starts after
/// `//`), each with its byte offset in `comment`. The grammar (README,
/// "Suppression"):
///
/// ```text
/// //mapfix:ignore[:]  [RULE[, RULE]...]  [-- reason | // reason]
/// ```
///
/// The list is the first word after the directive (or after its colon),
/// continued across spaces after commas (`rule-a, rule-b`); with no list,
/// every rule is ignored. Anything after the list is a reason; a reason for
/// a directive without a list starts with `--` or `//`, so that a word in
/// the list's place is read as a rule name (and reported if unknown).
pub fn ignore_list(comment: &str) -> Vec<(usize, &str)> {
    let Some(start) = comment.find("mapfix:ignore") else {
        return Vec::new();
    };
    let mut rest_at = start + "mapfix:ignore".len();
    if comment[rest_at..].starts_with(':') {
        rest_at += 1;
    } else if !comment[rest_at..].is_empty() && !comment[rest_at..].starts_with(char::is_whitespace) {
        return Vec::new();
    }
    let mut names = Vec::new();
    loop {
        let rest = &comment[rest_at..];
        let word_at = rest_at + (rest.len() - rest.trim_start().len());
        let word = comment[word_at..].split_whitespace().next().unwrap_or("");
        if word.is_empty() || word.starts_with("//") || word.starts_with("--") {
            break;
        }
        let mut at = word_at;
        for part in word.split(',') {
            if !part.is_empty() {
                names.push((at, part));
            }
            at += part.len() + 1;
        }
        rest_at = word_at + word.len();
        if !word.ends_with(',') {
            break;
        }
    }
    names
}

fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a finding of `rule` starting on `line` (0-based) is suppressed.
pub fn is_suppressed(suppressions: &[Suppression], rule: &str, line: usize) -> bool {
    suppressions.iter().any(|s| {
        let covers = s.line == line || (s.own_line && s.line + 1 == line);
        covers && (s.rules.is_empty() || s.rules.iter().any(|r| r == rule))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_directives() {
        let text = "a //mapfix:ignore\n// mapfix:ignore range-delete,nil-reset\nb\nc //nolint:errcheck,mapfix\nd //nolint:errcheck\ne // some text mapfix:ignore\n";
        let s = scan(text);
        assert_eq!(s.len(), 3);
        assert!(is_suppressed(&s, "x", 0));
        assert!(is_suppressed(&s, "nil-reset", 2));
        assert!(!is_suppressed(&s, "loopvar-pointer", 2));
        assert!(is_suppressed(&s, "x", 3));
        assert!(!is_suppressed(&s, "x", 4));
        assert!(!is_suppressed(&s, "x", 5));
    }

    #[test]
    fn ignore_list_reads_names_with_offsets() {
        assert_eq!(ignore_list("mapfix:ignore"), []);
        assert_eq!(ignore_list("mapfix:ignore a,b"), [(14, "a"), (16, "b")]);
        assert_eq!(ignore_list("mapfix:ignore a, b because"), [(14, "a"), (17, "b")]);
        assert_eq!(ignore_list("mapfix:ignore a // reason"), [(14, "a")]);
        assert_eq!(ignore_list("mapfix:ignorea"), []);
    }

    #[test]
    fn a_double_slash_in_a_string_starts_no_comment() {
        let s = scan("u := \"http://x\" //mapfix:ignore\nv := `//mapfix:ignore`\n");
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(is_suppressed(&s, "nil-reset", 0));
        assert!(!is_suppressed(&s, "nil-reset", 1));
    }

    #[test]
    fn reasons_follow_the_list_or_a_separator() {
        assert_eq!(ignore_list("mapfix:ignore -- legacy code"), []);
        assert_eq!(ignore_list("mapfix:ignore // legacy code"), []);
        assert_eq!(ignore_list("mapfix:ignore nil-reset -- legacy"), [(14, "nil-reset")]);
        assert_eq!(
            ignore_list("mapfix:ignore:nil-reset,range-delete // legacy"),
            [(14, "nil-reset"), (24, "range-delete")]
        );
        assert_eq!(ignore_list("mapfix:ignore: legacy"), [(15, "legacy")]);
        assert_eq!(ignore_list("mapfix:ignore because legacy"), [(14, "because")]);
        let all = scan("x //mapfix:ignore -- because legacy\n");
        assert!(is_suppressed(&all, "nil-reset", 0));
    }

    #[test]
    fn spaced_lists_are_honoured() {
        let s = scan("x //mapfix:ignore range-delete, nil-reset reason\n");
        assert!(is_suppressed(&s, "nil-reset", 0));
        assert!(!is_suppressed(&s, "reason", 0));
    }
}
