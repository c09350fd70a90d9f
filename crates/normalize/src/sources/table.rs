//! Any table with a declared column mapping (`[source.columns]`): CSV files and sheets of
//! Excel workbooks (calamine), such as ITC Trade Map exports or national customs tables.
//!
//! * Country cells resolve as an ISO3 code (current or former: `ROM`), a Comtrade numeric code,
//!   an IMF name, another known name (`Other Asia, nes`) or an English name, in that order.
//! * A cell that fails a validation rule (an unknown country, a year that is not a number, a
//!   negative value, ...) goes to the rejects table with its line and column; the rule says
//!   whether the row is dropped or kept and whether the run stops. A line with fewer fields
//!   than the header is not a row at all: it stops the run at once.
//! * Flows: `export(s)`/`X`, `import(s)`/`M`, `re-export(s)`/`RX`, `re-import(s)`/`RM`, any
//!   case.
//! * Product codes stay text. An HS code whose leading zero was lost on the way (a spreadsheet
//!   turned `010511` into the number 10511) gets it back: HS codes have an even number of digits.
//! * An empty value cell is "no data" and skipped (`empty-value`); anything else must be a
//!   number, plain unless `thousands-separator` / `decimal-separator` say how the table
//!   writes them (`1,234.5`, `1.234,5`).
//! * CSV text is UTF-8 or UTF-16 with a byte-order mark (what Excel saves as "Unicode text");
//!   another encoding is an error naming what was found ([`super::cells::decode`]).
//! * Breakdowns by `province` and `regime` (national customs tables) are kept as such, and the
//!   totals the table does not state itself are added as the sums of its breakdowns: the
//!   country total, and with both columns each province's and each regime's total.

use std::collections::{HashMap, HashSet};

use tradepipe_model::config::TableColumns;
use tradepipe_model::rules::{Rule, is_valid_hs, revision_not_in_force};
use tradepipe_model::{Flow, Registry};

use super::{ReadInput, ReadStats, RowMaker};
use crate::NormalizeError;
use crate::table::CanonicalRows;

/// (year, reporter, partner, flow, classification, product, province, regime), interned.
type Key = (i32, u32, u32, Flow, u32, u32, u32, u32);

/// A table as lines of text cells, each with its 1-based line (spreadsheet row) number.
type Lines = Vec<(usize, Vec<String>)>;

pub(crate) fn read_csv(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let cols = columns(input)?;
    let bytes = input.bytes()?;
    let text = super::cells::decode(&bytes).map_err(|message| NormalizeError::Read {
        file: input.file.clone(),
        message,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(u8::try_from(cols.delimiter.unwrap_or(',')).unwrap_or(b','))
        .from_reader(text.as_bytes());
    let mut lines = Lines::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| NormalizeError::Read {
            file: input.file.clone(),
            message: format!("not readable as CSV: {e}"),
        })?;
        let line = rec.position().map_or(lines.len() + 1, |p| p.line() as usize);
        lines.push((line, rec.iter().map(str::to_string).collect()));
    }
    map_rows(input, cols, &lines, out)
}

pub(crate) fn read_xlsx(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    use calamine::Reader;
    let cols = columns(input)?;
    let read_err = |message: String| NormalizeError::Read {
        file: input.file.clone(),
        message,
    };
    let mut book = calamine::open_workbook_auto(input.blob)
        .map_err(|e| read_err(format!("not a readable workbook: {e}")))?;
    let sheet = match &cols.sheet {
        Some(s) => s.clone(),
        None => book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| read_err("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| read_err(format!("sheet {sheet:?}: {e}")))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let lines: Lines = range
        .rows()
        .enumerate()
        .map(|(i, row)| (first_row + i + 1, row.iter().map(cell_text).collect()))
        .collect();
    map_rows(input, cols, &lines, out)
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers (years, codes) as integers, not "2010.0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

fn columns<'a>(input: &'a ReadInput<'_>) -> Result<&'a TableColumns, NormalizeError> {
    input.columns.ok_or_else(|| NormalizeError::Read {
        file: input.file.clone(),
        message: "a table source needs [source.columns] in the config".into(),
    })
}

fn parse_flow(s: &str) -> Option<Flow> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "x" | "export" | "exports" => Flow::Export,
        "m" | "import" | "imports" => Flow::Import,
        "rx" | "re-export" | "re-exports" => Flow::ReExport,
        "rm" | "re-import" | "re-imports" => Flow::ReImport,
        _ => return None,
    })
}

