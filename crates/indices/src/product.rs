//! Product-level indices: Balassa RCA and its symmetric form, per (reporter, product), from
//! exports by product.
//!
//! Reporters and products are mapped to dense indices (sorted codes) and values accumulated
//! into an R×P matrix, so a flow split over several rows counts once, every sum runs in
//! index order, and the result does not depend on row order or thread count. "World" is the
//! sum over the reporters present (as in Stata `ecomplexity`).

use rustc_hash::FxHashMap;
use tradepipe_model::products::level_of;

pub use tradepipe_tables::ProductRow;

/// Exports of one product by one reporter (several rows of a key are summed).
#[derive(Debug, Clone, Copy)]
pub struct ProductFlow<'a> {
    pub reporter: &'a str,
    pub classification: &'a str,
    pub product: &'a str,
    pub value: f64,
}

/// A year's values by (country, product), dense: codes sorted, each cell naming its country
/// and product by index, cells sorted by (country, product).
#[derive(Debug, Clone, PartialEq)]
pub struct ProductMatrix<T> {
    pub reporters: Vec<String>,
    /// (classification, product code).
    pub products: Vec<(String, String)>,
    pub cells: Vec<(u32, u32, T)>,
}

impl<T> Default for ProductMatrix<T> {
    fn default() -> Self {
        ProductMatrix {
            reporters: Vec::new(),
            products: Vec::new(),
            cells: Vec::new(),
        }
    }
}

/// Exports (or imports) by (reporter, product), US dollars.
pub type ProductExports = ProductMatrix<f64>;

impl ProductExports {
    /// Builds the dense form from flows keyed by text (several flows of a key are summed).
    pub fn from_flows(flows: &[ProductFlow<'_>]) -> ProductExports {
        let mut b = ProductExportsBuilder::default();
        for f in flows {
            b.add(f.reporter, f.classification, f.product, f.value);
        }
        b.finish()
    }
}

/// Accumulates exports keyed by borrowed codes, hashing each code once per flow and sorting
/// only the distinct codes at the end. (The index stage's year data use the dense
/// [`crate::product_acc::ProductCells`]; this serves flows given as text.)
#[derive(Debug, Default)]
pub struct ProductExportsBuilder<'a> {
    reporters: FxHashMap<&'a str, u32>,
    products: FxHashMap<(&'a str, &'a str), u32>,
    cells: FxHashMap<(u32, u32), f64>,
}

impl<'a> ProductExportsBuilder<'a> {
    /// Adds `value` to (reporter, classification, product).
    pub fn add(&mut self, reporter: &'a str, classification: &'a str, product: &'a str, value: f64) {
        let n = self.reporters.len() as u32;
        let r = *self.reporters.entry(reporter).or_insert(n);
        let n = self.products.len() as u32;
        let k = *self.products.entry((classification, product)).or_insert(n);
        *self.cells.entry((r, k)).or_default() += value;
    }

    /// Sorts codes and cells.
    pub fn finish(self) -> ProductExports {
        let mut reporters: Vec<(&str, u32)> = self.reporters.into_iter().collect();
        reporters.sort_unstable();
        let mut products: Vec<((&str, &str), u32)> = self.products.into_iter().collect();
        products.sort_unstable();
        let mut r_rank = vec![0u32; reporters.len()];
        for (rank, (_, id)) in reporters.iter().enumerate() {
            r_rank[*id as usize] = rank as u32;
        }
        let mut p_rank = vec![0u32; products.len()];
        for (rank, (_, id)) in products.iter().enumerate() {
            p_rank[*id as usize] = rank as u32;
        }
        let mut cells: Vec<(u32, u32, f64)> = self
            .cells
            .into_iter()
            .map(|((r, k), v)| (r_rank[r as usize], p_rank[k as usize], v))
            .collect();
        cells.sort_unstable_by_key(|&(r, k, _)| (r, k));
        ProductMatrix {
            reporters: reporters.into_iter().map(|(r, _)| r.to_owned()).collect(),
            products: products
                .into_iter()
                .map(|((c, k), _)| (c.to_owned(), k.to_owned()))
                .collect(),
            cells,
        }
    }
}

