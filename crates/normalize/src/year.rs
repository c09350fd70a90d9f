//! One year of the canonical table, from its rows to its staged partition: the year's rows of
//! the whole-file sources, the year's entries of the release zips, then sorting and repeats,
//! the whole-table checks, coarser product levels, mirror reconciliation, and the partition
//! and mirror partition written under the staging directories. The year's rows are freed when
//! its task ends, so peak memory is set by the years in flight, not by the data set.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use tradepipe_model::Registry;
use tradepipe_model::config::NormalizeConfig;
use tradepipe_model::nomenclature::Nomenclatures;

use crate::mirror::MirrorSummary;
use crate::rejects::Rejects;
use crate::sources::{self, ReadInput, ReadStats};
use crate::table::{CanonicalRows, Interner, Row};
use crate::{NormalizeError, aggregate, mirror, nomenclature, validity, write};

/// A data entry of a release zip: one year of one source.
#[derive(Debug, Clone)]
pub(crate) struct ZipEntry {
    /// Position of the blob in the raw manifest.
    pub blob: usize,
    /// Position of the entry in the zip.
    pub index: usize,
    pub name: String,
    /// The HS revision the entry name gives (`HS17`).
    pub revision: String,
    /// Its size inflated, for the progress bar.
    pub bytes: u64,
}

/// What one year's task gets.
pub(crate) struct YearJob {
    pub year: i32,
    /// The year's rows of the sources read whole (ids of [`YearContext::text`]).
    pub rows: Vec<Row>,
    pub entries: Vec<ZipEntry>,
}

/// What every year's task shares (read only).
pub(crate) struct YearContext<'a> {
    pub normalize: &'a NormalizeConfig,
    pub years: tradepipe_model::config::YearRange,
    pub registry: &'a Registry,
    pub nomenclatures: &'a Nomenclatures,
    pub manifest: &'a tradepipe_contract::RawManifest,
    /// Blob paths and names for errors, by manifest position.
    pub blobs: &'a [(std::path::PathBuf, String)],
    pub columns: &'a [Option<&'a tradepipe_model::config::TableColumns>],
    /// The text the whole-file sources interned.
    pub text: &'a Interner,
    /// Each source's file or URL, as the provenance names it.
    pub locations: &'a HashMap<&'a str, &'a str>,
    pub this_year: i32,
    pub trade_staging: &'a Path,
    pub mirror_staging: &'a Path,
    /// Only read the year's entries (another input already failed a rule): the rejects of
    /// every input are listed at once, nothing is checked or written.
    pub read_only: bool,
}

/// Per source, what a year contributed.
#[derive(Debug, Default, Clone)]
pub(crate) struct SourceCounts {
    /// Rows read (entries of this year only; whole-file sources count theirs when read).
    pub read: usize,
    pub stats: ReadStats,
    pub exact_duplicates: usize,
    pub superseded: usize,
    /// Whether rows of the source are kept in this year.
    pub kept: bool,
}

/// What a year's task produced.
pub(crate) struct YearDone {
    pub year: i32,
    /// Rejects found reading the year's entries, per entry (manifest position).
    pub read: Vec<(usize, Rejects)>,
    /// Rejects of the whole-table checks of the year's rows.
    pub checks: Rejects,
    pub sources: HashMap<String, SourceCounts>,
    pub mirror: MirrorSummary,
    pub coarser: usize,
    /// What `hs-target` converted.
    pub conversion: Option<tradepipe_contract::ConversionSummary>,
    /// Rows written (none if the year was not written).
    pub rows: usize,
}

