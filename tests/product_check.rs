//! Cross-check of the product-level tables (product, concentration over products, pair
//! structure, contribution) against the independent pandas reference
//! `tests/reference/product_indices.py`, on three datasets:
//! * real exports by country and HS4 product (the py-ecomplexity sample, 1995–1996),
//! * seeded BACI-shaped bilateral data from `bench/generate.py` (exports only, so importers'
//!   imports are mirrored),
//! * the ILLUSTRATIVE customs tables (province × regime × partner, HS chapters summed to
//!   sections by normalize).

use std::path::Path;
use std::process::Command;

use crate::reference_check::{num, python, read_csv, same};
use crate::util::{Pipeline, fixture, read_json, repo};

/// Sources TOML for the ILLUSTRATIVE customs tables (values in USD million).
pub fn customs_example_sources() -> String {
    format!(
        r#"[[source]]
name = "customs-province-regime"
kind = "file"
format = "table-csv"
path = "{a}"
vintage = "ILLUSTRATIVE example, not real data"
[source.columns]
year = "Year"
reporter-code = "CHN"
partner = "Partner"
flow = "Flow"
province = "Province"
regime = "Regime"
value = "Value (USD million)"
value-scale = 1e6

[[source]]
name = "customs-hs2"
kind = "file"
format = "table-csv"
path = "{b}"
vintage = "ILLUSTRATIVE example, not real data"
[source.columns]
year = "Year"
reporter-code = "CHN"
partner = "Partner"
flow = "Flow"
product = "HS"
classification = "HS"
value = "Value (USD million)"
value-scale = 1e6

[normalize]
product-levels = ["section"]

"#,
        a = fixture("customs/ILLUSTRATIVE_customs_province_regime_2017_2018.csv").display(),
        b = fixture("customs/ILLUSTRATIVE_customs_hs2_2017_2018.csv").display(),
    )
}

/// The ILLUSTRATIVE customs tables for 2017–2018 with a yearly report `customs` on China's
/// trade with the US (under `output/reports/customs/`).
pub fn customs_example_with_report() -> Pipeline {
    Pipeline::with_sources(&customs_example_sources(), 2017, 2018).edit(
        "countries = [\"CHN\", \"USA\"]\n",
        "countries = [\"CHN\", \"USA\"]\ncagr-windows = [[2017, 2018]]\n\n[[report]]\nname = \"customs\"\n\
         title = \"ILLUSTRATIVE\"\nfocus = \"CHN\"\npartners = [\"USA\"]\ngroup-name = \"the US\"\ncagr-window = [2017, 2018]\n",
    )
}

