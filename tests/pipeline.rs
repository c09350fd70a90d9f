//! The whole pipeline on a real slice of the IMF data.

use tradepipe_indices::read_tables;

use crate::util::{Pipeline, item, read_json, repo, run_in_repo, tree};

#[test]
fn run_produces_tables_figures_and_reports() {
    let p = Pipeline::slice();
    let out = p.run(["run"]).success();
    assert!(
        out.stdout.contains("report written: ") && out.stdout.contains("china-central-asia/index.html"),
        "{}",
        out.stdout
    );

    let o = p.output();
    for y in 2000..=2020 {
        assert!(
            o.join(format!("parquet/trade/year={y}/part-0.parquet")).is_file(),
            "trade {y}"
        );
        assert!(
            o.join(format!("parquet/indices/bilateral/year={y}/part-0.parquet"))
                .is_file(),
            "bilateral {y}"
        );
    }
    assert!(
        !o.join("parquet/trade/year=1999").exists(),
        "years outside the config are not normalized"
    );
    for (f, legend) in [
        ("fig-totals", "Total trade"),
        ("fig-balances", "Kazakhstan"),
        ("fig-hm-out", "Uzbekistan"),
        ("fig-hm-in", "Turkmenistan"),
    ] {
        let svg = std::fs::read_to_string(p.report_dir().join(format!("figures/{f}.svg"))).unwrap();
        assert!(
            svg.contains("<polyline") && svg.contains(legend) && svg.contains("Year"),
            "{f} has lines, axis and legend"
        );
    }
    let html = std::fs::read_to_string(p.report_dir().join("index.html")).unwrap();
    for f in [
        "figures/fig-totals.svg",
        "figures/fig-balances.svg",
        "figures/fig-hm-out.svg",
        "figures/fig-hm-in.svg",
    ] {
        assert!(html.contains(&format!("src=\"{f}\"")), "HTML embeds {f}");
    }

    // The bilateral table has the documented columns and one row per ordered pair and year.
    let df = tradepipe_parquet::read(
        &o.join("parquet/indices/bilateral/year=2010/part-0.parquet"),
        None,
    )
    .unwrap();
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    for c in [
        "reporter",
        "partner",
        "exports",
        "imports",
        "total_trade",
        "balance",
        "export_share",
        "import_share",
        "hm",
        "hm_variant",
    ] {
        assert!(names.iter().any(|n| n == c), "column {c} in {names:?}");
    }
    let t = read_tables(&o).unwrap();
    assert_eq!(t.bilateral.len(), 30 * 21);

    // Hand-checked against the fixture lines (US$ millions): CHN exports to KAZ in 2010
    // 9,279.174381, imports 11,034.422245, CHN world exports 1,578,444.204677; KAZ imports
    // from CHN 3,962.501871 of a world total 23,660.457690. HM = 9279.174381/1578444.204677
    // × (1 − 3962.501871/23660.457690) = 0.00489416.
    let r = t.bilateral(2010, "CHN", "KAZ").unwrap();
    assert!(
        (r.exports.unwrap() - 9_279.174381e6).abs() < 1.0,
        "{:?}",
        r.exports
    );
    assert!(
        (r.imports.unwrap() - 11_034.422245e6).abs() < 1.0,
        "{:?}",
        r.imports
    );
    assert!((r.hm.unwrap() - 0.00489416).abs() < 5e-9, "{:?}", r.hm);
    assert!((r.balance.unwrap() - (r.exports.unwrap() - r.imports.unwrap())).abs() < 1e-3);
    assert_eq!(r.hm_variant, "baldwin");
    // The mirror of CHN's exports to KAZ is KAZ's report of imports from CHN.
    let back = t.bilateral(2010, "KAZ", "CHN").unwrap();
    assert_eq!(r.mirror_exports, back.imports);
    assert_eq!(back.mirror_imports, r.exports);
}

