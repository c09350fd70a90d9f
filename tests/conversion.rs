//! `[normalize] hs-target`: product rows of several HS editions converted to one, through the
//! index stage. The fixtures are the illustrative case of issue 21 (`tests/fixtures/mixed-revisions`).

use crate::util::{Pipeline, fixture, read_json};

/// A `table-csv` source of one of the mixed-revision fixtures, exports in `class`.
pub fn source(name: &str, file: &str, class: &str) -> String {
    format!(
        "[[source]]\nname = \"{name}\"\nkind = \"file\"\nformat = \"table-csv\"\npath = \"{}\"\n\
         vintage = \"illustrative\"\n[source.columns]\nyear = \"Year\"\nreporter = \"Reporter\"\n\
         partner = \"Partner\"\nflow-value = \"export\"\nproduct = \"Product\"\nclassification = \"{class}\"\n\
         value = \"Value\"\n",
        fixture(&format!("mixed-revisions/{file}")).display()
    )
}

fn pipeline(sources: &[(&str, &str, &str)], target: &str) -> Pipeline {
    let sources: Vec<String> = sources.iter().map(|(n, f, c)| source(n, f, c)).collect();
    Pipeline::with_sources(&sources.join("\n"), 2018, 2018).edit(
        "[indices]\ncountries = [\"CHN\", \"USA\"]",
        &format!(
            "[normalize]\nhs-target = \"{target}\"\n\n[indices]\ncountries = [\"CHN\", \"DEU\", \"FRA\", \"USA\"]"
        ),
    )
}

#[test]
fn with_hs_target_the_mixed_year_gives_the_hand_computed_rcas() {
    let p = pipeline(
        &[
            ("china", "chn_hs12.csv", "HS12"),
            ("germany-france", "deu_fra_hs17.csv", "HS17"),
        ],
        "H5",
    );
    p.run(["run"]).success();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    // Both codes are 1:1 between HS12 and HS17, so China's rows move unchanged. World
    // exports: 010121 100 + 100 + 50 = 250, 020110 100 + 300 + 50 = 450, in all 700.
    // CHN 010121: (100/200) / (250/700) = 1.4; 020110: (100/200) / (450/700) = 7/9.
    // DEU: (100/400) / (250/700) = 0.7 and (300/400) / (450/700) = 7/6; FRA as CHN.
    let want = [
        ("CHN", "010121", 1.4),
        ("CHN", "020110", 7.0 / 9.0),
        ("DEU", "010121", 0.7),
        ("DEU", "020110", 7.0 / 6.0),
        ("FRA", "010121", 1.4),
        ("FRA", "020110", 7.0 / 9.0),
    ];
    assert_eq!(t.product.len(), want.len());
    for (reporter, product, rca) in want {
        let row = t
            .product
            .iter()
            .find(|r| r.reporter == reporter && r.product == product)
            .unwrap();
        assert_eq!(row.classification, "HS17");
        assert!(
            (row.rca.unwrap() - rca).abs() < 1e-12,
            "{reporter} {product}: {:?}",
            row.rca
        );
    }
    let prov = read_json(&p.output().join("parquet/trade/_provenance.json"));
    assert_eq!(prov["conversion"]["target"], "HS17");
    assert_eq!(prov["conversion"]["rows_from"]["HS12"], 2);
    assert_eq!(prov["conversion"]["rows_by_method"]["moved"], 2);
}

#[test]
fn a_split_code_follows_the_weights_and_keeps_its_total() {
    let p = pipeline(&[("china", "chn_hs12_split.csv", "HS12")], "HS17");
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2018, None).unwrap();
    let text = |c: &str| -> Vec<String> {
        let s = df.column(c).unwrap().str().unwrap().clone();
        s.iter().map(|v| v.unwrap_or("").to_owned()).collect()
    };
    let values: Vec<f64> = df
        .column("value_usd")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    // The Growth Lab HS12 -> HS17 weights of 300210 (data/hs/concordance/weights-HS12-HS17.csv.gz).
    let weights = [
        ("300211", 0.0043919556814925),
        ("300212", 0.1532907093433233),
        ("300213", 0.0844443595729857),
        ("300214", 0.2106504996449632),
        ("300215", 0.5149039914582463),
        ("300219", 0.0323184842989888),
    ];
    assert_eq!(
        text("product"),
        weights.iter().map(|w| w.0.to_owned()).collect::<Vec<_>>()
    );
    for ((_, w), v) in weights.iter().zip(&values) {
        assert!((v - 1000.0 * w).abs() < 1e-9, "{v} vs {}", 1000.0 * w);
    }
    // The last part takes the remainder: the parts add up to the value (to the last bit of
    // rounding of the sum itself).
    assert!((values.iter().sum::<f64>() - 1000.0).abs() < 1e-9);
    assert!(text("classification").iter().all(|c| c == "HS17"));
    assert!(text("converted_from").iter().all(|c| c == "HS12"));
    assert!(text("conversion").iter().all(|c| c == "weights"));
}

#[test]
fn an_hs_target_that_is_not_an_edition_is_refused() {
    let p = pipeline(&[("china", "chn_hs12.csv", "HS12")], "HS");
    let msg = p.run(["fetch"]).failure(78).error_message();
    assert!(
        msg.contains("[normalize] hs-target = \"HS\" is not an HS edition"),
        "{msg}"
    );
}