/// RCA of every (reporter, product) with exports in `flows` for one year.
pub fn rca(year: i32, flows: &[ProductFlow<'_>]) -> Vec<ProductRow> {
    rca_dense(year, &ProductExports::from_flows(flows))
}

/// RCA of every cell of `e` as rows ([`ProductTable::rows`]).
pub fn rca_dense(year: i32, e: &ProductExports) -> Vec<ProductRow> {
    ProductTable::rca(year, e).rows()
}

/// One year's product table, one entry per cell of `exports`, in cell order, its codes held
/// by index: the table stays a few bytes a cell until it becomes output columns
/// ([`crate::output`]) or rows ([`ProductTable::rows`]).
#[derive(Debug)]
pub struct ProductTable<'a> {
    pub year: i32,
    pub exports: &'a ProductExports,
    pub rca: Vec<Option<f64>>,
    /// Partner count of each cell, in cell order; empty until
    /// [`ProductTable::add_market_penetration`] (read through [`ProductTable::partner_count`]).
    pub partners: Vec<Option<u32>>,
    /// Importers of each product, by product index (`#{j: M_j^k > 0}`); empty until
    /// [`ProductTable::add_market_penetration`]. A cell's market penetration is its partner
    /// count over these: kept as the two counts, not a double per cell, so the output can
    /// write it as a dictionary of the few ratios that occur.
    pub importers: Vec<u32>,
    /// Quantity and unit (index of `units`) of each cell, in cell order; empty when the data
    /// have no quantities (set by [`ProductTable::add_quantities`]).
    pub quantities: Vec<Option<(f64, u32)>>,
    pub units: Vec<String>,
}

impl<'a> ProductTable<'a> {
    /// RCA of every cell of `e`: an R×P matrix, row and column sums in index order. Products
    /// of different levels (sections, chapters, headings, subheadings) are separate
    /// universes: a reporter's total and the world's total are taken within the product's
    /// level, so coarser rows added by normalize never count twice.
    pub fn rca(year: i32, e: &'a ProductExports) -> ProductTable<'a> {
        let sorted = e.cells.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1));
        let rca = if sorted {
            rca_sparse(e)
        } else {
            rca_dense_matrix(e)
        };
        ProductTable {
            year,
            exports: e,
            rca,
            partners: Vec::new(),
            importers: Vec::new(),
            quantities: Vec::new(),
            units: Vec::new(),
        }
    }

    /// Takes the quantity of each cell, in cell order, and the unit names its ids index.
    pub fn add_quantities(&mut self, quantities: Vec<Option<(f64, u32)>>, units: Vec<String>) {
        assert!(
            quantities.is_empty() || quantities.len() == self.len(),
            "a quantity per cell"
        );
        self.quantities = quantities;
        self.units = units;
    }

    /// Quantity and unit of entry `n`.
    pub fn quantity(&self, n: usize) -> Option<(f64, &str)> {
        let (q, u) = self.quantities.get(n).copied().flatten()?;
        Some((q, self.units.get(u as usize)?.as_str()))
    }

    /// US dollars per unit of entry `n`: exports over a positive quantity.
    pub fn unit_value(&self, n: usize) -> Option<f64> {
        let (q, _) = self.quantity(n)?;
        (q > 0.0).then(|| self.value(n) / q)
    }

    pub fn len(&self) -> usize {
        self.rca.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rca.is_empty()
    }

    /// `X_i^k` of entry `n`: `x[i·P + k]` of the RCA, the cell's value summed from zero
    /// (`0.0 + v`, so that `-0.0` reads as the RCA's matrix holds it).
    pub fn value(&self, n: usize) -> f64 {
        0.0 + self.exports.cells[n].2
    }

    /// Digits of entry `n`'s product code; 0 for an HS section.
    pub fn level(&self, n: usize) -> u8 {
        level_of(self.codes(n).2)
    }

    /// `(RCA − 1) / (RCA + 1)` of entry `n`.
    pub fn rca_sym(&self, n: usize) -> Option<f64> {
        self.rca[n].map(|a| (a - 1.0) / (a + 1.0))
    }

    /// Partner count of entry `n` (none before [`ProductTable::add_market_penetration`]).
    pub fn partner_count(&self, n: usize) -> Option<u32> {
        self.partners.get(n).copied().flatten()
    }

    /// The largest partner count of any entry (none before
    /// [`ProductTable::add_market_penetration`]).
    pub fn max_partner_count(&self) -> Option<u32> {
        self.partners.iter().flatten().max().copied()
    }

    /// Market penetration of entry `n`: its partner count over its product's importers.
    pub fn market_penetration(&self, n: usize) -> Option<f64> {
        let c = self.partner_count(n)?;
        let m = self.importers[self.exports.cells[n].1 as usize];
        crate::formulas::market_penetration(c, m)
    }

    /// Reporter, classification and product codes of entry `n`.
    pub fn codes(&self, n: usize) -> (&'a str, &'a str, &'a str) {
        let (i, k, _) = self.exports.cells[n];
        let (c, p) = &self.exports.products[k as usize];
        (&self.exports.reporters[i as usize], c, p)
    }

    /// Takes `partners`, the partner count of each cell in cell order (as
    /// [`crate::product_acc::ProductTotals`] gives them), and fills `importers` with the
    /// importers of each product: `#{j: M_j^k > 0}` over `imports`' cells. `imports` has the
    /// same codes as `exports`, so a product's index is the same in both.
    pub fn add_market_penetration(&mut self, partners: Vec<Option<u32>>, imports: &ProductExports) {
        debug_assert!(imports.products == self.exports.products);
        assert_eq!(
            partners.len(),
            self.exports.cells.len(),
            "a partner count per cell"
        );
        self.importers = vec![0u32; imports.products.len()];
        for &(_, k, v) in &imports.cells {
            if v > 0.0 {
                self.importers[k as usize] += 1;
            }
        }
        self.partners = partners;
    }

    /// The table as rows.
    pub fn rows(&self) -> Vec<ProductRow> {
        (0..self.len())
            .map(|n| {
                let (reporter, classification, product) = self.codes(n);
                ProductRow {
                    year: self.year,
                    reporter: reporter.to_owned(),
                    classification: classification.to_owned(),
                    product: product.to_owned(),
                    level: self.level(n),
                    exports: self.value(n),
                    exports_real: None,
                    product_name: tradepipe_model::product_names::product_name(classification, product)
                        .map(str::to_owned),
                    rca: self.rca[n],
                    rca_sym: self.rca_sym(n),
                    partners: self.partner_count(n),
                    market_penetration: self.market_penetration(n),
                    quantity: self.quantity(n).map(|q| q.0),
                    quantity_unit: self.quantity(n).map(|q| q.1.to_owned()),
                    unit_value: self.unit_value(n),
                }
            })
            .collect()
    }
}

