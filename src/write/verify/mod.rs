//! `--verify` (SPEC §6): after `--write`, the Go toolchain judges every
//! touched package (the directory of a written file): `gofmt -l -e` on the
//! written files (a gofmt-clean file must stay clean) and `go vet .`, which
//! type-checks the package with its tests (so no separate `go build`). A
//! package that fails gets every file mapfix wrote in it restored byte for
//! byte. `go` runs with `GOTOOLCHAIN=local` and an argv, never a shell.
//! A written file the host platform does not compile (`x_windows.go`) is
//! vetted with the GOOS/GOARCH its name asks for (`platform.rs`).

mod blame;
mod platform;

use crate::engine::{FileError, FileReport};
use crate::go::load::SourceFile;
use crate::write::apply;
pub use blame::AppliedFix;
use platform::{platform_of, Platform};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Lines of tool output kept in a report.
const MAX_OUTPUT_LINES: usize = 40;

/// The `go` and `gofmt` binaries.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub go: PathBuf,
    pub gofmt: PathBuf,
    /// Show a bar of packages vetted on a terminal (text output only).
    pub progress: bool,
}

/// Why `--verify` cannot run (found before anything is written).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum VerifyError {
    /// Neither `--write` nor `--interactive`: nothing would be written.
    #[error("--verify checks what was written: use it with --write or --interactive")]
    NothingWritten,
    /// `--commit` writes commits, not files in place.
    #[error("--verify checks files written in place; it does not apply to --commit")]
    Commit,
    #[error("--verify needs the Go toolchain, but `go` is not on PATH; nothing was written")]
    NoGo,
    #[error("--verify needs `gofmt`, which is neither on PATH nor in `go env GOROOT`/bin; nothing was written")]
    NoGofmt,
}

impl Toolchain {
    /// Finds `go` on PATH and `gofmt` on PATH or beside `go`; a clear error
    /// when either is missing (checked before anything is written).
    pub fn find() -> Result<Toolchain, VerifyError> {
        let go = find_on_path("go").ok_or(VerifyError::NoGo)?;
        let gofmt = match find_on_path("gofmt") {
            Some(p) => p,
            None => gofmt_in_goroot(&go).ok_or(VerifyError::NoGofmt)?,
        };
        Ok(Toolchain {
            go,
            gofmt,
            progress: false,
        })
    }

    fn go_command(&self, dir: &Path, platform: Option<Platform>) -> Command {
        let mut cmd = Command::new(&self.go);
        cmd.current_dir(dir).env("GOTOOLCHAIN", "local").stdin(Stdio::null());
        if let Some(p) = platform {
            cmd.env("GOOS", p.os).env("GOARCH", p.arch).env("CGO_ENABLED", "0");
        }
        if !has_go_mod_above(dir) {
            // No module: vet the directory as a GOPATH-mode package.
            cmd.env("GO111MODULE", "off");
        }
        cmd
    }
}

/// `$(go env GOROOT)/bin/gofmt`, for installs that put only `go` on PATH.
fn gofmt_in_goroot(go: &Path) -> Option<PathBuf> {
    let out = Command::new(go)
        .args(["env", "GOROOT"])
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let root = String::from_utf8(out.stdout).ok()?;
    let gofmt = Path::new(root.trim()).join("bin").join("gofmt");
    gofmt.is_file().then_some(gofmt)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

fn has_go_mod_above(dir: &Path) -> bool {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.ancestors().any(|d| d.join("go.mod").is_file())
}

/// A file `--write` replaced, with what it held before and after.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub original: Vec<u8>,
    pub written: Vec<u8>,
    /// Rules whose fixes were applied to it.
    pub rules: Vec<String>,
    /// Those fixes, with the original lines of their findings.
    pub fixes: Vec<AppliedFix>,
}

