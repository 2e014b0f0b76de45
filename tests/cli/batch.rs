//! Batch mode over real git repositories in temporary directories: many
//! roots and `--repos`, per-module Go versions in a monorepo, `--commit`
//! branches built without touching the checkout (files, index, status and
//! current branch compared byte for byte), dirty and non-git repositories,
//! idempotent re-runs, `--force-branch`, and `--shard` coverage.

use crate::batch_support::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const BRANCH: &str = "mapfix/maps";

#[test]
fn commit_puts_each_rewrite_on_a_branch_and_leaves_checkouts_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fleet(root);
    let repos = ["clean", "nochange", "dirty", "mono"];
    let before: BTreeMap<&str, CheckoutState> = repos.iter().map(|r| (*r, checkout_state(&root.join(r)))).collect();
    let plain_before = snapshot_tree(&root.join("plain"));

    let out = mapfix(
        root,
        &[
            "--write",
            "--commit",
            "--branch",
            BRANCH,
            "--repos",
            "repos.txt",
            "-j",
            "2",
        ],
    );
    let text = stdout(&out);
    // `plain` is not a repository and had fixes: an error (exit 2).
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));

    for r in repos {
        assert_eq!(checkout_state(&root.join(r)), before[r], "{r}: checkout changed");
    }
    assert_eq!(snapshot_tree(&root.join("plain")), plain_before, "plain: files changed");

    // clean: one commit on the branch, child of HEAD, touching only a.go.
    let clean = root.join("clean");
    assert_eq!(git(&clean, &["rev-parse", &format!("{BRANCH}^")]), before["clean"].head);
    assert_eq!(
        git(&clean, &["log", "-1", "--format=%s", BRANCH]),
        "mapfix: fix 2 sites of Go map anti-patterns (nil-reset, range-delete)"
    );
    let body = git(&clean, &["log", "-1", "--format=%b", BRANCH]);
    assert!(
        body.contains("- range-delete: use clear() for delete-all loops (1 site in 1 file)"),
        "{body}"
    );
    assert!(body.contains("- nil-reset: "), "{body}");
    assert_eq!(git(&clean, &["show", "--format=", "--name-only", BRANCH]), "a.go");
    let stat = git(&clean, &["show", "--stat", "--format=", BRANCH]);
    assert!(
        stat.contains("1 file changed, 2 insertions(+), 4 deletions(-)"),
        "{stat}"
    );
    let fixed = git(&clean, &["show", &format!("{BRANCH}:a.go")]);
    assert!(
        fixed.contains("\tclear(m)\n") && fixed.contains("\tm = make(map[string]int)\n"),
        "{fixed}"
    );
    // Author and committer from the repository's git config.
    assert_eq!(
        git(&clean, &["log", "-1", "--format=%an <%ae>|%cn <%ce>", BRANCH]),
        "Repo Owner <owner@example.com>|Repo Owner <owner@example.com>"
    );

    // nochange and dirty: no branch.
    assert!(!has_rev(&root.join("nochange"), BRANCH));
    assert!(!has_rev(&root.join("dirty"), BRANCH));

    // mono: the Go 1.22 module gets clear(); the nested Go 1.20 module keeps its loop.
    let mono = root.join("mono");
    assert_eq!(git(&mono, &["show", "--format=", "--name-only", BRANCH]), "b.go");
    assert_eq!(
        git(&mono, &["log", "-1", "--format=%s", BRANCH]),
        "mapfix: use clear() for delete-all loops (1 site)"
    );
    assert!(git(&mono, &["show", &format!("{BRANCH}:b.go")]).contains("clear(seen)"));
    assert_eq!(
        git(&mono, &["show", &format!("{BRANCH}:legacy/b.go")]),
        RANGE_DELETE_GO.trim_end()
    );
    assert!(text.contains("clear needs Go 1.21; this file is Go 1.20"), "{text}");

    // Output grouped per repository, then one table line each.
    for r in ["clean", "nochange", "dirty", "plain", "mono"] {
        assert!(text.contains(&format!("==> {r} <==")), "{text}");
    }
    let table: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("repository ")).collect();
    assert_eq!(table.len(), 7, "{text}");
    let row = |name: &str| {
        *table
            .iter()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{text}"))
    };
    let cols = |name: &str| {
        row(name)
            .split_whitespace()
            .skip(1)
            .take(4)
            .map(|c| c.parse().unwrap())
            .collect::<Vec<usize>>()
    };
    assert_eq!(cols("clean"), [2, 2, 2, 0]);
    assert!(row("clean").contains("committed ") && row("clean").contains(&format!(" on {BRANCH}")));
    assert_eq!(cols("nochange"), [1, 0, 0, 0]);
    assert!(row("nochange").ends_with("no changes"));
    assert_eq!(cols("dirty"), [1, 1, 0, 0]);
    assert!(
        row("dirty").contains("skipped: uncommitted changes in a file that mapfix would rewrite: b.go"),
        "{text}"
    );
    assert_eq!(cols("plain"), [1, 1, 0, 1]);
    assert!(row("plain").contains("not a git repository"));
    assert_eq!(cols("mono"), [2, 2, 1, 0]);
    assert!(
        table[6].starts_with("total") && table[6].ends_with("5 repositories"),
        "{text}"
    );
}