/// Each product's level index among the levels present, and how many levels there are.
fn level_index(e: &ProductExports) -> (Vec<usize>, usize) {
    let level: Vec<u8> = e.products.iter().map(|(_, k)| level_of(k)).collect();
    let mut levels = level.clone();
    levels.sort_unstable();
    levels.dedup();
    let li = level
        .iter()
        .map(|l| levels.binary_search(l).expect("listed"))
        .collect();
    (li, levels.len())
}

/// `X_w` of each level: the reporters' row sums (`row_sum[i * nl + l]`) added in reporter
/// order, as both RCA paths need them.
fn world_sums(row_sum: &[f64], r: usize, nl: usize) -> Vec<f64> {
    (0..nl)
        .map(|l| (0..r).map(|i| row_sum[i * nl + l]).sum())
        .collect()
}

/// `(X_i^k/X_i)/(X_w^k/X_w)` of one cell from its value and the sums, if all are positive.
fn balassa(v: f64, row: f64, col: f64, world: f64) -> Option<f64> {
    (row > 0.0 && col > 0.0 && world > 0.0).then(|| (v / row) / (col / world))
}

/// RCA over cells sorted by (reporter, product) with no key twice (as both builders of a
/// [`ProductExports`] give them), without the R×P matrix: a reporter's cells come in product
/// order and a product's in reporter order, so every sum adds the same values in the same
/// order as [`rca_dense_matrix`] (whose other terms are zeros, which change no sum that
/// starts at +0.0): the same bits, without zeroing and scanning 10 MB a year.
fn rca_sparse(e: &ProductExports) -> Vec<Option<f64>> {
    let (r, p) = (e.reporters.len(), e.products.len());
    let (li, nl) = level_index(e);
    let mut row_sum = vec![0.0f64; r * nl];
    let mut col_sum = vec![0.0f64; p];
    for &(i, k, v) in &e.cells {
        let v = 0.0 + v;
        row_sum[i as usize * nl + li[k as usize]] += v;
        col_sum[k as usize] += v;
    }
    let world = world_sums(&row_sum, r, nl);
    e.cells
        .iter()
        .map(|&(i, k, v)| {
            let l = li[k as usize];
            balassa(
                0.0 + v,
                row_sum[i as usize * nl + l],
                col_sum[k as usize],
                world[l],
            )
        })
        .collect()
}

