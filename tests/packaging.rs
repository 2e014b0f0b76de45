//! Every install channel, built and installed here without publishing
//! anything (SPEC §7): the wheel into a fresh venv, the npm packages into a
//! scratch project with scripts disabled, the release archive through
//! install.sh from a local HTTP server (and a tampered one refused), the
//! pre-commit hook from the wheel, and the workflows and action linted.
//! Run with `--nocapture` to see sizes and install times.

mod packaging_support;

use packaging_support::*;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A Go file with a delete-all loop (a finding with a safe fix).
const LOOP: &str = "package a\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";

#[test]
fn wheel_installs_into_a_fresh_venv_and_runs() {
    let wheel = wheel();
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(&format!("mapfix-{VERSION}-py3-none-")), "{name}");
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    let (out, took) = timed(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--no-index",
                "--disable-pip-version-check",
                "--quiet",
            ])
            .arg(wheel),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let bin = venv.join("bin/mapfix");
    let out = run_ok(Command::new(&bin).arg("--version"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("mapfix {VERSION}"));
    // A dry run over the bundled examples: diffs and findings, exit 1, nothing written.
    let before = std::fs::read_to_string(root().join("examples/README.md")).ok();
    let out = run(Command::new(&bin)
        .args(["--color", "never", "examples/"])
        .current_dir(root()));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+++ b/examples/"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(root().join("examples/README.md")).ok(), before);
    eprintln!(
        "packaging: wheel {name}: {}; pip install into a fresh venv: {:.1} s",
        megabytes(std::fs::metadata(wheel).unwrap().len()),
        took.as_secs_f64()
    );
}

/// The npm platform package of this machine (the one built here).
fn npm_platform() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "linux-x64-gnu",
        "aarch64" => "linux-arm64-gnu",
        other => panic!("no npm platform package for linux {other}"),
    }
}

