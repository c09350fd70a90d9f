//! One year of country totals from the canonical table, as dense matrices indexed by country.
//!
//! About 260 codes appear in a year, so an n×n matrix of exports and one of imports (each
//! from the reporter's own report) is a few hundred kilobytes and every lookup is an index,
//! not a hash. Codes are sorted, so every sum runs in the same order on any thread.
//!
//! Rows arrive as integer codes ([`read_year`]); product rows go to [`ProductCells`].

use std::collections::HashMap;
use std::path::Path;

use tradepipe_model::config::WorldChoice;
use tradepipe_model::schema::{TOTAL, WORLD, col};
use tradepipe_model::{Flow, Registry};

use tradepipe_model::products::level_of;
use tradepipe_parquet::coded::{Coded, NULL, Want};

use crate::IndicesError;
use crate::product_acc::{ProductCells, Side};

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
    /// `#{j: X_ij^k > 0}` of each `product_exports` cell, in cell order (present where the
    /// cell has exports reported by partner).
    pub product_partners: Vec<Option<u32>>,
    /// Quantity of each `product_exports` cell and its unit (an index of
    /// `product_quantity_units`), in cell order; empty when the table has no quantities.
    pub product_quantities: Vec<Option<(f64, u32)>>,
    pub product_quantity_units: Vec<String>,
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

/// Reads the columns the index stage uses from one year's partition of the canonical table,
/// text as integer codes ([`tradepipe_parquet::coded`]). Runs on the calling thread.
pub fn read_year(trade_root: &Path, year: i32) -> Result<Coded, IndicesError> {
    let mut wanted = vec![
        (col::REPORTER, Want::Text(COUNTRY)),
        (col::PARTNER, Want::Text(COUNTRY)),
        (col::FLOW, Want::Text(col::FLOW)),
        (col::CLASSIFICATION, Want::Text(col::CLASSIFICATION)),
        (col::PRODUCT, Want::Text(col::PRODUCT)),
        (col::VALUE_USD, Want::F64),
    ];
    // A table another tool wrote may have no breakdown columns: then every row is whole.
    let file =
        tradepipe_model::schema::partition_dir(trade_root, year).join(tradepipe_model::schema::PART_FILE);
    let present = tradepipe_parquet::column_names(&file)?;
    if [col::PROVINCE, col::REGIME]
        .iter()
        .all(|c| present.iter().any(|p| p == c))
    {
        wanted.extend([(col::PROVINCE, Want::Text(PART)), (col::REGIME, Want::Text(PART))]);
    }
    // Tables written before quantities were carried (or by another tool) have none.
    if [col::QUANTITY, col::QUANTITY_UNIT]
        .iter()
        .all(|c| present.iter().any(|p| p == c))
    {
        wanted.extend([
            (col::QUANTITY, Want::F64),
            (col::QUANTITY_UNIT, Want::Text(col::QUANTITY_UNIT)),
        ]);
    }
    let mut coded = tradepipe_parquet::coded::read_coded(&file, &wanted)?;
    // Estimate flags and provenance are used on total-product rows only (the country
    // tables). Product-level data (BACI) has none, and its millions of rows are not decoded
    // for three columns nothing reads.
    if coded
        .spaces
        .get(col::PRODUCT)
        .is_some_and(|p| p.id(TOTAL).is_some())
    {
        let provenance = [
            (col::IS_ESTIMATE, Want::Bool),
            (col::SOURCE, Want::Text(col::SOURCE)),
            (col::VINTAGE, Want::Text(col::VINTAGE)),
        ];
        coded.extend(tradepipe_parquet::coded::read_coded(&file, &provenance)?);
    }
    Ok(coded)
}

