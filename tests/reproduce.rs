//! Paper reproduction specs: verdicts, comparison.json, exit codes, and the shipped specs.

use crate::util::{Pipeline, repo, run_in_repo};

fn spec(p: &Pipeline, checks: &str) -> std::path::PathBuf {
    let path = p.dir.path().join("spec.toml");
    let text =
        format!("name = \"t\"\ntitle = \"T\"\npublication = \"P\"\nconfig = \"pipeline.toml\"\n{checks}");
    std::fs::write(&path, text).unwrap();
    path
}

const CHECK: &str = r#"
[[check]]
figure = "Fig. 6"
measure = "hm"
reporter = "TKM"
partners = ["CHN"]
year = 2010
published = 39.04
tolerance = 1.0
"#;

#[test]
fn verdicts_and_comparison_json() {
    let p = Pipeline::slice();
    p.run(["validate"]).success(); // writes the config file
    let explained = format!("{CHECK}explanation = \"IMF estimates\"\n");
    let near = CHECK.replace("39.04", "36.5");
    let later = CHECK.replace("year = 2010", "year = 2021");
    let s = spec(&p, &format!("{explained}{near}{later}"));
    let out = p.run(["reproduce", s.to_str().unwrap()]).success();
    assert!(out.stdout.contains("reproduce/t/index.html"), "{}", out.stdout);
    let dir = p.output().join("reproduce/t");
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("comparison.json")).unwrap()).unwrap();
    let verdicts: Vec<&str> = rows.iter().map(|r| r["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["explained", "match", "unavailable"]);
    for key in [
        "figure",
        "series",
        "year",
        "published",
        "reproduced",
        "unit",
        "tolerance",
        "verdict",
        "explanation",
    ] {
        assert!(rows[0].get(key).is_some(), "comparison.json lacks {key}");
    }
    assert_eq!(rows[0]["series"], "HM TKM->CHN");
    assert_eq!(rows[0]["unit"], "percent");
    // HM TKM->CHN 2010 from the fixture: 36.114 % (independent reference: 0.361140).
    let v = rows[0]["reproduced"].as_f64().unwrap();
    assert!((v - 36.114).abs() < 0.001, "{v}");
    assert!(
        rows[2]["explanation"]
            .as_str()
            .unwrap()
            .contains("year 2021 is not in the data")
    );
    assert!(
        std::fs::read_to_string(dir.join("index.html"))
            .unwrap()
            .contains("v-explained")
    );
}

#[test]
fn unexplained_mismatch_exits_1_after_writing_the_report() {
    let p = Pipeline::slice();
    p.run(["validate"]).success();
    let s = spec(&p, CHECK);
    let out = p.run(["reproduce", s.to_str().unwrap()]).failure(1);
    assert!(
        out.error_message()
            .contains("1 reproduced value(s) outside tolerance"),
        "{}",
        out.error_message()
    );
    let md = std::fs::read_to_string(p.output().join("reproduce/t/report.md")).unwrap();
    assert!(md.contains("| mismatch |"), "{md}");
}

#[test]
fn shipped_specs_000_001_and_003_004_on_the_embedded_data() {
    let out_dir = tempfile::tempdir().unwrap();
    for (spec, snapshot) in [
        ("000-china-central-asia", "reproduce_000_md"),
        ("001-us-central-asia", "reproduce_001_md"),
        ("003-004-china-central-asia-2025", "reproduce_003_004_md"),
    ] {
        let path = format!("reproduce/{spec}.toml");
        let out = run_in_repo(&["--output", out_dir.path().to_str().unwrap(), "reproduce", &path]).success();
        assert!(out.stdout.contains("reproduction written"));
        let md = std::fs::read_to_string(out_dir.path().join(format!("reproduce/{spec}/report.md"))).unwrap();
        insta::assert_snapshot!(snapshot, md.replace(&repo().display().to_string(), "[REPO]"));
    }
    // Every 2025 headline value waits for newer data, and says so.
    let rows: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(
            out_dir
                .path()
                .join("reproduce/003-004-china-central-asia-2025/comparison.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(rows.len(), 10);
    assert!(
        rows.iter().all(|r| r["verdict"] == "unavailable"
            && r["explanation"].as_str().unwrap().contains("not in the data"))
    );
}

#[test]
fn shipped_spec_002_on_the_embedded_data() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = run_in_repo(&[
        "--output",
        out_dir.path().to_str().unwrap(),
        "reproduce",
        "reproduce/002-china-imbalance.toml",
    ]);
    out.success();
    let dir = out_dir.path().join("reproduce/002-china-imbalance");
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("comparison.json")).unwrap()).unwrap();
    assert_eq!(
        rows.iter().filter(|r| r["verdict"] == "match").count(),
        6,
        "{rows:?}"
    );
    // Shares of the US deficit with Asia (group ASIA, the UN M49 region, members by year),
    // as computed by hand from the IMF file: China 67.33 % in 2018.
    let r = rows
        .iter()
        .find(|r| r["series"] == "share of balance USA->CHN in USA->ASIA" && r["year"] == 2018)
        .unwrap();
    assert!((r["reproduced"].as_f64().unwrap() - 67.3318).abs() < 1e-3, "{r}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    insta::assert_snapshot!("reproduce_002_md", md);
}

/// The province, regime and section checks of spec 002 on the ILLUSTRATIVE customs tables:
/// the path from a customs table to a verdict. The reproduced values are the example's (hand
/// sums of `tests/fixtures/customs/`), so they cannot match the published ones.
#[test]
fn spec_002_breakdown_checks_run_on_a_customs_table() {
    let p = Pipeline::with_sources(&crate::product_check::customs_example_sources(), 2017, 2018).edit(
        "countries = [\"CHN\", \"USA\"]",
        "countries = [\"CHN\", \"USA\", \"EUU\", \"JPN\", \"KOR\"]",
    );
    p.run(["-q", "run"]).success();
    let text = std::fs::read_to_string(repo().join("reproduce/002-china-imbalance.toml"))
        .unwrap()
        .replace("002-china-imbalance.pipeline.toml", "pipeline.toml");
    let s = p.dir.path().join("002.toml");
    std::fs::write(&s, text).unwrap();
    let out = p.run(["reproduce", s.to_str().unwrap()]).failure(1);
    assert!(out.stderr.contains("outside tolerance"), "{}", out.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(p.output().join("reproduce/002-china-imbalance/comparison.json")).unwrap(),
    )
    .unwrap();
    let get = |series: &str| {
        rows.iter()
            .find(|r| r["series"] == series)
            .unwrap_or_else(|| panic!("no {series} in {rows:?}"))
    };
    // 2018, Guangdong, both regimes, with the world: exports (50 + 60)·(5+4+2+1)·... summed in
    // the file to 3,200 and imports to 2,040 (USD million).
    let r = get("balance CHN[province=Guangdong]->WLD");
    assert!((r["reproduced"].as_f64().unwrap() - 1.16).abs() < 1e-9, "{r}");
    assert_eq!(r["verdict"], "mismatch");
    // Guangdong with the EU and the US: exports 50·(5+4)·(2+3) = 2,250, imports
    // 40·(1+2)·(3+1) = 480 -> 1.77 bn.
    let r = get("balance CHN[province=Guangdong]->EUU+USA");
    assert!((r["reproduced"].as_f64().unwrap() - 1.77).abs() < 1e-9, "{r}");
    // Asia (group ASIA) is the table's Asian partners of 2018: Japan and Korea.
    let asia = get("balance CHN[province=Guangdong]->ASIA")["reproduced"]
        .as_f64()
        .unwrap();
    let jpn_kor = get("balance CHN[province=Guangdong]->JPN+KOR")["reproduced"]
        .as_f64()
        .unwrap();
    assert!(
        (asia - jpn_kor).abs() < 1e-12 && asia != 0.0,
        "{asia} vs {jpn_kor}"
    );
    // Processing's share of the surplus with the world: 3,360 / (3,360 − 240).
    let r = get("share of balance CHN[regime=Processing]->WLD");
    assert!(
        (r["reproduced"].as_f64().unwrap() - 100.0 * 3360.0 / 3120.0).abs() < 1e-9,
        "{r}"
    );
    // Section 16 = chapters 84 + 85: (900 + 1100)·1.1 = 2,200.
    let r = get("exports CHN[section=S16]->WLD");
    assert!((r["reproduced"].as_f64().unwrap() - 2.2).abs() < 1e-9, "{r}");
    // A province the table does not list is unavailable, and says which ones it has.
    let r = get("balance CHN[province=Zhejiang]->WLD");
    assert_eq!(r["verdict"], "unavailable");
    assert!(
        r["explanation"]
            .as_str()
            .unwrap()
            .contains("Guangdong, Jiangsu, Shanghai"),
        "{r}"
    );
}

#[test]
fn cagr_checks_need_a_start_year() {
    let p = Pipeline::slice();
    p.run(["validate"]).success();
    let s = spec(
        &p,
        &CHECK.replace("measure = \"hm\"", "measure = \"balance-cagr\""),
    );
    let out = p.run(["reproduce", s.to_str().unwrap()]).failure(78);
    assert!(
        out.error_message()
            .contains("a CAGR measure needs `from` before `year`"),
        "{}",
        out.error_message()
    );
}
