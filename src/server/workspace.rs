//! The server's state: open buffers, settings, one engine per `mapfix.toml`, analyses.
//! Not for LSP types (`protocol.rs`) or the connection (`mod.rs`).

use crate::config::{self, Config, RuleChoice};
use crate::engine::{Engine, FileReport, Finding};
use crate::go::goversion::{GoVersion, VersionResolver};
use crate::pipeline::{self, SetupError};
use crate::rules::catalogue;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// What `mapfix server` was started with.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// `--rules DIR`: rule directories for every file.
    pub rule_dirs: Vec<PathBuf>,
    /// `--go-version`: for files with no `go.mod` above them.
    pub go_version: Option<GoVersion>,
}

/// The client's settings (`initializationOptions`, `workspace/didChangeConfiguration`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Offer unsafe fixes as quick fixes, and include them in fix-all.
    pub unsafe_fixes: bool,
}

impl Settings {
    /// Reads `{"mapfix": {"unsafe": true}}`, or `{"unsafe": true}` (what
    /// clients that send a server's own section pass); a `mapfix` section
    /// without `unsafe` means the default. `None` when the value holds no
    /// mapfix settings.
    pub fn from_json(value: Option<&serde_json::Value>) -> Option<Settings> {
        let value = value?;
        let unsafe_fixes = match value.get("mapfix") {
            Some(section) => section.get("unsafe").and_then(|v| v.as_bool()).unwrap_or(false),
            None => value.get("unsafe")?.as_bool()?,
        };
        Some(Settings { unsafe_fixes })
    }
}

/// An open buffer.
pub struct Document {
    pub uri: lsp_types::Uri,
    /// Its file's path (`None` for a URI that is not a file's).
    pub path: Option<PathBuf>,
    pub text: String,
    pub version: i32,
}

/// What the engine found in one version of a buffer.
#[derive(Default)]
pub struct Analysis {
    /// The engine's report (`None`: the file is excluded, or no file).
    pub report: Option<FileReport>,
    /// `mapfix explain` of each rule with a finding.
    pub explain: HashMap<String, String>,
    /// The config that applies to the file cannot be used.
    pub config_error: Option<String>,
}

impl Analysis {
    pub fn findings(&self) -> &[Finding] {
        self.report.as_ref().map_or(&[], |r| &r.findings)
    }
}

/// The engine of the files one config (or none) applies to.
struct Group {
    /// The config file's modification time and size when loaded (it is
    /// loaded again when they change).
    stamp: Option<(SystemTime, u64)>,
    loaded: Result<(Engine, Option<Config>), String>,
}

#[derive(Default)]
pub struct Workspace {
    pub options: ServerOptions,
    pub settings: Settings,
    docs: HashMap<lsp_types::Uri, Document>,
    /// By config path (`None`: files with no config above them).
    groups: HashMap<Option<PathBuf>, Group>,
    /// The analysis of each buffer, with the version it is of.
    analyses: HashMap<lsp_types::Uri, (i32, Arc<Analysis>)>,
}

impl Workspace {
    pub fn new(options: ServerOptions, settings: Settings) -> Self {
        Workspace {
            options,
            settings,
            ..Workspace::default()
        }
    }

    pub fn document(&self, uri: &lsp_types::Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.docs.values()
    }

    /// Opens or replaces a buffer; every engine reads it for the file's siblings.
    pub fn set_document(&mut self, uri: lsp_types::Uri, text: String, version: i32) {
        let path = super::protocol::uri_to_path(&uri).map(|p| std::path::absolute(&p).unwrap_or(p));
        if let Some(path) = &path {
            let shared: Arc<str> = Arc::from(text.as_str());
            for (engine, _) in self.groups.values().filter_map(|g| g.loaded.as_ref().ok()) {
                engine.set_buffer(path, Some(shared.clone()));
            }
        }
        self.analyses.remove(&uri);
        self.docs.insert(
            uri.clone(),
            Document {
                uri,
                path,
                text,
                version,
            },
        );
    }

    /// Closes a buffer: the file on disk counts again.
    pub fn close_document(&mut self, uri: &lsp_types::Uri) {
        self.analyses.remove(uri);
        if let Some(path) = self.docs.remove(uri).and_then(|d| d.path) {
            for (engine, _) in self.groups.values().filter_map(|g| g.loaded.as_ref().ok()) {
                engine.set_buffer(&path, None);
            }
        }
    }

    /// Forgets every analysis (settings changed, or a file was saved).
    pub fn invalidate(&mut self) {
        self.analyses.clear();
    }

