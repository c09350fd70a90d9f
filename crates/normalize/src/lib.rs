//! Normalize stage: raw payloads -> the canonical long trade table (Hive-partitioned Parquet).
//!
//! * Reads: its [`NormalizeInput`] only (the raw manifest, `[normalize]`, the years, the
//!   table sources' column mappings, the nomenclature files) and the blobs the manifest lists.
//! * Writes: `output/parquet/trade/year=YYYY/part-0.parquet` for every configured year with
//!   data (columns in [`tradepipe_model::schema::col`], `year` only in the directory name),
//!   `output/parquet/trade/_provenance.json` (sources, vintages, hashes, row counts, and what
//!   was dropped or flagged on the way) and `output/parquet/rejects/rejects.parquet` (every
//!   row that failed a validation rule, see [`rejects`]; written by failed runs too).
//! * Invariants: every reporter and partner code resolves in the registry (an unknown name
//!   is an `accepted-code` failure, which stops the run naming file, row and column after
//!   every input was read, leaving the table as it was); values are US dollars; the key
//!   (year, reporter, partner, flow, classification, product) is unique within the table;
//!   rows are sorted by key, so equal inputs give byte-identical files, whatever the number
//!   of threads. With `[normalize] hs-target` every HS product row is in that edition
//!   (`convert.rs`), each flow's total kept. The table is built a year at a time
//!   ([`year`]): at most one year per worker thread is in memory. Every partition and
//!   `_provenance.json` is staged in `output/parquet/.trade.staging/` (the mirror table in `.mirror.staging/`) and the
//!   directory swapped in at once ([`tradepipe_model::dirswap`]) only when every year
//!   succeeded: readers and crashes see the old table or the new one, never a mix, and
//!   partitions of years no longer configured go with the old table.

mod aggregate;
mod convert;
mod error;
pub mod mirror;
mod nomenclature;
mod progress;
pub mod rejects;
mod sources;
mod table;
mod validity;
mod write;
mod year;

pub use error::NormalizeError;
pub use table::CanonicalRows;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tradepipe_contract::paths::{blob_path, mirror_dir, rejects_path, trade_dir};
use tradepipe_contract::{ConversionSummary, NormalizeInput, Provenance, RawManifest, SourceProvenance};
use tradepipe_model::Registry;
use tradepipe_model::config::SourceFormat;
use tradepipe_model::dirswap;

/// What a normalize run produced.
#[derive(Debug, Clone)]
pub struct NormalizeSummary {
    pub rows: usize,
    pub years: Vec<i32>,
    pub provenance: Provenance,
}

