//! The shipped example configs (`examples/*.toml`: China and Central Asia, Germany and five
//! neighbours, the US with Mexico and Canada) on the embedded data: each report's Markdown is
//! a snapshot, no general report mentions a paper, and each report's tables reach its CSV and
//! XLSX files with the numbers `report.json` holds.

use std::path::Path;

use crate::util::{read_json, repo};

pub const EXAMPLES: [&str; 3] = ["china-central-asia", "germany-neighbours", "usmca"];

/// Runs `examples/<name>.toml` with its output in `out`; returns the report directory.
pub fn run_example(name: &str, out: &Path) -> std::path::PathBuf {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tradepipe"))
        .current_dir(repo())
        .args(["-q", "--config", &format!("examples/{name}.toml"), "--output"])
        .arg(out)
        .arg("run")
        .env_remove("TRADEPIPE_OUTPUT")
        .status()
        .unwrap();
    assert!(status.success(), "example {name}");
    out.join("reports").join(name)
}

#[test]
fn every_example_renders_and_keeps_its_markdown() {
    let dir = tempfile::tempdir().unwrap();
    for name in EXAMPLES {
        let report = run_example(name, &dir.path().join(name));
        let md = std::fs::read_to_string(report.join("report.md")).unwrap();
        insta::assert_snapshot!(format!("example_{name}_md"), md);
    }
}

/// A general report (every example, and the default `pipeline.toml`) carries nothing of a
/// particular study: no "seed", no paper, no figure number in a caption.
#[test]
fn no_general_report_mentions_a_paper() {
    let dir = tempfile::tempdir().unwrap();
    let mut reports: Vec<std::path::PathBuf> = EXAMPLES
        .iter()
        .map(|name| run_example(name, &dir.path().join(name)))
        .collect();
    let out = dir.path().join("default");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tradepipe"))
        .current_dir(repo())
        .args(["-q", "--output"])
        .arg(&out)
        .arg("run")
        .env_remove("TRADEPIPE_OUTPUT")
        .status()
        .unwrap();
    assert!(status.success());
    for e in std::fs::read_dir(out.join("reports")).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            reports.push(path);
        }
    }
    for r in &reports {
        let json = read_json(&r.join("report.json"));
        // What the report says in its own words (not product names: "paper", "seed" are
        // goods): title, subtitle, highlights, captions, table titles and notes, data notes.
        let mut words: Vec<String> = vec![json["title"].to_string(), json["subtitle"].to_string()];
        for key in ["highlights", "estimates"] {
            words.extend(json[key].as_array().unwrap().iter().map(|v| v.to_string()));
        }
        for f in json["figures"].as_array().unwrap() {
            words.extend([f["title"].to_string(), f["caption"].to_string()]);
            assert!(
                !f["caption"].as_str().unwrap().contains("Figure"),
                "{}: {}",
                r.display(),
                f["caption"]
            );
        }
        for t in json["tables"].as_array().unwrap() {
            words.extend([t["title"].to_string(), t["note"].to_string()]);
        }
        for w in &words {
            let lower = w.to_lowercase();
            for word in ["seed", "paper"] {
                assert!(!lower.contains(word), "{}: {w}", r.display());
            }
        }
    }
}

#[test]
fn tables_reach_csv_and_xlsx_with_the_numbers_of_report_json() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let report = run_example("germany-neighbours", dir.path());
    let json = read_json(&report.join("report.json"));
    let tables = json["tables"].as_array().unwrap();
    assert!(tables.len() > 10, "{}", tables.len());
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(report.join("tables.xlsx")).unwrap();
    let sheets = wb.sheet_names();
    assert_eq!(sheets.len(), tables.len() + 1, "a sheet a table and the notes");
    assert_eq!(sheets.last().map(String::as_str), Some("Notes"));
    for (t, sheet) in tables.iter().zip(&sheets) {
        let id = t["id"].as_str().unwrap();
        let range = wb.worksheet_range(sheet).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let headers: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        let want: Vec<&str> = t["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert_eq!(headers, want, "{id}");
        let body = t["rows"].as_array().unwrap();
        assert_eq!(rows.len() - 1, body.len(), "{id}");
        for (got, want) in rows[1..].iter().zip(body) {
            for (c, w) in want.as_array().unwrap().iter().enumerate() {
                let w = w.as_str().unwrap();
                let cell = got.get(c).cloned().unwrap_or(Data::Empty);
                match tradepipe_report::export::cell(w) {
                    tradepipe_report::export::Cell::Number(x) => {
                        assert_eq!(cell, Data::Float(x), "{id}: {w}")
                    }
                    tradepipe_report::export::Cell::Text(s) => {
                        assert_eq!(cell, Data::String(s), "{id}")
                    }
                    tradepipe_report::export::Cell::Empty => assert_eq!(cell, Data::Empty, "{id}: {w}"),
                }
            }
        }
        // The CSV of the same table: its header and as many rows.
        let csv = std::fs::read_to_string(report.join("tables").join(format!("{id}.csv"))).unwrap();
        assert_eq!(csv.lines().count(), body.len() + 1, "{id}");
    }
    // The totals table: a number as a number (US$ billion, as shown).
    let totals = wb.worksheet_range(&sheets[0]).unwrap();
    assert!(
        matches!(totals.get((1, 1)), Some(Data::Float(_))),
        "{:?}",
        totals.get((1, 1))
    );
}