impl WrittenFile {
    /// What `--write` put in place of `source` for a report whose fixes it applied.
    pub fn new(report: &FileReport, source: &SourceFile, text: &str) -> WrittenFile {
        let fixes: Vec<AppliedFix> = report
            .findings
            .iter()
            .filter(|f| f.fix_status().is_applied())
            .map(|f| AppliedFix {
                rule: f.rule.clone(),
                first_line: f.line,
                last_line: f.end_line,
            })
            .collect();
        let mut rules: Vec<String> = fixes.iter().map(|f| f.rule.clone()).collect();
        rules.sort();
        rules.dedup();
        WrittenFile {
            path: report.path.clone(),
            original: source.original.clone(),
            written: source.encode(text),
            rules,
            fixes,
        }
    }
}

/// A package whose check failed, and what was done about it.
#[derive(Debug, Clone)]
pub struct PackageFailure {
    /// The package directory.
    pub dir: PathBuf,
    /// `gofmt`, `go vet`, or `go vet (GOOS=… GOARCH=…)`.
    pub tool: String,
    /// The tool's error output (trimmed to `MAX_OUTPUT_LINES`).
    pub output: String,
    /// Rules whose fixes were in the package.
    pub rules: Vec<String>,
    /// Positions of the tool's errors inside fixed lines, with those fixes' rules.
    pub blamed: Vec<(String, Vec<String>)>,
    /// Files put back as they were.
    pub restored: Vec<PathBuf>,
    /// Files that could not be put back (changed meanwhile), with why.
    pub not_restored: Vec<(PathBuf, String)>,
    /// Whether the restored package fails the same check (the failure was not the fixes').
    pub fails_without_fixes: bool,
}

impl PackageFailure {
    /// The report line for `errors[]`.
    pub fn message(&self) -> String {
        let mut m = format!(
            "{} failed after fixes of {} ({} restored",
            self.tool,
            self.rules.join(", "),
            plural(self.restored.len(), "file")
        );
        for (p, why) in &self.not_restored {
            m.push_str(&format!("; {} NOT restored: {why}", p.display()));
        }
        m.push(')');
        for (site, rules) in &self.blamed {
            m.push_str(&format!("; the error at {site} is in the fix of {}", rules.join(", ")));
        }
        if self.fails_without_fixes {
            m.push_str(&format!("; the package fails {} without the fixes too", self.tool));
        }
        m.push_str(":\n");
        m.push_str(&self.output);
        m
    }
}

/// What `--verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyOutcome {
    /// Packages checked.
    pub packages: usize,
    pub failures: Vec<PackageFailure>,
    /// Written files that `go vet` did not compile on this platform (build
    /// constraints): only gofmt checked them.
    pub unchecked: Vec<PathBuf>,
}

impl VerifyOutcome {
    /// One error per restored package (the path is the package directory).
    pub fn errors(&self) -> Vec<FileError> {
        self.failures
            .iter()
            .map(|f| FileError {
                path: f.dir.clone(),
                message: f.message(),
                kind: crate::diagnostic::FileErrorKind::Other,
                span: None,
            })
            .collect()
    }

