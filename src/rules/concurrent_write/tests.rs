//! Unit tests of the whole rule on small sources: which writes are reported
//! (flow corner cases) and the exact text of the rewrite for each use form.

use crate::go::goversion::{GoVersion, VersionResolver};
use crate::go::load::SourceFile;
use crate::go::syntax;
use crate::go::types::{PackageCache, PackageScope};
use crate::plan;
use crate::rules::{builtin_rules, Detection, RuleContext};
use std::path::Path;

fn detect(src: &str, go: u32) -> Vec<Detection> {
    let path = Path::new("/nonexistent/cw/x.go");
    let file = SourceFile::from_bytes(
        path,
        src.as_bytes().to_vec(),
        &VersionResolver::new(Some(GoVersion(go))),
    )
    .unwrap();
    let tree = syntax::parse(&file.text);
    let root = tree.root();
    let cache = PackageCache::default();
    let scope = PackageScope::new(&root, path, &cache);
    let ctx = RuleContext::new(&file, &file.text, &scope, &[]);
    let rule = builtin_rules()
        .into_iter()
        .find(|r| r.id == "concurrent-write")
        .unwrap();
    rule.check(&ctx, &root)
}

/// Lines (1-based) of the reported writes.
fn lines(src: &str) -> Vec<usize> {
    detect(src, 22)
        .iter()
        .map(|d| crate::go::lines::line_col(src, d.range.start).0)
        .collect()
}

/// The file after the first detection's fix (edits and import).
fn fixed(src: &str, go: u32) -> String {
    let dets = detect(src, go);
    let det = dets.first().expect("a finding");
    let plan = det.fix.as_ref().unwrap_or_else(|| panic!("no fix: {:?}", det.note));
    let mut edits = plan.edits.clone();
    let tree = syntax::parse(src);
    edits.extend(plan::import_edits(src, &tree.root(), &plan.imports));
    plan::apply_edits(src, &edits, false)
}

fn note(src: &str) -> String {
    let dets = detect(src, 22);
    let det = dets.first().expect("a finding");
    assert!(det.fix.is_none(), "unexpected fix");
    det.note.clone().unwrap_or_default()
}

const HEAD: &str = "package p\n\nimport \"sync\"\n\n";

#[test]
fn deferred_read_runs_after_a_later_wait() {
    let body = "func f() (n int) {\n\tm := map[string]bool{}\n\tvar wg sync.WaitGroup\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tm[\"a\"] = true\n\t}()\n\tdefer func() { n = len(m) }()\n\twg.Wait()\n\treturn\n}\n";
    assert!(lines(&format!("{HEAD}{body}")).is_empty());
    let unwaited = body.replace("\twg.Wait()\n", "");
    assert_eq!(lines(&format!("{HEAD}{unwaited}")), vec![11]);
}

#[test]
fn break_after_launch_means_no_other_iteration() {
    let src = format!("{HEAD}func f(xs []int) {{\n\tm := map[int]int{{}}\n\tfor _, x := range xs {{\n\t\tif x > 0 {{\n\t\t\tgo func() {{\n\t\t\t\tm[x] = 1\n\t\t\t}}()\n\t\t\tbreak\n\t\t}}\n\t}}\n}}\n");
    assert!(lines(&src).is_empty());
}

#[test]
fn go_statement_passing_the_map_is_another_goroutine() {
    let src = format!("{HEAD}func f() {{\n\tm := map[int]int{{}}\n\tgo func() {{\n\t\tm[1] = 1\n\t}}()\n\tgo show(m)\n}}\n\nfunc show(map[int]int) {{}}\n");
    assert_eq!(lines(&src), vec![8]);
}

#[test]
fn one_finding_per_map_per_literal_at_its_first_write() {
    let src = format!("{HEAD}func f() {{\n\ta, b := map[int]int{{}}, map[int]int{{}}\n\tgo func() {{\n\t\tdelete(a, 0)\n\t\ta[1] = 1\n\t\tb[2]++\n\t\ta[3] = 3\n\t}}()\n\t_, _ = a[1], b[1]\n}}\n");
    assert_eq!(lines(&src), vec![8, 10]);
}

#[test]
fn receive_from_a_channel_the_goroutine_sends_on_mid_loop_does_not_wait() {
    // The goroutine keeps writing after each send: the receive proves nothing.
    let src = format!("{HEAD}func f(keys []string) {{\n\tm := map[string]int{{}}\n\tch := make(chan string)\n\tgo func() {{\n\t\tfor _, k := range keys {{\n\t\t\tm[k] = 1\n\t\t\tch <- k\n\t\t}}\n\t}}()\n\tk := <-ch\n\t_ = m[k]\n}}\n");
    assert_eq!(lines(&src), vec![10]);
}

