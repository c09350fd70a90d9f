//! The normalize stage as a whole: the data it writes (a digest of the sorted rows, so a new
//! file writer may change the bytes but never the data), year-by-year staging (a failing year
//! leaves every partition of the previous table as it was), and BACI release zips read entry
//! by entry.

use std::io::Write;
use std::path::Path;

use tradepipe_model::hash::{Digest, Sha256, hex};

use crate::util::{Pipeline, repo};

/// SHA-256 of every row of the canonical table (year first, every column as text, values as
/// their exact bits), sorted, one per line: what the table holds, whatever the file layout.
fn rows_digest(out: &Path) -> (usize, String) {
    let root = out.join("parquet/trade");
    let mut lines = Vec::new();
    for year in tradepipe_model::schema::partition_years(&root).unwrap() {
        let df = tradepipe_parquet::read_partition(&root, year, None).unwrap();
        // The columns the table had when the digest was taken; columns added since (quantity,
        // conversion) have tests of their own.
        let mut names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .filter(|n| !["quantity", "quantity_unit", "converted_from", "conversion"].contains(&n.as_str()))
            .collect();
        names.sort();
        let columns: Vec<_> = names
            .iter()
            .map(|n| df.column(n).unwrap().as_materialized_series().clone())
            .collect();
        for i in 0..df.height() {
            let mut line = year.to_string();
            for (name, s) in names.iter().zip(&columns) {
                let cell = match s.dtype() {
                    polars::prelude::DataType::Float64 => s
                        .f64()
                        .unwrap()
                        .get(i)
                        .map_or("null".into(), |v| format!("{:016x}", v.to_bits())),
                    _ => format!("{}", s.get(i).unwrap()),
                };
                line.push_str(&format!("\t{name}={cell}"));
            }
            lines.push(line);
        }
    }
    lines.sort();
    let mut h = Sha256::new();
    for l in &lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    (lines.len(), hex(&h.finalize()))
}

/// The embedded IMF matrix, 2000-2020, as the README's `make run` normalizes it.
#[test]
fn the_embedded_matrix_normalizes_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tradepipe"))
        .current_dir(repo())
        .args(["-q", "--output"])
        .arg(&out)
        .args(["fetch"])
        .status()
        .unwrap();
    assert!(status.success());
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tradepipe"))
        .current_dir(repo())
        .args(["-q", "--output"])
        .arg(&out)
        .args(["normalize"])
        .status()
        .unwrap();
    assert!(status.success());
    // Recorded from the table the stage wrote before it went year by year (commit f0eaa1d).
    assert_eq!(rows_digest(&out), (EMBEDDED_ROWS, EMBEDDED_DIGEST.to_string()));
    assert_eq!(side_digest(&out), EMBEDDED_SIDE_DIGEST);
}

const EMBEDDED_ROWS: usize = 1_352_317;
const EMBEDDED_DIGEST: &str = "f94e6eab6f878e195b7e545a93eb343348edbcfd5db30f20736ff13bec8ca31e";
const EMBEDDED_SIDE_DIGEST: &str = "62e18586b35cdae794ce202adc7bca53b19c5f2255fd0b9d2f62bb39ba725b53";

