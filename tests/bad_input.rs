//! The bad-input corpus (`tests/fixtures/bad-input`), one table-driven test: every file's
//! expected outcome, and after every failure the previous good table left intact.

use crate::util::{Pipeline, fixture, read_json, tree};

const COLUMNS: &str = "[source.columns]\nyear = \"Year\"\nreporter = \"Reporter\"\npartner = \"Partner\"\nflow = \"Flow\"\nvalue = \"Value\"\n";

enum Expect {
    /// Success with this many canonical rows, and a provenance counter equal to a value.
    Ok(usize, Option<(&'static str, u64)>),
    /// Failure with this exit code and phrases of the message.
    Fail(i32, &'static [&'static str]),
}
use Expect::{Fail, Ok};

fn source(file: &str, format: &str, columns: &str) -> String {
    format!(
        "[[source]]\nname = \"input\"\nkind = \"file\"\nformat = \"{format}\"\npath = \"{}\"\nvintage = \"corpus\"\n{columns}",
        fixture(&format!("bad-input/{file}")).display()
    )
}

/// The table's data files and their hashes (the stage's input marker is bookkeeping, removed
/// on purpose before a stage rewrites anything).
fn table_files(p: &Pipeline) -> Vec<(String, String)> {
    use tradepipe_model::hash::{Digest, Sha256, hex};
    tree(&p.output().join("parquet/trade"))
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".inputs.sha256"))
        .map(|(name, bytes)| (name, hex(&Sha256::digest(&bytes))))
        .collect()
}

type RejectRow = (String, String, Option<u64>, String, String);

/// (rule, severity, line, column, value) of every row of the rejects table; none if a run
/// failed before validation.
fn rejects_of(p: &Pipeline) -> Vec<RejectRow> {
    let path = p.output().join("parquet/rejects/rejects.parquet");
    let Result::Ok(df) = tradepipe_parquet::read(&path, None) else {
        return Vec::new();
    };
    let s = |c: &str| df.column(c).unwrap().str().unwrap().clone();
    let (rule, severity, column, value) = (s("rule"), s("severity"), s("column"), s("value"));
    let line = df.column("line").unwrap().u64().unwrap().clone();
    (0..df.height())
        .map(|i| {
            let get = |c: &polars::prelude::StringChunked| c.get(i).unwrap().to_string();
            (get(&rule), get(&severity), line.get(i), get(&column), get(&value))
        })
        .collect()
}

fn rows_of(p: &Pipeline) -> u64 {
    let prov: serde_json::Value = read_json(&p.output().join("parquet/trade/_provenance.json"));
    prov["sources"][0]["rows"].as_u64().unwrap()
}

