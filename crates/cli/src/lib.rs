//! The `tradepipe` command line: argument parsing, logging set-up, and the one place where
//! outcomes become exit codes ([`exit`]).
//!
//! * Reads: the config file (`--config`, default `pipeline.toml`) and whatever the chosen
//!   stage reads.
//! * Writes: whatever the chosen stage writes, under the output directory.
//! * Invariants: stages run in the order fetch → normalize → indices → report, each from
//!   the files the previous one wrote, so any stage can be rerun alone.

mod args;
mod exit;
mod freshness;
mod gate;
mod lock;
mod logging;
mod manifest;

use std::process::ExitCode;

use clap::Parser;
use tradepipe_contract::{IndicesInput, NormalizeInput, ReportInput, paths};
use tradepipe_model::Config;
use tradepipe_model::config::Overrides;

pub use args::{Cli, Command};
pub use exit::{CliError, ExitStatus};

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Ok
            };
            let _ = e.print();
            return code.into();
        }
    };
    logging::init(cli.log_format, cli.verbose, cli.quiet);
    match run(&cli) {
        Ok(()) => ExitStatus::Ok.into(),
        Err(e) => {
            let status = e.status();
            // JSON logs end with a machine-readable failure line; humans get one message.
            if cli.log_format == args::LogFormat::Json {
                tracing::error!(exit_code = status as u8, status = "failed", "{e}");
            }
            eprintln!("error: {}", exit::render_chain(&e));
            status.into()
        }
    }
}

