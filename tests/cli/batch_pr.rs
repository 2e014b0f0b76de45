//! `--pr` and `--push` against a fake `gh` placed first on PATH (it records
//! its arguments and the body file) and bare local `origin` repositories:
//! one pull request per repository, `--max-prs` restraint, no duplicate on
//! the next run (`gh pr edit` instead), and the body kept in the git
//! directory when `gh` is missing or fails.

use crate::batch_support::*;
use std::path::{Path, PathBuf};

const BRANCH: &str = "mapfix/maps";

/// A repository `name` under `root` with a fixable file, whose `origin` is a
/// bare repository `name.git` with `main` as its default branch.
fn repo_with_origin(root: &Path, name: &str) -> PathBuf {
    let repo = git_repo(
        &root.join(name),
        &[("go.mod", &gomod(name, "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let origin = root.join("origins").join(format!("{name}.git"));
    std::fs::create_dir_all(origin.parent().unwrap()).unwrap();
    git(
        root,
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            origin.to_str().unwrap(),
        ],
    );
    git(&repo, &["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&repo, &["fetch", "-q", "origin"]);
    git(&repo, &["remote", "set-head", "origin", "main"]);
    repo
}

fn calls_in<'a>(calls: &'a [(String, Vec<String>)], repo: &str, sub: &str) -> Vec<&'a Vec<String>> {
    calls
        .iter()
        .filter(|(r, args)| r == repo && args.get(1).map(String::as_str) == Some(sub))
        .map(|(_, a)| a)
        .collect()
}

#[test]
fn opens_one_pr_per_repository_within_max_prs_and_never_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let alpha = repo_with_origin(root, "alpha");
    let beta = repo_with_origin(root, "beta");
    let before = [checkout_state(&alpha), checkout_state(&beta)];
    let gh = FakeGh::install(&root.join("gh"));
    let args = [
        "-w",
        "--commit",
        "--branch",
        BRANCH,
        "--push",
        "--pr",
        "--draft",
        "--max-prs",
        "1",
        "alpha",
        "beta",
    ];

    let first = gh.mapfix(root, &args);
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    let calls = gh.calls();
    let create = calls_in(&calls, "alpha", "create");
    assert_eq!(create.len(), 1, "{calls:?}");
    let create = create[0];
    assert_eq!(flag_value(create, "--head"), Some(BRANCH));
    assert_eq!(flag_value(create, "--base"), Some("main"));
    assert_eq!(
        flag_value(create, "--title"),
        Some("mapfix: use clear() for delete-all loops (1 site)")
    );
    assert!(create.contains(&"--draft".to_string()), "{create:?}");
    let body_file = flag_value(create, "--body-file").unwrap();
    assert!(body_file.ends_with(".git/mapfix-pr-body-mapfix-maps.md"), "{body_file}");
    let body = gh.body("alpha");
    assert!(body.contains("| `range-delete` | 1 | 1 | 0 |"), "{body}");
    assert!(
        body.contains("- `b.go`: line 4 (") && body.contains("```diff\n--- a/b.go\n+++ b/b.go\n"),
        "{body}"
    );
    assert!(body.contains("`mapfix explain range-delete`"), "{body}");
    // alpha was pushed; beta, over --max-prs, was neither pushed nor proposed.
    let origin = |name: &str| root.join("origins").join(format!("{name}.git"));
    assert_eq!(
        git(&origin("alpha"), &["rev-parse", BRANCH]),
        git(&alpha, &["rev-parse", BRANCH])
    );
    assert!(!has_rev(&origin("beta"), BRANCH));
    assert!(calls_in(&calls, "beta", "create").is_empty(), "{calls:?}");
    assert_eq!(calls_in(&calls, "beta", "list").len(), 1);
    let text = stdout(&first);
    assert!(text.contains("opened https://github.test/alpha/pull/7"), "{text}");
    assert!(
        text.contains("left for the next run (--max-prs 1 reached; their branches are committed): beta"),
        "{text}"
    );
    assert_eq!([checkout_state(&alpha), checkout_state(&beta)], before);

    // Next run: alpha's pull request is updated, not duplicated; beta's is opened.
    let tips = [git(&alpha, &["rev-parse", BRANCH]), git(&beta, &["rev-parse", BRANCH])];
    let second = gh.mapfix(root, &args);
    assert_eq!(second.status.code(), Some(0), "{}", describe(&second));
    let calls = gh.calls();
    assert_eq!(
        calls_in(&calls, "alpha", "create").len(),
        1,
        "duplicate pull request: {calls:?}"
    );
    let edit = calls_in(&calls, "alpha", "edit");
    assert_eq!(edit.len(), 1, "{calls:?}");
    assert_eq!(edit[0][2], "7");
    assert_eq!(calls_in(&calls, "beta", "create").len(), 1, "{calls:?}");
    assert_eq!(git(&origin("beta"), &["rev-parse", BRANCH]), tips[1]);
    assert_eq!(
        [git(&alpha, &["rev-parse", BRANCH]), git(&beta, &["rev-parse", BRANCH])],
        tips,
        "new commits"
    );
    let text = stdout(&second);
    assert!(text.contains("updated https://github.test/alpha/pull/7"), "{text}");
    assert!(!text.contains("left for the next run"), "{text}");
}

#[test]
fn without_gh_the_body_is_kept_and_its_place_said() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = git_repo(
        &tmp.path().join("svc"),
        &[("go.mod", &gomod("svc", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    // A PATH holding git and nothing else.
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real_git = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH");
    std::os::unix::fs::symlink(real_git, bin.join("git")).unwrap();
    let out = mapfix_env(
        tmp.path(),
        &["-w", "--commit", "--branch", BRANCH, "--pr", "svc"],
        Some(bin.as_os_str()),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let body_file = std::fs::canonicalize(&repo)
        .unwrap()
        .join(".git/mapfix-pr-body-mapfix-maps.md");
    assert!(
        stdout(&out).contains(&format!(
            "gh not found: pull-request body written to {}",
            body_file.display()
        )),
        "{}",
        describe(&out)
    );
    let body = std::fs::read_to_string(&body_file).unwrap();
    assert!(body.starts_with("mapfix fixed 1 of 1 finding in 1 file"), "{body}");
    assert_eq!(git(&repo, &["--no-optional-locks", "status", "--porcelain"]), "");
}

#[test]
fn a_failing_gh_is_an_error_and_the_body_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    git_repo(
        &tmp.path().join("svc"),
        &[("go.mod", &gomod("svc", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let gh = FakeGh::install(&tmp.path().join("gh"));
    let out = mapfix_env(
        tmp.path(),
        &["-w", "--commit", "--branch", BRANCH, "--pr", "svc"],
        Some(&gh.path()),
        &[("FAKE_GH_DIR", &gh.dir), ("FAKE_GH_FAIL", Path::new("1"))],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pull request not opened: `gh pr create` failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("HTTP 422: fake failure") && stderr.contains("mapfix-pr-body-mapfix-maps.md"),
        "{stderr}"
    );
    assert!(gh.body("svc").contains("| `range-delete` | 1 | 1 | 0 |"));
}

/// A CI job starts from a fresh clone each time: the branch an earlier run
/// pushed is found on origin, so a re-run adds no commit, and after `main`
/// moves on, `--force-branch` rebuilds the branch and pushes it with a lease.
#[test]
fn fresh_clones_reuse_the_pushed_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dev = repo_with_origin(root, "svc");
    let origin = root.join("origins/svc.git");
    let clone = |job: &str| {
        let dir = root.join(job).join("svc");
        std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
        git(root, &["clone", "-q", origin.to_str().unwrap(), dir.to_str().unwrap()]);
        git(&dir, &["config", "user.name", "CI"]);
        git(&dir, &["config", "user.email", "ci@example.com"]);
        dir
    };
    let args = ["-w", "--commit", "--branch", BRANCH, "--push", "svc"];

    let job1 = clone("job1");
    let out = mapfix(&root.join("job1"), &args);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pushed = git(&origin, &["rev-parse", BRANCH]);

    let job2 = clone("job2");
    let out = mapfix(&root.join("job2"), &args);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("{BRANCH} already up to date")),
        "{}",
        describe(&out)
    );
    assert_eq!(
        git(&origin, &["rev-parse", BRANCH]),
        pushed,
        "a re-run pushed a new commit"
    );
    assert_eq!(git(&job2, &["rev-parse", BRANCH]), pushed);

    // main moves on: the branch on origin is stale.
    write_files(&dev, &[("c.go", CLEAN_GO)]);
    git(&dev, &["add", "c.go"]);
    git(&dev, &["commit", "-q", "-m", "more code"]);
    git(&dev, &["push", "-q", "origin", "main"]);
    let job3 = clone("job3");
    let kept = mapfix(&root.join("job3"), &args);
    assert_eq!(kept.status.code(), Some(1), "{}", describe(&kept));
    assert!(
        stdout(&kept).contains("(on origin) already exists with other content"),
        "{}",
        describe(&kept)
    );
    assert_eq!(git(&origin, &["rev-parse", BRANCH]), pushed);

    let forced = mapfix(
        &root.join("job3"),
        &["-w", "--commit", "--branch", BRANCH, "--force-branch", "--push", "svc"],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", describe(&forced));
    let tip = git(&origin, &["rev-parse", BRANCH]);
    assert_ne!(tip, pushed);
    assert_eq!(
        git(&origin, &["rev-parse", &format!("{BRANCH}^")]),
        git(&origin, &["rev-parse", "main"])
    );
    assert!(git(&origin, &["show", &format!("{BRANCH}:b.go")]).contains("clear(seen)"));
    assert_eq!(
        git(&job1, &["rev-parse", BRANCH]),
        pushed,
        "other clones are not touched"
    );
    assert_eq!(git(&job3, &["branch", "--show-current"]), "main");
    assert_eq!(git(&job3, &["--no-optional-locks", "status", "--porcelain"]), "");
}

/// `--format json` records each repository's branch, commit and pull
/// request: the URL of the one opened, and why the other waits.
#[test]
fn json_records_the_pull_request_of_each_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let alpha = repo_with_origin(root, "alpha");
    let beta = repo_with_origin(root, "beta");
    let gh = FakeGh::install(&root.join("gh"));
    let args = [
        "-w",
        "--commit",
        "--branch",
        BRANCH,
        "--push",
        "--pr",
        "--max-prs",
        "1",
        "--format",
        "json",
        "alpha",
        "beta",
    ];
    let out = gh.mapfix(root, &args);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    let repos = doc["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 2, "{doc}");
    let (a, b) = (&repos[0], &repos[1]);
    assert_eq!(a["path"], "alpha");
    assert_eq!(a["status"], "committed");
    assert_eq!(a["branch"], BRANCH);
    assert_eq!(a["commit"], git(&alpha, &["rev-parse", BRANCH]));
    assert_eq!(a["pr_status"], "opened");
    assert_eq!(a["pr_url"], "https://github.test/alpha/pull/7");
    assert_eq!(a["reason"], serde_json::Value::Null);
    assert_eq!(b["path"], "beta");
    assert_eq!(b["status"], "committed");
    assert_eq!(b["commit"], git(&beta, &["rev-parse", BRANCH]));
    assert_eq!(b["pr_status"], "deferred");
    assert_eq!(b["pr_url"], serde_json::Value::Null);
    assert!(b["reason"].as_str().unwrap().starts_with("--max-prs 1 reached"), "{b}");

    // The next run updates alpha's pull request and opens beta's.
    let out = gh.mapfix(root, &args);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let states: Vec<(&str, &str, &str)> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap(),
                r["pr_status"].as_str().unwrap(),
                r["pr_url"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("up-to-date", "updated", "https://github.test/alpha/pull/7"),
            ("up-to-date", "opened", "https://github.test/beta/pull/7")
        ]
    );
}
