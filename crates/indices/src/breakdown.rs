//! Contributions of the parts of a configured reporter's trade with one partner (provinces,
//! customs regimes, HS sections; whatever the canonical table carries) to the change of its
//! balance and to the growth of its exports and imports.
//!
//! A part's contribution to the balance change is `ΔB_c / Σ_c ΔB_c`, so the parts of one
//! (year, reporter, partner, dimension) sum to 1 whenever the total changed; growth
//! contributions are `ΔX_c / Σ_c X_c,t−1`, so they sum to the total's growth rate.

use std::collections::BTreeMap;

use tradepipe_model::Flow;

use crate::formulas::{accumulate, share};
use crate::year_data::Breakdown;
pub use tradepipe_tables::ContributionRow;

type Key = (String, String, &'static str, String);

/// (reporter, partner, dimension, component) -> (exports, imports) of one year.
fn sums(parts: &[Breakdown]) -> BTreeMap<Key, (Option<f64>, Option<f64>)> {
    let mut out: BTreeMap<Key, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for b in parts {
        let e = out
            .entry((
                b.reporter.clone(),
                b.partner.clone(),
                b.dimension,
                b.component.clone(),
            ))
            .or_default();
        let slot = match b.flow {
            Flow::Export => &mut e.0,
            Flow::Import => &mut e.1,
            Flow::ReExport | Flow::ReImport => continue,
        };
        accumulate(slot, b.value);
    }
    out
}

fn diff(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

fn balance(v: (Option<f64>, Option<f64>)) -> Option<f64> {
    diff(v.0, v.1)
}

/// Contribution rows of every year in `years` (ascending, with its breakdown rows); the first
/// year and years after a gap have levels and shares but no changes.
pub fn compute(years: &[(i32, &[Breakdown])]) -> Vec<ContributionRow> {
    let mut out = Vec::new();
    let mut prev: Option<(i32, BTreeMap<Key, (Option<f64>, Option<f64>)>)> = None;
    for &(year, parts) in years {
        let now = sums(parts);
        let before = prev.as_ref().filter(|(y, _)| *y == year - 1).map(|(_, m)| m);
        // Totals of each (reporter, partner, dimension): Σ_c over this year's parts.
        type Totals = (Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>);
        let mut totals: BTreeMap<(&str, &str, &str), Totals> = BTreeMap::new();
        // Each part with its previous-year values, looked up once.
        let parts: Vec<(
            &Key,
            (Option<f64>, Option<f64>),
            Option<(Option<f64>, Option<f64>)>,
        )> = now
            .iter()
            .map(|(k, v)| (k, *v, before.and_then(|b| b.get(k)).copied()))
            .collect();
        let add = |acc: &mut Option<f64>, v: Option<f64>| {
            if let Some(v) = v {
                accumulate(acc, v);
            }
        };
        for ((r, p, d, _), v, old) in &parts {
            let t = totals.entry((r, p, d)).or_default();
            add(&mut t.0, v.0);
            add(&mut t.1, v.1);
            add(&mut t.2, diff(balance(*v), old.and_then(balance)));
            add(&mut t.3, old.and_then(|o| o.0));
            add(&mut t.4, old.and_then(|o| o.1));
        }
        for &((r, p, d, c), v, old) in &parts {
            let (tx, tm, tdb, tx0, tm0) = totals[&(r.as_str(), p.as_str(), *d)];
            let db = diff(balance(v), old.and_then(balance));
            out.push(ContributionRow {
                year,
                reporter: r.clone(),
                partner: p.clone(),
                dimension: (*d).to_owned(),
                component: c.clone(),
                exports: v.0,
                imports: v.1,
                balance: balance(v),
                balance_change: db,
                balance_contribution: match (db, tdb) {
                    (Some(a), Some(t)) if t != 0.0 => Some(a / t),
                    _ => None,
                },
                exports_growth_contribution: share(diff(v.0, old.and_then(|o| o.0)), tx0),
                imports_growth_contribution: share(diff(v.1, old.and_then(|o| o.1)), tm0),
                exports_share: share(v.0, tx),
                imports_share: share(v.1, tm),
            });
        }
        prev = Some((year, now));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn part(component: &str, flow: Flow, value: f64) -> Breakdown {
        Breakdown {
            reporter: "CHN".into(),
            partner: "USA".into(),
            dimension: "regime",
            component: component.into(),
            flow,
            value,
        }
    }

    #[test]
    fn hand_computed_contributions() {
        // Processing: X 60 → 80, M 20 → 20 (balance 40 → 60). Ordinary: X 40 → 40, M 30 → 35
        // (balance 10 → 5). Total balance 50 → 65: processing +20/15, ordinary −5/15.
        let y0 = vec![
            part("processing", Flow::Export, 60.0),
            part("processing", Flow::Import, 20.0),
            part("ordinary", Flow::Export, 40.0),
            part("ordinary", Flow::Import, 30.0),
        ];
        let y1 = vec![
            part("processing", Flow::Export, 80.0),
            part("processing", Flow::Import, 20.0),
            part("ordinary", Flow::Export, 40.0),
            part("ordinary", Flow::Import, 35.0),
        ];
        let rows = compute(&[(2018, &y0), (2019, &y1)]);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].balance_change, None, "no 2017");
        let get = |c: &str| rows.iter().find(|r| r.year == 2019 && r.component == c).unwrap();
        let p = get("processing");
        assert!((p.balance_contribution.unwrap() - 20.0 / 15.0).abs() < 1e-12);
        assert!((get("ordinary").balance_contribution.unwrap() + 5.0 / 15.0).abs() < 1e-12);
        // Exports grew 100 → 120: processing contributes 20/100 points, ordinary 0.
        assert!((p.exports_growth_contribution.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(get("ordinary").exports_growth_contribution, Some(0.0));
        assert!((p.exports_share.unwrap() - 80.0 / 120.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn balance_contributions_sum_to_one_and_growth_ones_to_the_growth_rate(
            v0 in proptest::collection::vec((1.0..1e9f64, 1.0..1e9f64), 1..12),
            v1 in proptest::collection::vec((1.0..1e9f64, 1.0..1e9f64), 1..12),
        ) {
            let n = v0.len().min(v1.len());
            let parts = |v: &[(f64, f64)]| -> Vec<Breakdown> {
                v[..n].iter().enumerate().flat_map(|(c, &(x, m))| {
                    [part(&format!("p{c}"), Flow::Export, x), part(&format!("p{c}"), Flow::Import, m)]
                }).collect()
            };
            let (a, b) = (parts(&v0), parts(&v1));
            let rows = compute(&[(2000, &a), (2001, &b)]);
            let last: Vec<&ContributionRow> = rows.iter().filter(|r| r.year == 2001).collect();
            let db: f64 = last.iter().map(|r| r.balance_change.unwrap()).sum();
            if db.abs() > 1e-3 {
                let s: f64 = last.iter().map(|r| r.balance_contribution.unwrap()).sum();
                prop_assert!((s - 1.0).abs() < 1e-6, "{s}");
            }
            let x0: f64 = v0[..n].iter().map(|v| v.0).sum();
            let x1: f64 = v1[..n].iter().map(|v| v.0).sum();
            let g: f64 = last.iter().map(|r| r.exports_growth_contribution.unwrap()).sum();
            prop_assert!((g - (x1 / x0 - 1.0)).abs() < 1e-9);
        }
    }
}
