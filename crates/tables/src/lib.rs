//! The index tables as an on-disk contract: their rows ([`rows`]), `_meta.json`
//! ([`IndicesMeta`]) and the reader of the whole set ([`read_tables`]). The index stage writes
//! them; the reports and `reproduce` read them through this crate, never through the index
//! engine.
//!
//! * Reads: `output/parquet/indices/` (`_meta.json` and the partitions of every table).
//! * Writes: nothing.
//! * Invariants: a table's columns are its row struct's fields; a column added in a later
//!   version reads as `None` from a table written before it.

pub mod read;
pub mod rows;

pub use rows::*;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tradepipe_contract::Provenance;
use tradepipe_contract::paths::indices_dir;
use tradepipe_model::schema::{PART_FILE, partition_dir};

/// The index tables could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TablesError {
    #[error("unexpected table layout in {path}: {message}")]
    Schema { path: String, message: String },
    #[error("cannot read {path}: {message}")]
    Meta { path: PathBuf, message: String },
    #[error(transparent)]
    Parquet(#[from] tradepipe_parquet::ParquetError),
}

/// `_meta.json` has always written the provenance with its keys in sorted order (it was
/// carried as a JSON value); the typed value keeps that, so the file's bytes do not change.
fn keys_sorted<S: serde::Serializer>(p: &Provenance, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(p)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

/// How the tables were computed: `output/parquet/indices/_meta.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndicesMeta {
    pub hm_variant: String,
    pub world: String,
    pub years: Vec<i32>,
    /// Base year of the growth table's index numbers.
    #[serde(default)]
    pub index_base_year: i32,
    /// Years with product-level data, which have a `product` partition.
    #[serde(default)]
    pub product_years: Vec<i32>,
    pub countries: Vec<String>,
    /// `output/parquet/trade/_provenance.json` as the normalize stage wrote it.
    #[serde(serialize_with = "keys_sorted")]
    pub trade_provenance: Provenance,
    /// The price index of the `*_real` columns (series, base year, the index by year), where
    /// `[indices] deflator` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflator: Option<tradepipe_model::macro_series::Deflator>,
    /// How the complexity tables were computed, where they were (years with product data
    /// and `[indices.complexity] enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<ComplexityMeta>,
}

/// The stated choices of the complexity tables and what each universe came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexityMeta {
    pub options: tradepipe_model::config::ComplexityConfig,
    pub universes: Vec<UniverseNote>,
}

/// Everything the index stage wrote, read back.
#[derive(Debug, Clone, Default)]
pub struct IndexTables {
    pub meta: IndicesMeta,
    pub bilateral: Vec<BilateralRow>,
    pub growth: Vec<GrowthRow>,
    pub cagr: Vec<CagrRow>,
    pub product: Vec<ProductRow>,
    pub concentration: Vec<ConcentrationRow>,
    pub pair_structure: Vec<PairStructureRow>,
    pub contribution: Vec<ContributionRow>,
    pub group: Vec<GroupRow>,
    /// Trade, GDP, population and openness of each configured country.
    pub country: Vec<CountryRow>,
    /// ECI, diversity and COI by country.
    pub complexity_country: Vec<ComplexityCountryRow>,
    /// The configured countries' cells of the `complexity` table (density, PCI, COG of each
    /// product), for the reports.
    pub complexity_cells: Vec<ComplexityCell>,
}

impl IndexTables {
    /// The bilateral row of (i, j) in `year`.
    pub fn bilateral(&self, year: i32, i: &str, j: &str) -> Option<&BilateralRow> {
        self.bilateral
            .iter()
            .find(|r| r.year == year && r.reporter == i && r.partner == j)
    }

    /// The group row of (reporter, group) in `year`.
    pub fn group_row(&self, year: i32, reporter: &str, group: &str) -> Option<&GroupRow> {
        self.group
            .iter()
            .find(|r| r.year == year && r.reporter == reporter && r.group == group)
    }

    /// The groups with rows for `reporter`, in the order of `[indices] groups`.
    pub fn groups_of(&self, reporter: &str) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for r in self.group.iter().filter(|r| r.reporter == reporter) {
            if !names.contains(&r.group.as_str()) {
                names.push(&r.group);
            }
        }
        names
    }
}

/// Reads back every table the index stage wrote under `output_dir`.
pub fn read_tables(output_dir: &Path) -> Result<IndexTables, TablesError> {
    let root = indices_dir(output_dir);
    let meta_path = root.join("_meta.json");
    let meta: IndicesMeta = fs_err::read_to_string(&meta_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|message| TablesError::Meta {
            path: meta_path.clone(),
            message: format!("{message}; run `tradepipe indices` first"),
        })?;
    // One table's partition of a year (all columns, or the named ones) as rows.
    let rows = |table: &str, year: i32, columns: Option<&[&str]>| {
        let dir = root.join(table);
        let df = tradepipe_parquet::read_partition(&dir, year, columns)?;
        Ok::<_, TablesError>((df, partition_dir(&dir, year)))
    };
    let mut bilateral = Vec::new();
    let mut growth = Vec::new();
    let mut concentration = Vec::new();
    let mut contribution = Vec::new();
    let mut group = Vec::new();
    let mut country = Vec::new();
    for &year in &meta.years {
        // Tables from before the country table existed have none: read as empty.
        if partition_dir(&root.join("country"), year).exists() {
            let (df, path) = rows("country", year, None)?;
            country.extend(read::country_rows(&df, &path, year)?);
        }
        let (df, path) = rows("bilateral", year, None)?;
        bilateral.extend(read::bilateral_rows(&df, &path, year)?);
        let (df, path) = rows("growth", year, None)?;
        growth.extend(read::growth_rows(&df, &path, year)?);
        let (df, path) = rows("concentration", year, None)?;
        concentration.extend(read::concentration_rows(&df, &path, year)?);
        let (df, path) = rows("contribution", year, None)?;
        contribution.extend(read::contribution_rows(&df, &path, year)?);
        let (df, path) = rows("group", year, None)?;
        group.extend(read::group_rows(&df, &path, year)?);
    }
    let mut product = Vec::new();
    let mut pair_structure = Vec::new();
    let mut complexity_country = Vec::new();
    let mut complexity_cells = Vec::new();
    for &year in &meta.product_years {
        if meta.complexity.is_some() {
            let (df, path) = rows("complexity_country", year, None)?;
            complexity_country.extend(read::complexity_country_rows(&df, &path, year)?);
            let (df, path) = rows("complexity", year, Some(read::COMPLEXITY_CELL_COLUMNS))?;
            complexity_cells.extend(read::complexity_cells(&df, &path, year, &meta.countries)?);
        }
        let (df, path) = rows("product", year, None)?;
        product.extend(read::product_rows(&df, &path, year)?);
        let (df, path) = rows("pair_structure", year, None)?;
        pair_structure.extend(read::pair_structure_rows(&df, &path, year)?);
    }
    let cagr_path = root.join("cagr").join(PART_FILE);
    let cagr = read::cagr_rows(&tradepipe_parquet::read(&cagr_path, None)?, &cagr_path)?;
    Ok(IndexTables {
        meta,
        bilateral,
        growth,
        cagr,
        product,
        concentration,
        pair_structure,
        contribution,
        group,
        country,
        complexity_country,
        complexity_cells,
    })
}
