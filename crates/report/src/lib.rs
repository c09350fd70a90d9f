//! Report stage: index tables -> HTML and Markdown reports with static SVG charts.
//!
//! * Reads: one [`ReportInput`] per report: its `[[report]]`, `output/parquet/indices/`
//!   (through [`tradepipe_tables::read_tables`]) and the templates `report.html` and `report.md` in the configured template directory.
//! * Writes, per `[[report]]`: `output/reports/<name>/index.html`, `report.md`,
//!   `report.json` (the whole context: every number shown, with provenance),
//!   `figures/*.svg`, and the tables as `tables/<id>.csv` and `tables.xlsx` ([`export`]).
//! * Invariants: HTML and Markdown render from one context, so they never disagree; HTML
//!   autoescapes every data-derived string; every file is written atomically; the output
//!   holds no timestamp, so unchanged inputs give byte-identical reports.

pub mod charts;
pub mod context;
pub mod export;
pub mod format;
pub mod map;
pub mod reproduce;
mod section;
mod table_spec;

use std::path::{Path, PathBuf};

use tradepipe_contract::ReportInput;
use tradepipe_model::Config;

pub use context::ReportContext;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Tables(#[from] tradepipe_tables::TablesError),
    #[error("template {path}: {message}")]
    Template { path: PathBuf, message: String },
    #[error("chart {path}: {message}")]
    Chart { path: PathBuf, message: String },
    #[error(transparent)]
    Write(#[from] tradepipe_model::fsio::WriteError),
    #[error(transparent)]
    Spec(#[from] reproduce::SpecError),
    #[error("table export {path}: {message}")]
    Export { path: PathBuf, message: String },
    #[error("cannot remove a stale table file: {0}")]
    Remove(#[from] std::io::Error),
}

const TEMPLATES: [&str; 4] = ["report.html", "report.md", "reproduce.html", "reproduce.md"];

/// Loads and parses the templates (Tera autoescapes names ending in `.html`).
fn load_templates(dir: &Path) -> Result<tera::Tera, ReportError> {
    let mut tera = tera::Tera::new();
    for name in TEMPLATES {
        let path = dir.join(name);
        let text = fs_err::read_to_string(&path).map_err(|e| ReportError::Template {
            path: path.clone(),
            message: e.to_string(),
        })?;
        tera.add_raw_template(name, &text)
            .map_err(|e| ReportError::Template {
                path: path.clone(),
                message: tera_message(&e),
            })?;
    }
    Ok(tera)
}

fn tera_message(e: &tera::Error) -> String {
    let mut s = e.to_string();
    let mut cur = std::error::Error::source(e);
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Checks that the templates parse (for `tradepipe validate`).
pub fn check_templates(cfg: &Config) -> Result<(), ReportError> {
    if cfg.reports.is_empty() {
        return Ok(()); // no report, no template read
    }
    load_templates(&cfg.templates_dir).map(|_| ())
}

pub use tradepipe_contract::paths::report_dir;

/// Renders one configured report; returns the path of its HTML file.
pub fn run(input: &ReportInput) -> Result<PathBuf, ReportError> {
    let templates = input.templates.root();
    let tera = load_templates(templates)?;
    let tables = tradepipe_tables::read_tables(&input.output_dir)?;
    let report = &input.report;
    let dir = report_dir(&input.output_dir, &report.name);
    let built = section::build(report, input.years, &tables);
    for (file, chart) in &built.charts {
        let path = dir.join(file);
        let svg = charts::render_chart(chart).map_err(|message| ReportError::Chart {
            path: path.clone(),
            message,
        })?;
        tradepipe_model::fsio::write_atomic(&path, svg.as_bytes())?;
    }
    let ctx = tera::Context::from_serialize(&built.context).map_err(|e| ReportError::Template {
        path: templates.to_path_buf(),
        message: tera_message(&e),
    })?;
    for (template, file) in [("report.html", "index.html"), ("report.md", "report.md")] {
        let text = tera.render(template, &ctx).map_err(|e| ReportError::Template {
            path: templates.join(template),
            message: tera_message(&e),
        })?;
        tradepipe_model::fsio::write_atomic(&dir.join(file), text.as_bytes())?;
    }
    let mut json = serde_json::to_vec_pretty(&built.context).expect("context serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&dir.join("report.json"), &json)?;
    remove_stale_figures(&dir, &built.charts)?;
    export::write(&dir, &built.context.tables)?;
    tracing::info!(report = %report.name, path = %dir.display(), "report written");
    Ok(dir.join("index.html"))
}

/// Removes the SVG files of `dir/figures/` this run did not write (a one-year report has no
/// time-series charts; those of an earlier run would sit beside it, unreferenced).
fn remove_stale_figures(dir: &Path, charts: &[(String, charts::Chart)]) -> Result<(), ReportError> {
    let figures = dir.join("figures");
    let Ok(entries) = fs_err::read_dir(&figures) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = format!("figures/{}", entry.file_name().to_string_lossy());
        if name.ends_with(".svg") && !charts.iter().any(|(f, _)| *f == name) {
            fs_err::remove_file(entry.path()).map_err(|e| ReportError::Chart {
                path: entry.path(),
                message: format!("cannot remove a figure of an earlier run: {e}"),
            })?;
        }
    }
    Ok(())
}

/// What a reproduction produced.
#[derive(Debug, Clone)]
pub struct ReproduceOutcome {
    pub dir: PathBuf,
    pub comparisons: Vec<reproduce::Compared>,
}

impl ReproduceOutcome {
    /// Values outside their tolerance without a recorded explanation.
    pub fn mismatches(&self) -> usize {
        self.comparisons
            .iter()
            .filter(|c| c.verdict == "mismatch")
            .count()
    }
}

/// Checks a reproduction spec against the index tables under `cfg.output_dir` and writes
/// `output/reproduce/<name>/` (`index.html`, `report.md`, `comparison.json`).
pub fn reproduce(cfg: &Config, spec: &reproduce::Spec) -> Result<ReproduceOutcome, ReportError> {
    let tera = load_templates(&cfg.templates_dir)?;
    let tables = tradepipe_tables::read_tables(&cfg.output_dir)?;
    let comparisons = reproduce::evaluate(spec, &tables, &cfg.country_groups());
    let dir = cfg.output_dir.join("reproduce").join(&spec.name);
    let ctx_data = reproduce::context(spec, &tables, comparisons.clone());
    let ctx = tera::Context::from_serialize(&ctx_data).map_err(|e| ReportError::Template {
        path: cfg.templates_dir.clone(),
        message: tera_message(&e),
    })?;
    for (template, file) in [("reproduce.html", "index.html"), ("reproduce.md", "report.md")] {
        let text = tera.render(template, &ctx).map_err(|e| ReportError::Template {
            path: cfg.templates_dir.join(template),
            message: tera_message(&e),
        })?;
        tradepipe_model::fsio::write_atomic(&dir.join(file), text.as_bytes())?;
    }
    let mut json = serde_json::to_vec_pretty(&comparisons).expect("comparisons serialize");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&dir.join("comparison.json"), &json)?;
    Ok(ReproduceOutcome { dir, comparisons })
}