#[test]
fn second_run_adds_no_commit_and_author_can_be_set() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = git_repo(
        &tmp.path().join("svc"),
        &[("go.mod", &gomod("svc", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let args = [
        "-w",
        "--commit",
        "--branch",
        BRANCH,
        "--author",
        "Map Bot <bot@example.com>",
        "svc",
    ];
    let first = mapfix(tmp.path(), &args);
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    let tip = git(&repo, &["rev-parse", BRANCH]);
    assert_eq!(
        git(&repo, &["log", "-1", "--format=%an <%ae>|%cn <%ce>", BRANCH]),
        "Map Bot <bot@example.com>|Repo Owner <owner@example.com>"
    );

    let second = mapfix(tmp.path(), &args);
    assert_eq!(second.status.code(), Some(0), "{}", describe(&second));
    assert_eq!(git(&repo, &["rev-parse", BRANCH]), tip, "a second commit was made");
    assert_eq!(git(&repo, &["rev-list", "--count", &format!("main..{BRANCH}")]), "1");
    assert!(
        stdout(&second).contains(&format!("{BRANCH} already up to date")),
        "{}",
        describe(&second)
    );
}

#[test]
fn existing_branch_is_kept_unless_forced_and_checked_out_branch_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = git_repo(
        &tmp.path().join("svc"),
        &[("go.mod", &gomod("svc", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    git(&repo, &["branch", BRANCH]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "main moves on"]);
    let other = git(&repo, &["rev-parse", BRANCH]);

    let kept = mapfix(tmp.path(), &["-w", "--commit", "--branch", BRANCH, "svc"]);
    assert_eq!(kept.status.code(), Some(1), "{}", describe(&kept));
    assert!(
        stdout(&kept).contains("already exists with other content; --force-branch resets it"),
        "{}",
        describe(&kept)
    );
    assert_eq!(git(&repo, &["rev-parse", BRANCH]), other);

    let before = checkout_state(&repo);
    let forced = mapfix(
        tmp.path(),
        &["-w", "--commit", "--branch", BRANCH, "--force-branch", "svc"],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", describe(&forced));
    assert_eq!(git(&repo, &["rev-parse", &format!("{BRANCH}^")]), before.head);
    assert!(
        stdout(&forced).contains(&format!("reset {BRANCH} to ")),
        "{}",
        describe(&forced)
    );
    assert_eq!(checkout_state(&repo), before);

    git(&repo, &["switch", "-q", BRANCH]);
    git(&repo, &["reset", "-q", "--hard", "main"]);
    let refused = mapfix(
        tmp.path(),
        &["-w", "--commit", "--branch", BRANCH, "--force-branch", "svc"],
    );
    assert!(stdout(&refused).contains("is checked out in"), "{}", describe(&refused));
    assert_eq!(git(&repo, &["rev-parse", BRANCH]), git(&repo, &["rev-parse", "main"]));
}

#[test]
fn commit_needs_write_and_branch() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["--commit", "--branch", "x", "."][..],
        &["--write", "--commit", "."],
        &["--write", "--pr", "."],
    ] {
        let out = mapfix(tmp.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
    }
    let out = mapfix(tmp.path(), &["--write", "--commit", "--branch", "bad..name", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a valid git branch name"),
        "{}",
        describe(&out)
    );
}

#[test]
fn many_roots_write_in_place_and_group_output() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, version) in [("a", "1.22"), ("b", "1.20"), ("c", "1.22")] {
        write_files(
            &tmp.path().join(name),
            &[("go.mod", &gomod(name, version)), ("b.go", RANGE_DELETE_GO)],
        );
    }
    let out = mapfix(tmp.path(), &["--batch", "--write", "a/", "b", "./c"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "b keeps an unfixable finding: {}",
        describe(&out)
    );
    for (name, fixed) in [("a", true), ("b", false), ("c", true)] {
        let text = std::fs::read_to_string(tmp.path().join(name).join("b.go")).unwrap();
        assert_eq!(text.contains("clear(seen)"), fixed, "{name}: {text}");
    }
    let text = stdout(&out);
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with("==> ")).collect();
    assert_eq!(headers, ["==> a <==", "==> b <==", "==> c <=="]);
    assert!(
        text.contains("\nb                1         1      0       0  findings\n"),
        "{text}"
    );
}

#[test]
fn each_repository_keeps_its_own_excludes() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        write_files(
            &tmp.path().join(name),
            &[
                ("go.mod", &gomod(name, "1.22")),
                ("b.go", RANGE_DELETE_GO),
                ("gen/g.go", RANGE_DELETE_GO),
            ],
        );
    }
    std::fs::write(tmp.path().join("b/mapfix.toml"), "exclude = [\"gen\"]\n").unwrap();
    let out = mapfix(tmp.path(), &["--batch", "--write", "a", "b"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    for (file, fixed) in [
        ("a/b.go", true),
        ("a/gen/g.go", true),
        ("b/b.go", true),
        ("b/gen/g.go", false),
    ] {
        let text = std::fs::read_to_string(tmp.path().join(file)).unwrap();
        assert_eq!(text.contains("clear(seen)"), fixed, "{file}: {text}");
    }
}

/// The repositories a `--shard` run processed, from its JSON findings.
fn processed(dir: &Path, args: &[&str]) -> BTreeSet<String> {
    let out = mapfix(dir, args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().split('/').next().unwrap().to_string())
        .collect()
}

#[test]
fn shards_partition_the_list_whatever_its_order() {
    let tmp = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..23).map(|i| format!("repo{i:02}")).collect();
    for name in &names {
        write_files(
            &tmp.path().join(name),
            &[("go.mod", &gomod(name, "1.22")), ("b.go", RANGE_DELETE_GO)],
        );
    }
    let all: BTreeSet<String> = names.iter().cloned().collect();
    std::fs::write(tmp.path().join("list.txt"), names.join("\n")).unwrap();
    // The same list, reversed and rotated, with other spellings of the paths.
    let mut shuffled: Vec<String> = names.iter().rev().map(|n| format!("./{n}/")).collect();
    shuffled.rotate_left(7);
    std::fs::write(
        tmp.path().join("shuffled.txt"),
        format!("# shuffled\n{}\n", shuffled.join("\n")),
    )
    .unwrap();

    let n = 4;
    let shards: Vec<BTreeSet<String>> = (1..=n)
        .map(|k| {
            processed(
                tmp.path(),
                &[
                    "--repos",
                    "list.txt",
                    "--shard",
                    &format!("{k}/{n}"),
                    "--format",
                    "json",
                ],
            )
        })
        .collect();
    let union: BTreeSet<String> = shards.iter().flatten().cloned().collect();
    assert_eq!(union, all);
    assert_eq!(
        shards.iter().map(BTreeSet::len).sum::<usize>(),
        all.len(),
        "shards overlap: {shards:?}"
    );
    assert!(shards.iter().all(|s| !s.is_empty()), "{shards:?}");
    for k in 1..=n {
        let again = processed(
            tmp.path(),
            &[
                "--repos",
                "shuffled.txt",
                "--shard",
                &format!("{k}/{n}"),
                "--format",
                "json",
            ],
        );
        assert_eq!(again, shards[k - 1], "shard {k} depends on list order");
    }
    // --list-repos prints a shard's repositories without processing them.
    let listed = mapfix(
        tmp.path(),
        &["--repos", "shuffled.txt", "--shard", "3/4", "--list-repos"],
    );
    assert_eq!(listed.status.code(), Some(0), "{}", describe(&listed));
    let listed: BTreeSet<String> = stdout(&listed)
        .lines()
        .map(|l| l.trim_start_matches("./").trim_end_matches('/').to_string())
        .collect();
    assert_eq!(listed, shards[2]);
    // PATH arguments are sharded like list entries.
    let mut args: Vec<&str> = names.iter().map(String::as_str).collect();
    args.extend(["--shard", "2/4", "--format", "json"]);
    assert_eq!(processed(tmp.path(), &args), shards[1]);
}

#[test]
fn entries_in_one_git_repository_share_one_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = two_package_repo(&tmp.path().join("svc"));
    let out = mapfix(
        tmp.path(),
        &["-w", "--commit", "--branch", BRANCH, "svc/api", "svc/worker"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(git(&repo, &["rev-list", "--count", &format!("main..{BRANCH}")]), "1");
    assert_eq!(
        git(&repo, &["show", "--format=%s", "--name-only", BRANCH]),
        "mapfix: use clear() for delete-all loops (2 sites)\n\napi/b.go\nworker/b.go"
    );
    assert!(
        stdout(&out).contains("same git repository as svc/api: committed with it"),
        "{}",
        describe(&out)
    );
    assert_eq!(git(&repo, &["--no-optional-locks", "status", "--porcelain"]), "");
}

/// Several module directories without a batch flag are one ordinary run:
/// one SARIF log with one run, no `==>` headers, no closing table; each
/// module still gets its own Go version.
#[test]
fn several_modules_without_a_batch_flag_are_one_ordinary_run() {
    let tmp = tempfile::tempdir().unwrap();
    git_repo(
        &tmp.path().join("new"),
        &[("go.mod", &gomod("new", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    git_repo(
        &tmp.path().join("old"),
        &[("go.mod", &gomod("old", "1.20")), ("b.go", RANGE_DELETE_GO)],
    );
    let text = mapfix(tmp.path(), &["new", "old"]);
    assert_eq!(text.status.code(), Some(1), "{}", describe(&text));
    let shown = stdout(&text);
    assert!(!shown.contains("==> "), "{shown}");
    assert!(!shown.contains("repository "), "{shown}");
    assert!(
        shown.contains("+++ b/new/b.go") && shown.contains("+\tclear(seen)"),
        "{shown}"
    );
    assert!(!shown.contains("+++ b/old/b.go"), "{shown}");
    assert!(shown.contains("clear needs Go 1.21; this file is Go 1.20"), "{shown}");

    let sarif = mapfix(tmp.path(), &["--format", "sarif", "new", "old"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&sarif.stdout).unwrap_or_else(|_| panic!("{}", describe(&sarif)));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{doc}");
    let uris: Vec<&str> = runs[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, ["new/b.go", "old/b.go"]);
    assert!(
        String::from_utf8_lossy(&sarif.stderr).trim().is_empty(),
        "{}",
        describe(&sarif)
    );

    let json = mapfix(tmp.path(), &["--format", "json", "new", "old"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(doc.get("repositories").is_none(), "{doc}");
    assert_eq!(doc["summary"]["findings"], 2);
}

#[test]
fn interactive_is_refused_in_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        &tmp.path().join("a"),
        &[("go.mod", &gomod("a", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    std::fs::write(tmp.path().join("list.txt"), "a\n").unwrap();
    for (args, flag) in [
        (&["-i", "--answers-from-stdin", "--repos", "list.txt"][..], "--repos"),
        (&["-i", "--answers-from-stdin", "--batch", "a"], "--batch"),
        (&["-i", "-w", "--commit", "--branch", "x", "a"], "--commit"),
    ] {
        let out = mapfix(tmp.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--interactive does not apply to a batch run") && stderr.contains(flag),
            "{args:?}: {stderr}"
        );
    }
    let text = std::fs::read_to_string(tmp.path().join("a/b.go")).unwrap();
    assert_eq!(text, RANGE_DELETE_GO);
}

/// `--write-baseline` records the findings of every repository of the
/// batch; `--baseline` then hides them, and their fixes are not written.
#[test]
fn baselines_cover_every_repository_of_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        write_files(
            &tmp.path().join(name),
            &[("go.mod", &gomod(name, "1.22")), ("b.go", RANGE_DELETE_GO)],
        );
    }
    std::fs::write(tmp.path().join("list.txt"), "a\nb\n").unwrap();
    let recorded = mapfix(tmp.path(), &["--repos", "list.txt", "--write-baseline", "base.json"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", describe(&recorded));
    assert!(
        String::from_utf8_lossy(&recorded.stderr).contains("recorded 2 findings in base.json"),
        "{}",
        describe(&recorded)
    );
    // A new finding in b, beside the recorded one.
    let new_site = "\nfunc Also(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    std::fs::write(tmp.path().join("b/b.go"), format!("{RANGE_DELETE_GO}{new_site}")).unwrap();

    let json = mapfix(
        tmp.path(),
        &["--repos", "list.txt", "--baseline", "base.json", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_else(|_| panic!("{}", describe(&json)));
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["path"], "b/b.go");
    assert_eq!(findings[0]["line"], 10);

    let out = mapfix(
        tmp.path(),
        &["--repos", "list.txt", "--baseline", "base.json", "--write"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("a/b.go")).unwrap(),
        RANGE_DELETE_GO
    );
    let b = std::fs::read_to_string(tmp.path().join("b/b.go")).unwrap();
    assert!(
        b.starts_with(RANGE_DELETE_GO) && b.ends_with("func Also(m map[string]int) {\n\tclear(m)\n}\n"),
        "{b}"
    );
}
