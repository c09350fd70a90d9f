//! Time tables: year-on-year growth, index numbers and contributions per pair and year, CAGR
//! per pair and window.

use crate::bilateral::BilateralRow;
use crate::formulas::{cagr, contribution, index_100, share, sum_present, yoy};
pub use tradepipe_tables::{CagrRow, GrowthRow};

/// The bilateral rows by (year, reporter, partner), built once per table so that looking up
/// a row's previous or base year is not a scan of every row.
struct ByKey<'a>(std::collections::HashMap<(i32, &'a str, &'a str), &'a BilateralRow>);

impl<'a> ByKey<'a> {
    fn new(rows: &'a [BilateralRow]) -> Self {
        ByKey(
            rows.iter()
                .map(|r| ((r.year, r.reporter.as_str(), r.partner.as_str()), r))
                .collect(),
        )
    }
    fn find(&self, year: i32, i: &str, j: &str) -> Option<&'a BilateralRow> {
        self.0.get(&(year, i, j)).copied()
    }
}

fn world_balance(r: &BilateralRow) -> Option<f64> {
    Some(r.reporter_world_exports? - r.reporter_world_imports?)
}

fn world_trade(r: &BilateralRow) -> Option<f64> {
    sum_present([r.reporter_world_exports, r.reporter_world_imports])
}

/// A growth row for every bilateral row: YoY and contributions where the previous year is
/// present, index numbers where the `index_base` year is.
pub fn growth(rows: &[BilateralRow], index_base: i32) -> Vec<GrowthRow> {
    let by_key = ByKey::new(rows);
    rows.iter()
        .map(|r| {
            let prev = by_key.find(r.year - 1, &r.reporter, &r.partner);
            let base = by_key.find(index_base, &r.reporter, &r.partner);
            let p = |f: fn(&BilateralRow) -> Option<f64>| prev.and_then(f);
            let b = |f: fn(&BilateralRow) -> Option<f64>| base.and_then(f);
            GrowthRow {
                year: r.year,
                reporter: r.reporter.clone(),
                partner: r.partner.clone(),
                exports_yoy: yoy(r.exports, p(|b| b.exports)),
                imports_yoy: yoy(r.imports, p(|b| b.imports)),
                total_trade_yoy: yoy(r.total_trade, p(|b| b.total_trade)),
                balance_change: match (r.balance, p(|b| b.balance)) {
                    (Some(a), Some(b)) => Some(a - b),
                    _ => None,
                },
                balance_contribution: contribution(
                    r.balance,
                    p(|b| b.balance),
                    world_balance(r),
                    prev.and_then(world_balance),
                ),
                total_trade_growth_contribution: share(
                    r.total_trade.zip(p(|b| b.total_trade)).map(|(a, b)| a - b),
                    prev.and_then(world_trade),
                ),
                exports_index: index_100(r.exports, b(|x| x.exports)),
                imports_index: index_100(r.imports, b(|x| x.imports)),
                total_trade_index: index_100(r.total_trade, b(|x| x.total_trade)),
                index_base,
                exports_real_yoy: yoy(r.exports_real, p(|b| b.exports_real)),
                imports_real_yoy: yoy(r.imports_real, p(|b| b.imports_real)),
                total_trade_real_yoy: yoy(r.total_trade_real, p(|b| b.total_trade_real)),
                total_trade_real_index: index_100(r.total_trade_real, b(|x| x.total_trade_real)),
            }
        })
        .collect()
}

/// CAGR rows for every pair present in `rows` and every window.
pub fn cagr_rows(rows: &[BilateralRow], windows: &[[i32; 2]]) -> Vec<CagrRow> {
    let by_key = ByKey::new(rows);
    let mut pairs: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.reporter.as_str(), r.partner.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = Vec::new();
    for &[from, to] in windows {
        for &(i, j) in &pairs {
            let (a, b) = (by_key.find(from, i, j), by_key.find(to, i, j));
            let c = |f: fn(&BilateralRow) -> Option<f64>| cagr(a.and_then(f), b.and_then(f), to - from);
            out.push(CagrRow {
                reporter: i.to_owned(),
                partner: j.to_owned(),
                from,
                to,
                exports_cagr: c(|r| r.exports),
                imports_cagr: c(|r| r.imports),
                total_trade_cagr: c(|r| r.total_trade),
                exports_real_cagr: c(|r| r.exports_real),
                imports_real_cagr: c(|r| r.imports_real),
                total_trade_real_cagr: c(|r| r.total_trade_real),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bilateral::compute;
    use crate::year_data::{FlowRow, YearData};
    use tradepipe_model::config::{HmVariant, WorldChoice};
    use tradepipe_model::{Flow, Registry};

    fn year(y: i32, x: f64, m: f64) -> BilateralRow {
        let rows = [
            FlowRow {
                reporter: "CHN",
                partner: "KAZ",
                flow: Flow::Export,
                value: x,
                estimated: false,
            },
            FlowRow {
                reporter: "CHN",
                partner: "KAZ",
                flow: Flow::Import,
                value: m,
                estimated: false,
            },
            // CHN's world totals: twice the pair's.
            FlowRow {
                reporter: "CHN",
                partner: "WLD",
                flow: Flow::Export,
                value: 2.0 * x,
                estimated: false,
            },
            FlowRow {
                reporter: "CHN",
                partner: "WLD",
                flow: Flow::Import,
                value: 2.0 * m,
                estimated: false,
            },
        ];
        compute(
            &YearData::from_rows(y, rows, &Registry::embedded()),
            "CHN",
            "KAZ",
            HmVariant::Baldwin,
            WorldChoice::Source,
        )
    }

    #[test]
    fn hand_computed_growth_and_cagr() {
        let rows = vec![
            year(2010, 100.0, 50.0),
            year(2011, 110.0, 40.0),
            year(2012, 121.0, 60.0),
        ];
        let g = growth(&rows, 2011);
        assert_eq!(g[0].total_trade_yoy, None, "no 2009");
        // 2011: exports 110/100 − 1, total 150/150 − 1, balance 70 − 50.
        assert!((g[1].exports_yoy.unwrap() - 0.1).abs() < 1e-12);
        assert!(g[1].total_trade_yoy.unwrap().abs() < 1e-12);
        assert_eq!(g[1].balance_change, Some(20.0));
        // Index 2011 = 100: 2010 total 150/150, 2012 exports 121/110.
        assert!((g[0].total_trade_index.unwrap() - 100.0).abs() < 1e-12);
        assert!((g[2].exports_index.unwrap() - 110.0).abs() < 1e-12);
        assert_eq!(g[2].index_base, 2011);
        // KAZ's part of CHN's trade growth in 2012: (181 − 150) / 300.
        assert!((g[2].total_trade_growth_contribution.unwrap() - 31.0 / 300.0).abs() < 1e-12);
        let c = cagr_rows(&rows, &[[2010, 2012]]);
        assert_eq!(c.len(), 1);
        assert!((c[0].exports_cagr.unwrap() - 0.1).abs() < 1e-12);
        // Total 150 -> 181 over 2 years.
        assert!((c[0].total_trade_cagr.unwrap() - ((181.0f64 / 150.0).sqrt() - 1.0)).abs() < 1e-12);
    }
}
