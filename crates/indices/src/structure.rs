//! Product-structure indices of configured pairs: trade complementarity and export similarity
//! (from each side's product mix with the world) and Grubel–Lloyd intra-industry trade (from
//! the pair's own product flows), per product level.
//!
//! Products of different levels are separate universes, as in RCA: a level's shares are taken
//! within that level, so the sections and chapters normalize adds never count twice.

use std::collections::BTreeMap;

use tradepipe_model::Flow;
use tradepipe_model::products::level_of;

use crate::formulas::{
    accumulate, export_similarity, grubel_lloyd, grubel_lloyd_aggregate, trade_complementarity,
};
use crate::product::ProductExports;
use crate::year_data::{PairProduct, YearData};
pub use tradepipe_tables::{PairStructureRow, ProductPairRow};

/// `country`'s row of `m`, split by product level: values of the products of each level, in
/// product order.
pub fn by_level(m: &ProductExports, country: &str) -> Vec<(u8, Vec<f64>)> {
    let dense = dense_row(m, country);
    let mut levels: BTreeMap<u8, Vec<f64>> = BTreeMap::new();
    for (k, (_, code)) in m.products.iter().enumerate() {
        if let Some(v) = dense.as_ref().and_then(|d| d[k]) {
            levels.entry(level_of(code)).or_default().push(v);
        }
    }
    levels.into_iter().collect()
}

/// `country`'s values by product id, `None` where it has no cell.
fn dense_row(m: &ProductExports, country: &str) -> Option<Vec<Option<f64>>> {
    let r = m.reporters.binary_search_by(|c| c.as_str().cmp(country)).ok()? as u32;
    let start = m.cells.partition_point(|c| c.0 < r);
    let mut out = vec![None; m.products.len()];
    for &(_, k, v) in m.cells[start..].iter().take_while(|c| c.0 == r) {
        out[k as usize] = Some(v);
    }
    Some(out)
}

/// Aligned `(a^k, b^k)` over the products of `level` either side has, absent values as 0.
fn aligned(m: &ProductExports, a: &[Option<f64>], b: &[Option<f64>], level: u8) -> Vec<(f64, f64)> {
    (0..m.products.len())
        .filter(|&k| level_of(&m.products[k].1) == level && (a[k].is_some() || b[k].is_some()))
        .map(|k| (a[k].unwrap_or(0.0), b[k].unwrap_or(0.0)))
        .collect()
}

/// The pair-structure rows of every ordered pair and the product rows behind their GL.
pub fn compute(d: &YearData, pairs: &[(String, String)]) -> (Vec<PairStructureRow>, Vec<ProductPairRow>) {
    let product_rows = product_pairs(d, pairs);
    let mut levels: Vec<u8> = d
        .product_exports
        .products
        .iter()
        .map(|(_, k)| level_of(k))
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let mut out = Vec::new();
    let (x, m) = (&d.product_exports, &d.product_imports);
    for (i, j) in pairs {
        let none = vec![None; x.products.len()];
        let xi = dense_row(x, i).unwrap_or_else(|| none.clone());
        let xj = dense_row(x, j).unwrap_or_else(|| none.clone());
        let mj = dense_row(m, j).unwrap_or(none);
        let side = if d.mirrored_importers.binary_search(j).is_ok() {
            "mirror"
        } else {
            "reported"
        };
        for &level in &levels {
            let gl: Vec<(f64, f64)> = product_rows
                .iter()
                .filter(|r| &r.reporter == i && &r.partner == j && r.level == level)
                .map(|r| (r.exports.unwrap_or(0.0), r.imports.unwrap_or(0.0)))
                .collect();
            out.push(PairStructureRow {
                year: d.year,
                reporter: i.clone(),
                partner: j.clone(),
                level,
                trade_complementarity: trade_complementarity(&aligned(x, &xi, &mj, level)),
                export_similarity: export_similarity(&aligned(x, &xi, &xj, level)),
                grubel_lloyd: grubel_lloyd_aggregate(&gl),
                products: gl.iter().filter(|(a, b)| a + b > 0.0).count() as u32,
                partner_imports_side: side.to_owned(),
            });
        }
    }
    (out, product_rows)
}

