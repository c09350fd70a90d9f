//! Each stage reruns exactly when what it reads changed: a table of edits, one input of one
//! stage each, and the stages each must rerun (their outputs changing), every other stage
//! skipping with its outputs untouched.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{Pipeline, copy_dir, repo, tree};

/// A second report, so that editing one report's title is "another report's" edit for it.
const SECOND_REPORT: &str = r#"
[[report]]
name = "kazakhstan"
title = "Kazakhstan and its neighbours"
focus = "KAZ"
partners = ["CHN", "KGZ", "UZB"]
group-name = "neighbours"
cagr-window = [2010, 2020]
"#;

/// A product row of HS17 code 853950, which the nomenclature file below first lacks (the
/// in-nomenclature rule then warns and counts it) and then lists.
const PRODUCT_ROWS: &str = "Year,Reporter,Partner,Flow,HS,Value\n2018,CHN,KAZ,Export,853950,1000\n";

/// The slice run with two reports, a `[[group]]`, its own copy of the templates and of a
/// nomenclature directory, and a product table beside the IMF slice.
fn pipeline() -> Pipeline {
    let p = Pipeline::slice();
    let dir = p.dir.path().to_path_buf();
    copy_dir(&repo().join("templates"), &dir.join("templates"));
    std::fs::create_dir_all(dir.join("hs")).unwrap();
    std::fs::write(dir.join("hs/HS17.csv"), "code\n85\n8539\n853910\n").unwrap();
    std::fs::write(dir.join("products.csv"), PRODUCT_ROWS).unwrap();
    let templates = repo().join("templates").display().to_string();
    p.edit(
        &format!("templates = \"{templates}\""),
        "templates = \"templates\"",
    )
    .edit(
        "[indices]",
        "[[source]]\nname = \"products\"\nkind = \"file\"\nformat = \"table-csv\"\n\
             path = \"products.csv\"\nvintage = \"test rows\"\n[source.columns]\nyear = \"Year\"\n\
             reporter = \"Reporter\"\npartner = \"Partner\"\nflow = \"Flow\"\nproduct = \"HS\"\n\
             classification = \"HS17\"\nvalue = \"Value\"\n\n\
             [normalize]\nnomenclatures = \"hs\"\n\n[normalize.rules]\nin-nomenclature = \"warn\"\n\n\
             # the run's countries\n[indices]",
    )
    .edit(
        "cagr-windows = [[2010, 2020]]",
        "cagr-windows = [[2010, 2020]]\ngroups = [\"NEAR\"]\n\n\
             [[group]]\nname = \"NEAR\"\nmembers = [\"KAZ\", \"KGZ\"]\n",
    )
    .append(SECOND_REPORT)
}

/// The outputs of each stage: (stage, file) → bytes, without the stages' markers.
fn outputs(p: &Pipeline) -> BTreeMap<&'static str, Vec<(String, Vec<u8>)>> {
    let o = p.output();
    let of = |d: &Path| {
        tree(d)
            .into_iter()
            .filter(|(f, _)| !f.ends_with(".inputs.sha256"))
            .collect()
    };
    BTreeMap::from([
        ("normalize", of(&o.join("parquet/trade"))),
        ("indices", of(&o.join("parquet/indices"))),
        (
            "report china-central-asia",
            of(&o.join("reports/china-central-asia")),
        ),
        ("report kazakhstan", of(&o.join("reports/kazakhstan"))),
    ])
}

/// The stages a JSON-logged run skipped, reports by name.
fn skipped(stderr: &str) -> Vec<String> {
    crate::util::skipped_stages(stderr)
        .into_iter()
        .map(|(stage, report)| match report {
            Some(r) => format!("report {r}"),
            None => stage,
        })
        .collect()
}

type Edit = fn(Pipeline) -> Pipeline;

/// What a run after an edit must do.
enum Then {
    /// Succeed, rerunning these stages (the rest skip) and changing these stages' outputs.
    Reruns(&'static [&'static str], &'static [&'static str]),
    /// Fail with this exit code and a message with this phrase (a stage that skipped could not).
    Fails(i32, &'static str),
}
use Then::{Fails, Reruns};

