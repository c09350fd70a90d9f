//! Index tables as Parquet: frames from rows, rows from frames.
//!
//! Per-year tables are Hive-partitioned like the canonical table (`year` in the directory
//! name only). Column names are the field names of the row structs.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::ArrowError;
use polars::prelude::*;
use tradepipe_model::products::level_of;

use crate::IndicesError;
use crate::bilateral::BilateralRow;
use crate::breakdown::ContributionRow;
use crate::complexity_table::{ComplexityCell, ComplexityCountryRow};
use crate::concentration::ConcentrationRow;
use crate::country::CountryRow;
use crate::group::GroupRow;
use crate::growth::{CagrRow, GrowthRow};
use crate::product::{ProductRow, ProductTable};
use crate::structure::{PairStructureRow, ProductPairRow};

fn f64s<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<f64>) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
}
fn u32s<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<u32>) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
}
fn strs<T>(name: &str, rows: &[T], f: impl Fn(&T) -> &str) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
}

pub(crate) fn bilateral_frame(rows: &[BilateralRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("partner", rows, |r| &r.partner),
            f64s("exports", rows, |r| r.exports),
            f64s("imports", rows, |r| r.imports),
            f64s("total_trade", rows, |r| r.total_trade),
            f64s("balance", rows, |r| r.balance),
            f64s("tsc", rows, |r| r.tsc),
            f64s("export_share", rows, |r| r.export_share),
            f64s("import_share", rows, |r| r.import_share),
            f64s("trade_share", rows, |r| r.trade_share),
            Column::new(
                "rank_total".into(),
                rows.iter().map(|r| r.rank_total).collect::<Vec<_>>(),
            ),
            f64s("hm", rows, |r| r.hm),
            strs("hm_variant", rows, |r| &r.hm_variant),
            strs("hm_sources", rows, |r| &r.hm_sources),
            f64s("hm_baldwin", rows, |r| r.hm_baldwin),
            f64s("hm_mirror", rows, |r| r.hm_mirror),
            f64s("hm_as_printed", rows, |r| r.hm_as_printed),
            f64s("tii", rows, |r| r.tii),
            f64s("tii_imports", rows, |r| r.tii_imports),
            f64s("mirror_exports", rows, |r| r.mirror_exports),
            f64s("mirror_imports", rows, |r| r.mirror_imports),
            f64s("mirror_ratio", rows, |r| r.mirror_ratio),
            f64s("mirror_gap", rows, |r| r.mirror_gap),
            f64s("mirror_discrepancy", rows, |r| r.mirror_discrepancy),
            f64s("reporter_world_exports", rows, |r| r.reporter_world_exports),
            f64s("reporter_world_imports", rows, |r| r.reporter_world_imports),
            f64s("partner_world_imports", rows, |r| r.partner_world_imports),
            strs("world", rows, |r| &r.world),
            Column::new(
                "reporter_estimated".into(),
                rows.iter().map(|r| r.reporter_estimated).collect::<Vec<_>>(),
            ),
            Column::new(
                "partner_estimated".into(),
                rows.iter().map(|r| r.partner_estimated).collect::<Vec<_>>(),
            ),
            Column::new(
                "reporter_mirror_derived".into(),
                rows.iter().map(|r| r.reporter_mirror_derived).collect::<Vec<_>>(),
            ),
            f64s("exports_real", rows, |r| r.exports_real),
            f64s("imports_real", rows, |r| r.imports_real),
            f64s("total_trade_real", rows, |r| r.total_trade_real),
            f64s("balance_real", rows, |r| r.balance_real),
        ],
    )
}

pub(crate) fn growth_frame(rows: &[GrowthRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("partner", rows, |r| &r.partner),
            f64s("exports_yoy", rows, |r| r.exports_yoy),
            f64s("imports_yoy", rows, |r| r.imports_yoy),
            f64s("total_trade_yoy", rows, |r| r.total_trade_yoy),
            f64s("balance_change", rows, |r| r.balance_change),
            f64s("balance_contribution", rows, |r| r.balance_contribution),
            f64s("total_trade_growth_contribution", rows, |r| {
                r.total_trade_growth_contribution
            }),
            f64s("exports_index", rows, |r| r.exports_index),
            f64s("imports_index", rows, |r| r.imports_index),
            f64s("total_trade_index", rows, |r| r.total_trade_index),
            Column::new(
                "index_base".into(),
                rows.iter().map(|r| r.index_base).collect::<Vec<_>>(),
            ),
            f64s("exports_real_yoy", rows, |r| r.exports_real_yoy),
            f64s("imports_real_yoy", rows, |r| r.imports_real_yoy),
            f64s("total_trade_real_yoy", rows, |r| r.total_trade_real_yoy),
            f64s("total_trade_real_index", rows, |r| r.total_trade_real_index),
        ],
    )
}

