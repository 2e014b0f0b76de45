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
    assert!(!super::may_match(
        "package p\nfunc f() { _ = m[k]; s := a[1:2]; _ = s }\n"
    ));
    // A local is written only when it may hold a function's result.
    for (body, may) in [
        ("m := load(); m[k]++", true),
        ("m = load ()\n\tm[k] = 1", true),
        ("m :=\n\t\tload(x)\n\tm[k] = 1", true),
        ("m, err := load(); m[k] = 1", true),
        ("a, m := 1, load(); m[k] = 1", true),
        ("var m = load(); m[k] = 1", true),
        ("var m map[int]int = load(); m[k] = 1", true),
        ("m := /* from */ load(); m[k] = 1", true),
        ("m := make(map[int]int); m[k]++", false),
        ("m := map[int]int{}; m[k] = 1", false),
        ("m := other.m; m[k] = 1", false),
        ("m[k]++", false),
    ] {
        let src = format!("package p\nfunc f() {{ {body} }}\n");
        assert_eq!(super::may_match(&src), may, "{body}");
    }
}

/// A package whose facts hide where a word search could miss them: a type
/// selected from a value (`b.Func`), a receiver naming the type, a
/// decoded package variable, a nil test of a variable named as a field, a
/// refill, builds in slices, a comment beside the type's name.
const SHAPES: &str = "package p\n\nimport \"encoding/json\"\n\ntype Func struct {\n\tvalues map[string]int\n\tnames  map[int]string\n}\n\ntype Block struct{ Func *Func }\n\nvar global Func\n\nvar cfg Func\n\nfunc (f *Func) Add(k string) { f.values[k]++ }\n\nfunc use(b *Block) { b.Func.names[1] = \"x\" }\n\nfunc load(data []byte) { _ = json.Unmarshal(data, &cfg) }\n\nfunc all() []*Func { return []*Func{{values: nil}, {}} }\n\nfunc check(names map[int]string) bool { return names == nil }\n\nfunc reset(f *Func) { *f = Func /* refill */ {names: map[int]string{}} }\n\nfunc fresh() *Func { v := new( Func ); var w Func; _ = w; return v }\n\nfunc none() map[string]int {\n\tif true {\n\t\treturn nil\n\t}\n\treturn map[string]int{}\n}\n\nfunc (f *Func) Set() { f.values = map[string]int{} }\n";