#[test]
fn stages_run_alone_and_reruns_are_byte_identical() {
    let whole = Pipeline::slice();
    whole.run(["run"]).success();
    let staged = Pipeline::slice();
    for stage in ["fetch", "normalize", "indices", "report"] {
        staged.run([stage]).success();
    }
    let strip = |v: Vec<(String, Vec<u8>)>, dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        // The raw manifest names the config's own directory; the run manifest carries the run
        // time, the lock file the pid and the digest cache file times, by design. Nothing else
        // may differ.
        let d = dir.display().to_string();
        v.into_iter()
            // Input fingerprints hash the provenance, which names the directory too.
            .filter(|(n, _)| {
                !["manifest.json", ".tradepipe.lock", ".tradepipe-digests.tsv"].contains(&n.as_str())
                    && !n.ends_with(".inputs.sha256")
            })
            .map(|(n, b)| {
                (
                    n,
                    String::from_utf8(b.clone())
                        .map(|s| s.replace(&d, "[TMP]").into_bytes())
                        .unwrap_or(b),
                )
            })
            .collect()
    };
    let a = strip(tree(&whole.output()), whole.dir.path());
    let b = strip(tree(&staged.output()), staged.dir.path());
    assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{name} differs between a whole run and stage-by-stage runs"
        );
    }
    whole.run(["run"]).success();
    assert!(
        strip(tree(&whole.output()), whole.dir.path()) == a,
        "a rerun changed bytes"
    );
}

#[test]
fn markdown_report_snapshot() {
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let md = std::fs::read_to_string(p.report_dir().join("report.md")).unwrap();
    let md = md.replace(&repo().display().to_string(), "[REPO]");
    insta::assert_snapshot!("china_central_asia_report_md", md);
}

#[test]
fn html_escapes_data_derived_text() {
    let p = Pipeline::slice().edit(
        "title = \"China and Central Asia: trade, balances and dependence\"",
        "title = \"<script>alert('x')</script> & co\"",
    );
    p.run(["run"]).success();
    let html = std::fs::read_to_string(p.report_dir().join("index.html")).unwrap();
    assert!(
        !html.contains("<script>"),
        "markup from the config reached the HTML unescaped"
    );
    assert!(html.contains("&lt;script&gt;"), "title is shown as text");
}

#[test]
fn estimated_partner_figures_are_called_out() {
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let t = read_tables(&p.output()).unwrap();
    // Turkmenistan does not report: from 2004 to 2019 its trade with China in the IMF data is
    // China's report converted at 1.06 (checked by hand on the fixture), without the "e" flag.
    let derived: Vec<i32> = t
        .bilateral
        .iter()
        .filter(|r| r.reporter == "TKM" && r.partner == "CHN" && r.reporter_mirror_derived)
        .map(|r| r.year)
        .collect();
    assert_eq!(derived, (2004..=2019).collect::<Vec<_>>());
    assert!(
        !t.bilateral(2010, "KAZ", "CHN").unwrap().reporter_mirror_derived,
        "Kazakhstan reports its own figures"
    );
    let md = std::fs::read_to_string(p.report_dir().join("report.md")).unwrap();
    assert!(
        md.contains(
            "Turkmenistan: in 2004–2019 the figures reported for TKM with China equal China's own figures"
        ),
        "TKM note"
    );
    // Tajikistan reports nothing to China in 2000: no HM, said so.
    assert!(
        md.contains("Tajikistan: no HM index toward China in 2000"),
        "TJK note"
    );
}

#[test]
fn partner_landscape_of_the_five_states_on_the_embedded_data() {
    let out_dir = tempfile::tempdir().unwrap();
    run_in_repo(&["--output", out_dir.path().to_str().unwrap(), "-q", "run"]).success();
    let dir = out_dir.path().join("reports/central-asia-partners");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for c in ["kaz", "kgz", "tjk", "tkm", "uzb"] {
        assert!(
            html.contains(&format!("src=\"figures/fig-partners-{c}.svg\"")),
            "{c} figure"
        );
        assert!(dir.join(format!("figures/fig-partners-{c}.svg")).is_file());
    }
    // Kazakhstan 2020, its own report (US$ millions): trade with China 9,004.006953 +
    // 6,346.496276 of a world total 46,926.834907 + 38,142.889390 = 18.0446 %.
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| 2020 | 18.0 (2) |"), "KAZ 2020 row");
    let json = read_json(&dir.join("report.json"));
    let series = item(&json["data"], "name", "trade_share KAZ->CHN");
    let v2020 = item(&series["points"], 0, 2020)[1].as_f64().unwrap();
    assert!((v2020 - 0.180_446_138).abs() < 1e-8, "{v2020}");
    assert!(
        md.contains("Turkmenistan: in 2004–2020 some of its figures"),
        "estimate note"
    );
}

fn assert_same_bytes_with_one_or_two_threads(p: &Pipeline) {
    let indices = p.output().join("parquet/indices");
    let run_with = |threads: &str| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_tradepipe"))
            .args(["-q", "--config"])
            .arg(p.config_path())
            .arg("indices")
            .env("RAYON_NUM_THREADS", threads)
            .status()
            .unwrap();
        assert!(status.success());
        tree(&indices)
    };
    let one = run_with("1");
    let two = run_with("2");
    assert!(!one.is_empty());
    assert!(one == two, "index tables differ between 1 and 2 threads");
}