#[test]
fn npm_packages_install_with_scripts_disabled_and_run() {
    require("npm", "to pack and install the npm packages");
    require("node", "to run the npm package's shim");
    run_ok(Command::new("node").arg(root().join("npm/stage.js")).arg("check"));
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let stage = |args: &[&std::ffi::OsStr]| run_ok(Command::new("node").arg(root().join("npm/stage.js")).args(args));
    stage(&["main".as_ref(), t.join("main").as_os_str()]);
    stage(&[
        npm_platform().as_ref(),
        release_binary().as_os_str(),
        t.join("plat").as_os_str(),
    ]);
    let platform: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.join("plat/package.json")).unwrap()).unwrap();
    assert_eq!(platform["version"], VERSION);
    assert_eq!(platform["os"], serde_json::json!(["linux"]));
    assert_eq!(platform["libc"], serde_json::json!(["glibc"]));
    for p in [&platform, &read_json(&t.join("main/package.json"))] {
        assert!(p.get("scripts").is_none(), "no install scripts: {p}");
    }
    let mut tarballs = Vec::new();
    for dir in ["main", "plat"] {
        let out = run_ok(
            Command::new("npm")
                .args(["pack", "--silent", "--pack-destination"])
                .arg(t)
                .arg(t.join(dir))
                .env("npm_config_cache", t.join("npm-cache")),
        );
        tarballs.push(t.join(String::from_utf8_lossy(&out.stdout).trim()));
    }
    let project = t.join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"scratch\",\"version\":\"1.0.0\",\"private\":true}\n",
    )
    .unwrap();
    let (out, took) = timed(
        Command::new("npm")
            .args(["install", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"])
            .args(&tarballs)
            .current_dir(&project)
            .env("npm_config_cache", t.join("npm-cache")),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let shim = project.join("node_modules/.bin/mapfix");
    let out = run_ok(Command::new(&shim).arg("--version"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("mapfix {VERSION}"));
    // Arguments, standard streams and the exit status pass through.
    let out = run(Command::new(&shim)
        .args(["--color", "never", "examples/"])
        .current_dir(root()));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+++ b/examples/"));
    // MAPFIX_BINARY overrides the platform package; a signal that ends the
    // binary ends the shim.
    let fake = t.join("fake-mapfix");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho \"fake $*\"\n[ \"$1\" = die ] && kill -TERM $$\nexit 7\n",
    )
    .unwrap();
    make_executable(&fake);
    let out = run(Command::new(&shim).args(["a b", "c"]).env("MAPFIX_BINARY", &fake));
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "fake a b c\n");
    let out = run(Command::new(&shim).arg("die").env("MAPFIX_BINARY", &fake));
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(15), "{}", describe(&out));
    // Without the platform package the shim says what to do.
    std::fs::remove_dir_all(project.join("node_modules/@mapfix")).unwrap();
    let out = run(Command::new(&shim).arg("--version"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("MAPFIX_BINARY"),
        "{}",
        describe(&out)
    );
    eprintln!(
        "packaging: npm {}: {}; npm install (scripts off, offline): {:.1} s",
        tarballs[1].file_name().unwrap().to_string_lossy(),
        megabytes(std::fs::metadata(&tarballs[1]).unwrap().len()),
        took.as_secs_f64()
    );
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `python3 -m http.server` on 127.0.0.1 (a free port), stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn serve(dir: &Path) -> Server {
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m http.server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "Serving HTTP on 127.0.0.1 port 41235 (http://127.0.0.1:41235/) ..."
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap_or_else(|| panic!("{line}"));
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `mapfix-TARGET.tar.gz` holding `mapfix-TARGET/mapfix` (= `binary`), as the release workflow makes it.
fn archive(dir: &Path, target: &str, binary: &Path) -> PathBuf {
    let inner = dir.join(format!("mapfix-{target}"));
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::copy(binary, inner.join("mapfix")).unwrap();
    make_executable(&inner.join("mapfix"));
    let name = format!("mapfix-{target}.tar.gz");
    run_ok(
        Command::new("tar")
            .args(["-czf", &name, &format!("mapfix-{target}")])
            .current_dir(dir),
    );
    std::fs::remove_dir_all(&inner).unwrap();
    dir.join(name)
}

fn sha256(path: &Path) -> String {
    let out = run_ok(Command::new("sha256sum").arg(path));
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn install_script_installs_from_a_local_server_and_refuses_a_tampered_archive() {
    require("python3", "to serve the release over HTTP");
    require("curl", "to run install.sh as `curl ... | sh`");
    let target = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // The release as published: the archive, SHA256SUMS and install.sh.
    let good = t.join("srv/v0");
    std::fs::create_dir_all(&good).unwrap();
    let archive_path = archive(&good, &target, release_binary());
    let name = archive_path.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(good.join("SHA256SUMS"), format!("{}  {name}\n", sha256(&archive_path))).unwrap();
    std::fs::copy(root().join("install.sh"), good.join("install.sh")).unwrap();
    // The same release with the archive replaced by another (a fake binary).
    let bad = t.join("srv/tampered");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::copy(good.join("SHA256SUMS"), bad.join("SHA256SUMS")).unwrap();
    let fake = t.join("evil");
    std::fs::write(&fake, "#!/bin/sh\necho evil\n").unwrap();
    archive(&bad, &target, &fake);
    let server = Server::serve(&t.join("srv"));

    // curl | sh, as the README says; the platform is detected.
    let dest = t.join("home/.local/bin");
    let (out, took) = timed(
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "curl -fsSL {0}/v0/install.sh | sh -s -- --to \"$DEST\"",
                server.url
            ))
            .env("DEST", &dest)
            .env("MAPFIX_DOWNLOAD_URL", format!("{}/v0", server.url))
            .env_remove("MAPFIX_TARGET"),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SHA-256 verified"), "{err}");
    let installed = run_ok(Command::new(dest.join("mapfix")).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&installed.stdout).trim(),
        format!("mapfix {VERSION}")
    );

    // The default directory is ~/.local/bin.
    let home = t.join("home2");
    let out = run(Command::new("sh")
        .arg(root().join("install.sh"))
        .env("HOME", &home)
        .env("MAPFIX_DOWNLOAD_URL", format!("{}/v0/", server.url)));
    assert!(out.status.success(), "{}", describe(&out));
    assert!(home.join(".local/bin/mapfix").is_file());

    // The tampered archive is refused and nothing is installed.
    let dest = t.join("bad-bin");
    let out = run(Command::new("sh")
        .arg(root().join("install.sh"))
        .args(["--to".as_ref(), dest.as_os_str()])
        .args(["--base-url", &format!("{}/tampered", server.url)]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("checksum mismatch") && err.contains(&name), "{err}");
    assert!(!dest.join("mapfix").exists());
    // A platform with no archive: an error naming the download, nothing installed.
    let out = run(Command::new("sh")
        .arg(root().join("install.sh"))
        .args(["--to".as_ref(), dest.as_os_str()])
        .args([
            "--base-url",
            &format!("{}/v0", server.url),
            "--target",
            "riscv64gc-unknown-linux-gnu",
        ]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(!dest.join("mapfix").exists());
    eprintln!(
        "packaging: release archive {name}: {}; curl | sh install from 127.0.0.1: {:.2} s",
        megabytes(std::fs::metadata(&archive_path).unwrap().len()),
        took.as_secs_f64()
    );
}

/// actionlint's findings on `files` (shellcheck on PATH, so `run:` scripts are checked too).
fn actionlint(dir: &Path, files: &[PathBuf]) -> String {
    let out = run(Command::new(tools().join("actionlint"))
        .arg("-no-color")
        .args(files)
        .current_dir(dir)
        .env("PATH", path_without_mapfix(&[tools()])));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() == text.trim().is_empty(), "{}", describe(&out));
    text
}

/// action.yml's steps as the steps of a workflow whose inputs are the
/// action's, so that actionlint checks their expressions and scripts.
fn action_as_workflow() -> String {
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let mut inputs = serde_yaml::Mapping::new();
    for (name, input) in action["inputs"].as_mapping().unwrap() {
        let mut i = input.as_mapping().unwrap().clone();
        i.insert("type".into(), "string".into());
        inputs.insert(name.clone(), i.into());
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    for step in steps {
        assert!(
            step.get("uses").is_some() || step.get("shell").is_some(),
            "a composite run step names its shell: {step:?}"
        );
    }
    let workflow = serde_json::json!({
        "on": { "workflow_dispatch": { "inputs": inputs } },
        "permissions": { "contents": "read" },
        "jobs": { "action": { "runs-on": "ubuntu-latest", "steps": steps } },
    });
    serde_yaml::to_string(&workflow).unwrap()
}

#[test]
fn workflows_action_and_install_script_lint_clean() {
    let workflows: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    assert!(workflows.iter().any(|p| p.ends_with("release.yml")), "{workflows:?}");
    assert_eq!(actionlint(root(), &workflows), "");
    // action.yml is not a workflow: lint its steps as one.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(".github/workflows/action.yml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, action_as_workflow()).unwrap();
    assert_eq!(actionlint(tmp.path(), &[file]), "");
    // The lint sees mistakes: a broken copy is reported.
    let broken = tmp.path().join(".github/workflows/broken.yml");
    std::fs::write(
        &broken,
        action_as_workflow().replace("inputs.only-new", "inputs.only-neww"),
    )
    .unwrap();
    assert!(actionlint(tmp.path(), &[broken]).contains("only-neww"));
    for (script, shell) in [("install.sh", "sh"), ("tests/run.sh", "bash")] {
        let out = run(Command::new(tools().join("shellcheck"))
            .args(["-s", shell])
            .arg(root().join(script)));
        assert!(out.status.success(), "{script}: {}", describe(&out));
    }
}

#[test]
fn every_package_carries_the_version_of_cargo_toml() {
    let npm = read_json(&root().join("npm/mapfix/package.json"));
    assert_eq!(npm["version"], VERSION);
    for (name, v) in npm["optionalDependencies"].as_object().unwrap() {
        assert_eq!(v, VERSION, "{name}");
    }
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    let pyproject: toml::Value = toml::from_str(&pyproject).unwrap();
    assert_eq!(
        pyproject["project"]["dynamic"],
        toml::Value::Array(vec!["version".into()])
    );
    assert_eq!(pyproject["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["inputs"]["version"]["default"].as_str(), Some(VERSION));
    // The docs name this version wherever they pin one.
    for doc in ["docs/ci.md", "docs/install.md", "README.md"] {
        let text = std::fs::read_to_string(root().join(doc)).unwrap();
        for pin in ["mapfix==", "rev: v", "version: \""] {
            for (i, _) in text.match_indices(pin) {
                let rest = &text[i + pin.len()..];
                assert!(
                    rest.starts_with(VERSION),
                    "{doc}: {}",
                    &text[i..(i + 30).min(text.len())]
                );
            }
        }
    }
    let out = run_ok(Command::new(env!("CARGO_BIN_EXE_mapfix")).arg("--version"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("mapfix {VERSION}"));
}

/// The first ```yaml block of docs/ci.md that holds `text`.
fn ci_doc_block(text: &str) -> String {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    doc.split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains(text))
        .unwrap_or_else(|| panic!("docs/ci.md has no yaml block with {text}"))
        .to_string()
}

fn git(dir: &Path, args: &[&str]) {
    run_ok(Command::new("git").args(args).current_dir(dir));
}

#[test]
fn precommit_hook_from_the_wheel_runs_on_staged_go_files() {
    let wheel_dir = wheel().parent().unwrap().to_path_buf();
    let find_links = format!("{} {}", wheel_dir.display(), wheelhouse().display());
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("a")).unwrap();
    std::fs::create_dir_all(repo.join("vendor/example.com/v")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.name", "Dev"]);
    git(&repo, &["config", "user.email", "dev@example.com"]);
    std::fs::write(repo.join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(repo.join("a/loop.go"), LOOP).unwrap();
    std::fs::write(repo.join("vendor/example.com/v/loop.go"), LOOP).unwrap();
    // The team's hook of docs/ci.md: the wheel from PyPI, here from the local build.
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        ci_doc_block("additional_dependencies"),
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    let path = path_without_mapfix(&[tools()]);
    let which = run(Command::new("sh").args(["-c", "command -v mapfix"]).env("PATH", &path));
    assert!(!which.status.success(), "mapfix must not be on PATH for this test");
    let pre_commit = |args: &[&str]| {
        timed(
            Command::new(tools().join("pre-commit"))
                .args(args)
                .current_dir(&repo)
                .env("PATH", &path)
                .env("PRE_COMMIT_HOME", tmp.path().join("pre-commit-home"))
                .env("PIP_FIND_LINKS", find_links.as_str())
                .env("PIP_NO_INDEX", "1")
                .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
                .env("NO_COLOR", "1"),
        )
    };
    // First run: pre-commit installs the hook's environment from the wheel.
    let (out, first) = pre_commit(&["run"]);
    let text = describe(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("+\tclear(m)") && text.contains("a/loop.go"), "{text}");
    assert!(
        !text.contains("vendor/"),
        "--force-exclude keeps vendored files out: {text}"
    );
    // The fixing hook (a manual stage) rewrites the file; then the check passes.
    let (out, again) = pre_commit(&["run", "--hook-stage", "manual", "mapfix-fix"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "pre-commit fails when a hook changed files: {}",
        describe(&out)
    );
    assert!(std::fs::read_to_string(repo.join("a/loop.go"))
        .unwrap()
        .contains("\tclear(m)\n"));
    assert_eq!(
        std::fs::read_to_string(repo.join("vendor/example.com/v/loop.go")).unwrap(),
        LOOP
    );
    git(&repo, &["add", "-A"]);
    let (out, _) = pre_commit(&["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    eprintln!(
        "packaging: pre-commit hook from the wheel: first run (installs it) {:.1} s, then {:.1} s",
        first.as_secs_f64(),
        again.as_secs_f64()
    );
}

/// The `run` script of action.yml's step `id`.
fn action_step(id: &str) -> String {
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap();
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let step = steps
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"));
    step["run"].as_str().unwrap().to_string()
}

/// `only-new`: the action diffs against the pull request's base, whether
/// the checkout brought the merge commit's parents (fetch-depth 2) or not
/// (depth 1: it fetches the base itself), and mapfix then reports only the
/// pull request's finding.
#[test]
fn action_finds_the_pull_requests_base_in_shallow_checkouts() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin");
    std::fs::create_dir_all(origin.join("a")).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    git(&origin, &["config", "user.name", "Dev"]);
    git(&origin, &["config", "user.email", "dev@example.com"]);
    git(&origin, &["config", "uploadpack.allowReachableSHA1InWant", "true"]);
    std::fs::write(origin.join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::write(origin.join("a/old.go"), LOOP).unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "base"]);
    let base = String::from_utf8(run_ok(Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&origin)).stdout)
        .unwrap()
        .trim()
        .to_string();
    git(&origin, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(origin.join("a/new.go"), LOOP.replace("Reset", "ResetNew")).unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "feature"]);
    // The pull request's test merge commit, as actions/checkout checks it out.
    git(&origin, &["checkout", "-q", "-b", "merge", &base]);
    git(&origin, &["merge", "-q", "--no-ff", "-m", "merge", "feature"]);
    let script = action_step("base");
    for depth in ["1", "2"] {
        let work = tmp.path().join(format!("depth{depth}"));
        let url = format!("file://{}", origin.display());
        run_ok(
            Command::new("git")
                .args(["clone", "-q", "--depth", depth, "-b", "merge", &url])
                .arg(&work),
        );
        let output = tmp.path().join(format!("output{depth}"));
        let out = run(Command::new("bash")
            .args(["-e", "-c", &script])
            .current_dir(&work)
            .env("BASE_SHA", &base)
            .env("GITHUB_OUTPUT", &output));
        assert!(out.status.success(), "depth {depth}: {}", describe(&out));
        assert_eq!(
            std::fs::read_to_string(&output).unwrap(),
            format!("rev={base}\n"),
            "depth {depth}"
        );
        let out = run(Command::new(release_binary())
            .args(["--format", "github", "--diff-base", &base, "./..."])
            .current_dir(&work));
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "depth {depth}: {}", describe(&out));
        assert!(
            text.contains("file=a/new.go") && !text.contains("a/old.go"),
            "depth {depth}: {text}"
        );
    }
}
