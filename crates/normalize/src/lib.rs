//! Normalize stage: raw payloads -> the canonical long trade table (Hive-partitioned Parquet).
//!
//! * Reads: `output/raw/manifest.json` and the blobs it lists (written by the fetch stage).
//! * Writes: `output/parquet/trade/year=YYYY/part-0.parquet` for every configured year with
//!   data (columns in [`tradepipe_model::schema::col`], `year` only in the directory name),
//!   `output/parquet/trade/_provenance.json` (sources, vintages, hashes, row counts, and what
//!   was dropped or flagged on the way) and `output/parquet/rejects/rejects.parquet` (every
//!   row that failed a validation rule, see [`rejects`]; written by failed runs too).
//! * Invariants: every reporter and partner code resolves in the registry (an unknown name
//!   is an `accepted-code` failure, which stops the run naming file, row and column after
//!   every input was read, leaving the table as it was); values are US dollars; the key
//!   (year, reporter, partner, flow, classification, product) is unique within the table;
//!   rows are sorted by key, so equal inputs give byte-identical files. Partitions are
//!   written atomically; partitions of years no longer configured are removed at the end.

mod aggregate;
mod error;
pub mod mirror;
mod nomenclature;
pub mod rejects;
mod sources;
mod table;
mod validity;
mod write;

pub use error::NormalizeError;
pub use table::{CanonicalRows, Provenance, SourceProvenance};

use std::path::{Path, PathBuf};

use tradepipe_model::{Config, Registry};

/// `output/parquet/trade`.
pub fn trade_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("trade")
}

/// `output/parquet/rejects/rejects.parquet`.
pub fn rejects_path(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("rejects").join("rejects.parquet")
}

/// `output/parquet/mirror`: both reports of every flow between two economies.
pub fn mirror_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("mirror")
}