#[test]
fn index_tables_are_byte_identical_with_one_or_two_threads() {
    let p = Pipeline::slice();
    p.run(["run"]).success();
    assert_same_bytes_with_one_or_two_threads(&p);
    // Product, pair-structure and contribution tables too.
    let p = Pipeline::with_sources(&crate::product_check::customs_example_sources(), 2017, 2018);
    p.run(["-q", "run"]).success();
    assert_same_bytes_with_one_or_two_threads(&p);
    let p = crate::product::ecomplexity_pipeline(&["AUT", "DEU", "JPN"]);
    p.run(["-q", "indices"]).success();
    assert_same_bytes_with_one_or_two_threads(&p);
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    assert!(!t.product.is_empty() && !t.pair_structure.is_empty());
    // The complexity, complexity_country and proximity tables were among those compared.
    assert!(!t.complexity_country.is_empty() && !t.complexity_cells.is_empty());
    assert!(
        p.output()
            .join("parquet/indices/proximity/year=1996/part-0.parquet")
            .exists()
    );
}

/// The stages a JSON log says were skipped as unchanged, in order.
fn skipped(stderr: &str) -> Vec<String> {
    crate::util::skipped_stages(stderr)
        .into_iter()
        .map(|(stage, _)| stage)
        .collect()
}

/// Widening a `[[group]]` reruns the stages that read it (indices and report) and changes the
/// group table; normalize, which does not read it, stays skipped.
#[test]
fn a_changed_group_reruns_the_indices_and_the_report() {
    let group = |members: &str| {
        Pipeline::slice().edit(
            "cagr-windows = [[2010, 2020]]",
            &format!("cagr-windows = [[2010, 2020]]\ngroups = [\"NEAR\"]\n\n[[group]]\nname = \"NEAR\"\nmembers = [{members}]\n"),
        )
    };
    let p = group("\"KAZ\", \"KGZ\"");
    p.run(["--log-format", "json", "run"]).success();
    let two = tree(&p.output().join("parquet/indices/group"));
    let p = group("\"KAZ\", \"KGZ\", \"TJK\", \"UZB\"").in_dir_of(p);
    let out = p.run(["--log-format", "json", "run"]).success();
    assert_eq!(skipped(&out.stderr), ["normalize"], "{}", out.stderr);
    assert!(
        tree(&p.output().join("parquet/indices/group")) != two,
        "the group table changed"
    );
}

