//! One year of country totals from the canonical table, as dense matrices indexed by country.
//!
//! About 260 codes appear in a year, so an n×n matrix of exports and one of imports (each
//! from the reporter's own report) is a few hundred kilobytes and every lookup is an index,
//! not a hash. Codes are sorted, so every sum runs in the same order on any thread.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::DataFrame;

use tradepipe_model::config::WorldChoice;
use tradepipe_model::schema::{TOTAL, WORLD, col};
use tradepipe_model::{Flow, Registry};

use crate::IndicesError;
use crate::formulas::accumulate;
use crate::product::{ProductExportsBuilder, ProductMatrix};
use tradepipe_model::products::level_of;

/// One cell: a reported value and whether the source flags it as an estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    pub estimated: bool,
}

/// A year's country-total flows, each as reported by its reporter.
#[derive(Debug, Clone)]
pub struct YearData {
    pub year: i32,
    codes: Vec<String>,
    index: HashMap<String, usize>,
    /// Whether each code is an individual economy (summed in "sum" world totals).
    economy: Vec<bool>,
    exports: Vec<Cell>,
    imports: Vec<Cell>,
    /// `source` and `vintage` of the rows, for provenance.
    pub sources: Vec<(String, String)>,
    /// Exports by product (not `TOTAL`) to the world: the `WLD` row where the data has one,
    /// else the sum over partner economies.
    pub product_exports: crate::product::ProductExports,
    /// Imports by product from the world, same codes as `product_exports`: each importer's own
    /// report (`WLD` row, else the sum over partners) where it reports product imports at all,
    /// else the mirror (what partner economies say they exported to it).
    pub product_imports: crate::product::ProductExports,
    /// Importers whose `product_imports` are mirror values.
    pub mirrored_importers: Vec<String>,
    /// `#{j: X_ij^k > 0}` per (reporter, product) with exports reported by partner.
    pub product_partners: crate::product::ProductMatrix<u32>,
    /// Product rows between two configured countries (either flow, either direction).
    pub pair_products: Vec<PairProduct>,
    /// Rows of configured reporters broken down by province, customs regime or HS section.
    pub breakdowns: Vec<Breakdown>,
}

/// One product flow between two configured countries, as reported by `reporter`.
#[derive(Debug, Clone, PartialEq)]
pub struct PairProduct {
    pub reporter: String,
    pub partner: String,
    pub flow: Flow,
    pub classification: String,
    pub product: String,
    pub value: f64,
}

/// One component of a configured reporter's trade with one partner: a province, a customs
/// regime or an HS section.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub reporter: String,
    pub partner: String,
    /// `province`, `regime` or `section`.
    pub dimension: &'static str,
    pub component: String,
    pub flow: Flow,
    pub value: f64,
}

/// What one year's product rows say about one (country, product).
#[derive(Debug, Default, Clone, Copy)]
struct ProductAcc {
    world_exports: Option<f64>,
    partner_exports: Option<f64>,
    partners: u32,
    world_imports: Option<f64>,
    partner_imports: Option<f64>,
    /// Partner economies' exports to this country.
    mirror_imports: Option<f64>,
}

/// The builder id of `code` and whether it is (a partner economy, a configured country),
/// looked up in the registry once per distinct code.
fn country_kind<'a>(
    b: &mut ProductExportsBuilder<'a, ProductAcc>,
    kinds: &mut Vec<(bool, bool)>,
    code: &'a str,
    registry: &Registry,
    countries: &[String],
) -> (u32, (bool, bool)) {
    let id = b.country(code);
    if id as usize == kinds.len() {
        let economy = registry.get(code).is_some_and(|x| x.kind.is_partner_economy());
        kinds.push((economy, countries.iter().any(|c| c == code)));
    }
    (id, kinds[id as usize])
}

