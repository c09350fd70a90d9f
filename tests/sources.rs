//! Several sources into one canonical table: the same flow from UN Comtrade and from the IMF
//! lands on the same key, and the source listed first wins.

use crate::util::{Pipeline, fixture, read_json, repo};

fn comtrade_and_imf(first_comtrade: bool) -> String {
    let comtrade = format!(
        "[[source]]\nname = \"comtrade\"\nkind = \"file\"\nformat = \"comtrade-v1-json\"\npath = \"{}\"\nvintage = \"API v1, recorded 2024-11-15\"\n\n",
        fixture("comtrade/data_v1_get_C_A_HS_CHN_vs_ARG_DEU_2010.json").display()
    );
    let imf = format!(
        "[[source]]\nname = \"imf\"\nkind = \"file\"\nformat = \"imf-dots-csv\"\npath = \"{}\"\nvintage = \"IMF DOTS as of 2022-02-02\"\n\n",
        repo()
            .join("data/imf_dots_bilateral_annual_1960_2020.csv.gz")
            .display()
    );
    if first_comtrade {
        comtrade + &imf
    } else {
        imf + &comtrade
    }
}

fn run(first_comtrade: bool) -> (tradepipe_indices::IndexTables, serde_json::Value) {
    let p = Pipeline::slice()
        .sources(&comtrade_and_imf(first_comtrade))
        .edit("from = 2000, to = 2020", "from = 2010, to = 2010")
        .edit(
            "countries = [\"CHN\", \"KAZ\", \"KGZ\", \"TJK\", \"TKM\", \"UZB\"]",
            "countries = [\"CHN\", \"DEU\", \"ARG\"]",
        )
        .edit("cagr-windows = [[2010, 2020]]", "cagr-windows = []")
        .without_reports();
    p.run(["run"]).success();
    let prov = read_json(&p.output().join("parquet/trade/_provenance.json"));
    (tradepipe_indices::read_tables(&p.output()).unwrap(), prov)
}

#[test]
fn same_flow_from_two_sources_lands_on_one_key_and_the_first_source_wins() {
    let (t, prov) = run(true);
    let r = t.bilateral(2010, "CHN", "DEU").unwrap();
    // Comtrade's primaryValue for China's exports to Germany, 2010.
    assert_eq!(r.exports, Some(68_047_133_397.0));
    assert_eq!(r.imports, Some(74_251_272_075.0));
    let s = &prov["sources"];
    assert_eq!(s[0]["source"], "comtrade");
    assert_eq!(s[0]["rows"], 4);
    assert_eq!(
        s[1]["superseded_rows"], 4,
        "the IMF's four CHN-ARG/DEU rows gave way"
    );

    let (t, prov) = run(false);
    let r = t.bilateral(2010, "CHN", "DEU").unwrap();
    // The IMF's figure (US$ 68,068.776044 million) for the same key.
    assert!(
        (r.exports.unwrap() - 68_068.776044e6).abs() < 1.0,
        "{:?}",
        r.exports
    );
    assert_eq!(prov["sources"][1]["superseded_rows"], 4);
    // World totals come from the IMF either way: Comtrade's sample has no World rows.
    assert!(r.reporter_world_exports.is_some());
}

#[test]
fn empty_comtrade_result_normalizes_to_nothing() {
    let src = format!(
        "[[source]]\nname = \"comtrade\"\nkind = \"file\"\nformat = \"comtrade-v1-json\"\npath = \"{}\"\nvintage = \"v1\"\n\n",
        fixture("comtrade/data_v1_get_S_A_EB_empty.json").display()
    );
    let p = Pipeline::slice().sources(&src);
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    // Nothing to compute from: the next stage says so.
    p.run(["indices"]).failure(66);
}

#[test]
fn html_error_page_saved_as_json_is_rejected_with_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.json");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>",
    )
    .unwrap();
    let src = format!(
        "[[source]]\nname = \"c\"\nkind = \"file\"\nformat = \"comtrade-v1-json\"\npath = \"{}\"\nvintage = \"v1\"\n\n",
        page.display()
    );
    let out = Pipeline::slice().sources(&src).run(["run"]).failure(65);
    let msg = out.error_message();
    assert!(
        msg.contains("not a Comtrade v1 JSON body") && msg.contains("Service Unavailable"),
        "{msg}"
    );
}

#[test]
fn imf_legacy_json_and_the_embedded_matrix_agree_on_one_key() {
    let legacy = format!(
        "[[source]]\nname = \"imf-legacy\"\nkind = \"file\"\nformat = \"imf-dot-sdmx-json\"\npath = \"{}\"\nvintage = \"recorded 2024-09-20\"\n\n",
        fixture("imf/legacy_CompactData_DOT_A.US.TXG_FOB_USD.W00+B0_2020-2023.json").display()
    );
    let dots = format!(
        "[[source]]\nname = \"imf\"\nkind = \"file\"\nformat = \"imf-dots-csv\"\npath = \"{}\"\nvintage = \"2022-02-02\"\n\n",
        repo()
            .join("data/imf_dots_bilateral_annual_1960_2020.csv.gz")
            .display()
    );
    let p = Pipeline::slice()
        .sources(&(legacy + &dots))
        .edit("from = 2000, to = 2020", "from = 2020, to = 2020")
        .edit(
            "countries = [\"CHN\", \"KAZ\", \"KGZ\", \"TJK\", \"TKM\", \"UZB\"]",
            "countries = [\"USA\", \"EUU\", \"CHN\"]",
        )
        .edit("cagr-windows = [[2010, 2020]]", "cagr-windows = []")
        .without_reports();
    p.run(["run"]).success();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let r = t.bilateral(2020, "USA", "EUU").unwrap();
    // The legacy body: 233,754.7771 million (UNIT_MULT 6); listed first, so it wins.
    assert_eq!(r.exports, Some(233_754.7771e6));
    assert_eq!(r.reporter_world_exports, Some(1_429_995.404019e6));
    let prov: serde_json::Value = read_json(&p.output().join("parquet/trade/_provenance.json"));
    assert_eq!(
        prov["sources"][0]["rows"], 2,
        "2020 only: the EU and the World rows"
    );
    assert_eq!(prov["sources"][1]["superseded_rows"], 2);
    // (The embedded 2022 vintage has 232,975.714483 million for the same key, 0.33 % lower:
    // the two IMF vintages differ by revisions, which is why the source order matters.)
}