/// Runs the reference on `output`'s trade table and compares every product-level table.
/// Returns how many values were compared.
fn compare(py: &Path, output: &Path, countries: &[&str]) -> usize {
    let t = tradepipe_indices::read_tables(output).unwrap();
    let prefix = output.join("ref");
    let status = Command::new(py)
        .arg(repo().join("tests/reference/product_indices.py"))
        .arg(output.join("parquet/trade"))
        .arg(repo().join("data"))
        .arg(countries.join(","))
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success(), "reference script failed");
    let file = |name: &str| read_csv(&output.join(format!("ref_{name}.csv")));
    other_readers_see_our_product_table(py, output, &t.product);
    let mut compared = 0;
    let mut check = |what: String, ours: Option<f64>, theirs: &str| {
        assert!(same(ours, num(theirs)), "{what}: ours {ours:?}, pandas {theirs}");
        compared += usize::from(ours.is_some());
    };

    let reference = file("product");
    assert_eq!(reference.len(), t.product.len(), "product rows");
    let ours: std::collections::HashMap<(i32, &str, &str), &tradepipe_indices::ProductRow> = t
        .product
        .iter()
        .map(|r| ((r.year, r.reporter.as_str(), r.product.as_str()), r))
        .collect();
    for r in &reference {
        let key = (
            r["year"].parse::<i32>().unwrap(),
            r["reporter"].as_str(),
            r["product"].as_str(),
        );
        let o = ours[&key];
        for (c, v) in [
            ("exports", Some(o.exports)),
            ("rca", o.rca),
            ("rca_sym", o.rca_sym),
            ("partners", o.partners.map(f64::from)),
            ("market_penetration", o.market_penetration),
        ] {
            check(format!("product {key:?} {c}"), v, &r[c]);
        }
    }

    let reference = file("concentration");
    let ours: Vec<_> = t.concentration.iter().filter(|c| c.over == "products").collect();
    assert_eq!(reference.len(), ours.len(), "concentration-over-products rows");
    for r in &reference {
        let c = ours
            .iter()
            .find(|c| {
                c.year.to_string() == r["year"]
                    && c.reporter == r["reporter"]
                    && c.flow == r["flow"]
                    && c.level.map(|l| l.to_string()).as_deref() == Some(r["level"].as_str())
            })
            .unwrap_or_else(|| panic!("no concentration row for {r:?}"));
        assert_eq!(c.count.to_string(), r["count"]);
        check(format!("hhi {r:?}"), c.hhi, &r["hhi"]);
        check(
            format!("hhi_normalized {r:?}"),
            c.hhi_normalized,
            &r["hhi_normalized"],
        );
    }

    let reference = file("pair_structure");
    assert_eq!(reference.len(), t.pair_structure.len(), "pair-structure rows");
    for r in &reference {
        let s = t
            .pair_structure
            .iter()
            .find(|s| {
                s.year.to_string() == r["year"]
                    && s.reporter == r["reporter"]
                    && s.partner == r["partner"]
                    && s.level.to_string() == r["level"]
            })
            .unwrap();
        assert_eq!(s.products.to_string(), r["products"]);
        assert_eq!(s.partner_imports_side, r["partner_imports_side"]);
        check(
            format!("tc {r:?}"),
            s.trade_complementarity,
            &r["trade_complementarity"],
        );
        check(format!("es {r:?}"), s.export_similarity, &r["export_similarity"]);
        check(format!("gl {r:?}"), s.grubel_lloyd, &r["grubel_lloyd"]);
    }

    let reference = file("contribution");
    assert_eq!(reference.len(), t.contribution.len(), "contribution rows");
    for r in &reference {
        let c = t
            .contribution
            .iter()
            .find(|c| {
                c.year.to_string() == r["year"]
                    && c.reporter == r["reporter"]
                    && c.partner == r["partner"]
                    && c.dimension == r["dimension"]
                    && c.component == r["component"]
            })
            .unwrap();
        for (col, v) in [
            ("exports", c.exports),
            ("imports", c.imports),
            ("balance", c.balance),
            ("balance_change", c.balance_change),
            ("balance_contribution", c.balance_contribution),
            ("exports_growth_contribution", c.exports_growth_contribution),
            ("imports_growth_contribution", c.imports_growth_contribution),
            ("exports_share", c.exports_share),
            ("imports_share", c.imports_share),
        ] {
            check(format!("contribution {r:?} {col}"), v, &r[col]);
        }
    }
    compared
}

