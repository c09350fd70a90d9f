//! Index tables as Parquet: frames from rows, rows from frames.
//!
//! Per-year tables are Hive-partitioned like the canonical table (`year` in the directory
//! name only). Column names are the field names of the row structs.

use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::ArrowError;
use polars::prelude::*;
use tradepipe_model::products::level_of;

use crate::bilateral::BilateralRow;
use crate::breakdown::ContributionRow;
use crate::complexity_table::ComplexityCountryRow;
use crate::concentration::ConcentrationRow;
use crate::country::CountryRow;
use crate::group::GroupRow;
use crate::growth::{CagrRow, GrowthRow};
use crate::product::ProductTable;
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