/// Reads every raw payload of the run and writes the canonical table, a year at a time.
///
/// Sources whose payload holds every year in one body (CSV, JSON, XML, workbooks) are read
/// once and their rows routed to their years; release zips, one entry a year, are read in the
/// task of each year. Years run in parallel, one per worker thread (`RAYON_NUM_THREADS`), so
/// peak memory is that of the largest years in flight. Partitions are staged beside the table
/// and swapped in, with `_provenance.json`, only when every year succeeded.
pub fn run(cfg: &NormalizeInput) -> Result<NormalizeSummary, NormalizeError> {
    let manifest = &cfg.manifest;
    let registry = Registry::embedded();
    let nomenclatures = match &cfg.normalize.nomenclatures {
        Some(dir) => tradepipe_model::nomenclature::Nomenclatures::with_dir(dir)?,
        None => tradepipe_model::nomenclature::Nomenclatures::embedded(),
    };
    let mut whole = CanonicalRows::default();
    let mut provenance = Provenance::default();
    // Blobs of one source (an HTTP source has one per request) are read in manifest order
    // and accounted for together.
    let mut blob_hashes: Vec<Vec<String>> = Vec::new();
    let rejects = std::cell::RefCell::new(rejects::Rejects::new(cfg.normalize.rules.clone()));
    let this_year = tradepipe_model::time::utc_date(std::time::SystemTime::now()).year;
    let blobs: Vec<(PathBuf, String)> = manifest
        .entries
        .iter()
        .map(|entry| {
            let blob = blob_path(&cfg.output_dir, &entry.sha256);
            let display = DisplayPath {
                blob: &blob,
                location: &entry.location,
            }
            .to_string();
            (blob, display)
        })
        .collect();
    let columns: Vec<_> = manifest.entries.iter().map(|e| cfg.columns(&e.source)).collect();
    let mut entries_by_year: BTreeMap<i32, Vec<year::ZipEntry>> = BTreeMap::new();
    for (n, entry) in manifest.entries.iter().enumerate() {
        let before = whole.len();
        let input = sources::ReadInput {
            blob: &blobs[n].0,
            file: blobs[n].1.clone(),
            entry,
            years: cfg.years,
            registry: &registry,
            columns: columns[n],
            rejects: &rejects,
            this_year,
        };
        let stats = match entry.format {
            SourceFormat::ComtradeV1Json => sources::comtrade_v1::read(&input, &mut whole)?,
            SourceFormat::ImfDotsCsv => sources::imf_dots::read(&input, &mut whole)?,
            SourceFormat::ImfDotSdmxJson => sources::imf_dot_json::read(&input, &mut whole)?,
            SourceFormat::ImfSdmx3Xml => sources::imf_sdmx3::read(&input, &mut whole)?,
            SourceFormat::WitsSdmxXml => sources::wits::read(&input, &mut whole)?,
            SourceFormat::BaciZip => {
                for (year, e) in sources::baci::list_entries(&input, n)? {
                    entries_by_year.entry(year).or_default().push(e);
                }
                sources::ReadStats::default()
            }
            SourceFormat::TableCsv => sources::table::read_csv(&input, &mut whole)?,
            SourceFormat::TableXlsx => sources::table::read_xlsx(&input, &mut whole)?,
        };
        tracing::debug!(source = %entry.source, location = %entry.location, rows = whole.len() - before, "blob read");
        let k = match provenance.sources.iter().position(|s| s.source == entry.source) {
            Some(k) => k,
            None => {
                provenance.sources.push(SourceProvenance::of(entry));
                blob_hashes.push(Vec::new());
                provenance.sources.len() - 1
            }
        };
        let s = &mut provenance.sources[k];
        s.rows += whole.len() - before;
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
    let mut rejects = rejects.into_inner();

    // The whole-file sources' rows, routed to their years (stable: reading order is kept).
    let mut jobs: BTreeMap<i32, year::YearJob> = BTreeMap::new();
    whole.rows.sort_by_key(|r| r.year);
    let mut rows = std::mem::take(&mut whole.rows).into_iter().peekable();
    while let Some(first) = rows.next() {
        let mut of_year = vec![first];
        while let Some(r) = rows.next_if(|r| r.year == first.year) {
            of_year.push(r);
        }
        jobs.insert(
            first.year,
            year::YearJob {
                year: first.year,
                rows: of_year,
                entries: Vec::new(),
            },
        );
    }
    for (y, entries) in entries_by_year {
        jobs.entry(y)
            .or_insert_with(|| year::YearJob {
                year: y,
                rows: Vec::new(),
                entries: Vec::new(),
            })
            .entries = entries;
    }

    let trade_root = trade_dir(&cfg.output_dir);
    let mirror_root = mirror_dir(&cfg.output_dir);
    let trade_staging = dirswap::fresh_staging(&trade_root)?;
    let mirror_staging = dirswap::fresh_staging(&mirror_root)?;
    let discard = || {
        dirswap::discard_staging(&trade_root);
        dirswap::discard_staging(&mirror_root);
    };
    let locations: HashMap<&str, &str> = provenance
        .sources
        .iter()
        .map(|s| (s.source.as_str(), s.location.as_str()))
        .collect();
    let ctx = year::YearContext {
        normalize: &cfg.normalize,
        years: cfg.years,
        registry: &registry,
        nomenclatures: &nomenclatures,
        manifest: &manifest,
        blobs: &blobs,
        columns: &columns,
        text: &whole.text,
        locations: &locations,
        this_year,
        trade_staging: &trade_staging,
        mirror_staging: &mirror_staging,
        read_only: rejects.errors() > 0,
    };
    // The whole-file sources were read above; the release zips' entries are read by year.
    let whole_bytes = manifest
        .entries
        .iter()
        .filter(|e| e.format != SourceFormat::BaciZip)
        .map(|e| e.bytes)
        .sum();
    let progress = progress::Years::new(jobs.len(), whole_bytes);
    // One year per worker thread at a time; results in year order, whatever finished first.
    let done: Vec<Result<year::YearDone, NormalizeError>> = jobs
        .into_values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .with_max_len(1)
        .map(|job| {
            let (y, bytes) = (job.year, job.entries.iter().map(|e| e.bytes).sum());
            let r = year::run(job, &ctx);
            if let Ok(d) = &r {
                progress.year_done(y, d.rows, bytes);
            }
            r
        })
        .collect();
    progress.finish();
    let done = match done.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(d) => d,
        Err(e) => {
            discard();
            return Err(e);
        }
    };

    // Rejects as one pass over every input would list them: readers' in input order, then
    // the whole-table checks.
    let mut read: Vec<(usize, i32, rejects::Rejects)> = Vec::new();
    let mut checks = rejects::Rejects::new(cfg.normalize.rules.clone());
    let mut mirror = mirror::summary(&cfg.normalize);
    let mut years = Vec::new();
    let mut total = 0;
    let mut coarser = 0;
    let mut conversion = cfg.normalize.hs_target.as_ref().map(|target| ConversionSummary {
        target: target.clone(),
        ..Default::default()
    });
    for d in done {
        if let (Some(all), Some(c)) = (&mut conversion, d.conversion) {
            all.add(c);
        }
        for (blob, r) in d.read {
            read.push((blob, d.year, r));
        }
        checks.append(d.checks);
        mirror.paired += d.mirror.paired;
        mirror.filled += d.mirror.filled;
        mirror.replaced += d.mirror.replaced;
        coarser += d.coarser;
        if d.rows > 0 {
            years.push(d.year);
            total += d.rows;
        }
        for s in &mut provenance.sources {
            let Some(c) = d.sources.get(&s.source) else {
                continue;
            };
            s.rows += c.read;
            s.negative_values += c.stats.negative_values;
            s.estimated_rows += c.stats.estimated_rows;
            s.skipped_rows += c.stats.skipped_rows;
            s.exact_duplicates_dropped += c.exact_duplicates;
            s.superseded_rows += c.superseded;
            if c.kept {
                s.first_year = Some(s.first_year.map_or(d.year, |f| f.min(d.year)));
                s.last_year = Some(s.last_year.map_or(d.year, |l| l.max(d.year)));
            }
        }
    }
    read.sort_by_key(|&(blob, year, _)| (blob, year));
    for (_, _, r) in read {
        rejects.append(r);
    }
    let rejects_file = rejects_path(&cfg.output_dir);
    if rejects.errors() > 0 {
        discard();
        write::write_rejects(&rejects_file, &rejects)?;
        return Err(rejected(&rejects, rejects_file));
    }
    for s in &mut provenance.sources {
        s.rows -= s.exact_duplicates_dropped + s.superseded_rows;
    }
    for s in &provenance.sources {
        tracing::info!(source = %s.source, rows = s.rows, blobs = s.blobs, "source normalized");
    }
    checks.sort_table_checks();
    rejects.append(checks);
    if rejects.errors() > 0 {
        discard();
        write::write_rejects(&rejects_file, &rejects)?;
        return Err(rejected(&rejects, rejects_file));
    }
    provenance.rejects = rejects.counts();
    for c in &provenance.rejects {
        // Warnings only: error-severity failures returned above.
        tracing::warn!(rule = %c.rule, rows = c.rows, action = %c.action, rejects = %rejects_file.display(), "rows failed a validation rule");
    }
    if coarser > 0 {
        tracing::info!(rows = coarser, levels = ?cfg.normalize.product_levels, "coarser product levels added");
    }
    tracing::info!(policy = %mirror.policy, paired = mirror.paired, filled = mirror.filled, replaced = mirror.replaced, "mirror reports reconciled");
    provenance.mirror = Some(mirror);
    if let Some(c) = &conversion {
        let rows: usize = c.rows_from.values().sum();
        tracing::info!(target = %c.target, rows, methods = ?c.rows_by_method, "product rows converted to one HS edition");
        if !c.unmatched_codes.is_empty() {
            tracing::warn!(codes = ?c.unmatched_codes, "codes no concordance table links were kept as they are (conversion `unmatched`)");
        }
    }
    provenance.conversion = conversion;
    let mut json = serde_json::to_vec_pretty(&provenance).expect("provenance serializes");
    json.push(b'\n');
    let committed = tradepipe_model::fsio::write_atomic(&trade_staging.join("_provenance.json"), &json)
        .map_err(NormalizeError::from)
        .and_then(|()| write::write_rejects(&rejects_file, &rejects))
        .and_then(|()| Ok(dirswap::replace_dir(&mirror_staging, &mirror_root)?))
        .and_then(|()| Ok(dirswap::replace_dir(&trade_staging, &trade_root)?));
    if let Err(e) = committed {
        discard();
        return Err(e);
    }
    Ok(NormalizeSummary {
        rows: total,
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
fn common_prefix(manifest: &RawManifest, source: &str) -> String {
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