/// The registry code of a country cell.
pub(crate) fn resolve_country(reg: &Registry, cell: &str) -> Option<String> {
    let t = cell.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(e) = reg.resolve_code(&t.to_ascii_uppercase()) {
        return Some(e.code.clone());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse()
            .ok()
            .and_then(|n| reg.resolve_comtrade_code(n))
            .map(|e| e.code.clone());
    }
    reg.resolve_imf_name(t)
        .or_else(|| reg.resolve_alias(t))
        .or_else(|| reg.entities().iter().find(|e| e.name.eq_ignore_ascii_case(t)))
        .map(|e| e.code.clone())
}

/// The product code of a cell: an HS code gets a leading zero a spreadsheet dropped back
/// (`leading-zero`) and must then be an HS code (`valid-product`); other classifications' codes
/// are kept as written. `None` drops the row.
fn product_code(classification: &str, cell: &str, mut reject: impl FnMut(Rule, &str)) -> Option<String> {
    let t = cell.trim();
    if t.is_empty() {
        reject(Rule::NotNull, "empty product code");
        return None;
    }
    if !classification.to_ascii_uppercase().starts_with("HS") {
        return Some(t.to_string());
    }
    let digits = t.bytes().all(|b| b.is_ascii_digit());
    let code = if digits && t.len() % 2 == 1 {
        reject(
            Rule::LeadingZero,
            "leading zero restored (HS codes have an even number of digits)",
        );
        format!("0{t}")
    } else {
        t.to_string()
    };
    if code == tradepipe_model::schema::TOTAL || is_valid_hs(&code) {
        Some(code)
    } else {
        reject(
            Rule::ValidProduct,
            "not an HS code (2, 4 or 6 digits, chapters 01-99 but 77)",
        );
        None
    }
}

