//! Unit tests of nil-map-write on single files: where the fix goes, when
//! there is none, and that a second run finds nothing.

use crate::rules::testing::run_rule;

const HEAD: &str = "package p\n\nimport \"time\"\n\ntype T struct {\n\tname  string\n\tspans map[string]time.Duration\n}\n\nfunc Named(n string) *T { return &T{name: n} }\n\n";

fn fixed(src: &str) -> String {
    let found = run_rule("nil-map-write", src, 22);
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].fixed.clone().expect("a fix")
}

#[test]
fn fix_goes_inside_the_loop_before_the_write_and_is_a_fixpoint() {
    let src = format!(
        "{HEAD}func (t *T) Add(ks []string) {{\n\tfor _, k := range ks {{\n\t\tt.spans[k] += time.Second\n\t}}\n}}\n"
    );
    let out = fixed(&src);
    assert!(
        out.contains("\tfor _, k := range ks {\n\t\tif t.spans == nil {\n\t\t\tt.spans = make(map[string]time.Duration)\n\t\t}\n\t\tt.spans[k] += time.Second\n"),
        "{out}"
    );
    assert!(
        run_rule("nil-map-write", &out, 22).is_empty(),
        "a second run finds nothing"
    );
}

#[test]
fn one_finding_per_function_and_field() {
    let src = format!("{HEAD}func (t *T) Two() {{\n\tt.spans[\"a\"] = 1\n\tt.spans[\"b\"]++\n}}\n");
    let found = run_rule("nil-map-write", &src, 22);
    assert_eq!(found.iter().map(|f| f.line).collect::<Vec<_>>(), [13]);
}

#[test]
fn no_fix_where_make_is_shadowed_or_the_owner_is_not_plain() {
    let shadowed = format!("{HEAD}func make() {{}}\n\nfunc (t *T) Add(k string) {{\n\tt.spans[k] = 0\n}}\n");
    let found = run_rule("nil-map-write", &shadowed, 22);
    assert_eq!(found.len(), 1);
    assert!(found[0].fixed.as_ref().unwrap_err().contains("make is not the builtin"));
    let deref = format!("{HEAD}func Add(p *T, k string) {{\n\t(*p).spans[k] = 0\n}}\n");
    let found = run_rule("nil-map-write", &deref, 22);
    assert_eq!(found.len(), 1);
    assert!(found[0].fixed.as_ref().unwrap_err().contains("not a plain expression"));
}

#[test]
fn silent_when_the_package_makes_the_field_or_checks_it() {
    for extra in [
        "func (t *T) init() { t.spans = map[string]time.Duration{} }\n",
        "func (t *T) ok() bool { return t.spans != nil }\n",
        "func (t *T) reset() { *t = T{spans: map[string]time.Duration{}} }\n",
    ] {
        let src = format!("{HEAD}{extra}\nfunc (t *T) Add(k string) {{\n\tt.spans[k] = 0\n}}\n");
        assert!(run_rule("nil-map-write", &src, 22).is_empty(), "{extra}");
    }
}

#[test]
fn a_write_under_a_test_of_an_entry_read_from_the_map_is_guarded() {
    // `v := x.f[k]; if v != nil { x.f[k] = … }` runs only when the map has the entry.
    let src = format!(
        "{HEAD}\nfunc (t *T) Drop(k string) {{\n\tv := t.spans[k]\n\tif v != 0 {{\n\t\tt.spans[k] = 0\n\t}}\n}}\n"
    );
    assert!(run_rule("nil-map-write", &src, 22).is_empty());
    let unguarded =
        format!("{HEAD}\nfunc (t *T) Drop(k string) {{\n\tv := 1\n\tif v != 0 {{\n\t\tt.spans[k] = 0\n\t}}\n}}\n");
    assert_eq!(run_rule("nil-map-write", &unguarded, 22).len(), 1);
}

#[test]
fn partial_values_of_a_package_that_makes_the_field_do_not_count() {
    let src = "package p\n\ntype T struct {\n\tid int\n\tm  map[int]int\n}\n\nfunc New(id int) *T { return &T{id: id, m: map[int]int{}} }\n\nfunc key(id int) *T { return &T{id: id} }\n\nfunc (t *T) Put(k int) {\n\tt.m[k] = 1\n}\n";
    assert!(run_rule("nil-map-write", src, 22).is_empty());
    let exported = src.replace("func key(", "func Key(");
    assert_eq!(run_rule("nil-map-write", &exported, 22).len(), 1);
}

#[test]
fn precondition_needs_an_index_write() {
    assert!(super::may_match("package p\nfunc f() { x.m[k] = 1 }\n"));
    assert!(super::may_match("package p\nfunc f() { m[k]++ }\n"));
    assert!(!super::may_match(
        "package p\nfunc f() { _ = m[k]; s := a[1:2]; _ = s }\n"
    ));
}
