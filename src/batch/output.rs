//! What a batch run prints: one JSON document with `repositories[]`, one
//! SARIF log with a run per repository, markdown with a repository table
//! before each repository's section, the other formats per repository under
//! `==> path <==` headers; then the closing table (stdout in text, stderr
//! otherwise, so machine output stays parseable). The documents' structs are
//! the renderers' (render::json, render::sarif, and record.rs for `repositories[]`).

use super::engines::Engines;
use super::record::{self, RepoRecord, RepoRecordJson};
use super::Request;
use super::{existing_dir, summary, RepoRun};
use crate::pipeline::{self, OutputFormat};
use crate::render::{
    JsonDocument, JsonRenderer, MarkdownRenderer, RunResult, SarifRenderer, SarifRepository, SarifRule,
};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;

/// The batch JSON document: the combined run's document (SPEC §2), then
/// `repositories[]`.
#[derive(Serialize)]
struct BatchJsonDocument<'a> {
    #[serde(flatten)]
    run: JsonDocument<'a>,
    repositories: Vec<RepoRecordJson<'a>>,
}

pub fn render(runs: &[RepoRun], args: &Request, engines: &Engines) {
    let all_rules = engines.rules();
    let records = record::records(runs, args.batch.branch.as_deref(), args.batch.max_prs);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let grouped = runs.len() > 1;
    if !matches!(args.run.output.format, OutputFormat::Text) {
        // SPEC §1: errors go to stderr in every format, and also into the document.
        let errors = pipeline::text_renderer(&args.run.output);
        for r in runs {
            let _ = errors.errors(&r.run, &mut err);
        }
    }
    match args.run.output.format {
        OutputFormat::Json => {
            let run = combined(runs, args.run.write);
            let doc = BatchJsonDocument {
                run: JsonRenderer::document(&run),
                repositories: records.iter().map(RepoRecord::to_json).collect(),
            };
            let _ = serde_json::to_writer_pretty(&mut out, &doc);
            let _ = writeln!(out);
        }
        OutputFormat::Sarif => {
            let repos: Vec<SarifRepository> = runs
                .iter()
                .map(|r| SarifRepository {
                    name: &r.repo.key,
                    root: existing_dir(&r.repo.path),
                    run: &r.run,
                })
                .collect();
            let rules = all_rules.iter().map(|r| SarifRule::from_rule(r)).collect();
            let renderer = SarifRenderer { rules };
            let doc = renderer.batch_document(&repos);
            let _ = serde_json::to_writer_pretty(&mut out, &doc);
            let _ = writeln!(out);
        }
        OutputFormat::Markdown => {
            let _ = write!(out, "{}", markdown_table(&records));
            for r in runs {
                let renderer = MarkdownRenderer::new(&engines.list[r.engine].engine.rules);
                if grouped {
                    let _ = writeln!(out, "\n## `{}`\n", r.repo.key);
                } else {
                    let _ = writeln!(out);
                }
                let _ = crate::render::Renderer::render(&renderer, &r.run, &mut out, &mut err);
            }
        }
        _ => {
            let renderer = pipeline::renderer_for(&args.run.output, &all_rules);
            for (i, r) in runs.iter().enumerate() {
                if grouped {
                    let header = format!("==> {} <==", r.repo.key);
                    let _ = writeln!(out, "{}{header}", if i > 0 { "\n" } else { "" });
                }
                let _ = out.flush();
                let _ = renderer.render(&r.run, &mut out, &mut err);
            }
        }
    }
    let _ = out.flush();
    if grouped || args.batch.commit {
        let table = summary::table(runs, &args.batch);
        let _ = match args.run.output.format {
            OutputFormat::Text => write!(out, "\n{table}"),
            _ => write!(err, "{table}"),
        };
    }
}

/// Every repository's results as one run (the JSON document's findings,
/// errors and summary).
fn combined(runs: &[RepoRun], wrote: bool) -> RunResult {
    RunResult {
        reports: runs.iter().flat_map(|r| r.run.reports.iter().cloned()).collect(),
        errors: runs.iter().flat_map(|r| r.run.errors.iter().cloned()).collect(),
        wrote,
        clean_files: runs.iter().map(|r| r.run.clean_files).sum(),
    }
}

/// The repository table of the markdown summary.
fn markdown_table(records: &[RepoRecord]) -> String {
    let mut out = String::from(
        "## Repositories\n\n| repository | status | findings | fixed | branch | commit | pull request | reason |\n\
         |---|---|---:|---:|---|---|---|---|\n",
    );
    let code = |s: Option<&str>| s.map_or(String::new(), |s| format!("`{}`", cell(s)));
    for r in records {
        let pr = match (&r.pr_url, r.pr_status) {
            (Some(url), Some(state)) => format!("{state}: {}", cell(url)),
            (None, Some(state)) => state.to_string(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {pr} | {} |",
            cell(&r.path),
            r.status.as_str(),
            r.summary.findings,
            r.summary.applied,
            code(r.branch.as_deref()),
            code(r.commit.as_deref().map(|c| &c[..c.len().min(12)])),
            r.reason.as_deref().map(cell).unwrap_or_default()
        );
    }
    out
}

/// Text for a table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}