pub(crate) fn cagr_frame(rows: &[CagrRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("partner", rows, |r| &r.partner),
            Column::new("from".into(), rows.iter().map(|r| r.from).collect::<Vec<_>>()),
            Column::new("to".into(), rows.iter().map(|r| r.to).collect::<Vec<_>>()),
            f64s("exports_cagr", rows, |r| r.exports_cagr),
            f64s("imports_cagr", rows, |r| r.imports_cagr),
            f64s("total_trade_cagr", rows, |r| r.total_trade_cagr),
            f64s("exports_real_cagr", rows, |r| r.exports_real_cagr),
            f64s("imports_real_cagr", rows, |r| r.imports_real_cagr),
            f64s("total_trade_real_cagr", rows, |r| r.total_trade_real_cagr),
        ],
    )
}

pub(crate) fn concentration_frame(rows: &[ConcentrationRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("flow", rows, |r| &r.flow),
            strs("over", rows, |r| &r.over),
            u32s("level", rows, |r| r.level.map(u32::from)),
            u32s("count", rows, |r| Some(r.count)),
            f64s("hhi", rows, |r| r.hhi),
            f64s("hhi_normalized", rows, |r| r.hhi_normalized),
        ],
    )
}

pub(crate) fn complexity_country_frame(rows: &[ComplexityCountryRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("classification", rows, |r| &r.classification),
            u32s("level", rows, |r| Some(u32::from(r.level))),
            f64s("exports", rows, |r| Some(r.exports)),
            u32s("diversity", rows, |r| Some(r.diversity)),
            f64s("eci", rows, |r| r.eci),
            u32s("eci_rank", rows, |r| r.eci_rank),
            f64s("coi", rows, |r| r.coi),
            f64s("expy", rows, |r| r.expy),
        ],
    )
}

pub(crate) fn complexity_country_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<ComplexityCountryRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, class, level) = (f.str("reporter")?, f.str("classification")?, f.u32("level")?);
    let (exports, diversity, eci) = (f.f64("exports")?, f.u32("diversity")?, f.f64("eci")?);
    let (rank, coi, expy) = (f.u32("eci_rank")?, f.f64("coi")?, f.f64_or_none("expy")?);
    Ok((0..df.height())
        .map(|k| ComplexityCountryRow {
            year,
            reporter: reporter[k].clone(),
            classification: class[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            exports: exports[k].unwrap_or(0.0),
            diversity: diversity[k].unwrap_or(0),
            eci: eci[k],
            eci_rank: rank[k],
            coi: coi[k],
            expy: expy[k],
        })
        .collect())
}

/// The columns of the `complexity` table the reports read.
pub(crate) const COMPLEXITY_CELL_COLUMNS: &[&str] = &[
    "reporter",
    "classification",
    "product",
    "level",
    "exports",
    "rca",
    "m",
    "density",
    "pci",
    "cog",
];

/// The cells of `countries` in a `complexity` partition.
pub(crate) fn complexity_cells(
    df: &DataFrame,
    path: &Path,
    year: i32,
    countries: &[String],
) -> Result<Vec<ComplexityCell>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, class, product, level) = (
        f.str("reporter")?,
        f.str("classification")?,
        f.str("product")?,
        f.u32("level")?,
    );
    let (exports, rca, m) = (f.f64("exports")?, f.f64("rca")?, f.bool("m")?);
    let (density, pci, cog) = (f.f64("density")?, f.f64("pci")?, f.f64("cog")?);
    Ok((0..df.height())
        .filter(|&k| countries.contains(&reporter[k]))
        .map(|k| ComplexityCell {
            year,
            reporter: reporter[k].clone(),
            classification: class[k].clone(),
            product: product[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            exports: exports[k].unwrap_or(0.0),
            rca: rca[k].unwrap_or(0.0),
            m: m[k],
            density: density[k],
            pci: pci[k],
            cog: cog[k],
        })
        .collect())
}

pub(crate) fn country_frame(rows: &[CountryRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            f64s("exports", rows, |r| r.exports),
            f64s("imports", rows, |r| r.imports),
            f64s("gdp", rows, |r| r.gdp),
            f64s("population", rows, |r| r.population),
            f64s("gdp_per_capita", rows, |r| r.gdp_per_capita),
            f64s("openness", rows, |r| r.openness),
        ],
    )
}