/// A release zip in BACI's layout: `(year, exporter, importer, k, v)` records per entry.
pub fn baci_zip(path: &Path, entries: &[(i32, &[(u32, u32, &str, &str)])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("country_codes_V202501.csv", opts).unwrap();
    z.write_all(b"country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n")
        .unwrap();
    for (year, rows) in entries {
        z.start_file(format!("BACI_HS17_Y{year}_V202501.csv"), opts)
            .unwrap();
        let mut text = String::from("t,i,j,k,v,q\n");
        for (i, j, k, v) in *rows {
            text.push_str(&format!("{year},{i},{j},{k},{v},             NA\n"));
        }
        z.write_all(text.as_bytes()).unwrap();
    }
    z.start_file("Readme.txt", opts).unwrap();
    z.write_all(b"test release\n").unwrap();
    z.finish().unwrap();
}

fn baci_pipeline(zip: &str, from: i32, to: i32) -> Pipeline {
    Pipeline::with_sources(
        &format!(
            "[[source]]\nname = \"baci\"\nkind = \"file\"\nformat = \"baci-zip\"\npath = \"{zip}\"\nvintage = \"V202501\"\n\n\
             [normalize]\nproduct-levels = [\"chapter\", \"section\"]\nmirror-policy = \"fill-gaps\"\n"
        ),
        from,
        to,
    )
}

/// Three years of a small release: products of chapters below 10 (a lost leading zero),
/// a dissolved partner, a code outside HS17, repeated records and several sources of rejects.
fn three_years(p: &Pipeline) {
    baci_zip(
        &p.dir.path().join("baci.zip"),
        &[
            (
                2017,
                &[
                    (156, 842, "10121", "1234.5"),
                    (156, 842, "850440", "0.001"),
                    (842, 156, "850440", "77.25"),
                    (156, 398, "10121", "5"),
                    (398, 156, "270900", "9000.125"),
                    (156, 842, "10121", "1234.5"),
                ],
            ),
            (
                2018,
                &[
                    (156, 842, "10121", "1"),
                    (156, 417, "853951", "2.5"),
                    (810, 156, "850440", "1.5"),
                    (417, 156, "620342", "3.75"),
                    (842, 398, "270900", "11"),
                ],
            ),
            (
                2019,
                &[
                    (156, 842, "10121", "2"),
                    (276, 251, "870323", "44.5"),
                    (251, 276, "870323", "40"),
                ],
            ),
        ],
    );
}

#[test]
fn a_baci_release_normalizes_to_the_same_rows() {
    let p = baci_pipeline("baci.zip", 2017, 2019);
    three_years(&p);
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    assert_eq!(rows_digest(&p.output()), (BACI_ROWS, BACI_DIGEST.to_string()));
    assert_eq!(side_digest(&p.output()), BACI_SIDE_DIGEST);
}

/// SHA-256 of `_provenance.json` and of the rejects table's rows, sorted (every column as
/// text): what the stage says about the rows besides the rows.
fn side_digest(out: &Path) -> String {
    // Paths of the run's temporary directory are not part of what is compared.
    let dir = out.parent().unwrap().display().to_string();
    let mut h = Sha256::new();
    let provenance = std::fs::read_to_string(out.join("parquet/trade/_provenance.json")).unwrap();
    h.update(provenance.replace(&dir, "<dir>"));
    let df = tradepipe_parquet::read(&out.join("parquet/rejects/rejects.parquet"), None).unwrap();
    let mut lines: Vec<String> = (0..df.height())
        .map(|i| {
            df.columns()
                .iter()
                .map(|c| format!("{}={}", c.name(), c.get(i).unwrap()).replace(&dir, "<dir>"))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    lines.sort();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

const BACI_ROWS: usize = 78;
const BACI_DIGEST: &str = "b7da0ee70ce72a9e1b39711ce7403b744c936448693b6e8819f4b00548698ef1";
const BACI_SIDE_DIGEST: &str = "d5a89fba55b78d401b6eb7746546c01e819d972d711f2e8578b0ee1f2b763c74";

/// The files of the canonical table (relative path, SHA-256), leaving out the stage gate's
/// marker, which the CLI writes after a successful stage, and a temporary file of that
/// marker's write cut short by a kill (no reader takes it for data; the next run removes it).
pub fn table_files(out: &Path) -> Vec<(String, String)> {
    let tmp = tradepipe_model::fsio::TMP_PREFIX;
    crate::util::tree(&out.join("parquet/trade"))
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".inputs.sha256") && !name.starts_with(tmp))
        .map(|(name, bytes)| (name, hex(&Sha256::digest(&bytes))))
        .collect()
}

#[test]
fn a_failing_year_leaves_every_partition_of_the_table_as_it_was() {
    let p = baci_pipeline("baci.zip", 2017, 2019);
    three_years(&p);
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let before = table_files(&p.output());
    assert_eq!(before.len(), 4, "three partitions and the provenance: {before:?}");

    // 2017 and 2018 are fine; 2019 has a value that conflicts with another for one key.
    baci_zip(
        &p.dir.path().join("baci.zip"),
        &[
            (2017, &[(156, 842, "10121", "99")]),
            (2018, &[(156, 842, "10121", "98")]),
            (2019, &[(156, 842, "10121", "2"), (156, 842, "010121", "3")]),
        ],
    );
    p.run(["fetch"]).success();
    let msg = p.run(["normalize"]).failure(65).error_message();
    assert!(
        msg.contains("conflicting values for year 2019, CHN -> USA, export, product 010121"),
        "{msg}"
    );
    assert_eq!(
        table_files(&p.output()),
        before,
        "a failed year changed the table"
    );

    // A code that resolves to nothing in the last year: every year is read, none is written.
    baci_zip(
        &p.dir.path().join("baci.zip"),
        &[
            (2017, &[(156, 842, "10121", "99")]),
            (2018, &[(156, 842, "10121", "98")]),
            (2019, &[(156, 999, "10121", "2")]),
        ],
    );
    p.run(["fetch"]).success();
    let msg = p.run(["normalize"]).failure(65).error_message();
    assert!(
        msg.contains("entry BACI_HS17_Y2019_V202501.csv, line 2, column \"j\": unknown BACI/Comtrade country code: \"999\""),
        "{msg}"
    );
    assert_eq!(
        table_files(&p.output()),
        before,
        "a failed year changed the table"
    );
    let leftovers: Vec<_> = std::fs::read_dir(p.output().join("parquet"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.ends_with(".old"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");

    // The same release with the bad record gone replaces the table whole.
    baci_zip(
        &p.dir.path().join("baci.zip"),
        &[
            (2017, &[(156, 842, "10121", "99")]),
            (2018, &[(156, 842, "10121", "98")]),
        ],
    );
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let after = table_files(&p.output());
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "_provenance.json",
            "year=2017/part-0.parquet",
            "year=2018/part-0.parquet"
        ],
        "the 2019 partition went with the old table"
    );
}

#[test]
fn the_table_does_not_depend_on_the_number_of_threads() {
    let p = baci_pipeline("baci.zip", 2017, 2019);
    three_years(&p);
    p.run(["fetch"]).success();
    let mut tables = Vec::new();
    for threads in ["1", "2", "5"] {
        let q = baci_pipeline("baci.zip", 2017, 2019)
            .env("RAYON_NUM_THREADS", threads)
            .in_dir_of_clone(&p);
        std::fs::copy(p.dir.path().join("baci.zip"), q.dir.path().join("baci.zip")).unwrap();
        q.run(["--force", "normalize"]).success();
        tables.push(
            table_files(&q.output())
                .into_iter()
                .filter(|(n, _)| n != "_provenance.json")
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(tables[0], tables[1]);
    assert_eq!(tables[0], tables[2]);
}

/// A long normalize says what it is doing: in JSON logs (cron, CI) one line per finished year
/// with its rows (on a terminal a progress bar over the years takes their place).
#[test]
fn json_logs_have_one_line_per_finished_year() {
    let p = baci_pipeline("baci.zip", 2017, 2019);
    three_years(&p);
    p.run(["fetch"]).success();
    let out = p.run(["--log-format", "json", "normalize"]).success();
    let years: Vec<(i64, u64)> = out
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["message"] == "year normalized")
        .map(|v| (v["year"].as_i64().unwrap(), v["rows"].as_u64().unwrap()))
        .collect();
    let mut sorted = years.clone();
    sorted.sort();
    assert_eq!(
        sorted.iter().map(|y| y.0).collect::<Vec<_>>(),
        [2017, 2018, 2019],
        "{}",
        out.stderr
    );
    assert!(years.iter().all(|&(_, rows)| rows > 0));
}

/// On a terminal, a long normalize draws a progress bar over the years with the rows written,
/// the bytes read and the rate (run under `script`, which gives the process a pseudo-terminal).
#[test]
fn a_terminal_gets_a_progress_bar_with_rows_bytes_and_rate() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        crate::util::skip(
            "progress_bar_on_a_terminal",
            "no `script` (util-linux) for a pseudo-terminal",
        );
        return;
    }
    let p = baci_pipeline("baci.zip", 2017, 2019);
    three_years(&p);
    p.run(["fetch"]).success();
    let cmd = format!(
        "{} --config {} normalize",
        env!("CARGO_BIN_EXE_tradepipe"),
        p.config_path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    for part in ["normalize [", "years", "rows,", "kB read", "rows/s"] {
        assert!(screen.contains(part), "the bar lacks {part:?}: {screen:?}");
    }
    assert!(
        !screen.contains("\"year normalized\"") && !screen.contains("year normalized year="),
        "on a terminal the bar takes the place of the per-year lines: {screen:?}"
    );
}
