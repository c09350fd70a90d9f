//! The Spark engine (`tradepipe indices --engine spark`) against the native engine, which is
//! its reference: every table on the embedded IMF matrix and on the 1M-row benchmark data,
//! compared by `spark/compare.py` (same files, columns, keys and order; integers and text
//! equal; floats to rtol 1e-9). Spark comes from the project's `.venv` (`pip install pyspark`,
//! which `.ci/run` does) with a Java runtime; without them the checks are skipped outside CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::reference_check::{NO_PYTHON, python};
use crate::util::{Pipeline, copy_dir, repo, skip, skipped_stages};

const NO_SPARK: &str = "no Spark: .venv/bin/spark-submit (pip install pyspark, as .ci/run does) \
     and a Java runtime (java on PATH)";

/// `PATH` with the venv's `bin/` first, where it holds `spark-submit`; `None` without Spark or
/// Java.
fn spark_path() -> Option<String> {
    let venv = repo().join(".venv/bin");
    let path = std::env::var("PATH").unwrap_or_default();
    let path = format!("{}:{path}", venv.display());
    let found = std::env::split_paths(&path).any(|d| d.join("spark-submit").is_file());
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    (found && java).then_some(path)
}

/// The reference Python and the `PATH` that finds Spark, or `None` once `test` is skipped
/// for want of them.
fn prerequisites(test: &str) -> Option<(PathBuf, String)> {
    let Some(py) = python() else {
        skip(test, NO_PYTHON);
        return None;
    };
    let Some(path) = spark_path() else {
        skip(test, NO_SPARK);
        return None;
    };
    Some((py, path))
}

/// `tradepipe indices` on Spark, on two local threads, logging JSON (the gate's records).
const SPARK_INDICES: [&str; 7] = [
    "--log-format",
    "json",
    "indices",
    "--engine",
    "spark",
    "--spark-master",
    "local[2]",
];

/// A copy of the native engine's index tables, before Spark writes over them.
fn keep_native_tables(p: &Pipeline) -> PathBuf {
    let native = p.dir.path().join("native-indices");
    copy_dir(&p.output().join("parquet/indices"), &native);
    native
}

/// `spark/compare.py native spark`, asserting agreement.
fn assert_same_tables(py: &Path, native: &Path, spark: &Path) {
    let out = Command::new(py)
        .arg(repo().join("spark/compare.py"))
        .arg(native)
        .arg(spark)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the engines disagree:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" agree ("), "{text}");
}

#[test]
fn spark_writes_the_native_tables_on_the_embedded_data_and_the_reports_read_them() {
    let Some((py, path)) =
        prerequisites("spark_writes_the_native_tables_on_the_embedded_data_and_the_reports_read_them")
    else {
        return;
    };
    let config = std::fs::read_to_string(repo().join("pipeline.toml"))
        .unwrap()
        .replace("path = \"data/", &format!("path = \"{}/data/", repo().display()))
        .replace(
            "templates = \"templates\"",
            &format!("templates = \"{}/templates\"", repo().display()),
        );
    let p = Pipeline::with_config(config).env("PATH", &path);
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    p.run(["indices"]).success();
    let native = keep_native_tables(&p);

    let first = p.run(SPARK_INDICES).success();
    assert!(
        skipped_stages(&first.stderr).is_empty(),
        "another engine's tables are not fresh"
    );
    assert_same_tables(&py, &native, &p.output().join("parquet/indices"));
    assert_eq!(
        json(&native.join("_meta.json")),
        json(&p.output().join("parquet/indices/_meta.json")),
        "_meta.json as the native engine writes it"
    );
    // Unchanged input, same engine: the gate holds.
    let again = p.run(SPARK_INDICES).success();
    assert_eq!(
        skipped_stages(&again.stderr),
        [("indices".to_string(), None)],
        "{}",
        again.stderr
    );
    // The reports run on Spark's tables as they are.
    p.run(["report"]).success();
    let md = std::fs::read_to_string(p.output().join("reports/china-central-asia/report.md")).unwrap();
    assert!(md.contains("Kazakhstan"), "{md}");
}

