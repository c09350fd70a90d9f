//! What one year's product rows say about each (country, product), accumulated into dense
//! arrays indexed by the codes' integer ids ([`tradepipe_parquet::coded`]): a row costs a
//! few array lookups, no hashing and no string comparison.
//!
//! Each side of a cell (world or partner exports, world or partner imports, mirror imports,
//! partner count) has rows of its own, one per country, allocated when the country first has a
//! value on that side and as long as the products seen; an empty sum is NaN until its first
//! value. Data reported by partner and exports only (BACI) use three sides, 20 bytes a cell: a
//! year of 226 × 5,381 HS6 cells takes 24 MB, where one struct of all six took 58 MB. Sums run in
//! row order, as the values arrive, and [`ProductCells::finish`] emits cells sorted by (country
//! code, classification, product code): the same numbers and order on any thread.

use crate::product::ProductMatrix;

/// One side of every cell: a row per country, empty until the country's first value on this
/// side, then as long as the products seen (`empty` where no row contributed).
#[derive(Debug)]
struct SideCells<T> {
    rows: Vec<Vec<T>>,
    empty: T,
}

impl<T: Copy> SideCells<T> {
    fn new(countries: usize, empty: T) -> Self {
        SideCells {
            rows: vec![Vec::new(); countries],
            empty,
        }
    }

    // Inlined into the accumulation loop (a call per row showed as a sixth of its time);
    // the row's first allocation and growth stay out of line. `always`, here and on the
    // per-row methods below: the loop is large enough that plain `#[inline]` was declined
    // at its three `add` calls, 6 % of the stage's CPU samples as calls.
    #[inline(always)]
    fn cell(&mut self, country: u32, product: u32, n_products: usize) -> &mut T {
        let row = &mut self.rows[country as usize];
        if row.len() <= product as usize {
            Self::grow(row, product, n_products, self.empty);
        }
        &mut row[product as usize]
    }

    #[cold]
    #[inline(never)]
    fn grow(row: &mut Vec<T>, product: u32, n_products: usize, empty: T) {
        row.resize(n_products.max(product as usize + 1), empty);
    }

    /// `country`'s row, read by product index (`empty` past its end).
    fn row(&self, country: u32) -> impl Fn(u32) -> T + '_ {
        let row = self.rows[country as usize].as_slice();
        move |product| row.get(product as usize).copied().unwrap_or(self.empty)
    }

    fn row_len(&self, country: u32) -> usize {
        self.rows[country as usize].len()
    }
}

/// Adds `v` to a sum that starts at zero on its first value (`0.0 + v`, as
/// [`crate::formulas::accumulate`] does, so that `-0.0` reads the same).
fn add(sum: &mut f64, v: f64) {
    *sum = if sum.is_nan() { 0.0 + v } else { *sum + v };
}

fn present(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

/// What a year's product cells give the index tables; codes sorted, cells sorted by
/// (country, product), the same code lists in all three matrices.
#[derive(Debug, Default)]
pub struct ProductTotals {
    /// Exports by product to the world: the `WLD` row where the data has one, else the sum
    /// over partner economies.
    pub exports: ProductMatrix<f64>,
    /// `#{j: X_ij^k > 0}` of each `exports` cell, in cell order: present where the cell has
    /// exports reported by partner. Aligned with the cells rather than a matrix of its own,
    /// which took 14 MB a year on BACI and a merge pass to align.
    pub partners: Vec<Option<u32>>,
    /// Imports by product from the world: each importer's own report (`WLD` row, else the
    /// sum over partners) where it reports product imports at all, else the mirror.
    pub imports: ProductMatrix<f64>,
    /// Importers whose `imports` are mirror values.
    pub mirrored_importers: Vec<String>,
    /// Quantity and unit id of each `exports` cell, in cell order, where every row the cell
    /// sums has a quantity in one unit; empty when the table has no quantities.
    pub quantities: Vec<Option<(f64, u32)>>,
}

/// Quantities of the export cells, world and partner side apart as their values are: a
/// cell's quantity is that of the side its exports come from.
#[derive(Debug)]
struct QuantityCells {
    world: SideCells<f64>,
    partner: SideCells<f64>,
    world_unit: SideCells<u32>,
    partner_unit: SideCells<u32>,
}

/// A unit cell no row has reached yet.
const NO_ROW: u32 = u32::MAX;
/// A unit cell whose rows lack a quantity or disagree on the unit: no quantity.
const UNKNOWN: u32 = u32::MAX - 1;

#[inline(always)]
fn add_quantity(sum: &mut f64, unit: &mut u32, q: f64, u: u32) {
    if q.is_nan() || u >= UNKNOWN {
        *unit = UNKNOWN;
    } else if *unit == NO_ROW {
        (*sum, *unit) = (q, u);
    } else if *unit == u {
        *sum += q;
    } else {
        *unit = UNKNOWN;
    }
}

/// Which side of a row a value is added to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    WorldExports,
    WorldImports,
    /// An export to a partner economy; counts the partner when positive.
    PartnerExports,
    PartnerImports,
    /// A partner economy's export to this country.
    Mirror,
}

