//! CEPII BACI bulk releases: a zip holding one CSV per year, named
//! `BACI_<HS revision>_Y<year>_V<version>.csv`, with columns `t` (year), `i` (exporter), `j`
//! (importer), `k` (HS6 product), `v` (value, thousands of US dollars, FOB) and `q` (tonnes).
//! Other entries (country and product code lists, readme) are not read.
//!
//! * Country codes are BACI's numeric codes, which follow UN Comtrade's (842 = USA,
//!   490 = Taiwan) and resolve through the same table.
//! * `k` is text: a code that lost its leading zero on the way (`10121`) is padded back to
//!   six digits (`010121`), so chapters 01-09 keep their codes.
//! * BACI reconciles the exporter's and the importer's reports into one FOB value per flow;
//!   each record becomes the exporter's export and the importer's import, both with that
//!   value.
//! * Entries are read through a byte cap (the fetch stage checked every entry; this guards a
//!   blob swapped on disk since).

use std::io::Read;

use tradepipe_model::Flow;

use tradepipe_model::rules::{Rule, is_valid_hs, revision_not_in_force};

use super::{ReadInput, ReadStats, RowMaker};
use crate::NormalizeError;
use crate::rejects::Reject;
use crate::table::CanonicalRows;

const THOUSAND: f64 = 1e3;
/// Largest entry read (a full HS6 year is about 1 GB of CSV).
const MAX_ENTRY_BYTES: u64 = 16 << 30;

/// `(revision, year)` of a data entry name, e.g. `("HS92", 2010)`.
fn entry_year(name: &str) -> Option<(String, i32)> {
    let base = name.rsplit('/').next()?;
    let rest = base.strip_prefix("BACI_")?.strip_suffix(".csv")?;
    let mut parts = rest.split('_');
    let revision = parts.next()?.to_string();
    let year = parts.next()?.strip_prefix('Y')?.parse().ok()?;
    Some((revision, year))
}

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let file = fs_err::File::open(input.blob).map_err(|e| NormalizeError::Read {
        file: input.file.clone(),
        message: e.to_string(),
    })?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| NormalizeError::Read {
        file: input.file.clone(),
        message: format!("not a readable zip archive: {e}"),
    })?;
    let make = RowMaker::new(input, out);
    let mut stats = ReadStats::default();
    let mut names: Vec<(usize, String, String, i32)> = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| NormalizeError::Read {
            file: input.file.clone(),
            message: format!("entry {i}: {e}"),
        })?;
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if let Some((rev, year)) = entry_year(&name) {
            if input.years.contains(year) {
                names.push((i, name, rev, year));
            }
        }
    }
    for (i, name, revision, year) in names {
        let entry = zip.by_index(i).map_err(|e| NormalizeError::Read {
            file: input.file.clone(),
            message: format!("entry {name}: {e}"),
        })?;
        let at = format!("{} entry {name}", input.file);
        let reject = |rule: Rule, line: usize, column: &str, value: &str, message: &str| {
            input
                .rejects
                .borrow_mut()
                .record(rule, Reject::at(&at, line, column, value, message));
        };
        let classification = out.text.intern(&revision);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(entry.take(MAX_ENTRY_BYTES));
        let headers = csv.headers().map_err(|e| NormalizeError::Read {
            file: at.clone(),
            message: e.to_string(),
        })?;
        let col = |c: &str| -> Result<usize, NormalizeError> {
            headers
                .iter()
                .position(|h| h.trim() == c)
                .ok_or_else(|| NormalizeError::MissingColumn {
                    file: at.clone(),
                    column: c.into(),
                    found: headers.iter().collect::<Vec<_>>().join(","),
                })
        };
        let (ct, ci, cj, ck, cv) = (col("t")?, col("i")?, col("j")?, col("k")?, col("v")?);
        let mut record = csv::StringRecord::new();
        let mut line = 1usize;
        loop {
            match csv.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    return Err(NormalizeError::Read {
                        file: at.clone(),
                        message: format!("line {}: {e}", line + 1),
                    });
                }
            }
            line += 1;
            let field = |c: usize| record.get(c).unwrap_or("").trim();
            let Ok(t) = field(ct).parse::<i32>() else {
                reject(Rule::ValidType, line, "t", field(ct), "not a year");
                continue;
            };
            if let Some(message) = revision_not_in_force(&revision, t) {
                reject(Rule::ValidProduct, line, "t", field(ct), &message);
                continue;
            }
            if t != year {
                let message = format!("year differs from the entry's Y{year}");
                reject(Rule::YearInRange, line, "t", field(ct), &message);
                continue;
            }
            let mut country = |c: usize, column: &str| -> Option<u32> {
                let Ok(code) = field(c).parse::<u32>() else {
                    reject(Rule::ValidType, line, column, field(c), "not a country code");
                    return None;
                };
                match input.registry.resolve_comtrade_code(code) {
                    Some(e) => Some(out.text.intern(&e.code)),
                    None => {
                        reject(
                            Rule::AcceptedCode,
                            line,
                            column,
                            field(c),
                            "unknown BACI/Comtrade country code",
                        );
                        None
                    }
                }
            };
            let (Some(exporter), Some(importer)) = (country(ci, "i"), country(cj, "j")) else {
                continue;
            };
            let k = field(ck);
            // BACI writes codes as numbers: chapters 01-09 lose their leading zero by design.
            let product = if k.len() == 5 {
                format!("0{k}")
            } else {
                k.to_string()
            };
            if product.len() != 6 || !is_valid_hs(&product) {
                reject(Rule::ValidProduct, line, "k", k, "not an HS6 code");
                continue;
            }
            let Some(value) = field(cv).parse::<f64>().ok().filter(|v| v.is_finite()) else {
                reject(Rule::ValidType, line, "v", field(cv), "not a number");
                continue;
            };
            if value < 0.0 {
                reject(Rule::NonNegative, line, "v", field(cv), "negative trade value");
                stats.negative_values += 1;
            }
            let product = Some((classification, out.text.intern(&product)));
            let usd = value * THOUSAND;
            out.rows
                .push(make.row(year, exporter, importer, Flow::Export, product, usd));
            out.rows
                .push(make.row(year, importer, exporter, Flow::Import, product, usd));
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        assert_eq!(
            entry_year("BACI_HS92_Y2010_V202401b.csv"),
            Some(("HS92".into(), 2010))
        );
        assert_eq!(
            entry_year("dir/BACI_HS17_Y2022_V202401b.csv"),
            Some(("HS17".into(), 2022))
        );
        assert_eq!(entry_year("country_codes_V202401b.csv"), None);
        assert_eq!(entry_year("Readme.txt"), None);
    }
}
