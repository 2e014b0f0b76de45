//! The walk and engine steps of a plain run: PATHs grouped by their
//! `mapfix.toml` (or `--config`), each group with its own rules, options and
//! engine; the walked files minus config excludes; the engine run with
//! progress; and re-runs of chosen files, each through its group's engine.

use super::rerun::{run_selected, Rerun};
use crate::config::{self, Config, ConfigError, RuleChoice, SelectError};
use crate::engine::selection::FixSelection;
use crate::engine::{Engine, EngineOptions, FileReport};
use crate::go::goversion::{GoVersion, VersionResolver};
use crate::memory;
use crate::progress::Progress;
use crate::rules::catalogue::UnknownRule;
use crate::rules::{self, Rule, RuleLoadError};
use crate::walk::{self, GoFile, WalkItem};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The command line's say in a run.
pub struct Settings<'a> {
    pub roots: &'a [PathBuf],
    pub config: Option<&'a Path>,
    pub choice: RuleChoice<'a>,
    pub rule_dirs: &'a [PathBuf],
    pub unsafe_fixes: bool,
    pub include_generated: bool,
    pub skip_prefilter: bool,
    pub go_version: Option<GoVersion>,
    pub jobs: usize,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SetupError {
    /// `--rule` or `--skip-rule` names no rule.
    #[error(transparent)]
    UnknownRule(UnknownRule),
    /// A `--rules DIR` (or a file in it) that cannot be read; a mistake
    /// located in a rule file is a `Config` error.
    #[error(transparent)]
    RulesDir(RuleLoadError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
}

/// PATHs sharing a config, with their rules.
struct Group {
    engine: Engine,
    roots: Vec<PathBuf>,
    config: Option<Config>,
}

impl Group {
    /// Whether the walk keeps `item` (config excludes; files named on the
    /// command line are kept, unless `force_exclude` applies the excludes
    /// and the walk's skipping to them too).
    fn keeps(&self, item: &WalkItem, force_exclude: bool) -> bool {
        match item {
            WalkItem::File(f) => self.keeps_file(f, force_exclude),
            WalkItem::Error(_) => true,
        }
    }

    fn keeps_file(&self, f: &GoFile, force_exclude: bool) -> bool {
        if f.explicit && !force_exclude {
            return true;
        }
        let excluded = self.config.as_ref().is_some_and(|c| c.excludes(&f.path));
        let skipped = f.explicit && walk::walk_skips(&f.path);
        !(excluded || skipped)
    }
}

/// The built-in rules, then those of the config's `rule_dirs`, then those
/// of `--rules` directories; each id once.
pub fn load_rules(config: Option<&Config>, rule_dirs: &[PathBuf]) -> Result<Vec<Rule>, SetupError> {
    let mut all = rules::builtin_rules();
    if let Some(c) = config {
        all.extend(c.load_rule_dirs().map_err(SetupError::Config)?);
    }
    for dir in rule_dirs {
        all.extend(rules::load_rule_dir(dir).map_err(|e| match config::rule_file_error(e) {
            e if e.offset.is_some() => SetupError::Config(ConfigError::from(e)),
            e => SetupError::RulesDir(e),
        })?);
    }
    rules::check_unique_ids(&all).map_err(|e| SetupError::Config(ConfigError::from(e)))?;
    Ok(all)
}

/// The engine of the files a config (or none) applies to: its rules
/// loaded and selected, its options set, with the command line's say.
pub fn engine_for(config: Option<&Config>, s: &Settings) -> Result<Engine, SetupError> {
    let mut all = load_rules(config, s.rule_dirs)?;
    let known_rules = all.iter().map(|r| r.id.clone()).collect();
    if let Some(c) = config {
        c.apply_options(&mut all).map_err(SetupError::Config)?;
    }
    let selected = config::select_rules(all, &s.choice, config).map_err(|e| match e {
        SelectError::CommandLine(e) => SetupError::UnknownRule(e),
        SelectError::Config(c) => SetupError::Config(c),
    })?;
    let options = EngineOptions {
        unsafe_fixes: s.unsafe_fixes,
        include_generated: s.include_generated,
        known_rules,
        selection: None,
        skip_prefilter: s.skip_prefilter,
    };
    Ok(Engine::new(selected, options, VersionResolver::new(s.go_version)))
}

pub struct Runner {
    groups: Vec<Group>,
    jobs: usize,
    /// The group of each report `process` kept (for re-runs).
    origin: HashMap<PathBuf, usize>,
    /// Go files the walks found (to say so when there are none).
    files_found: std::sync::atomic::AtomicUsize,
    /// `--force-exclude`: named files are excluded as walked ones are.
    force_exclude: bool,
}

impl Runner {
    /// Finds the configs, loads and selects rules, walks the PATHs.
    pub fn prepare(s: &Settings) -> Result<Runner, SetupError> {
        let mut groups = Vec::new();
        for (config_path, roots) in group_roots(s.roots, s.config) {
            let config = match &config_path {
                Some(p) => Some(Config::load(p).map_err(SetupError::Config)?),
                None => None,
            };
            groups.push(Group {
                engine: engine_for(config.as_ref(), s)?,
                roots,
                config,
            });
        }
        Ok(Runner {
            groups,
            jobs: s.jobs,
            origin: HashMap::new(),
            files_found: std::sync::atomic::AtomicUsize::new(0),
            force_exclude: false,
        })
    }

    /// `--force-exclude`: config excludes and the walk's skipped
    /// directories and ignore files apply to the files named as PATHs too.
    pub fn set_force_exclude(&mut self, on: bool) {
        self.force_exclude = on;
    }

    /// How many Go files the run's walks found.
    pub fn files_found(&self) -> usize {
        self.files_found.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The rules of the run (each ID once), for formats that describe them.
    pub fn rules(&self) -> Vec<&Rule> {
        let mut out: Vec<&Rule> = Vec::new();
        for rule in self.groups.iter().flat_map(|g| g.engine.rules.iter()) {
            if !out.iter().any(|r| r.id == rule.id) {
                out.push(rule);
            }
        }
        out
    }

    /// Processes every file; reports in group, then path order. Only
    /// reports with something to show or write are kept (memory follows
    /// the findings, not the size of the tree); the others are counted.
    pub fn process(&mut self, progress: &Progress) -> (Vec<FileReport>, usize) {
        let mut reports = Vec::new();
        let mut origin = HashMap::new();
        let mut clean = 0;
        self.stream(progress, |group, r| {
            if r.is_clean() {
                clean += usize::from(r.scanned);
            } else {
                origin.entry(r.path.clone()).or_insert(group);
                reports.push(r);
            }
        });
        self.origin = origin;
        (reports, clean)
    }

    /// Walks and processes every file, handing each report (with its
    /// group's index) to `sink` in group, then path order, as soon as it
    /// and those before it are done. The walk itself streams when a group
    /// has a single directory root; a path that cannot be walked comes as
    /// a report holding the error. Free memory is returned to the system
    /// as the run goes (`memory.rs`), so that it stays flat.
    pub fn stream(&self, progress: &Progress, mut sink: impl FnMut(usize, FileReport)) {
        let mut done = 0usize;
        for (i, g) in self.groups.iter().enumerate() {
            let (items, root_errors) = walk::walk_sorted(&g.roots);
            let items = root_errors.into_iter().map(WalkItem::Error).chain(items);
            let items = items.filter(|item| g.keeps(item, self.force_exclude)).inspect(|item| {
                if let WalkItem::File(_) = item {
                    progress.file_found();
                    self.files_found.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
            g.engine.run_walk(items, self.jobs, |r| {
                progress.file_done(&r);
                sink(i, r);
                done += 1;
                if done.is_multiple_of(memory::TRIM_EVERY) {
                    memory::release_free_pages();
                }
            });
        }
        progress.finish();
    }
}

impl Rerun for Runner {
    /// Each file through the engine of the group that first reported it.
    fn rerun_files(&mut self, files: &[PathBuf], selection: &Arc<FixSelection>) -> Vec<FileReport> {
        let mut out = Vec::new();
        for (i, g) in self.groups.iter_mut().enumerate() {
            let mine: Vec<PathBuf> = files
                .iter()
                .filter(|p| self.origin.get(*p) == Some(&i))
                .cloned()
                .collect();
            if !mine.is_empty() {
                out.extend(run_selected(&mut g.engine, &mine, selection, self.jobs));
            }
        }
        out
    }
}

/// PATHs grouped by the config that applies to them, in first-seen order.
fn group_roots(roots: &[PathBuf], explicit: Option<&Path>) -> Vec<(Option<PathBuf>, Vec<PathBuf>)> {
    if let Some(c) = explicit {
        return vec![(Some(c.to_path_buf()), roots.to_vec())];
    }
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for root in roots {
        let config = config::find_for(root);
        match groups.iter_mut().find(|(c, _)| *c == config) {
            Some((_, list)) => list.push(root.clone()),
            None => groups.push((config, vec![root.clone()])),
        }
    }
    groups
}