pub(crate) fn country_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<CountryRow>, IndicesError> {
    let f = Frame { df, path };
    let reporter = f.str("reporter")?;
    let (x, m, gdp) = (f.f64("exports")?, f.f64("imports")?, f.f64("gdp")?);
    let (pop, pc, open) = (f.f64("population")?, f.f64("gdp_per_capita")?, f.f64("openness")?);
    Ok((0..df.height())
        .map(|k| CountryRow {
            year,
            reporter: reporter[k].clone(),
            exports: x[k],
            imports: m[k],
            gdp: gdp[k],
            population: pop[k],
            gdp_per_capita: pc[k],
            openness: open[k],
        })
        .collect())
}

pub(crate) fn concentration_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<ConcentrationRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, flow, count) = (f.str("reporter")?, f.str("flow")?, f.u32("count")?);
    let (over, level) = (f.str("over")?, f.u32("level")?);
    let (h, z) = (f.f64("hhi")?, f.f64("hhi_normalized")?);
    Ok((0..df.height())
        .map(|k| ConcentrationRow {
            year,
            reporter: reporter[k].clone(),
            flow: flow[k].clone(),
            over: over[k].clone(),
            level: level[k].map(|l| l as u8),
            count: count[k].unwrap_or(0),
            hhi: h[k],
            hhi_normalized: z[k],
        })
        .collect())
}

/// Product columns of near-random doubles, stored uncompressed: zstd shrinks them by 5-10 %
/// (measured on BACI-shaped data) for a tenth of the stage's CPU time. Partner counts and
/// market penetration, ratios of small counts, repeat: they are dictionary columns.
pub(crate) const PRODUCT_RAW: &[&str] = &["exports", "exports_real", "rca", "rca_sym"];

/// The product table as a record batch, built straight from its cells (no row structs: a BACI
/// year has a million of them). Reporter, classification and product are dictionary columns
/// keyed by the matrix's indices, so no string is built per row.
/// `real_factor` turns a dollar of the year into constant dollars (`100 / index`), where a
/// deflator is set: the `exports_real` column, else null.
pub(crate) fn product_batch(
    t: &ProductTable<'_>,
    real_factor: Option<f64>,
) -> Result<RecordBatch, ArrowError> {
    let e = t.exports;
    let cells = &e.cells;
    let dictionary = |keys: Vec<u32>, values: Vec<&str>| -> ArrayRef {
        Arc::new(DictionaryArray::<UInt32Type>::new(
            UInt32Array::from(keys),
            Arc::new(StringArray::from(values)),
        ))
    };
    // Classifications and levels are few; each product has one of each.
    let (class_of, classes) = distinct(e.products.iter().map(|(c, _)| c.as_str()));
    let (level_of_product, levels) = distinct(e.products.iter().map(|(_, k)| u32::from(level_of(k))));
    let f64s = |v: &[Option<f64>]| -> ArrayRef { Arc::new(v.iter().copied().collect::<Float64Array>()) };
    let n = 0..t.len();
    RecordBatch::try_from_iter([
        (
            "reporter",
            dictionary(
                cells.iter().map(|c| c.0).collect(),
                e.reporters.iter().map(String::as_str).collect(),
            ),
        ),
        (
            "classification",
            dictionary(cells.iter().map(|c| class_of[c.1 as usize]).collect(), classes),
        ),
        (
            "product",
            dictionary(
                cells.iter().map(|c| c.1).collect(),
                e.products.iter().map(|(_, k)| k.as_str()).collect(),
            ),
        ),
        (
            "level",
            Arc::new(DictionaryArray::<UInt32Type>::new(
                cells.iter().map(|c| level_of_product[c.1 as usize]).collect(),
                Arc::new(UInt32Array::from(levels)),
            )) as ArrayRef,
        ),
        (
            "exports",
            Arc::new(Float64Array::from_iter_values(n.clone().map(|i| t.value(i)))),
        ),
        (
            "exports_real",
            match real_factor {
                Some(f) => {
                    Arc::new(Float64Array::from_iter_values(n.clone().map(|i| t.value(i) * f))) as ArrayRef
                }
                None => Arc::new(Float64Array::new_null(t.len())) as ArrayRef,
            },
        ),
        ("rca", f64s(&t.rca)),
        (
            "rca_sym",
            Arc::new(n.map(|i| t.rca_sym(i)).collect::<Float64Array>()),
        ),
        ("partners", partners_column(t)),
        ("market_penetration", penetration_column(t)),
        ("product_name", names_column(t)),
        (
            "quantity",
            Arc::new(
                n_all(t)
                    .map(|i| t.quantity(i).map(|q| q.0))
                    .collect::<Float64Array>(),
            ) as ArrayRef,
        ),
        ("quantity_unit", units_column(t)),
        (
            "unit_value",
            Arc::new(n_all(t).map(|i| t.unit_value(i)).collect::<Float64Array>()) as ArrayRef,
        ),
    ])
}

