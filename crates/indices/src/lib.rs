//! Index engine: country-total trade indices for every configured pair and year.
//!
//! * Reads: its [`IndicesInput`] only: `output/parquet/trade/year=YYYY/` (the canonical table)
//!   for the configured years, `output/parquet/trade/_provenance.json`, `[indices]`, the
//!   `[[group]]`s and the population file.
//! * Writes: `output/parquet/indices/bilateral/year=YYYY/part-0.parquet` (one row per ordered
//!   pair of configured countries: levels, balance, shares, rank, HM in three variants, TII,
//!   mirror values), `output/parquet/indices/growth/year=YYYY/part-0.parquet` (YoY),
//!   `output/parquet/indices/cagr/part-0.parquet` and `output/parquet/indices/_meta.json`
//!   (variant, world choice, years, pairs, and the trade table's provenance).
//! * Invariants: years are computed in parallel (rayon), each from its own partition only, and
//!   every sum runs over countries in code order, so the bytes written do not depend on the
//!   number of threads. A missing flow gives a missing index, never zero.
//!
//! The hot path: a partition is read as integer codes (`tradepipe_parquet::coded`: the
//! Parquet dictionary keys, no string per row), each code's facts (economy, configured,
//! section) are looked up once, and product rows are summed into dense per-country arrays
//! ([`product_acc`]). At most one year per worker thread is in memory: a year's task writes
//! its product tables before it ends.

pub mod bilateral;
pub mod breakdown;
pub mod complexity;
pub mod complexity_table;
pub mod concentration;
pub mod country;
/// The formulas moved to `tradepipe_model`; kept here under their old path.
pub use tradepipe_model::formulas;
pub mod group;
pub mod growth;
mod output;
pub mod product;
pub mod product_acc;
pub mod revisions;
pub mod structure;
pub mod year_data;

pub use bilateral::BilateralRow;
pub use breakdown::ContributionRow;
pub use complexity_table::{ComplexityCell, ComplexityCountryRow};
pub use concentration::ConcentrationRow;
pub use country::CountryRow;
pub use group::GroupRow;
pub use growth::{CagrRow, GrowthRow};
pub use product::ProductRow;
pub use structure::{PairStructureRow, ProductPairRow};

use std::path::{Path, PathBuf};

use polars::prelude::{DataFrame, PolarsResult};
use rayon::prelude::*;
use tradepipe_contract::IndicesInput;
use tradepipe_model::Registry;
use tradepipe_model::schema::PART_FILE;
pub use tradepipe_tables::{ComplexityMeta, IndexTables, IndicesMeta, TablesError, read_tables};

use crate::year_data::YearData;