#[test]
fn unchanged_inputs_skip_stages_and_force_reruns_them() {
    let p = Pipeline::slice();
    assert!(skipped(&p.run(["--log-format", "json", "run"]).success().stderr).is_empty());
    let before = tree(&p.output().join("reports"));
    let out = p.run(["--log-format", "json", "run"]).success();
    assert_eq!(skipped(&out.stderr), ["normalize", "indices", "report"]);
    // JSON mode says so in the log, and keeps stdout empty for `>> log 2>&1`.
    assert!(
        out.stderr.contains("\"message\":\"report up to date\""),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(tree(&p.output().join("reports")) == before);
    let out = p.run(["--log-format", "json", "--force", "run"]).success();
    assert!(skipped(&out.stderr).is_empty(), "--force ran everything");
    assert!(
        tree(&p.output().join("reports")) == before,
        "a forced rerun gives the same bytes"
    );
    // A different HM variant changes the index stage's inputs, so it and the report rerun.
    let p = p.edit(
        "cagr-windows = [[2010, 2020]]",
        "cagr-windows = [[2010, 2020]]\nhm-variant = \"as-printed\"",
    );
    let out = p.run(["--log-format", "json", "run"]).success();
    assert_eq!(skipped(&out.stderr), ["normalize"]);
}

/// The `group` table sums the reporter's own reports over each year's members: checked against
/// the canonical table directly, across the EU's 2004 enlargement.
#[test]
fn group_rows_follow_membership_and_sum_the_members_reports() {
    let out = tempfile::tempdir().unwrap();
    crate::util::run_in_repo(&["-q", "--output", out.path().to_str().unwrap(), "run"]).success();
    let t = tradepipe_indices::read_tables(out.path()).unwrap();
    let row = |y: i32| {
        t.group
            .iter()
            .find(|g| g.year == y && g.reporter == "CHN" && g.group == "EU")
            .unwrap()
            .clone()
    };
    assert_eq!(
        (row(2003).members, row(2004).members, row(2020).members),
        (15, 25, 27)
    );
    let groups = tradepipe_model::groups::Groups::embedded();
    for y in [2003, 2004, 2019, 2020] {
        let df = tradepipe_parquet::read_partition(&out.path().join("parquet/trade"), y, None).unwrap();
        let col = |c: &str| df.column(c).unwrap().str().unwrap().clone();
        let (rep, par, flow, prod) = (col("reporter"), col("partner"), col("flow"), col("product"));
        let val = df.column("value_usd").unwrap().f64().unwrap().clone();
        let members = groups.members("EU", y);
        let want: f64 = (0..df.height())
            .filter(|&i| {
                rep.get(i) == Some("CHN")
                    && flow.get(i) == Some("export")
                    && prod.get(i) == Some("TOTAL")
                    && members.contains(&par.get(i).unwrap())
            })
            .map(|i| val.get(i).unwrap())
            .sum();
        let got = row(y).exports.unwrap();
        assert!((got - want).abs() <= 1e-9 * want, "{y}: {got} vs {want}");
    }
    // The report shows the same numbers: the EU's 2020 row of the groups table.
    let json = read_json(&out.path().join("reports/china-central-asia/report.json"));
    let table = item(&json["tables"], "id", "groups");
    let eu = item(&table["rows"], 0, "European Union (EU)");
    assert_eq!(eu[1], "27 of 27");
    assert_eq!(eu[2], format!("{:.2}", row(2020).exports.unwrap() / 1e9));
    assert_eq!(table["align"][0], "left");
    assert_eq!(table["align"][2], "right");
    // And charts each group's share, one line per group.
    let svg = std::fs::read_to_string(
        out.path()
            .join("reports/china-central-asia/figures/fig-groups.svg"),
    )
    .unwrap();
    for label in ["Central Asia (C5)", "European Union (EU)", "ASEAN", "G7"] {
        assert!(svg.contains(label), "{label} not in the group chart");
    }
}

/// `report --years 2020`: every report shows that one year; the time-series charts (a dot at
/// the axis over one year) and their files from the full run are gone, the map stays, a data
/// note says why; a range outside [run] years is a config error.
#[test]
fn a_report_of_one_year() {
    let p = Pipeline::slice();
    p.run(["-q", "run"]).success();
    let figures = p.report_dir().join("figures");
    assert!(figures.join("fig-totals.svg").exists());
    p.run(["-q", "report", "--years", "2020"]).success();
    let md = std::fs::read_to_string(p.report_dir().join("report.md")).unwrap();
    assert!(!md.contains("2020–2020"), "{md}");
    assert!(
        md.contains("### Figure 1. Map: China's trade with each partner, 2020"),
        "{md}"
    );
    assert!(md.contains("The report covers one year (2020)"), "{md}");
    let mut files: Vec<String> = std::fs::read_dir(&figures)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["fig-map.svg"]);
    let json = read_json(&p.report_dir().join("report.json"));
    let totals = item(&json["tables"], "id", "total-by-partner");
    assert_eq!(totals["rows"].as_array().unwrap().len(), 1);
    assert_eq!(totals["rows"][0][0], "2020");
    let msg = p
        .run(["report", "--years", "1990-2020"])
        .failure(78)
        .error_message();
    assert!(
        msg.contains("years 1990-2020 must lie within [run] years 2000-2020"),
        "{msg}"
    );
}

/// A rebuilt or upgraded binary reruns every stage once (its output may differ even where the
/// version number does not), then skips again.
#[test]
fn a_new_binary_reruns_the_stages_once() {
    let p = Pipeline::slice().without_reports();
    let exe = p.dir.path().join("tradepipe-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_tradepipe"), &exe).unwrap();
    let run = || {
        let out = std::process::Command::new(&exe)
            .args(["--log-format", "json", "--config"])
            .arg(p.config_path())
            .arg("run")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        skipped(&String::from_utf8_lossy(&out.stderr))
    };
    p.run(["run"]).success(); // writes the config; the test binary's own gates
    assert!(run().is_empty(), "another executable: every stage reruns");
    assert_eq!(run(), ["normalize", "indices", "report"], "the same one skips");
    // Replaced in place (an upgrade): a newer modification time.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&exe)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert!(run().is_empty(), "an upgraded executable reruns every stage");
}