fn n_all(t: &ProductTable<'_>) -> std::ops::Range<usize> {
    0..t.len()
}

/// The unit of each cell's quantity as a dictionary column over the units; null where the
/// cell has no quantity.
fn units_column(t: &ProductTable<'_>) -> ArrayRef {
    let keys: UInt32Array = n_all(t)
        .map(|i| t.quantities.get(i).copied().flatten().map(|(_, u)| u))
        .collect();
    let values = StringArray::from_iter_values(t.units.iter().map(String::as_str));
    Arc::new(DictionaryArray::<UInt32Type>::new(keys, Arc::new(values)))
}

/// The HS 6-digit description of each cell's product (`tradepipe_model::product_names`) as a
/// dictionary column keyed by the product's index; null where the edition's list has none.
fn names_column(t: &ProductTable<'_>) -> ArrayRef {
    let names: Vec<Option<&str>> = t
        .exports
        .products
        .iter()
        .map(|(class, code)| tradepipe_model::product_names::product_name(class, code))
        .collect();
    let keys: UInt32Array = t
        .exports
        .cells
        .iter()
        .map(|c| names[c.1 as usize].map(|_| c.1))
        .collect();
    let values = StringArray::from_iter_values(names.iter().map(|n| n.unwrap_or("")));
    Arc::new(DictionaryArray::<UInt32Type>::new(keys, Arc::new(values)))
}

/// Partner counts as a dictionary column whose entries are `0..=max`: a count is its own key.
fn partners_column(t: &ProductTable<'_>) -> ArrayRef {
    let max = t.max_partner_count().unwrap_or(0);
    Arc::new(DictionaryArray::<UInt32Type>::new(
        (0..t.len()).map(|n| t.partner_count(n)).collect::<UInt32Array>(),
        Arc::new(UInt32Array::from_iter_values(0..=max)),
    ))
}

/// Most (partners, importers) pairs a market-penetration dictionary is built over; past it
/// (hundreds of thousands of countries) the column is written as plain doubles.
const PENETRATION_PAIRS: usize = 1 << 22;

/// Market penetration as a dictionary column: a ratio of two counts below the number of
/// countries takes few distinct values (a few thousand on BACI), so each (partners,
/// importers) pair that occurs is given the id of its ratio among the distinct ratios,
/// in ascending order. The values are [`crate::formulas::market_penetration`]'s own.
fn penetration_column(t: &ProductTable<'_>) -> ArrayRef {
    let max_c = t.max_partner_count().map_or(0, |c| c as usize);
    let max_m = t.importers.iter().max().map_or(0, |&m| m as usize);
    let width = max_m + 1;
    let Some(pairs) = (max_c + 1).checked_mul(width).filter(|&n| n <= PENETRATION_PAIRS) else {
        let values: Vec<_> = (0..t.len()).map(|n| t.market_penetration(n)).collect();
        return Arc::new(Float64Array::from(values));
    };
    let pair = |n: usize| -> Option<(usize, f64)> {
        let c = t.partner_count(n)?;
        let m = t.importers[t.exports.cells[n].1 as usize];
        let v = crate::formulas::market_penetration(c, m)?;
        Some((c as usize * width + m as usize, v))
    };
    const UNUSED: u32 = u32::MAX;
    let mut id = vec![UNUSED; pairs];
    let mut used = Vec::new();
    for (slot, v) in (0..t.len()).filter_map(pair) {
        if id[slot] == UNUSED {
            id[slot] = 0;
            used.push((v, slot));
        }
    }
    // Ratios are finite and non-negative, so `total_cmp` orders them as numbers; equal
    // ratios of different pairs (1/2, 2/4) share one entry.
    used.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut values: Vec<f64> = Vec::with_capacity(used.len());
    for (v, slot) in used {
        if values.last() != Some(&v) {
            values.push(v);
        }
        id[slot] = (values.len() - 1) as u32;
    }
    let keys: UInt32Array = (0..t.len()).map(|n| pair(n).map(|(slot, _)| id[slot])).collect();
    Arc::new(DictionaryArray::<UInt32Type>::new(
        keys,
        Arc::new(Float64Array::from(values)),
    ))
}