#[test]
fn every_bad_input_has_its_expected_outcome() {
    let hs = COLUMNS.replace(
        "flow = \"Flow\"\n",
        "flow = \"Flow\"\nproduct = \"HS\"\nclassification = \"HS\"\n",
    );
    let semicolon = format!("{COLUMNS}delimiter = \";\"\n");
    let cases: Vec<(&str, &str, String, Expect)> = vec![
        ("good.csv", "table-csv", COLUMNS.into(), Ok(4, None)),
        (
            "truncated.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["truncated.csv", "line 5 has 3 fields, the header has 5"]),
        ),
        (
            "wrong_type_year.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["line 3, column \"Year\"", "not a year", "twenty-ten"]),
        ),
        (
            "wrong_type_value.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["line 3, column \"Value\"", "not a number"]),
        ),
        (
            "nan_value.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["line 3, column \"Value\"", "\"NaN\""]),
        ),
        (
            "negative_value.csv",
            "table-csv",
            COLUMNS.into(),
            Ok(2, Some(("negative_values", 1))),
        ),
        (
            "unknown_country.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(
                65,
                &[
                    "line 3, column \"Partner\"",
                    "unknown country code or name",
                    "Atlantis",
                ],
            ),
        ),
        (
            "unknown_flow.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["line 3, column \"Flow\"", "Transit"]),
        ),
        ("lost_leading_zero.csv", "table-csv", hs.clone(), Ok(1, None)),
        (
            "exact_duplicate.csv",
            "table-csv",
            COLUMNS.into(),
            Ok(2, Some(("exact_duplicates_dropped", 1))),
        ),
        (
            "conflicting_duplicate.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(
                65,
                &[
                    "conflicting values for year 2010, CHN -> ARG, export",
                    "6115764185 (input) and 6115764000 (input)",
                ],
            ),
        ),
        ("bom_crlf.csv", "table-csv", COLUMNS.into(), Ok(4, None)),
        (
            "semicolon_delimiter.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["lacks column \"Year\"", "Year;Reporter;Partner;Flow;Value"]),
        ),
        ("semicolon_declared.csv", "table-csv", semicolon, Ok(2, None)),
        (
            "missing_column.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(
                65,
                &[
                    "missing_column.csv",
                    "(header on line 1): header lacks column \"Flow\" (found: Year, Reporter, Partner, Value)",
                ],
            ),
        ),
        ("extra_columns.csv", "table-csv", COLUMNS.into(), Ok(2, None)),
        (
            "empty.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["empty.csv", "no header line", "the file is empty"]),
        ),
        ("header_only.csv", "table-csv", COLUMNS.into(), Ok(0, None)),
        (
            "empty_value.csv",
            "table-csv",
            COLUMNS.into(),
            Ok(1, Some(("skipped_rows", 1))),
        ),
        ("year_out_of_range.csv", "table-csv", COLUMNS.into(), Ok(1, None)),
        (
            "html_saved_as_csv.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["lacks column \"Year\"", "<!DOCTYPE html>"]),
        ),
        (
            "unbalanced_quote.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(65, &["unbalanced_quote.csv", "line 3 has 3 fields"]),
        ),
        (
            "future_year.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(
                65,
                &["line 3, column \"Year\"", "a year after the current one", "2999"],
            ),
        ),
        (
            "invalid_hs_code.csv",
            "table-csv",
            hs.clone(),
            Fail(65, &["line 3, column \"HS\"", "not an HS code", "7705"]),
        ),
        (
            "revision_not_in_force.csv",
            "table-csv",
            hs.replace("classification = \"HS\"", "classification = \"HS17\""),
            Fail(
                65,
                &["line 3, column \"Year\"", "HS17 came into force in 2017", "2016"],
            ),
        ),
        ("dissolved_partner.csv", "table-csv", COLUMNS.into(), Ok(2, None)),
        (
            "code_not_in_revision.csv",
            "table-csv",
            hs.replace("classification = \"HS\"", "classification = \"HS22\""),
            Ok(2, None),
        ),
        ("former_code.csv", "table-csv", COLUMNS.into(), Ok(2, None)),
        (
            "many_errors.csv",
            "table-csv",
            COLUMNS.into(),
            Fail(
                65,
                &[
                    "line 3, column \"Partner\"",
                    "3 input row(s) failed error-severity rules (valid-type 1, accepted-code 1, year-in-range 1)",
                    "parquet/rejects/rejects.parquet",
                ],
            ),
        ),
        (
            "comtrade_truncated.json",
            "comtrade-v1-json",
            String::new(),
            Fail(
                65,
                &["comtrade_truncated.json", "not a Comtrade v1 JSON body", "EOF"],
            ),
        ),
        (
            "wits_truncated.xml",
            "wits-sdmx-xml",
            String::new(),
            Fail(65, &["wits_truncated.xml", "truncated"]),
        ),
    ];
    // The rejects table after each file: (rule, severity, line, column, value); files not
    // listed here have no rows that fail a rule.
    let rejects: &[(&str, &[(&str, &str, Option<u64>, &str, &str)])] = &[
        (
            "wrong_type_year.csv",
            &[("valid-type", "error", Some(3), "Year", "twenty-ten")],
        ),
        (
            "wrong_type_value.csv",
            &[("valid-type", "error", Some(3), "Value", "6804128143x")],
        ),
        (
            "nan_value.csv",
            &[("valid-type", "error", Some(3), "Value", "NaN")],
        ),
        (
            "unknown_country.csv",
            &[("accepted-code", "error", Some(3), "Partner", "Atlantis")],
        ),
        (
            "unknown_flow.csv",
            &[("accepted-code", "error", Some(3), "Flow", "Transit")],
        ),
        (
            "negative_value.csv",
            &[("non-negative", "warn", Some(3), "Value", "-6804128143")],
        ),
        (
            "empty_value.csv",
            &[("empty-value", "warn", Some(3), "Value", "")],
        ),
        (
            "lost_leading_zero.csv",
            &[("leading-zero", "warn", Some(2), "HS", "10511")],
        ),
        (
            "future_year.csv",
            &[("year-in-range", "error", Some(3), "Year", "2999")],
        ),
        (
            "revision_not_in_force.csv",
            &[("valid-product", "error", Some(3), "Year", "2016")],
        ),
        (
            "invalid_hs_code.csv",
            &[("valid-product", "error", Some(3), "HS", "7705")],
        ),
        (
            "dissolved_partner.csv",
            &[("valid-for-year", "warn", None, "partner", "SUN")],
        ),
        (
            "code_not_in_revision.csv",
            &[("in-nomenclature", "warn", None, "product", "853950")],
        ),
        (
            "many_errors.csv",
            &[
                ("accepted-code", "error", Some(3), "Partner", "Atlantis"),
                ("valid-type", "error", Some(4), "Value", "68O47133397"),
                ("year-in-range", "error", Some(5), "Year", "2999"),
            ],
        ),
    ];
    assert!(cases.len() >= 20);
    let corpus = std::fs::read_dir(fixture("bad-input")).unwrap().count() - 1; // README.md
    assert_eq!(corpus, cases.len(), "every corpus file has a case");

    // A good table first: every failure below must leave it as it is.
    let good = Pipeline::slice()
        .sources(&source("good.csv", "table-csv", COLUMNS))
        .without_reports();
    good.run(["fetch"]).success();
    good.run(["normalize"]).success();
    let table_before = table_files(&good);
    assert_eq!(table_before.len(), 2, "{table_before:?}");

    for (file, format, columns, expect) in cases {
        // Run years reach 2022 for the HS22 rows of `code_not_in_revision.csv`.
        let p = Pipeline::slice()
            .sources(&source(file, format, &columns))
            .without_reports()
            .edit("to = 2020 }", "to = 2022 }")
            .in_dir_of_clone(&good);
        p.run(["fetch"]).success();
        let out = p.run(["normalize"]);
        let want = rejects
            .iter()
            .find(|(f, _)| *f == file)
            .map_or(&[][..], |(_, r)| *r);
        assert_eq!(
            rejects_of(&p),
            want.iter()
                .map(|&(r, s, l, c, v)| (r.into(), s.into(), l, c.into(), v.into()))
                .collect::<Vec<_>>(),
            "{file}: rejects"
        );
        match expect {
            Ok(rows, counter) => {
                assert_eq!(out.code, 0, "{file}: {}", out.stderr);
                assert_eq!(rows_of(&p), rows as u64, "{file}");
                if let Some((field, n)) = counter {
                    let prov: serde_json::Value = serde_json::from_slice(
                        &std::fs::read(p.output().join("parquet/trade/_provenance.json")).unwrap(),
                    )
                    .unwrap();
                    assert_eq!(prov["sources"][0][field], n, "{file}: {field}");
                }
                if file == "former_code.csv" {
                    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2010, None)
                        .unwrap();
                    let partners = df.column("partner").unwrap().str().unwrap().clone();
                    assert!(partners.iter().any(|p| p == Some("ROU")), "ROM resolves to ROU");
                }
                if file == "lost_leading_zero.csv" {
                    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2017, None)
                        .unwrap();
                    let product = df
                        .column("product")
                        .unwrap()
                        .str()
                        .unwrap()
                        .get(0)
                        .map(str::to_string);
                    assert_eq!(product.as_deref(), Some("010511"));
                }
            }
            Fail(code, phrases) => {
                assert_eq!(out.code, code, "{file}: {}", out.stderr);
                let msg = out.error_message();
                for phrase in phrases {
                    assert!(msg.contains(phrase), "{file}: {msg:?} lacks {phrase:?}");
                }
                assert_eq!(
                    table_files(&p),
                    table_before,
                    "{file}: a failed normalize changed the table"
                );
            }
        }
    }
}