/// Reads `table` (a file or a Hive-partitioned directory) with DuckDB and pyarrow into
/// `<prefix>_duckdb.csv` and `<prefix>_pyarrow.csv`, ordered by `keys` (the script's default
/// when none).
fn read_with(py: &Path, table: &Path, prefix: &Path, keys: &[&str]) {
    let out = Command::new(py)
        .arg(repo().join("tests/reference/read_with.py"))
        .args([table, prefix])
        .args(keys)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "read_with.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// DuckDB and pyarrow read the product table (whose columns tradepipe encodes itself) as
/// tradepipe's reader does: every row, every value to the bit.
fn other_readers_see_our_product_table(py: &Path, output: &Path, ours: &[tradepipe_indices::ProductRow]) {
    read_with(
        py,
        &output.join("parquet/indices/product"),
        &output.join("readers"),
        &[],
    );
    let mut ours: Vec<_> = ours.iter().collect();
    ours.sort_by(|a, b| (a.year, &a.reporter, &a.product).cmp(&(b.year, &b.reporter, &b.product)));
    for reader in ["duckdb", "pyarrow"] {
        let theirs = read_csv(&output.join(format!("readers_{reader}.csv")));
        assert_eq!(theirs.len(), ours.len(), "{reader}: rows");
        for (r, o) in theirs.iter().zip(&ours) {
            let key = format!("{reader}: {} {} {}", o.year, o.reporter, o.product);
            assert_eq!(
                (r["year"].as_str(), r["reporter"].as_str(), r["product"].as_str()),
                (
                    o.year.to_string().as_str(),
                    o.reporter.as_str(),
                    o.product.as_str()
                ),
                "{key}"
            );
            assert_eq!(r["classification"], o.classification, "{key}");
            assert_eq!(num(&r["level"]), Some(f64::from(o.level)), "{key}");
            for (c, v) in [
                ("exports", Some(o.exports)),
                ("rca", o.rca),
                ("rca_sym", o.rca_sym),
                ("partners", o.partners.map(f64::from)),
                ("market_penetration", o.market_penetration),
            ] {
                let bits = |x: Option<f64>| x.map(f64::to_bits);
                assert_eq!(bits(num(&r[c])), bits(v), "{key} {c}: {}", r[c]);
            }
        }
    }
}

/// The pages tradepipe encodes itself (text and double dictionaries, PLAIN doubles), with
/// nulls scattered and in a run over a page boundary, read by DuckDB and pyarrow as written.
#[test]
fn other_readers_read_our_own_pages_with_nulls_over_several_pages() {
    use arrow_array::types::UInt32Type;
    use arrow_array::{ArrayRef, DictionaryArray, Float64Array, RecordBatch, StringArray, UInt32Array};
    use std::sync::Arc;

    let Some(py) = reference_python("other_readers_read_our_own_pages_with_nulls_over_several_pages") else {
        return;
    };
    // Three pages of 64Ki rows; rows 70,000..140,000 are null in every column but `row`.
    let n = 150_000u32;
    let null = |i: u32| i % 7 == 3 || (70_000..140_000).contains(&i);
    let keys = |m: u32| UInt32Array::from_iter((0..n).map(|i| (!null(i)).then_some(i % m)));
    let codes = ["CHN", "KAZ", "KGZ", "TJK", "UZB"];
    let ratios = [0.0, 0.25, 0.5, 1.0];
    let value = |i: u32| (!null(i)).then(|| f64::from(i) * 1.5 - 1000.0);
    let batch = RecordBatch::try_from_iter([
        ("row", Arc::new(UInt32Array::from_iter_values(0..n)) as ArrayRef),
        (
            "code",
            Arc::new(DictionaryArray::<UInt32Type>::new(
                keys(5),
                Arc::new(StringArray::from(codes.to_vec())),
            )),
        ),
        (
            "ratio",
            Arc::new(DictionaryArray::<UInt32Type>::new(
                keys(4),
                Arc::new(Float64Array::from(ratios.to_vec())),
            )),
        ),
        ("value", Arc::new(Float64Array::from_iter((0..n).map(value)))),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    tradepipe_parquet::batch::write(&path, &batch, &["value"]).unwrap();
    read_with(&py, &path, &dir.path().join("readers"), &["row"]);
    for reader in ["duckdb", "pyarrow"] {
        let rows = read_csv(&dir.path().join(format!("readers_{reader}.csv")));
        assert_eq!(rows.len(), n as usize, "{reader}");
        for (i, r) in (0..n).zip(&rows) {
            assert_eq!(r["row"], i.to_string(), "{reader}");
            let defined = !null(i);
            let want = |s: &str| if defined { s.to_owned() } else { String::new() };
            assert_eq!(r["code"], want(codes[(i % 5) as usize]), "{reader} row {i}");
            assert_eq!(
                num(&r["ratio"]),
                defined.then(|| ratios[(i % 4) as usize]),
                "{reader} row {i}"
            );
            assert_eq!(num(&r["value"]), value(i), "{reader} row {i}");
        }
    }
}

fn reference_python(test: &str) -> Option<std::path::PathBuf> {
    let py = python();
    if py.is_none() {
        crate::util::skip(test, crate::reference_check::NO_PYTHON);
    }
    py
}

#[test]
fn product_tables_match_the_pandas_reference_on_real_hs4_exports() {
    let Some(py) = reference_python("product_tables_match_the_pandas_reference_on_real_hs4_exports") else {
        return;
    };
    let p = crate::product::ecomplexity_pipeline(&["AUT", "DEU", "JPN"]);
    p.run(["indices"]).success();
    let n = compare(&py, &p.output(), &["AUT", "DEU", "JPN"]);
    assert!(n > 1500, "compared only {n}");
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    // Exports to the world only: similarity is defined, complementarity (no imports) is not.
    let s = &t.pair_structure[0];
    assert!(s.export_similarity.is_some() && s.trade_complementarity.is_none());
}

#[test]
fn product_tables_match_the_pandas_reference_on_seeded_baci_shaped_data() {
    let Some(py) = reference_python("product_tables_match_the_pandas_reference_on_seeded_baci_shaped_data")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(&py)
        .arg(repo().join("bench/generate.py"))
        .arg("20000")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "generator failed");
    // The generator's first (alphabetical) codes are its largest traders.
    let countries = ["ABW", "AFG", "AGO", "AIA"];
    let config = dir.path().join("pipeline.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let at = text.find("countries = ").unwrap();
    let text = format!("{}countries = {countries:?}\n", &text[..at]);
    std::fs::write(&config, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tradepipe"))
        .args(["--config", config.to_str().unwrap(), "-q", "indices"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let n = compare(&py, &dir.path().join("output"), &countries);
    assert!(n > 20_000, "compared only {n}");
    let t = tradepipe_indices::read_tables(&dir.path().join("output")).unwrap();
    assert!(
        t.pair_structure
            .iter()
            .all(|s| s.partner_imports_side == "mirror")
    );
    assert!(
        t.product
            .iter()
            .any(|r| r.market_penetration.is_some_and(|m| m > 0.0))
    );
}

#[test]
fn contributions_match_the_pandas_reference_on_the_illustrative_customs_tables() {
    let Some(py) =
        reference_python("contributions_match_the_pandas_reference_on_the_illustrative_customs_tables")
    else {
        return;
    };
    let p = customs_example_with_report();
    p.run(["-q", "run"]).success();
    // The yearly report shows the structure and breakdown tables, each with its footnote.
    let json = read_json(&p.output().join("reports/customs/report.json"));
    let tables = json["tables"].as_array().unwrap();
    let ids: Vec<&str> = tables.iter().map(|t| t["id"].as_str().unwrap()).collect();
    for id in [
        "hhi-partners",
        "top-products",
        "hhi-products",
        "by-province",
        "by-regime",
        "by-section",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // No product flows between the pair in this data: no table of dashes.
    assert!(!ids.contains(&"pair-structure"), "{ids:?}");
    for t in tables {
        let source = t["source"].as_str().unwrap();
        assert!(
            source.contains("ILLUSTRATIVE") && source.contains("tradepipe table"),
            "{source}"
        );
    }
    let n = compare(&py, &p.output(), &["CHN", "USA"]);
    assert!(n > 100, "compared only {n}");
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let dims: std::collections::BTreeSet<&str> =
        t.contribution.iter().map(|c| c.dimension.as_str()).collect();
    assert_eq!(
        dims.into_iter().collect::<Vec<_>>(),
        ["province", "regime", "section"]
    );
}
