//! What each stage reads, as one value per stage. A stage takes its input struct and nothing
//! else, and the binary's stage gate fingerprints the same struct's JSON: an option a stage
//! reads cannot be missing from the fingerprint, because the stage can only read it from
//! here. Files a stage reads enter as digests ([`Tree`], [`FileDigest`]), never as times.
//! The output directory is where a stage reads and writes, not what: it is not part of the
//! fingerprint.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tradepipe_model::Config;
use tradepipe_model::config::{IndicesConfig, NormalizeConfig, ReportConfig, TableColumns, YearRange};
use tradepipe_model::groups::GroupConfig;

use crate::digest::{DigestError, FileDigest, Tree};
use crate::manifest::{ManifestError, RawManifest, read_manifest};
use crate::paths::{indices_dir, trade_dir};

/// A stage input that could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Digest(#[from] DigestError),
}

/// The normalize stage's input: the raw manifest (the blobs by content hash, their formats,
/// vintages and locations), `[normalize]`, the years, the table sources' column mappings and
/// the nomenclature files.
#[derive(Debug, Clone, Serialize)]
pub struct NormalizeInput {
    #[serde(skip)]
    pub output_dir: PathBuf,
    pub years: YearRange,
    pub normalize: NormalizeConfig,
    /// The files of `[normalize] nomenclatures`, where set.
    pub nomenclatures: Option<Tree>,
    pub manifest: RawManifest,
    /// `[source.columns]` of each table source, by source name.
    pub columns: BTreeMap<String, TableColumns>,
}

impl NormalizeInput {
    pub fn new(cfg: &Config) -> Result<NormalizeInput, InputError> {
        let mut manifest = read_manifest(&cfg.output_dir)?;
        // How a response was obtained (status, validators, when) is the fetch stage's record;
        // normalize reads the bytes, so a revalidated, unchanged blob does not rerun it.
        for e in &mut manifest.entries {
            e.http = None;
        }
        let nomenclatures = cfg
            .normalize
            .nomenclatures
            .as_deref()
            .map(Tree::read)
            .transpose()?;
        let columns = cfg
            .sources
            .iter()
            .filter_map(|s| Some((s.name.clone(), s.columns.clone()?)))
            .collect();
        Ok(NormalizeInput {
            output_dir: cfg.output_dir.clone(),
            years: cfg.years,
            normalize: cfg.normalize.clone(),
            nomenclatures,
            manifest,
            columns,
        })
    }

    /// The column mapping of `source`, where it is a table.
    pub fn columns(&self, source: &str) -> Option<&TableColumns> {
        self.columns.get(source)
    }
}

/// The index stage's input: the canonical table, `[indices]`, the years, the `[[group]]`s and
/// the population file of the complexity tables. (The embedded groups, registry and WDI
/// series are part of the binary, which the gate adds.)
#[derive(Debug, Clone, Serialize)]
pub struct IndicesInput {
    #[serde(skip)]
    pub output_dir: PathBuf,
    pub years: YearRange,
    pub indices: IndicesConfig,
    pub groups: Vec<GroupConfig>,
    pub trade: Tree,
    pub population: Option<FileDigest>,
}

impl IndicesInput {
    pub fn new(cfg: &Config) -> Result<IndicesInput, InputError> {
        let population = cfg
            .indices
            .complexity
            .population_file()
            .map(FileDigest::read)
            .transpose()?;
        Ok(IndicesInput {
            output_dir: cfg.output_dir.clone(),
            years: cfg.years,
            indices: cfg.indices.clone(),
            groups: cfg.groups.clone(),
            trade: Tree::read(&trade_dir(&cfg.output_dir))?,
            population,
        })
    }

    /// The years the stage computes: those with a partition of the canonical table within
    /// `[run] years`, ascending (empty when none has).
    pub fn trade_years(&self) -> std::io::Result<Vec<i32>> {
        Ok(tradepipe_model::schema::partition_years(self.trade.root())?
            .into_iter()
            .filter(|y| self.years.contains(*y))
            .collect())
    }

    /// The embedded groups and the `[[group]]`s.
    pub fn country_groups(&self) -> tradepipe_model::groups::Groups {
        tradepipe_model::groups::Groups::with(&self.groups)
    }

    pub fn index_base_year(&self) -> i32 {
        self.indices.index_base_year(self.years)
    }

    pub fn deflator(&self) -> Option<tradepipe_model::macro_series::Deflator> {
        self.indices.deflator(self.years)
    }

    pub fn pairs(&self) -> Vec<(String, String)> {
        self.indices.pairs()
    }
}

/// One report's input: its `[[report]]`, the years, the templates and the index tables.
/// Each report has its own, so editing one report reruns that report only.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInput {
    #[serde(skip)]
    pub output_dir: PathBuf,
    pub years: YearRange,
    pub report: ReportConfig,
    pub templates: Tree,
    pub indices: Tree,
}

impl ReportInput {
    /// The input of every configured report (the shared directories hashed once).
    pub fn all(cfg: &Config) -> Result<Vec<ReportInput>, InputError> {
        if cfg.reports.is_empty() {
            return Ok(Vec::new());
        }
        let templates = Tree::read(&cfg.templates_dir)?;
        let indices = Tree::read(&indices_dir(&cfg.output_dir))?;
        Ok(cfg
            .reports
            .iter()
            .map(|report| ReportInput {
                output_dir: cfg.output_dir.clone(),
                years: cfg.years,
                report: report.clone(),
                templates: templates.clone(),
                indices: indices.clone(),
            })
            .collect())
    }
}