/// Cells keyed by (country id, product id) of the coded table.
#[derive(Debug)]
pub struct ProductCells {
    n_products: usize,
    /// `(classification id, product id)` → dense product index, `u32::MAX` when unseen.
    product_index: Vec<u32>,
    n_product_ids: usize,
    /// Dense product index → `(classification id, product id)`.
    products: Vec<(u32, u32)>,
    /// Country id → whether the country is listed in the matrix.
    listed: Vec<bool>,
    /// Country id → whether the country reports product imports at all (a world or partner
    /// import row), noted as rows arrive rather than by a scan of its cells.
    reports_imports: Vec<bool>,
    world_exports: SideCells<f64>,
    partner_exports: SideCells<f64>,
    world_imports: SideCells<f64>,
    partner_imports: SideCells<f64>,
    /// Partner economies' exports to this country.
    mirror_imports: SideCells<f64>,
    /// Partners with a positive export value.
    partners: SideCells<u32>,
    /// Mirror values not yet added, per importing country, in row order. A row adds to its
    /// reporter's row, which stays in cache while the (sorted) rows of one reporter pass, and
    /// to its partner's row, which is a different one every few rows: adding there at once
    /// costs a cache miss a row. Queued per partner and added a batch at a time, the same
    /// sums come out in the same order.
    mirror_queue: Vec<Vec<(u32, f64)>>,
    /// Export quantities, when the table has a quantity column.
    quantities: Option<QuantityCells>,
}

/// Mirror values a country queues before they are added to its row. Every country fills a
/// queue: 1,024 entries of 16 bytes is 3.7 MB a year for 226 countries where 8,192 took
/// 29 MB, fresh memory that the kernel must zero, for the same sums in the same order.
const MIRROR_BATCH: usize = 1024;

impl ProductCells {
    /// Cells for `countries` country ids, `classifications` × `product_ids` product keys.
    pub fn new(countries: usize, classifications: usize, product_ids: usize) -> ProductCells {
        ProductCells {
            n_products: 0,
            product_index: vec![u32::MAX; classifications * product_ids],
            n_product_ids: product_ids,
            products: Vec::new(),
            listed: vec![false; countries],
            reports_imports: vec![false; countries],
            world_exports: SideCells::new(countries, f64::NAN),
            partner_exports: SideCells::new(countries, f64::NAN),
            world_imports: SideCells::new(countries, f64::NAN),
            partner_imports: SideCells::new(countries, f64::NAN),
            mirror_imports: SideCells::new(countries, f64::NAN),
            partners: SideCells::new(countries, 0),
            mirror_queue: vec![Vec::new(); countries],
            quantities: None,
        }
    }

    /// Also sums export quantities ([`ProductCells::add_export_quantity`]).
    pub fn with_quantities(mut self) -> ProductCells {
        let countries = self.listed.len();
        self.quantities = Some(QuantityCells {
            world: SideCells::new(countries, f64::NAN),
            partner: SideCells::new(countries, f64::NAN),
            world_unit: SideCells::new(countries, NO_ROW),
            partner_unit: SideCells::new(countries, NO_ROW),
        });
        self
    }

    /// Adds an export row's quantity `q` (NaN: none) in unit id `unit` (`u32::MAX`: none) to
    /// the world or partner side of (country, product index), as [`ProductCells::add`] adds
    /// its value.
    #[inline(always)]
    pub fn add_export_quantity(&mut self, country: u32, product: u32, world: bool, q: f64, unit: u32) {
        let n = self.n_products;
        let Some(c) = &mut self.quantities else { return };
        let (sum, units) = if world {
            (&mut c.world, &mut c.world_unit)
        } else {
            (&mut c.partner, &mut c.partner_unit)
        };
        add_quantity(
            sum.cell(country, product, n),
            units.cell(country, product, n),
            q,
            unit,
        );
    }

    /// Lists `country` in the matrix even if it gets no cell (as every country of a
    /// product row is).
    #[inline(always)]
    pub fn list_country(&mut self, country: u32) {
        self.listed[country as usize] = true;
    }

    /// The dense index of a product, listing it.
    #[inline(always)]
    pub fn product(&mut self, classification: u32, product: u32) -> u32 {
        let slot = &mut self.product_index[classification as usize * self.n_product_ids + product as usize];
        if *slot == u32::MAX {
            *slot = self.n_products as u32;
            self.n_products += 1;
            self.products.push((classification, product));
        }
        *slot
    }