#[test]
fn a_warning_rule_set_to_error_stops_the_run() {
    let p = Pipeline::slice()
        .sources(&source("negative_value.csv", "table-csv", COLUMNS))
        .without_reports()
        .edit(
            "[indices]",
            "[normalize.rules]\nnon-negative = \"error\"\n\n[indices]",
        );
    p.run(["fetch"]).success();
    let out = p.run(["normalize"]).failure(65);
    let msg = out.error_message();
    for phrase in [
        "line 3, column \"Value\"",
        "negative trade value",
        "(non-negative 1)",
    ] {
        assert!(msg.contains(phrase), "{msg:?} lacks {phrase:?}");
    }
    assert_eq!(
        rejects_of(&p),
        vec![(
            "non-negative".into(),
            "error".into(),
            Some(3),
            "Value".into(),
            "-6804128143".into()
        )]
    );
    let typo = Pipeline::slice().without_reports().edit(
        "[indices]",
        "[normalize.rules]\nnon-negativ = \"error\"\n\n[indices]",
    );
    let msg = typo.run(["fetch"]).failure(78).error_message();
    assert!(msg.contains("non-negativ"), "{msg}");
}

/// A minimal .xlsx (inline strings, numeric cells) written with the zip crate: what a
/// spreadsheet program saves, without one.
fn xlsx(rows: &[Vec<Cell>]) -> Vec<u8> {
    use std::io::Write;
    let col = |i: usize| ((b'A' + i as u8) as char).to_string();
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", col(c), r + 1);
            match cell {
                Cell::S(s) => {
                    sheet.push_str(&format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{s}</t></is></c>"))
                }
                Cell::N(n) => sheet.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Trade Map" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

enum Cell {
    S(&'static str),
    N(f64),
}

#[test]
fn a_trade_map_style_workbook_normalizes_through_its_column_mapping() {
    use Cell::{N, S};
    // Title lines above the header, values in US$ thousands, a product code saved as a
    // number (its leading zero lost), country names instead of codes. Figures: the Comtrade
    // sample's China-Argentina exports 2010 and India's 2017 import of HS 010511 from Brazil.
    let book = xlsx(&[
        vec![S("Bilateral trade between the reporters and their partners")],
        vec![S("Unit: US Dollar thousand")],
        vec![
            S("Reporter"),
            S("Partner"),
            S("Product code"),
            S("Flow"),
            S("Year"),
            S("Value"),
        ],
        vec![
            S("China"),
            S("Argentina"),
            S("TOTAL"),
            S("Exports"),
            N(2010.0),
            N(6_115_764.185),
        ],
        vec![
            S("India"),
            S("Brazil"),
            N(10511.0),
            S("Imports"),
            N(2017.0),
            N(549.423),
        ],
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trade_map.xlsx");
    std::fs::write(&path, book).unwrap();
    let src = format!(
        "[[source]]\nname = \"trade-map\"\nkind = \"file\"\nformat = \"table-xlsx\"\npath = \"{}\"\nvintage = \"test workbook\"\n\
         [source.columns]\nsheet = \"Trade Map\"\nskip-rows = 2\nyear = \"Year\"\nreporter = \"Reporter\"\npartner = \"Partner\"\n\
         flow = \"Flow\"\nvalue = \"Value\"\nvalue-scale = 1000\nproduct = \"Product code\"\nclassification = \"HS\"\n",
        path.display()
    );
    let p = Pipeline::slice().sources(&src).without_reports();
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let trade = p.output().join("parquet/trade");
    let df = tradepipe_parquet::read_partition(&trade, 2017, None).unwrap();
    let get = |c: &str| df.column(c).unwrap().str().unwrap().get(0).unwrap().to_string();
    assert_eq!(
        (get("reporter"), get("partner"), get("flow")),
        ("IND".into(), "BRA".into(), "import".into())
    );
    assert_eq!(
        (get("classification"), get("product")),
        ("HS".into(), "010511".into())
    );
    let v = df.column("value_usd").unwrap().f64().unwrap().get(0).unwrap();
    assert!((v - 549_423.0).abs() < 1e-6, "{v}");
    let df = tradepipe_parquet::read_partition(&trade, 2010, None).unwrap();
    let v = df.column("value_usd").unwrap().f64().unwrap().get(0).unwrap();
    assert!((v - 6_115_764_185.0).abs() < 1e-3, "{v}");

    // A sheet that does not exist is named in the error.
    let out = Pipeline::slice()
        .sources(&src.replace("sheet = \"Trade Map\"", "sheet = \"Sheet9\""))
        .without_reports()
        .run(["run"])
        .failure(65);
    assert!(
        out.error_message().contains("sheet \"Sheet9\""),
        "{}",
        out.error_message()
    );
}

#[test]
fn a_customs_table_keeps_province_and_regime_breakdowns_and_adds_the_totals_it_lacks() {
    // SYNTHETIC round numbers, invented to exercise the code path: not China's trade.
    let table = "Year,Partner,Flow,Province,Regime,Value\n\
                 2019,USA,Export,Guangdong,Ordinary,100\n\
                 2019,USA,Export,Guangdong,Processing,50\n\
                 2019,USA,Export,Jiangsu,Ordinary,30\n\
                 2019,USA,Import,Total,Total,70\n\
                 2019,USA,Import,Guangdong,Ordinary,40\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customs.csv");
    std::fs::write(&path, table).unwrap();
    let src = format!(
        "[[source]]\nname = \"customs\"\nkind = \"file\"\nformat = \"table-csv\"\npath = \"{}\"\nvintage = \"synthetic\"\n\
         [source.columns]\nyear = \"Year\"\nreporter-code = \"CHN\"\npartner = \"Partner\"\nflow = \"Flow\"\nvalue = \"Value\"\n\
         province = \"Province\"\nregime = \"Regime\"\n",
        path.display()
    );
    let p = Pipeline::slice()
        .sources(&src)
        .edit("from = 2000, to = 2020", "from = 2019, to = 2019")
        .edit(
            "countries = [\"CHN\", \"KAZ\", \"KGZ\", \"TJK\", \"TKM\", \"UZB\"]",
            "countries = [\"CHN\", \"USA\"]",
        )
        .edit("cagr-windows = [[2010, 2020]]", "cagr-windows = []")
        .without_reports();
    p.run(["run"]).success();
    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2019, None).unwrap();
    let col = |c: &str| df.column(c).unwrap().str().unwrap().clone();
    let (flow, province, regime) = (col("flow"), col("province"), col("regime"));
    let value = df.column("value_usd").unwrap().f64().unwrap().clone();
    let mut got: Vec<(String, String, String, f64)> = (0..df.height())
        .map(|i| {
            (
                flow.get(i).unwrap().to_string(),
                province.get(i).unwrap().to_string(),
                regime.get(i).unwrap().to_string(),
                value.get(i).unwrap(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let row = |f: &str, p: &str, r: &str, v: f64| (f.to_string(), p.to_string(), r.to_string(), v);
    assert_eq!(
        got,
        vec![
            row("export", "Guangdong", "Ordinary", 100.0),
            row("export", "Guangdong", "Processing", 50.0),
            row("export", "Guangdong", "TOTAL", 150.0),
            row("export", "Jiangsu", "Ordinary", 30.0),
            row("export", "Jiangsu", "TOTAL", 30.0),
            row("export", "TOTAL", "Ordinary", 130.0),
            row("export", "TOTAL", "Processing", 50.0),
            row("export", "TOTAL", "TOTAL", 180.0),
            row("import", "Guangdong", "Ordinary", 40.0),
            row("import", "Guangdong", "TOTAL", 40.0),
            row("import", "TOTAL", "Ordinary", 40.0),
            // The table's own national total is kept, not replaced by the sum of its parts.
            row("import", "TOTAL", "TOTAL", 70.0),
        ]
    );
    // The index stage sees only the totals.
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let b = t.bilateral(2019, "CHN", "USA").unwrap();
    assert_eq!((b.exports, b.imports), (Some(180.0), Some(70.0)));
}

#[test]
fn coarser_product_levels_are_sums_of_the_finest_rows() {
    // SYNTHETIC round numbers, invented to exercise the code path. 847130 and 850440 are both
    // in HS section XVI; 020110 is in section I. The table also states heading 8471 itself
    // (35, not the 30 its subheading sums to): a stated row is kept, never recomputed.
    let table = "Year,Reporter,Partner,Flow,HS,Value\n\
                 2019,CHN,USA,Export,847130,30\n\
                 2019,CHN,USA,Export,850440,20\n\
                 2019,CHN,USA,Export,020110,5\n\
                 2019,CHN,USA,Export,8471,35\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hs.csv");
    std::fs::write(&path, table).unwrap();
    let src = format!(
        "[[source]]\nname = \"hs\"\nkind = \"file\"\nformat = \"table-csv\"\npath = \"{}\"\nvintage = \"synthetic\"\n\
         [source.columns]\nyear = \"Year\"\nreporter = \"Reporter\"\npartner = \"Partner\"\nflow = \"Flow\"\nvalue = \"Value\"\n\
         product = \"HS\"\nclassification = \"HS17\"\n",
        path.display()
    );
    let p = Pipeline::slice()
        .sources(&src)
        .edit(
            "[indices]",
            "[normalize]\nproduct-levels = [\"section\", \"chapter\", \"heading\"]\n\n[indices]",
        )
        .without_reports();
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2019, None).unwrap();
    let product = df.column("product").unwrap().str().unwrap().clone();
    let value = df.column("value_usd").unwrap().f64().unwrap().clone();
    let mut got: Vec<(String, f64)> = (0..df.height())
        .map(|i| (product.get(i).unwrap().to_string(), value.get(i).unwrap()))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let want: Vec<(String, f64)> = [
        ("02", 5.0),
        ("0201", 5.0),
        ("020110", 5.0),
        ("84", 30.0),
        ("8471", 35.0),
        ("847130", 30.0),
        ("85", 20.0),
        ("8504", 20.0),
        ("850440", 20.0),
        ("S01", 5.0),
        ("S16", 50.0),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn a_nomenclature_directory_checks_its_revisions() {
    let hs = COLUMNS.replace(
        "flow = \"Flow\"\n",
        "flow = \"Flow\"\nproduct = \"HS\"\nclassification = \"HS17\"\n",
    );
    let base = Pipeline::slice()
        .sources(&source("code_not_in_revision.csv", "table-csv", &hs))
        .without_reports();
    // A list of HS17 that lacks 853950 (a test list, not the real edition), named by the
    // config relative to itself, with the rule raised to error.
    let lists = base.config_path().parent().unwrap().join("hs");
    std::fs::create_dir_all(&lists).unwrap();
    std::fs::write(lists.join("HS17.csv"), "code\n01\n0105\n010511\n85\n8539\n").unwrap();
    let p = base.edit("to = 2020 }", "to = 2022 }").edit(
        "[indices]",
        "[normalize]\nnomenclatures = \"hs\"\n\n[normalize.rules]\nin-nomenclature = \"error\"\n\n[indices]",
    );
    p.run(["fetch"]).success();
    let msg = p.run(["normalize"]).failure(65).error_message();
    for phrase in [
        "column \"product\"",
        "not a code of HS17",
        "\"853950\"",
        "(in-nomenclature 1)",
    ] {
        assert!(msg.contains(phrase), "{msg:?} lacks {phrase:?}");
    }
    // A file that does not name a revision is refused, not silently unused.
    std::fs::write(lists.join("HS-2017.csv"), "code\n01\n").unwrap();
    let msg = p.run(["normalize"]).failure(65).error_message();
    assert!(
        msg.contains("HS-2017.csv") && msg.contains("not an HS revision name"),
        "{msg}"
    );
}

/// `classification` names an edition: a column name typed there is refused naming the key,
/// and Comtrade's `H0` … `H6` are aliases of HS92 … HS22.
#[test]
fn a_classification_must_be_one_the_tool_knows() {
    let columns = |classification: &str| {
        COLUMNS.replace(
            "flow = \"Flow\"\n",
            &format!("flow = \"Flow\"\nproduct = \"HS\"\nclassification = \"{classification}\"\n"),
        )
    };
    let p = Pipeline::slice()
        .sources(&source(
            "code_not_in_revision.csv",
            "table-csv",
            &columns("Classification"),
        ))
        .without_reports()
        .edit("to = 2020 }", "to = 2022 }");
    let msg = p.run(["fetch"]).failure(78).error_message();
    assert!(
        msg.contains(
            "[[source]] \"input\": columns: classification \"Classification\" is not a classification"
        ),
        "{msg}"
    );
    let p = Pipeline::slice()
        .sources(&source("code_not_in_revision.csv", "table-csv", &columns("H6")))
        .without_reports()
        .edit("to = 2020 }", "to = 2022 }");
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2022, None).unwrap();
    let c = df
        .column("classification")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .map(str::to_string);
    assert_eq!(c.as_deref(), Some("HS22"), "H6 is HS22");
}

/// The rows of `good.csv` saved as spreadsheet programs and statistics portals save tables
/// (`tests/fixtures/saved-as`): each gives the same canonical rows; a number with separators
/// the table was not told about names the key to set; another encoding is named.
#[test]
fn files_as_people_save_them() {
    let saved = |file: &str, extra: &str| {
        let path = fixture(&format!("saved-as/{file}"));
        let sources = format!(
            "[[source]]\nname = \"input\"\nkind = \"file\"\nformat = \"table-csv\"\npath = \"{}\"\nvintage = \"corpus\"\n{COLUMNS}{extra}",
            path.display()
        );
        Pipeline::slice().sources(&sources).without_reports()
    };
    let values = |p: &Pipeline| {
        let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2010, None).unwrap();
        let c = df.column("value_usd").unwrap().f64().unwrap().clone();
        let v: Vec<Option<f64>> = (0..c.len()).map(|i| c.get(i)).collect();
        v
    };
    let good = Pipeline::slice()
        .sources(&source("good.csv", "table-csv", COLUMNS))
        .without_reports();
    good.run(["fetch"]).success();
    good.run(["normalize"]).success();
    let want = values(&good);
    assert_eq!(want.len(), 4);
    for (file, extra) in [
        ("unicode_text.txt", "delimiter = \"\\t\"\n"),
        ("thousands.csv", "thousands-separator = \",\"\n"),
        (
            "decimal_comma.csv",
            "delimiter = \";\"\nthousands-separator = \".\"\ndecimal-separator = \",\"\n",
        ),
    ] {
        let p = saved(file, extra);
        p.run(["fetch"]).success();
        p.run(["normalize"]).success();
        assert_eq!(values(&p), want, "{file}");
    }
    let p = saved("thousands.csv", "");
    p.run(["fetch"]).success();
    let msg = p.run(["normalize"]).failure(65).error_message();
    assert!(
        msg.contains("line 2, column \"Value\": not a number (for 1,234.5 set thousands-separator = \",\" in [source.columns]): \"6,115,764,185.0\""),
        "{msg}"
    );
    let p = saved("latin1.csv", "");
    p.run(["fetch"]).success();
    let msg = p.run(["normalize"]).failure(65).error_message();
    assert!(
        msg.contains("latin1.csv")
            && msg.contains("not UTF-8 text: byte 0xF4 at line 2 (a Latin-1 or Windows-1252 file?)"),
        "{msg}"
    );
    let p = saved(
        "thousands.csv",
        "thousands-separator = \".\"\ndecimal-separator = \".\"\n",
    );
    let msg = p.run(["fetch"]).failure(78).error_message();
    assert!(
        msg.contains("thousands-separator and decimal-separator are both '.'"),
        "{msg}"
    );
}

#[test]
fn product_rows_of_one_year_in_two_hs_revisions_stop_the_index_stage() {
    use crate::conversion::source;
    let sources = format!(
        "{}\n{}",
        source("china", "chn_hs12.csv", "HS12"),
        source("germany-france", "deu_fra_hs17.csv", "HS17")
    );
    let p = Pipeline::with_sources(&sources, 2018, 2018);
    let out = p.run(["run"]).failure(65);
    insta::assert_snapshot!("mixed_hs_revisions", out.error_message());
}
