//! Turning planned fixes into new file text: overlapping fixes resolved
//! deterministically (the earlier one wins, the later waits for the next
//! pass), edits applied back to front, missing imports added in gofmt order,
//! and CRLF files given CRLF in inserted text.

use crate::diagnostic::TextEdit;
use crate::go::syntax::{self, code_children, GoNode};

/// Picks, among fixes (each a group of edits applied together), those that
/// do not overlap an earlier one. Returns the indices accepted, in order.
pub fn non_overlapping(fixes: &[&[TextEdit]]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| (fixes[i].iter().map(|e| e.range.start).min().unwrap_or(0), i));
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut accepted = Vec::new();
    for i in order {
        let clashes = fixes[i].iter().any(|e| taken.iter().any(|t| overlaps(t, &e.range)));
        let self_clash = fixes[i]
            .iter()
            .enumerate()
            .any(|(a, x)| fixes[i].iter().skip(a + 1).any(|y| overlaps(&x.range, &y.range)));
        if !clashes && !self_clash {
            taken.extend(fixes[i].iter().map(|e| e.range.clone()));
            accepted.push(i);
        }
    }
    accepted
}

/// Ranges overlap, or are two insertions at the same point (order unknowable).
pub fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end)
        || (a.start == b.start)
        || (a.is_empty() && b.contains(&a.start))
        || (b.is_empty() && a.contains(&b.start))
}

/// Applies non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit], crlf: bool) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in sorted {
        let replacement = if crlf {
            to_crlf(&e.replacement)
        } else {
            e.replacement.clone()
        };
        out.replace_range(e.range.clone(), &replacement);
    }
    out
}

fn to_crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// The edits adding the import paths missing from the file, each in gofmt
/// order within the first import group (one edit per insertion point);
/// empty when nothing is missing.
pub fn import_edits(text: &str, root: &GoNode, paths: &[String]) -> Vec<TextEdit> {
    let specs: Vec<GoNode> = root.dfs().filter(|n| n.kind() == "import_spec").collect();
    let present: Vec<String> = specs
        .iter()
        .filter_map(|s| s.field("path"))
        .map(|p| p.text().trim_matches(['"', '`']).to_string())
        .collect();
    let mut missing: Vec<&String> = paths.iter().filter(|p| !present.contains(p)).collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Vec::new();
    }
    let decls: Vec<GoNode> = code_children(root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
        .collect();
    // A parenthesised `import ( … )` holds its specs directly.
    let paren = |d: &GoNode| d.children().find(|c| c.kind() == "(").map(|p| p.range().end);
    if let Some((list, open)) = decls.iter().find_map(|d| paren(d).map(|open| (d.clone(), open))) {
        // Each path goes before the first spec of the first group that sorts
        // after it, or after the group's last spec.
        let group = first_group(text, &list);
        let mut at_points: Vec<(usize, String)> = Vec::new();
        for m in &missing {
            let after = group
                .iter()
                .find(|s| s.field("path").is_some_and(|p| p.text().trim_matches('"') > m.as_str()));
            let at = match after {
                Some(s) => s.range().start,
                None => match group.last() {
                    Some(last) => text[last.range().end..]
                        .find('\n')
                        .map_or(text.len(), |i| last.range().end + i + 1),
                    None => open,
                },
            };
            let indent = syntax::line_indent(text, at);
            let line = if text[..at].ends_with('\n') {
                format!("\t\"{m}\"\n")
            } else if indent.is_empty() {
                format!("\n\t\"{m}\"")
            } else {
                format!("\"{m}\"\n{indent}")
            };
            match at_points.iter_mut().find(|(a, _)| *a == at) {
                Some((_, r)) => r.push_str(&line),
                None => at_points.push((at, line)),
            }
        }
        return at_points
            .into_iter()
            .map(|(at, mut replacement)| {
                // Right after `(` on its line: the last path ends its own line.
                if !text[..at].ends_with('\n') && syntax::line_indent(text, at).is_empty() {
                    replacement.push('\n');
                }
                TextEdit {
                    range: at..at,
                    replacement,
                }
            })
            .collect();
    }
    if let Some(single) = decls.first() {
        let Some(spec) = code_children(single).into_iter().find(|c| c.kind() == "import_spec") else {
            return Vec::new();
        };
        let mut all: Vec<String> = missing.iter().map(|m| format!("\"{m}\"")).collect();
        all.push(spec.text().to_string());
        all.sort_by_key(|s| s.split('"').nth(1).unwrap_or("").to_string());
        let body: String = all.iter().map(|s| format!("\t{s}\n")).collect();
        return vec![TextEdit {
            range: single.range(),
            replacement: format!("import (\n{body})"),
        }];
    }
    let Some(pkg) = code_children(root).into_iter().find(|n| n.kind() == "package_clause") else {
        return Vec::new();
    };
    let end = pkg.range().end;
    let imports = if missing.len() == 1 {
        format!("\n\nimport \"{}\"", missing[0])
    } else {
        let body: String = missing.iter().map(|m| format!("\t\"{m}\"\n")).collect();
        format!("\n\nimport (\n{body})")
    };
    vec![TextEdit {
        range: end..end,
        replacement: imports,
    }]
}