/// Each item's index among the distinct items (sorted), and those items.
fn distinct<T: Ord + Copy>(items: impl Iterator<Item = T> + Clone) -> (Vec<u32>, Vec<T>) {
    let mut values: Vec<T> = items.clone().collect();
    values.sort_unstable();
    values.dedup();
    let keys = items
        .map(|v| values.binary_search(&v).expect("listed") as u32)
        .collect();
    (keys, values)
}

pub(crate) fn product_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<ProductRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, class, product, level) = (
        f.str("reporter")?,
        f.str("classification")?,
        f.str("product")?,
        f.u32("level")?,
    );
    let (x, rca, sym) = (f.f64("exports")?, f.f64("rca")?, f.f64("rca_sym")?);
    let x_real = f.f64_or_none("exports_real")?;
    let names = f.str_or_none("product_name")?;
    let (partners, emp) = (f.u32("partners")?, f.f64("market_penetration")?);
    let (quantity, unit, unit_value) = (
        f.f64_or_none("quantity")?,
        f.str_or_none("quantity_unit")?,
        f.f64_or_none("unit_value")?,
    );
    Ok((0..df.height())
        .map(|k| ProductRow {
            year,
            reporter: reporter[k].clone(),
            classification: class[k].clone(),
            product: product[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            exports: x[k].unwrap_or(0.0),
            exports_real: x_real[k],
            product_name: names[k].clone(),
            rca: rca[k],
            rca_sym: sym[k],
            partners: partners[k],
            market_penetration: emp[k],
            quantity: quantity[k],
            quantity_unit: unit[k].clone(),
            unit_value: unit_value[k],
        })
        .collect())
}

/// Typed access to a frame read back from disk, naming the file on a schema mismatch.
struct Frame<'a> {
    df: &'a DataFrame,
    path: &'a Path,
}

impl Frame<'_> {
    fn err(&self, e: PolarsError) -> IndicesError {
        IndicesError::Schema {
            path: self.path.display().to_string(),
            message: e.to_string(),
        }
    }
    /// A text column that may be null, or absent from a table of an earlier version.
    fn str_or_none(&self, name: &str) -> Result<Vec<Option<String>>, IndicesError> {
        let Ok(col) = self.df.column(name) else {
            return Ok(vec![None; self.df.height()]);
        };
        let ca = col.str().map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|v| v.map(str::to_owned)).collect())
    }
    /// A column added after the table was first written (the `*_real` twins): all `None`
    /// where a table from an earlier version lacks it.
    fn f64_or_none(&self, name: &str) -> Result<Vec<Option<f64>>, IndicesError> {
        if self.df.column(name).is_err() {
            return Ok(vec![None; self.df.height()]);
        }
        self.f64(name)
    }
    fn f64(&self, name: &str) -> Result<Vec<Option<f64>>, IndicesError> {
        Ok(self
            .df
            .column(name)
            .and_then(|c| c.f64().cloned())
            .map_err(|e| self.err(e))?
            .iter()
            .collect())
    }
    fn str(&self, name: &str) -> Result<Vec<String>, IndicesError> {
        let ca = self
            .df
            .column(name)
            .and_then(|c| c.str().cloned())
            .map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|s| s.unwrap_or_default().to_owned()).collect())
    }
    fn bool(&self, name: &str) -> Result<Vec<bool>, IndicesError> {
        let ca = self
            .df
            .column(name)
            .and_then(|c| c.bool().cloned())
            .map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|b| b.unwrap_or(false)).collect())
    }
    fn u32(&self, name: &str) -> Result<Vec<Option<u32>>, IndicesError> {
        Ok(self
            .df
            .column(name)
            .and_then(|c| c.u32().cloned())
            .map_err(|e| self.err(e))?
            .iter()
            .collect())
    }
    fn i32(&self, name: &str) -> Result<Vec<Option<i32>>, IndicesError> {
        Ok(self
            .df
            .column(name)
            .and_then(|c| c.i32().cloned())
            .map_err(|e| self.err(e))?
            .iter()
            .collect())
    }
}