#[derive(Debug, thiserror::Error)]
pub enum IndicesError {
    #[error("no trade data for years {from}-{to} under {root}; run `tradepipe normalize` first")]
    NoInput { root: PathBuf, from: i32, to: i32 },
    #[error("unexpected table layout in {path}: {message}")]
    Schema { path: String, message: String },
    #[error("cannot read {path}: {message}")]
    Meta { path: PathBuf, message: String },
    /// Product rows of one level in more than one classification (see [`revisions`]).
    #[error("{0}")]
    MixedRevisions(revisions::Mixed),
    #[error(transparent)]
    Parquet(#[from] tradepipe_parquet::ParquetError),
    #[error(transparent)]
    Write(#[from] tradepipe_model::fsio::WriteError),
}

pub use tradepipe_contract::paths::indices_dir;

/// What one year's computation produced that the run keeps to the end (for growth, CAGR and
/// contributions across years).
struct YearOut {
    bilateral: Vec<BilateralRow>,
    concentration: Vec<ConcentrationRow>,
    group: Vec<GroupRow>,
    breakdowns: Vec<year_data::Breakdown>,
    /// Whether the year had product rows (and so product tables were written).
    products: bool,
    /// Product-level tables of the configured pairs, small: written with the country tables.
    pair_structure: Vec<PairStructureRow>,
    product_pair: Vec<ProductPairRow>,
    /// ECI by country and what each complexity universe came to (empty without products).
    complexity_country: Vec<ComplexityCountryRow>,
    complexity_notes: Vec<complexity_table::UniverseNote>,
}

/// What an index run produced.
#[derive(Debug, Clone)]
pub struct IndicesSummary {
    pub years: Vec<i32>,
    pub bilateral_rows: usize,
}

/// How many years run at once on `threads` worker threads. A year is one coarse task, so
/// `years` on `threads` end in a round of `years % threads` tasks with cores left idle
/// (five years on two cores: the fifth runs alone). One more worker than threads then lets
/// the kernel share the cores among the years of the last two rounds. Measured at 10M rows
/// on two cores, five years: 5-11 % less wall time (medians of interleaved runs), 20 % more
/// peak memory; four years on three workers instead of two: 10 % slower, hence only when the
/// rounds do not come out even.
fn year_workers(years: usize, threads: usize) -> usize {
    if threads > 1 && years > threads && !years.is_multiple_of(threads) {
        threads + 1
    } else {
        threads
    }
}

/// Computes and writes every index table.
pub fn run(cfg: &IndicesInput) -> Result<IndicesSummary, IndicesError> {
    let trade = cfg.trade.root().to_path_buf();
    let years = cfg.trade_years().map_err(|e| IndicesError::Meta {
        path: trade.clone(),
        message: e.to_string(),
    })?;
    if years.is_empty() {
        return Err(IndicesError::NoInput {
            root: trade,
            from: cfg.years.from,
            to: cfg.years.to,
        });
    }
    let registry = Registry::embedded();
    let groups = cfg.country_groups();
    let pairs = cfg.pairs();
    let (variant, world) = (cfg.indices.hm_variant, cfg.indices.world);
    let complexity_cfg = &cfg.indices.complexity;
    let deflator = cfg.deflator();
    let population = complexity_cfg
        .population
        .as_deref()
        .filter(|_| complexity_cfg.enabled)
        .map(|path| complexity_table::Population::load(path, &registry))
        .transpose()
        .map_err(|e| IndicesError::Meta {
            path: e.path,
            message: e.message,
        })?;

    let root = indices_dir(&cfg.output_dir);
    let schema_err = |path: &Path, e: polars::error::PolarsError| IndicesError::Schema {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let write = |table: &str, year: i32, frame: PolarsResult<DataFrame>| {
        let dir = root.join(table);
        let mut df = frame.map_err(|e| schema_err(&dir, e))?;
        tradepipe_parquet::write_partition(&dir, year, &mut df).map_err(IndicesError::from)
    };
    let started = std::time::Instant::now();
    // Years in parallel, each task reading its own partition and writing its product table
    // (the large one) before it ends, so at most one year per worker is in memory. The
    // product table's columns are encoded on threads of their own, which take the core a
    // worker leaves idle when no year is left for it. Nothing in a task calls into polars,
    // whose pool a worker would wait on by taking another year.
    let year_task = |year: i32| -> Result<YearOut, IndicesError> {
        let t0 = std::time::Instant::now();
        let coded = year_data::read_year(&trade, year)?;
        let read_ms = t0.elapsed().as_millis();
        let mut d = YearData::from_coded(&trade, year, coded, &registry, &cfg.indices.countries)?;
        let bilateral = pairs
            .iter()
            .map(|(i, j)| {
                let mut row = bilateral::compute(&d, i, j, variant, world);
                if let Some(deflator) = &deflator {
                    row.deflate(deflator);
                }
                row
            })
            .collect();
        let concentration = cfg
            .indices
            .countries
            .iter()
            .flat_map(|c| concentration::compute(&d, c))
            .collect();
        revisions::check(year, &d.product_exports).map_err(IndicesError::MixedRevisions)?;
        let mut product = product::ProductTable::rca(year, &d.product_exports);
        product.add_market_penetration(std::mem::take(&mut d.product_partners), &d.product_imports);
        product.add_quantities(
            std::mem::take(&mut d.product_quantities),
            std::mem::take(&mut d.product_quantity_units),
        );
        let (pair_structure, product_pair) = structure::compute(&d, &pairs);
        let group = group::compute(&d, &cfg.indices.countries, &groups, &cfg.indices.groups, world);
        let products = !product.is_empty();
        let complexity = (products && complexity_cfg.enabled)
            .then(|| {
                complexity_table::compute_year(year, &d.product_exports, complexity_cfg, population.as_ref())
            })
            .transpose()
            .map_err(|e| IndicesError::Schema {
                path: root.join("complexity").display().to_string(),
                message: e.to_string(),
            })?;
        let real_factor = deflator.as_ref().and_then(|d| d.factor(year));
        let product_batch =
            output::product_batch(&product, real_factor).map_err(|e| IndicesError::Schema {
                path: root.join("product").display().to_string(),
                message: e.to_string(),
            })?;
        drop(product);
        // The year's matrices are not needed past this point: freed before the write.
        let breakdowns = std::mem::take(&mut d.breakdowns);
        drop(d);
        let compute_ms = t0.elapsed().as_millis();
        if products {
            tradepipe_parquet::batch::write_partition(
                &root.join("product"),
                year,
                &product_batch,
                output::PRODUCT_RAW,
            )?;
        }
        let (complexity_country, complexity_notes) = match complexity {
            Some(c) => {
                tradepipe_parquet::batch::write_partition(&root.join("complexity"), year, &c.cells, &[])?;
                if let Some(pairs) = &c.proximity {
                    tradepipe_parquet::batch::write_partition(&root.join("proximity"), year, pairs, &[])?;
                }
                (c.countries, c.notes)
            }
            None => Default::default(),
        };
        tracing::debug!(
            year,
            read_ms,
            compute_ms,
            total_ms = t0.elapsed().as_millis(),
            "year computed and its product table written"
        );
        Ok(YearOut {
            bilateral,
            concentration,
            group,
            breakdowns,
            products,
            pair_structure,
            product_pair,
            complexity_country,
            complexity_notes,
        })
    };
    let workers = year_workers(years.len(), rayon::current_num_threads());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("year-{i}"))
        .build()
        .map_err(|e| IndicesError::Meta {
            path: trade.clone(),
            message: format!("cannot start {workers} worker threads: {e}"),
        })?;
    // A year's own small tables (bilateral, concentration, group and, with products, the
    // pair tables) are written on a plain thread while the other years compute, not in turn
    // after them: 25 files and their fsyncs off the end of the stage at 10M rows. Plain
    // threads, for the reason above: polars encodes on its own pool.
    let write = &write;
    let computed = std::thread::scope(|s| -> Result<Vec<YearOut>, IndicesError> {
        let years_out = pool.install(|| {
            years
                .par_iter()
                .map(|&year| {
                    let out = year_task(year)?;
                    let countries = country::compute(year, &cfg.indices.countries, &out.bilateral);
                    let mut tables = vec![
                        ("bilateral", output::bilateral_frame(&out.bilateral)),
                        ("country", output::country_frame(&countries)),
                        ("concentration", output::concentration_frame(&out.concentration)),
                        ("group", output::group_frame(&out.group)),
                    ];
                    if out.products {
                        tables.push((
                            "pair_structure",
                            output::pair_structure_frame(&out.pair_structure),
                        ));
                        tables.push(("product_pair", output::product_pair_frame(&out.product_pair)));
                        if complexity_cfg.enabled {
                            tables.push((
                                "complexity_country",
                                output::complexity_country_frame(&out.complexity_country),
                            ));
                        }
                    }
                    let writing = s.spawn(move || -> Result<(), IndicesError> {
                        for (table, frame) in tables {
                            write(table, year, frame)?;
                        }
                        Ok(())
                    });
                    Ok((out, writing))
                })
                .collect::<Result<Vec<_>, IndicesError>>()
        })?;
        years_out
            .into_iter()
            .map(|(out, writing)| {
                writing.join().expect("a table writer does not panic")?;
                Ok(out)
            })
            .collect()
    })?;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "years computed and product tables written"
    );

    let breakdowns: Vec<(i32, &[year_data::Breakdown])> = years
        .iter()
        .zip(&computed)
        .map(|(y, c)| (*y, c.breakdowns.as_slice()))
        .collect();
    let contribution_rows = breakdown::compute(&breakdowns);
    let all: Vec<BilateralRow> = computed
        .iter()
        .flat_map(|c| c.bilateral.iter().cloned())
        .collect();
    let growth_rows = growth::growth(&all, cfg.index_base_year());
    let mut product_years = Vec::new();
    for (&year, c) in years.iter().zip(&computed) {
        let rows: Vec<GrowthRow> = growth_rows.iter().filter(|g| g.year == year).cloned().collect();
        write("growth", year, output::growth_frame(&rows))?;
        let rows: Vec<ContributionRow> = contribution_rows
            .iter()
            .filter(|g| g.year == year)
            .cloned()
            .collect();
        write("contribution", year, output::contribution_frame(&rows))?;
        if c.products {
            product_years.push(year);
        }
    }
    let cagr_path = root.join("cagr").join(PART_FILE);
    let mut df = output::cagr_frame(&growth::cagr_rows(&all, &cfg.indices.cagr_windows))
        .map_err(|e| schema_err(&cagr_path, e))?;
    tradepipe_parquet::write(&cagr_path, &mut df)?;
    for table in [
        "bilateral",
        "country",
        "growth",
        "concentration",
        "contribution",
        "group",
    ] {
        tradepipe_parquet::remove_stale_partitions(&root.join(table), &years)?;
    }
    for table in ["product", "pair_structure", "product_pair"] {
        tradepipe_parquet::remove_stale_partitions(&root.join(table), &product_years)?;
    }
    // Complexity partitions exist for the product years while it is enabled, else none.
    let complexity_years: &[i32] = if complexity_cfg.enabled {
        &product_years
    } else {
        &[]
    };
    for table in ["complexity", "complexity_country"] {
        tradepipe_parquet::remove_stale_partitions(&root.join(table), complexity_years)?;
    }
    let proximity_years = if complexity_cfg.proximity_table {
        complexity_years
    } else {
        &[]
    };
    tradepipe_parquet::remove_stale_partitions(&root.join("proximity"), proximity_years)?;
    let complexity = (complexity_cfg.enabled && !product_years.is_empty()).then(|| ComplexityMeta {
        options: complexity_cfg.clone(),
        universes: computed
            .iter()
            .flat_map(|c| c.complexity_notes.iter().cloned())
            .collect(),
    });

    let prov_path = trade.join("_provenance.json");
    let trade_provenance = fs_err::read_to_string(&prov_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|message| IndicesError::Meta {
            path: prov_path,
            message,
        })?;
    let meta = IndicesMeta {
        hm_variant: variant.as_str().into(),
        world: world.as_str().into(),
        years: years.clone(),
        index_base_year: cfg.index_base_year(),
        product_years,
        countries: cfg.indices.countries.clone(),
        trade_provenance,
        deflator,
        complexity,
    };
    let mut json = serde_json::to_vec_pretty(&meta).expect("meta serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&root.join("_meta.json"), &json)?;
    tracing::debug!(ms = started.elapsed().as_millis(), "index tables written");
    Ok(IndicesSummary {
        years,
        bilateral_rows: all.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_get_a_spare_worker_only_when_rounds_are_uneven() {
        assert_eq!(year_workers(5, 2), 3);
        assert_eq!(year_workers(3, 2), 3);
        assert_eq!(year_workers(4, 2), 2);
        assert_eq!(year_workers(12, 2), 2);
        assert_eq!(year_workers(2, 2), 2);
        assert_eq!(year_workers(1, 2), 2);
        assert_eq!(year_workers(5, 1), 1, "one thread asked for stays one");
    }
}
