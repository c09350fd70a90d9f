//! `[normalize] hs-target`: every product row of an HS edition other than the target becomes
//! the rows of its codes in the target edition ([`tradepipe_model::concordance`]), its value
//! and quantity split by the shares of the conversion, the last part taking the remainder so
//! that each row's value is kept to the cent. Parts that land on one key of one source (n:1
//! links) are summed; the same key from two sources is left to the usual precedence. Rows
//! keep the edition they came in as `converted_from` and the weakest rule as `conversion`.
//! Rows of `HS` as reported (no edition) or another classification are left as they are.

use std::collections::HashMap;

use tradepipe_contract::ConversionSummary;
use tradepipe_model::concordance::{self, Method};

use crate::table::{CanonicalRows, Conversion, Row};

/// Converts the rows of `t` to edition `target` (a canonical name); returns what it did.
pub(crate) fn to_edition(t: &mut CanonicalRows, target: &str) -> ConversionSummary {
    let mut summary = ConversionSummary {
        target: target.to_owned(),
        ..Default::default()
    };
    let target_id = t.text.intern(target);
    // Each (classification, product) is converted once: a year of BACI repeats 5,000 codes.
    type Parts = Vec<(u32, f64, Method)>;
    let mut cache: HashMap<(u32, u32), Option<Parts>> = HashMap::new();
    let rows = std::mem::take(&mut t.rows);
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    // Key (without year: one year at a time) and source of each row written.
    type Key = (u32, u32, tradepipe_model::Flow, u32, u32, u32, u32, u32);
    let mut at: HashMap<Key, usize> = HashMap::new();
    for r in rows {
        let parts = cache.entry((r.classification, r.product)).or_insert_with(|| {
            let from = t.text.get(r.classification);
            if r.classification == target_id || concordance::edition_index(from).is_none() {
                return None;
            }
            let code = t.text.get(r.product).to_owned();
            let parts = match concordance::convert(from, target, &code) {
                Some(parts) => parts,
                // Not a numeric code (an HS section): the same code in the target edition.
                None => vec![concordance::Part {
                    code: code.clone(),
                    share: 1.0,
                    method: Method::Moved,
                }],
            };
            Some(
                parts
                    .into_iter()
                    .map(|p| (t.text.intern(&p.code), p.share, p.method))
                    .collect(),
            )
        });
        let Some(parts) = parts else {
            // Written as read; a repeat of its key in the same source is found by the sort.
            out.push(r);
            continue;
        };
        let from_name = t.text.get(r.classification);
        let from = concordance::edition_index(from_name).expect("only editions are converted");
        *summary.rows_from.entry(from_name.to_owned()).or_default() += 1;
        let (mut value_left, mut quantity_left) = (r.value_usd, r.quantity);
        for (n, &(product, share, method)) in parts.iter().enumerate() {
            let last = n + 1 == parts.len();
            let (value, quantity) = if last {
                (value_left, quantity_left)
            } else {
                (r.value_usd * share, r.quantity * share)
            };
            value_left -= value;
            quantity_left -= quantity;
            if method == Method::Unmatched {
                summary.unmatched_codes.push(format!(
                    "{} {}",
                    t.text.get(r.classification),
                    t.text.get(product)
                ));
            }
            let row = Row {
                classification: target_id,
                product,
                value_usd: value,
                quantity,
                conversion: Conversion { method, from }.pack(),
                ..r
            };
            let key = (
                r.reporter, r.partner, r.flow, target_id, product, r.province, r.regime, r.source,
            );
            match at.get(&key) {
                Some(&i) => out[i].absorb(&row),
                None => {
                    at.insert(key, out.len());
                    out.push(row);
                }
            }
        }
    }
    for r in &out {
        if let Some(c) = Conversion::unpack(r.conversion) {
            *summary
                .rows_by_method
                .entry(c.method.as_str().to_owned())
                .or_default() += 1;
        }
    }
    summary.unmatched_codes.sort();
    summary.unmatched_codes.dedup();
    t.rows = out;
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::NOT_CONVERTED;
    use tradepipe_model::{Flow, ReportedBy};

    fn table(rows: &[(&str, &str, &str, f64)]) -> CanonicalRows {
        let mut t = CanonicalRows::default();
        for &(reporter, class, product, v) in rows {
            let row = Row {
                year: 2018,
                reporter: t.text.intern(reporter),
                partner: t.text.intern("WLD"),
                flow: Flow::Export,
                classification: t.text.intern(class),
                product: t.text.intern(product),
                province: t.text.intern("TOTAL"),
                regime: t.text.intern("TOTAL"),
                value_usd: v,
                source: t.text.intern("s"),
                vintage: t.text.intern("v"),
                reported_by: ReportedBy::Reporter,
                is_estimate: false,
                quantity: v / 10.0,
                quantity_unit: t.text.intern("t"),
                conversion: NOT_CONVERTED,
            };
            t.rows.push(row);
        }
        t
    }

    fn rows(t: &CanonicalRows) -> Vec<(String, String, String, f64, String)> {
        t.rows
            .iter()
            .map(|r| {
                let c = Conversion::unpack(r.conversion);
                let m = c.map_or("none", |c| c.method.as_str());
                let from = c.map_or(t.text.get(r.classification), |c| concordance::EDITIONS[c.from]);
                (
                    t.text.get(r.classification).to_owned(),
                    t.text.get(r.product).to_owned(),
                    from.to_owned(),
                    r.value_usd,
                    m.to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_row_is_64_bytes_and_its_conversion_packs_into_one() {
        assert_eq!(std::mem::size_of::<Row>(), 64);
        for (k, _) in concordance::EDITIONS.iter().enumerate() {
            for m in Method::ALL {
                let c = Conversion { method: m, from: k };
                assert_eq!(Conversion::unpack(c.pack()), Some(c));
            }
        }
        assert_eq!(Conversion::unpack(NOT_CONVERTED), None);
    }

    #[test]
    fn n_to_one_parts_of_one_source_are_summed() {
        // HS17 300211 and 300213 both go back to HS12 300210.
        let mut t = table(&[("CHN", "HS17", "300211", 10.0), ("CHN", "HS17", "300213", 5.0)]);
        let s = to_edition(&mut t, "HS12");
        assert_eq!(
            rows(&t),
            vec![(
                "HS12".into(),
                "300210".into(),
                "HS17".into(),
                15.0,
                "moved".into()
            )]
        );
        assert!((t.rows[0].quantity - 1.5).abs() < 1e-12);
        assert_eq!(s.rows_from["HS17"], 2);
        assert_eq!(s.rows_by_method["moved"], 1);
    }

    #[test]
    fn rows_of_the_target_or_of_no_edition_are_left_alone() {
        let mut t = table(&[
            ("CHN", "HS12", "010121", 1.0),
            ("CHN", "HS", "010121", 2.0),
            ("CHN", "TOTAL", "TOTAL", 3.0),
        ]);
        to_edition(&mut t, "HS12");
        let got: Vec<_> = rows(&t).into_iter().map(|r| (r.0, r.3, r.4)).collect();
        assert_eq!(
            got,
            vec![
                ("HS12".into(), 1.0, "none".into()),
                ("HS".into(), 2.0, "none".into()),
                ("TOTAL".into(), 3.0, "none".into())
            ]
        );
    }

    #[test]
    fn a_split_keeps_the_value_and_quantity() {
        let mut t = table(&[("DEU", "HS22", "382211", 1234.56)]);
        let s = to_edition(&mut t, "HS17");
        assert_eq!(t.rows.len(), 4);
        assert!((t.rows.iter().map(|r| r.value_usd).sum::<f64>() - 1234.56).abs() < 1e-9);
        assert!((t.rows.iter().map(|r| r.quantity).sum::<f64>() - 123.456).abs() < 1e-9);
        assert_eq!(s.rows_by_method["equal-split"], 4);
    }

    proptest::proptest! {
        /// Per flow, conversion keeps the total, whatever the codes, editions and values.
        #[test]
        fn totals_are_kept_per_flow(
            cells in proptest::collection::vec((0usize..3, 0usize..7, 0usize..400, 0.0f64..1e9), 1..40),
            target in 0usize..7,
        ) {
            let eds = concordance::EDITIONS;
            let reporters = ["CHN", "DEU", "KAZ"];
            let input: Vec<(&str, &str, &'static str, f64)> = cells
                .iter()
                .map(|&(r, e, c, v)| {
                    let codes = concordance::codes_of(eds[e]);
                    (reporters[r], eds[e], codes[c % codes.len()], v)
                })
                .collect();
            let mut t = table(&input);
            let before: Vec<f64> = reporters
                .iter()
                .map(|rep| input.iter().filter(|x| x.0 == *rep).map(|x| x.3).sum())
                .collect();
            to_edition(&mut t, eds[target]);
            for (rep, want) in reporters.iter().zip(before) {
                let id = t.text.lookup(rep);
                let got: f64 = t.rows.iter().filter(|r| Some(r.reporter) == id).map(|r| r.value_usd).sum();
                proptest::prop_assert!((got - want).abs() <= 1e-9 * want.max(1.0), "{rep}: {got} vs {want}");
            }
            proptest::prop_assert!(t.rows.iter().all(|r| t.text.get(r.classification) == eds[target]));
        }
    }
}