pub(crate) fn bilateral_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<BilateralRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, partner) = (f.str("reporter")?, f.str("partner")?);
    let (exports, imports, total, balance, tsc) = (
        f.f64("exports")?,
        f.f64("imports")?,
        f.f64("total_trade")?,
        f.f64("balance")?,
        f.f64("tsc")?,
    );
    let (xs, ms, ts, rank) = (
        f.f64("export_share")?,
        f.f64("import_share")?,
        f.f64("trade_share")?,
        f.u32("rank_total")?,
    );
    let (hm, hv, hs) = (f.f64("hm")?, f.str("hm_variant")?, f.str("hm_sources")?);
    let (hb, hmm, hap, tii) = (
        f.f64("hm_baldwin")?,
        f.f64("hm_mirror")?,
        f.f64("hm_as_printed")?,
        f.f64("tii")?,
    );
    let (mx, mm, mr) = (
        f.f64("mirror_exports")?,
        f.f64("mirror_imports")?,
        f.f64("mirror_ratio")?,
    );
    let (rwx, rwm, pwm, world) = (
        f.f64("reporter_world_exports")?,
        f.f64("reporter_world_imports")?,
        f.f64("partner_world_imports")?,
        f.str("world")?,
    );
    let (re, pe) = (f.bool("reporter_estimated")?, f.bool("partner_estimated")?);
    let md = f.bool("reporter_mirror_derived")?;
    let (xr, mr_, tr, br) = (
        f.f64_or_none("exports_real")?,
        f.f64_or_none("imports_real")?,
        f.f64_or_none("total_trade_real")?,
        f.f64_or_none("balance_real")?,
    );
    let (tim, gap, disc) = (
        f.f64("tii_imports")?,
        f.f64("mirror_gap")?,
        f.f64("mirror_discrepancy")?,
    );
    Ok((0..df.height())
        .map(|k| BilateralRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            exports: exports[k],
            imports: imports[k],
            total_trade: total[k],
            balance: balance[k],
            tsc: tsc[k],
            export_share: xs[k],
            import_share: ms[k],
            trade_share: ts[k],
            rank_total: rank[k],
            hm: hm[k],
            hm_variant: hv[k].clone(),
            hm_sources: hs[k].clone(),
            hm_baldwin: hb[k],
            hm_mirror: hmm[k],
            hm_as_printed: hap[k],
            tii: tii[k],
            tii_imports: tim[k],
            mirror_exports: mx[k],
            mirror_imports: mm[k],
            mirror_ratio: mr[k],
            mirror_gap: gap[k],
            mirror_discrepancy: disc[k],
            reporter_world_exports: rwx[k],
            reporter_world_imports: rwm[k],
            partner_world_imports: pwm[k],
            world: world[k].clone(),
            reporter_estimated: re[k],
            partner_estimated: pe[k],
            reporter_mirror_derived: md[k],
            exports_real: xr[k],
            imports_real: mr_[k],
            total_trade_real: tr[k],
            balance_real: br[k],
        })
        .collect())
}

pub(crate) fn growth_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<GrowthRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, partner) = (f.str("reporter")?, f.str("partner")?);
    let (x, m, t, b) = (
        f.f64("exports_yoy")?,
        f.f64("imports_yoy")?,
        f.f64("total_trade_yoy")?,
        f.f64("balance_change")?,
    );
    let contribution = f.f64("balance_contribution")?;
    let (tg, xi, mi, ti) = (
        f.f64("total_trade_growth_contribution")?,
        f.f64("exports_index")?,
        f.f64("imports_index")?,
        f.f64("total_trade_index")?,
    );
    let base = f.i32("index_base")?;
    let (xr, mr, tr, tri) = (
        f.f64_or_none("exports_real_yoy")?,
        f.f64_or_none("imports_real_yoy")?,
        f.f64_or_none("total_trade_real_yoy")?,
        f.f64_or_none("total_trade_real_index")?,
    );
    Ok((0..df.height())
        .map(|k| GrowthRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            exports_yoy: x[k],
            imports_yoy: m[k],
            total_trade_yoy: t[k],
            balance_change: b[k],
            balance_contribution: contribution[k],
            total_trade_growth_contribution: tg[k],
            exports_index: xi[k],
            imports_index: mi[k],
            total_trade_index: ti[k],
            index_base: base[k].unwrap_or(year),
            exports_real_yoy: xr[k],
            imports_real_yoy: mr[k],
            total_trade_real_yoy: tr[k],
            total_trade_real_index: tri[k],
        })
        .collect())
}

