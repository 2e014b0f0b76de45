//! How mapfix runs `git` (and `gh`) in repositories it does not trust (SPEC §5):
//! an argv in the repository's directory, with the repository-pointing variables
//! of the environment cleared and `-c` overrides that stop anything a
//! repository's config could make git execute (fsmonitor, hooks, pager, signing
//! programs, `sshCommand`, `askPass`, transports other than file/http(s)/ssh).
//! A remote's `receivepack` is not overridden by `-c` (git keeps the first
//! value it reads): a push names `--receive-pack` itself. Filter and diff drivers cannot be switched off by name
//! in general: commits use plumbing that never runs them, and `driver_overrides`
//! empties the drivers a repository defines for the one call that reads the work tree.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Variables that would point git at another repository, index or object
/// store than the one asked for (set, for example, when mapfix runs inside a
/// git hook), or carry configuration of their own.
const INHERITED_GIT_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF",
    "GIT_QUARANTINE_PATH",
];

/// Configuration that wins over every config file (command-line scope): each
/// key names something git would otherwise execute, or a transport that could.
const OVERRIDES: &[(&str, &str)] = &[
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.sshCommand", "ssh"),
    ("core.askPass", ""),
    ("core.pager", "cat"),
    ("core.editor", "true"),
    ("sequence.editor", "true"),
    ("core.alternateRefsCommand", "true"),
    ("diff.external", ""),
    ("commit.gpgSign", "false"),
    ("tag.gpgSign", "false"),
    ("push.gpgSign", "false"),
    ("submodule.recurse", "false"),
    // No file written where the repository says (cookies), no gc started.
    ("http.saveCookies", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("push.recurseSubmodules", "no"),
    // Only these transports: no ext::, fd::, git:// (core.gitProxy) or remote helpers.
    ("protocol.allow", "never"),
    ("protocol.file.allow", "always"),
    ("protocol.https.allow", "always"),
    ("protocol.http.allow", "always"),
    ("protocol.ssh.allow", "always"),
];

/// A `git` command in `dir`, isolated from what the repository configures.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir);
    for (key, value) in OVERRIDES {
        cmd.arg("-c").arg(format!("{key}={value}"));
    }
    clean_env(&mut cmd);
    cmd
}

/// Removes inherited repository variables; pathspecs are literal (a file
/// named `*.go` or `:x` is not a pattern), replace refs are not followed and
/// git never prompts.
fn clean_env(cmd: &mut Command) {
    for var in INHERITED_GIT_VARS {
        cmd.env_remove(var);
    }
    cmd.env("GIT_LITERAL_PATHSPECS", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat");
}

/// For a program that runs git itself in `dir` (`gh`): the same overrides,
/// and those of `driver_config`, given as `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`,
/// which every git it starts reads.
pub fn config_env(cmd: &mut Command, dir: &Path) {
    clean_env(cmd);
    let fixed = OVERRIDES.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    let all: Vec<(String, String)> = fixed.chain(driver_config(dir)).collect();
    cmd.env("GIT_CONFIG_COUNT", all.len().to_string());
    for (i, (key, value)) in all.iter().enumerate() {
        cmd.env(format!("GIT_CONFIG_KEY_{i}"), key)
            .env(format!("GIT_CONFIG_VALUE_{i}"), value);
    }
}

/// `driver_config` as `-c` arguments.
pub fn driver_overrides(dir: &Path) -> Vec<String> {
    driver_config(dir)
        .into_iter()
        .flat_map(|(k, v)| ["-c".to_string(), format!("{k}={v}")])
        .collect()
}

/// Settings that empty every filter driver (`filter.NAME.clean`,
/// `smudge`, `process`), diff driver (`diff.NAME.command`, `textconv`) and
/// credential helper the configuration of `dir` defines, whatever file
/// defines it (reading config runs nothing). For calls that read the work
/// tree (`git diff REV`, the `git status` of `gh`) or talk to a remote.
/// Credential helpers of the user's global and system config are put back
/// after the reset.
fn driver_config(dir: &Path) -> Vec<(String, String)> {
    let mut cmd = git(dir);
    cmd.args(["config", "--null", "--get-regexp", r"^(filter|diff|credential)\."]);
    let Ok(out) = cmd.output() else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let keys: BTreeSet<&str> = text
        .split('\0')
        .filter_map(|entry| entry.split('\n').next())
        .filter(|key| !key.is_empty())
        .collect();
    let mut args = Vec::new();
    let mut names = BTreeSet::new();
    for key in keys {
        let lower = key.to_ascii_lowercase();
        let Some(dot) = lower.rfind('.') else { continue };
        let (name, field) = (&key[..dot], &lower[dot + 1..]);
        if lower.starts_with("filter.") {
            if !names.insert(name.to_string()) {
                continue;
            }
            for f in ["clean", "smudge", "process"] {
                args.push((format!("{name}.{f}"), String::new()));
            }
            args.push((format!("{name}.required"), "false".to_string()));
        } else if lower.starts_with("diff.") && matches!(field, "command" | "textconv") {
            args.push((key.to_string(), String::new()));
        } else if lower.starts_with("credential.") && field == "helper" {
            // An empty value resets the helper list; then the user's own.
            args.push((key.to_string(), String::new()));
            for scope in ["--system", "--global"] {
                args.extend(user_values(scope, key).into_iter().map(|v| (key.to_string(), v)));
            }
        }
    }
    args
}

/// The values of `key` in the user's `--global` or `--system` config file.
fn user_values(scope: &str, key: &str) -> Vec<String> {
    let mut cmd = Command::new("git");
    clean_env(&mut cmd);
    cmd.current_dir(std::env::temp_dir())
        .args(["config", "--null", scope, "--get-all", key]);
    match cmd.output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repositorys_drivers_and_credential_helpers_are_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let mut cmd = git(dir.path());
            assert!(cmd.args(args).status().unwrap().success(), "{args:?}");
        };
        run(&["init", "-q"]);
        run(&["config", "filter.lfs.clean", "touch marker"]);
        run(&["config", "filter.lfs.smudge", "touch marker"]);
        run(&["config", "diff.evil.textconv", "touch marker"]);
        run(&["config", "credential.helper", "!touch marker"]);
        let config = driver_config(dir.path());
        let has = |k: &str, v: &str| config.iter().any(|(key, value)| key == k && value == v);
        for key in [
            "filter.lfs.clean",
            "filter.lfs.smudge",
            "filter.lfs.process",
            "diff.evil.textconv",
        ] {
            assert!(has(key, ""), "{key}: {config:?}");
        }
        assert!(has("filter.lfs.required", "false"), "{config:?}");
        assert_eq!(
            config.iter().filter(|(k, _)| k == "filter.lfs.clean").count(),
            1,
            "each driver once: {config:?}"
        );
        // The reset comes first; no value of the repository's is put back.
        let helpers: Vec<&str> = config
            .iter()
            .filter(|(k, _)| k == "credential.helper")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(helpers.first(), Some(&""), "{config:?}");
        assert!(!helpers.contains(&"!touch marker"), "{config:?}");
        assert_eq!(driver_overrides(dir.path()).len(), 2 * config.len());
    }
}
