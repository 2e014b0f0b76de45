//! An analysis in LSP terms: UTF-16 positions, URIs, diagnostics, code actions, hovers.
//! Not for running the engine (`workspace.rs`) or the message loop (`mod.rs`).

use super::workspace::Analysis;
use crate::engine::{FileReport, Finding};
use crate::go::lines::LineIndex;
use crate::go::syntax;
use crate::plan;
use crate::rules::{FixSafety, TextEdit as ByteEdit};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Hover, HoverContents, Location, MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::PathBuf;

/// The code action kind of "apply every fix of the file".
pub const FIX_ALL: &str = "source.fixAll.mapfix";

/// What a title says of an unsafe fix.
pub const UNSAFE_MARK: &str = " (unsafe: may change behaviour)";

/// Byte offsets ↔ LSP positions (0-based lines, UTF-16 columns) in one text.
pub struct LineMap<'a> {
    text: &'a str,
    lines: LineIndex,
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str) -> Self {
        LineMap {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The position of a byte offset (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, column) = self.lines.line_col(offset);
        let column = self.text[offset + 1 - column..offset].encode_utf16().count();
        Position::new(line as u32 - 1, column as u32)
    }

    /// The byte offset of a position; a column past the end of its line
    /// means the line's end (before `\r\n`), a line past the last the
    /// text's end, as LSP asks.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize + 1;
        let Some(start) = self.lines.start(line) else {
            return self.text.len();
        };
        let end = self.lines.start(line + 1).map_or(self.text.len(), |next| next - 1);
        let line = self.text[start..end].trim_end_matches('\r');
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    pub fn range(&self, bytes: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(bytes.start), self.position(bytes.end))
    }
}

/// The path of a `file:` URI (`None` for other schemes and remote hosts).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let scheme_end = s.find(':')?;
    if !s[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = s[scheme_end + 1..].strip_prefix("//")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = String::from_utf8(percent_decode(path)?).ok()?;
    // `file:///C:/x` is `C:/x` on Windows.
    let windows_drive = cfg!(windows) && decoded.as_bytes().get(2) == Some(&b':');
    Some(PathBuf::from(if windows_drive { &decoded[1..] } else { &decoded[..] }))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path (percent-encoded as editors write it).
pub fn path_to_uri(path: &std::path::Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut encoded = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => encoded.push(b as char),
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    let slash = if encoded.starts_with('/') { "" } else { "/" };
    format!("file://{slash}{encoded}").parse().ok()
}

/// The text the analysis's byte offsets count in and where it starts in
/// the buffer (after a byte order mark, which the engine strips).
fn analysed(buffer: &str) -> (&str, usize) {
    match buffer.strip_prefix('\u{feff}') {
        Some(rest) => (rest, buffer.len() - rest.len()),
        None => (buffer, 0),
    }
}

fn severity(rule_severity: crate::rules::Severity) -> DiagnosticSeverity {
    use crate::rules::Severity;
    match rule_severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint | Severity::Off => DiagnosticSeverity::HINT,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

/// The diagnostics of an analysis of `buffer`.
pub fn diagnostics(analysis: &Analysis, buffer: &str, unsafe_fixes: bool) -> Vec<Diagnostic> {
    let map = LineMap::new(buffer);
    if let Some(problem) = &analysis.config_error {
        let mut d = Diagnostic::new_simple(Range::default(), problem.clone());
        d.severity = Some(DiagnosticSeverity::ERROR);
        d.source = Some("mapfix".into());
        d.code = Some(NumberOrString::String("config".into()));
        return vec![d];
    }
    let (_, base) = analysed(buffer);
    analysis
        .findings()
        .iter()
        .map(|f| diagnostic(f, &map, base, unsafe_fixes))
        .collect()
}

fn diagnostic(f: &Finding, map: &LineMap, base: usize, unsafe_fixes: bool) -> Diagnostic {
    let mut message = f.message.clone();
    match (&f.fix, &f.note) {
        (Some(fix), _) if fix.safety == FixSafety::Unsafe && !unsafe_fixes => message.push_str(&format!(
            "\nunsafe fix available (setting `unsafe`): {}",
            fix.full_description()
        )),
        (_, Some(note)) => message.push_str(&format!("\n{note}")),
        _ => {}
    }
    Diagnostic {
        range: map.range(&(f.range.start + base..f.range.end + base)),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.clone())),
        source: Some("mapfix".into()),
        message,
        related_information: related_information(f, map, base),
        ..Diagnostic::default()
    }
}