pub(crate) fn cagr_rows(df: &DataFrame, path: &Path) -> Result<Vec<CagrRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, partner, from, to) = (
        f.str("reporter")?,
        f.str("partner")?,
        f.i32("from")?,
        f.i32("to")?,
    );
    let (x, m, t) = (
        f.f64("exports_cagr")?,
        f.f64("imports_cagr")?,
        f.f64("total_trade_cagr")?,
    );
    let (xr, mr, tr) = (
        f.f64_or_none("exports_real_cagr")?,
        f.f64_or_none("imports_real_cagr")?,
        f.f64_or_none("total_trade_real_cagr")?,
    );
    Ok((0..df.height())
        .map(|k| CagrRow {
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            from: from[k].unwrap_or_default(),
            to: to[k].unwrap_or_default(),
            exports_cagr: x[k],
            imports_cagr: m[k],
            total_trade_cagr: t[k],
            exports_real_cagr: xr[k],
            imports_real_cagr: mr[k],
            total_trade_real_cagr: tr[k],
        })
        .collect())
}

pub(crate) fn pair_structure_frame(rows: &[PairStructureRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("partner", rows, |r| &r.partner),
            u32s("level", rows, |r| Some(u32::from(r.level))),
            f64s("trade_complementarity", rows, |r| r.trade_complementarity),
            f64s("export_similarity", rows, |r| r.export_similarity),
            f64s("grubel_lloyd", rows, |r| r.grubel_lloyd),
            u32s("products", rows, |r| Some(r.products)),
            strs("partner_imports_side", rows, |r| &r.partner_imports_side),
        ],
    )
}

pub(crate) fn pair_structure_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<PairStructureRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, partner, level) = (f.str("reporter")?, f.str("partner")?, f.u32("level")?);
    let (tc, es, gl) = (
        f.f64("trade_complementarity")?,
        f.f64("export_similarity")?,
        f.f64("grubel_lloyd")?,
    );
    let (products, side) = (f.u32("products")?, f.str("partner_imports_side")?);
    Ok((0..df.height())
        .map(|k| PairStructureRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            trade_complementarity: tc[k],
            export_similarity: es[k],
            grubel_lloyd: gl[k],
            products: products[k].unwrap_or(0),
            partner_imports_side: side[k].clone(),
        })
        .collect())
}

pub(crate) fn product_pair_frame(rows: &[ProductPairRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("partner", rows, |r| &r.partner),
            strs("classification", rows, |r| &r.classification),
            strs("product", rows, |r| &r.product),
            u32s("level", rows, |r| Some(u32::from(r.level))),
            f64s("exports", rows, |r| r.exports),
            f64s("imports", rows, |r| r.imports),
            strs("imports_side", rows, |r| &r.imports_side),
            f64s("grubel_lloyd", rows, |r| r.grubel_lloyd),
        ],
    )
}

pub(crate) fn contribution_frame(rows: &[ContributionRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("partner", rows, |r| &r.partner),
            strs("dimension", rows, |r| &r.dimension),
            strs("component", rows, |r| &r.component),
            f64s("exports", rows, |r| r.exports),
            f64s("imports", rows, |r| r.imports),
            f64s("balance", rows, |r| r.balance),
            f64s("balance_change", rows, |r| r.balance_change),
            f64s("balance_contribution", rows, |r| r.balance_contribution),
            f64s("exports_growth_contribution", rows, |r| {
                r.exports_growth_contribution
            }),
            f64s("imports_growth_contribution", rows, |r| {
                r.imports_growth_contribution
            }),
            f64s("exports_share", rows, |r| r.exports_share),
            f64s("imports_share", rows, |r| r.imports_share),
        ],
    )
}

pub(crate) fn contribution_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<ContributionRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, partner, dimension, component) = (
        f.str("reporter")?,
        f.str("partner")?,
        f.str("dimension")?,
        f.str("component")?,
    );
    let (x, m, b, db) = (
        f.f64("exports")?,
        f.f64("imports")?,
        f.f64("balance")?,
        f.f64("balance_change")?,
    );
    let (bc, xg, mg) = (
        f.f64("balance_contribution")?,
        f.f64("exports_growth_contribution")?,
        f.f64("imports_growth_contribution")?,
    );
    let (xs, ms) = (f.f64("exports_share")?, f.f64("imports_share")?);
    Ok((0..df.height())
        .map(|k| ContributionRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            dimension: dimension[k].clone(),
            component: component[k].clone(),
            exports: x[k],
            imports: m[k],
            balance: b[k],
            balance_change: db[k],
            balance_contribution: bc[k],
            exports_growth_contribution: xg[k],
            imports_growth_contribution: mg[k],
            exports_share: xs[k],
            imports_share: ms[k],
        })
        .collect())
}

