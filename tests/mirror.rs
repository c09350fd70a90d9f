//! Mirror reconciliation on the real IMF slice: the discrepancy table pairs both reports of
//! every flow, agrees with the index table's mirror ratio, and each policy keeps what it says.

use std::path::Path;

use polars::prelude::*;

use crate::util::{Pipeline, read_json};

fn frame(root: &Path, year: i32) -> DataFrame {
    tradepipe_parquet::read_partition(root, year, None).unwrap()
}

fn s(df: &DataFrame, c: &str, i: usize) -> Option<String> {
    df.column(c).unwrap().str().unwrap().get(i).map(str::to_string)
}

fn f(df: &DataFrame, c: &str, i: usize) -> Option<f64> {
    df.column(c).unwrap().f64().unwrap().get(i)
}

fn find(df: &DataFrame, reporter: &str, partner: &str, flow: &str) -> Option<usize> {
    (0..df.height()).find(|&i| {
        s(df, "reporter", i).as_deref() == Some(reporter)
            && s(df, "partner", i).as_deref() == Some(partner)
            && s(df, "flow", i).as_deref() == Some(flow)
            && df
                .column("product")
                .map_or(true, |_| s(df, "product", i).as_deref() == Some("TOTAL"))
    })
}

fn run(policy: &str) -> Pipeline {
    let p = Pipeline::slice().edit(
        "[indices]",
        &format!("[normalize]\nmirror-policy = \"{policy}\"\n\n[indices]"),
    );
    p.run(["run"]).success();
    p
}

#[test]
fn the_discrepancy_table_pairs_both_reports_and_agrees_with_the_index_table() {
    let p = run("reported");
    let m = frame(&p.output().join("parquet/mirror"), 2010);
    let i = find(&m, "CHN", "KAZ", "export").expect("a CHN->KAZ export row");
    let (own, mirror) = (f(&m, "own_usd", i).unwrap(), f(&m, "mirror_usd", i).unwrap());
    // Hand check: the converted mirror is Kazakhstan's CIF imports / 1.06.
    assert!((f(&m, "mirror_converted_usd", i).unwrap() - mirror / 1.06).abs() < 1e-3);
    assert!((f(&m, "ratio", i).unwrap() - mirror / 1.06 / own).abs() < 1e-12);
    assert_eq!(f(&m, "chosen_usd", i), Some(own));
    assert_eq!(s(&m, "chosen_side", i).as_deref(), Some("reporter"));
    // The index stage, computing from the canonical table on its own, gets the same ratio.
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let b = t.bilateral(2010, "CHN", "KAZ").unwrap();
    assert!((b.mirror_ratio.unwrap() - mirror / own).abs() < 1e-12);
    let prov: serde_json::Value = read_json(&p.output().join("parquet/trade/_provenance.json"));
    assert_eq!(prov["mirror"]["policy"], "reported");
    assert_eq!(prov["mirror"]["filled"], 0);
    assert!(prov["mirror"]["paired"].as_u64().unwrap() > 100);
}

#[test]
fn fill_gaps_takes_missing_flows_from_the_partner_and_says_so() {
    let p = run("fill-gaps");
    let prov: serde_json::Value = read_json(&p.output().join("parquet/trade/_provenance.json"));
    let filled = prov["mirror"]["filled"].as_u64().unwrap();
    assert!(filled > 0, "the slice has flows only one side reported");
    let mut checked = 0;
    for year in 2000..=2020 {
        let m = frame(&p.output().join("parquet/mirror"), year);
        let t = frame(&p.output().join("parquet/trade"), year);
        for i in 0..m.height() {
            if s(&m, "chosen_side", i).as_deref() != Some("partner") {
                continue;
            }
            let (r, q, fl) = (
                s(&m, "reporter", i).unwrap(),
                s(&m, "partner", i).unwrap(),
                s(&m, "flow", i).unwrap(),
            );
            let k = find(&t, &r, &q, &fl).expect("the filled row is in the canonical table");
            assert_eq!(s(&t, "reported_by", k).as_deref(), Some("partner"));
            assert_eq!(
                t.column("is_estimate").unwrap().bool().unwrap().get(k),
                Some(true)
            );
            let want = match fl.as_str() {
                "export" => f(&m, "mirror_usd", i).unwrap() / 1.06,
                _ => f(&m, "mirror_usd", i).unwrap() * 1.06,
            };
            assert!((f(&t, "value_usd", k).unwrap() - want).abs() <= want.abs() * 1e-12);
            checked += 1;
        }
    }
    assert_eq!(checked as u64, filled);
}

#[test]
fn importer_first_values_exports_by_the_importers_report() {
    let p = run("importer-first");
    let t = frame(&p.output().join("parquet/trade"), 2010);
    let m = frame(&p.output().join("parquet/mirror"), 2010);
    let i = find(&m, "CHN", "KAZ", "export").unwrap();
    let k = find(&t, "CHN", "KAZ", "export").unwrap();
    let want = f(&m, "mirror_usd", i).unwrap() / 1.06;
    assert!((f(&t, "value_usd", k).unwrap() - want).abs() < 1e-3);
    assert_eq!(s(&t, "reported_by", k).as_deref(), Some("partner"));
    // Imports stay the importer's own report.
    let k = find(&t, "KAZ", "CHN", "import").unwrap();
    assert_eq!(s(&t, "reported_by", k).as_deref(), Some("reporter"));
}
