//! IMF International Trade in Goods (IMTS) from the SDMX 3.0 API
//! (`api.imf.org/external/sdmx/3.0/data/dataflow/IMF.STA/IMTS/...`), StructureSpecificData
//! XML: series keyed by `COUNTRY` and `COUNTERPART_COUNTRY` (ISO 3166 alpha-3, or IMF group
//! codes `G...`), `INDICATOR` (`XG_FOB_USD` exports FOB, `MG_CIF_USD` imports CIF) and
//! `FREQUENCY`.
//!
//! Units: the series say `SCALE="6"` (millions), but `OBS_VALUE` is already in US dollars:
//! the recorded US exports to the world for 2023, 2019551635133, are the legacy service's
//! 2019551.635133 with `UNIT_MULT` 6 (test `sdmx3_values_are_dollars_despite_scale`). So
//! values are taken as they are and `SCALE` is ignored.

use tradepipe_model::Flow;

use tradepipe_model::rules::Rule;

use super::{ReadInput, ReadStats, RowMaker, sdmx_xml};
use crate::NormalizeError;
use crate::table::CanonicalRows;

/// The IMF's code for the world as a counterpart. Other `G` codes are country groups, which
/// are not canonical partners and are skipped.
const IMF_WORLD: &str = "G001";

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let make = RowMaker::new(input, out);
    let mut stats = ReadStats::default();
    let indicators = [("XG_FOB_USD", Flow::Export), ("MG_CIF_USD", Flow::Import)];
    sdmx_xml::flows(input, "INDICATOR", &indicators, &mut stats, |obs, stats| {
        if !matches!(obs.dim("FREQUENCY"), "A" | "") {
            stats.skipped_rows += 1;
            return Ok(());
        }
        // Ok(None): a country group, skipped; Err: an unknown code, rejected.
        let resolve = |column: &str| -> Result<Option<String>, ()> {
            let code = obs.dim(column);
            if code == IMF_WORLD {
                return Ok(Some(tradepipe_model::schema::WORLD.to_string()));
            }
            if code.starts_with('G') && code.len() == 4 {
                return Ok(None);
            }
            match input.registry.resolve_code(code) {
                Some(e) => Ok(Some(e.code.clone())),
                None => {
                    input.reject(Rule::AcceptedCode, obs.line, column, code, "unknown country code");
                    Err(())
                }
            }
        };
        let (Ok(reporter), Ok(partner)) = (resolve("COUNTRY"), resolve("COUNTERPART_COUNTRY")) else {
            return Ok(());
        };
        let (Some(reporter), Some(partner)) = (reporter, partner) else {
            stats.skipped_rows += 1;
            return Ok(());
        };
        let (r, p) = (out.text.intern(&reporter), out.text.intern(&partner));
        out.rows.push(make.row(obs.year, r, p, obs.flow, None, obs.value));
        Ok(())
    })?;
    Ok(stats)
}
