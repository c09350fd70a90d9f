//! Cross-check of every bilateral, growth and CAGR column against an independent pandas
//! implementation (`tests/reference/bilateral_indices.py`) on the full embedded IMF matrix.
//! The Python interpreter comes from `TRADEPIPE_PYTHON`, else `.venv/bin/python` (which
//! `.ci/run` creates from `tests/reference/requirements.txt`); without one the test is skipped
//! outside CI only.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use crate::util::{repo, run_in_repo};

/// Why a cross-check against the Python references cannot run.
pub const NO_PYTHON: &str = "no Python with the reference packages: .venv/bin/python (make test \
     creates it from tests/reference/requirements.txt) or TRADEPIPE_PYTHON";

pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRADEPIPE_PYTHON") {
        return Some(p.into());
    }
    let venv = repo().join(".venv/bin/python");
    venv.exists().then_some(venv)
}

pub fn read_csv(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn num(s: &str) -> Option<f64> {
    if s.is_empty() || s == "nan" {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

pub fn same(ours: Option<f64>, theirs: Option<f64>) -> bool {
    match (ours, theirs) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-300,
        _ => false,
    }
}

#[test]
fn all_indices_match_the_pandas_reference_on_the_embedded_data() {
    let Some(py) = python() else {
        return crate::util::skip(
            "all_indices_match_the_pandas_reference_on_the_embedded_data",
            NO_PYTHON,
        );
    };
    let out = tempfile::tempdir().unwrap();
    run_in_repo(&["--output", out.path().to_str().unwrap(), "-q", "run"]).success();
    let t = tradepipe_indices::read_tables(out.path()).unwrap();
    let prefix = out.path().join("ref");
    let status = Command::new(&py)
        .arg(repo().join("tests/reference/bilateral_indices.py"))
        .arg(out.path().join("parquet/trade"))
        .arg(repo().join("data"))
        .arg(t.meta.countries.join(","))
        .arg("2010-2020,2000-2020")
        .arg(&prefix)
        .arg(t.meta.index_base_year.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "reference script failed");

    let reference = read_csv(&out.path().join("ref_bilateral.csv"));
    assert_eq!(reference.len(), t.bilateral.len());
    let mut compared = 0;
    for r in &reference {
        let year: i32 = r["year"].parse().unwrap();
        let b = t
            .bilateral(year, &r["reporter"], &r["partner"])
            .expect("row present");
        let g = t
            .growth
            .iter()
            .find(|g| g.year == year && g.reporter == b.reporter && g.partner == b.partner)
            .unwrap();
        let cols: [(&str, Option<f64>); 29] = [
            ("exports", b.exports),
            ("imports", b.imports),
            ("total_trade", b.total_trade),
            ("balance", b.balance),
            ("tsc", b.tsc),
            ("export_share", b.export_share),
            ("import_share", b.import_share),
            ("trade_share", b.trade_share),
            ("rank_total", b.rank_total.map(f64::from)),
            ("hm_baldwin", b.hm_baldwin),
            ("hm_as_printed", b.hm_as_printed),
            ("hm_mirror", b.hm_mirror),
            ("tii", b.tii),
            ("tii_imports", b.tii_imports),
            ("mirror_gap", b.mirror_gap),
            ("mirror_discrepancy", b.mirror_discrepancy),
            ("balance_contribution", g.balance_contribution),
            ("mirror_exports", b.mirror_exports),
            ("mirror_imports", b.mirror_imports),
            ("mirror_ratio", b.mirror_ratio),
            ("exports_yoy", g.exports_yoy),
            ("imports_yoy", g.imports_yoy),
            ("total_trade_yoy", g.total_trade_yoy),
            ("balance_change", g.balance_change),
            (
                "total_trade_growth_contribution",
                g.total_trade_growth_contribution,
            ),
            ("exports_index", g.exports_index),
            ("imports_index", g.imports_index),
            ("total_trade_index", g.total_trade_index),
            // The configured variant (baldwin in pipeline.toml) fills `hm`.
            ("hm_baldwin", b.hm),
        ];
        for (c, ours) in cols {
            assert!(
                same(ours, num(&r[c])),
                "{year} {}->{} {c}: ours {ours:?}, pandas {}",
                b.reporter,
                b.partner,
                r[c]
            );
            compared += usize::from(ours.is_some());
        }
    }
    assert!(compared > 10_000, "compared only {compared} values");

    let reference = read_csv(&out.path().join("ref_concentration.csv"));
    assert_eq!(reference.len(), t.concentration.len());
    for r in reference {
        let year: i32 = r["year"].parse().unwrap();
        let c = t
            .concentration
            .iter()
            .find(|c| {
                c.year == year && c.reporter == r["reporter"] && c.flow == r["flow"] && c.over == "partners"
            })
            .unwrap();
        assert_eq!(
            c.count.to_string(),
            r["partners"],
            "{year} {} {} partners",
            c.reporter,
            c.flow
        );
        for (col, ours) in [("hhi", c.hhi), ("hhi_normalized", c.hhi_normalized)] {
            assert!(
                same(ours, num(&r[col])),
                "{year} {} {} {col}: ours {ours:?}, pandas {}",
                c.reporter,
                c.flow,
                r[col]
            );
        }
    }

    for r in read_csv(&out.path().join("ref_cagr.csv")) {
        let (from, to): (i32, i32) = (r["from"].parse().unwrap(), r["to"].parse().unwrap());
        let c = t
            .cagr
            .iter()
            .find(|c| {
                c.reporter == r["reporter"] && c.partner == r["partner"] && c.from == from && c.to == to
            })
            .unwrap();
        for (col, ours) in [
            ("exports_cagr", c.exports_cagr),
            ("imports_cagr", c.imports_cagr),
            ("total_trade_cagr", c.total_trade_cagr),
        ] {
            assert!(
                same(ours, num(&r[col])),
                "CAGR {from}-{to} {}->{} {col}: ours {ours:?}, pandas {}",
                c.reporter,
                c.partner,
                r[col]
            );
        }
    }
}