/// Whether progress sentences go to stdout. With `--log-format json` they are log events
/// only, so that `>> log 2>&1` (cron) gives a file of JSON lines.
static JSON_LOGS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn human_stdout() -> bool {
    !JSON_LOGS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs the command of `cli`. Callable from tests without spawning a process.
pub fn run(cli: &Cli) -> Result<(), CliError> {
    JSON_LOGS.store(
        cli.log_format == args::LogFormat::Json,
        std::sync::atomic::Ordering::Relaxed,
    );
    let overrides = Overrides {
        output_dir: cli.output.clone(),
    };
    // A reproduction spec names the config of the data it checks.
    let loaded_spec = match &cli.command {
        Command::Reproduce { spec } => {
            Some(tradepipe_report::reproduce::Spec::load(spec).map_err(tradepipe_report::ReportError::from)?)
        }
        _ => None,
    };
    let config_path = loaded_spec
        .as_ref()
        .map_or(cli.config.as_path(), |s| s.config.as_path());
    let cfg = Config::load(config_path, &overrides)?;
    let started = std::time::SystemTime::now();
    let name = cli.command.name();
    // Every command that writes holds the output directory's lock; `validate` and
    // `freshness` write nothing.
    let fetch_opts = tradepipe_fetch::FetchOptions {
        offline: cli.offline,
        refresh: cli.refresh,
    };
    let _lock = match cli.command {
        Command::Validate | Command::Freshness { .. } | Command::Fetch { dry_run: true } => None,
        _ => {
            let lock = lock::acquire(&cfg.output_dir, name)?;
            let removed = manifest::remove_orphans(&cfg.output_dir).map_err(|source| CliError::Cleanup {
                path: cfg.output_dir.clone(),
                source,
            })?;
            if removed > 0 {
                tracing::warn!(
                    files = removed,
                    "removed temporary files left by an interrupted run"
                );
            }
            tradepipe_model::hash::load_cache(&cfg.output_dir.join(manifest::DIGEST_CACHE));
            Some(lock)
        }
    };
    if matches!(
        cli.command,
        Command::Run | Command::Indices { .. } | Command::Report { .. }
    ) {
        cfg.require_indices(name)?;
    }
    match &cli.command {
        Command::Run => {
            fetch(&cfg, &fetch_opts)?;
            normalize(&cfg, cli.force)?;
            indices(&cfg, cli.force)?;
            report(&cfg, cli.force)?;
        }
        Command::Fetch { dry_run: true } => print_plan(&cfg),
        Command::Fetch { dry_run: false } => fetch(&cfg, &fetch_opts)?,
        Command::Normalize => normalize(&cfg, cli.force)?,
        Command::Indices {
            engine: args::Engine::Native,
            ..
        } => indices(&cfg, cli.force)?,
        Command::Indices {
            engine: args::Engine::Spark,
            spark_master,
        } => indices_on_spark(&cfg, cli.force, spark_master)?,
        Command::Report { years: None } => report(&cfg, cli.force)?,
        Command::Report { years: Some(y) } => report(&cfg.clone().with_report_years(*y)?, cli.force)?,
        Command::Freshness { as_of } => {
            let provenance = tradepipe_contract::read_provenance(&cfg.output_dir)?;
            let as_of = as_of.unwrap_or_else(freshness::current_year);
            let ages = freshness::evaluate(&cfg, &provenance, as_of);
            for a in &ages {
                let last = a
                    .last_year
                    .map_or("no data".to_string(), |y| format!("last year {y}"));
                let lag = a
                    .lag
                    .map_or(String::new(), |l| format!(", {l} years behind {as_of}"));
                println!("{}: {last}{lag}: {:?}", a.source, a.level);
                tracing::info!(source = %a.source, last_year = a.last_year, lag = a.lag, level = ?a.level, "freshness");
            }
            let worst = ages
                .iter()
                .map(|a| a.level)
                .max()
                .unwrap_or(freshness::Level::Fresh);
            if worst > freshness::Level::Fresh {
                let sources = ages
                    .iter()
                    .filter(|a| a.level == worst)
                    .map(|a| a.source.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(CliError::Stale {
                    sources,
                    error: worst == freshness::Level::Stale,
                });
            }
        }
        Command::Reproduce { .. } => {
            let spec = loaded_spec.as_ref().expect("loaded above");
            fetch(&cfg, &fetch_opts)?;
            normalize(&cfg, cli.force)?;
            indices(&cfg, cli.force)?;
            let outcome = tradepipe_report::reproduce(&cfg, spec)?;
            println!(
                "reproduction written: {}",
                outcome.dir.join("index.html").display()
            );
            if outcome.mismatches() > 0 {
                // The report is written and listed in the manifest before the failure is reported.
                manifest::write(&cfg, name, started)?;
                return Err(CliError::Mismatch {
                    count: outcome.mismatches(),
                    path: outcome.dir.join("comparison.json"),
                });
            }
        }
        Command::Validate => {
            tradepipe_report::check_templates(&cfg)?;
            for src in &cfg.sources {
                let Some(path) = &src.path else { continue };
                if let Err(error) = fs_err::metadata(path) {
                    return Err(tradepipe_fetch::FetchError::ReadSource {
                        source_name: src.name.clone(),
                        path: path.clone(),
                        error,
                    }
                    .into());
                }
            }
            tradepipe_model::fsio::check_writable(&cfg.output_dir)?;
            println!(
                "config {} and templates {} are valid; sources are readable and {} is writable",
                cfg.path.display(),
                cfg.templates_dir.display(),
                cfg.output_dir.display()
            );
        }
    }
    if _lock.is_some() {
        manifest::write(&cfg, name, started)?;
        let cache = cfg.output_dir.join(manifest::DIGEST_CACHE);
        if let Err(e) = tradepipe_model::hash::save_cache(&cache) {
            // Only the next run's speed depends on it.
            tracing::warn!(error = %e, "digest cache not saved");
        }
    }
    tracing::info!(
        command = name,
        output = %cfg.output_dir.display(),
        duration_ms = started.elapsed().map(|d| d.as_millis() as u64).unwrap_or(0),
        status = "ok",
        "done"
    );
    Ok(())
}

fn fetch(cfg: &Config, opts: &tradepipe_fetch::FetchOptions) -> Result<(), CliError> {
    let m = tradepipe_fetch::run(cfg, opts)?;
    tracing::info!(stage = "fetch", blobs = m.entries.len(), "stage finished");
    Ok(())
}

/// `fetch --dry-run`: the plan of every HTTP source, on stdout.
fn print_plan(cfg: &Config) {
    let plans = tradepipe_fetch::plan(cfg);
    for s in cfg.sources.iter().filter(|s| s.path.is_some()) {
        println!(
            "{}: local file {}",
            s.name,
            s.path.as_deref().unwrap_or(std::path::Path::new("")).display()
        );
    }
    for p in &plans {
        let budget = match p.budget_per_day {
            Some(b) => format!(
                "; budget {b} calls/day, {} used today, {} left after this run",
                p.budget_used_today,
                i64::from(b) - i64::from(p.budget_used_today) - p.calls as i64
            ),
            None => String::new(),
        };
        let key = match p.key_set {
            Some(true) => "; COMTRADE_API_KEY is set (data endpoint)",
            Some(false) => "; COMTRADE_API_KEY is not set (keyless preview, 500 records a call)",
            None => "",
        };
        println!(
            "{} ({} at {}): {} requests, {} cached, {} calls to make{budget}{key}",
            p.source, p.kind, p.base_url, p.requests, p.cached, p.calls
        );
        for url in &p.sample_urls {
            println!("  GET {url}");
        }
        if p.calls > p.sample_urls.len() {
            println!("  ... and {} more", p.calls - p.sample_urls.len());
        }
    }
}

/// Runs `stage` unless `gate` says its inputs are those of its last successful run.
/// Returns whether the stage ran.
fn gated(
    stage: &str,
    report: Option<&str>,
    gate: gate::Gate,
    force: bool,
    run: impl FnOnce() -> Result<(), CliError>,
) -> Result<bool, CliError> {
    if !force && gate.unchanged() {
        tracing::info!(
            stage,
            report,
            "stage skipped: inputs unchanged since its last run (--force reruns it)"
        );
        return Ok(false);
    }
    gate.clear()?;
    run()?;
    gate.record()?;
    Ok(true)
}

fn normalize(cfg: &Config, force: bool) -> Result<(), CliError> {
    let input = NormalizeInput::new(cfg)?;
    let gate = gate::Gate::new(&paths::trade_dir(&cfg.output_dir), &input);
    gated("normalize", None, gate, force, || normalize_now(&input)).map(drop)
}

fn indices(cfg: &Config, force: bool) -> Result<(), CliError> {
    let input = IndicesInput::new(cfg)?;
    let gate = gate::Gate::new(&paths::indices_dir(&cfg.output_dir), &input);
    gated("indices", None, gate, force, || indices_now(&input)).map(drop)
}

/// The index stage on Spark. Its gate fingerprints the input and the engine with its master,
/// so switching engines reruns the stage.
fn indices_on_spark(cfg: &Config, force: bool, master: &str) -> Result<(), CliError> {
    let input = IndicesInput::new(cfg)?;
    let gate = gate::Gate::new(&paths::indices_dir(&cfg.output_dir), &(&input, "spark", master));
    let opts = tradepipe_spark::SparkOptions {
        master: master.to_owned(),
        project: cfg
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .to_path_buf(),
    };
    gated("indices", None, gate, force, || {
        let s = tradepipe_spark::run(&input, &opts)?;
        tracing::info!(
            stage = "indices",
            engine = "spark",
            years = s.years.len(),
            product_years = s.product_years.len(),
            "stage finished"
        );
        Ok(())
    })
    .map(drop)
}

/// Each report has its own gate: editing one `[[report]]` reruns that report only.
fn report(cfg: &Config, force: bool) -> Result<(), CliError> {
    if cfg.reports.is_empty() {
        // Nothing to render, so no templates to need: `run` with no [[report]] stops at the
        // index tables. A stage that reads nothing, gated like the others.
        let gate = gate::Gate::new(&cfg.output_dir.join("reports"), &());
        let nothing = || {
            tracing::info!("no [[report]] configured: no report to render");
            Ok(())
        };
        return gated("report", None, gate, force, nothing).map(drop);
    }
    for input in ReportInput::all(cfg)? {
        let dir = paths::report_dir(&cfg.output_dir, &input.report.name);
        let gate = gate::Gate::new(&dir, &input);
        let name = input.report.name.as_str();
        if !gated("report", Some(name), gate, force, || report_now(&input))? {
            let path = dir.join("index.html");
            if human_stdout() {
                println!("report up to date: {}", path.display());
            } else {
                tracing::info!(path = %path.display(), "report up to date");
            }
        }
    }
    Ok(())
}

fn normalize_now(input: &NormalizeInput) -> Result<(), CliError> {
    let s = tradepipe_normalize::run(input)?;
    tracing::info!(
        stage = "normalize",
        rows = s.rows,
        years = s.years.len(),
        "stage finished"
    );
    Ok(())
}

fn indices_now(input: &IndicesInput) -> Result<(), CliError> {
    let s = tradepipe_indices::run(input)?;
    tracing::info!(
        stage = "indices",
        rows = s.bilateral_rows,
        years = s.years.len(),
        "stage finished"
    );
    Ok(())
}

fn report_now(input: &ReportInput) -> Result<(), CliError> {
    let path = tradepipe_report::run(input)?;
    if human_stdout() {
        println!("report written: {}", path.display());
    } else {
        tracing::info!(path = %path.display(), "report written");
    }
    Ok(())
}
