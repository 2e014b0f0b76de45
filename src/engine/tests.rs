//! The engine in-process: a fix's status through planning, writing and
//! restoring, and the edits a fix needs on its own.
use super::*;

#[test]
fn line_index_agrees_with_line_col() {
    let text = "ab\n\ncd\r\nlast";
    let idx = LineIndex::new(text);
    for offset in 0..=text.len() {
        assert_eq!(idx.line_col(offset), line_col(text, offset), "offset {offset}");
    }
}

/// The edits of a fix on its own, planned with the engine's parse, are
/// those `plan::standalone_edits` gives from the text (imports included).
#[test]
fn standalone_edits_are_planned_as_from_the_text() {
    let options = EngineOptions {
        unsafe_fixes: true,
        ..EngineOptions::default()
    };
    let engine = Engine::new(rules::builtin_rules(), options, VersionResolver::new(None));
    let body = "func F() {\n\tm := map[string]int{}\n\tgo func() {\n\t\tm[\"x\"] = 1\n\t}()\n\tv := m[\"x\"]\n\tfmt.Println(v)\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let mut with_imports = 0;
    for imports in [
        "import \"fmt\"\n",
        "import (\n\t\"fmt\"\n)\n",
        "import (\n\t\"fmt\"\n\t\"sync\"\n)\n",
    ] {
        let text = format!("package p\n\n{imports}\n{body}");
        let report = engine.process_text(&dir.path().join("p.go"), &text);
        for f in &report.findings {
            let Some(fix) = &f.fix else { continue };
            with_imports += usize::from(!fix.imports.is_empty());
            let expected = plan::standalone_edits(&text, &fix.edits, &fix.imports);
            assert_eq!(report.standalone_edits(f), expected, "{text}");
        }
    }
    assert_eq!(with_imports, 3);
}

/// Safety decides the status; writing marks the included fixes applied,
/// and restoring the file takes that back.
#[test]
fn the_status_is_decided_then_written_and_restored() {
    let engine = Engine::new(
        rules::builtin_rules(),
        EngineOptions::default(),
        VersionResolver::new(None),
    );
    let text = "package p\n\nfunc F(m map[string]int, f map[float64]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\tfor k := range f {\n\t\tdelete(f, k)\n\t}\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let mut report = engine.process_text(&dir.path().join("p.go"), text);
    let statuses = |r: &FileReport| -> Vec<FixStatus> { r.findings.iter().map(Finding::fix_status).collect() };
    assert_eq!(statuses(&report), [FixStatus::Included, FixStatus::LeftOut]);
    report.mark_written();
    assert!(report.written);
    assert_eq!(statuses(&report), [FixStatus::Applied, FixStatus::LeftOut]);
    report.mark_restored();
    assert!(!report.written && report.fixed_text.is_none());
    assert_eq!(statuses(&report), [FixStatus::Included, FixStatus::LeftOut]);
}