pub(crate) fn run(job: YearJob, ctx: &YearContext<'_>) -> Result<YearDone, NormalizeError> {
    let mut t = CanonicalRows {
        rows: job.rows,
        text: ctx.text.clone(),
        order: Vec::new(),
    };
    let mut done = YearDone {
        year: job.year,
        read: Vec::new(),
        checks: Rejects::new(ctx.normalize.rules.clone()),
        sources: HashMap::new(),
        mirror: MirrorSummary::default(),
        coarser: 0,
        conversion: None,
        rows: 0,
    };
    let mut clock = Clock(std::time::Instant::now(), job.year);
    let mut read_errors = 0;
    for e in &job.entries {
        let raw = &ctx.manifest.entries[e.blob];
        let rejects = RefCell::new(Rejects::new(ctx.normalize.rules.clone()));
        let input = ReadInput {
            blob: &ctx.blobs[e.blob].0,
            file: ctx.blobs[e.blob].1.clone(),
            entry: raw,
            years: ctx.years,
            registry: ctx.registry,
            columns: ctx.columns[e.blob],
            rejects: &rejects,
            this_year: ctx.this_year,
        };
        let before = t.rows.len();
        let stats = sources::baci::read_entry(&input, e, job.year, &mut t)?;
        let c = done.sources.entry(raw.source.clone()).or_default();
        c.read += t.rows.len() - before;
        c.stats.negative_values += stats.negative_values;
        c.stats.estimated_rows += stats.estimated_rows;
        c.stats.skipped_rows += stats.skipped_rows;
        let rejects = rejects.into_inner();
        read_errors += rejects.errors();
        done.read.push((e.blob, rejects));
    }
    clock.lap("read", t.rows.len());
    if ctx.read_only || read_errors > 0 {
        return Ok(done);
    }
    let dedup = t.sort_and_dedup()?;
    clock.lap("sorted", t.rows.len());
    for (name, n) in dedup.exact_duplicates {
        done.sources.entry(name).or_default().exact_duplicates = n;
    }
    for (name, n) in dedup.superseded {
        done.sources.entry(name).or_default().superseded = n;
    }
    for name in t.year_span_by_source().into_keys() {
        done.sources.entry(name).or_default().kept = true;
    }
    validity::check(&t, ctx.registry, ctx.locations, &mut done.checks);
    nomenclature::check(&t, ctx.nomenclatures, ctx.locations, &mut done.checks);
    clock.lap("checked", t.rows.len());
    if done.checks.errors() > 0 {
        return Ok(done);
    }
    // After the checks (which hold codes to the edition they came in), before the coarser
    // levels (built from the converted subheadings).
    if let Some(target) = &ctx.normalize.hs_target {
        let c = crate::convert::to_edition(&mut t, target);
        if !c.rows_from.is_empty() {
            // Converted keys of two sources: the first listed wins, as for any repeat.
            for (name, n) in t.sort_and_dedup()?.superseded {
                done.sources.entry(name).or_default().superseded += n;
            }
        }
        done.conversion = Some(c);
        clock.lap("converted", t.rows.len());
    }
    done.coarser = aggregate::add_levels(&mut t, &ctx.normalize.product_levels);
    if done.coarser > 0 {
        // Added keys are ones no source stated: sorting again finds no repeats.
        t.sort_and_dedup()?;
    }
    let (discrepancies, summary) = mirror::reconcile(&mut t, ctx.normalize, ctx.registry);
    if summary.filled + summary.replaced > 0 {
        // Rows from the mirror have keys no source had: sorting again finds no repeats.
        t.sort_and_dedup()?;
    }
    done.mirror = summary;
    clock.lap("levels and mirror", t.rows.len());
    if !discrepancies.is_empty() {
        write::write_mirror_year(ctx.mirror_staging, job.year, &t, &discrepancies)?;
    }
    if !t.rows.is_empty() {
        write::write_year(ctx.trade_staging, job.year, &t, ctx.normalize.hs_target.is_some())?;
    }
    clock.lap("written", t.rows.len());
    done.rows = t.rows.len();
    Ok(done)
}

/// Debug log lines with the time each step of a year took (`-v`).
struct Clock(std::time::Instant, i32);

impl Clock {
    fn lap(&mut self, step: &str, rows: usize) {
        let now = std::time::Instant::now();
        tracing::debug!(
            year = self.1,
            rows,
            ms = (now - self.0).as_millis() as u64,
            rss_mib = resident_mib(),
            "{step}"
        );
        self.0 = now;
    }
}

/// The process's resident memory in MiB (Linux `/proc/self/statm`; 0 elsewhere), for `-v`.
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1 << 20))
}
