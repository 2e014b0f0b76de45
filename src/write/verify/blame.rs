//! Which fix broke a package: each `file.go:LINE` position in a tool's
//! output is mapped through a line diff of the written file back to the
//! original lines it came from, and so to the fixes applied there.

use super::WrittenFile;

/// A fix applied to a written file: its rule and original lines (1-based, inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedFix {
    pub rule: String,
    pub first_line: usize,
    pub last_line: usize,
}

/// `file:line` sites of the tool output that fall inside changed lines, with
/// the rules of the fixes there, e.g. `("bad.go:4", ["map-size"])`.
pub fn blame(output: &str, files: &[&WrittenFile]) -> Vec<(String, Vec<String>)> {
    let mut sites: Vec<(String, Vec<String>)> = Vec::new();
    for (name, line) in positions(output) {
        let Some(file) = files
            .iter()
            .find(|f| f.path.file_name().is_some_and(|n| n.to_string_lossy() == name))
        else {
            continue;
        };
        let Some(old_lines) = original_lines(file, line) else {
            continue;
        };
        let mut rules: Vec<String> = file
            .fixes
            .iter()
            .filter(|fx| fx.first_line <= old_lines.1 && old_lines.0 <= fx.last_line)
            .map(|fx| fx.rule.clone())
            .collect();
        rules.sort();
        rules.dedup();
        let site = format!("{name}:{line}");
        if !rules.is_empty() && !sites.iter().any(|(s, _)| *s == site) {
            sites.push((site, rules));
        }
    }
    sites
}

/// `(file name, line)` of every `path/name.go:LINE` in the output.
fn positions(output: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for line in output.lines() {
        let mut rest = line;
        while let Some(i) = rest.find(".go:") {
            let start = rest[..i]
                .rfind(|c: char| c.is_whitespace() || c == '/')
                .map_or(0, |s| s + 1);
            let name = &rest[start..i + 3];
            let digits: String = rest[i + 4..].chars().take_while(char::is_ascii_digit).collect();
            if let (false, Ok(n)) = (name.is_empty(), digits.parse()) {
                out.push((name.to_string(), n));
            }
            rest = &rest[i + 4..];
        }
    }
    out
}

/// The original lines (1-based, inclusive) a changed line of the written
/// text comes from: the line of its diff hunk it most resembles, or the
/// whole hunk when none does; `None` when the line is unchanged.
fn original_lines(file: &WrittenFile, line: usize) -> Option<(usize, usize)> {
    let old = String::from_utf8_lossy(&file.original);
    let new = String::from_utf8_lossy(&file.written);
    let diff = crate::render::line_diff(old.as_ref(), new.as_ref());
    let target = line.checked_sub(1)?;
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_line = new.split_inclusive('\n').nth(target)?;
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if !new_range.contains(&target) {
            continue;
        }
        if tag == similar::DiffTag::Equal {
            return None;
        }
        if old_range.is_empty() {
            // Inserted lines: the fix at the line they were inserted before.
            return Some((old_range.start + 1, old_range.start + 1));
        }
        let best = old_range
            .clone()
            .map(|i| {
                (
                    i,
                    similar::TextDiff::from_chars(old_lines[i].trim(), new_line.trim()).ratio(),
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        return match best {
            Some((i, ratio)) if ratio >= RESEMBLES => Some((i + 1, i + 1)),
            _ => Some((old_range.start + 1, old_range.end)),
        };
    }
    None
}

/// How alike (similar's ratio) a fixed line and an original line must be to
/// count as the same line edited.
const RESEMBLES: f32 = 0.6;

#[cfg(test)]
mod tests {
    use super::*;

    fn written(original: &str, new: &str, fixes: &[(&str, usize, usize)]) -> WrittenFile {
        WrittenFile {
            path: "p/bad.go".into(),
            original: original.as_bytes().to_vec(),
            written: new.as_bytes().to_vec(),
            rules: fixes.iter().map(|f| f.0.to_string()).collect(),
            fixes: fixes
                .iter()
                .map(|&(rule, a, b)| AppliedFix {
                    rule: rule.into(),
                    first_line: a,
                    last_line: b,
                })
                .collect(),
        }
    }

    #[test]
    fn blames_the_fix_whose_lines_hold_the_error() {
        let old = "package p\n\nfunc f(m map[int]int) int {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\treturn len(m)\n}\n";
        let new = "package p\n\nfunc f(m map[int]int) int {\n\tclear(m)\n\treturn cap(m)\n}\n";
        let f = written(old, new, &[("range-delete", 4, 6), ("map-size", 7, 7)]);
        let out = "# example.com/p\nvet: ./bad.go:5:13: invalid argument: m for built-in cap";
        assert_eq!(
            blame(out, &[&f]),
            vec![("bad.go:5".to_string(), vec!["map-size".to_string()])]
        );
        // An error on an unchanged line blames no fix.
        assert!(blame("./bad.go:1:1: oops", &[&f]).is_empty());
    }

    #[test]
    fn inserted_lines_belong_to_the_fix_below_them() {
        let old = "func g() {\n\tdelete(files, fd)\n}\n";
        let new = "func g() {\n\tif old := files[fd]; old != nil {\n\t\t*old = jsFile{}\n\t}\n\tdelete(files, fd)\n}\n";
        let f = written(old, new, &[("pointer-zeroing", 2, 2)]);
        let sites = blame("p/bad.go:3:3: undefined: jsFile", &[&f]);
        assert_eq!(
            sites,
            vec![("bad.go:3".to_string(), vec!["pointer-zeroing".to_string()])]
        );
    }
}
