//! UN Comtrade API v1 `data/v1/get/{type}/{freq}/{cl}` JSON bodies:
//! `{"elapsedTime", "count", "data": [record, ...], "error"}`.
//!
//! Only records that are plain totals of their key are kept: `partner2Code` 0 (no second
//! partner), `motCode` 0 (all modes of transport) and `customsCode` "C00" (all procedures);
//! breakdowns are counted as skipped, never summed into the totals. Codes resolve through the
//! registry's Comtrade table (`data/comtrade_codes.csv`), which knows Comtrade's quirks
//! (partner 0 = World, 490 "Other Asia, nes" = Taiwan, 58 = Belgium-Luxembourg).

use serde::Deserialize;
use tradepipe_model::Flow;
use tradepipe_model::schema::TOTAL;

use tradepipe_model::rules::{Rule, revision_not_in_force};

use super::{ReadInput, ReadStats, RowMaker};
use crate::NormalizeError;
use crate::table::CanonicalRows;

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(default)]
    error: Option<String>,
    data: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    ref_year: i32,
    reporter_code: u32,
    partner_code: u32,
    #[serde(default)]
    partner2_code: Option<u32>,
    flow_code: String,
    classification_code: String,
    cmd_code: String,
    #[serde(default)]
    customs_code: Option<String>,
    #[serde(default)]
    mot_code: Option<u32>,
    primary_value: Option<f64>,
    #[serde(default)]
    is_reported: Option<bool>,
    /// Quantity in `qtyUnitAbbr` (`N/A`, with code -1, where there is none).
    #[serde(default)]
    qty: Option<f64>,
    #[serde(default)]
    qty_unit_abbr: Option<String>,
    /// Net weight in kilograms, the quantity used where `qty` is missing.
    #[serde(default)]
    net_wgt: Option<f64>,
}

/// Comtrade classification codes (`H0` … `H6`, `S1` … `S4`) as the canonical table names them.
fn classification(code: &str) -> Option<&'static str> {
    tradepipe_model::rules::classification_name(code)
}

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let ReadInput { years, registry, .. } = *input;
    let file = input.file.as_str();
    let bytes = input.bytes()?;
    let body: Body = serde_json::from_slice(&bytes).map_err(|e| NormalizeError::Read {
        file: file.into(),
        message: format!(
            "not a Comtrade v1 JSON body ({e}); it starts with {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
        ),
    })?;
    if let Some(err) = body.error.filter(|e| !e.is_empty()) {
        return Err(NormalizeError::Read {
            file: file.into(),
            message: format!("Comtrade reported an error: {err}"),
        });
    }
    // Records count from 1, like lines; there is no header.
    let reject = |rule: Rule, i: usize, column: &str, value: &str, message: &str| {
        input.reject(rule, i + 1, column, value, message)
    };
    let make = RowMaker::new(input, out);
    let mut stats = ReadStats::default();
    for (i, value) in body.data.into_iter().enumerate() {
        let r: Record = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                let message = format!("record does not have the Comtrade v1 fields: {e}");
                reject(Rule::ValidType, i, "", "", &message);
                continue;
            }
        };
        if r.ref_year > input.this_year {
            reject(
                Rule::YearInRange,
                i,
                "refYear",
                &r.ref_year.to_string(),
                "a year after the current one",
            );
            continue;
        }
        if !years.contains(r.ref_year) {
            continue;
        }
        let breakdown = r.partner2_code.unwrap_or(0) != 0
            || r.mot_code.unwrap_or(0) != 0
            || r.customs_code.as_deref().is_some_and(|c| c != "C00");
        let flow = match r.flow_code.as_str() {
            "X" => Some(Flow::Export),
            "M" => Some(Flow::Import),
            "RX" => Some(Flow::ReExport),
            "RM" => Some(Flow::ReImport),
            _ => None,
        };
        let (Some(flow), false) = (flow, breakdown) else {
            stats.skipped_rows += 1;
            continue;
        };
        let mut code = |column: &str, c: u32| match registry.resolve_comtrade_code(c) {
            Some(e) => Some(out.text.intern(&e.code)),
            None => {
                let message = "unknown Comtrade country code (add it to data/comtrade_codes.csv)";
                reject(Rule::AcceptedCode, i, column, &c.to_string(), message);
                None
            }
        };
        let (Some(reporter), Some(partner)) = (
            code("reporterCode", r.reporter_code),
            code("partnerCode", r.partner_code),
        ) else {
            continue;
        };
        let product = if r.cmd_code == TOTAL {
            None
        } else {
            let Some(c) = classification(&r.classification_code) else {
                let message = "unknown classification";
                reject(
                    Rule::AcceptedCode,
                    i,
                    "classificationCode",
                    &r.classification_code,
                    message,
                );
                continue;
            };
            if let Some(message) = revision_not_in_force(c, r.ref_year) {
                reject(
                    Rule::ValidProduct,
                    i,
                    "classificationCode",
                    &r.classification_code,
                    &message,
                );
                continue;
            }
            Some((out.text.intern(c), out.text.intern(&r.cmd_code)))
        };
        let Some(value) = r.primary_value.filter(|v| v.is_finite()) else {
            let text = r.primary_value.map_or("null".into(), |v| v.to_string());
            reject(Rule::EmptyValue, i, "primaryValue", &text, "no finite value");
            continue;
        };
        if value < 0.0 {
            reject(
                Rule::NonNegative,
                i,
                "primaryValue",
                &value.to_string(),
                "negative trade value",
            );
        }
        let is_estimate = r.is_reported == Some(false);
        stats.negative_values += usize::from(value < 0.0);
        stats.estimated_rows += usize::from(is_estimate);
        let mut row = make.row(r.ref_year, reporter, partner, flow, product, value);
        row.is_estimate = is_estimate;
        let unit = r
            .qty_unit_abbr
            .as_deref()
            .filter(|u| !u.is_empty() && *u != "N/A");
        let quantity = match (r.qty.filter(|q| q.is_finite() && *q >= 0.0), unit) {
            (Some(q), Some(unit)) => Some((q, unit)),
            _ => r
                .net_wgt
                .filter(|w| w.is_finite() && *w >= 0.0)
                .map(|w| (w, "kg")),
        };
        if let (Some((q, unit)), Some(_)) = (quantity, product) {
            row.quantity = q;
            row.quantity_unit = out.text.intern(unit);
        }
        out.rows.push(row);
    }
    Ok(stats)
}
