//! Hostile repositories in a `--commit` batch (SPEC §5), built as real git
//! repositories: nothing their git config sets up runs (fsmonitor, hooks,
//! filters, signing programs, `sshCommand`, `receivepack`, nor for the git
//! that `gh` runs: each would leave a marker file), a `.git` file pointing at another repository is refused,
//! a file name with a backslash is committed as itself, a commit made while
//! the batch runs is never reverted, `--branch refs/heads/NAME` is NAME, and
//! the pull-request body is never written through a symlink in `.git/`.

use crate::batch_support::*;
use std::path::{Path, PathBuf};

const BRANCH: &str = "mapfix/maps";

/// A script at `dir/name` that creates `markers/name`; a clean or smudge
/// filter passes its input through, anything else fails (so that nothing
/// waits on it).
fn marker_script(dir: &Path, name: &str) -> PathBuf {
    let markers = dir.join("markers");
    std::fs::create_dir_all(&markers).unwrap();
    let script = dir.join("bin").join(name);
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\n{}\n",
            markers.join(name).display(),
            if name.starts_with("filter-clean") || name.starts_with("filter-smudge") {
                "exec cat"
            } else {
                "exit 1"
            }
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Forgets the markers left so far (setting up runs some of the scripts).
fn clear_markers(dir: &Path) {
    std::fs::remove_dir_all(dir.join("markers")).unwrap();
    std::fs::create_dir_all(dir.join("markers")).unwrap();
}

fn markers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("markers"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

const HOOKS: &[&str] = &[
    "pre-commit",
    "post-commit",
    "post-index-change",
    "reference-transaction",
    "pre-push",
    "post-checkout",
    "pre-auto-gc",
];

/// Configures `repo` so that git runs a marker script for every hook, its
/// fsmonitor, clean/smudge and process filters, diff textconv, commit
/// signing and (with `origin`) the push's receive-pack.
fn make_hostile(repo: &Path, tools: &Path) {
    let script = |name: &str| marker_script(tools, name).to_string_lossy().into_owned();
    for hook in HOOKS {
        let path = repo.join(".git/hooks").join(hook);
        std::fs::copy(script(&format!("hook-{hook}")), &path).unwrap();
    }
    let config = [
        ("core.fsmonitor", script("fsmonitor")),
        ("filter.evil.clean", script("filter-clean")),
        ("filter.evil.smudge", script("filter-smudge")),
        ("filter.evil.required", "true".into()),
        ("filter.proc.process", script("filter-process")),
        ("diff.evil.textconv", script("textconv")),
        ("commit.gpgSign", "true".into()),
        ("gpg.program", script("gpg")),
        ("remote.origin.receivepack", script("receivepack")),
        ("core.pager", script("pager")),
    ];
    for (key, value) in config {
        git(repo, &["config", key, &value]);
    }
    std::fs::write(
        repo.join(".git/info/attributes"),
        "*.go filter=evil diff=evil\ngo.mod filter=proc\n",
    )
    .unwrap();
}

/// PATH with a `gh` first that, as the real one does, runs `git status` in
/// the repository before it answers (`pr list`: none open; `pr create`: a URL).
fn gh_running_git(root: &Path) -> std::ffi::OsString {
    let bin = root.join("gh-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\ntouch '{}'\ngit status --porcelain >/dev/null 2>&1\n\
         case \"$1 $2\" in\n  \"pr list\") echo '[]' ;;\n  *) echo https://github.test/pull/1 ;;\nesac\n",
        root.join("gh-ran").display()
    );
    std::fs::write(bin.join("gh"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    std::env::join_paths(dirs).unwrap()
}

#[test]
fn nothing_a_repository_configures_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git_repo(
        &root.join("hostile"),
        &[("go.mod", &gomod("h", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    git(root, &["init", "-q", "--bare", "origin.git"]);
    git(
        &repo,
        &["remote", "add", "origin", root.join("origin.git").to_str().unwrap()],
    );
    // A second repository whose origin is reached over ssh with its own sshCommand.
    let ssh = git_repo(
        &root.join("viassh"),
        &[("go.mod", &gomod("s", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    git(&ssh, &["remote", "add", "origin", "ssh://git@example.invalid/x.git"]);
    let ssh_script = marker_script(root, "ssh-command");
    git(&ssh, &["config", "core.sshCommand", ssh_script.to_str().unwrap()]);
    make_hostile(&repo, root);
    // Setting up ran some of the scripts; only what mapfix runs counts.
    clear_markers(root);

    let out = mapfix_env(
        root,
        &[
            "--write", "--commit", "--branch", BRANCH, "--push", "--pr", "hostile", "viassh",
        ],
        Some(&gh_running_git(root)),
        &[],
    );
    assert_eq!(markers(root), Vec::<String>::new(), "{}", describe(&out));
    assert!(root.join("gh-ran").exists(), "{}", describe(&out));
    // The hostile repository's rewrite is committed and pushed all the same.
    let fixed = git(&repo, &["show", &format!("{BRANCH}:a.go")]);
    assert!(fixed.contains("clear(m)"), "{fixed}\n{}", describe(&out));
    assert_eq!(
        git(&root.join("origin.git"), &["rev-parse", BRANCH]),
        git(&repo, &["rev-parse", BRANCH])
    );
    // The ssh push failed (no such host), through ssh itself.
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("push failed"), "{}", describe(&out));
}

#[test]
fn diff_base_runs_nothing_the_repository_configures_and_ignores_inherited_git_variables() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let old = "package a\n\nfunc Old(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    let repo = git_repo(&root.join("r"), &[("go.mod", "module m\n\ngo 1.22\n"), ("a.go", old)]);
    let other = git_repo(&root.join("other"), &[("x.go", CLEAN_GO)]);
    make_hostile(&repo, root);
    std::fs::write(
        repo.join("a.go"),
        format!("{old}\nfunc New(n map[string]int) {{\n\tfor k := range n {{\n\t\tdelete(n, k)\n\t}}\n}}\n"),
    )
    .unwrap();
    clear_markers(root);
    let new_lines = |out: &std::process::Output| -> Vec<u64> {
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(out)));
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    };
    let out = mapfix(&repo, &["--format", "json", "--diff-base", "HEAD", "."]);
    assert_eq!(markers(root), Vec::<String>::new(), "{}", describe(&out));
    assert_eq!(new_lines(&out), [10], "only the new loop: {}", describe(&out));
    // Variables that would point git at another repository are not inherited.
    let git_dir = other.join(".git");
    let out = mapfix_env(
        &repo,
        &["--format", "json", "--diff-base", "HEAD", "."],
        None,
        &[
            ("GIT_DIR", &git_dir),
            ("GIT_WORK_TREE", &other),
            ("GIT_INDEX_FILE", &git_dir.join("index")),
        ],
    );
    assert_eq!(new_lines(&out), [10], "only the new loop: {}", describe(&out));
}

#[test]
fn a_git_file_pointing_at_another_repository_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let victim = git_repo(
        &root.join("victim"),
        &[("go.mod", &gomod("v", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    write_files(
        &root.join("evil"),
        &[("go.mod", &gomod("v", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    std::fs::write(
        root.join("evil/.git"),
        format!("gitdir: {}\n", victim.join(".git").display()),
    )
    .unwrap();
    // A symlinked .git is the same thing.
    write_files(
        &root.join("linked"),
        &[("go.mod", &gomod("v", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    std::os::unix::fs::symlink(victim.join(".git"), root.join("linked/.git")).unwrap();
    // A linked worktree of a repository (its git dir under that repository's .git/) is fine.
    git(
        &victim,
        &["worktree", "add", "-q", "-b", "wt", root.join("wt").to_str().unwrap()],
    );

    let out = mapfix(
        root,
        &[
            "--write", "--commit", "--branch", BRANCH, "--format", "json", "evil", "linked", "wt",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let records = doc["repositories"].as_array().unwrap();
    for (i, name) in ["evil", "linked"].iter().enumerate() {
        assert_eq!(records[i]["status"], "failed", "{name}: {}", describe(&out));
        let reason = records[i]["reason"].as_str().unwrap();
        assert!(reason.contains("is outside the repository"), "{name}: {reason}");
    }
    assert_eq!(records[2]["status"], "committed", "{}", describe(&out));
    // The branch exists once: the worktree's, in the repository the worktree belongs to.
    let wt_commit = git(&root.join("wt"), &["rev-parse", BRANCH]);
    assert_eq!(git(&victim, &["rev-parse", BRANCH]), wt_commit);
    assert_eq!(
        git(&victim, &["rev-parse", &format!("{BRANCH}^")]),
        git(&victim, &["rev-parse", "wt"])
    );
    assert_eq!(git(&victim, &["log", "--format=%H", "--all"]).lines().count(), 2);
}

#[test]
fn a_backslash_in_a_file_name_is_part_of_the_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git_repo(
        &root.join("r"),
        &[
            ("go.mod", &gomod("r", "1.22")),
            ("d/x.go", CLEAN_GO),
            ("d\\x.go", &RANGE_DELETE_GO.replace("package b", "package r")),
        ],
    );
    let out = mapfix(root, &["--write", "--commit", "--branch", BRANCH, "r"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(git(&repo, &["show", &format!("{BRANCH}:d/x.go")]), CLEAN_GO.trim_end());
    assert!(git(&repo, &["show", &format!("{BRANCH}:d\\x.go")]).contains("clear(seen)"));
    assert_eq!(
        git(&repo, &["show", "--format=", "--name-only", "-z", BRANCH]),
        "d\\x.go\0"
    );
}

/// A `git` first on PATH that, on its first call inside `target` (the
/// first git call after mapfix read the files), commits a change to
/// `a.go` there with the real git, then does what it was asked.
fn racing_git(dir: &Path, target: &Path) -> std::ffi::OsString {
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .unwrap();
    let bin = dir.join("racing-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let flag = dir.join("raced");
    let script = format!(
        "#!/bin/sh\nif [ ! -e '{flag}' ] && [ \"$(pwd -P)\" = '{target}' ]; then\n  touch '{flag}'\n  \
         printf '\\n// committed during the run\\n' >> a.go\n  \
         '{real}' -c user.name=Racer -c user.email=racer@example.com commit -q -a -m racing >/dev/null\nfi\n\
         exec '{real}' \"$@\"\n",
        flag = flag.display(),
        target = target.canonicalize().unwrap().display(),
        real = real.display()
    );
    std::fs::write(bin.join("git"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("git"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    std::env::join_paths(dirs).unwrap()
}

#[test]
fn a_commit_made_during_the_run_is_not_reverted() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git_repo(
        &root.join("r"),
        &[("go.mod", &gomod("r", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    let path = racing_git(root, &repo);
    let out = mapfix_env(
        root,
        &["--write", "--commit", "--branch", BRANCH, "--format", "json", "r"],
        Some(&path),
        &[],
    );
    assert!(
        root.join("raced").exists(),
        "the racing commit was made: {}",
        describe(&out)
    );
    assert_eq!(git(&repo, &["log", "-1", "--format=%s"]), "racing");
    assert!(!has_rev(&repo, BRANCH), "{}", describe(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    let record = &doc["repositories"][0];
    assert_eq!(record["status"], "skipped", "{record}");
    assert!(
        record["reason"]
            .as_str()
            .unwrap()
            .contains("a.go changed since mapfix read it"),
        "{record}"
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn branch_may_be_given_as_a_full_ref_and_bad_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git_repo(
        &root.join("r"),
        &[("go.mod", &gomod("r", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    let out = mapfix(
        root,
        &["--write", "--commit", "--branch", "refs/heads/mapfix/full", "r"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(has_rev(&repo, "refs/heads/mapfix/full"));
    assert!(!has_rev(&repo, "refs/heads/refs/heads/mapfix/full"));
    assert!(stdout(&out).contains("on mapfix/full"), "{}", describe(&out));
    for bad in ["a..b", "x.lock", "-x", "@{-1}", "HEAD", "refs/heads/", "a b"] {
        let out = mapfix(root, &["--write", "--commit", "--branch", bad, "r"]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", describe(&out));
    }
    assert_eq!(
        git(&repo, &["for-each-ref", "--format=%(refname)", "refs/heads"])
            .lines()
            .count(),
        2
    );
}

#[test]
fn the_pull_request_body_is_not_written_through_a_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git_repo(
        &root.join("r"),
        &[("go.mod", &gomod("r", "1.22")), ("a.go", TWO_RULES_GO)],
    );
    let precious = root.join("precious.txt");
    std::fs::write(&precious, "keep me\n").unwrap();
    let body = repo.join(".git/mapfix-pr-body-mapfix-maps.md");
    std::os::unix::fs::symlink(&precious, &body).unwrap();
    let gh = FakeGh::install(root);
    let out = gh.mapfix(root, &["--write", "--commit", "--branch", BRANCH, "--pr", "r"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me\n");
    assert!(!body.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&body).unwrap().contains("clear("));
}

#[test]
fn a_submodule_commits_in_its_own_git_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    git_repo(
        &root.join("lib"),
        &[("go.mod", &gomod("lib", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    let sup = git_repo(&root.join("super"), &[("README", "super\n")]);
    git(
        &sup,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            "../lib",
            "lib",
        ],
    );
    git(&sup, &["commit", "-q", "-m", "add lib"]);
    let sub = sup.join("lib");
    assert!(sub.join(".git").is_file(), "a submodule's .git is a file");
    let out = mapfix(
        root,
        &[
            "--write",
            "--commit",
            "--branch",
            BRANCH,
            "--author",
            "Bot <bot@example.com>",
            "super/lib",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(git(&sub, &["show", &format!("{BRANCH}:b.go")]).contains("clear(seen)"));
    assert!(!has_rev(&sup, BRANCH));
    assert!(!has_rev(&root.join("lib"), BRANCH));
}
