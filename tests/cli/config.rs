//! `mapfix.toml`: discovery (nearest upward, `--config`), `exclude`,
//! `rule_dirs`, `[rules] enable/disable`, per-rule options, `--rule`
//! precedence, and config errors that point at their spot in the file.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

const LOOP: &str =
    "package p\n\nfunc f(m map[string]int) int {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\treturn len(m)\n}\n";

/// A module with `LOOP` in each of `files` and an optional config at the top.
fn tree(files: &[&str], config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    for f in files {
        let p = dir.path().join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, LOOP).unwrap();
    }
    if let Some(c) = config {
        std::fs::write(dir.path().join("mapfix.toml"), c).unwrap();
    }
    dir
}

fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = mapfix(dir, &all);
    assert_ne!(out.status.code(), Some(2), "{}", describe(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn paths(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(p, _)| p.as_str()).collect()
}

#[test]
fn exclude_skips_walked_files_but_not_named_ones() {
    let dir = tree(
        &["a.go", "gen/g.go", "x/y_test.go", "legacy/deep/l.go"],
        Some("exclude = [\"gen\", \"*_test.go\", \"legacy/**\"]\n"),
    );
    assert_eq!(paths(&findings(dir.path(), &["."])), ["a.go"]);
    assert_eq!(paths(&findings(dir.path(), &["gen/g.go", "."])), ["a.go", "gen/g.go"]);
    // Relative to the config file, wherever mapfix runs from.
    assert_eq!(paths(&findings(&dir.path().join("x"), &["."])), Vec::<&str>::new());
}

#[test]
fn nearest_config_upward_applies_and_config_flag_overrides() {
    let dir = tree(&["sub/a.go"], Some("[rules]\ndisable = [\"range-delete\"]\n"));
    assert!(findings(&dir.path().join("sub"), &["."]).is_empty());
    assert!(findings(dir.path(), &["sub/a.go"]).is_empty());
    let other = tempfile::tempdir().unwrap();
    let cfg = other.path().join("strict.toml");
    std::fs::write(&cfg, "exclude = []\n").unwrap();
    assert_eq!(findings(dir.path(), &["--config", cfg.to_str().unwrap(), "."]).len(), 1);
}

const OPT_IN_RULE: &str = "id: len-call\nlanguage: go\nseverity: info\nmessage: len of a map\nrule:\n  pattern: len($M)\nmetadata:\n  opt_in: true\n";

#[test]
fn rule_dirs_enable_disable_and_the_rule_flag() {
    let dir = tree(
        &["a.go"],
        Some("rule_dirs = [\"lint\"]\n[rules]\nenable = [\"len-call\"]\ndisable = [\"range-delete\"]\n"),
    );
    std::fs::create_dir(dir.path().join("lint")).unwrap();
    std::fs::write(dir.path().join("lint/len.yml"), OPT_IN_RULE).unwrap();
    let rules = |args: &[&str]| {
        findings(dir.path(), args)
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&["."]), ["len-call"]);
    // --rule restricts the run, whatever the config enables or disables.
    assert_eq!(rules(&["--rule", "range-delete", "."]), ["range-delete"]);
    assert_eq!(
        rules(&["--rule", "all", "--skip-rule", "len-call", "."]),
        ["range-delete"]
    );
    // Opt-in: without `enable`, the user rule stays off.
    std::fs::write(dir.path().join("mapfix.toml"), "rule_dirs = [\"lint\"]\n").unwrap();
    assert_eq!(rules(&["."]), ["range-delete"]);
}