fn map_rows(
    input: &ReadInput<'_>,
    cols: &TableColumns,
    lines: &Lines,
    out: &mut CanonicalRows,
) -> Result<ReadStats, NormalizeError> {
    let mut stats = ReadStats::default();
    let Some((header_line, header)) = lines.get(cols.skip_rows) else {
        return Err(NormalizeError::Read {
            file: input.file.clone(),
            message: format!(
                "no header line (after skipping {} lines): the file is empty",
                cols.skip_rows
            ),
        });
    };
    let find = |name: &str| -> Result<usize, NormalizeError> {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| NormalizeError::MissingColumn {
                file: format!("{} (header on line {header_line})", input.file),
                column: name.into(),
                found: header.join(", "),
            })
    };
    let opt = |name: &Option<String>| name.as_deref().map(find).transpose();
    let (c_year, c_value) = (find(&cols.year)?, find(&cols.value)?);
    let (c_partner, c_reporter, c_flow, c_product) = (
        opt(&cols.partner)?,
        opt(&cols.reporter)?,
        opt(&cols.flow)?,
        opt(&cols.product)?,
    );
    let (c_province, c_regime) = (opt(&cols.province)?, opt(&cols.regime)?);
    let total = out.text.intern(tradepipe_model::schema::TOTAL);
    // Keys the table states itself, and sums of its breakdowns over province and regime.
    let mut stated: HashSet<Key> = HashSet::new();
    let mut sums: HashMap<Key, f64> = HashMap::new();
    let make = RowMaker::new(input, out);
    let fixed_reporter = cols.reporter_code.as_deref().map(|c| out.text.intern(c));
    let fixed_partner = cols.partner_code.as_deref().map(|c| out.text.intern(c));
    let fixed_flow = cols.flow_value.as_deref().and_then(|v| v.parse::<Flow>().ok());
    // Under its canonical name (`H5` and `hs2017` are `HS17`); the config check refused others.
    let classification_name = cols
        .classification
        .as_deref()
        .map(|c| tradepipe_model::rules::classification_name(c).unwrap_or(c));
    let classification = classification_name.map(|c| out.text.intern(c));
    for (line, cells) in &lines[cols.skip_rows + 1..] {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() < header.len() {
            return Err(NormalizeError::Read {
                file: input.file.clone(),
                message: format!(
                    "line {line} has {} fields, the header has {}: a cut or shifted line",
                    cells.len(),
                    header.len()
                ),
            });
        }
        let cell = |i: usize| cells.get(i).map_or("", |s| s.trim());
        // A failing cell goes to the rejects table; the rules that drop a row end it here.
        let reject =
            |rule: Rule, i: usize, message: &str| input.reject(rule, *line, &header[i], cell(i), message);
        let year: i32 = match cell(c_year) {
            "" => {
                reject(Rule::NotNull, c_year, "empty year");
                continue;
            }
            y => match y.parse() {
                Ok(y) => y,
                Err(_) => {
                    reject(Rule::ValidType, c_year, "not a year");
                    continue;
                }
            },
        };
        if year > input.this_year {
            reject(Rule::YearInRange, c_year, "a year after the current one");
            continue;
        }
        if !input.years.contains(year) {
            continue;
        }
        let mut country = |i: usize| -> Option<u32> {
            let code = resolve_country(input.registry, cell(i));
            match code {
                Some(code) => Some(out.text.intern(&code)),
                None if cell(i).is_empty() => {
                    reject(Rule::NotNull, i, "empty country cell");
                    None
                }
                None => {
                    reject(Rule::AcceptedCode, i, "unknown country code or name");
                    None
                }
            }
        };
        let reporter = match (fixed_reporter, c_reporter) {
            (Some(r), _) => Some(r),
            (None, Some(i)) => country(i),
            (None, None) => unreachable!("config check: reporter or reporter-code"),
        };
        let partner = match (fixed_partner, c_partner) {
            (Some(p), _) => Some(p),
            (None, Some(i)) => country(i),
            (None, None) => unreachable!("config check: partner or partner-code"),
        };
        let flow = match (fixed_flow, c_flow) {
            (Some(f), _) => Some(f),
            (None, Some(i)) => parse_flow(cell(i)).or_else(|| {
                reject(
                    Rule::AcceptedCode,
                    i,
                    "not a flow (export, import, re-export, re-import)",
                );
                None
            }),
            (None, None) => unreachable!("config check: flow or flow-value"),
        };
        let (Some(reporter), Some(partner), Some(flow)) = (reporter, partner, flow) else {
            continue;
        };
        let raw = cell(c_value);
        if raw.is_empty() {
            reject(
                Rule::EmptyValue,
                c_value,
                "no value: the source has no figure for this key",
            );
            stats.skipped_rows += 1;
            continue;
        }
        let value = match super::cells::number(raw, cols.thousands_separator, cols.decimal_separator) {
            Ok(v) => v,
            Err(message) => {
                reject(Rule::ValidType, c_value, &message);
                continue;
            }
        };
        if value < 0.0 {
            reject(Rule::NonNegative, c_value, "negative trade value");
            stats.negative_values += 1;
        }
        let product = match (c_product, classification) {
            (Some(i), Some(cl)) => {
                let classification = classification_name.unwrap_or("");
                if let Some(message) = revision_not_in_force(classification, year) {
                    reject(Rule::ValidProduct, c_year, &message);
                    continue;
                }
                let Some(code) =
                    product_code(classification, cell(i), |rule, message| reject(rule, i, message))
                else {
                    continue;
                };
                Some((cl, out.text.intern(&code)))
            }
            _ => None,
        };
        let mut dim = |c: Option<usize>| match c.map(cell) {
            None | Some("") => total,
            Some(v) if ["total", "all"].contains(&v.to_ascii_lowercase().as_str()) => total,
            Some(v) => out.text.intern(v),
        };
        let (province, regime) = (dim(c_province), dim(c_regime));
        let mut row = make.row(year, reporter, partner, flow, product, value * cols.value_scale);
        (row.province, row.regime) = (province, regime);
        let key = |p: u32, g: u32| {
            (
                year,
                reporter,
                partner,
                flow,
                row.classification,
                row.product,
                p,
                g,
            )
        };
        stated.insert(key(province, regime));
        let mut margins = vec![];
        if province != total || regime != total {
            margins.push(key(total, total));
        }
        if province != total && regime != total {
            margins.extend([key(total, regime), key(province, total)]);
        }
        for m in margins {
            *sums.entry(m).or_default() += row.value_usd;
        }
        out.rows.push(row);
    }
    // Totals the table leaves to its reader: the sums of its breakdowns.
    let mut derived: Vec<(Key, f64)> = sums.into_iter().filter(|(k, _)| !stated.contains(k)).collect();
    derived.sort_by(|a, b| a.0.cmp(&b.0));
    for ((year, reporter, partner, flow, classification, product, province, regime), v) in derived {
        let product = (product != total).then_some((classification, product));
        let mut row = make.row(year, reporter, partner, flow, product, v);
        (row.province, row.regime) = (province, regime);
        out.rows.push(row);
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_resolve_from_codes_numbers_and_names() {
        let reg = Registry::embedded();
        for (cell, code) in [
            ("CHN", "CHN"),
            (" kaz ", "KAZ"),
            ("842", "USA"),
            ("China, P.R.: Mainland", "CHN"),
            ("Kyrgyz Rep.", "KGZ"),
            ("Germany", "DEU"),
            ("World", "WLD"),
            ("ROM", "ROU"),
            ("Other Asia, nes", "TWN"),
        ] {
            assert_eq!(resolve_country(&reg, cell).as_deref(), Some(code), "{cell}");
        }
        assert_eq!(resolve_country(&reg, "Atlantis"), None);
        assert_eq!(resolve_country(&reg, ""), None);
    }

    #[test]
    fn hs_codes_get_their_leading_zero_back_and_must_be_hs() {
        let code = |cl: &str, cell: &str| {
            let mut rules = Vec::new();
            let c = product_code(cl, cell, |r, _| rules.push(r.as_str()));
            (c, rules)
        };
        assert_eq!(code("HS", "10511"), (Some("010511".into()), vec!["leading-zero"]));
        assert_eq!(code("HS92", "101"), (Some("0101".into()), vec!["leading-zero"]));
        assert_eq!(code("HS", "8471"), (Some("8471".into()), vec![]));
        assert_eq!(code("SITC3", "011"), (Some("011".into()), vec![]));
        assert_eq!(code("HS", "TOTAL"), (Some("TOTAL".into()), vec![]));
        assert_eq!(code("HS", "7701"), (None, vec!["valid-product"]));
        assert_eq!(code("HS", "0"), (None, vec!["leading-zero", "valid-product"]));
        assert_eq!(code("HS", "8471.30"), (None, vec!["valid-product"]));
        assert_eq!(code("HS", " "), (None, vec!["not-null"]));
    }

    #[test]
    fn flows_in_their_usual_spellings() {
        assert_eq!(parse_flow("Exports"), Some(Flow::Export));
        assert_eq!(parse_flow("M"), Some(Flow::Import));
        assert_eq!(parse_flow("re-export"), Some(Flow::ReExport));
        assert_eq!(parse_flow("transit"), None);
    }
}