    /// One line for stderr.
    pub fn summary_line(&self) -> String {
        let mut s = format!(
            "mapfix: --verify: {} checked with gofmt and go vet, {} restored",
            plural(self.packages, "package"),
            self.failures.len()
        );
        if !self.unchecked.is_empty() {
            let names: Vec<String> = self.unchecked.iter().map(|p| p.display().to_string()).collect();
            s.push_str(&format!(
                "; not compiled by go vet on any platform tried (build constraints), checked by gofmt only: {}",
                names.join(", ")
            ));
        }
        s
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The package directory of a file path.
fn package_dir(path: &Path) -> PathBuf {
    crate::walk::parent_dir(path).to_path_buf()
}

/// `--verify` after `--write`: checks the packages of the `written` files,
/// restores those that fail, and marks the restored files' reports as
/// unchanged with their fixes not applied.
pub fn check_and_restore(
    tc: &Toolchain,
    reports: &mut [FileReport],
    written: &[WrittenFile],
    jobs: usize,
) -> VerifyOutcome {
    let outcome = verify(tc, written, jobs);
    for failure in &outcome.failures {
        for report in reports.iter_mut().filter(|r| failure.restored.contains(&r.path)) {
            // The file is as it was: no diff to show for it.
            report.mark_restored();
        }
    }
    outcome
}

/// Checks every package holding a written file, on `jobs` threads, and
/// restores the packages that fail.
pub fn verify(toolchain: &Toolchain, files: &[WrittenFile], jobs: usize) -> VerifyOutcome {
    let mut packages: BTreeMap<PathBuf, Vec<&WrittenFile>> = BTreeMap::new();
    for f in files {
        packages.entry(package_dir(&f.path)).or_default().push(f);
    }
    // The system may refuse that many threads: then check on one.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .expect("a thread pool of one thread");
    // gofmt and go vet take seconds a package: show how far it got.
    let bar = toolchain
        .progress
        .then(|| crate::progress::step_bar(packages.len(), "packages vetted"))
        .flatten();
    let results: Vec<(Option<PackageFailure>, Vec<PathBuf>)> = pool.install(|| {
        use rayon::prelude::*;
        packages
            .par_iter()
            .map(|(dir, files)| {
                let result = check_package(toolchain, dir, files);
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                result
            })
            .collect()
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut outcome = VerifyOutcome {
        packages: packages.len(),
        ..Default::default()
    };
    for (failure, unchecked) in results {
        outcome.failures.extend(failure);
        outcome.unchecked.extend(unchecked);
    }
    outcome
}

/// gofmt, then go vet (on this platform, then on the platforms named by
/// written files it does not compile); restores the package on the first
/// failure. Also returns the written files no vet compiled.
fn check_package(tc: &Toolchain, dir: &Path, files: &[&WrittenFile]) -> (Option<PackageFailure>, Vec<PathBuf>) {
    let mut unchecked = Vec::new();
    let mut failed = match gofmt_check(tc, dir, files) {
        Some(output) => Some(("gofmt".to_string(), output, None)),
        None => run_vet(tc, dir, None)
            .err()
            .map(|output| ("go vet".to_string(), output, None)),
    };
    if failed.is_none() {
        let mut by_platform: BTreeMap<Option<Platform>, Vec<&WrittenFile>> = BTreeMap::new();
        for f in not_compiled(tc, dir, files, None) {
            let name = f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            by_platform.entry(platform_of(&name)).or_default().push(f);
        }
        for (platform, group) in by_platform {
            let missed = match platform {
                Some(p) => not_compiled(tc, dir, &group, Some(p)),
                None => group.clone(),
            };
            unchecked.extend(missed.iter().map(|f| f.path.clone()));
            let Some(p) = platform.filter(|_| missed.len() < group.len()) else {
                continue;
            };
            if let Err(output) = run_vet(tc, dir, Some(p)) {
                failed = Some((format!("go vet ({p})"), output, Some(p)));
                break;
            }
        }
    }
    let Some((tool, output, platform)) = failed else {
        return (None, unchecked);
    };
    let mut rules: Vec<String> = files.iter().flat_map(|f| f.rules.iter().cloned()).collect();
    rules.sort();
    rules.dedup();
    let mut failure = PackageFailure {
        dir: dir.to_path_buf(),
        tool,
        blamed: blame::blame(&output, files),
        output,
        rules,
        restored: Vec::new(),
        not_restored: Vec::new(),
        fails_without_fixes: false,
    };
    for f in files {
        match apply::restore_file(&f.path, &f.written, &f.original) {
            Ok(()) => failure.restored.push(f.path.clone()),
            Err(e) => failure.not_restored.push((f.path.clone(), e.to_string())),
        }
    }
    // gofmt failures are only counted for files that were clean before.
    failure.fails_without_fixes =
        failure.tool != "gofmt" && failure.not_restored.is_empty() && run_vet(tc, dir, platform).is_err();
    (Some(failure), Vec::new())
}

/// `gofmt -l -e` on the written files: syntax errors, or files that were
/// gofmt-clean before and are not now. `None` when all is well.
fn gofmt_check(tc: &Toolchain, dir: &Path, files: &[&WrittenFile]) -> Option<String> {
    let out = match Command::new(&tc.gofmt)
        .arg("-l")
        .arg("-e")
        .args(files.iter().map(|f| &f.path))
        .stdin(Stdio::null())
        .output()
    {
        Ok(o) => o,
        Err(e) => return Some(format!("cannot run gofmt in {}: {e}", dir.display())),
    };
    if !out.status.success() || !out.stderr.is_empty() {
        return Some(tool_output(&out));
    }
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut newly_unformatted = Vec::new();
    for name in listed.lines().filter(|l| !l.is_empty()) {
        let Some(f) = files.iter().find(|f| f.path == Path::new(name)) else {
            continue;
        };
        if formats_unchanged(tc, &f.original) {
            newly_unformatted.push(name.to_string());
        }
    }
    (!newly_unformatted.is_empty()).then(|| {
        format!(
            "no longer gofmt-clean (they were before the fixes): {}",
            newly_unformatted.join(", ")
        )
    })
}

/// Whether gofmt leaves `source` as it is.
fn formats_unchanged(tc: &Toolchain, source: &[u8]) -> bool {
    let child = Command::new(&tc.gofmt)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = source.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output();
    let _ = writer.join();
    out.is_ok_and(|o| o.status.success() && o.stdout == source)
}

/// `go vet .` in the package directory, for `platform` or the host's.
fn run_vet(tc: &Toolchain, dir: &Path, platform: Option<Platform>) -> Result<(), String> {
    let out = tc.go_command(dir, platform).args(["vet", "."]).output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(tool_output(&o)),
        Err(e) => Err(format!("cannot run go vet in {}: {e}", dir.display())),
    }
}

/// Written files outside the package as `go vet` builds it for `platform`
/// (or the host's).
fn not_compiled<'f>(
    tc: &Toolchain,
    dir: &Path,
    files: &[&'f WrittenFile],
    platform: Option<Platform>,
) -> Vec<&'f WrittenFile> {
    let format = "{{range .GoFiles}}{{.}}\n{{end}}{{range .CgoFiles}}{{.}}\n{{end}}\
                  {{range .TestGoFiles}}{{.}}\n{{end}}{{range .XTestGoFiles}}{{.}}\n{{end}}";
    let Ok(out) = tc
        .go_command(dir, platform)
        .args(["list", "-e", "-f", format, "."])
        .output()
    else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    let compiled = String::from_utf8_lossy(&out.stdout).into_owned();
    let compiled: Vec<&str> = compiled.lines().collect();
    files
        .iter()
        .filter(|f| {
            f.path
                .file_name()
                .is_some_and(|n| !compiled.contains(&n.to_string_lossy().as_ref()))
        })
        .copied()
        .collect()
}

fn tool_output(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut kept = lines[..lines.len().min(MAX_OUTPUT_LINES)].join("\n");
    if lines.len() > MAX_OUTPUT_LINES {
        kept.push_str(&format!("\n… {} more lines", lines.len() - MAX_OUTPUT_LINES));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_dir_of_a_bare_file_is_dot() {
        assert_eq!(package_dir(Path::new("a.go")), PathBuf::from("."));
        assert_eq!(package_dir(Path::new("x/y/a.go")), PathBuf::from("x/y"));
    }

    #[test]
    fn failure_message_names_tool_rules_and_output() {
        let f = PackageFailure {
            dir: "p".into(),
            tool: "go vet".into(),
            output: "./a.go:3:9: invalid argument".into(),
            rules: vec!["cap-len".into()],
            blamed: vec![("a.go:3".into(), vec!["cap-len".into()])],
            restored: vec!["p/a.go".into()],
            not_restored: Vec::new(),
            fails_without_fixes: false,
        };
        assert_eq!(f.message(), "go vet failed after fixes of cap-len (1 file restored); the error at a.go:3 is in the fix of cap-len:\n./a.go:3:9: invalid argument");
    }
}