/// A finding's related locations as LSP `relatedInformation`: in the
/// buffer, placed by its line map; in another file, by the UTF-16 columns
/// counted when the location was made.
fn related_information(f: &Finding, map: &LineMap, base: usize) -> Option<Vec<DiagnosticRelatedInformation>> {
    let info: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| {
            let range = if r.path == f.path {
                map.range(&(r.range.start + base..r.range.end + base))
            } else {
                let at = |line: usize, column: usize| {
                    Position::new(line.saturating_sub(1) as u32, column.saturating_sub(1) as u32)
                };
                Range::new(at(r.line, r.utf16_column), at(r.end_line, r.utf16_end_column))
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(path_to_uri(&r.path)?, range),
                message: r.message.clone(),
            })
        })
        .collect();
    (!info.is_empty()).then_some(info)
}

/// Whether a client's `only` list (none: every kind) asks for `kind`: an
/// entry asks for its own kind and those below it (`source` → `source.fixAll.mapfix`).
fn kind_wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|list| {
        list.iter().any(|k| {
            let k = k.as_str();
            kind == k || kind.strip_prefix(k).is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// The code actions for `range` of the buffer: a quick fix for each fix of
/// a finding the range touches (unsafe ones only with `unsafe_fixes`), and
/// the file's fix-all when it changes anything.
pub fn code_actions(
    analysis: &Analysis,
    uri: &Uri,
    buffer: &str,
    range: Range,
    only: Option<&[CodeActionKind]>,
    unsafe_fixes: bool,
) -> Vec<CodeActionOrCommand> {
    let map = LineMap::new(buffer);
    let (text, base) = analysed(buffer);
    let crlf = text.contains("\r\n");
    let wanted = map.offset(range.start).saturating_sub(base)..map.offset(range.end).saturating_sub(base);
    let mut out = Vec::new();
    if kind_wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        for f in analysis.findings() {
            let touches = f.range.start <= wanted.end && wanted.start <= f.range.end;
            let Some(fix) = f
                .fix
                .as_ref()
                .filter(|x| touches && (x.safety == FixSafety::Safe || unsafe_fixes))
            else {
                continue;
            };
            let Some(edits) = analysis.report.as_ref().and_then(|r| quick_fix_edits(text, r, f)) else {
                continue;
            };
            let safe = fix.safety == FixSafety::Safe;
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!(
                    "mapfix: {}{}",
                    fix.full_description(),
                    if safe { "" } else { UNSAFE_MARK }
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(f, &map, base, unsafe_fixes)]),
                edit: Some(workspace_edit(uri, lsp_edits(&edits, &map, base, crlf))),
                is_preferred: Some(safe),
                ..CodeAction::default()
            }));
        }
    }
    let fixed = analysis.report.as_ref().and_then(|r| r.fixed_text.as_deref());
    if let (true, Some(fixed)) = (kind_wanted(only, FIX_ALL), fixed) {
        let edit = minimal_edit(text, fixed);
        let with_unsafe = analysis
            .findings()
            .iter()
            .filter(|f| f.fix_status().is_included())
            .filter_map(|f| f.fix.as_ref())
            .any(|x| x.safety == FixSafety::Unsafe);
        let title = match with_unsafe {
            true => "mapfix: apply all fixes (unsafe ones included)",
            false => "mapfix: apply all safe fixes",
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: title.into(),
            kind: Some(CodeActionKind::new(FIX_ALL)),
            edit: Some(workspace_edit(uri, lsp_edits(&[edit], &map, base, false))),
            ..CodeAction::default()
        }));
    }
    out
}

