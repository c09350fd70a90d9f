//! One year of country totals from the canonical table, as dense matrices indexed by country.
//!
//! About 260 codes appear in a year, so an n×n matrix of exports and one of imports (each
//! from the reporter's own report) is a few hundred kilobytes and every lookup is an index,
//! not a hash. Codes are sorted, so every sum runs in the same order on any thread.

use std::collections::HashMap;
use std::path::Path;

use tradepipe_model::config::WorldChoice;
use tradepipe_model::schema::{TOTAL, WORLD, col};
use tradepipe_model::{Flow, Registry};

use crate::IndicesError;

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

    /// Reads the year's partition of the canonical table.
    pub fn read(trade_root: &Path, year: i32, registry: &Registry) -> Result<YearData, IndicesError> {
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
        let breakdowns = [col::PROVINCE, col::REGIME]
            .iter()
            .all(|c| present.iter().any(|p| p == c));
        if breakdowns {
            wanted.extend([col::PROVINCE, col::REGIME]);
        }
        let df = tradepipe_parquet::read_partition(trade_root, year, Some(&wanted))?;
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
        let whole: Vec<bool> = if breakdowns {
            let (province, regime) = (s(col::PROVINCE)?, s(col::REGIME)?);
            province
                .iter()
                .zip(regime.iter())
                .map(|(p, r)| p == Some(TOTAL) && r == Some(TOTAL))
                .collect()
        } else {
            vec![true; df.height()]
        };
        let mut rows = Vec::with_capacity(df.height());
        let mut sources = std::collections::BTreeSet::new();
        // (reporter, classification, product) -> (world row, sum over partner economies).
        // Codes borrow the column buffers: nothing is allocated per row, only per distinct code.
        let mut by_product = crate::product::ProductExportsBuilder::<(Option<f64>, f64)>::default();
        let mut economy: rustc_hash::FxHashMap<&str, bool> = Default::default();
        let columns = rep
            .iter()
            .zip(par.iter())
            .zip(flow.iter())
            .zip(class.iter().zip(prod.iter()))
            .zip(val.iter().zip(est.iter()))
            .zip(src.iter().zip(vin.iter()));
        for (i, (((((r, p), f), (c, k)), (v, e)), (so, vi))) in columns.enumerate() {
            if !whole[i] {
                continue;
            }
            if k != Some(TOTAL) {
                if let (Some("export"), Some(r), Some(p), Some(c), Some(k), Some(v)) = (f, r, p, c, k, v) {
                    let entry = by_product.cell(r, c, k);
                    if p == WORLD {
                        entry.0 = Some(entry.0.unwrap_or(0.0) + v);
                    } else if p != r
                        && *economy
                            .entry(p)
                            .or_insert_with(|| registry.get(p).is_some_and(|x| x.kind.is_partner_economy()))
                    {
                        entry.1 += v;
                    }
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
        d.product_exports = by_product.finish(|(world, sum)| world.unwrap_or(sum));
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