/// RCA through the dense R×P matrix, for cells in any order (a key's values are summed).
fn rca_dense_matrix(e: &ProductExports) -> Vec<Option<f64>> {
    let (r, p) = (e.reporters.len(), e.products.len());
    let (li, nl) = level_index(e);
    let mut x = vec![0.0f64; r * p];
    for &(i, k, v) in &e.cells {
        x[i as usize * p + k as usize] += v;
    }
    // Row sums per (reporter, level), in product order.
    let mut row_sum = vec![0.0f64; r * nl];
    for i in 0..r {
        for k in 0..p {
            row_sum[i * nl + li[k]] += x[i * p + k];
        }
    }
    // Column sums row by row (one pass over the matrix, not a stride of P per value):
    // each column still adds its reporters in index order, so the sums are the same.
    let mut col_sum = vec![0.0f64; p];
    for row in x.chunks_exact(p.max(1)) {
        for (c, v) in col_sum.iter_mut().zip(row) {
            *c += v;
        }
    }
    let world = world_sums(&row_sum, r, nl);
    e.cells
        .iter()
        .map(|&(i, k, _)| {
            let (i, k) = (i as usize, k as usize);
            balassa(x[i * p + k], row_sum[i * nl + li[k]], col_sum[k], world[li[k]])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flow<'a>(r: &'a str, k: &'a str, v: f64) -> ProductFlow<'a> {
        ProductFlow {
            reporter: r,
            classification: "HS92",
            product: k,
            value: v,
        }
    }

    #[test]
    fn rows_carry_the_hs6_description_of_their_edition() {
        let rows = rca(1995, &[flow("AAA", "010111", 1.0), flow("BBB", "0101", 2.0)]);
        assert_eq!(
            rows[0].product_name.as_deref(),
            Some("Horses: live, pure-bred breeding animals")
        );
        assert_eq!(rows[1].product_name, None, "headings have no description list");
    }

    #[test]
    fn levels_are_separate_universes() {
        // Hand-computed: A exports 10 of 847130 and 30 of 020110, B 20 and 40. RCA(A, 847130) =
        // (10/40)/(30/100) = 5/6. Adding the two sections (S16 = 847130, S01 = 020110) must
        // give the sections the same RCAs and leave the subheadings' unchanged.
        let six = [
            flow("A", "847130", 10.0),
            flow("A", "020110", 30.0),
            flow("B", "847130", 20.0),
            flow("B", "020110", 40.0),
        ];
        let mut both = six.to_vec();
        both.extend([
            flow("A", "S16", 10.0),
            flow("A", "S01", 30.0),
            flow("B", "S16", 20.0),
            flow("B", "S01", 40.0),
        ]);
        let only = rca(2000, &six);
        let all = rca(2000, &both);
        let get = |rows: &[ProductRow], r: &str, k: &str| {
            rows.iter()
                .find(|x| x.reporter == r && x.product == k)
                .unwrap()
                .clone()
        };
        assert!((get(&all, "A", "847130").rca.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(get(&all, "A", "847130"), get(&only, "A", "847130"));
        assert!((get(&all, "A", "S16").rca.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(get(&all, "A", "S16").level, 0);
        assert_eq!(get(&all, "B", "S01").rca, get(&all, "B", "020110").rca);
    }

    #[test]
    fn hand_computed_rca() {
        // A exports 30 of k1 and 10 of k2; B exports 10 of k1 and 50 of k2. World 100,
        // k1 is 40% of world exports. RCA_A,k1 = (30/40)/(40/100) = 1.875.
        let rows = rca(
            2000,
            &[
                flow("A", "0101", 30.0),
                flow("A", "0102", 10.0),
                flow("B", "0101", 10.0),
                flow("B", "0102", 50.0),
            ],
        );
        let get = |r: &str, k: &str| {
            rows.iter()
                .find(|x| x.reporter == r && x.product == k)
                .unwrap()
                .clone()
        };
        assert!((get("A", "0101").rca.unwrap() - 1.875).abs() < 1e-12);
        // RCA_B,k2 = (50/60)/(60/100) = 1.3889; symmetric (RCA−1)/(RCA+1).
        let b = get("B", "0102");
        assert!((b.rca.unwrap() - 50.0 / 60.0 / 0.6).abs() < 1e-12);
        assert!((b.rca_sym.unwrap() - (b.rca.unwrap() - 1.0) / (b.rca.unwrap() + 1.0)).abs() < 1e-12);
        assert_eq!(get("A", "0101").level, 4);
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/../../tests/fixtures/peer/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// Stata's `ecomplexity` output published with py-ecomplexity: rca to rtol 1e-5 and the
    /// presence flag M exactly, for thresholds 1, 0.5 and 2.
    #[test]
    fn rca_matches_stata_ecomplexity() {
        let input = fixture("trade_data_sample.csv");
        let rows: Vec<(i32, String, String, f64)> = input
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (
                    f[0].parse().unwrap(),
                    f[1].to_owned(),
                    f[2].to_owned(),
                    f[3].parse().unwrap(),
                )
            })
            .collect();
        let mut ours = std::collections::HashMap::new();
        for year in [1995, 1996] {
            let flows: Vec<ProductFlow> = rows
                .iter()
                .filter(|r| r.0 == year)
                .map(|r| ProductFlow {
                    reporter: &r.1,
                    classification: "HS92",
                    product: &r.2,
                    value: r.3,
                })
                .collect();
            for row in rca(year, &flows) {
                ours.insert(
                    (year, row.reporter.clone(), row.product.clone()),
                    row.rca.unwrap(),
                );
            }
        }
        for (file, threshold) in [
            ("stata_ground_truth.csv", 1.0),
            ("stata_rca_05.csv", 0.5),
            ("stata_rca_2.csv", 2.0),
        ] {
            let text = fixture(file);
            let mut n = 0;
            for l in text.lines().skip(1) {
                let f: Vec<&str> = l.split(',').collect();
                let key = (f[0].parse::<i32>().unwrap(), f[1].to_owned(), f[2].to_owned());
                let stata: f64 = f[4].parse().unwrap();
                let ours = ours[&key];
                assert!(
                    (ours - stata).abs() <= 1e-5 * stata.abs(),
                    "{file} {key:?}: ours {ours}, Stata {stata}"
                );
                assert_eq!(
                    u8::from(ours >= threshold),
                    f[5].parse::<u8>().unwrap(),
                    "{file} {key:?} M"
                );
                n += 1;
            }
            assert_eq!(n, 600, "{file}");
        }
    }

    proptest! {
        /// On sorted cells with no key twice, the sparse sums give the dense matrix's RCA to
        /// the bit, over several levels and with zero and negative values.
        #[test]
        fn sparse_rca_is_the_dense_matrix_rca_to_the_bit(
            present in proptest::collection::vec(
                proptest::option::of(prop_oneof![-1e3..1e9f64, Just(0.0), Just(-0.0), 1e-300..1e-290f64]),
                4 * 6,
            ),
        ) {
            let products = ["S01", "01", "0101", "0102", "010110", "S02"];
            let e = ProductExports {
                reporters: ["A", "B", "C", "D"].map(String::from).to_vec(),
                products: products.iter().map(|k| ("HS92".to_owned(), (*k).to_owned())).collect(),
                cells: present
                    .iter()
                    .enumerate()
                    .filter_map(|(n, v)| v.map(|v| ((n / 6) as u32, (n % 6) as u32, v)))
                    .collect(),
            };
            let bits = |v: Vec<Option<f64>>| v.into_iter().map(|x| x.map(f64::to_bits)).collect::<Vec<_>>();
            prop_assert_eq!(bits(rca_sparse(&e)), bits(rca_dense_matrix(&e)));
        }

        #[test]
        fn export_weighted_mean_is_one_and_split_flows_change_nothing(
            values in proptest::collection::vec(1.0..1e9f64, 12),
            split in 0.01..0.99f64,
        ) {
            let names = ["A", "B", "C"];
            let prods = ["01", "02", "03", "04"];
            let flows: Vec<ProductFlow> = values.iter().enumerate().map(|(n, &v)| flow(names[n / 4], prods[n % 4], v)).collect();
            let rows = rca(2000, &flows);
            let world: f64 = values.iter().sum();
            for r in names {
                // Σ_k (X_w^k / X_w) · RCA_r^k = 1.
                let mean: f64 = prods.iter().map(|k| {
                    let xk: f64 = rows.iter().filter(|x| x.product == *k).map(|x| x.exports).sum();
                    let rc = rows.iter().find(|x| x.reporter == r && x.product == *k).unwrap().rca.unwrap();
                    xk / world * rc
                }).sum();
                prop_assert!((mean - 1.0).abs() < 1e-9, "{mean}");
            }
            for x in &rows {
                let s = x.rca_sym.unwrap();
                prop_assert!(s > -1.0 && s < 1.0);
            }
            // Split the first flow into two rows and shuffle: same result.
            let mut split_flows = flows.clone();
            let first = split_flows.remove(0);
            split_flows.push(ProductFlow { value: first.value * split, ..first });
            split_flows.insert(3, ProductFlow { value: first.value * (1.0 - split), ..first });
            let again = rca(2000, &split_flows);
            for (a, b) in rows.iter().zip(&again) {
                prop_assert_eq!((&a.reporter, &a.product), (&b.reporter, &b.product));
                prop_assert!((a.rca.unwrap() - b.rca.unwrap()).abs() <= 1e-12 * a.rca.unwrap());
            }
        }
    }
}
