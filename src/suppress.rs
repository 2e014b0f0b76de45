//! Suppression comments (SPEC §4): `//mapfix:ignore [RULE,...]` and
//! `//nolint[:list]` at the end of a construct's first line, or alone on
//! the line directly above it. A `//mapfix:ignore` list naming a rule that
//! does not exist is reported by the `unknown-suppression` rule
//! (`rules/unknown_suppression.rs`), which uses `ignore_list` below.

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

/// Finds every suppression comment in `text`.
pub fn scan(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (line_no, line) in text.split('\n').enumerate() {
        if let Some(pos) = line.find("//") {
            let comment = line[pos + 2..].trim_end_matches('\r').trim_start();
            let own_line = line[..pos].trim().is_empty();
            if let Some(rules) = parse_directive(comment) {
                out.push(Suppression {
                    line: line_no,
                    own_line,
                    rules,
                    offset: offset + pos,
                });
            }
        }
        offset += line.len() + 1;
    }
    out
}

/// The rules a directive names (empty: all), or `None` if it is no directive.
fn parse_directive(comment: &str) -> Option<Vec<String>> {
    let first = comment.split_whitespace().next()?;
    if first == "mapfix:ignore" {
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
/// `//`), each with its byte offset in `comment`. The list is the first word
/// after the directive, continued across spaces after commas
/// (`rule-a, rule-b`); anything after it is a free-form reason.
pub fn ignore_list(comment: &str) -> Vec<(usize, &str)> {
    let Some(start) = comment.find("mapfix:ignore") else {
        return Vec::new();
    };
    let mut rest_at = start + "mapfix:ignore".len();
    let mut names = Vec::new();
    if !comment[rest_at..].starts_with(char::is_whitespace) {
        return names;
    }
    loop {
        let rest = &comment[rest_at..];
        let word_at = rest_at + (rest.len() - rest.trim_start().len());
        let word = comment[word_at..].split_whitespace().next().unwrap_or("");
        if word.is_empty() || word.starts_with("//") {
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
    fn spaced_lists_are_honoured() {
        let s = scan("x //mapfix:ignore range-delete, nil-reset reason\n");
        assert!(is_suppressed(&s, "nil-reset", 0));
        assert!(!is_suppressed(&s, "reason", 0));
    }
}