/// Reads `output/parquet/trade/_provenance.json`.
pub fn read_provenance(output_dir: &Path) -> Result<Provenance, NormalizeError> {
    let path = trade_dir(output_dir).join("_provenance.json");
    let text = fs_err::read_to_string(&path).map_err(|_| NormalizeError::NoTable { path: path.clone() })?;
    serde_json::from_str(&text).map_err(|e| NormalizeError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// What a normalize run produced.
#[derive(Debug, Clone)]
pub struct NormalizeSummary {
    pub rows: usize,
    pub years: Vec<i32>,
    pub provenance: Provenance,
}

/// Reads every raw payload of the run and writes the canonical table.
pub fn run(cfg: &Config) -> Result<NormalizeSummary, NormalizeError> {
    let manifest = tradepipe_fetch::read_manifest(&cfg.output_dir)?;
    let registry = Registry::embedded();
    let nomenclatures = match &cfg.normalize.nomenclatures {
        Some(dir) => tradepipe_model::nomenclature::Nomenclatures::with_dir(dir)?,
        None => tradepipe_model::nomenclature::Nomenclatures::embedded(),
    };
    let mut rows = CanonicalRows::default();
    let mut provenance = Provenance::default();
    // Blobs of one source (an HTTP source has one per request) are read in manifest order
    // and accounted for together.
    let mut blob_hashes: Vec<Vec<String>> = Vec::new();
    let rejects = std::cell::RefCell::new(rejects::Rejects::new(cfg.normalize.rules.clone()));
    let this_year = tradepipe_model::time::utc_date(std::time::SystemTime::now()).year;
    for entry in &manifest.entries {
        let blob = tradepipe_fetch::blob_path(&cfg.output_dir, &entry.sha256);
        let display = DisplayPath {
            blob: &blob,
            location: &entry.location,
        };
        let before = rows.len();
        let input = sources::ReadInput {
            blob: &blob,
            file: display.to_string(),
            entry,
            years: cfg.years,
            registry: &registry,
            columns: cfg.source(&entry.source).and_then(|s| s.columns.as_ref()),
            rejects: &rejects,
            this_year,
        };
        let stats = match entry.format.as_str() {
            "comtrade-v1-json" => sources::comtrade_v1::read(&input, &mut rows)?,
            "imf-dots-csv" => sources::imf_dots::read(&input, &mut rows)?,
            "imf-dot-sdmx-json" => sources::imf_dot_json::read(&input, &mut rows)?,
            "imf-sdmx3-xml" => sources::imf_sdmx3::read(&input, &mut rows)?,
            "wits-sdmx-xml" => sources::wits::read(&input, &mut rows)?,
            "baci-zip" => sources::baci::read(&input, &mut rows)?,
            "table-csv" => sources::table::read_csv(&input, &mut rows)?,
            "table-xlsx" => sources::table::read_xlsx(&input, &mut rows)?,
            other => {
                return Err(NormalizeError::UnknownFormat {
                    source_name: entry.source.clone(),
                    format: other.into(),
                });
            }
        };
        tracing::debug!(source = %entry.source, location = %entry.location, rows = rows.len() - before, "blob normalized");
        let k = match provenance.sources.iter().position(|s| s.source == entry.source) {
            Some(k) => k,
            None => {
                provenance.sources.push(SourceProvenance {
                    source: entry.source.clone(),
                    format: entry.format.clone(),
                    location: entry.location.clone(),
                    sha256: String::new(),
                    vintage: entry.vintage.clone(),
                    description: entry.description.clone(),
                    rows: 0,
                    exact_duplicates_dropped: 0,
                    negative_values: 0,
                    estimated_rows: 0,
                    skipped_rows: 0,
                    superseded_rows: 0,
                    first_year: None,
                    last_year: None,
                    blobs: 0,
                });
                blob_hashes.push(Vec::new());
                provenance.sources.len() - 1
            }
        };
        let s = &mut provenance.sources[k];
        s.rows += rows.len() - before;
        s.negative_values += stats.negative_values;
        s.estimated_rows += stats.estimated_rows;
        s.skipped_rows += stats.skipped_rows;
        s.blobs += 1;
        if s.vintage != entry.vintage && !s.vintage.ends_with(" (and others)") {
            s.vintage.push_str(" (and others)");
        }
        blob_hashes[k].push(entry.sha256.clone());
    }
    for (s, hashes) in provenance.sources.iter_mut().zip(&blob_hashes) {
        s.sha256 = combined_hash(hashes);
        if s.blobs > 1 {
            s.location = common_prefix(&manifest, &s.source);
        }
    }
    for s in &provenance.sources {
        tracing::info!(source = %s.source, rows = s.rows, blobs = s.blobs, "source normalized");
    }
    let mut rejects = rejects.into_inner();
    let rejects_file = rejects_path(&cfg.output_dir);
    if rejects.errors() > 0 {
        write::write_rejects(&rejects_file, &rejects)?;
        return Err(rejected(&rejects, rejects_file));
    }
    let dedup = rows.sort_and_dedup()?;
    let spans = rows.year_span_by_source();
    for s in &mut provenance.sources {
        (s.first_year, s.last_year) = spans
            .get(&s.source)
            .map_or((None, None), |&(a, b)| (Some(a), Some(b)));
        s.exact_duplicates_dropped = dedup.exact_duplicates.get(&s.source).copied().unwrap_or(0);
        s.superseded_rows = dedup.superseded.get(&s.source).copied().unwrap_or(0);
        s.rows -= s.exact_duplicates_dropped + s.superseded_rows;
    }
    let by_location: std::collections::HashMap<&str, &str> = provenance
        .sources
        .iter()
        .map(|s| (s.source.as_str(), s.location.as_str()))
        .collect();
    validity::check(&rows, &registry, &by_location, &mut rejects);
    nomenclature::check(&rows, &nomenclatures, &by_location, &mut rejects);
    write::write_rejects(&rejects_file, &rejects)?;
    if rejects.errors() > 0 {
        return Err(rejected(&rejects, rejects_file));
    }
    provenance.rejects = rejects.counts();
    for c in &provenance.rejects {
        // Warnings only: error-severity failures returned above.
        tracing::warn!(rule = %c.rule, rows = c.rows, action = %c.action, rejects = %rejects_file.display(), "rows failed a validation rule");
    }
    let coarser = aggregate::add_levels(&mut rows, &cfg.normalize.product_levels);
    if coarser > 0 {
        // Added keys are ones no source stated: sorting again finds no repeats.
        rows.sort_and_dedup()?;
        tracing::info!(rows = coarser, levels = ?cfg.normalize.product_levels, "coarser product levels added");
    }
    let (discrepancies, mirror) = mirror::reconcile(&mut rows, &cfg.normalize, &registry);
    if mirror.filled + mirror.replaced > 0 {
        // Rows from the mirror have keys no source had: sorting again finds no repeats.
        rows.sort_and_dedup()?;
    }
    tracing::info!(policy = %mirror.policy, paired = mirror.paired, filled = mirror.filled, replaced = mirror.replaced, "mirror reports reconciled");
    provenance.mirror = Some(mirror);
    write::write_mirror(&mirror_dir(&cfg.output_dir), &rows, &discrepancies)?;
    let years = write::write_table(&trade_dir(&cfg.output_dir), &mut rows, &provenance)?;
    Ok(NormalizeSummary {
        rows: rows.len(),
        years,
        provenance,
    })
}

fn rejected(rejects: &rejects::Rejects, path: PathBuf) -> NormalizeError {
    NormalizeError::Rejected {
        first: rejects.first_error().map(ToString::to_string).unwrap_or_default(),
        count: rejects.errors(),
        summary: rejects.error_summary(),
        path,
    }
}

/// The hash of a source's content: its blob's hash, or for several blobs the SHA-256 of their
/// hashes one per line, so that any change to any blob changes it.
fn combined_hash(hashes: &[String]) -> String {
    use tradepipe_model::hash::{Digest, Sha256, hex};
    match hashes {
        [one] => one.clone(),
        many => hex(&Sha256::digest(many.join("\n").as_bytes())),
    }
}

/// The longest common start of a source's request URLs, up to the last `/` or `?` within it
/// (for the provenance line of a source with many requests).
fn common_prefix(manifest: &tradepipe_fetch::RawManifest, source: &str) -> String {
    let urls: Vec<&str> = manifest
        .entries
        .iter()
        .filter(|e| e.source == source)
        .map(|e| e.location.as_str())
        .collect();
    let first = urls.first().copied().unwrap_or("");
    let n = urls
        .iter()
        .map(|u| first.bytes().zip(u.bytes()).take_while(|(a, b)| a == b).count())
        .min()
        .unwrap_or(0);
    let cut = first[..n].rfind(['/', '?']).map_or(n, |i| i + 1);
    format!("{}… ({} requests)", &first[..cut], urls.len())
}

/// Names a raw blob by where it came from, so errors point at the file the user knows.
struct DisplayPath<'a> {
    blob: &'a Path,
    location: &'a str,
}

impl std::fmt::Display for DisplayPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (raw {})", self.location, self.blob.display())
    }
}