/// The id space of reporter and partner codes, and of province and regime names.
const COUNTRY: &str = "country";
const PART: &str = "part";

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
            product_quantities: Vec::new(),
            product_quantity_units: Vec::new(),
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

    /// Builds the year's data from its partition as [`read_year`] read it; product flows
    /// between and breakdowns of `countries` are kept row by row. The columns are freed
    /// once their rows are summed, before the sums are listed: on BACI-shaped data 40 MB a
    /// year that the lists would otherwise take on top.
    pub fn from_coded(
        trade_root: &Path,
        year: i32,
        mut t: Coded,
        registry: &Registry,
        countries: &[String],
    ) -> Result<YearData, IndicesError> {
        let path = || {
            tradepipe_model::schema::partition_dir(trade_root, year)
                .display()
                .to_string()
        };
        let spaces = std::mem::take(&mut t.spaces);
        let column = |name: &str, space: &str| t.text.get(name).zip(spaces.get(space));
        let text = |name: &str, space: &str| {
            column(name, space).ok_or_else(|| IndicesError::Schema {
                path: path(),
                message: format!("no text column {name:?}"),
            })
        };
        let (rep, country) = text(col::REPORTER, COUNTRY)?;
        let (par, _) = text(col::PARTNER, COUNTRY)?;
        let (flow, flows) = text(col::FLOW, col::FLOW)?;
        let (class, classes) = text(col::CLASSIFICATION, col::CLASSIFICATION)?;
        let (prod, products) = text(col::PRODUCT, col::PRODUCT)?;
        let val = t.f64.get(col::VALUE_USD).ok_or_else(|| IndicesError::Schema {
            path: path(),
            message: "no value_usd column".into(),
        })?;
        // Read (by `read_year`) where the table has total-product rows, the only ones that
        // use them.
        let provenance = || -> Result<_, IndicesError> {
            let est = t.bool.get(col::IS_ESTIMATE).ok_or_else(|| IndicesError::Schema {
                path: path(),
                message: "no is_estimate column".into(),
            })?;
            Ok((
                text(col::SOURCE, col::SOURCE)?,
                text(col::VINTAGE, col::VINTAGE)?,
                est,
            ))
        };
        let total = products.id(TOTAL);
        let provenance = total.map(|_| provenance()).transpose()?;
        // Breakdowns by province or customs regime are parts of a total, not totals. Columns
        // that are `TOTAL` on every row break nothing down: as if there were none.
        let parts = column(col::PROVINCE, PART).zip(column(col::REGIME, PART));
        let part_total = parts.and_then(|((_, space), _)| space.id(TOTAL));
        let parts = parts.filter(|((province, _), (regime, _))| {
            part_total.is_none() || province.same() != part_total || regime.same() != part_total
        });

        // What each distinct code is, worked out once: a row is then a few array lookups.
        fn name(space: &tradepipe_parquet::coded::Space, id: u32) -> &str {
            space.get(id).unwrap_or("")
        }
        let economy: Vec<bool> = country
            .values()
            .iter()
            .map(|c| registry.get(c).is_some_and(|e| e.kind.is_partner_economy()))
            .collect();
        let configured: Vec<bool> = country
            .values()
            .iter()
            .map(|c| countries.iter().any(|x| x == c))
            .collect();
        let world = country.id(WORLD);
        let flow_of: Vec<Option<Flow>> = flows.values().iter().map(|f| f.parse().ok()).collect();
        let is_section: Vec<bool> = products.values().iter().map(|k| level_of(k) == 0).collect();

        let mut rows = Vec::new();
        let mut source_ids = std::collections::HashSet::new();
        let mut cells = ProductCells::new(
            country.values().len(),
            classes.values().len(),
            products.values().len(),
        );
        let quantity = t
            .f64
            .get(col::QUANTITY)
            .zip(column(col::QUANTITY_UNIT, col::QUANTITY_UNIT));
        if quantity.is_some() {
            cells = cells.with_quantities();
        }
        let (mut pair_products, mut breakdowns) = (Vec::new(), Vec::new());
        for i in 0..t.height {
            let (r, p, f, k, v) = (rep.get(i), par.get(i), flow.get(i), prod.get(i), val[i]);
            let whole = parts.is_none_or(|((province, _), (regime, _))| {
                Some(province.get(i)) == part_total && Some(regime.get(i)) == part_total
            });
            if !whole {
                // A province or regime part of a configured reporter's total-product trade.
                let Some(((province, space), (regime, _))) = parts else {
                    unreachable!("a row is whole without breakdown columns")
                };
                let (pr, rg) = (province.get(i), regime.get(i));
                if [r, p, pr, rg].contains(&NULL) || Some(k) != total || v.is_nan() || !configured[r as usize]
                {
                    continue;
                }
                let Some(flow) = flow_of.get(f as usize).copied().flatten() else {
                    continue;
                };
                let part = match (Some(pr) == part_total, Some(rg) == part_total) {
                    (false, true) => Some(("province", pr)),
                    (true, false) => Some(("regime", rg)),
                    _ => None, // a province × regime cell is part of both
                };
                if let Some((dimension, component)) = part {
                    breakdowns.push(Breakdown {
                        reporter: name(country, r).to_owned(),
                        partner: name(country, p).to_owned(),
                        dimension,
                        component: name(space, component).to_owned(),
                        flow,
                        value: v,
                    });
                }
                continue;
            }
            if Some(k) != total {
                let c = class.get(i);
                if [r, p, f, c, k].contains(&NULL) || v.is_nan() {
                    continue;
                }
                let export = match flow_of[f as usize] {
                    Some(Flow::Export) => true,
                    Some(Flow::Import) => false,
                    _ => continue,
                };
                cells.list_country(r);
                let ki = cells.product(c, k);
                let r_configured = configured[r as usize];
                if r_configured && is_section[k as usize] {
                    breakdowns.push(Breakdown {
                        reporter: name(country, r).to_owned(),
                        partner: name(country, p).to_owned(),
                        dimension: "section",
                        component: name(products, k).to_owned(),
                        flow: if export { Flow::Export } else { Flow::Import },
                        value: v,
                    });
                }
                if Some(p) == world {
                    let side = if export {
                        Side::WorldExports
                    } else {
                        Side::WorldImports
                    };
                    cells.add(r, ki, side, v);
                    if let (true, Some((q, (unit, _)))) = (export, quantity) {
                        cells.add_export_quantity(r, ki, true, q[i], unit.get(i));
                    }
                    continue;
                }
                cells.list_country(p);
                if !economy[p as usize] || p == r {
                    continue;
                }
                if export {
                    cells.add(r, ki, Side::PartnerExports, v);
                    cells.add(p, ki, Side::Mirror, v);
                    if let Some((q, (unit, _))) = quantity {
                        cells.add_export_quantity(r, ki, false, q[i], unit.get(i));
                    }
                } else {
                    cells.add(r, ki, Side::PartnerImports, v);
                }
                if r_configured && configured[p as usize] {
                    pair_products.push(PairProduct {
                        reporter: name(country, r).to_owned(),
                        partner: name(country, p).to_owned(),
                        flow: if export { Flow::Export } else { Flow::Import },
                        classification: name(classes, c).to_owned(),
                        product: name(products, k).to_owned(),
                        value: v,
                    });
                }
                continue;
            }
            let Some(((src, _), (vin, _), est)) = provenance else {
                unreachable!("a total-product row means the product codes include TOTAL")
            };
            if [r, p, f].contains(&NULL) || v.is_nan() {
                return Err(IndicesError::Schema {
                    path: path(),
                    message: format!("row {i} has a null key or value"),
                });
            }
            let flow = name(flows, f).parse::<Flow>().map_err(|m| IndicesError::Schema {
                path: path(),
                message: format!("row {i}: {m}"),
            })?;
            rows.push(FlowRow {
                reporter: name(country, r),
                partner: name(country, p),
                flow,
                value: v,
                estimated: est[i],
            });
            source_ids.insert((src.get(i), vin.get(i)));
        }
        let provenance = provenance.map(|((_, sources), (_, vintages), _)| (sources, vintages));
        let units: Vec<String> = quantity
            .map(|(_, (_, space))| space.values().to_vec())
            .unwrap_or_default();
        drop(t);
        let mut d = YearData::from_rows(year, rows.iter().cloned(), registry);
        // Ids are recorded on total-product rows only, which exist only with provenance.
        if let Some((sources, vintages)) = provenance {
            d.sources = source_ids
                .into_iter()
                .map(|(s, v)| (name(sources, s).to_owned(), name(vintages, v).to_owned()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
        }
        let totals = cells.finish(|c| name(country, c), |c| name(classes, c), |k| name(products, k));
        d.product_exports = totals.exports;
        d.product_partners = totals.partners;
        d.product_quantities = totals.quantities;
        d.product_quantity_units = units;
        d.product_imports = totals.imports;
        d.mirrored_importers = totals.mirrored_importers;
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
