//! The per-directory index behind `types::PackageScope`: the package-level
//! declarations of every Go file of a directory, built on first need from
//! skeletons (`go/skim.rs`) rather than full parses, once even when several
//! workers ask at once, and kept for a few directories at a time (files
//! arrive in path order, so a directory's files are processed together).
//! Editor buffers (the language server's open files) stand in for the files
//! on disk when set with `PackageCache::set_buffer`. A rule may keep facts it
//! derives from a whole package beside the index (`PackageCache::facts`),
//! computed once and dropped with the directory's index.

use crate::go::decls;
use crate::go::lex;
use crate::go::methods::{self, MethodSummary};
use crate::go::syntax;
use crate::go::types::{self, FileIndex};
use crate::profile::{self, Counter, Stage};
use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// One Go file of a directory, as the index knows it.
pub struct SiblingFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Package-level declarations (its `nil_tested` is empty: see below).
    pub index: FileIndex,
    /// The file's text when it was indexed: the editor's buffer when it is
    /// open in one, else the file on disk (kept, so that the rules asking
    /// for it do not read the file again).
    text: Arc<str>,
    /// Names the file compares with nil, from a full parse made on first need.
    nil_tested: OnceLock<HashSet<String>>,
    /// Constants and function results (which the skeleton lacks), from a
    /// parse of the file made on first need.
    full: OnceLock<FileIndex>,
    /// The file's imports, from a parse of its package clause and import
    /// declarations alone made on first need.
    imports: OnceLock<Vec<crate::go::types::imports::Import>>,
    /// What its methods do to their receivers' fields, from a parse made on first need.
    methods: OnceLock<Vec<MethodSummary>>,
    /// Answers of `declares_const` so far.
    const_answers: Mutex<HashMap<String, bool>>,
    /// Facts a rule derives from the file's parse (`derived`), one per type,
    /// kept as long as the directory's index.
    derived: Mutex<Vec<Arc<dyn Any + Send + Sync>>>,
    /// Facts a rule derives from some declarations of the file
    /// (`declared`), by type and key, kept as long as the directory's index.
    declared: Mutex<HashMap<(TypeId, String), Arc<dyn Any + Send + Sync>>>,
}

impl SiblingFile {
    /// The file's text: the editor's buffer if it has one, else the file on
    /// disk, as indexed.
    pub fn text(&self) -> Option<Arc<str>> {
        Some(self.text.clone())
    }

    /// The file's declarations including constants and function results.
    pub fn full_index(&self) -> &FileIndex {
        self.full.get_or_init(|| {
            let text = self.text().unwrap_or_default();
            profile::count(Counter::SiblingsParsed, 1);
            syntax::parse_shallow(text.trim_start_matches('\u{feff}'))
                .map_or_else(FileIndex::default, |tree| FileIndex::declarations(&tree.root()))
        })
    }

    /// The file's imports (as `full_index().imports`, without parsing the
    /// rest of the file).
    pub fn imports(&self) -> &[crate::go::types::imports::Import] {
        if let Some(full) = self.full.get() {
            return &full.imports;
        }
        self.imports.get_or_init(|| {
            let text = self.text().unwrap_or_default();
            let text = text.trim_start_matches('\u{feff}');
            let ranges: Vec<Range<usize>> = decls::split(text)
                .into_iter()
                .filter(|d| matches!(d.kind, decls::DeclKind::Package | decls::DeclKind::Import))
                .map(|d| d.range)
                .collect();
            if ranges.is_empty() {
                return Vec::new();
            }
            profile::count(Counter::SiblingsParsedInPart, 1);
            crate::go::types::imports::file_imports(&syntax::parse_ranges(text, &ranges).root())
        })
    }

    /// Whether the file declares the package-level constant `name` (the
    /// skeleton drops constants: the file is parsed whole only when its
    /// text holds `name` at all).
    pub fn declares_const(&self, name: &str) -> bool {
        if let Some(full) = self.full.get() {
            return full.consts.iter().any(|c| c == name);
        }
        // Every file of a package asks about the same few names (`clear`, `make`…).
        let mut known = self.const_answers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&answer) = known.get(name) {
            return answer;
        }
        let answer = self.text().is_some_and(|text| in_const_declaration(&text, name));
        known.insert(name.to_string(), answer);
        answer
    }

    /// Whether the file compares `name` (a variable or field) with nil. The
    /// file is parsed whole only when its text holds `name` at all.
    pub fn compares_with_nil(&self, name: &str) -> bool {
        if let Some(names) = self.nil_tested.get() {
            return names.contains(name);
        }
        let Some(text) = self.text() else {
            return false;
        };
        let text = text.trim_start_matches('\u{feff}');
        if lex::word_occurrences(text, name).next().is_none() {
            return false;
        }
        self.nil_tested
            .get_or_init(|| {
                profile::count(Counter::SiblingsParsed, 1);
                syntax::parse_shallow(text).map_or_else(Default::default, |tree| types::nil_tested_names(&tree.root()))
            })
            .contains(name)
    }
}