pub(crate) fn group_frame(rows: &[GroupRow]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            strs("reporter", rows, |r| &r.reporter),
            strs("group", rows, |r| &r.group),
            u32s("members", rows, |r| Some(r.members)),
            u32s("members_reported", rows, |r| Some(r.members_reported)),
            f64s("exports", rows, |r| r.exports),
            f64s("imports", rows, |r| r.imports),
            f64s("total_trade", rows, |r| r.total_trade),
            f64s("balance", rows, |r| r.balance),
            f64s("trade_share", rows, |r| r.trade_share),
        ],
    )
}

pub(crate) fn group_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<GroupRow>, IndicesError> {
    let f = Frame { df, path };
    let (reporter, group) = (f.str("reporter")?, f.str("group")?);
    let (members, reported) = (f.u32("members")?, f.u32("members_reported")?);
    let (x, m, t, b, s) = (
        f.f64("exports")?,
        f.f64("imports")?,
        f.f64("total_trade")?,
        f.f64("balance")?,
        f.f64("trade_share")?,
    );
    Ok((0..df.height())
        .map(|k| GroupRow {
            year,
            reporter: reporter[k].clone(),
            group: group[k].clone(),
            members: members[k].unwrap_or(0),
            members_reported: reported[k].unwrap_or(0),
            exports: x[k],
            imports: m[k],
            total_trade: t[k],
            balance: b[k],
            trade_share: s[k],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;

    use super::*;
    use crate::product::{ProductExports, ProductFlow, ProductTable};

    fn exports(cells: &[(&'static str, &'static str)]) -> ProductExports {
        let flows: Vec<ProductFlow<'_>> = cells
            .iter()
            .map(|&(reporter, product)| ProductFlow {
                reporter,
                classification: "HS92",
                product,
                value: 1.0,
            })
            .collect();
        ProductExports::from_flows(&flows)
    }

    /// The column's values row by row, through its dictionary.
    fn penetration(column: &ArrayRef) -> Vec<Option<f64>> {
        let d = column.as_dictionary::<UInt32Type>();
        let values = d.values().as_primitive::<Float64Type>();
        d.keys()
            .iter()
            .map(|k| k.map(|k| values.value(k as usize)))
            .collect()
    }

    #[test]
    fn market_penetration_is_a_dictionary_of_the_distinct_ratios() {
        // Four reporters, two products with 4 and 2 importers. Partner counts 2, 1, none, 3
        // on the first product and 1 on the second: 2/4 and 1/2 are one entry.
        let e = exports(&[
            ("A", "0101"),
            ("A", "0102"),
            ("B", "0101"),
            ("C", "0101"),
            ("D", "0101"),
        ]);
        let mut t = ProductTable::rca(2000, &e);
        t.partners = vec![Some(2), Some(1), Some(1), None, Some(3)];
        t.importers = vec![4, 2];
        let column = penetration_column(&t);
        assert_eq!(
            penetration(&column),
            [Some(0.5), Some(0.5), Some(0.25), None, Some(0.75)]
        );
        let d = column.as_dictionary::<UInt32Type>();
        let values: Vec<f64> = d.values().as_primitive::<Float64Type>().values().to_vec();
        assert_eq!(values, [0.25, 0.5, 0.75], "distinct and ascending");
        for n in 0..t.len() {
            assert_eq!(penetration(&column)[n], t.market_penetration(n), "row {n}");
        }

        let partners = partners_column(&t);
        let d = partners.as_dictionary::<UInt32Type>();
        let counts: Vec<_> = d
            .keys()
            .iter()
            .map(|k| k.map(|k| d.values().as_primitive::<UInt32Type>().value(k as usize)))
            .collect();
        assert_eq!(counts, t.partners);
    }

    #[test]
    fn no_importers_means_no_penetration_and_huge_counts_fall_back_to_doubles() {
        let e = exports(&[("A", "0101"), ("B", "0101")]);
        let mut t = ProductTable::rca(2000, &e);
        t.partners = vec![Some(0), Some(1)];
        t.importers = vec![0];
        assert_eq!(penetration(&penetration_column(&t)), [None, None]);

        t.importers = vec![u32::MAX - 1];
        t.partners = vec![Some(7), Some(u32::MAX - 1)];
        let column = penetration_column(&t);
        let plain = column.as_primitive::<Float64Type>();
        assert_eq!(plain.value(0), 7.0 / f64::from(u32::MAX - 1));
        assert_eq!(plain.value(1), 1.0);
        assert_eq!(plain.null_count(), 0);
    }
}
