//! IMF Direction of Trade Statistics from the legacy SDMX-JSON service
//! (`dataservices.imf.org/REST/SDMX_JSON.svc/CompactData/DOT/...`):
//! `CompactData.DataSet.Series` is one series or a list, each with `@REF_AREA` and
//! `@COUNTERPART_AREA` (ISO 3166 alpha-2, or IMF area codes), `@INDICATOR`
//! (`TXG_FOB_USD` exports FOB, `TMG_CIF_USD` imports CIF), `@UNIT_MULT` (a power of ten:
//! 6 = millions) and `Obs`, one observation or a list of `{@TIME_PERIOD, @OBS_VALUE}`.
//! Values become US dollars by `UNIT_MULT`.

use serde_json::Value;
use tradepipe_model::Flow;

use tradepipe_model::rules::Rule;

use super::{ReadInput, ReadStats, RowMaker};
use crate::NormalizeError;
use crate::table::CanonicalRows;

/// IMF area codes that are not ISO 3166 alpha-2 codes. Checked against the embedded DOTS
/// matrix: US exports to W00 and B0 in 2020 match its World and European Union rows within
/// 0.3 % (vintage revisions).
const IMF_AREAS: [(&str, &str); 2] = [("W00", "WLD"), ("B0", "EUU")];

fn one_or_many(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let file = input.file.as_str();
    let bytes = input.bytes()?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| NormalizeError::Read {
        file: file.into(),
        message: format!(
            "not an IMF SDMX-JSON body ({e}); it starts with {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
        ),
    })?;
    let series = doc
        .pointer("/CompactData/DataSet")
        .ok_or_else(|| NormalizeError::Read {
            file: file.into(),
            message: "no CompactData.DataSet in the body".into(),
        })?;
    // "Lines" of a JSON body are its series, numbered from 1.
    let reject = |rule: Rule, k: usize, column: &str, value: &str, message: &str| {
        input.reject(
            rule,
            k + 1,
            column,
            value,
            &format!("series {}: {message}", k + 1),
        )
    };
    let area = |k: usize, column: &str, code: &str| -> Option<String> {
        if let Some((_, c)) = IMF_AREAS.iter().find(|(imf, _)| *imf == code) {
            return Some((*c).to_string());
        }
        let found = input.registry.resolve_iso2(code).map(|e| e.code.clone());
        if found.is_none() {
            reject(Rule::AcceptedCode, k, column, code, "unknown IMF area code");
        }
        found
    };
    let make = RowMaker::new(input, out);
    let mut stats = ReadStats::default();
    for (k, s) in one_or_many(series.get("Series").unwrap_or(&Value::Null))
        .into_iter()
        .enumerate()
    {
        let attr = |name: &str| s.get(name).and_then(Value::as_str).unwrap_or("");
        let flow = match attr("@INDICATOR") {
            "TXG_FOB_USD" => Flow::Export,
            "TMG_CIF_USD" => Flow::Import,
            _ => {
                // Other indicators (balances, CIF-basis exports) are not flows of the table.
                stats.skipped_rows += one_or_many(s.get("Obs").unwrap_or(&Value::Null)).len();
                continue;
            }
        };
        let (Some(reporter), Some(partner)) = (
            area(k, "@REF_AREA", attr("@REF_AREA")),
            area(k, "@COUNTERPART_AREA", attr("@COUNTERPART_AREA")),
        ) else {
            continue;
        };
        let (reporter, partner) = (out.text.intern(&reporter), out.text.intern(&partner));
        let Ok(mult) = attr("@UNIT_MULT").parse::<i32>() else {
            reject(
                Rule::ValidType,
                k,
                "@UNIT_MULT",
                attr("@UNIT_MULT"),
                "not an integer",
            );
            continue;
        };
        for obs in one_or_many(s.get("Obs").unwrap_or(&Value::Null)) {
            let o = |name: &str| obs.get(name).and_then(Value::as_str).unwrap_or("");
            let Ok(year) = o("@TIME_PERIOD").parse::<i32>() else {
                reject(
                    Rule::ValidType,
                    k,
                    "@TIME_PERIOD",
                    o("@TIME_PERIOD"),
                    "not a year",
                );
                continue;
            };
            if year > input.this_year {
                reject(
                    Rule::YearInRange,
                    k,
                    "@TIME_PERIOD",
                    o("@TIME_PERIOD"),
                    "a year after the current one",
                );
                continue;
            }
            if !input.years.contains(year) {
                continue;
            }
            let Some(value) = o("@OBS_VALUE").parse::<f64>().ok().filter(|v| v.is_finite()) else {
                reject(Rule::ValidType, k, "@OBS_VALUE", o("@OBS_VALUE"), "not a number");
                continue;
            };
            if value < 0.0 {
                reject(
                    Rule::NonNegative,
                    k,
                    "@OBS_VALUE",
                    o("@OBS_VALUE"),
                    "negative trade value",
                );
                stats.negative_values += 1;
            }
            out.rows
                .push(make.row(year, reporter, partner, flow, None, value * 10f64.powi(mult)));
        }
    }
    Ok(stats)
}
