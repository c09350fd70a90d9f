//! One walk over an SDMX-ML data message, in either layout:
//!
//! * StructureSpecific (IMF SDMX 3.0): `<Series COUNTRY=".." INDICATOR=".." ...>` holding
//!   `<Obs TIME_PERIOD=".." OBS_VALUE=".."/>`;
//! * Generic (WITS, SDMX 2.1 default): `<generic:Series>` with `<generic:SeriesKey>` of
//!   `<generic:Value id=".." value=".."/>` and `<generic:Obs>` holding
//!   `<generic:ObsDimension value=".."/>` and `<generic:ObsValue value=".."/>`.
//!
//! Every observation comes out with its series' dimensions, and the line it is on, so errors
//! can name the line.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use tradepipe_model::Flow;

use tradepipe_model::rules::Rule;

use super::{ReadInput, ReadStats};
use crate::NormalizeError;

/// One observation and the dimensions of its series.
pub(crate) struct Obs<'a> {
    pub series: &'a BTreeMap<String, String>,
    pub time: &'a str,
    pub value: &'a str,
    pub line: usize,
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn attrs(e: &BytesStart<'_>) -> BTreeMap<String, String> {
    e.attributes()
        .flatten()
        .map(|a| {
            (
                String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                a.unescape_value().map(|v| v.into_owned()).unwrap_or_default(),
            )
        })
        .collect()
}

/// Calls `f` for every observation. Errors are "line N: message".
pub(crate) fn walk<E>(
    bytes: &[u8],
    mut f: impl FnMut(Obs<'_>) -> Result<(), E>,
    xml_error: impl Fn(usize, String) -> E,
) -> Result<(), E> {
    let line_at = |pos: usize| {
        1 + bytes[..pos.min(bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    };
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut series = BTreeMap::new();
    let (mut in_key, mut in_attributes) = (false, false);
    let (mut time, mut value) = (String::new(), String::new());
    let mut in_generic_obs = false;
    let mut depth = 0usize;
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(line_at(pos), e.to_string()))?;
        let (e, empty) = match &event {
            Event::Start(e) => {
                depth += 1;
                (e, false)
            }
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    b"SeriesKey" => in_key = false,
                    b"Attributes" => in_attributes = false,
                    b"Obs" if in_generic_obs => {
                        in_generic_obs = false;
                        f(Obs {
                            series: &series,
                            time: &time,
                            value: &value,
                            line: line_at(pos),
                        })?;
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Eof if depth > 0 => {
                return Err(xml_error(
                    line_at(pos),
                    format!("the document ends inside {depth} open element(s): truncated"),
                ));
            }
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        match local(e).as_str() {
            "Series" => {
                // StructureSpecific: dimensions are attributes. Generic: they follow in SeriesKey.
                series = attrs(e);
            }
            "SeriesKey" => in_key = !empty,
            "Attributes" => in_attributes = !empty,
            "Value" if in_key && !in_attributes => {
                let a = attrs(e);
                let id = a
                    .get("id")
                    .or_else(|| a.get("concept"))
                    .cloned()
                    .unwrap_or_default();
                series.insert(id, a.get("value").cloned().unwrap_or_default());
            }
            "Obs" => {
                let a = attrs(e);
                if let (Some(t), Some(v)) = (a.get("TIME_PERIOD"), a.get("OBS_VALUE")) {
                    f(Obs {
                        series: &series,
                        time: t,
                        value: v,
                        line: line_at(pos),
                    })?;
                } else if !empty {
                    in_generic_obs = true;
                    time.clear();
                    value.clear();
                }
            }
            "ObsDimension" if in_generic_obs => {
                time = attrs(e).get("value").cloned().unwrap_or_default();
            }
            "ObsValue" if in_generic_obs => {
                value = attrs(e).get("value").cloned().unwrap_or_default();
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// An observation of a trade flow, its year and value parsed.
pub(crate) struct FlowObs<'a> {
    pub dims: &'a BTreeMap<String, String>,
    pub flow: Flow,
    pub year: i32,
    pub value: f64,
    pub line: usize,
}

impl FlowObs<'_> {
    pub fn dim(&self, k: &str) -> &str {
        self.dims.get(k).map_or("", String::as_str)
    }
}

/// Walks `input`'s observations of the flows `indicators` names (by the dimension
/// `indicator_dim`), with year and value parsed; errors name the line. Other indicators
/// count as skipped; years outside the run and empty values are left out.
pub(crate) fn flows(
    input: &ReadInput<'_>,
    indicator_dim: &str,
    indicators: &[(&str, Flow)],
    stats: &mut ReadStats,
    mut f: impl FnMut(FlowObs<'_>, &mut ReadStats) -> Result<(), NormalizeError>,
) -> Result<(), NormalizeError> {
    let bytes = input.bytes()?;
    walk(
        &bytes,
        |obs| {
            let indicator = obs.series.get(indicator_dim).map_or("", String::as_str);
            let Some(&(_, flow)) = indicators.iter().find(|(code, _)| *code == indicator) else {
                stats.skipped_rows += 1;
                return Ok(());
            };
            let Ok(year) = obs.time.parse::<i32>() else {
                input.reject(Rule::ValidType, obs.line, "TIME_PERIOD", obs.time, "not a year");
                return Ok(());
            };
            if year > input.this_year {
                input.reject(
                    Rule::YearInRange,
                    obs.line,
                    "TIME_PERIOD",
                    obs.time,
                    "a year after the current one",
                );
                return Ok(());
            }
            if !input.years.contains(year) || obs.value.is_empty() {
                return Ok(());
            }
            let Some(value) = obs.value.parse::<f64>().ok().filter(|v| v.is_finite()) else {
                input.reject(Rule::ValidType, obs.line, "OBS_VALUE", obs.value, "not a number");
                return Ok(());
            };
            if value < 0.0 {
                input.reject(
                    Rule::NonNegative,
                    obs.line,
                    "OBS_VALUE",
                    obs.value,
                    "negative trade value",
                );
                stats.negative_values += 1;
            }
            let o = FlowObs {
                dims: obs.series,
                flow,
                year,
                value,
                line: obs.line,
            };
            f(o, stats)
        },
        |line, message| input.bad(line, "(XML)", "", &format!("malformed XML: {message}")),
    )
}
