//! The report's tables for readers who take them away: `tables/<id>.csv` (one file a table)
//! and `tables.xlsx` (a sheet a table, and a `Notes` sheet with each table's title, note and
//! footnote), beside `report.json`.
//!
//! Cells hold what the report shows, as values: a number as a number (thousands separators
//! dropped, so `1,234.56` is 1234.56), `–` (absent) as an empty cell, anything else as text
//! (`1.06*`, names, `61.2 (3)`). The workbook's creation date is fixed, so equal tables give
//! equal bytes.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use crate::ReportError;
use crate::context::Table;
use crate::format::MISSING;

/// A table cell as a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64),
    Text(String),
    Empty,
}

/// The value a report cell shows.
pub fn cell(text: &str) -> Cell {
    let t = text.trim();
    if t.is_empty() || t == MISSING {
        return Cell::Empty;
    }
    let plain = t.replace(',', "");
    let numeric = plain
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && plain.bytes().any(|b| b.is_ascii_digit());
    match plain.parse::<f64>() {
        Ok(v) if numeric && v.is_finite() => Cell::Number(v),
        _ => Cell::Text(t.to_string()),
    }
}

/// A sheet name Excel accepts for `id` (31 characters, unique among `used`).
fn sheet_name(id: &str, used: &mut Vec<String>) -> String {
    let base: String = id
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(28)
        .collect();
    let mut name = base.clone();
    let mut k = 2;
    while used.contains(&name) || name == "Notes" {
        name = format!("{base}-{k}");
        k += 1;
    }
    used.push(name.clone());
    name
}

fn xlsx_err(path: &Path, e: XlsxError) -> ReportError {
    ReportError::Export {
        path: path.into(),
        message: e.to_string(),
    }
}

/// The workbook of `tables`, as bytes.
pub fn workbook(tables: &[Table], path: &Path) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(1980, 1, 1).map_err(|e| xlsx_err(path, e))?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let mut used = Vec::new();
    let mut names = Vec::new();
    for t in tables {
        let name = sheet_name(&t.id, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(|e| xlsx_err(path, e))?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(|e| xlsx_err(path, e))?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell(v) {
                    Cell::Number(x) => ws.write_number(r, c, x).map(drop),
                    Cell::Text(s) => ws.write_string(r, c, s).map(drop),
                    Cell::Empty => Ok(()),
                }
                .map_err(|e| xlsx_err(path, e))?;
            }
        }
        ws.set_column_width(0, 24).map_err(|e| xlsx_err(path, e))?;
        names.push(name);
    }
    let notes = wb.add_worksheet();
    notes.set_name("Notes").map_err(|e| xlsx_err(path, e))?;
    for (c, h) in ["Sheet", "Table", "Note", "Source"].iter().enumerate() {
        notes
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(|e| xlsx_err(path, e))?;
    }
    for (r, (t, name)) in tables.iter().zip(&names).enumerate() {
        for (c, text) in [name.as_str(), &t.title, &t.note, &t.source].iter().enumerate() {
            notes
                .write_string(r as u32 + 1, c as u16, *text)
                .map_err(|e| xlsx_err(path, e))?;
        }
    }
    wb.save_to_buffer().map_err(|e| xlsx_err(path, e))
}

/// One table as CSV: the header row, then its rows as values.
pub fn csv(t: &Table, path: &Path) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| ReportError::Export {
        path: path.into(),
        message: e.to_string(),
    };
    w.write_record(&t.headers).map_err(err)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|v| match cell(v) {
            Cell::Number(x) => x.to_string(),
            Cell::Text(s) => s,
            Cell::Empty => String::new(),
        }))
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| ReportError::Export {
        path: path.into(),
        message: e.to_string(),
    })
}

/// Writes `tables/<id>.csv` and `tables.xlsx` under `dir`, removing the CSV files of tables
/// this report no longer has.
pub fn write(dir: &Path, tables: &[Table]) -> Result<(), ReportError> {
    let csv_dir = dir.join("tables");
    let mut written = Vec::new();
    for t in tables {
        let name = format!("{}.csv", t.id);
        let path = csv_dir.join(&name);
        tradepipe_model::fsio::write_atomic(&path, &csv(t, &path)?)?;
        written.push(name);
    }
    if let Ok(entries) = std::fs::read_dir(&csv_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") && !written.contains(&name) {
                fs_err::remove_file(e.path())?;
            }
        }
    }
    let path = dir.join("tables.xlsx");
    tradepipe_model::fsio::write_atomic(&path, &workbook(tables, &path)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_values() {
        assert_eq!(cell("1,234.56"), Cell::Number(1234.56));
        assert_eq!(cell("-2.50"), Cell::Number(-2.5));
        assert_eq!(cell("2020"), Cell::Number(2020.0));
        assert_eq!(cell("–"), Cell::Empty);
        assert_eq!(cell("1.06*"), Cell::Text("1.06*".into()));
        assert_eq!(cell("61.2 (3)"), Cell::Text("61.2 (3)".into()));
        assert_eq!(cell("Kazakhstan"), Cell::Text("Kazakhstan".into()));
        assert_eq!(cell("-"), Cell::Text("-".into()));
    }

    #[test]
    fn sheet_names_are_short_and_unique() {
        let mut used = Vec::new();
        let long = "a-table-id-much-longer-than-excel-allows";
        let a = sheet_name(long, &mut used);
        let b = sheet_name(long, &mut used);
        assert!(a.len() <= 31 && b.len() <= 31 && a != b, "{a} {b}");
        assert_eq!(sheet_name("Notes", &mut used), "Notes-2");
    }

    #[test]
    fn equal_tables_give_equal_workbooks() {
        let t = Table {
            id: "totals".into(),
            title: "T".into(),
            note: "N".into(),
            headers: vec!["Year".into(), "Exports".into()],
            rows: vec![vec!["2020".into(), "1,234.50".into()]],
            source: "S".into(),
        };
        let p = Path::new("tables.xlsx");
        assert_eq!(workbook(&[t.clone()], p).unwrap(), workbook(&[t], p).unwrap());
    }
}