#[test]
fn spark_matches_native_on_the_1m_benchmark_data_with_the_other_options() {
    let Some((py, path)) =
        prerequisites("spark_matches_native_on_the_1m_benchmark_data_with_the_other_options")
    else {
        return;
    };
    // Mirror HM, world totals summed over partner economies, constant dollars, a group and
    // the product tables of six exporters of the synthetic BACI-shaped table.
    let config = format!(
        r#"[run]
years = {{ from = 2015, to = 2019 }}
templates = "{templates}"

[[source]]
name = "bench"
kind = "file"
format = "imf-dots-csv"
path = "unused.csv"
vintage = "synthetic"

[indices]
countries = ["ABW", "AFG", "AGO", "ALB", "ARE", "ARG"]
hm-variant = "mirror"
world = "sum"
deflator = "us-cpi"
cagr-windows = [[2015, 2019], [2016, 2018]]
groups = ["EU", "G7"]

[indices.complexity]
proximity-table = false
"#,
        templates = repo().join("templates").display()
    );
    let p = Pipeline::with_config(config).env("PATH", &path);
    let generated = Command::new(&py)
        .arg(repo().join("bench/generate.py"))
        .arg("1000000")
        .arg(p.dir.path())
        .status()
        .unwrap();
    assert!(generated.success());
    p.run(["indices"]).success();
    let native = keep_native_tables(&p);
    for table in [
        "product",
        "pair_structure",
        "product_pair",
        "complexity",
        "complexity_country",
    ] {
        assert!(
            native.join(table).join("year=2019/part-0.parquet").is_file(),
            "{table}"
        );
    }
    p.run(SPARK_INDICES).success();
    assert_same_tables(&py, &native, &p.output().join("parquet/indices"));
}

#[test]
fn spark_computes_the_complexity_tables_of_the_ecomplexity_sample() {
    let Some((py, path)) = prerequisites("spark_computes_the_complexity_tables_of_the_ecomplexity_sample")
    else {
        return;
    };
    // Presence by RCA or RPOP with the sample's population file, which lacks Belgium-
    // Luxembourg (left out, and noted), and the proximity table.
    let p = crate::complexity::sample_run(&format!(
        "presence = \"both\"\npopulation = \"{}\"",
        crate::util::fixture("peer/population_data_sample.csv").display()
    ))
    .env("PATH", &path);
    p.run(["run"]).success();
    let native = keep_native_tables(&p);
    p.run(SPARK_INDICES).success();
    let spark = p.output().join("parquet/indices");
    for table in ["complexity", "complexity_country", "proximity"] {
        assert!(
            spark.join(table).join("year=1996/part-0.parquet").is_file(),
            "{table}"
        );
    }
    // Every table and _meta.json's universe notes (eigenvalues to rtol 1e-9, the rest equal).
    assert_same_tables(&py, &native, &spark);
    let meta = json(&spark.join("_meta.json"));
    let left = &meta["complexity"]["universes"][0]["left_out_countries"][0];
    assert_eq!(left["country"], "BLX");
    // The report reads Spark's complexity tables as the native ones.
    p.run(["report"]).success();
}

#[test]
fn spark_missing_is_a_clear_error_with_its_exit_code() {
    let p = Pipeline::slice()
        .env("PATH", "/nonexistent")
        .env("SPARK_HOME", "/nonexistent");
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    // Run where no .venv is either: nothing to find.
    let out = p
        .command(["indices", "--engine", "spark"])
        .current_dir(p.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{out:?}");
    let msg = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(msg.contains("the Spark engine needs spark-submit"), "{msg}");
    assert!(msg.contains("pip install pyspark"), "{msg}");
}

fn json(path: &PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
