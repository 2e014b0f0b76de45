//! Go-style invocation: `./...` and `DIR/...` PATH patterns, a run with no
//! PATH covering what `go vet ./...` covers, a `go.work` workspace whose
//! modules keep their own Go versions, and `--force-exclude` on named files.

use crate::common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

fn write(dir: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// A file of package `pkg` with one delete-all loop (a range-delete finding).
fn looping(pkg: &str) -> String {
    format!(
        "package {pkg}\n\nfunc Reset{pkg}(m map[string]int) {{\n\tfor k := range m {{\n\t\tdelete(m, k)\n\t}}\n}}\n"
    )
}

/// A file whose loop stores a pointer to its range variable (loopvar-pointer
/// below Go 1.22), and a delete-all loop (a finding at every version).
fn pointers(pkg: &str) -> String {
    looping(pkg)
        + "\nfunc Index(xs []string) map[string]*string {\n\tm := map[string]*string{}\n\tfor _, v := range xs {\n\t\tm[v] = &v\n\t}\n\treturn m\n}\n"
}

/// (rule, path) of every finding of a `--format json` run.
fn findings(out: &Output) -> BTreeSet<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(doc["errors"].as_array().map(Vec::len), Some(0), "{doc}");
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn paths(set: &BTreeSet<(String, String)>) -> BTreeSet<String> {
    set.iter().map(|(_, p)| p.clone()).collect()
}

/// `go list` in `dir` with the workspace file honoured (unlike `crate::common::go`).
fn go_list_files(dir: &Path, pattern: &str) -> BTreeSet<String> {
    let out = Command::new(go_binary())
        .args([
            "list",
            "-f",
            "{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}\n{{end}}{{range .TestGoFiles}}{{$d}}/{{.}}\n{{end}}",
            pattern,
        ])
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env_remove("GOWORK")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let root = dir.canonicalize().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let p = Path::new(l).canonicalize().unwrap();
            p.strip_prefix(&root).unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn dot_dot_dot_walks_the_tree_as_go_vet_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        &[
            ("go.mod", "module example.com/m\n\ngo 1.22\n".into()),
            ("root.go", looping("m")),
            ("a/a.go", looping("a")),
            ("a/a_test.go", looping("a")),
            ("a/b/b.go", looping("b")),
            ("internal/c/c.go", looping("c")),
            ("vendor/example.com/v/v.go", looping("v")),
            ("a/testdata/t.go", looping("t")),
            ("_tools/x.go", looping("x")),
        ],
    );
    let all = findings(&mapfix(dir, &["--format", "json", "./..."]));
    assert_eq!(
        paths(&all),
        ["a/a.go", "a/a_test.go", "a/b/b.go", "internal/c/c.go", "root.go"]
            .map(String::from)
            .into()
    );
    // What `go vet ./...` checks, mapfix reads: no PATH, `.`, `./...` and `...` agree.
    assert_eq!(paths(&all), go_list_files(dir, "./..."));
    for args in [
        &["--format", "json"][..],
        &["--format", "json", "."],
        &["--format", "json", "..."],
    ] {
        assert_eq!(findings(&mapfix(dir, args)), all, "{args:?}");
    }
    // DIR/... is DIR and below; several patterns at once.
    let sub = findings(&mapfix(dir, &["--format", "json", "./a/...", "internal/..."]));
    assert_eq!(
        paths(&sub),
        ["a/a.go", "a/a_test.go", "a/b/b.go", "internal/c/c.go"]
            .map(String::from)
            .into()
    );
    // The fix applies through a pattern too.
    let out = mapfix(dir, &["-w", "a/b/..."]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(dir.join("a/b/b.go"))
        .unwrap()
        .contains("\tclear(m)\n"));
    assert!(!std::fs::read_to_string(dir.join("a/a.go"))
        .unwrap()
        .contains("clear(m)"));
}

#[test]
fn other_wildcards_are_a_usage_error_naming_the_pattern() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mapfix(tmp.path(), &["./.../cmd"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("./.../cmd") && err.contains("DIR/..."), "{err}");
}

#[test]
fn a_go_work_workspace_keeps_each_modules_go_version() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        &[
            ("go.work", "go 1.22\n\nuse (\n\t./old\n\t./new\n)\n".into()),
            ("old/go.mod", "module example.com/old\n\ngo 1.20\n".into()),
            ("old/p/p.go", pointers("p")),
            ("old/r/r.go", looping("r")),
            ("new/go.mod", "module example.com/new\n\ngo 1.22\n".into()),
            ("new/p/p.go", pointers("p")),
            ("new/r/r.go", looping("r")),
        ],
    );
    let out = mapfix(dir, &["--format", "json", "--unsafe", "./..."]);
    let found = findings(&out);
    // Go 1.20: the loop variable is shared, so the pointer finding; Go 1.22: not.
    assert!(
        found.contains(&("loopvar-pointer".into(), "old/p/p.go".into())),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(r, p)| r == "loopvar-pointer" && p.starts_with("new/")),
        "{found:?}"
    );
    // clear() exists from Go 1.21: only the new module's loop gets it.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fix_of = |path: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "range-delete" && f["path"] == path)
            .map(|f| f["fix"].clone())
    };
    assert!(fix_of("new/r/r.go").is_some_and(|f| f["description"].as_str().unwrap().contains("clear")));
    assert!(
        !fix_of("old/r/r.go").is_some_and(|f| f.is_object() && f["description"].as_str().unwrap().contains("clear"))
    );
    // Every package of the workspace (`go list work`: `./...` at a workspace
    // root with no go.mod is an error for the go command) is read.
    let listed = go_list_files(dir, "work");
    assert!(!listed.is_empty());
    assert!(listed.is_subset(&paths(&found)), "{listed:?} vs {found:?}");
}

#[test]
fn named_files_are_processed_unless_force_exclude() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        &[
            ("go.mod", "module example.com/m\n\ngo 1.22\n".into()),
            ("mapfix.toml", "exclude = [\"gen\"]\n".into()),
            ("gen/g.go", looping("gen")),
            ("vendor/example.com/v/v.go", looping("v")),
            ("a/a.go", looping("a")),
        ],
    );
    let named = ["gen/g.go", "vendor/example.com/v/v.go", "a/a.go"];
    let mut args = vec!["--format", "json"];
    args.extend(named);
    // Named: processed although config excludes gen/ and the walk skips vendor/.
    assert_eq!(paths(&findings(&mapfix(dir, &args))), named.map(String::from).into());
    // --force-exclude (what pre-commit hooks pass): only a/a.go.
    args.push("--force-exclude");
    let out = mapfix(dir, &args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(paths(&findings(&out)), ["a/a.go".to_string()].into());
    // Only excluded files named: nothing to do, exit 0.
    let out = mapfix(dir, &["--force-exclude", "gen/g.go"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}