/// The facts a declaration-level parse gives for a key are those the whole
/// file gives about it, on every fixture file of the rule and on `SHAPES`,
/// for every field of every struct type and every function of the package.
#[test]
fn keyed_declaration_facts_equal_whole_file_facts() {
    use super::facts::{self, FileFacts};
    use super::keys::Key;
    use crate::go::syntax;
    use crate::go::types::{declared, Declared, FileIndex, PackageCache, PackageScope};
    use std::path::{Path, PathBuf};
    let about = |f: &FileFacts, key: Key| -> String {
        match key {
            Key::Field { type_name, field } => format!(
                "{:?} {} {} {} {} {}",
                f.builds.iter().filter(|b| b.type_name == type_name).collect::<Vec<_>>(),
                f.assigned.contains(field),
                f.refilled.contains(&format!("{type_name}.{field}")),
                f.refilled.contains(&format!("{type_name}.*")),
                f.nil_tested.contains(field),
                f.generated,
            ),
            Key::Func(name) => format!("{:?}", f.nil_map_funcs.get(name)),
            Key::Decoders => unreachable!("asked with a field"),
        }
    };
    let shapes = tempfile::tempdir().unwrap();
    std::fs::write(shapes.path().join("shapes.go"), SHAPES).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nil-map-write");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.push(shapes.path().to_path_buf());
    let (mut compared, mut partial, mut gated) = (0, 0, 0);
    for dir in dirs {
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "go") && !crate::go::load::is_test_file(p))
            .collect();
        let texts: Vec<String> = files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut funcs: Vec<String> = Vec::new();
        for text in &texts {
            let index = FileIndex::declarations(&syntax::parse(text).root());
            for (name, decl) in index.types.iter().filter(|(_, d)| d.is_struct()) {
                fields.extend(decl.fields().map(|(f, _)| (name.clone(), f.to_string())));
            }
            funcs.extend(index.funcs.iter().cloned());
        }
        let cache = PackageCache::default();
        for (path, text) in files.iter().zip(&texts) {
            let whole_tree = syntax::parse(text);
            let whole_root = whole_tree.root();
            let whole = facts::gather(&whole_root, &PackageScope::new(&whole_root, path, &cache));
            let keys = fields
                .iter()
                .map(|(t, f)| Key::Field { type_name: t, field: f })
                .chain(funcs.iter().map(|f| Key::Func(f)));
            for key in keys {
                let declared = |key: Key| {
                    let keep = |piece: &str, d: &crate::go::decls::Decl| key.keeps(piece, d);
                    let tree = declared::parse_declarations(text, &key.filter(&keep));
                    let root = tree.as_ref().map(|(t, _)| t.root());
                    let whole = root
                        .as_ref()
                        .is_some_and(|r| r.dfs().count() == whole_root.dfs().count());
                    let scope = root.as_ref().map(|r| PackageScope::new(r, path, &cache));
                    let declared = root
                        .as_ref()
                        .zip(scope.as_ref())
                        .zip(tree.as_ref())
                        .map(|((root, scope), (_, kept))| Declared { root, scope, kept });
                    (facts::gather_declared(declared, text), whole)
                };
                let (mut keyed, whole_parse) = declared(key);
                if let Key::Field { .. } = key {
                    keyed = FileFacts::merge(&keyed, &declared(Key::Decoders).0);
                }
                partial += usize::from(!whole_parse);
                assert_eq!(about(&keyed, key), about(&whole, key), "{key:?} in {}", path.display());
                // The word-level gate holds wherever the facts find a build
                // without the field.
                if let Key::Field { type_name, field } = key {
                    let may = super::keys::may_build_without(text, type_name, field);
                    let built = whole.builds.iter().any(|b| b.type_name == type_name && b.omits(field));
                    assert!(
                        may || !built,
                        "{key:?} in {}: a build without the field",
                        path.display()
                    );
                    gated += usize::from(!may);
                }
                compared += 1;
            }
        }
    }
    assert!(
        compared > 100 && partial * 2 > compared,
        "{partial} of {compared} parsed in part"
    );
    assert!(gated > 10, "{gated} of {compared} keys gated");
}

#[test]
fn a_build_without_the_field_is_seen_from_words() {
    use super::keys::may_build_without;
    let file = |body: &str| {
        format!("package p\n\ntype T struct {{\n\tm map[int]int\n\tn int\n}}\n\nfunc (t *T) get() int {{ return t.n }}\n\nfunc f(x int) {{\n\t{body}\n}}\n")
    };
    for (body, may) in [
        ("_ = &T{m: map[int]int{}, n: 1}", false),
        ("_ = T{map[int]int{}, 1}", false),
        ("_ = &T{\n\t\t// the map\n\t\tm: nil,\n\t}", false),
        ("_ = other.T{}", false),
        ("// T{} is built elsewhere", false),
        ("_ = &T{n: 1}", true),
        ("_ = T{}", true),
        ("_ = []T{{m: nil}, {}}", true),
        ("_ = map[int]T{x: {}}", true),
        ("_ = new(T)", true),
        ("var v T\n\t_ = v", true),
        ("_ = json.Unmarshal(nil, &cfg)", true),
        ("_ = T /* keyed */ {n: 1}", true),
    ] {
        assert_eq!(may_build_without(&file(body), "T", "m"), may, "{body}");
    }
}

#[test]
fn type_and_field_words_are_read_where_a_fact_can_be() {
    use super::keys::Key;
    let decls = crate::go::decls::split(SHAPES);
    let kept = |key: Key| -> Vec<Option<&str>> {
        decls
            .iter()
            .filter(|d| key.keeps(&SHAPES[d.range.clone()], d))
            .map(|d| crate::go::decls::func_name(SHAPES, d))
            .collect()
    };
    // `b.Func` selects a field, `(f *Func)` is a receiver and `Func *Func`
    // declares a field: none of them builds a Func. The type's declaration
    // and the two package variables are kept.
    let field = |type_name, field| Key::Field { type_name, field };
    assert_eq!(
        kept(field("Func", "other")),
        [None, None, None, Some("all"), Some("reset"), Some("fresh")]
    );
    // A decoder call is read once for every field.
    assert_eq!(kept(Key::Decoders), [Some("load")]);
    // `names == nil` on a parameter named like the field counts, as the
    // facts count it; a field's declaration and a key of a literal do not.
    assert_eq!(kept(field("Other", "names")), [Some("use"), Some("check")]);
}
