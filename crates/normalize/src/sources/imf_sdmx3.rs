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

use super::{ReadInput, ReadStats, RowMaker, sdmx_xml};
use crate::NormalizeError;
use crate::table::CanonicalRows;

/// The IMF's code for the world as a counterpart. Other `G` codes are country groups, which
/// are not canonical partners and are skipped.
const IMF_WORLD: &str = "G001";

pub(crate) fn read(input: &ReadInput<'_>, out: &mut CanonicalRows) -> Result<ReadStats, NormalizeError> {
    let bytes = input.bytes()?;
    let make = RowMaker::new(input, out);
    let mut stats = ReadStats::default();
    let xml_error =
        |line, message: String| input.bad(line, "(XML)", "", &format!("malformed XML: {message}"));
    sdmx_xml::walk(
        &bytes,
        |obs| {
            let dim = |k: &str| obs.series.get(k).map_or("", String::as_str);
            let flow = match dim("INDICATOR") {
                "XG_FOB_USD" => Flow::Export,
                "MG_CIF_USD" => Flow::Import,
                _ => {
                    stats.skipped_rows += 1;
                    return Ok(());
                }
            };
            if !matches!(dim("FREQUENCY"), "A" | "") {
                stats.skipped_rows += 1;
                return Ok(());
            }
            let resolve = |column: &str| -> Result<Option<String>, NormalizeError> {
                let code = dim(column);
                if code == IMF_WORLD {
                    return Ok(Some(tradepipe_model::schema::WORLD.to_string()));
                }
                if code.starts_with('G') && code.len() == 4 {
                    return Ok(None);
                }
                match input.registry.get(code) {
                    Some(e) => Ok(Some(e.code.clone())),
                    None => Err(input.bad(obs.line, column, code, "unknown country code")),
                }
            };
            let (Some(reporter), Some(partner)) = (resolve("COUNTRY")?, resolve("COUNTERPART_COUNTRY")?)
            else {
                stats.skipped_rows += 1;
                return Ok(());
            };
            let year: i32 = obs
                .time
                .parse()
                .map_err(|_| input.bad(obs.line, "TIME_PERIOD", obs.time, "not a year"))?;
            if !input.years.contains(year) {
                return Ok(());
            }
            let value: f64 = obs
                .value
                .parse()
                .map_err(|_| input.bad(obs.line, "OBS_VALUE", obs.value, "not a number"))?;
            stats.negative_values += usize::from(value < 0.0);
            let (r, p) = (out.text.intern(&reporter), out.text.intern(&partner));
            out.rows.push(make.row(year, r, p, flow, None, value));
            Ok(())
        },
        xml_error,
    )?;
    Ok(stats)
}
