//! The complexity tables of one year: its product exports split into universes (one per
//! classification and product level), each universe's countries and products chosen as
//! `[indices.complexity]` says, [`crate::complexity::compute`] run on each, and the results
//! laid out as the `complexity` (country × product cells), `complexity_country` and
//! `proximity` tables.
//!
//! Which countries and products enter, as Stata `ecomplexity` decides it: a country whose
//! exports of the universe's products sum to zero (or below `min-country-exports`) is left
//! out, then a product whose exports by the remaining countries sum to zero (or below
//! `min-product-exports`). With a population file, countries it has no positive population
//! for (or less than `min-population`) are left out first. Every left-out country is named in
//! the year's notes (`_meta.json`), with the count of left-out products.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::ArrowError;
use tradepipe_model::config::ComplexityConfig;
use tradepipe_model::products::level_of;

use crate::complexity::{self, Test};
use crate::product::ProductExports;
pub use tradepipe_model::population::Population;
pub use tradepipe_tables::{ComplexityCell, ComplexityCountryRow, LeftOut, UniverseNote};

/// A year's complexity tables.
pub struct YearComplexity {
    pub cells: RecordBatch,
    pub countries: Vec<ComplexityCountryRow>,
    pub proximity: Option<RecordBatch>,
    pub notes: Vec<UniverseNote>,
}

/// Columns of the cell table, appended universe by universe.
#[derive(Default)]
struct Cells {
    reporters: Vec<String>,
    reporter_key: Vec<u32>,
    classes: Vec<String>,
    class_key: Vec<u32>,
    products: Vec<String>,
    product_key: Vec<u32>,
    level: Vec<u32>,
    exports: Vec<f64>,
    rca: Vec<f64>,
    rpop: Vec<Option<f64>>,
    m: Vec<bool>,
    diversity: Vec<u32>,
    ubiquity: Vec<u32>,
    density: Vec<Option<f64>>,
    eci: Vec<Option<f64>>,
    pci: Vec<Option<f64>>,
    coi: Vec<Option<f64>>,
    cog: Vec<Option<f64>>,
    prody: Vec<Option<f64>>,
}

#[derive(Default)]
struct Pairs {
    class_key: Vec<u32>,
    level: Vec<u32>,
    first: Vec<u32>,
    second: Vec<u32>,
    proximity: Vec<f64>,
}

/// Index of `name` in `names`, added at the end when new (few distinct names per table).
fn key_of(names: &mut Vec<String>, index: &mut HashMap<String, u32>, name: &str) -> u32 {
    if let Some(&k) = index.get(name) {
        return k;
    }
    let k = names.len() as u32;
    names.push(name.to_owned());
    index.insert(name.to_owned(), k);
    k
}