/// Per (pair, product): i's exports to j, and i's imports from j from i's report, or where i
/// reports no product imports from j at all, j's exports to i.
fn product_pairs(d: &YearData, pairs: &[(String, String)]) -> Vec<ProductPairRow> {
    type Key<'a> = (&'a str, &'a str, &'a str, &'a str);
    fn key(p: &PairProduct) -> Key<'_> {
        (&p.reporter, &p.partner, &p.classification, &p.product)
    }
    // (reporter, partner, classification, product) -> (exports, imports) in i's report, in
    // key order. Sorted, not a map: a map of four-string keys took 4 % of the stage at 10M
    // rows (ten thousand rows a year between two large economies). The sort is stable, so a
    // key's values are summed in row order, as before; rows arrive nearly sorted.
    let mut rows: Vec<&PairProduct> = d.pair_products.iter().collect();
    rows.sort_by(|a, b| key(a).cmp(&key(b)));
    let mut own: Vec<(Key<'_>, (Option<f64>, Option<f64>))> = Vec::new();
    for p in rows {
        if own.last().is_none_or(|(last, _)| *last != key(p)) {
            own.push((key(p), (None, None)));
        }
        let e = &mut own.last_mut().expect("pushed above").1;
        let slot = if p.flow == Flow::Export {
            &mut e.0
        } else {
            &mut e.1
        };
        accumulate(slot, p.value);
    }
    let mut out = Vec::new();
    // The keys of `reporter`'s report on `partner`, sorted by (classification, product).
    let report = |reporter: &str, partner: &str| {
        let lo = own.partition_point(|((r, p, _, _), _)| (*r, *p) < (reporter, partner));
        let hi = own.partition_point(|((r, p, _, _), _)| (*r, *p) <= (reporter, partner));
        &own[lo..hi]
    };
    for (i, j) in pairs {
        let ij = report(i, j);
        let reports_imports = ij.iter().any(|(_, v)| v.1.is_some());
        let mut rows: Vec<((&str, &str), (Option<f64>, Option<f64>))> = ij
            .iter()
            .map(|((_, _, c, k), (x, m))| ((*c, *k), (*x, if reports_imports { *m } else { None })))
            .collect();
        if !reports_imports {
            // j's exports to i stand in for i's imports; a product i also reports has its
            // entry first (the sort is stable) and takes j's value as its imports.
            rows.extend(
                report(j, i)
                    .iter()
                    .filter_map(|((_, _, c, k), (x, _))| x.map(|x| ((*c, *k), (None, Some(x))))),
            );
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            rows.dedup_by(|later, first| {
                let same = later.0 == first.0;
                if same {
                    first.1.1 = later.1.1;
                }
                same
            });
        }
        for ((c, k), (x, m)) in rows {
            let gl = grubel_lloyd(x.unwrap_or(0.0), m.unwrap_or(0.0));
            out.push(ProductPairRow {
                year: d.year,
                reporter: i.clone(),
                partner: j.clone(),
                classification: c.to_owned(),
                product: k.to_owned(),
                level: level_of(k),
                exports: x,
                imports: m,
                imports_side: if reports_imports { "reported" } else { "mirror" }.to_owned(),
                grubel_lloyd: gl,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::ProductExportsBuilder;
    use crate::year_data::PairProduct;
    use tradepipe_model::Registry;

    fn matrix(cells: &[(&'static str, &'static str, f64)]) -> ProductExports {
        let mut b = ProductExportsBuilder::default();
        for &(r, k, v) in cells {
            b.add(r, "HS92", k, v);
        }
        b.finish()
    }

    fn flow(r: &str, p: &str, flow: Flow, k: &str, value: f64) -> PairProduct {
        PairProduct {
            reporter: r.into(),
            partner: p.into(),
            flow,
            classification: "HS92".into(),
            product: k.into(),
            value,
        }
    }

    fn year() -> YearData {
        let mut d = YearData::from_rows(2019, std::iter::empty(), &Registry::embedded());
        // CHN exports 60 of 01, 40 of 02; KAZ exports 10 of 01, 90 of 02.
        d.product_exports = matrix(&[
            ("CHN", "01", 60.0),
            ("CHN", "02", 40.0),
            ("KAZ", "01", 10.0),
            ("KAZ", "02", 90.0),
        ]);
        // KAZ imports 20 of 01, 80 of 02.
        d.product_imports = matrix(&[("KAZ", "01", 20.0), ("KAZ", "02", 80.0)]);
        d.product_partners = Vec::new();
        d.pair_products = vec![
            flow("CHN", "KAZ", Flow::Export, "01", 30.0),
            flow("CHN", "KAZ", Flow::Export, "02", 10.0),
            // CHN reports no imports from KAZ: its mirror (KAZ's exports to CHN) stands in.
            flow("KAZ", "CHN", Flow::Export, "01", 10.0),
            flow("KAZ", "CHN", Flow::Import, "01", 28.0),
        ];
        d
    }

    #[test]
    fn hand_computed_pair_structure() {
        let d = year();
        let pairs = vec![
            ("CHN".to_owned(), "KAZ".to_owned()),
            ("KAZ".to_owned(), "CHN".to_owned()),
        ];
        let (s, p) = compute(&d, &pairs);
        let chn_kaz = &s[0];
        // TC: CHN's mix (.6,.4) against KAZ's imports (.2,.8): 100·(1 − ½·0.8) = 60.
        assert!((chn_kaz.trade_complementarity.unwrap() - 60.0).abs() < 1e-9);
        // ES: min(.6,.1) + min(.4,.9) = 0.5.
        assert!((chn_kaz.export_similarity.unwrap() - 50.0).abs() < 1e-9);
        // GL over (30, 10 mirror) and (10, 0): 1 − (20 + 10)/50 = 0.4.
        assert!((chn_kaz.grubel_lloyd.unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(chn_kaz.products, 2);
        let row01 = p
            .iter()
            .find(|r| r.reporter == "CHN" && r.product == "01")
            .unwrap();
        assert_eq!(
            (row01.imports, row01.imports_side.as_str()),
            (Some(10.0), "mirror")
        );
        assert!((row01.grubel_lloyd.unwrap() - 0.5).abs() < 1e-12);
        // KAZ reports its own imports from CHN (28 of 01), so they are used, not CHN's exports.
        let kaz01 = p
            .iter()
            .find(|r| r.reporter == "KAZ" && r.product == "01")
            .unwrap();
        assert_eq!(
            (kaz01.exports, kaz01.imports, kaz01.imports_side.as_str()),
            (Some(10.0), Some(28.0), "reported")
        );
        // TC of KAZ -> CHN: CHN reports no imports here, so it is absent, not zero.
        assert_eq!(s[1].trade_complementarity, None);
    }

    #[test]
    fn product_rows_merge_own_exports_with_the_mirror_in_product_order() {
        let mut d = year();
        // Rows out of key order, one key twice: CHN's two exports of 01 are summed; KAZ's
        // export of 03 is a mirror import of a product CHN does not export.
        d.pair_products = vec![
            flow("KAZ", "CHN", Flow::Export, "03", 5.0),
            flow("CHN", "KAZ", Flow::Export, "01", 30.0),
            flow("KAZ", "CHN", Flow::Export, "01", 10.0),
            flow("CHN", "KAZ", Flow::Export, "01", 2.5),
        ];
        let rows = product_pairs(&d, &[("CHN".to_owned(), "KAZ".to_owned())]);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.product.as_str(), r.exports, r.imports, r.imports_side.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("01", Some(32.5), Some(10.0), "mirror"),
                ("03", None, Some(5.0), "mirror")
            ]
        );
    }
}
