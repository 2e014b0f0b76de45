//! Writing fixed files safely (SPEC §6): the new bytes go to a temporary file
//! in the same directory (`.mapfix-<pid>-XXXXXX.tmp`), which takes the old
//! file's owner and permissions, is synced, and replaces the file by rename;
//! a crash at any step leaves the file entirely old or entirely new. A file
//! that changed on disk since it was read is left alone; symlinked files are
//! written through to their target; hard-linked files are not split.
//! Temporary files left by a killed run are removed by the next write run in
//! the same directory once their process is gone.

use crate::go::load::SourceFile;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Prefix and suffix of the temporary files; no `.go` suffix, and a leading
/// dot, so neither mapfix's walk nor the `go` tool ever reads one.
const TEMP_PREFIX: &str = ".mapfix-";
const TEMP_SUFFIX: &str = ".tmp";

/// A leftover temporary file is removed once its process is gone, or when it
/// is older than this where process liveness cannot be checked.
const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Why a file was not written (or not restored); it is as it was.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WriteError {
    #[error("cannot resolve path: {0}")]
    Resolve(io::Error),
    #[error("cannot stat: {0}")]
    Stat(io::Error),
    #[error("not a regular file; not written")]
    NotAFile,
    #[error("file is read-only; not written (as gofmt -w refuses; make it writable to fix it)")]
    ReadOnly,
    #[error("file has {0} hard links; replacing it would split them, so it was not written")]
    HardLinks(u64),
    #[error("cannot re-read before writing: {0}")]
    Reread(io::Error),
    /// The file no longer holds what was read (or written).
    #[error("file changed on disk since it was read; not overwritten")]
    ChangedSinceRead,
    #[error("file has no parent directory")]
    NoParent,
    #[error("cannot create a temporary file beside it: {0}")]
    CreateTemp(io::Error),
    #[error("cannot set permissions: {0}")]
    Permissions(io::Error),
    #[error("cannot write temporary file: {0}")]
    WriteTemp(io::Error),
    #[error("cannot sync temporary file: {0}")]
    SyncTemp(io::Error),
    /// The file changed between the content check and the rename.
    #[error("file changed on disk while it was being written; not overwritten")]
    ChangedWhileWriting,
    #[error("cannot rename into place: {0}")]
    Rename(io::Error),
}

/// Writes `text` (BOM restored) over `source`'s file, atomically.
pub fn write_file(source: &SourceFile, text: &str) -> Result<(), WriteError> {
    let meta = std::fs::metadata(&source.path).map_err(WriteError::Stat)?;
    if is_read_only(&meta) {
        return Err(WriteError::ReadOnly);
    }
    replace_checked(&source.path, &source.original, &source.encode(text))
}

/// Puts `original` back over a file mapfix wrote as `written` (the `--verify`
/// rollback); refuses when the file no longer holds `written`.
pub fn restore_file(path: &Path, written: &[u8], original: &[u8]) -> Result<(), WriteError> {
    replace_checked(path, written, original)
}

/// Replaces the file at `path` (or its symlink target) by `new`, provided it
/// still holds exactly `expected`.
fn replace_checked(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let target = std::fs::canonicalize(path).map_err(WriteError::Resolve)?;
    let before = std::fs::metadata(&target).map_err(WriteError::Stat)?;
    if !before.is_file() {
        return Err(WriteError::NotAFile);
    }
    refuse_hard_links(&before)?;
    failpoint("before-check");
    let current = std::fs::read(&target).map_err(WriteError::Reread)?;
    if current != expected {
        return Err(WriteError::ChangedSinceRead);
    }
    atomic_replace(&target, new, &before)
}

/// Whether the file's owner may not write it (a rename would replace it
/// anyway, as the directory is writable: gofmt -w refuses such files).
#[cfg(unix)]
fn is_read_only(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o200 == 0
}

#[cfg(not(unix))]
fn is_read_only(meta: &std::fs::Metadata) -> bool {
    meta.permissions().readonly()
}