/// Computes the complexity tables of `year` from its exports by (reporter, product).
pub fn compute_year(
    year: i32,
    e: &ProductExports,
    cfg: &ComplexityConfig,
    population: Option<&Population>,
) -> Result<YearComplexity, ArrowError> {
    let test = Test {
        presence: cfg.presence,
        rca_threshold: cfg.rca_threshold,
        rpop_threshold: cfg.rpop_threshold,
        pairs: cfg.proximity_table,
    };
    // Universes in (classification, level) order; each product's place in its universe.
    let mut universe_of: Vec<(usize, usize)> = Vec::with_capacity(e.products.len());
    let mut universes: Vec<((String, u8), Vec<usize>)> = Vec::new();
    let mut by_key: HashMap<(String, u8), usize> = HashMap::new();
    for (k, (class, code)) in e.products.iter().enumerate() {
        let key = (class.clone(), level_of(code));
        let u = *by_key.entry(key.clone()).or_insert_with(|| {
            universes.push((key, Vec::new()));
            universes.len() - 1
        });
        universe_of.push((u, universes[u].1.len()));
        universes[u].1.push(k);
    }
    let mut order: Vec<usize> = (0..universes.len()).collect();
    order.sort_by(|&a, &b| universes[a].0.cmp(&universes[b].0));
    let r_n = e.reporters.len();
    let mut dense: Vec<Vec<f64>> = universes
        .iter()
        .map(|(_, ps)| vec![0.0; r_n * ps.len()])
        .collect();
    for &(r, k, v) in &e.cells {
        let (u, at) = universe_of[k as usize];
        dense[u][r as usize * universes[u].1.len() + at] += v;
    }

    let mut cells = Cells::default();
    let mut pairs = Pairs::default();
    let (mut r_index, mut c_index, mut p_index) = (HashMap::new(), HashMap::new(), HashMap::new());
    let mut countries_out = Vec::new();
    let mut notes = Vec::new();
    for u in order {
        let ((class, level), products) = &universes[u];
        let x = &dense[u];
        let p_all = products.len();
        let row_total = |r: usize| x[r * p_all..(r + 1) * p_all].iter().sum::<f64>();
        let mut left_out = Vec::new();
        let mut keep_r = Vec::new();
        let mut pop = Vec::new();
        for r in 0..r_n {
            let total = row_total(r);
            if total <= 0.0 {
                continue; // no exports in this universe: not a participant, nothing to say
            }
            let code = &e.reporters[r];
            let mut leave = |reason: String| {
                left_out.push(LeftOut {
                    country: code.clone(),
                    reason,
                })
            };
            let people = match population.map(|p| p.get(year, code)) {
                None => None,
                Some(Some(v)) if v > 0.0 && v >= cfg.min_population => Some(v),
                Some(Some(v)) if v > 0.0 => {
                    leave(format!(
                        "population {v} below min-population {}",
                        cfg.min_population
                    ));
                    continue;
                }
                Some(_) => {
                    leave(format!("no population for {year} in the population file"));
                    continue;
                }
            };
            if total < cfg.min_country_exports {
                leave(format!(
                    "exports of US${total} below min-country-exports {}",
                    cfg.min_country_exports
                ));
                continue;
            }
            keep_r.push(r);
            pop.extend(people);
        }
        let keep_p: Vec<usize> = (0..p_all)
            .filter(|&q| {
                let t: f64 = keep_r.iter().map(|&r| x[r * p_all + q]).sum();
                t > 0.0 && t >= cfg.min_product_exports
            })
            .collect();
        let (c_n, p_n) = (keep_r.len(), keep_p.len());
        let sub: Vec<f64> = keep_r
            .iter()
            .flat_map(|&r| keep_p.iter().map(move |&q| x[r * p_all + q]))
            .collect();
        let note = |countries, products, eigenvalues, not_defined| UniverseNote {
            year,
            classification: class.clone(),
            level: *level,
            countries,
            products,
            left_out_countries: left_out.clone(),
            left_out_products: p_all - keep_p.len(),
            eigenvalues,
            not_defined,
        };
        if c_n == 0 || p_n == 0 {
            notes.push(note(
                c_n,
                p_n,
                None,
                Some("no country and product with exports".into()),
            ));
            continue;
        }
        if p_n > cfg.max_products {
            // The proximity matrix is P×P doubles: 230 MB at HS 6-digit's 5,400 products,
            // 3 GB at 20,000 national tariff lines, per year in flight.
            notes.push(note(
                c_n,
                p_n,
                None,
                Some(format!(
                    "{p_n} products exceed max-products = {} (the proximity matrix would take {} MB); \
                     raise [indices.complexity] max-products to compute it",
                    cfg.max_products,
                    p_n * p_n * 8 / 1_000_000
                )),
            ));
            continue;
        }
        let k = complexity::compute(&sub, c_n, p_n, population.map(|_| pop.as_slice()), test);
        let income: Vec<Option<f64>> = (0..c_n)
            .map(|c| tradepipe_model::macro_series::income_per_head(&e.reporters[keep_r[c]], year))
            .collect();
        let (prody, expy) = complexity::prody_expy(&sub, c_n, p_n, &income);
        let code_of = |i: usize| e.reporters[keep_r[i]].clone();
        let product_of = |i: usize| e.products[products[keep_p[i]]].1.clone();
        let ranked = k.ranked.as_ref().ok();
        notes.push(note(
            c_n,
            p_n,
            ranked.map(|r| r.eigenvalues),
            k.ranked
                .as_ref()
                .err()
                .map(|why| why.describe(code_of, product_of)),
        ));
        let ck = key_of(&mut cells.classes, &mut c_index, class);
        let rk: Vec<u32> = (0..c_n)
            .map(|i| key_of(&mut cells.reporters, &mut r_index, &e.reporters[keep_r[i]]))
            .collect();
        let pk: Vec<u32> = (0..p_n)
            .map(|i| {
                key_of(
                    &mut cells.products,
                    &mut p_index,
                    &e.products[products[keep_p[i]]].1,
                )
            })
            .collect();
        for (c, &reporter_key) in rk.iter().enumerate() {
            for q in 0..p_n {
                let i = c * p_n + q;
                cells.reporter_key.push(reporter_key);
                cells.class_key.push(ck);
                cells.product_key.push(pk[q]);
                cells.level.push(u32::from(*level));
                cells.exports.push(sub[i]);
                cells.rca.push(k.rca[i]);
                cells.rpop.push(k.rpop.as_ref().map(|v| v[i]));
                cells.m.push(k.m[i]);
                cells.diversity.push(k.diversity[c]);
                cells.ubiquity.push(k.ubiquity[q]);
                cells.density.push(ranked.and_then(|r| r.density[i]));
                cells.eci.push(ranked.map(|r| r.eci[c]));
                cells.pci.push(ranked.map(|r| r.pci[q]));
                cells.coi.push(ranked.and_then(|r| r.coi[c]));
                cells.cog.push(ranked.map(|r| r.cog[i]));
                cells.prody.push(prody[q]);
            }
        }
        let ranks = ranked.map(|r| ranks_desc(&r.eci));
        for c in 0..c_n {
            countries_out.push(ComplexityCountryRow {
                year,
                reporter: code_of(c),
                classification: class.clone(),
                level: *level,
                exports: sub[c * p_n..(c + 1) * p_n].iter().sum(),
                diversity: k.diversity[c],
                eci: ranked.map(|r| r.eci[c]),
                eci_rank: ranks.as_ref().map(|v| v[c]),
                coi: ranked.and_then(|r| r.coi[c]),
                expy: expy[c],
            });
        }
        if cfg.proximity_table
            && let Some(r) = ranked
        {
            for &(a, b, phi) in &r.proximity {
                pairs.class_key.push(ck);
                pairs.level.push(u32::from(*level));
                pairs.first.push(pk[a as usize]);
                pairs.second.push(pk[b as usize]);
                pairs.proximity.push(phi);
            }
        }
    }
    let proximity = cfg
        .proximity_table
        .then(|| pairs_batch(pairs, &cells.classes, &cells.products))
        .transpose()?;
    Ok(YearComplexity {
        cells: cells_batch(cells)?,
        countries: countries_out,
        proximity,
        notes,
    })
}