impl SiblingFile {
    /// What `compute` derives from the file's parse, computed once per
    /// directory index and type `T` (a rule's per-package analysis reads
    /// every file of the package through this, not once per match).
    pub fn derived<T: Any + Send + Sync>(&self, compute: impl FnOnce(&syntax::GoNode) -> T) -> Arc<T> {
        let find = |all: &[Arc<dyn Any + Send + Sync>]| all.iter().find_map(|d| d.clone().downcast::<T>().ok());
        if let Some(found) = find(&self.derived.lock().unwrap_or_else(|e| e.into_inner())) {
            return found;
        }
        let text = self.text().unwrap_or_default();
        profile::count(Counter::SiblingsParsed, 1);
        let value = Arc::new(compute(&syntax::parse(text.trim_start_matches('\u{feff}')).root()));
        let mut all = self.derived.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = find(&all) {
            return found;
        }
        all.push(value.clone());
        value
    }

    /// What `compute` derives from the declarations of the file that
    /// `filter` keeps (see [`parse_declarations`]), computed once per
    /// directory index, type `T` and `key` (`key` names what `filter`
    /// selects): the file is parsed only in part, or not at all when no
    /// declaration is kept, and the tree is dropped once `compute` returns.
    pub fn declared<T: Any + Send + Sync>(
        &self,
        key: &str,
        filter: &super::declared::DeclFilter,
        compute: impl FnOnce(Option<(&syntax::GoNode, &[Range<usize>])>, &str) -> T,
    ) -> Arc<T> {
        let slot = (TypeId::of::<T>(), key.to_string());
        let find = |all: &HashMap<(TypeId, String), Arc<dyn Any + Send + Sync>>| {
            all.get(&slot).and_then(|d| d.clone().downcast::<T>().ok())
        };
        if let Some(found) = find(&self.declared.lock().unwrap_or_else(|e| e.into_inner())) {
            return found;
        }
        let text = self.text().unwrap_or_default();
        let text = text.trim_start_matches('\u{feff}');
        let tree = super::declared::parse_declarations(text, filter);
        let root = tree.as_ref().map(|(t, _)| t.root());
        let value = Arc::new(compute(
            root.as_ref().zip(tree.as_ref().map(|(_, k)| k.as_slice())),
            text,
        ));
        drop(tree);
        let mut all = self.declared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = find(&all) {
            return found;
        }
        all.insert(slot, value.clone());
        value
    }

    /// The file's methods of type `type_name` (see `go/methods.rs`). The file
    /// is parsed whole only when its text names the type at all.
    pub fn methods_of(&self, type_name: &str) -> Vec<MethodSummary> {
        if self.methods.get().is_none() {
            let Ok(text) = std::fs::read_to_string(&self.path) else {
                return Vec::new();
            };
            let text = text.trim_start_matches('\u{feff}');
            if lex::word_occurrences(text, type_name).next().is_none() {
                return Vec::new();
            }
            self.methods.get_or_init(|| {
                profile::count(Counter::SiblingsParsed, 1);
                syntax::parse_shallow(text).map_or_else(Vec::new, |tree| methods::summarize(&tree.root()))
            });
        }
        let all = self.methods.get().map(Vec::as_slice).unwrap_or_default();
        all.iter().filter(|m| m.type_name == type_name).cloned().collect()
    }
}