    /// Forgets one buffer's analysis (a sibling changed).
    pub fn invalidate_one(&mut self, uri: &lsp_types::Uri) {
        self.analyses.remove(uri);
    }

    /// Open buffers in the same directory as `uri`'s file (its package), itself included.
    pub fn same_directory(&self, uri: &lsp_types::Uri) -> Vec<lsp_types::Uri> {
        let dir = self
            .docs
            .get(uri)
            .and_then(|d| d.path.as_deref())
            .and_then(Path::parent);
        let mut out: Vec<lsp_types::Uri> = self
            .docs
            .values()
            .filter(|d| d.uri == *uri || (dir.is_some() && d.path.as_deref().and_then(Path::parent) == dir))
            .map(|d| d.uri.clone())
            .collect();
        out.sort();
        out
    }

    /// The analysis of the buffer's current text (cached per version).
    pub fn analysis(&mut self, uri: &lsp_types::Uri) -> Option<Arc<Analysis>> {
        let doc = self.docs.get(uri)?;
        if let Some((version, analysis)) = self.analyses.get(uri) {
            if *version == doc.version {
                return Some(analysis.clone());
            }
        }
        let version = doc.version;
        let analysis = Arc::new(self.analyse(uri));
        self.analyses.insert(uri.clone(), (version, analysis.clone()));
        Some(analysis)
    }

    fn analyse(&mut self, uri: &lsp_types::Uri) -> Analysis {
        let Some((path, text)) = self.docs.get(uri).and_then(|d| Some((d.path.clone()?, d.text.clone()))) else {
            return Analysis::default();
        };
        let dir = path.parent().unwrap_or(Path::new("/"));
        let config_path = config::find_for(dir);
        let settings = self.settings;
        let go_version = self.options.go_version;
        let group = self.group(config_path);
        let (engine, config) = match &mut group.loaded {
            Ok(loaded) => loaded,
            Err(message) => {
                return Analysis {
                    config_error: Some(message.clone()),
                    ..Analysis::default()
                }
            }
        };
        if config.as_ref().is_some_and(|c| c.excludes(&path)) {
            return Analysis::default();
        }
        engine.options.unsafe_fixes = settings.unsafe_fixes;
        // A go.mod edited since the last analysis is read again.
        engine.versions = VersionResolver::new(go_version);
        let report = engine.process_text(&path, &text);
        let mut explain = HashMap::new();
        for f in &report.findings {
            if !explain.contains_key(&f.rule) {
                if let Ok(text) = catalogue::explain(&engine.rules, &f.rule) {
                    explain.insert(f.rule.clone(), text);
                }
            }
        }
        Analysis {
            report: Some(report),
            explain,
            config_error: None,
        }
    }

    /// The group of a config, loaded or reloaded when the file changed.
    fn group(&mut self, config_path: Option<PathBuf>) -> &mut Group {
        let stamp = config_path
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        let fresh = self.groups.get(&config_path).is_some_and(|g| g.stamp == stamp);
        if !fresh {
            let loaded = self.load_group(config_path.as_deref());
            self.groups.insert(config_path.clone(), Group { stamp, loaded });
        }
        self.groups.get_mut(&config_path).expect("inserted above")
    }

    fn load_group(&self, config_path: Option<&Path>) -> Result<(Engine, Option<Config>), String> {
        let config = match config_path.map(Config::load).transpose() {
            Ok(c) => c,
            Err(e) => return Err(describe(SetupError::Config(e))),
        };
        let settings = pipeline::Settings {
            roots: &[],
            config: config_path,
            choice: RuleChoice::default(),
            rule_dirs: &self.options.rule_dirs,
            unsafe_fixes: self.settings.unsafe_fixes,
            include_generated: false,
            skip_prefilter: false,
            go_version: self.options.go_version,
            jobs: 1,
        };
        let engine = pipeline::engine_for(config.as_ref(), &settings).map_err(describe)?;
        for doc in self.docs.values() {
            if let Some(path) = &doc.path {
                engine.set_buffer(path, Some(Arc::from(doc.text.as_str())));
            }
        }
        Ok((engine, config))
    }
}

/// A setup error as one line, naming the file and the spot.
fn describe(e: SetupError) -> String {
    match e {
        SetupError::Config(e) => match e.span() {
            Some(span) => {
                let text = std::fs::read_to_string(&e.path).unwrap_or_default();
                let (line, column) = crate::engine::line_col(&text, span.start);
                format!("{}:{line}:{column}: {}", e.path.display(), e.message)
            }
            None => e.to_string(),
        },
        e => e.to_string(),
    }
}