/// A finding's fix applied on its own, with the imports it needs (as the
/// engine planned them); `None` when the result would not parse (the engine
/// would leave the fix out).
fn quick_fix_edits(text: &str, report: &FileReport, f: &Finding) -> Option<Vec<ByteEdit>> {
    let edits = report.standalone_edits(f);
    let after = plan::apply_edits(text, &edits, false);
    syntax::first_error(&syntax::parse(&after).root())
        .is_none()
        .then_some(edits)
}

fn lsp_edits(edits: &[ByteEdit], map: &LineMap, base: usize, crlf: bool) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| {
            let text = match crlf {
                true => e.replacement.replace("\r\n", "\n").replace('\n', "\r\n"),
                false => e.replacement.clone(),
            };
            TextEdit::new(map.range(&(e.range.start + base..e.range.end + base)), text)
        })
        .collect()
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// One edit turning `old` into `new`: what lies between their common
/// prefix and common suffix (on character boundaries).
fn minimal_edit(old: &str, new: &str) -> ByteEdit {
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    ByteEdit {
        range: prefix..old.len() - suffix,
        replacement: new[prefix..new.len() - suffix].to_string(),
    }
}

/// The rationale (`mapfix explain`) of the rules whose findings hold `position`.
pub fn hover(analysis: &Analysis, buffer: &str, position: Position) -> Option<Hover> {
    let map = LineMap::new(buffer);
    let (_, base) = analysed(buffer);
    let at = map.offset(position).checked_sub(base)?;
    let hits: Vec<&Finding> = analysis
        .findings()
        .iter()
        .filter(|f| f.range.start <= at && at <= f.range.end)
        .collect();
    let mut texts: Vec<&str> = Vec::new();
    for f in &hits {
        if let Some(text) = analysis.explain.get(&f.rule).filter(|t| !texts.contains(&t.as_str())) {
            texts.push(text);
        }
    }
    let first = hits.first()?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: texts.join("\n---\n\n"),
        }),
        range: Some(map.range(&(first.range.start + base..first.range.end + base))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_both_ways() {
        let text = "a\r\n\"é😀\" x\nlast";
        let map = LineMap::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(map.position(x), Position::new(1, 6));
        assert_eq!(map.offset(Position::new(1, 6)), x);
        assert_eq!(
            map.offset(Position::new(0, 99)),
            1,
            "past the end of a line: before its \\r\\n"
        );
        assert_eq!(map.offset(Position::new(9, 0)), text.len());
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o) && !text[..o].ends_with('\r')) {
            assert_eq!(map.offset(map.position(offset)), offset, "offset {offset}");
        }
    }

    #[test]
    fn file_uris_become_paths() {
        let uri: Uri = "file:///tmp/a%20b/x%C3%A9.go".parse().unwrap();
        assert_eq!(uri_to_path(&uri), Some(PathBuf::from("/tmp/a b/xé.go")));
        assert_eq!(path_to_uri(&PathBuf::from("/tmp/a b/xé.go")), Some(uri));
        assert_eq!(uri_to_path(&"untitled:Untitled-1".parse().unwrap()), None);
        assert_eq!(uri_to_path(&"file://server/share/x.go".parse().unwrap()), None);
    }

    #[test]
    fn minimal_edit_spans_only_the_change() {
        let e = minimal_edit("aXb", "aYYb");
        assert_eq!((e.range, e.replacement.as_str()), (1..2, "YY"));
        let e = minimal_edit("aaa", "aa");
        assert_eq!(plan::apply_edits("aaa", &[e], false), "aa");
        let e = minimal_edit("é", "è");
        assert_eq!((e.range, e.replacement.as_str()), (0..2, "è"));
    }

    #[test]
    fn kinds_match_by_prefix() {
        let source = [CodeActionKind::SOURCE];
        let fix_all = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(kind_wanted(None, FIX_ALL));
        assert!(kind_wanted(Some(&source), FIX_ALL));
        assert!(kind_wanted(Some(&fix_all), FIX_ALL));
        assert!(!kind_wanted(Some(&fix_all), "quickfix"));
        assert!(!kind_wanted(Some(&[CodeActionKind::new("source.fix")]), FIX_ALL));
    }
}