const ALL: [&str; 4] = [
    "normalize",
    "indices",
    "report china-central-asia",
    "report kazakhstan",
];
const AFTER_NORMALIZE: &[&str] = &["indices", "report china-central-asia", "report kazakhstan"];
const REPORTS: &[&str] = &["report china-central-asia", "report kazakhstan"];

#[test]
fn each_input_reruns_exactly_the_stages_that_read_it() {
    let cases: [(&str, Edit, Then); 11] = [
        (
            "a [[group]] member",
            |p| {
                p.edit(
                    "members = [\"KAZ\", \"KGZ\"]",
                    "members = [\"KAZ\", \"KGZ\", \"TJK\"]",
                )
            },
            Reruns(AFTER_NORMALIZE, AFTER_NORMALIZE),
        ),
        (
            "a source vintage",
            |p| p.edit("vintage = \"test rows\"", "vintage = \"test rows, revised\""),
            Reruns(&ALL, &ALL),
        ),
        (
            "a rule severity",
            |p| p.edit("in-nomenclature = \"warn\"", "in-nomenclature = \"error\""),
            Fails(65, "(in-nomenclature 1)"),
        ),
        // A failed run leaves no marker to vouch for the table it left as it was: normalize
        // runs again, writes the same table, and the later stages see no change.
        (
            "the severity back",
            |p| p.edit("in-nomenclature = \"error\"", "in-nomenclature = \"warn\""),
            Reruns(&["normalize"], &[]),
        ),
        (
            "a template",
            |p| {
                let path = p.dir.path().join("templates/report.md");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text + "\nEdited template.\n").unwrap();
                p
            },
            Reruns(REPORTS, REPORTS),
        ),
        (
            "hm-variant",
            |p| {
                p.edit(
                    "cagr-windows = [[2010, 2020]]",
                    "cagr-windows = [[2010, 2020]]\nhm-variant = \"mirror\"",
                )
            },
            Reruns(AFTER_NORMALIZE, AFTER_NORMALIZE),
        ),
        (
            "one report's title",
            |p| {
                p.edit(
                    "title = \"Kazakhstan and its neighbours\"",
                    "title = \"Kazakhstan's neighbours\"",
                )
            },
            Reruns(&["report kazakhstan"], &["report kazakhstan"]),
        ),
        (
            "a nomenclature file",
            |p| {
                std::fs::write(
                    p.dir.path().join("hs/HS17.csv"),
                    "code\n85\n8539\n853910\n853950\n",
                )
                .unwrap();
                p
            },
            Reruns(&ALL, &ALL),
        ),
        (
            "a comment",
            |p| p.edit("# the run's countries", "# the countries of the run"),
            Reruns(&[], &[]),
        ),
        ("the file saved again unchanged", |p| p, Reruns(&[], &[])),
        ("--force", |p| p, Reruns(&ALL, &[])),
    ];
    let mut p = pipeline();
    let first = p.run(["--log-format", "json", "run"]).success();
    assert!(skipped(&first.stderr).is_empty(), "{}", first.stderr);
    for (what, edit, then) in cases {
        let before = outputs(&p);
        p = edit(p);
        let out = if what == "--force" {
            p.run(["--log-format", "json", "--force", "run"])
        } else {
            p.run(["--log-format", "json", "run"])
        };
        let (reran, changed) = match then {
            Fails(code, phrase) => {
                let out = out.failure(code);
                assert!(out.stderr.contains(phrase), "{what}: {}", out.stderr);
                assert!(outputs(&p) == before, "{what}: a failed run changed an output");
                continue;
            }
            Reruns(reran, changed) => (reran, changed),
        };
        let out = out.success();
        let after = outputs(&p);
        let want_skipped: Vec<&str> = ALL.iter().copied().filter(|s| !reran.contains(s)).collect();
        assert_eq!(
            skipped(&out.stderr),
            want_skipped,
            "{what}: skipped stages\n{}",
            out.stderr
        );
        for stage in ALL {
            assert_eq!(
                before[stage] != after[stage],
                changed.contains(&stage),
                "{what}: whether the outputs of {stage} changed"
            );
        }
    }
}