/// Whether `name` occurs in some `const` declaration of `text` (from the
/// keyword to the end of its line, or of its parenthesised group): a
/// lexer-level over-approximation of "declares the constant `name`" that
/// never parses the file.
fn in_const_declaration(text: &str, name: &str) -> bool {
    if lex::word_occurrences(text, name).next().is_none() {
        return false;
    }
    lex::word_occurrences(text, "const").any(|at| {
        let rest = &text[at + "const".len()..];
        let mut end = rest.find('\n').unwrap_or(rest.len());
        if rest.trim_start_matches([' ', '\t']).starts_with('(') {
            let mut depth = 0usize;
            for (tok, off) in lex::tokens(rest) {
                match tok {
                    lex::Tok::Punct(b'(') => depth += 1,
                    lex::Tok::Punct(b')') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = off;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        const_names_mention(&rest[..end], name)
    })
}

/// Whether `name` stands where a const declaration (`block`: the text
/// after `const`) declares names: at the start of a spec or after a comma
/// before its type or `=`; not in a value, a string or a comment.
fn const_names_mention(block: &str, name: &str) -> bool {
    let (mut in_names, mut after_word, mut depth) = (true, false, 0usize);
    for (i, (tok, _)) in lex::tokens(block).enumerate() {
        match tok {
            // `const (`: a block of specs; any other parenthesis is in a
            // value (`const n = uint16(len(buf))`) or a type.
            lex::Tok::Punct(b'(') if i == 0 => {
                depth = 1;
                (in_names, after_word) = (true, false);
            }
            lex::Tok::Punct(b'(') => {
                depth += 1;
                in_names = false;
            }
            lex::Tok::Word(s, e) => {
                if in_names && !after_word && &block[s..e] == name {
                    return true;
                }
                if after_word {
                    in_names = false; // a type after the names
                }
                after_word = true;
            }
            lex::Tok::Punct(b',') if in_names => after_word = false,
            lex::Tok::Punct(b')') => depth = depth.saturating_sub(1),
            lex::Tok::Newline if depth <= 1 => (in_names, after_word) = (true, false),
            _ => in_names = false,
        }
    }
    false
}

/// Every Go file of one directory.
pub type DirectoryIndex = Arc<Directory>;

/// `(package, name)` → the files of the directory that declare it.
type Declarers = HashMap<(String, String), Arc<Vec<PathBuf>>>;

/// The Go files of one directory, and which of them declare a name (asked
/// by every file of a package for the same few names: answered once).
pub struct Directory {
    files: Vec<SiblingFile>,
    declarers: Mutex<Declarers>,
    /// Values derived from the declarations alone (`derived_once`), by key.
    from_declarations: Mutex<HashMap<&'static str, Arc<dyn Any + Send + Sync>>>,
}

impl std::ops::Deref for Directory {
    type Target = Vec<SiblingFile>;

    fn deref(&self) -> &Vec<SiblingFile> {
        &self.files
    }
}

impl Directory {
    /// A value computed from the directory's declarations once, under `key`
    /// (every file of a package asks a package pre-filter the same question).
    pub fn derived_once<T: Any + Send + Sync>(&self, key: &'static str, build: impl FnOnce(&Directory) -> T) -> Arc<T> {
        let found = self
            .from_declarations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned();
        if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        let value = Arc::new(build(self));
        self.from_declarations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, value.clone());
        value
    }

    /// The files of package `package` that declare `name` at package level.
    pub fn declarers(&self, package: &str, name: &str) -> Arc<Vec<PathBuf>> {
        let key = (package.to_string(), name.to_string());
        if let Some(found) = self.declarers.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return found.clone();
        }
        let found: Arc<Vec<PathBuf>> = Arc::new(
            self.files
                .iter()
                .filter(|f| f.index.package == package && (f.index.declares(name) || f.declares_const(name)))
                .map(|f| f.path.clone())
                .collect(),
        );
        self.declarers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, found.clone());
        found
    }
}

/// How many directory indexes are kept.
const CACHED_DIRECTORIES: usize = 16;

/// Per-directory indexes, shared by workers; the least recently used are dropped.
#[derive(Default)]
pub struct PackageCache {
    /// Most recently used last.
    dirs: Mutex<Vec<(PathBuf, Arc<OnceLock<DirectoryIndex>>)>>,
    /// Editor buffers by absolute path, read instead of the files on disk.
    buffers: Mutex<HashMap<PathBuf, Arc<str>>>,
    /// Package facts of the cached directories, by directory and key.
    facts: Mutex<HashMap<(PathBuf, String), FactSlot>>,
    /// The run's worker threads (`--jobs`): a directory's index or a
    /// package's facts, which other workers may wait for, is computed on
    /// that many threads.
    jobs: std::sync::atomic::AtomicUsize,
}

/// One package fact, computed once even when several workers ask at once.
type FactSlot = Arc<OnceLock<Arc<dyn Any + Send + Sync>>>;

