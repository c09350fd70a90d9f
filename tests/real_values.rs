//! Constant dollars: `[indices] deflator` and `price-base-year` on the embedded IMF slice,
//! checked against the US CPI-U computed here from `data/macro/` (BLS annual averages).

use std::collections::BTreeMap;

use crate::util::{Pipeline, read_json, repo};

/// Annual averages of the monthly CPI-U, computed independently of the pipeline.
fn cpi() -> BTreeMap<i32, f64> {
    let text = std::fs::read_to_string(repo().join("data/macro/us_cpi_u_monthly.csv")).unwrap();
    let mut months: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        months
            .entry(f[0][..4].parse().unwrap())
            .or_default()
            .push(f[1].parse().unwrap());
    }
    months
        .into_iter()
        .filter(|(_, m)| m.len() == 12)
        .map(|(y, m)| (y, m.iter().sum::<f64>() / 12.0))
        .collect()
}

#[test]
fn real_values_are_nominal_over_the_cpi_rebased_to_2010() {
    let cpi = cpi();
    let rebased = |y: i32| 100.0 * cpi[&y] / cpi[&2010];
    // The published ratios: 2015 = 108.70 and 2020 = 118.69 on 2010 = 100.
    assert_eq!((rebased(2015) * 100.0).round() / 100.0, 108.70);
    assert_eq!((rebased(2020) * 100.0).round() / 100.0, 118.69);

    let p = Pipeline::slice().edit(
        "cagr-windows = [[2010, 2020]]",
        "cagr-windows = [[2010, 2020]]\ndeflator = \"us-cpi\"\nprice-base-year = 2010",
    );
    p.run(["run"]).success();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    for year in [2010, 2015, 2020] {
        let r = t.bilateral(year, "CHN", "KAZ").unwrap();
        for (nominal, real) in [
            (r.exports, r.exports_real),
            (r.imports, r.imports_real),
            (r.total_trade, r.total_trade_real),
            (r.balance, r.balance_real),
        ] {
            let want = nominal.unwrap() / (rebased(year) / 100.0);
            let got = real.unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "{year}: {got} vs {want}"
            );
        }
    }
    let r2020 = t.bilateral(2020, "CHN", "KAZ").unwrap();
    let r2019 = t.bilateral(2019, "CHN", "KAZ").unwrap();
    let g = t
        .growth
        .iter()
        .find(|g| g.year == 2020 && g.reporter == "CHN" && g.partner == "KAZ")
        .unwrap();
    let want = r2020.exports_real.unwrap() / r2019.exports_real.unwrap() - 1.0;
    assert!((g.exports_real_yoy.unwrap() - want).abs() < 1e-12);
    assert!(
        g.exports_real_yoy.unwrap() < g.exports_yoy.unwrap(),
        "prices rose in 2020"
    );
    let c = t
        .cagr
        .iter()
        .find(|c| c.reporter == "CHN" && c.partner == "KAZ" && c.from == 2010)
        .unwrap();
    let r2010 = t.bilateral(2010, "CHN", "KAZ").unwrap();
    let want = (r2020.total_trade_real.unwrap() / r2010.total_trade_real.unwrap()).powf(0.1) - 1.0;
    assert!((c.total_trade_real_cagr.unwrap() - want).abs() < 1e-12);
    // The report: a real column beside the nominal ones, and the deflator named.
    let md = std::fs::read_to_string(p.report_dir().join("report.md")).unwrap();
    assert!(md.contains("| Total, 2010 US$ | Real YoY % |"), "{md}");
    assert!(md.contains("constant 2010 US dollars (US BLS CPI-U"), "{md}");
    let group_real: f64 = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
        .iter()
        .map(|j| t.bilateral(2020, "CHN", j).unwrap().total_trade_real.unwrap())
        .sum();
    let row = md.lines().find(|l| l.starts_with("| 2020 |")).unwrap();
    assert!(
        row.contains(&format!("| {} |", group_thousands_bn(group_real))),
        "{row} vs {group_real}"
    );
    let meta = read_json(&p.output().join("parquet/indices/_meta.json"));
    assert_eq!(meta["deflator"]["series"], "us-cpi");
    assert_eq!(meta["deflator"]["base_year"], 2010);
}

#[test]
fn without_a_deflator_the_real_columns_are_empty_and_a_bad_base_year_is_named() {
    let p = Pipeline::slice().without_reports();
    p.run(["run"]).success();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    assert!(t.bilateral.iter().all(|r| r.exports_real.is_none()));
    let p = Pipeline::slice().edit(
        "cagr-windows = [[2010, 2020]]",
        "cagr-windows = [[2010, 2020]]\ndeflator = \"us-gdp-deflator\"\nprice-base-year = 1900",
    );
    let out = p.run(["indices"]).failure(78);
    assert!(
        out.stderr
            .contains("[indices] deflator: price-base-year 1900 is outside us-gdp-deflator (1960-2025)"),
        "{}",
        out.stderr
    );
}

#[test]
fn openness_is_world_trade_over_world_bank_gdp() {
    use tradepipe_model::macro_series::{Indicator, wdi};
    let p = Pipeline::slice().without_reports();
    p.run(["run"]).success();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    for (c, year) in [("CHN", 2020), ("KAZ", 2015), ("KGZ", 2010)] {
        let b = t
            .bilateral
            .iter()
            .find(|r| r.year == year && r.reporter == c)
            .unwrap();
        let gdp = wdi(Indicator::Gdp).get(c, year).unwrap();
        let want = (b.reporter_world_exports.unwrap() + b.reporter_world_imports.unwrap()) / gdp;
        let row = t
            .country
            .iter()
            .find(|r| r.year == year && r.reporter == c)
            .unwrap();
        assert!((row.openness.unwrap() - want).abs() <= 1e-12 * want, "{c} {year}");
        let pop = wdi(Indicator::Population).get(c, year).unwrap();
        assert!((row.gdp_per_capita.unwrap() - gdp / pop).abs() <= 1e-9 * gdp / pop);
    }
    // China's merchandise trade was about a third of its GDP in 2020.
    let chn = t
        .country
        .iter()
        .find(|r| r.year == 2020 && r.reporter == "CHN")
        .unwrap();
    assert!(
        (0.25..0.40).contains(&chn.openness.unwrap()),
        "{:?}",
        chn.openness
    );
}

/// US$ billion with two decimals and grouped thousands, as the report prints them.
fn group_thousands_bn(v: f64) -> String {
    let s = format!("{:.2}", v / 1e9);
    let (int, frac) = s.split_once('.').unwrap();
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{frac}")
}