/// Rank 1 for the largest value; equal values share the better rank.
fn ranks_desc(v: &[f64]) -> Vec<u32> {
    v.iter()
        .map(|a| 1 + v.iter().filter(|b| *b > a).count() as u32)
        .collect()
}

fn dictionary(keys: Vec<u32>, values: &[String]) -> ArrayRef {
    Arc::new(DictionaryArray::<UInt32Type>::new(
        UInt32Array::from(keys),
        Arc::new(StringArray::from_iter_values(values.iter())),
    ))
}

fn f64s(v: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}

fn cells_batch(c: Cells) -> Result<RecordBatch, ArrowError> {
    RecordBatch::try_from_iter([
        ("reporter", dictionary(c.reporter_key, &c.reporters)),
        ("classification", dictionary(c.class_key, &c.classes)),
        ("product", dictionary(c.product_key, &c.products)),
        ("level", Arc::new(UInt32Array::from(c.level)) as ArrayRef),
        ("exports", Arc::new(Float64Array::from(c.exports)) as ArrayRef),
        ("rca", Arc::new(Float64Array::from(c.rca)) as ArrayRef),
        ("rpop", f64s(c.rpop)),
        ("m", Arc::new(BooleanArray::from(c.m)) as ArrayRef),
        ("diversity", Arc::new(UInt32Array::from(c.diversity)) as ArrayRef),
        ("ubiquity", Arc::new(UInt32Array::from(c.ubiquity)) as ArrayRef),
        ("density", f64s(c.density)),
        ("eci", f64s(c.eci)),
        ("pci", f64s(c.pci)),
        ("coi", f64s(c.coi)),
        ("cog", f64s(c.cog)),
        ("prody", f64s(c.prody)),
    ])
}