    /// Adds `v` to one side of (country, product index). Inlined: callers name the side as
    /// a constant, and the match on it folds away.
    #[inline(always)]
    pub fn add(&mut self, country: u32, product: u32, side: Side, v: f64) {
        self.listed[country as usize] = true;
        if side == Side::Mirror {
            let queue = &mut self.mirror_queue[country as usize];
            queue.push((product, v));
            if queue.len() >= MIRROR_BATCH {
                self.add_queued_mirror(country);
            }
            return;
        }
        if matches!(side, Side::WorldImports | Side::PartnerImports) {
            self.reports_imports[country as usize] = true;
        }
        let n = self.n_products;
        match side {
            Side::WorldExports => add(self.world_exports.cell(country, product, n), v),
            Side::WorldImports => add(self.world_imports.cell(country, product, n), v),
            Side::PartnerExports => {
                add(self.partner_exports.cell(country, product, n), v);
                *self.partners.cell(country, product, n) += u32::from(v > 0.0);
            }
            Side::PartnerImports => add(self.partner_imports.cell(country, product, n), v),
            Side::Mirror => unreachable!("queued above"),
        }
    }

    /// Adds `country`'s queued mirror values to its row, in the order they came.
    fn add_queued_mirror(&mut self, country: u32) {
        let mut queue = std::mem::take(&mut self.mirror_queue[country as usize]);
        for &(product, v) in &queue {
            let m = self.mirror_imports.cell(country, product, self.n_products);
            // The first value as it is, then sums: what the mirror column always held.
            *m = if m.is_nan() { v } else { *m + v };
        }
        // The emptied queue keeps its buffer for the next batch.
        queue.clear();
        self.mirror_queue[country as usize] = queue;
    }