#[test]
fn range_delete_prefer_make_changes_the_fix() {
    let dir = tree(
        &["a.go"],
        Some("[rules.range-delete]\nprefer = \"make\"\n\n[rules.nil-reset]\ncross_method = true\n"),
    );
    let out = mapfix(dir.path(), &["--unsafe", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("+\tm = make(map[string]int)"), "{}", describe(&out));
    let plain = tree(&["a.go"], Some("[rules.range-delete]\nprefer = \"clear\"\n"));
    let out = mapfix(plain.path(), &["."]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+\tclear(m)"),
        "{}",
        describe(&out)
    );
}

/// Runs with a bad config; returns stderr after checking exit 2.
fn config_error(config: &str) -> String {
    let dir = tree(&["a.go"], Some(config));
    let out = mapfix(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn unknown_key_is_shown_in_the_file() {
    let err = config_error("exclude = []\n\n[rules]\nenabel = [\"nil-reset\"]\n");
    assert!(err.contains("unknown field `enabel`"), "{err}");
    assert!(err.contains("mapfix.toml:4:1"), "{err}");
    assert!(err.contains(" 4 │ enabel = [\"nil-reset\"]"), "{err}");
}

#[test]
fn unknown_rule_id_suggests_the_near_one() {
    let err = config_error("[rules]\ndisable = [\"nil-reset\", \"range-delet\"]\n");
    assert!(
        err.contains("unknown rule \"range-delet\"; did you mean range-delete?"),
        "{err}"
    );
    assert!(err.contains("mapfix.toml:2:25"), "{err}");
}

#[test]
fn bad_values_are_shown_in_the_file() {
    let err = config_error("[rules.range-delete]\nprefer = \"fast\"\n");
    assert!(
        err.contains("unknown variant `fast`, expected `clear` or `make`"),
        "{err}"
    );
    assert!(err.contains("mapfix.toml:2:10"), "{err}");
    let err = config_error("[rules.nil-reset]\ncross_method = \"yes\"\n");
    assert!(err.contains("mapfix.toml:2:16"), "{err}");
    let err = config_error("[rules.interface-map]\ntests = \"yes\"\n");
    assert!(
        err.contains("invalid type: string \"yes\", expected a boolean"),
        "{err}"
    );
    assert!(err.contains("mapfix.toml:2:9"), "{err}");
    let err = config_error("[rules.interface-map]\ntest = true\n");
    assert!(err.contains("unknown field `test`, expected `tests`"), "{err}");
    assert!(err.contains("mapfix.toml:2:1"), "{err}");
    let err = config_error("exclude = [\"a[\"]\n");
    assert!(err.contains("bad exclude glob"), "{err}");
    let err = config_error("rule_dirs = [\"missing\"]\n");
    assert!(
        err.contains("cannot read rule directory") && err.contains("mapfix.toml:1:14"),
        "{err}"
    );
}

#[test]
fn json_output_carries_the_config_error() {
    let dir = tree(&["a.go"], Some("[rules]\ncolour = 1\n"));
    let out = mapfix(dir.path(), &["--format", "json", "."]);
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{doc}"
    );
    assert!(doc["errors"][0]["path"].as_str().unwrap().ends_with("mapfix.toml"));
}

/// The README's example `mapfix.toml` is a valid config.
#[test]
fn readme_example_config_loads() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```toml\n").expect("README has a toml example") + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    // As written: no directory is created for the example paths.
    let dir = tree(&["a.go", "gen/g.go"], Some(example));
    let found = findings(dir.path(), &["--unsafe", "."]);
    assert_eq!(found, [("a.go".to_string(), "range-delete".to_string())]);
}

/// User rules: a `pattern:` rule written for ast-grep's Go works unchanged;
/// a `kind:` this grammar does not have is a config error naming the rule
/// file and the kind, not a rule that silently matches nothing.
#[test]
fn user_rules_pattern_works_and_unknown_kind_is_an_error() {
    let dir = tree(&["a.go"], None);
    let rules = dir.path().join("lint");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("delete.yml"),
        "id: any-delete\nlanguage: go\nseverity: warning\nmessage: a delete call\nrule:\n  pattern: delete($M, $K)\n",
    )
    .unwrap();
    let got = findings(dir.path(), &["--rules", "lint", "--rule", "any-delete"]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "any-delete");

    // `func_literal` is tree-sitter-go's name; this grammar calls it `function_literal`.
    std::fs::write(
        rules.join("old.yml"),
        "id: old-kind\nlanguage: go\nseverity: warning\nmessage: a literal\nrule:\n  kind: func_literal\n",
    )
    .unwrap();
    let out = mapfix(dir.path(), &["--rules", "lint", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("old.yml") && err.contains("unknown node kind `func_literal`"),
        "{err}"
    );
}

/// The nearest `go.mod` (and `mapfix.toml`) is found from the file's
/// absolute directory however the PATH is spelled: run from a package
/// directory of a `go 1.20` module, no spelling offers `clear` (Go 1.21).
#[test]
fn every_spelling_of_a_path_gives_the_same_go_version_and_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.20\n").unwrap();
    std::fs::write(dir.path().join("mapfix.toml"), "[rules]\ndisable = [\"nil-reset\"]\n").unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let src = "package pkg\n\nfunc F(m map[string]int) {\n\tm = nil\n\tm[\"a\"] = 1\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    std::fs::write(pkg.join("p.go"), src).unwrap();
    let abs = pkg.to_str().unwrap().to_string();
    let abs_file = pkg.join("p.go").to_str().unwrap().to_string();
    let runs: Vec<(&Path, &str)> = vec![
        (&pkg, "."),
        (&pkg, "./"),
        (&pkg, "p.go"),
        (&pkg, "./p.go"),
        (&pkg, "../pkg"),
        (&pkg, &abs),
        (&pkg, &abs_file),
        (dir.path(), "pkg"),
        (dir.path(), "pkg/p.go"),
        (dir.path(), "./pkg/"),
    ];
    for (cwd, arg) in runs {
        let out = mapfix(cwd, &["--format", "json", arg]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("assuming Go"), "{arg}: {err}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let found = doc["findings"].as_array().unwrap();
        let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert_eq!(
            rules,
            ["range-delete"],
            "{arg} from {}: nil-reset is disabled by the config",
            cwd.display()
        );
        assert!(
            found[0]["fix"].is_null(),
            "{arg}: clear() offered in a go 1.20 module: {}",
            found[0]
        );
    }
}

/// User rules: a built-in id is taken; `metadata` keys mapfix does not know
/// (a docs link, an owner) load; YAML mistakes name the file, line and
/// column; `rules` and `explain` show user rules of `rule_dirs` and `--rules`.
#[test]
fn user_rule_ids_metadata_errors_and_catalogue() {
    let dir = tree(&["a.go"], Some("rule_dirs = [\"lint\"]\n"));
    let rules = dir.path().join("lint");
    std::fs::create_dir(&rules).unwrap();
    let rule = |id: &str, extra: &str| {
        format!("id: {id}\nlanguage: go\nseverity: warning\nmessage: a delete call\nrule:\n  pattern: delete($M, $K)\n{extra}")
    };
    std::fs::write(rules.join("d.yml"), rule("range-delete", "")).unwrap();
    let out = mapfix(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("d.yml") && err.contains("`range-delete` is already used by a built-in rule"),
        "{err}"
    );

    let meta = "metadata:\n  docs: \"https://example.com/any-delete\"\n  owner: platform-team\n";
    std::fs::write(rules.join("d.yml"), rule("any-delete", meta)).unwrap();
    let got = findings(dir.path(), &["--rule", "any-delete"]);
    assert_eq!(got.len(), 1, "{got:?}");
    let list = mapfix(dir.path(), &["rules"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("any-delete"),
        "{}",
        describe(&list)
    );
    let other = tempfile::tempdir().unwrap();
    let explained = mapfix(
        other.path(),
        &["explain", "any-delete", "--rules", rules.to_str().unwrap()],
    );
    assert_eq!(explained.status.code(), Some(0), "{}", describe(&explained));
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(text.contains("a delete call") && text.contains("d.yml"), "{text}");

    let good = rule("any-delete", "");
    for (bad, with, at) in [
        ("severity: warning", "severity: warnin", "d.yml:3:11"),
        ("  pattern:", "  patern:", "d.yml:5:1"),
        ("language: go", "language: python", "d.yml:2:11"),
    ] {
        std::fs::write(rules.join("d.yml"), good.replace(bad, with)).unwrap();
        let out = mapfix(dir.path(), &["."]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(at), "{with}: want {at} in\n{err}");
    }
}

/// A fix that does not parse is left out and named (rule and file); the
/// file's other fixes are still written.
#[test]
fn a_fix_that_does_not_parse_is_named_and_the_others_are_applied() {
    let dir = tree(&["a.go"], None);
    let rules = dir.path().join("lint");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("broken.yml"),
        "id: broken-fix\nlanguage: go\nseverity: warning\nmessage: len\nrule:\n  pattern: len($M)\nfix: len($M\n",
    )
    .unwrap();
    let out = mapfix(dir.path(), &["--rules", "lint", "--unsafe", "-w", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a.go") && err.contains("rule broken-fix: a fix was not applied"),
        "{err}"
    );
    let written = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert!(
        written.contains("clear(m)") && written.contains("return len(m)"),
        "{written}"
    );
}

/// `severity: off` disables a user rule, as ast-grep does: no finding, exit 0.
#[test]
fn severity_off_disables_a_user_rule() {
    let dir = tree(&["a.go"], None);
    let rules = dir.path().join("lint");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("off.yml"),
        "id: any-delete\nlanguage: go\nseverity: off\nmessage: a delete call\nrule:\n  pattern: delete($M, $K)\n",
    )
    .unwrap();
    let out = mapfix(dir.path(), &["--rules", "lint", "--skip-rule", "range-delete", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}