fn absolute(file: &Path) -> PathBuf {
    std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf())
}

/// The `.go` files of `dir` within the size limit and the buffers of files
/// not on disk, sorted.
fn go_files(dir: &Path, buffers: &HashMap<PathBuf, Arc<str>>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "go") && p.is_file())
            // A file over the size limit is an error of its own, not read here.
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= crate::go::load::MAX_FILE_BYTES))
            .collect(),
        Err(_) => Vec::new(),
    };
    paths.extend(buffers.keys().filter(|p| !p.exists()).cloned());
    paths.sort();
    paths
}

/// The package around one file as a package precondition sees it: a byte
/// search over the directory's files, and the directory's index, built only
/// when asked.
pub struct PackageProbe<'a> {
    cache: &'a PackageCache,
    file: &'a Path,
    directory: std::cell::OnceCell<DirectoryIndex>,
}

impl<'a> PackageProbe<'a> {
    pub fn new(cache: &'a PackageCache, file: &'a Path) -> Self {
        PackageProbe {
            cache,
            file,
            directory: std::cell::OnceCell::new(),
        }
    }

    /// The file's path, as the engine names it.
    pub fn path(&self) -> &'a Path {
        self.file
    }

    /// See `PackageCache::directory_mentions`.
    pub fn mentions(&self, needle: &'static str) -> bool {
        self.cache.directory_mentions(self.file, needle)
    }

    /// The directory's index (built on first need, then shared).
    pub fn directory(&self) -> &Directory {
        self.directory.get_or_init(|| self.cache.directory(self.file))
    }

    /// The file's package scope from the directory's index (see
    /// `PackageScope::of_index`); `None` when the directory does not hold
    /// the file.
    pub fn scope(&self) -> Option<super::PackageScope<'a>> {
        let dir = self.directory.get_or_init(|| self.cache.directory(self.file)).clone();
        let abs = absolute(self.file);
        let index = dir.iter().find(|f| f.path == abs)?.index.clone();
        Some(super::PackageScope::of_index(index, self.file, self.cache, dir))
    }
}

impl PackageCache {
    /// Sets the number of threads for one directory's or package's work.
    pub fn set_jobs(&self, jobs: usize) {
        self.jobs.store(jobs, std::sync::atomic::Ordering::Relaxed);
    }

    /// See `set_jobs` (1 until set).
    pub fn jobs(&self) -> usize {
        self.jobs.load(std::sync::atomic::Ordering::Relaxed).max(1)
    }

    /// The index of the directory holding `file`.
    pub fn directory(&self, file: &Path) -> DirectoryIndex {
        let abs = absolute(file);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let slot = {
            let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
            let slot = match dirs.iter().position(|(d, _)| *d == dir) {
                Some(i) => dirs.remove(i).1,
                None => Arc::new(OnceLock::new()),
            };
            dirs.push((dir.clone(), slot.clone()));
            if dirs.len() > CACHED_DIRECTORIES {
                let (dropped, _) = dirs.remove(0);
                self.drop_facts(&dropped);
            }
            slot
        };
        slot.get_or_init(|| self.index_directory(&dir)).clone()
    }

