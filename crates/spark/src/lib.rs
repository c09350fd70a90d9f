//! The index stage on Apache Spark (`tradepipe indices --engine spark`): the PySpark job in
//! `spark/` (embedded in the binary), run through `spark-submit`.
//!
//! * Reads: its [`IndicesInput`] (the same value the native engine reads, so the same
//!   `pipeline.toml` keys and the same gate), the embedded registry, WDI and HS product lists.
//! * Writes: `output/.spark/` (the job's Python sources, its spec, its log and result), then
//!   through Spark the index tables under `output/parquet/indices/` in the native engine's
//!   layout, and `_meta.json` as the native engine writes it.
//! * Invariants: the tables are those the native engine writes, with the same columns and row
//!   order (integers as Spark's signed types); Spark writes them to a staging directory and
//!   moves them into place only when every table is written, so a failed job leaves the
//!   previous tables as they were. The complexity tables' universe notes (who was left out,
//!   the eigenvalues, why a ranking is undefined) come back in the job's result and go into
//!   `_meta.json` as the native engine records them.

mod embedded;
mod spec;
mod submit;

use std::path::PathBuf;

use tradepipe_contract::IndicesInput;
use tradepipe_contract::paths::indices_dir;
use tradepipe_tables::{ComplexityMeta, IndicesMeta, UniverseNote};

pub use spec::JobSpec;
pub use submit::{SparkOptions, find_spark_submit};

#[derive(Debug, thiserror::Error)]
pub enum SparkError {
    #[error(
        "the Spark engine needs spark-submit: none found ({searched}); install Spark \
         (`.venv/bin/pip install pyspark` and a Java 17 runtime, see spark/README.md) or set SPARK_HOME"
    )]
    NotInstalled { searched: String },
    #[error("the Spark engine needs a Java runtime (java on PATH or JAVA_HOME): {message}")]
    NoJava { message: String },
    /// `[indices.complexity] population` names a file that cannot be read.
    #[error(transparent)]
    Population(#[from] tradepipe_model::population::PopulationError),
    #[error("no trade data for years {from}-{to} under {root}; run `tradepipe normalize` first")]
    NoInput { root: PathBuf, from: i32, to: i32 },
    /// The job reported input it cannot use (its exit status 65), in the native engine's words.
    #[error("{message} (Spark log: {log})")]
    Data { message: String, log: PathBuf },
    #[error("the Spark job failed with {status}; the last lines of its log ({log}):\n{tail}")]
    Failed {
        status: String,
        log: PathBuf,
        tail: String,
    },
    #[error("cannot start {program}: {source}")]
    Spawn {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the Spark job's result {path}: {message}")]
    Result { path: PathBuf, message: String },
    #[error(transparent)]
    Provenance(#[from] tradepipe_contract::ProvenanceError),
    #[error(transparent)]
    Write(#[from] tradepipe_model::fsio::WriteError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a Spark run produced.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SparkSummary {
    pub years: Vec<i32>,
    pub product_years: Vec<i32>,
    /// One per complexity universe, in year, classification and level order.
    #[serde(default)]
    pub universes: Vec<UniverseNote>,
}

/// Computes every index table on Spark and writes `_meta.json`.
pub fn run(input: &IndicesInput, opts: &SparkOptions) -> Result<SparkSummary, SparkError> {
    let spec = JobSpec::new(input)?;
    let work = input.output_dir.join(".spark");
    let job_dir = embedded::write_job(&work)?;
    let spec = spec.with_paths(&work, &job_dir, &indices_dir(&input.output_dir));
    let spec_path = work.join("job.json");
    let mut json = serde_json::to_vec_pretty(&spec).expect("a job spec serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&spec_path, &json)?;
    let result_path = PathBuf::from(&spec.result);
    let _ = fs_err::remove_file(&result_path);
    submit::submit(opts, &job_dir.join("run.py"), &spec_path, &work.join("spark.log"))?;
    let text = fs_err::read_to_string(&result_path).map_err(|e| SparkError::Result {
        path: result_path.clone(),
        message: e.to_string(),
    })?;
    let summary: SparkSummary = serde_json::from_str(&text).map_err(|e| SparkError::Result {
        path: result_path.clone(),
        message: e.to_string(),
    })?;
    let meta = IndicesMeta {
        hm_variant: input.indices.hm_variant.as_str().into(),
        world: input.indices.world.as_str().into(),
        years: summary.years.clone(),
        index_base_year: input.index_base_year(),
        product_years: summary.product_years.clone(),
        countries: input.indices.countries.clone(),
        trade_provenance: tradepipe_contract::read_provenance(&input.output_dir)?,
        deflator: input.deflator(),
        complexity: (input.indices.complexity.enabled && !summary.product_years.is_empty()).then(|| {
            ComplexityMeta {
                options: input.indices.complexity.clone(),
                universes: summary.universes.clone(),
            }
        }),
    };
    let mut json = serde_json::to_vec_pretty(&meta).expect("meta serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&indices_dir(&input.output_dir).join("_meta.json"), &json)?;
    Ok(summary)
}
