//! The engines of a batch (SPEC §5): every repository is processed with its
//! own `mapfix.toml` and `rule_dirs` only, never another repository's. A
//! repository's config is the nearest `mapfix.toml` from its entry up to its
//! root (the nearest directory holding `.git`, else the entry itself), and its
//! `rule_dirs` must stay inside that root. `--config FILE` (the user's own)
//! replaces every repository's. Repositories sharing a config share an engine;
//! one whose config or rules do not load fails alone.

use crate::config::{self, Config, ConfigError};
use crate::engine::Engine;
use crate::pipeline::{self, Settings, SetupError};
use crate::rules::Rule;
use std::path::{Path, PathBuf};

/// An engine and the config it was built from.
pub struct Loaded {
    pub engine: Engine,
    pub config: Option<Config>,
}

/// The engines of a run; index 0 is the one of `--config`, or of no config.
pub struct Engines {
    pub list: Vec<Loaded>,
    /// The config file of each engine after the first.
    keys: Vec<PathBuf>,
    explicit: bool,
}

impl Engines {
    /// The first engine: `--config`'s, or the built-in rules with the command
    /// line's. Its errors are the command line's and stop the run.
    pub fn new(settings: &Settings) -> Result<Engines, SetupError> {
        let config = settings.config.map(Config::load).transpose()?;
        let engine = pipeline::engine_for(config.as_ref(), settings)?;
        Ok(Engines {
            list: vec![Loaded { engine, config }],
            keys: Vec::new(),
            explicit: settings.config.is_some(),
        })
    }

    /// The engine for the repository entry `path`, loaded on first use; an
    /// error is that repository's alone (its config, or its rules).
    pub fn for_repo(&mut self, path: &Path, settings: &Settings) -> Result<usize, ConfigError> {
        if self.explicit {
            return Ok(0);
        }
        let Some((file, root)) = own_config(path) else {
            return Ok(0);
        };
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if let Some(i) = self.keys.iter().position(|k| *k == key) {
            return Ok(i + 1);
        }
        let config = Config::load(&file)?.confined_to(root);
        let engine = match pipeline::engine_for(Some(&config), settings) {
            Ok(engine) => engine,
            Err(SetupError::Config(e)) => return Err(e),
            Err(e) => return Err(ConfigError::in_text(&file, "", None, e.to_string(), None)),
        };
        self.keys.push(key);
        self.list.push(Loaded {
            engine,
            config: Some(config),
        });
        Ok(self.list.len() - 1)
    }

    /// The rules of every engine, each ID once (for the formats that list them).
    pub fn rules(&self) -> Vec<&Rule> {
        let mut out: Vec<&Rule> = Vec::new();
        for rule in self.list.iter().flat_map(|l| l.engine.rules.iter()) {
            if !out.iter().any(|r| r.id == rule.id) {
                out.push(rule);
            }
        }
        out
    }
}

/// The repository's own `mapfix.toml` and its root: the nearest config
/// from the entry up to the root, not above it.
fn own_config(entry: &Path) -> Option<(PathBuf, PathBuf)> {
    let abs = std::fs::canonicalize(entry).ok()?;
    let start = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent()?.to_path_buf()
    };
    let root = start
        .ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .unwrap_or(&start)
        .to_path_buf();
    let found = start
        .ancestors()
        .take_while(|d| d.starts_with(&root))
        .map(|d| d.join(config::FILE_NAME))
        .find(|p| p.is_file())?;
    Some((shown(found), root))
}

/// A path relative to the working directory when below it (as errors show it).
fn shown(path: PathBuf) -> PathBuf {
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    cwd.and_then(|c| path.strip_prefix(c).ok().map(Path::to_path_buf))
        .unwrap_or(path)
}
