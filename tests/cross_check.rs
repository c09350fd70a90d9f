//! Cross-check against an independent computation on real data: the HM indices and world
//! totals in `tests/fixtures/derived_china_centralasia_hm_2000_2020.csv`, computed outside
//! this project from the same IMF slice.

use tradepipe_indices::read_tables;

use crate::util::{Pipeline, fixture};

#[test]
fn hm_and_world_totals_match_the_independent_computation() {
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let t = read_tables(&p.output()).unwrap();
    let text = std::fs::read_to_string(fixture("derived_china_centralasia_hm_2000_2020.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let num = |s: &str| -> Option<f64> { (!s.is_empty()).then(|| s.parse().unwrap()) };
    let mut checked = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (year, c): (i32, &str) = (f[col("year")].parse().unwrap(), f[col("country")]);
        let out = t.bilateral(year, "CHN", c).unwrap();
        let back = t.bilateral(year, c, "CHN").unwrap();
        // Values in the reference are rounded to 6 decimals (fractions) or to 1e-6 million.
        let check = |what: &str, ours: Option<f64>, theirs: Option<f64>, tol: f64| match (ours, theirs) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= tol, "{year} {c} {what}: ours {a}, reference {b}"),
            (None, None) => {}
            (a, b) => panic!("{year} {c} {what}: ours {a:?}, reference {b:?}"),
        };
        check("HM CHN->c", out.hm, num(f[col("HM_chn_to_ca")]), 5e-7);
        check("HM c->CHN", back.hm, num(f[col("HM_ca_to_chn")]), 5e-7);
        check(
            "CHN world exports",
            out.reporter_world_exports.map(|v| v / 1e6),
            num(f[col("chn_x_world")]),
            1e-5,
        );
        check(
            "CHN exports to c",
            out.exports.map(|v| v / 1e6),
            num(f[col("chn_x_to")]),
            1e-5,
        );
        check(
            "c world imports",
            out.partner_world_imports.map(|v| v / 1e6),
            num(f[col("ca_m_world")]),
            1e-5,
        );
        checked += 1;
    }
    assert_eq!(
        checked,
        21 * 5,
        "every year and state of the reference was compared"
    );
}
