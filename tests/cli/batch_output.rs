//! What a batch run prints for machines and pull-request readers: the
//! `repositories[]` record of JSON output (status, reason, branch, commit),
//! the markdown repository table, and one SARIF log with a run per
//! repository whose URIs are relative to that repository.

use crate::batch_support::*;
use serde_json::Value;

const BRANCH: &str = "mapfix/maps";

fn commit_args(format: &str) -> Vec<&str> {
    vec![
        "--write",
        "--commit",
        "--branch",
        BRANCH,
        "--repos",
        "repos.txt",
        "--format",
        format,
    ]
}

#[test]
fn json_has_a_record_per_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fleet(root);
    let out = mapfix(root, &commit_args("json"));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    // The existing keys are unchanged.
    assert_eq!(doc["version"], 1);
    assert!(doc["findings"].is_array() && doc["errors"].is_array() && doc["summary"].is_object());
    let repos = doc["repositories"].as_array().unwrap();
    let paths: Vec<&str> = repos.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["clean", "nochange", "dirty", "plain", "mono"]);
    let by = |name: &str| repos.iter().find(|r| r["path"] == name).unwrap();

    let clean = by("clean");
    assert_eq!(clean["status"], "committed");
    assert_eq!(clean["reason"], Value::Null);
    assert_eq!(clean["branch"], BRANCH);
    assert_eq!(clean["commit"], git(&root.join("clean"), &["rev-parse", BRANCH]));
    assert_eq!(clean["pr_status"], Value::Null);
    assert_eq!(clean["pr_url"], Value::Null);
    assert_eq!(clean["summary"]["findings"], 2);
    assert_eq!(clean["summary"]["applied"], 2);

    let nochange = by("nochange");
    assert_eq!(nochange["status"], "no-changes");
    assert_eq!(nochange["branch"], Value::Null);
    assert_eq!(nochange["commit"], Value::Null);

    let dirty = by("dirty");
    assert_eq!(dirty["status"], "skipped");
    assert!(
        dirty["reason"]
            .as_str()
            .unwrap()
            .starts_with("uncommitted changes in a file that mapfix would rewrite: b.go"),
        "{dirty}"
    );
    assert_eq!(dirty["branch"], Value::Null);
    assert_eq!(dirty["commit"], Value::Null);

    let plain = by("plain");
    assert_eq!(plain["status"], "failed");
    assert!(
        plain["reason"].as_str().unwrap().contains("not a git repository"),
        "{plain}"
    );

    let mono = by("mono");
    assert_eq!(mono["status"], "committed");
    assert_eq!(mono["commit"], git(&root.join("mono"), &["rev-parse", BRANCH]));

    // A second run: the branches already hold the rewrite.
    let again = mapfix(root, &commit_args("json"));
    let doc: Value = serde_json::from_slice(&again.stdout).unwrap();
    let clean = &doc["repositories"][0];
    assert_eq!(clean["status"], "up-to-date");
    assert_eq!(clean["commit"], git(&root.join("clean"), &["rev-parse", BRANCH]));
}

#[test]
fn dry_run_records_say_what_would_change() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fleet(root);
    std::fs::write(root.join("repos.txt"), "clean\nnochange\nmono\nmissing\n").unwrap();
    let out = mapfix(root, &["--repos", "repos.txt", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    let status: Vec<(&str, &str)> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("clean", "changes"),
            ("nochange", "clean"),
            ("mono", "changes"),
            ("missing", "failed")
        ]
    );
    assert!(
        doc["repositories"][3]["reason"]
            .as_str()
            .unwrap()
            .starts_with("cannot read"),
        "{doc}"
    );
    // The closing table of a text dry run says the same in its status column.
    let out = mapfix(root, &["--repos", "repos.txt"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let table = &text[text
        .rfind("repository ")
        .unwrap_or_else(|| panic!("{}", describe(&out)))..];
    let rows: Vec<(&str, &str)> = table
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("total"))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0], cols[5])
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("clean", "changes"),
            ("nochange", "clean"),
            ("mono", "changes"),
            ("missing", "failed:")
        ],
        "{table}"
    );
}

