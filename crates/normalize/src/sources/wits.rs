//! World Bank WITS trade statistics over SDMX 2.1 (`DF_WITS_TradeStats_Trade`), GenericData
//! XML: series keyed by `REPORTER` and `PARTNER` (ISO 3166 alpha-3, `WLD` the world),
//! `PRODUCTCODE` (`Total`, or a WITS product group such as `25-26_Minerals`) and `INDICATOR`
//! (`XPRT-TRD-VL` exports, `MPRT-TRD-VL` imports), values in thousands of US dollars.
//! Other indicators (shares, indices) are skipped. Product groups keep WITS's codes under
//! classification `WITS`.

use tradepipe_model::Flow;

use super::{ReadInput, ReadStats, RowMaker, sdmx_xml};
use crate::NormalizeError;
use crate::table::CanonicalRows;

const THOUSAND: f64 = 1e3;

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let bytes = input.bytes()?;
    let make = RowMaker::new(input, out);
    let wits = out.text.intern("WITS");
    let mut stats = ReadStats::default();
    let xml_error =
        |line, message: String| input.bad(line, "(XML)", "", &format!("malformed XML: {message}"));
    sdmx_xml::walk(
        &bytes,
        |obs| {
            let dim = |k: &str| obs.series.get(k).map_or("", String::as_str);
            let flow = match dim("INDICATOR") {
                "XPRT-TRD-VL" => Flow::Export,
                "MPRT-TRD-VL" => Flow::Import,
                _ => {
                    stats.skipped_rows += 1;
                    return Ok(());
                }
            };
            let mut resolve = |column: &str| -> Result<u32, NormalizeError> {
                let code = dim(column).to_ascii_uppercase();
                match input.registry.get(&code) {
                    Some(e) => Ok(out.text.intern(&e.code)),
                    None => Err(input.bad(obs.line, column, &code, "unknown country code")),
                }
            };
            let (reporter, partner) = (resolve("REPORTER")?, resolve("PARTNER")?);
            let year: i32 = obs
                .time
                .parse()
                .map_err(|_| input.bad(obs.line, "TIME_PERIOD", obs.time, "not a year"))?;
            if !input.years.contains(year) || obs.value.is_empty() {
                return Ok(());
            }
            let value: f64 = obs
                .value
                .parse()
                .map_err(|_| input.bad(obs.line, "OBS_VALUE", obs.value, "not a number"))?;
            stats.negative_values += usize::from(value < 0.0);
            let product = match dim("PRODUCTCODE") {
                "" | "Total" | "TOTAL" => None,
                code => Some((wits, out.text.intern(code))),
            };
            out.rows
                .push(make.row(year, reporter, partner, flow, product, value * THOUSAND));
            Ok(())
        },
        xml_error,
    )?;
    Ok(stats)
}
