//! `mapfix rules`, `mapfix explain`, the README's generated rule table,
//! shell completions and the man page.

mod common;

use common::*;
use std::path::Path;

fn run(args: &[&str]) -> std::process::Output {
    mapfix(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn ok_stdout(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn rules_json_lists_every_rule_with_its_metadata() {
    let list: serde_json::Value = serde_json::from_str(&ok_stdout(&["rules", "--format", "json"])).unwrap();
    let list = list.as_array().unwrap();
    let rd = list
        .iter()
        .find(|r| r["id"] == "range-delete")
        .expect("range-delete listed");
    assert_eq!(rd["severity"], "warning");
    assert_eq!(rd["safety"], "safe");
    assert_eq!(rd["min_go"], "1.21");
    assert_eq!(rd["default"], "on");
    assert!(list.iter().any(|r| r["id"] == "unknown-suppression"));
    for r in list {
        for key in ["id", "severity", "safety", "min_go", "default", "summary", "fix"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
}

#[test]
fn rules_text_has_a_header_and_a_row_per_rule() {
    let text = ok_stdout(&["rules"]);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("id ") && header.contains("min go") && header.contains("default"),
        "{header}"
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("range-delete "))
        .expect("range-delete row");
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cols[1..5], ["warning", "safe", "1.21", "on"], "{row}");
}

const START: &str = "<!-- rules-table:start -->\n";
const END: &str = "<!-- rules-table:end -->";

/// The README's table is `mapfix rules --format markdown`. With
/// `MAPFIX_UPDATE_README=1` the test rewrites the README instead of failing.
#[test]
fn readme_rule_table_is_generated_from_the_rules() {
    let table = ok_stdout(&["rules", "--format", "markdown"]);
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let start = readme.find(START).expect("README has the rules-table start marker") + START.len();
    let end = readme.find(END).expect("README has the rules-table end marker");
    if std::env::var_os("MAPFIX_UPDATE_README").is_some() {
        std::fs::write(&readme_path, format!("{}{}{}", &readme[..start], table, &readme[end..])).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..end],
        table,
        "README's rule table differs from `mapfix rules --format markdown`; \
         regenerate it with `MAPFIX_UPDATE_README=1 cargo test --test cli_rules`"
    );
}

#[test]
fn markdown_table_rows_come_from_the_yaml() {
    let table = ok_stdout(&["rules", "--format", "markdown"]);
    assert!(
        table.starts_with("| id | finds | fix | safety |\n|---|---|---|---|\n"),
        "{table}"
    );
    let row = table.lines().find(|l| l.starts_with("| `nil-reset` |")).unwrap();
    assert_eq!(
        row,
        "| `nil-reset` | A map reset to `nil` and written afterwards in the same function. | `m = make(map[K]V)` | safe; unsafe when the map is observed before the write |"
    );
}

#[test]
fn explain_prints_docs_with_before_and_after() {
    let text = ok_stdout(&["explain", "range-delete"]);
    assert!(
        text.starts_with("range-delete (warning, fix: safe, Go ≥ 1.21, on)"),
        "{text}"
    );
    for part in [
        "Why is this bad?",
        "Example:\n    for k := range c.items {",
        "Use instead:\n    clear(c.items)",
        "Fix safety:",
    ] {
        assert!(text.contains(part), "{part:?} missing:\n{text}");
    }
}

#[test]
fn unknown_rules_get_near_matches() {
    let out = run(&["explain", "range-delet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown rule \"range-delet\"; did you mean range-delete?"),
        "{}",
        describe(&out)
    );
    let out = run(&["explain", "zzz"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("known rules: ") && stderr.contains("nil-reset"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = mapfix(dir.path(), &["--rule", "nilreset", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean nil-reset?"),
        "{}",
        describe(&out)
    );
}

#[test]
fn completions_are_generated_for_each_shell() {
    let bash = ok_stdout(&["completions", "bash"]);
    assert!(
        bash.contains("complete -F _mapfix") && bash.contains("--interactive") && bash.contains("--baseline"),
        "{bash}"
    );
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(&bash)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "bash -n: {}", describe(&syntax));
    // `--rule` completes rule IDs, not file names.
    let rule_case = bash.split("--rule)").nth(1).unwrap_or("");
    let rule_case = &rule_case[..rule_case.find(";;").unwrap_or(0)];
    assert!(
        rule_case.contains("compgen -W \"all concurrent-write") && rule_case.contains("range-delete"),
        "{rule_case}"
    );
    assert!(ok_stdout(&["completions", "zsh"]).starts_with("#compdef mapfix"));
    assert!(ok_stdout(&["completions", "fish"]).contains("complete -c mapfix"));
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_is_roff_with_every_option() {
    let man = ok_stdout(&["man"]);
    assert!(man.starts_with(".ie \\n(.g .ds Aq"), "{}", &man[..80.min(man.len())]);
    assert!(man.contains(".TH mapfix 1"), "no .TH header");
    for option in [
        "\\-\\-write",
        "\\-\\-interactive",
        "\\-\\-config",
        "\\-\\-baseline",
        "\\-\\-format",
    ] {
        assert!(man.contains(option), "{option} missing");
    }
    assert!(man.contains(".SH \"EXIT STATUS\""), "no EXIT STATUS section");
    assert!(!man.contains("SEE ALSO"), "SEE ALSO names pages that do not exist");
    // Options that completions offer are documented in the page too.
    for option in ["\\-\\-profile", "\\-\\-no\\-prefilter"] {
        assert!(man.contains(option), "{option} missing");
    }
}

/// Every code fence of the README and the other documents is closed (an
/// open one turns the rest of the page into code), by CommonMark's rule: a
/// fence of N backticks closes at a line of at least N backticks and
/// nothing else. Relative links between the documents name files that exist.
#[test]
fn readme_code_fences_balance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![
        root.join("README.md"),
        root.join("CONTRIBUTING.md"),
        root.join("ARCHITECTURE.md"),
    ];
    for dir in ["docs", "docs/rules"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "md") {
                docs.push(e.path());
            }
        }
    }
    for doc in docs {
        let text = std::fs::read_to_string(&doc).unwrap();
        let mut open: Option<(usize, usize)> = None;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let ticks = trimmed.chars().take_while(|&c| c == '`').count();
            if ticks >= 3 {
                match open {
                    None => open = Some((i + 1, ticks)),
                    Some((_, n)) if ticks >= n && trimmed[ticks..].trim().is_empty() => open = None,
                    Some(_) => {}
                }
                continue;
            }
            if open.is_some() {
                continue;
            }
            for (at, _) in line.match_indices("](") {
                let target = &line[at + 2..];
                let target = &target[..target.find(')').unwrap_or(target.len())];
                let file = target.split('#').next().unwrap();
                if file.is_empty() || file.contains("://") || file.contains(' ') {
                    continue;
                }
                let path = doc.parent().unwrap().join(file);
                assert!(path.exists(), "{}:{}: link to missing {file}", doc.display(), i + 1);
            }
        }
        assert_eq!(
            open,
            None,
            "{}: the code fence opened at line {:?} is never closed",
            doc.display(),
            open.map(|o| o.0)
        );
    }
}

/// `docs/rules/` is `mapfix rules --format markdown --out docs/rules`, byte
/// for byte and with no other files. With `MAPFIX_UPDATE_DOCS=1` the test
/// regenerates the directory instead of failing.
#[test]
fn rule_pages_are_generated_from_the_rules() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let fresh = tempfile::tempdir().unwrap();
    let out_dir = fresh.path().join("rules");
    ok_stdout(&["rules", "--format", "markdown", "--out", out_dir.to_str().unwrap()]);
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let generated = names(&out_dir);
    if std::env::var_os("MAPFIX_UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).unwrap();
        for name in &generated {
            std::fs::copy(out_dir.join(name), committed.join(name)).unwrap();
        }
        return;
    }
    let hint = "regenerate them with `MAPFIX_UPDATE_DOCS=1 cargo test --test cli_rules`";
    assert_eq!(
        names(&committed),
        generated,
        "docs/rules/ has other pages than the rules; {hint}"
    );
    for name in &generated {
        let want = std::fs::read(out_dir.join(name)).unwrap();
        let have = std::fs::read(committed.join(name)).unwrap();
        assert!(
            want == have,
            "docs/rules/{name} differs from `mapfix rules --format markdown --out`; {hint}"
        );
    }
}

#[test]
fn rule_pages_have_every_section_of_the_docs() {
    let dir = tempfile::tempdir().unwrap();
    ok_stdout(&["rules", "--format", "markdown", "--out", dir.path().to_str().unwrap()]);
    let page = std::fs::read_to_string(dir.path().join("range-delete.md")).unwrap();
    assert!(
        page.starts_with("<!-- Generated from patterns/range-delete.yml "),
        "{page}"
    );
    for part in [
        "# `range-delete`: use clear() for delete-all loops\n",
        "## Why is this bad?\n",
        "## Example\n\n```go\nfor k := range c.items {\n",
        "## Use instead\n\n```go\nclear(c.items)\n```\n",
        "| `prefer` | `\"clear\" \\| \"make\"` | `\"clear\"` |",
        "## Limitations\n\n- ",
        "## Fix safety\n",
    ] {
        assert!(page.contains(part), "{part:?} missing:\n{page}");
    }
    let opt_in = std::fs::read_to_string(dir.path().join("pointer-zeroing.md")).unwrap();
    assert!(opt_in.contains("--rule pointer-zeroing"), "{opt_in}");
    let index = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    assert!(index.contains("| [`nil-reset`](nil-reset.md) |"), "{index}");
    // Without --out the table is printed as before; --out needs markdown.
    assert!(ok_stdout(&["rules", "--format", "markdown"]).starts_with("| id | finds |"));
    let out = run(&["rules", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}
