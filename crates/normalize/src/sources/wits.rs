//! World Bank WITS trade statistics over SDMX 2.1 (`DF_WITS_TradeStats_Trade`), GenericData
//! XML: series keyed by `REPORTER` and `PARTNER` (ISO 3166 alpha-3, `WLD` the world),
//! `PRODUCTCODE` (`Total`, or a WITS product group such as `25-26_Minerals`) and `INDICATOR`
//! (`XPRT-TRD-VL` exports, `MPRT-TRD-VL` imports), values in thousands of US dollars.
//! Other indicators (shares, indices) are skipped. Product groups keep WITS's codes under
//! classification `WITS`.

use tradepipe_model::Flow;

use tradepipe_model::rules::Rule;

use super::{ReadInput, ReadStats, RowMaker, sdmx_xml};
use crate::NormalizeError;
use crate::table::CanonicalRows;

const THOUSAND: f64 = 1e3;

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let make = RowMaker::new(input, out);
    let wits = out.text.intern("WITS");
    let mut stats = ReadStats::default();
    let indicators = [("XPRT-TRD-VL", Flow::Export), ("MPRT-TRD-VL", Flow::Import)];
    sdmx_xml::flows(input, "INDICATOR", &indicators, &mut stats, |obs, _| {
        let mut resolve = |column: &str| -> Option<u32> {
            let code = obs.dim(column).to_ascii_uppercase();
            match input.registry.resolve_code(&code) {
                Some(e) => Some(out.text.intern(&e.code)),
                None => {
                    input.reject(
                        Rule::AcceptedCode,
                        obs.line,
                        column,
                        &code,
                        "unknown country code",
                    );
                    None
                }
            }
        };
        let (Some(reporter), Some(partner)) = (resolve("REPORTER"), resolve("PARTNER")) else {
            return Ok(());
        };
        let product = match obs.dim("PRODUCTCODE") {
            "" | "Total" | "TOTAL" => None,
            code => Some((wits, out.text.intern(code))),
        };
        out.rows.push(make.row(
            obs.year,
            reporter,
            partner,
            obs.flow,
            product,
            obs.value * THOUSAND,
        ));
        Ok(())
    })?;
    Ok(stats)
}