/// Reads the columns the index stage uses from one year's partition of the canonical table.
/// Decoding runs on polars' own thread pool: call this from outside a rayon task, where a
/// waiting worker would spin (or take another year's task and hold its table too).
pub fn read_frame(trade_root: &Path, year: i32) -> Result<DataFrame, IndicesError> {
    let mut wanted = vec![
        col::REPORTER,
        col::PARTNER,
        col::FLOW,
        col::CLASSIFICATION,
        col::PRODUCT,
        col::VALUE_USD,
        col::IS_ESTIMATE,
        col::SOURCE,
        col::VINTAGE,
    ];
    // A table another tool wrote may have no breakdown columns: then every row is whole.
    let file =
        tradepipe_model::schema::partition_dir(trade_root, year).join(tradepipe_model::schema::PART_FILE);
    let present = tradepipe_parquet::column_names(&file)?;
    if [col::PROVINCE, col::REGIME]
        .iter()
        .all(|c| present.iter().any(|p| p == c))
    {
        wanted.extend([col::PROVINCE, col::REGIME]);
    }
    Ok(tradepipe_parquet::read_partition(
        trade_root,
        year,
        Some(&wanted),
    )?)
}

/// One flow row, as read from the canonical table.
#[derive(Debug, Clone)]
pub struct FlowRow<'a> {
    pub reporter: &'a str,
    pub partner: &'a str,
    pub flow: Flow,
    pub value: f64,
    pub estimated: bool,
}