#[test]
fn markdown_starts_with_a_repository_table() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fleet(root);
    let out = mapfix(root, &commit_args("markdown"));
    let text = stdout(&out);
    let sha = git(&root.join("clean"), &["rev-parse", BRANCH]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "## Repositories", "{text}");
    assert_eq!(
        lines[2], "| repository | status | findings | fixed | branch | commit | pull request | reason |",
        "{text}"
    );
    assert_eq!(
        lines[4],
        format!("| `clean` | committed | 2 | 2 | `{BRANCH}` | `{}` |  |  |", &sha[..12]),
        "{text}"
    );
    assert_eq!(lines[5], "| `nochange` | no-changes | 0 | 0 |  |  |  |  |", "{text}");
    assert!(
        lines[6].starts_with(
            "| `dirty` | skipped | 1 | 0 |  |  |  | uncommitted changes in a file that mapfix would rewrite: b.go;"
        ),
        "{text}"
    );
    assert!(
        lines[7].starts_with("| `plain` | failed | 1 | 0 |  |  |  | not a git repository"),
        "{text}"
    );
    // Then each repository's section, as before.
    assert!(text.contains("\n## `clean`\n\nmapfix fixed 2 of 2 findings"), "{text}");
}

#[test]
fn sarif_is_one_log_with_a_run_per_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fleet(root);
    let out = mapfix(root, &["--repos", "repos.txt", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    let errors: Vec<String> = crate::common::sarif_schema_validator()
        .iter_errors(&doc)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 5, "{doc}");
    for (run, name) in runs.iter().zip(["clean", "nochange", "dirty", "plain", "mono"]) {
        assert_eq!(run["automationDetails"]["id"], format!("mapfix/{name}/"));
        let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
        let dir = std::fs::canonicalize(root.join(name)).unwrap();
        assert_eq!(base, format!("file://{}/", dir.display()));
        assert_eq!(run["tool"]["driver"]["name"], "mapfix");
    }
    let locations = |run: &Value| -> Vec<(String, String)> {
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                (
                    a["uri"].as_str().unwrap().into(),
                    a["uriBaseId"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let src = |uri: &str| (uri.to_string(), "%SRCROOT%".to_string());
    assert_eq!(locations(&runs[0]), [src("a.go"), src("a.go")]);
    assert!(locations(&runs[1]).is_empty());
    assert_eq!(locations(&runs[4]), [src("b.go"), src("legacy/b.go")]);
    // Fixes point at the same artifact.
    let fix = &runs[0]["results"][0]["fixes"][0]["artifactChanges"][0]["artifactLocation"];
    assert_eq!(fix["uri"], "a.go");
    assert_eq!(fix["uriBaseId"], "%SRCROOT%");
    assert!(!stdout(&out).contains("==> "));
}

/// Two entries of one git repository: the second is `shared`, with the
/// first's branch and commit.
#[test]
fn entries_of_one_git_repository_share_the_record_of_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = two_package_repo(&tmp.path().join("svc"));
    let out = mapfix(
        tmp.path(),
        &[
            "-w",
            "--commit",
            "--branch",
            BRANCH,
            "--format",
            "json",
            "svc/api",
            "svc/worker",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (api, worker) = (&doc["repositories"][0], &doc["repositories"][1]);
    let tip = git(&repo, &["rev-parse", BRANCH]);
    assert_eq!(api["status"], "committed");
    assert_eq!(api["commit"], tip);
    assert_eq!(worker["status"], "shared");
    assert_eq!(worker["reason"], "same git repository as svc/api: committed with it");
    assert_eq!(worker["branch"], BRANCH);
    assert_eq!(worker["commit"], tip);
}

/// SPEC §1: per-file errors reach stderr in machine formats of a batch too,
/// not only the document.
#[test]
fn batch_file_errors_reach_stderr_in_machine_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for name in ["a", "b"] {
        let dir = root.join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    }
    std::fs::write(
        root.join("b/bad.go"),
        "package p\n\nfunc f(m map[string]int) {\n\tfor k := range m {\n",
    )
    .unwrap();
    for format in ["json", "sarif"] {
        let out = mapfix(root, &["--batch", "--no-prefilter", "--format", format, "a", "b"]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.go"), "{format}: {}", describe(&out));
    }
}