    /// Makes `text` (an editor's buffer) stand in for the file at `path`,
    /// or, with `None`, the file on disk again. The directory's index is
    /// rebuilt on its next use.
    pub fn set_buffer(&self, path: &Path, text: Option<Arc<str>>) {
        let abs = absolute(path);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        {
            let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
            match text {
                Some(text) => buffers.insert(abs, text),
                None => buffers.remove(&abs),
            };
        }
        self.dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(d, _)| *d != dir);
        self.drop_facts(&dir);
    }

    /// The fact `key` of the package in the directory holding `file`, built
    /// by `build` on first need and kept as long as the directory's index
    /// (a changed buffer drops it). `key` names the rule and anything its
    /// facts depend on (the package name, options).
    pub fn facts<T: Any + Send + Sync>(&self, file: &Path, key: &str, build: impl FnOnce() -> T) -> Arc<T> {
        let abs = absolute(file);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let slot = self
            .facts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((dir, key.to_string()))
            .or_default()
            .clone();
        let value = slot.get_or_init(|| Arc::new(build())).clone();
        value.downcast::<T>().expect("a fact key names one type")
    }

    fn drop_facts(&self, dir: &Path) {
        self.facts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(d, _), _| d != dir);
    }

    /// The editor buffers of files in `dir`.
    fn buffers_in(&self, dir: &Path) -> HashMap<PathBuf, Arc<str>> {
        self.buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(p, _)| p.parent() == Some(dir))
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect()
    }

    /// Whether some Go file of the directory holding `file` (the editor's
    /// buffer where one is open) contains `needle`: a byte search, answered
    /// once per directory and needle without indexing the directory, for
    /// package preconditions that can say no on a word alone.
    pub fn directory_mentions(&self, file: &Path, needle: &'static str) -> bool {
        let found = self.facts(file, needle, || {
            let abs = absolute(file);
            let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let buffers = self.buffers_in(&dir);
            let finder = memchr::memmem::Finder::new(needle.as_bytes());
            go_files(&dir, &buffers).iter().any(|path| match buffers.get(path) {
                Some(text) => finder.find(text.as_bytes()).is_some(),
                None => std::fs::read(path).is_ok_and(|bytes| finder.find(&bytes).is_some()),
            })
        });
        *found
    }

    /// Indexes every `.go` file of `dir`, and the buffers of files in it.
    fn index_directory(&self, dir: &Path) -> DirectoryIndex {
        let _timer = profile::timer(Stage::Index);
        profile::count(Counter::PackageIndexes, 1);
        let buffers = self.buffers_in(dir);
        // Skimmed on the run's threads: the other workers are often
        // waiting for this directory.
        let skim = |path: PathBuf| {
            let text: Arc<str> = match buffers.get(&path) {
                Some(text) => text.clone(),
                None => Arc::from(std::fs::read_to_string(&path).ok()?),
            };
            profile::count(Counter::FilesIndexed, 1);
            profile::count(Counter::BytesIndexed, text.len() as u64);
            let index = FileIndex::skim(text.trim_start_matches('\u{feff}'));
            Some(SiblingFile {
                path,
                index,
                text,
                nil_tested: OnceLock::new(),
                full: OnceLock::new(),
                imports: OnceLock::new(),
                methods: OnceLock::new(),
                const_answers: Mutex::default(),
                derived: Mutex::new(Vec::new()),
                declared: Mutex::default(),
            })
        };
        let files: Vec<SiblingFile> = crate::ordered::map_ordered(go_files(dir, &buffers), self.jobs(), 4, skim)
            .into_iter()
            .flatten()
            .collect();
        Arc::new(Directory {
            files,
            declarers: Mutex::default(),
            from_declarations: Mutex::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_once_and_answers_nil_tests_lazily() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.go"),
            "package p\n\ntype T struct{ items map[string]int }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.go"),
            "package p\n\nfunc (t *T) ok() bool { return t.items != nil }\n",
        )
        .unwrap();
        let cache = PackageCache::default();
        let first = cache.directory(&dir.path().join("a.go"));
        let again = cache.directory(&dir.path().join("b.go"));
        assert!(Arc::ptr_eq(&first, &again), "one index per directory");
        assert_eq!(first.len(), 2);
        assert!(first[0].index.types.contains_key("T"));
        assert!(first[1].compares_with_nil("items"));
        assert!(!first[0].compares_with_nil("items"));
        assert!(!first[1].compares_with_nil("other"));
    }

    #[test]
    fn who_declares_a_name_is_answered_once_per_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.go"), "package p\n\nfunc clear(...any) {}\n").unwrap();
        std::fs::write(dir.path().join("b.go"), "package p\n\nconst (\n\tmake = 1\n)\n").unwrap();
        std::fs::write(dir.path().join("c_test.go"), "package p_test\n\nvar clear = 1\n").unwrap();
        let cache = PackageCache::default();
        let index = cache.directory(&dir.path().join("a.go"));
        let clear = index.declarers("p", "clear");
        assert_eq!(clear.len(), 1);
        assert!(clear[0].ends_with("a.go"));
        assert!(Arc::ptr_eq(&clear, &index.declarers("p", "clear")), "remembered");
        assert_eq!(index.declarers("p", "make").len(), 1);
        assert!(index.declarers("p", "new").is_empty());
        assert_eq!(index.declarers("p_test", "clear").len(), 1);
    }

    #[test]
    fn finds_constants_without_parsing() {
        let src = "package p\n\nconst a, clear = 1, 2\n\nconst (\n\tx = iota\n\tmake\n)\n\nfunc f() { delete(m, k) }\n";
        assert!(in_const_declaration(src, "clear"));
        assert!(in_const_declaration(src, "make"));
        assert!(!in_const_declaration(src, "delete"));
        assert!(!in_const_declaration(src, "new"));
        let values = "package p\n\nconst (\n\tVolumeDelete = \"host-volume-delete\" // delete\n\tn = len(\"ab\")\n)\n";
        assert!(
            !in_const_declaration(values, "delete"),
            "a string or comment declares nothing"
        );
        assert!(!in_const_declaration(values, "len"), "a value declares nothing");
        assert!(in_const_declaration("package p\n\nconst clear int = 1\n", "clear"));
        let call = "package p\n\nfunc f(b []byte) {\n\tconst n = uint16(len(buf))\n}\n\nconst (\n\tm = cap(x)\n\tk, new = f(delete), 2\n)\n";
        assert!(!in_const_declaration(call, "len"), "a call in a value declares nothing");
        assert!(!in_const_declaration(call, "cap"));
        assert!(!in_const_declaration(call, "delete"));
        assert!(in_const_declaration(call, "new"));
    }

    #[test]
    fn package_facts_are_built_once_and_dropped_with_a_new_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.go");
        std::fs::write(&a, "package p\n").unwrap();
        let cache = PackageCache::default();
        let builds = std::sync::atomic::AtomicUsize::new(0);
        let build = || builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        assert_eq!(*cache.facts(&a, "k", build), 1);
        assert_eq!(
            *cache.facts(&dir.path().join("b.go"), "k", build),
            1,
            "one per directory"
        );
        assert_eq!(*cache.facts(&a, "other", build), 2, "one per key");
        cache.set_buffer(&a, Some("package p\n\nvar x int\n".into()));
        assert_eq!(*cache.facts(&a, "k", build), 3, "a changed buffer drops the facts");
    }

    #[test]
    fn buffers_stand_in_for_files_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.go");
        std::fs::write(&a, "package p\n\ntype T struct{}\n").unwrap();
        let cache = PackageCache::default();
        assert!(cache.directory(&a)[0].index.types.contains_key("T"));
        cache.set_buffer(&a, Some("package p\n\ntype U struct{}\n".into()));
        let unsaved = dir.path().join("new.go");
        cache.set_buffer(&unsaved, Some("package p\n\nvar seen map[string]bool\n".into()));
        let index = cache.directory(&a);
        assert_eq!(index.len(), 2, "a buffer of a file not on disk is a sibling too");
        assert!(index[0].index.types.contains_key("U") && !index[0].index.types.contains_key("T"));
        assert_eq!(&*index[1].text().unwrap(), "package p\n\nvar seen map[string]bool\n");
        cache.set_buffer(&a, None);
        cache.set_buffer(&unsaved, None);
        let index = cache.directory(&a);
        assert_eq!(index.len(), 1);
        assert!(index[0].index.types.contains_key("T"));
    }

    #[test]
    fn imports_are_read_without_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = "// Package p.\npackage p\n\nimport \"fmt\"\n\nimport (\n\th \"net/http\"\n\t_ \"embed\"\n)\n\nfunc f() { fmt.Println(h.StatusOK) }\n";
        std::fs::write(dir.path().join("a.go"), src).unwrap();
        std::fs::write(dir.path().join("b.go"), "").unwrap();
        let cache = PackageCache::default();
        let index = cache.directory(&dir.path().join("a.go"));
        let whole = FileIndex::declarations(&syntax::parse(src).root()).imports;
        assert_eq!(whole.len(), 3);
        assert_eq!(index[0].imports(), whole.as_slice());
        assert!(index[0].full.get().is_none(), "not parsed whole");
        assert!(index[1].imports().is_empty());
    }

    #[test]
    fn derived_facts_are_computed_once_per_file_and_type() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.go"), "package p\n\nfunc a() {}\n").unwrap();
        let cache = PackageCache::default();
        let index = cache.directory(&dir.path().join("a.go"));
        let calls = std::cell::Cell::new(0);
        let count = |root: &syntax::GoNode| {
            calls.set(calls.get() + 1);
            root.dfs().filter(|n| n.kind() == "function_declaration").count()
        };
        assert_eq!(*index[0].derived(count), 1);
        assert_eq!(*index[0].derived(count), 1);
        assert_eq!(calls.get(), 1, "a second ask of the same type is cached");
        assert_eq!(*index[0].derived(|_| "other type"), "other type");
    }
}