    /// The matrices, codes sorted: `country(id)`, `classification(id)` and `product(id)`
    /// give the text of the coded table's ids. Built straight from the dense rows, with no
    /// intermediate cell list (a year's cells are a million on BACI).
    pub fn finish<'a>(
        mut self,
        country: impl Fn(u32) -> &'a str,
        classification: impl Fn(u32) -> &'a str,
        product: impl Fn(u32) -> &'a str,
    ) -> ProductTotals {
        for c in 0..self.mirror_queue.len() as u32 {
            self.add_queued_mirror(c);
        }
        self.mirror_queue = Vec::new();
        let mut countries: Vec<u32> = (0..self.listed.len() as u32)
            .filter(|&c| self.listed[c as usize])
            .collect();
        countries.sort_unstable_by(|&a, &b| country(a).cmp(country(b)));
        let mut order: Vec<u32> = (0..self.n_products as u32).collect();
        let key = |k: u32| {
            let (c, p) = self.products[k as usize];
            (classification(c), product(p))
        };
        order.sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
        let reporters: Vec<String> = countries.iter().map(|&c| country(c).to_owned()).collect();
        let products: Vec<(String, String)> = order
            .iter()
            .map(|&k| {
                let (c, p) = key(k);
                (c.to_owned(), p.to_owned())
            })
            .collect();
        let mut t = ProductTotals::default();
        // At most one cell per allocated row entry: reserved once, the lists (tens of MB on
        // BACI) are not copied as they grow.
        let bound: usize = countries
            .iter()
            .map(|&c| {
                [
                    &self.world_exports,
                    &self.partner_exports,
                    &self.world_imports,
                    &self.partner_imports,
                    &self.mirror_imports,
                ]
                .iter()
                .map(|side| side.row_len(c))
                .max()
                .unwrap_or(0)
            })
            .sum();
        t.exports.cells.reserve_exact(bound);
        t.partners.reserve_exact(bound);
        if self.quantities.is_some() {
            t.quantities.reserve_exact(bound);
        }
        t.imports.cells.reserve_exact(bound);
        for (r_rank, &c) in countries.iter().enumerate() {
            // An importer that reports product imports at all is taken at its word.
            let reports_imports = self.reports_imports[c as usize];
            let mut mirrored = false;
            let (world_exports, partner_exports) = (self.world_exports.row(c), self.partner_exports.row(c));
            let (world_imports, partner_imports) = (self.world_imports.row(c), self.partner_imports.row(c));
            let (mirror_imports, partners) = (self.mirror_imports.row(c), self.partners.row(c));
            let quantity = self.quantities.as_ref().map(|q| {
                let (world, partner) = (q.world.row(c), q.partner.row(c));
                let (world_unit, partner_unit) = (q.world_unit.row(c), q.partner_unit.row(c));
                move |k: u32, from_world: bool| {
                    let (sum, unit) = if from_world {
                        (world(k), world_unit(k))
                    } else {
                        (partner(k), partner_unit(k))
                    };
                    (unit < UNKNOWN).then_some((sum, unit))
                }
            });
            for (p_rank, &k) in order.iter().enumerate() {
                let (r, p) = (r_rank as u32, p_rank as u32);
                let partner_exports = partner_exports(k);
                let world = present(world_exports(k));
                let exports = world.or(present(partner_exports));
                if let Some(x) = exports {
                    t.exports.cells.push((r, p, x));
                    if let Some(q) = &quantity {
                        t.quantities.push(q(k, world.is_some()));
                    }
                    // Partner exports make an exports cell: no count is left out.
                    t.partners.push((!partner_exports.is_nan()).then(|| partners(k)));
                }
                let m = if reports_imports {
                    present(world_imports(k)).or(present(partner_imports(k)))
                } else {
                    let mirror = mirror_imports(k);
                    mirrored |= !mirror.is_nan();
                    present(mirror)
                };
                if let Some(m) = m {
                    t.imports.cells.push((r, p, m));
                }
            }
            if mirrored {
                t.mirrored_importers.push(country(c).to_owned());
            }
        }
        for m in [&mut t.exports.reporters, &mut t.imports.reporters] {
            m.clone_from(&reporters);
        }
        for m in [&mut t.exports.products, &mut t.imports.products] {
            m.clone_from(&products);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_sum_in_row_order_and_come_out_sorted_by_code() {
        let countries = ["USA", "CHN", "DEU"];
        let (classes, products) = (["HS"], ["8703", "0101"]);
        let mut m = ProductCells::new(3, 1, 2);
        let cars = m.product(0, 0);
        let horses = m.product(0, 1);
        m.add(0, cars, Side::PartnerExports, 2.0);
        m.add(0, cars, Side::PartnerExports, -0.5);
        m.add(1, horses, Side::WorldImports, 4.0);
        m.add(1, horses, Side::Mirror, 1.0);
        m.add(1, horses, Side::Mirror, 2.5);
        m.list_country(2);
        let r = m.finish(
            |c| countries[c as usize],
            |c| classes[c as usize],
            |p| products[p as usize],
        );
        assert_eq!(
            r.exports.reporters,
            ["CHN", "DEU", "USA"],
            "DEU is listed but has no cell"
        );
        assert_eq!(
            r.imports.products,
            [("HS".into(), "0101".into()), ("HS".into(), "8703".into())]
        );
        // USA exported cars to partners: 2.0 − 0.5, one partner with a positive value.
        assert_eq!(r.exports.cells, [(2, 1, 1.5)]);
        assert_eq!(r.partners, [Some(1)]);
        // CHN reports its imports (a world row), so its mirror (1.0 + 2.5) is not used; USA
        // reports none and has no mirror either.
        assert_eq!(r.imports.cells, [(0, 0, 4.0)]);
        assert!(r.mirrored_importers.is_empty());

        let mut m = ProductCells::new(3, 1, 2);
        let horses = m.product(0, 1);
        m.add(1, horses, Side::Mirror, 1.0);
        m.add(1, horses, Side::Mirror, 2.5);
        let r = m.finish(
            |c| countries[c as usize],
            |c| classes[c as usize],
            |p| products[p as usize],
        );
        assert_eq!(r.imports.cells, [(0, 0, 3.5)]);
        assert_eq!(r.mirrored_importers, ["CHN"]);
    }

    #[test]
    fn queued_mirror_values_sum_as_they_came() {
        // More values than one batch, in an order whose float sum depends on the order: the
        // queue must add them exactly as a running sum in row order would.
        let values: Vec<f64> = (0..MIRROR_BATCH * 2 + 7)
            .map(|i| if i % 3 == 0 { 1e16 } else { 1.0 + i as f64 * 1e-3 })
            .map(|v| if v > 1.0 && v < 2.0 { v } else { -v })
            .collect();
        let mut m = ProductCells::new(2, 1, 2);
        let (a, b) = (m.product(0, 0), m.product(0, 1));
        for (i, &v) in values.iter().enumerate() {
            m.add(1, if i % 2 == 0 { a } else { b }, Side::Mirror, v);
        }
        let running = |parity: usize| {
            let mut sum = f64::NAN;
            for &v in values.iter().skip(parity).step_by(2) {
                sum = if sum.is_nan() { v } else { sum + v };
            }
            sum
        };
        let r = m.finish(
            |c| ["CHN", "KAZ"][c as usize],
            |_| "HS",
            |p| ["01", "02"][p as usize],
        );
        let got: Vec<u64> = r.imports.cells.iter().map(|c| c.2.to_bits()).collect();
        assert_eq!(got, [running(0).to_bits(), running(1).to_bits()]);
        assert_eq!(r.mirrored_importers, ["KAZ"]);
    }
}
