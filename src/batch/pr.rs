//! `--pr`: one pull request per repository through the GitHub CLI (`gh`,
//! found on PATH, run with an argv in the repository). An open pull request
//! for the branch is updated (`gh pr edit`) rather than duplicated; a new
//! one is opened (`gh pr create`) only while `--max-prs` allows. The body is
//! always kept in a file inside the repository's git directory, so that it
//! survives when `gh` is missing or fails.

use super::git::{Checkout, GitError};
use std::path::PathBuf;
use std::process::Command;

/// What to open or update.
pub struct PrRequest<'a> {
    pub branch: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub draft: bool,
}

/// What happened to a repository's pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrOutcome {
    Opened {
        url: String,
    },
    Updated {
        url: String,
    },
    /// `--max-prs` reached: nothing opened; the next run will.
    LeftForNextRun,
    /// `gh` is not on PATH.
    NoGh {
        body_file: PathBuf,
    },
    /// `--push` failed; no pull request was opened or updated.
    PushFailed {
        message: String,
    },
    Failed {
        message: String,
        body_file: PathBuf,
    },
}

/// Opens or updates the pull request of `req.branch` in `repo`.
/// `may_open`: whether a new pull request is still allowed (`--max-prs`);
/// `push` runs just before a pull request is opened or updated, so a branch
/// left for the next run is not pushed either.
pub fn ensure_pr(
    repo: &Checkout,
    req: &PrRequest,
    may_open: bool,
    push: &mut dyn FnMut() -> Result<(), GitError>,
) -> PrOutcome {
    let body_file = body_path(repo, req.branch);
    if let Err(e) = write_body(&body_file, req.body) {
        let message = format!("cannot write the pull-request body to {}: {e}", body_file.display());
        return PrOutcome::Failed { message, body_file };
    }
    let failed = |message: String| PrOutcome::Failed {
        message,
        body_file: body_file.clone(),
    };
    let existing = match gh(
        repo,
        &[
            "pr",
            "list",
            "--head",
            req.branch,
            "--state",
            "open",
            "--json",
            "number,url",
        ],
    ) {
        Ok(out) => match parse_pr_list(&out) {
            Ok(list) => list,
            Err(e) => return failed(e),
        },
        Err(GhError::Missing) => return PrOutcome::NoGh { body_file },
        Err(GhError::Failed(e)) => return failed(e),
    };
    let body_arg = body_file.to_string_lossy().into_owned();
    if existing.is_empty() && !may_open {
        return PrOutcome::LeftForNextRun;
    }
    if let Err(e) = push() {
        return PrOutcome::PushFailed { message: e.to_string() };
    }
    if let Some((number, url)) = existing.into_iter().next() {
        let number = number.to_string();
        return match gh(
            repo,
            &["pr", "edit", &number, "--title", req.title, "--body-file", &body_arg],
        ) {
            Ok(_) => PrOutcome::Updated { url },
            Err(GhError::Missing) => PrOutcome::NoGh { body_file },
            Err(GhError::Failed(e)) => failed(e),
        };
    }
    let mut args = vec![
        "pr",
        "create",
        "--head",
        req.branch,
        "--title",
        req.title,
        "--body-file",
        &body_arg,
    ];
    let base = repo.default_branch();
    if let Some(base) = &base {
        args.extend(["--base", base.as_str()]);
    }
    if req.draft {
        args.push("--draft");
    }
    match gh(repo, &args) {
        Ok(out) => PrOutcome::Opened {
            url: out.lines().last().unwrap_or("").trim().to_string(),
        },
        Err(GhError::Missing) => PrOutcome::NoGh { body_file },
        Err(GhError::Failed(e)) => failed(e),
    }
}

/// Where the body of `branch`'s pull request is kept: the repository's git
/// directory, which no commit and no `git status` sees.
fn body_path(repo: &Checkout, branch: &str) -> PathBuf {
    let safe: String = branch
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    repo.git_dir.join(format!("mapfix-pr-body-{safe}.md"))
}

/// Writes the body as a new file: whatever the (untrusted) git directory
/// held at that name, a symlink to a file of the user's say, is removed
/// first, never written through.
fn write_body(path: &std::path::Path, body: &str) -> std::io::Result<()> {
    use std::io::Write;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(body.as_bytes())
}

enum GhError {
    Missing,
    Failed(String),
}

fn gh(repo: &Checkout, args: &[&str]) -> Result<String, GhError> {
    let mut cmd = Command::new("gh");
    crate::gitenv::config_env(&mut cmd, &repo.toplevel);
    cmd.current_dir(&repo.toplevel)
        .args(args)
        .env("GH_PROMPT_DISABLED", "1")
        .env("NO_COLOR", "1");
    match cmd.output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(GhError::Missing),
        Err(e) => Err(GhError::Failed(format!("cannot run `gh`: {e}"))),
        Ok(out) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => {
            let what = args.iter().take(2).copied().collect::<Vec<_>>().join(" ");
            let stderr = String::from_utf8_lossy(&out.stderr);
            Err(GhError::Failed(format!(
                "`gh {what}` failed ({}): {}",
                out.status,
                stderr.trim()
            )))
        }
    }
}

/// `gh pr list --json number,url` output → `(number, url)` pairs.
fn parse_pr_list(json: &str) -> Result<Vec<(u64, String)>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("unexpected `gh pr list` output ({e}): {}", json.trim()))?;
    let list = value
        .as_array()
        .ok_or_else(|| format!("unexpected `gh pr list` output: {}", json.trim()))?;
    Ok(list
        .iter()
        .filter_map(|pr| Some((pr["number"].as_u64()?, pr["url"].as_str().unwrap_or("").to_string())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gh_pr_list() {
        assert_eq!(parse_pr_list("[]\n").unwrap(), vec![]);
        let out = r#"[{"number":7,"url":"https://github.com/o/r/pull/7"}]"#;
        assert_eq!(
            parse_pr_list(out).unwrap(),
            vec![(7, "https://github.com/o/r/pull/7".to_string())]
        );
        assert!(parse_pr_list("not json").is_err());
    }

    #[test]
    fn body_path_is_a_single_file_name() {
        let repo = Checkout {
            toplevel: "/r".into(),
            git_dir: "/r/.git".into(),
        };
        assert_eq!(
            body_path(&repo, "mapfix/clear"),
            PathBuf::from("/r/.git/mapfix-pr-body-mapfix-clear.md")
        );
    }
}
