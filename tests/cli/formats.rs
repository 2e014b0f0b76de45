//! Output formats on one fixture tree (`tests/data/everyday`): a snapshot of
//! every format, SARIF validated against the official 2.1.0 schema and its
//! regions and fixes checked against the bytes, GitHub escaping, a patch
//! that `git apply` accepts, and colour choices.

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/everyday"),
        dir.path(),
    );
    dir
}

fn stdout(dir: &Path, args: &[&str]) -> String {
    let out = mapfix(dir, args);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("format__{name}"), text));
}

#[test]
fn every_format_matches_its_snapshot() {
    let dir = fixture();
    for (name, args) in [
        ("text", &["."][..]),
        ("stats", &["--stats", "."]),
        ("json", &["--format", "json", "."]),
        ("sarif", &["--format", "sarif", "."]),
        ("github", &["--format", "github", "."]),
        ("patch", &["--format", "patch", "."]),
    ] {
        snapshot(name, &stdout(dir.path(), args));
    }
}

fn assert_valid_sarif(doc: &Value) {
    let validator = sarif_schema_validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let dir = fixture();
    let doc: Value = serde_json::from_str(&stdout(dir.path(), &["--format", "sarif", "--unsafe", "."])).unwrap();
    assert_valid_sarif(&doc);
    // The validator is not vacuous: a result without a message fails.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!sarif_schema_validator().is_valid(&broken));
    // A config error still yields a valid log, with the error as a notification.
    std::fs::write(dir.path().join("mapfix.toml"), "colour = 1\n").unwrap();
    let out = mapfix(dir.path(), &["--format", "sarif", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

/// Byte offset of a SARIF (line, UTF-16 column) position.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text.split_inclusive('\n').take(line as usize - 1).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units + 1 == column as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

#[test]
fn sarif_regions_and_fixes_match_the_bytes() {
    let dir = fixture();
    let doc: Value = serde_json::from_str(&stdout(dir.path(), &["--format", "sarif", "."])).unwrap();
    let run = &doc["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut edits: std::collections::BTreeMap<String, Vec<(usize, usize, String)>> = Default::default();
    for result in run["results"].as_array().unwrap() {
        assert_eq!(
            rules[result["ruleIndex"].as_u64().unwrap() as usize],
            result["ruleId"].as_str().unwrap()
        );
        let loc = &result["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.path().join(uri)).unwrap();
        let r = &loc["region"];
        let start = offset_of(
            &text,
            r["startLine"].as_u64().unwrap(),
            r["startColumn"].as_u64().unwrap(),
        );
        let end = offset_of(&text, r["endLine"].as_u64().unwrap(), r["endColumn"].as_u64().unwrap());
        let region = &text[start..end];
        match result["ruleId"].as_str().unwrap() {
            "nil-reset" => {
                assert_eq!(region, "s.sessions = nil");
                // UTF-16 columns: "\t/* café */ " is 12 units (13 bytes).
                assert_eq!(r["startColumn"], 13);
            }
            "range-delete" => assert!(
                region.starts_with("for k := range") && region.ends_with('}'),
                "{region:?}"
            ),
            "unknown-suppression" => assert_eq!(region, "range-delet"),
            other => panic!("unexpected rule {other}"),
        }
        let Some(fixes) = result.get("fixes") else { continue };
        if fixes[0]["properties"]["safety"] != "safe" {
            continue;
        }
        for change in fixes[0]["artifactChanges"].as_array().unwrap() {
            let uri = change["artifactLocation"]["uri"].as_str().unwrap().to_string();
            for rep in change["replacements"].as_array().unwrap() {
                let d = &rep["deletedRegion"];
                let s = offset_of(
                    &text,
                    d["startLine"].as_u64().unwrap(),
                    d["startColumn"].as_u64().unwrap(),
                );
                let e = offset_of(&text, d["endLine"].as_u64().unwrap(), d["endColumn"].as_u64().unwrap());
                edits.entry(uri.clone()).or_default().push((
                    s,
                    e,
                    rep["insertedContent"]["text"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    // Applying the safe SARIF fixes gives exactly what --write writes.
    let written = fixture();
    let out = mapfix(written.path(), &["-w", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(edits.len(), 2);
    for (uri, mut list) in edits {
        let mut text = std::fs::read_to_string(dir.path().join(&uri)).unwrap();
        list.sort();
        for (s, e, new) in list.into_iter().rev() {
            text.replace_range(s..e, &new);
        }
        assert_eq!(
            text,
            std::fs::read_to_string(written.path().join(&uri)).unwrap(),
            "{uri}"
        );
    }
}

#[test]
fn github_annotations_escape_properties_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a,b:c");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(
        sub.join("x.go"),
        "package x\n\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n",
    )
    .unwrap();
    let out = stdout(dir.path(), &["--format", "github", "."]);
    assert_eq!(
        out,
        "::warning file=a%2Cb%3Ac/x.go,line=4,endLine=6,title=mapfix/range-delete::\
         loop deletes every key; use clear(m)%0Afix: replace loop with clear(m); run mapfix -w\n"
    );
}

#[test]
fn github_annotations_say_how_to_apply_an_unsafe_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.path().join("x.go"),
        "package x\n\nfunc f(m map[float64]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n",
    )
    .unwrap();
    let out = stdout(dir.path(), &["--format", "github", "--unsafe", "."]);
    assert!(out.contains("; run mapfix -w --unsafe\n"), "{out}");
    let out = stdout(dir.path(), &["--format", "github", "."]);
    assert!(out.contains("unsafe fix available (--unsafe)"), "{out}");
}

#[test]
fn github_severity_picks_the_command() {
    let dir = fixture();
    let out = stdout(dir.path(), &["--format", "github", "."]);
    let nil_reset = out.lines().find(|l| l.contains("title=mapfix/nil-reset")).unwrap();
    // Columns in UTF-16 units: "\t/* café */ " is 12 of them (13 bytes).
    assert!(
        nil_reset.starts_with("::error file=session/session.go,line=10,col=13,endLine=10,endColumn=29,"),
        "{nil_reset}"
    );
    assert!(out
        .lines()
        .filter(|l| l.contains("mapfix/range-delete"))
        .all(|l| l.starts_with("::warning ")));
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs")
}

/// A git work tree holding the fixture, plus a CRLF file with a BOM.
fn git_fixture() -> tempfile::TempDir {
    let dir = fixture();
    std::fs::write(
        dir.path().join("cache/crlf.go"),
        "\u{feff}package cache\r\n\r\nfunc drop(m map[int]bool) {\r\n\tfor k := range m {\r\n\t\tdelete(m, k)\r\n\t}\r\n}\r\n",
    )
    .unwrap();
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    dir
}

#[test]
fn patch_applies_with_git_from_the_top_and_from_a_subdirectory() {
    let dir = git_fixture();
    let patch = stdout(dir.path(), &["--format", "patch", "."]);
    assert!(patch.contains("+++ b/cache/crlf.go"), "{patch}");
    let patch_file = dir.path().join("fixes.patch");
    std::fs::write(&patch_file, &patch).unwrap();
    let check = git(dir.path(), &["apply", "--check", "fixes.patch"]);
    assert!(check.status.success(), "git apply --check: {}", describe(&check));

    // Run from a subdirectory: paths are still relative to the work tree's top.
    let from_sub = stdout(&dir.path().join("cache"), &["--format", "patch", "."]);
    assert!(from_sub.contains("--- a/cache/cache.go"), "{from_sub}");
    std::fs::write(&patch_file, &from_sub).unwrap();
    assert!(git(dir.path(), &["apply", "--check", "fixes.patch"]).status.success());

    // Applying the whole patch gives what --write gives.
    std::fs::write(&patch_file, &patch).unwrap();
    let apply = git(dir.path(), &["apply", "fixes.patch"]);
    assert!(apply.status.success(), "{}", describe(&apply));
    let written = git_fixture();
    mapfix(written.path(), &["-w", "."]);
    for rel in ["cache/cache.go", "cache/crlf.go", "session/session.go"] {
        assert_eq!(
            std::fs::read(dir.path().join(rel)).unwrap(),
            std::fs::read(written.path().join(rel)).unwrap(),
            "{rel}"
        );
    }
}

fn colored_run(envs: &[(&str, &str)], args: &[&str]) -> String {
    let dir = fixture();
    let mut cmd = Command::new(mapfix_bin());
    cmd.args(args).arg(".").current_dir(dir.path()).env_remove("NO_COLOR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let always = colored_run(&[], &["--color", "always"]);
    assert!(
        always.contains("\x1b[31m-\tfor k := range c.items {\x1b[0m\n"),
        "{always}"
    );
    assert!(always.contains("\x1b[32m+\tclear(c.items)\x1b[0m\n"));
    assert!(always.contains("\x1b[36m@@ -8,9 +8,7 @@\x1b[0m\n"));
    assert!(always.contains("\x1b[1m--- a/cache/cache.go\x1b[0m\n"));
    // An explicit --color always wins over NO_COLOR.
    assert!(colored_run(&[("NO_COLOR", "1")], &["--color", "always"]).contains("\x1b["));
    // auto: stdout is a pipe here, so no colour.
    assert!(!colored_run(&[], &[]).contains('\x1b'));
    assert!(!colored_run(&[], &["--color", "never"]).contains('\x1b'));
}

#[test]
fn github_reports_file_errors_at_their_position() {
    let dir = fixture();
    std::fs::write(
        dir.path().join("broken.go"),
        "package p\n\nfunc f( {\n\tm = nil\n\tm[1] = 2\n",
    )
    .unwrap();
    let out = mapfix(dir.path(), &["--format", "github", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let error = text
        .lines()
        .find(|l| l.contains("broken.go"))
        .expect("an annotation for broken.go");
    assert!(error.starts_with("::error file=broken.go,line=3,col="), "{error}");
    assert!(error.contains(",title=mapfix::syntax error at 3:"), "{error}");
}

/// JSON findings carry the note other formats show as help: why a site has
/// no fix, or what its unsafe fix may change.
#[test]
fn json_findings_carry_their_note() {
    let dir = fixture();
    let doc: Value = serde_json::from_str(&stdout(dir.path(), &["--format", "json", "."])).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f.get("note").is_some()), "{doc}");
    let typo = findings
        .iter()
        .find(|f| f["rule"] == "unknown-suppression")
        .expect("the misspelt suppression");
    assert!(typo["fix"].is_null(), "{typo}");
    assert!(
        typo["note"].as_str().is_some_and(|n| n.contains("did you mean")),
        "{typo}"
    );
}

/// nil-reset's cross-method case: a reset in close.go whose writes are in
/// store.go, with `cross_method = true`.
fn cross_method_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nil-reset/cross_method"),
        dir.path(),
    );
    dir
}

#[test]
fn related_locations_reach_every_format() {
    let dir = cross_method_fixture();
    let json: Value = serde_json::from_str(&stdout(dir.path(), &["--format", "json", "."])).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let reset = findings
        .iter()
        .find(|f| f["path"] == "close.go")
        .expect("the finding is at the reset");
    assert_eq!(reset["line"], 5, "{reset}");
    let related = reset["related"].as_array().expect("related locations");
    let sites: Vec<(&str, u64, u64, &str)> = related
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["column"].as_u64().unwrap(),
                r["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sites,
        [
            ("store.go", 13, 2, "Store.Put writes s.m here"),
            ("store.go", 18, 2, "Store.Append writes s.m here"),
        ]
    );
    assert_eq!(related[0]["end_line"], 13);
    assert_eq!(related[0]["end_column"], 12);

    let sarif: Value = serde_json::from_str(&stdout(dir.path(), &["--format", "sarif", "."])).unwrap();
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "close.go")
        .unwrap();
    let locations = result["relatedLocations"].as_array().unwrap();
    assert_eq!(locations.len(), 2);
    assert_eq!(locations[1]["id"], 1);
    assert_eq!(locations[1]["message"]["text"], "Store.Append writes s.m here");
    let at = &locations[1]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], "store.go");
    assert_eq!(at["region"]["startLine"], 18);
    assert_eq!(at["region"]["startColumn"], 2);

    // Another file's location is a note; one in the same file a label.
    let text = stdout(dir.path(), &["--color", "never", "."]);
    assert!(
        text.contains("note: store.go:13:2: Store.Put writes s.m here"),
        "{text}"
    );
    assert!(text.contains("Counter.Hit writes c.hits here"), "{text}");
    assert!(!text.contains("note: store.go:73"), "{text}");

    let github = stdout(dir.path(), &["--format", "github", "."]);
    assert!(
        github.contains("%0Astore.go:18:2: Store.Append writes s.m here"),
        "{github}"
    );

    let markdown = stdout(dir.path(), &["--format", "markdown", "."]);
    assert!(
        markdown.contains("(see `store.go:13`: Store.Put writes s.m here)"),
        "{markdown}"
    );
}

#[test]
fn findings_without_related_locations_have_no_related_key() {
    let dir = fixture();
    let out = stdout(dir.path(), &["--format", "json", "."]);
    assert!(!out.contains("\"related\""), "{out}");
    let sarif = stdout(dir.path(), &["--format", "sarif", "."]);
    assert!(!sarif.contains("relatedLocations"), "{sarif}");
}

#[test]
fn related_locations_move_with_the_written_text() {
    // The range-delete fix above makes the file two lines shorter; the
    // unlocked-map finding (no fix: the mutex is exported) and the guarded
    // access it names both point into the file as written.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    let methods = ["Put(k string, v int) {", "Del(k string) {", "Get(k string) int {"]
        .iter()
        .zip(["c.items[k] = v", "delete(c.items, k)", "return c.items[k]"])
        .map(|(sig, body)| format!("func (c *Cache) {sig}\n\tc.Mu.Lock()\n\tdefer c.Mu.Unlock()\n\t{body}\n}}\n\n"))
        .collect::<String>();
    let text = format!(
        "package p\n\nimport \"sync\"\n\nfunc reset(m map[string]int) {{\n\tfor k := range m {{\n\t\tdelete(m, k)\n\t}}\n}}\n\n\
         type Cache struct {{\n\tMu    sync.Mutex\n\titems map[string]int\n}}\n\n{methods}\
         func (c *Cache) Peek(k string) int {{\n\treturn c.items[k]\n}}\n"
    );
    std::fs::write(dir.path().join("c.go"), &text).unwrap();
    let json: Value = serde_json::from_str(&stdout(dir.path(), &["-w", "--format", "json", "."])).unwrap();
    let written = std::fs::read_to_string(dir.path().join("c.go")).unwrap();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unlocked-map")
        .unwrap();
    let line_of = |needle: &str| written.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    assert!(written.len() < text.len(), "the range-delete fix was written");
    assert_eq!(finding["line"], line_of("func (c *Cache) Peek") + 1);
    let related = &finding["related"][0];
    assert_eq!(related["line"], line_of("c.items[k] = v"), "{finding}");
    assert_eq!(related["column"], 2);
    assert_eq!(related["message"], "`c.Mu` held here");
}
