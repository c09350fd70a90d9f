//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   check failed: reproduce found a value outside its tolerance without an explanation,
      or freshness found a source older than its error-lag-years
  2   freshness: a source is older than its warn-lag-years
  64  usage error (bad arguments)
  65  data error (input that cannot be normalized: file, line and column are named)
  66  missing input (a stage's input has not been produced yet; offline: not in the cache)
  69  source unavailable: an HTTP source refused the request, answered with an error page or
      invalid data, or kept failing after every retry; or --engine spark without spark-submit
      or Java
  70  internal error, or the Spark job failed (its log, output/.spark/spark.log, is named)
  73  cannot write output
  75  temporary failure: another run holds the output directory's lock, a source asked to
      wait longer than retry-after-cap-secs, or the daily call budget is spent
  78  configuration error (also a source's 401/403: a refused API key)";

/// Bilateral merchandise trade pipeline: fetch raw statistics, normalize them to Parquet,
/// compute trade indices and render HTML and Markdown reports.
#[derive(Debug, Parser)]
#[command(name = "tradepipe", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Pipeline configuration.
    #[arg(
        long,
        short = 'c',
        global = true,
        default_value = "pipeline.toml",
        value_name = "FILE"
    )]
    pub config: PathBuf,
    /// Output directory (overrides TRADEPIPE_OUTPUT and `[run] output`).
    #[arg(long, short = 'o', global = true, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Log format on stderr: `human`, or `json` (one object per line, for cron and CI).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// More log output (-v: debug, -vv: trace).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Rerun stages even when their inputs did not change since their last run.
    #[arg(long, global = true)]
    pub force: bool,
    /// Fetch nothing over the network: HTTP sources come wholly from the cache in output/raw/.
    #[arg(long, global = true, conflicts_with = "refresh")]
    pub offline: bool,
    /// Ask HTTP sources again for what the cache holds (conditional requests: unchanged
    /// answers cost a call but no download).
    #[arg(long, global = true)]
    pub refresh: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// The index stage's engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Native,
    Spark,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every stage: fetch, normalize, indices, report.
    Run,
    /// Bring every configured source into the raw store (output/raw/). HTTP sources read
    /// COMTRADE_API_KEY and TRADEPIPE_{COMTRADE,IMF,WITS,BACI}_URL from the environment.
    Fetch {
        /// Print each HTTP source's requests, what the cache already has and the calls the
        /// run would spend; touch nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Raw payloads -> canonical trade table (output/parquet/trade/).
    Normalize,
    /// Canonical table -> index tables (output/parquet/indices/).
    Indices {
        /// Where the tables are computed: `native` (this binary, rayon) or `spark` (the PySpark
        /// job in spark/, through spark-submit; same tables, for data one machine cannot hold).
        #[arg(long, value_enum, default_value_t = Engine::Native)]
        engine: Engine,
        /// Spark master URL for --engine spark: `local[*]`, `local[2]`, `spark://host:7077`,
        /// `yarn`.
        #[arg(long, value_name = "URL", default_value = "local[*]")]
        spark_master: String,
    },
    /// Index tables -> HTML and Markdown reports (output/reports/).
    Report {
        /// Show these years in every report instead of each [[report]]'s own: one year
        /// (`2020`) or a range (`2010-2020`) within [run] years.
        #[arg(long, value_name = "YEAR|FROM-TO")]
        years: Option<tradepipe_model::config::YearRange>,
    },
    /// Check config, templates, source files and output permissions without running anything.
    Validate,
    /// How many years each source's latest data lag behind the current year, against the
    /// sources' warn-lag-years and error-lag-years (reads what normalize wrote).
    Freshness {
        /// Judge as of this year instead of the current one.
        #[arg(long, value_name = "YEAR")]
        as_of: Option<i32>,
    },
    /// Check a paper's published values (a spec in reproduce/) against the data: runs fetch,
    /// normalize and indices with the spec's config, then writes output/reproduce/<name>/.
    Reproduce {
        /// The reproduction spec (TOML).
        spec: PathBuf,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Fetch { .. } => "fetch",
            Command::Normalize => "normalize",
            Command::Indices { .. } => "indices",
            Command::Report { .. } => "report",
            Command::Validate => "validate",
            Command::Reproduce { .. } => "reproduce",
            Command::Freshness { .. } => "freshness",
        }
    }
}