#[cfg(unix)]
fn refuse_hard_links(meta: &std::fs::Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    if meta.nlink() > 1 {
        return Err(WriteError::HardLinks(meta.nlink()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_hard_links(_: &std::fs::Metadata) -> Result<(), WriteError> {
    Ok(())
}

/// Replaces `target` by a file holding `bytes`, with the owner and
/// permissions of `before` (its metadata when its content was checked).
fn atomic_replace(target: &Path, bytes: &[u8], before: &std::fs::Metadata) -> Result<(), WriteError> {
    let dir = target.parent().ok_or(WriteError::NoParent)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(WriteError::CreateTemp)?;
    failpoint("after-temp-create");
    preserve_owner(before, tmp.path());
    std::fs::set_permissions(tmp.path(), before.permissions()).map_err(WriteError::Permissions)?;
    tmp.write_all(bytes).map_err(WriteError::WriteTemp)?;
    failpoint("after-write");
    tmp.as_file().sync_all().map_err(WriteError::SyncTemp)?;
    failpoint("after-fsync");
    // Last look before the rename: the file must be the one whose content was checked.
    let now = std::fs::metadata(target).map_err(WriteError::Stat)?;
    if !same_file_state(before, &now) {
        return Err(WriteError::ChangedWhileWriting);
    }
    failpoint("before-rename");
    tmp.persist(target).map_err(|e| WriteError::Rename(e.error))?;
    failpoint("after-rename");
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Same size, modification time and (on Unix) inode.
fn same_file_state(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (a.dev(), a.ino(), a.ctime(), a.ctime_nsec()) != (b.dev(), b.ino(), b.ctime(), b.ctime_nsec()) {
            return false;
        }
    }
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

#[cfg(unix)]
fn preserve_owner(original: &std::fs::Metadata, tmp: &Path) {
    use std::os::unix::fs::MetadataExt;
    // Only root can give a file away; for others the owner is already theirs
    // and a group they are not in cannot be set, so failure is not an error.
    let _ = std::os::unix::fs::chown(tmp, Some(original.uid()), Some(original.gid()));
}

#[cfg(not(unix))]
fn preserve_owner(_: &std::fs::Metadata, _: &Path) {}

/// Removes the temporary files in `dir` left by mapfix runs that were killed
/// mid-write (their process is gone, or they are older than a day). Returns
/// the paths removed.
pub fn remove_stale_temp_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_file_pid(&name) else { continue };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if (old || process_is_gone(pid)) && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

/// The process id in a temporary file name `.mapfix-<pid>-XXXXXX.tmp`.
fn temp_file_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, random) = rest.split_once('-')?;
    (!random.is_empty()).then_some(())?;
    pid.parse().ok()
}

/// Whether process `pid` certainly no longer exists (Linux: no `/proc/<pid>`).
/// Where that cannot be told, it is assumed alive.
fn process_is_gone(pid: u32) -> bool {
    pid != std::process::id() && Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Test-only crash points (cargo feature `failpoints`): when
/// `MAPFIX_FAILPOINT` is `STEP` or `STEP:N`, the process aborts the first
/// (or N-th) time a write reaches `STEP`. With `MAPFIX_FAILPOINT_PAUSE=DIR`
/// it pauses there instead: creates `DIR/reached` and waits for `DIR/resume`.
#[cfg(feature = "failpoints")]
fn failpoint(step: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HITS: AtomicUsize = AtomicUsize::new(0);
    let Ok(spec) = std::env::var("MAPFIX_FAILPOINT") else {
        return;
    };
    let (name, nth) = match spec.split_once(':') {
        Some((name, n)) => (name.to_string(), n.parse().unwrap_or(1)),
        None => (spec, 1),
    };
    if name != step || HITS.fetch_add(1, Ordering::SeqCst) + 1 != nth {
        return;
    }
    match std::env::var_os("MAPFIX_FAILPOINT_PAUSE") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let _ = std::fs::write(dir.join("reached"), step);
            while !dir.join("resume").exists() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        None => std::process::abort(),
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
fn failpoint(_: &str) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::goversion::VersionResolver;

    fn load(p: &Path) -> SourceFile {
        SourceFile::load(p, &VersionResolver::new(None)).unwrap()
    }

    #[test]
    fn refuses_when_changed_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "package a\n").unwrap();
        let src = load(&p);
        std::fs::write(&p, "package b\n").unwrap();
        assert!(write_file(&src, "package c\n")
            .unwrap_err()
            .to_string()
            .contains("changed on disk"));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "package b\n");
    }

    #[test]
    fn restore_puts_back_only_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "new\n").unwrap();
        restore_file(&p, b"new\n", b"old\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"old\n");
        assert!(restore_file(&p, b"new\n", b"older\n").is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old\n");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_mode_and_writes_through_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.go");
        std::fs::write(&real, "package a\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.go");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let src = load(&link);
        write_file(&src, "package z\n").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "package z\n");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_owner() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "package a\n").unwrap();
        // Giving a file away needs root (as in CI); otherwise the owner is ours
        // and this checks that it stays ours.
        let given_away = std::os::unix::fs::chown(&p, Some(4242), Some(4343)).is_ok();
        let want = std::fs::metadata(&p).map(|m| (m.uid(), m.gid())).unwrap();
        let src = load(&p);
        write_file(&src, "package b\n").unwrap();
        let got = std::fs::metadata(&p).map(|m| (m.uid(), m.gid())).unwrap();
        assert_eq!(got, want, "owner changed (given away first: {given_away})");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_split_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "package a\n").unwrap();
        std::fs::hard_link(&p, dir.path().join("b.go")).unwrap();
        let src = load(&p);
        assert!(write_file(&src, "package b\n")
            .unwrap_err()
            .to_string()
            .contains("hard links"));
        assert_eq!(std::fs::read_to_string(dir.path().join("b.go")).unwrap(), "package a\n");
    }

    #[test]
    fn removes_only_leftovers_of_dead_processes() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(format!(".mapfix-{}-abcdef.tmp", std::process::id()));
        // Far above any pid_max: no such process.
        let dead = dir.path().join(".mapfix-4999999-abcdef.tmp");
        let unrelated = dir.path().join(".mapfix-notes.tmp");
        for p in [&ours, &dead, &unrelated] {
            std::fs::write(p, "x").unwrap();
        }
        let removed = remove_stale_temp_files(dir.path());
        if Path::new("/proc/self").exists() {
            assert_eq!(removed, vec![dead.clone()]);
        }
        assert!(ours.exists() && unrelated.exists());
    }
}