/// The edits of one fix applied on its own to `text`: its edits plus the
/// import edit it needs, as a fix pass adds it; sorted by position. Used to
/// show or export a single fix (interactive mode, quick fixes, SARIF
/// `fixes`); the engine plans it for the file as read with the parse it
/// already has (`standalone_import_edits`).
pub fn standalone_edits(text: &str, edits: &[TextEdit], imports: &[String]) -> Vec<TextEdit> {
    let mut all = edits.to_vec();
    if !imports.is_empty() {
        let tree = syntax::parse(text);
        all.extend(standalone_import_edits(text, &tree.root(), edits, imports));
    }
    all.sort_by_key(|e| (e.range.start, e.range.end));
    all
}

/// The import edits of `standalone_edits`, with the file's parse at hand:
/// those adding `imports` to `text`, or none when one would overlap `edits`.
pub fn standalone_import_edits(text: &str, root: &GoNode, edits: &[TextEdit], imports: &[String]) -> Vec<TextEdit> {
    if imports.is_empty() {
        return Vec::new();
    }
    let adds = import_edits(text, root, imports);
    if adds.iter().all(|e| edits.iter().all(|x| !overlaps(&x.range, &e.range))) {
        adds
    } else {
        Vec::new()
    }
}

/// The import specs of the first blank-line-separated group of a list.
fn first_group<'r>(text: &str, list: &GoNode<'r>) -> Vec<GoNode<'r>> {
    let specs: Vec<GoNode> = code_children(list)
        .into_iter()
        .filter(|c| c.kind() == "import_spec")
        .collect();
    let mut group = Vec::new();
    for s in specs {
        if let Some(prev) = group.last() {
            let prev: &GoNode = prev;
            if text[prev.range().end..s.range().start].matches('\n').count() > 1 {
                break;
            }
        }
        group.push(s);
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(a: usize, b: usize, r: &str) -> TextEdit {
        TextEdit {
            range: a..b,
            replacement: r.into(),
        }
    }

    #[test]
    fn overlapping_fixes_wait() {
        let f1 = [edit(0, 5, "x")];
        let f2 = [edit(3, 8, "y")];
        let f3 = [edit(9, 10, "z")];
        assert_eq!(non_overlapping(&[&f2, &f1, &f3]), vec![1, 2]);
    }

    #[test]
    fn applies_back_to_front_with_crlf() {
        let out = apply_edits("ab\r\ncd", &[edit(0, 1, "X\nY"), edit(4, 5, "Z")], true);
        assert_eq!(out, "X\r\nYb\r\nZd");
    }

    fn add(src: &str, paths: &[&str]) -> String {
        let tree = syntax::parse(src);
        let paths: Vec<String> = paths.iter().map(|s| s.to_string()).collect();
        apply_edits(src, &import_edits(src, &tree.root(), &paths), false)
    }

    #[test]
    fn adds_imports_in_gofmt_order() {
        assert_eq!(
            add("package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n", &["sync"]),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"sync\"\n)\n"
        );
        assert_eq!(
            add("package p\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n", &["sync"]),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n\t\"time\"\n)\n"
        );
        assert_eq!(
            add("package p\n\nimport \"fmt\"\n", &["sync"]),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n"
        );
        assert_eq!(
            add("package p\n\nfunc f() {}\n", &["sync"]),
            "package p\n\nimport \"sync\"\n\nfunc f() {}\n"
        );
        assert_eq!(
            add("package p\n\nimport \"sync\"\n", &["sync"]),
            "package p\n\nimport \"sync\"\n"
        );
    }

    /// Several imports, each at its own place in the group.
    #[test]
    fn several_imports_each_go_to_their_place() {
        assert_eq!(
            add(
                "package p\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n",
                &["strings", "errors", "unicode"]
            ),
            "package p\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n\t\"strings\"\n\t\"sync\"\n\t\"unicode\"\n)\n"
        );
    }
}