#[test]
fn loads_in_every_statement_form() {
    let src = format!(
        "{HEAD}func f(v0 int) {{\n\tm := make(map[string]int)\n\tgo func() {{\n\t\tm[\"a\"] = 1\n\t}}()\n\tv0, ok := m[\"a\"]\n\tvar v1 int\n\tvar ok1 bool\n\tv1, ok1 = m[\"b\"]\n\t_, ok2 := m[\"c\"]\n\t_, _, _, _ = v0, ok, v1, ok1\n\t_ = ok2\n}}\n"
    );
    let out = fixed(&src, 22);
    assert!(
        out.contains("\tv0Value, ok := m.Load(\"a\")\n\tv0, _ = v0Value.(int)\n"),
        "{out}"
    );
    assert!(
        out.contains("\tvar v1Value any\n\tv1Value, ok1 = m.Load(\"b\")\n\tv1, _ = v1Value.(int)\n"),
        "{out}"
    );
    assert!(out.contains("\t_, ok2 := m.Load(\"c\")\n"), "{out}");
}

#[test]
fn stores_convert_to_the_map_types() {
    let src = format!(
        "{HEAD}type ID int64\n\ntype Node struct{{ n int }}\n\nfunc f(p *Node) {{\n\tm := map[ID]*Node{{1: nil, 2: {{n: 2}}}}\n\tgo func() {{\n\t\tm[3] = p\n\t\tm[4] = &Node{{}}\n\t\tm[5] = nil\n\t}}()\n\tm[6] = p\n}}\n"
    );
    let out = fixed(&src, 22);
    for want in [
        "\tvar m sync.Map\n\tm.Store(ID(1), (*Node)(nil))\n\tm.Store(ID(2), &Node{n: 2})\n",
        "m.Store(ID(3), p)",
        "m.Store(ID(4), &Node{})",
        "m.Store(ID(5), (*Node)(nil))",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn interface_values_use_comma_ok_assertions_in_range() {
    let src = format!(
        "{HEAD}func f(keys []string) {{\n\terrs := map[string]error{{}}\n\tfor _, k := range keys {{\n\t\tgo func() {{\n\t\t\terrs[k] = nil\n\t\t}}()\n\t}}\n\tfor key, err := range errs {{\n\t\tprintln(key, err)\n\t}}\n}}\n"
    );
    let out = fixed(&src, 17);
    assert!(
        out.contains(
            "errs.Range(func(k, value interface{}) bool {\n\t\tkey := k.(string)\n\t\terr, _ := value.(error)\n"
        ),
        "{out}"
    );
    assert!(out.contains("errs.Store(k, nil)"), "{out}");
}

#[test]
fn no_fix_reasons() {
    let launch = "\tgo func() {\n\t\tm[1] = 1\n\t}()\n";
    let case = |after: &str| format!("{HEAD}func f() int {{\n\tm := map[int]int{{}}\n{launch}{after}\treturn 0\n}}\n");
    assert!(note(&case("\tm = nil\n")).contains("`m = nil`"));
    assert!(note(&case("\tp := &m\n\t_ = p\n")).contains("address of m"));
    assert!(note(&case(
        "\tfor k := range m {\n\t\tif k > 1 {\n\t\t\tcontinue\n\t\t}\n\t}\n"
    ))
    .contains("continues the loop"));
    assert!(note(&case("\tfor k := range m {\n\t\tdefer println(k)\n\t}\n")).contains("defers a call"));
    assert!(note(&case("\tif v := m[1]; v > 0 {\n\t}\n")).contains("has no one-statement sync.Map form"));
}

#[test]
fn inner_break_and_continue_keep_the_range_fix() {
    let src = format!(
        "{HEAD}func f() {{\n\tm := map[int][]int{{}}\n\tgo func() {{\n\t\tm[1] = nil\n\t}}()\n\tfor k, vs := range m {{\n\t\tfor _, v := range vs {{\n\t\t\tif v == k {{\n\t\t\t\tbreak\n\t\t\t}}\n\t\t\tcontinue\n\t\t}}\n\t\tswitch k {{\n\t\tcase 1:\n\t\t\tbreak\n\t\t}}\n\t}}\n}}\n"
    );
    let out = fixed(&src, 22);
    assert!(
        out.contains("m.Range(func(key, value any) bool {\n\t\tk := key.(int)\n\t\tvs := value.([]int)\n"),
        "{out}"
    );
    assert!(out.ends_with("\t\t}\n\t\treturn true\n\t})\n}\n"), "{out}");
}

#[test]
fn adds_the_sync_import() {
    let src = "package p\n\nimport \"fmt\"\n\nfunc f() {\n\tm := map[int]int{}\n\tgo func() {\n\t\tm[1] = 1\n\t}()\n\tfmt.Println(\"x\")\n\tdelete(m, 1)\n}\n";
    let out = fixed(src, 22);
    assert!(
        out.starts_with("package p\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n"),
        "{out}"
    );
    assert!(out.contains("\tm.Delete(1)\n"), "{out}");
}
