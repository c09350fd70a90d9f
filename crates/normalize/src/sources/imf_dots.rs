//! IMF Direction of Trade Statistics in long CSV form (optionally gzipped):
//! `reporter, partner, flow, year, value_usd_mn, is_estimate` (other columns ignored), with
//! IMF country names, flows `X_FOB` (exports, FOB) and `M_CIF` (imports, CIF), values in
//! millions of US dollars.
//!
//! The file is parsed with polars' multi-threaded CSV reader; only when that fails is it
//! walked again row by row to name the line and column at fault.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use tradepipe_model::Flow;
use tradepipe_model::rules::Rule;

use super::{ReadInput, ReadStats, RowMaker};
use crate::NormalizeError;
use crate::table::CanonicalRows;

const REQUIRED: [&str; 6] = [
    "reporter",
    "partner",
    "flow",
    "year",
    "value_usd_mn",
    "is_estimate",
];
const MILLION: f64 = 1e6;

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let ReadInput {
        blob,
        years,
        registry,
        ..
    } = *input;
    let file = input.file.as_str();
    let bytes = read_maybe_gzipped(blob).map_err(|e| NormalizeError::Read {
        file: file.into(),
        message: e.to_string(),
    })?;
    let header = header_columns(&bytes);
    for col in REQUIRED {
        if !header.iter().any(|h| h == col) {
            return Err(NormalizeError::MissingColumn {
                file: file.into(),
                column: col.into(),
                found: header.join(", "),
            });
        }
    }
    let df = parse(&bytes).map_err(|e| {
        diagnose(&bytes, file).unwrap_or(NormalizeError::Read {
            file: file.into(),
            message: e.to_string(),
        })
    })?;
    let col = |name: &str| df.column(name).expect("required column checked above");
    // Row `i` of the frame is line `i + 2` of the file (after the header).
    let reject = |rule: Rule, i: usize, column: &str, value: &str, message: &str| {
        input.reject(rule, i + 2, column, value, message)
    };
    let as_str = |name: &str| {
        col(name).str().map_err(|e| NormalizeError::Read {
            file: file.into(),
            message: e.to_string(),
        })
    };
    let reporters = as_str("reporter")?;
    let partners = as_str("partner")?;
    let flows = as_str("flow")?;
    let estimates = as_str("is_estimate")?;
    let year_col = col("year").i32().map_err(|e| NormalizeError::Read {
        file: file.into(),
        message: e.to_string(),
    })?;
    let value_col = col("value_usd_mn").f64().map_err(|e| NormalizeError::Read {
        file: file.into(),
        message: e.to_string(),
    })?;

    let make = RowMaker::new(input, out);
    // Distinct names are few (about 240): resolve each once.
    let mut codes: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut stats = ReadStats::default();
    let columns = reporters
        .iter()
        .zip(partners.iter())
        .zip(flows.iter())
        .zip(year_col.iter())
        .zip(value_col.iter())
        .zip(estimates.iter());
    for (i, (((((reporter, partner), flow), year), value), estimate)) in columns.enumerate() {
        let Some(year) = year else {
            reject(Rule::NotNull, i, "year", "", "missing year");
            continue;
        };
        if year > input.this_year {
            reject(
                Rule::YearInRange,
                i,
                "year",
                &year.to_string(),
                "a year after the current one",
            );
            continue;
        }
        if !years.contains(year) {
            continue;
        }
        let mut code = |column: &str, name: Option<&str>| -> Option<u32> {
            let name = name.unwrap_or("");
            if let Some(&c) = codes.get(name) {
                return Some(c);
            }
            let Some(entity) = registry.resolve_imf_name(name) else {
                let message = "unknown IMF country or area name (add it to data/imf_country_names.csv)";
                reject(Rule::AcceptedCode, i, column, name, message);
                return None;
            };
            let c = out.text.intern(&entity.code);
            codes.insert(name.to_owned(), c);
            Some(c)
        };
        let (Some(reporter), Some(partner)) = (code("reporter", reporter), code("partner", partner)) else {
            continue;
        };
        let flow = match flow {
            Some("X_FOB") => Flow::Export,
            Some("M_CIF") => Flow::Import,
            other => {
                let message = "unknown flow (expected X_FOB or M_CIF)";
                reject(Rule::AcceptedCode, i, "flow", other.unwrap_or(""), message);
                continue;
            }
        };
        let Some(value) = value.filter(|v| v.is_finite()) else {
            let text = value.map(|v| v.to_string()).unwrap_or_default();
            reject(Rule::EmptyValue, i, "value_usd_mn", &text, "no finite value");
            continue;
        };
        let is_estimate = match estimate {
            Some("True" | "true" | "TRUE" | "1") => true,
            Some("False" | "false" | "FALSE" | "0" | "") | None => false,
            Some(other) => {
                reject(Rule::ValidType, i, "is_estimate", other, "expected True or False");
                continue;
            }
        };
        if value < 0.0 {
            reject(
                Rule::NonNegative,
                i,
                "value_usd_mn",
                &value.to_string(),
                "negative trade value",
            );
        }
        stats.negative_values += usize::from(value < 0.0);
        stats.estimated_rows += usize::from(is_estimate);
        let mut row = make.row(year, reporter, partner, flow, None, value * MILLION);
        row.is_estimate = is_estimate;
        out.rows.push(row);
    }
    Ok(stats)
}

fn read_maybe_gzipped(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = fs_err::read(path)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 6);
        flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn header_columns(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(line)
        .trim_end_matches('\r')
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect()
}

fn parse(bytes: &[u8]) -> PolarsResult<DataFrame> {
    let overwrite = Schema::from_iter([
        Field::new("year".into(), DataType::Int32),
        Field::new("value_usd_mn".into(), DataType::Float64),
    ]);
    CsvReadOptions::default()
        .with_has_header(true)
        // Everything not named above stays text: names must not be guessed into numbers.
        .with_infer_schema_length(Some(0))
        .with_schema_overwrite(Some(Arc::new(overwrite)))
        .into_reader_with_file_handle(std::io::Cursor::new(bytes))
        .finish()
}

/// Walks the file row by row to find the first line polars could not parse.
fn diagnose(bytes: &[u8], file: &str) -> Option<NormalizeError> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = rdr.headers().ok()?.clone();
    let idx = |name: &str| headers.iter().position(|h| h == name);
    let (year_i, value_i) = (idx("year")?, idx("value_usd_mn")?);
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                return Some(NormalizeError::BadValue {
                    file: file.into(),
                    row: line,
                    column: String::new(),
                    value: String::new(),
                    message: e.to_string(),
                });
            }
        };
        let field = |j: usize| rec.get(j).unwrap_or("");
        if field(year_i).parse::<i32>().is_err() {
            return Some(NormalizeError::BadValue {
                file: file.into(),
                row: line,
                column: "year".into(),
                value: field(year_i).into(),
                message: "not a year".into(),
            });
        }
        let v = field(value_i);
        if !v.is_empty() && v.parse::<f64>().is_err() {
            return Some(NormalizeError::BadValue {
                file: file.into(),
                row: line,
                column: "value_usd_mn".into(),
                value: v.into(),
                message: "not a number".into(),
            });
        }
    }
    None
}