fn pairs_batch(p: Pairs, classes: &[String], products: &[String]) -> Result<RecordBatch, ArrowError> {
    RecordBatch::try_from_iter([
        ("classification", dictionary(p.class_key, classes)),
        ("level", Arc::new(UInt32Array::from(p.level)) as ArrayRef),
        ("product_1", dictionary(p.first, products)),
        ("product_2", dictionary(p.second, products)),
        ("proximity", Arc::new(Float64Array::from(p.proximity)) as ArrayRef),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::{ProductExports, ProductFlow};

    fn flow<'a>(reporter: &'a str, product: &'a str, value: f64) -> ProductFlow<'a> {
        ProductFlow {
            reporter,
            classification: "HS92",
            product,
            value,
        }
    }

    /// Three countries' 4-digit exports: AAA 0101 and 0102, BBB 0102 and 0201, CCC 0201.
    fn three_countries() -> Vec<ProductFlow<'static>> {
        vec![
            flow("AAA", "0101", 2.0),
            flow("AAA", "0102", 2.0),
            flow("BBB", "0102", 1.0),
            flow("BBB", "0201", 1.0),
            flow("CCC", "0201", 4.0),
        ]
    }

    #[test]
    fn levels_are_separate_universes_and_empty_countries_stay_out() {
        // Two levels: 4-digit (AAA, BBB, CCC) and 2-digit (AAA, BBB only). CCC exports
        // nothing at the 2-digit level, so it is not part of that universe.
        let mut flows = three_countries();
        flows.extend([
            flow("AAA", "01", 4.0),
            flow("BBB", "01", 1.0),
            flow("BBB", "02", 1.0),
        ]);
        let e = ProductExports::from_flows(&flows);
        let y = compute_year(2000, &e, &ComplexityConfig::default(), None).expect("batch");
        let shape: Vec<(u8, usize, usize)> = y
            .notes
            .iter()
            .map(|n| (n.level, n.countries, n.products))
            .collect();
        assert_eq!(
            shape,
            [(2, 2, 2), (4, 3, 3)],
            "levels in order, each its own universe"
        );
        assert_eq!(y.cells.num_rows(), 2 * 2 + 3 * 3, "full rectangles");
        let ranks: Vec<(u8, &str, Option<u32>)> = y
            .countries
            .iter()
            .map(|r| (r.level, r.reporter.as_str(), r.eci_rank))
            .collect();
        assert_eq!(
            ranks[2..],
            [(4, "AAA", Some(1)), (4, "BBB", Some(2)), (4, "CCC", Some(3))]
        );
    }

    #[test]
    fn a_minimum_leaves_a_country_out_and_says_so() {
        let flows = three_countries();
        let e = ProductExports::from_flows(&flows);
        let cfg = ComplexityConfig {
            min_country_exports: 3.0,
            ..ComplexityConfig::default()
        };
        let y = compute_year(2000, &e, &cfg, None).expect("batch");
        let n = &y.notes[0];
        assert_eq!((n.countries, n.products), (2, 3));
        assert_eq!(n.left_out_countries.len(), 1);
        assert_eq!(n.left_out_countries[0].country, "BBB");
        assert!(
            n.left_out_countries[0]
                .reason
                .contains("below min-country-exports 3")
        );
    }

    #[test]
    fn a_universe_past_max_products_is_left_out_and_noted() {
        let flows = [
            flow("AAA", "0101", 2.0),
            flow("AAA", "0102", 2.0),
            flow("BBB", "0102", 1.0),
        ];
        let e = ProductExports::from_flows(&flows);
        let cfg = ComplexityConfig {
            max_products: 1,
            ..ComplexityConfig::default()
        };
        let y = compute_year(2000, &e, &cfg, None).expect("batch");
        assert_eq!(y.cells.num_rows(), 0);
        let why = y.notes[0].not_defined.as_deref().unwrap();
        assert!(why.starts_with("2 products exceed max-products = 1"), "{why}");
    }

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks_desc(&[0.5, 2.0, 0.5, -1.0]), [2, 1, 2, 4]);
    }
}