impl YearData {
    /// Builds the matrices from total-product rows. Rows for other flows are ignored.
    pub fn from_rows<'a>(
        year: i32,
        rows: impl IntoIterator<Item = FlowRow<'a>> + Clone,
        registry: &Registry,
    ) -> YearData {
        let mut codes: Vec<String> = rows
            .clone()
            .into_iter()
            .flat_map(|r| [r.reporter, r.partner])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        codes.dedup();
        let index: HashMap<String, usize> = codes.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        let economy = codes
            .iter()
            .map(|c| registry.get(c).is_some_and(|e| e.kind.is_partner_economy()))
            .collect();
        let n = codes.len();
        let mut d = YearData {
            year,
            codes,
            index,
            economy,
            exports: vec![Cell::default(); n * n],
            imports: vec![Cell::default(); n * n],
            sources: Vec::new(),
            product_exports: Default::default(),
            product_imports: Default::default(),
            mirrored_importers: Vec::new(),
            product_partners: Default::default(),
            pair_products: Vec::new(),
            breakdowns: Vec::new(),
        };
        for r in rows {
            let cell = Cell {
                value: Some(r.value),
                estimated: r.estimated,
            };
            let k = d.index[r.reporter] * n + d.index[r.partner];
            match r.flow {
                Flow::Export => d.exports[k] = cell,
                Flow::Import => d.imports[k] = cell,
                Flow::ReExport | Flow::ReImport => {}
            }
        }
        d
    }

    /// Builds the year's data from its partition as [`read_frame`] read it; product flows
    /// between and breakdowns of `countries` are kept row by row.
    pub fn from_frame(
        trade_root: &Path,
        year: i32,
        df: &DataFrame,
        registry: &Registry,
        countries: &[String],
    ) -> Result<YearData, IndicesError> {
        let breakdowns_present = df.column(col::PROVINCE).is_ok() && df.column(col::REGIME).is_ok();
        let path = || {
            tradepipe_model::schema::partition_dir(trade_root, year)
                .display()
                .to_string()
        };
        let bad = |e: polars::error::PolarsError| IndicesError::Schema {
            path: path(),
            message: e.to_string(),
        };
        let s = |name: &str| df.column(name).and_then(|c| c.str().cloned()).map_err(bad);
        let class = s(col::CLASSIFICATION)?;
        let (rep, par, flow, prod, src, vin) = (
            s(col::REPORTER)?,
            s(col::PARTNER)?,
            s(col::FLOW)?,
            s(col::PRODUCT)?,
            s(col::SOURCE)?,
            s(col::VINTAGE)?,
        );
        let val = df
            .column(col::VALUE_USD)
            .and_then(|c| c.f64().cloned())
            .map_err(bad)?;
        let est = df
            .column(col::IS_ESTIMATE)
            .and_then(|c| c.bool().cloned())
            .map_err(bad)?;
        // Breakdowns by province or customs regime are parts of a total, not totals.
        let (province, regime) = if breakdowns_present {
            (Some(s(col::PROVINCE)?), Some(s(col::REGIME)?))
        } else {
            (None, None)
        };
        let whole: Vec<bool> = match (&province, &regime) {
            (Some(province), Some(regime)) => province
                .iter()
                .zip(regime.iter())
                .map(|(p, r)| p == Some(TOTAL) && r == Some(TOTAL))
                .collect(),
            _ => vec![true; df.height()],
        };
        let mut rows = Vec::with_capacity(df.height());
        let mut sources = std::collections::BTreeSet::new();
        // Codes borrow the column buffers: nothing is allocated per row, only per distinct
        // code. `kinds` is indexed by the builder's country id: (partner economy, configured).
        let mut by_product = ProductExportsBuilder::<ProductAcc>::default();
        let mut kinds: Vec<(bool, bool)> = Vec::new();
        let (mut pair_products, mut breakdowns) = (Vec::new(), Vec::new());
        // Partner economies' exports to each country by product: [country id][product id],
        // NaN where none.
        let mut mirror: Vec<Vec<f64>> = Vec::new();
        let columns = rep
            .iter()
            .zip(par.iter())
            .zip(flow.iter())
            .zip(class.iter().zip(prod.iter()))
            .zip(val.iter().zip(est.iter()))
            .zip(src.iter().zip(vin.iter()));
        for (i, (((((r, p), f), (c, k)), (v, e)), (so, vi))) in columns.enumerate() {
            if !whole[i] {
                // A province or regime part of a configured reporter's total-product trade.
                if let (Some(r), Some(p), Some(f), Some(TOTAL), Some(v), Some(pr), Some(rg)) = (
                    r,
                    p,
                    f,
                    k,
                    v,
                    province.as_ref().and_then(|c| c.get(i)),
                    regime.as_ref().and_then(|c| c.get(i)),
                ) && countries.iter().any(|c| c == r)
                    && let Ok(flow) = f.parse::<Flow>()
                {
                    let part = match (pr == TOTAL, rg == TOTAL) {
                        (false, true) => Some(("province", pr)),
                        (true, false) => Some(("regime", rg)),
                        _ => None, // a province × regime cell is part of both
                    };
                    if let Some((dimension, component)) = part {
                        breakdowns.push(Breakdown {
                            reporter: r.to_owned(),
                            partner: p.to_owned(),
                            dimension,
                            component: component.to_owned(),
                            flow,
                            value: v,
                        });
                    }
                }
                continue;
            }
            if k != Some(TOTAL) {
                let (Some(r), Some(p), Some(f), Some(c), Some(k), Some(v)) = (r, p, f, c, k, v) else {
                    continue;
                };
                let export = match f {
                    "export" => true,
                    "import" => false,
                    _ => continue,
                };
                let (ri, (_, r_configured)) =
                    country_kind(&mut by_product, &mut kinds, r, registry, countries);
                let ki = by_product.product(c, k);
                if r_configured && level_of(k) == 0 {
                    breakdowns.push(Breakdown {
                        reporter: r.to_owned(),
                        partner: p.to_owned(),
                        dimension: "section",
                        component: k.to_owned(),
                        flow: if export { Flow::Export } else { Flow::Import },
                        value: v,
                    });
                }
                if p == WORLD {
                    let acc = by_product.at(ri, ki);
                    accumulate(
                        if export {
                            &mut acc.world_exports
                        } else {
                            &mut acc.world_imports
                        },
                        v,
                    );
                    continue;
                }
                let (pi, (p_economy, p_configured)) =
                    country_kind(&mut by_product, &mut kinds, p, registry, countries);
                if !p_economy || p == r {
                    continue;
                }
                let acc = by_product.at(ri, ki);
                if export {
                    accumulate(&mut acc.partner_exports, v);
                    acc.partners += u32::from(v > 0.0);
                    // Dense by id, hashed into the cells once per (partner, product) below.
                    if mirror.len() <= pi as usize {
                        mirror.resize_with(pi as usize + 1, Vec::new);
                    }
                    let row = &mut mirror[pi as usize];
                    if row.len() <= ki as usize {
                        row.resize(ki as usize + 1, f64::NAN);
                    }
                    let m = &mut row[ki as usize];
                    *m = if m.is_nan() { v } else { *m + v };
                } else {
                    accumulate(&mut acc.partner_imports, v);
                }
                if r_configured && p_configured {
                    pair_products.push(PairProduct {
                        reporter: r.to_owned(),
                        partner: p.to_owned(),
                        flow: if export { Flow::Export } else { Flow::Import },
                        classification: c.to_owned(),
                        product: k.to_owned(),
                        value: v,
                    });
                }
                continue;
            }
            let (Some(reporter), Some(partner), Some(flow), Some(value)) = (r, p, f, v) else {
                return Err(IndicesError::Schema {
                    path: path(),
                    message: format!("row {i} has a null key or value"),
                });
            };
            let flow = flow.parse::<Flow>().map_err(|m| IndicesError::Schema {
                path: path(),
                message: format!("row {i}: {m}"),
            })?;
            rows.push(FlowRow {
                reporter,
                partner,
                flow,
                value,
                estimated: e.unwrap_or(false),
            });
            sources.insert((so.unwrap_or("").to_owned(), vi.unwrap_or("").to_owned()));
        }
        let mut d = YearData::from_rows(year, rows.iter().cloned(), registry);
        d.sources = sources.into_iter().collect();
        for (c, row) in mirror.iter().enumerate() {
            for (k, &v) in row.iter().enumerate() {
                if !v.is_nan() {
                    by_product.at(c as u32, k as u32).mirror_imports = Some(v);
                }
            }
        }
        let m = by_product.finish();
        d.product_exports = m.map(|a| a.world_exports.or(a.partner_exports));
        d.product_partners = m.map(|a| a.partner_exports.map(|_| a.partners));
        // An importer that reports product imports at all is taken at its word.
        let mut reports_imports = vec![false; m.reporters.len()];
        for (r, _, a) in &m.cells {
            reports_imports[*r as usize] |= a.world_imports.is_some() || a.partner_imports.is_some();
        }
        d.product_imports = ProductMatrix {
            reporters: m.reporters.clone(),
            products: m.products.clone(),
            cells: m
                .cells
                .iter()
                .filter_map(|(r, k, a)| {
                    let v = if reports_imports[*r as usize] {
                        a.world_imports.or(a.partner_imports)
                    } else {
                        a.mirror_imports
                    };
                    Some((*r, *k, v?))
                })
                .collect(),
        };
        d.mirrored_importers = m
            .cells
            .iter()
            .filter(|(r, _, a)| !reports_imports[*r as usize] && a.mirror_imports.is_some())
            .map(|(r, _, _)| m.reporters[*r as usize].clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        d.pair_products = pair_products;
        d.breakdowns = breakdowns;
        Ok(d)
    }

    fn idx(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    fn n(&self) -> usize {
        self.codes.len()
    }

    /// Exports of `i` to `j`, as reported by `i`.
    pub fn exports(&self, i: &str, j: &str) -> Cell {
        match (self.idx(i), self.idx(j)) {
            (Some(a), Some(b)) => self.exports[a * self.n() + b],
            _ => Cell::default(),
        }
    }

    /// Imports of `i` from `j`, as reported by `i`.
    pub fn imports(&self, i: &str, j: &str) -> Cell {
        match (self.idx(i), self.idx(j)) {
            (Some(a), Some(b)) => self.imports[a * self.n() + b],
            _ => Cell::default(),
        }
    }

    fn row_sum(&self, m: &[Cell], i: &str) -> Cell {
        let Some(a) = self.idx(i) else {
            return Cell::default();
        };
        let n = self.n();
        let cells = (0..n)
            .filter(|&b| self.economy[b] && b != a)
            .map(|b| m[a * n + b]);
        sum_cells(cells)
    }

    fn col_sum(&self, m: &[Cell], j: &str) -> Cell {
        let Some(b) = self.idx(j) else {
            return Cell::default();
        };
        let n = self.n();
        let cells = (0..n)
            .filter(|&a| self.economy[a] && a != b)
            .map(|a| m[a * n + b]);
        sum_cells(cells)
    }

    /// `i`'s total exports: its world row, or the sum over its partner economies.
    pub fn world_exports(&self, i: &str, world: WorldChoice) -> Cell {
        match world {
            WorldChoice::Source => self.exports(i, WORLD),
            WorldChoice::Sum => self.row_sum(&self.exports, i),
        }
    }

    /// `i`'s total imports: its world row, or the sum over its partner economies.
    pub fn world_imports(&self, i: &str, world: WorldChoice) -> Cell {
        match world {
            WorldChoice::Source => self.imports(i, WORLD),
            WorldChoice::Sum => self.row_sum(&self.imports, i),
        }
    }

    /// World exports to `j` (`X_wj`): the source's world reporter row, or the sum over
    /// reporting economies.
    pub fn world_exports_to(&self, j: &str, world: WorldChoice) -> Cell {
        match world {
            WorldChoice::Source => self.exports(WORLD, j),
            WorldChoice::Sum => self.col_sum(&self.exports, j),
        }
    }

    fn total_over_economies(&self, m: &[Cell]) -> Cell {
        let n = self.n();
        sum_cells((0..n).filter(|&a| self.economy[a]).map(|a| {
            sum_cells(
                (0..n)
                    .filter(|&b| self.economy[b] && b != a)
                    .map(|b| m[a * n + b]),
            )
        }))
    }

    /// Total world exports (`X_w`).
    pub fn world_total_exports(&self, world: WorldChoice) -> Cell {
        match world {
            WorldChoice::Source => self.exports(WORLD, WORLD),
            WorldChoice::Sum => self.total_over_economies(&self.exports),
        }
    }

    /// Total world imports (`M_w`).
    pub fn world_total_imports(&self, world: WorldChoice) -> Cell {
        match world {
            WorldChoice::Source => self.imports(WORLD, WORLD),
            WorldChoice::Sum => self.total_over_economies(&self.imports),
        }
    }

    /// `i`'s reported exports (or imports) to each partner economy, in code order.
    pub fn partner_values(&self, i: &str, flow: tradepipe_model::Flow) -> Vec<f64> {
        let Some(a) = self.idx(i) else { return Vec::new() };
        let n = self.n();
        let m = if flow == tradepipe_model::Flow::Import {
            &self.imports
        } else {
            &self.exports
        };
        (0..n)
            .filter(|&b| self.economy[b] && b != a)
            .filter_map(|b| m[a * n + b].value)
            .collect()
    }

    /// What all reporting economies say they imported from `i` (the mirror of `i`'s exports).
    pub fn partners_imports_from(&self, i: &str) -> Cell {
        self.col_sum(&self.imports, i)
    }

    /// Partner economies of `i` ranked by total trade (exports + imports, `i`'s report),
    /// largest first; ties broken by code.
    pub fn partner_ranking(&self, i: &str) -> Vec<(&str, f64)> {
        let Some(a) = self.idx(i) else { return Vec::new() };
        let n = self.n();
        let mut v: Vec<(&str, f64)> = (0..n)
            .filter(|&b| self.economy[b] && b != a)
            .filter_map(|b| {
                let t = sum_cells([self.exports[a * n + b], self.imports[a * n + b]]).value?;
                Some((self.codes[b].as_str(), t))
            })
            .collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(y.0)));
        v
    }
}

/// Sum of the present cells; estimated if any summed cell is.
pub fn sum_cells(cells: impl IntoIterator<Item = Cell>) -> Cell {
    cells.into_iter().fold(Cell::default(), |acc, c| match c.value {
        None => acc,
        Some(v) => Cell {
            value: Some(acc.value.unwrap_or(0.0) + v),
            estimated: acc.estimated || c.estimated,
        },
    })
}
