//! The report context: every number, table, figure and note of one report, built once from
//! the index tables by its sections ([`crate::section`]) and rendered by both the HTML and
//! the Markdown template (and written as the JSON sidecar).

use serde::{Deserialize, Serialize};
use tradepipe_model::config::ReportConfig;
use tradepipe_tables::IndexTables;

use crate::charts::Chart;

#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: String,
    pub number: usize,
    pub title: String,
    /// Path relative to the report directory.
    pub file: String,
    pub caption: String,
}

/// A table of the report. The report context serializes it with `align` beside its fields
/// (see [`AlignedTable`]) so that both templates set text columns flush left and numbers
/// flush right.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: String,
    pub title: String,
    pub note: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Provenance footnote of every number in the table: the source, its vintage, whose
    /// report, and the index-table columns.
    pub source: String,
}

impl Table {
    /// `left` for the first column and for columns holding words (partner names, HS section
    /// titles), `right` for columns of numbers.
    pub fn align(&self) -> Vec<&'static str> {
        (0..self.headers.len())
            .map(|c| {
                let words = self.rows.iter().any(|r| {
                    r.get(c)
                        .and_then(|v| v.trim_start().chars().next())
                        .is_some_and(char::is_alphabetic)
                });
                if c == 0 || words { "left" } else { "right" }
            })
            .collect()
    }
}

/// A [`Table`] as the templates and `report.json` see it: its fields and `align`.
#[derive(Serialize)]
struct AlignedTable<'a> {
    #[serde(flatten)]
    table: &'a Table,
    align: Vec<&'static str>,
}

fn aligned<S: serde::Serializer>(tables: &[Table], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(tables.iter().map(|table| AlignedTable {
        table,
        align: table.align(),
    }))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceNote {
    pub source: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub vintage: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub rows: usize,
    #[serde(default)]
    pub exact_duplicates_dropped: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub sources: Vec<SourceNote>,
    pub report_side: Vec<String>,
    pub hm_variant: String,
    pub world: String,
}

/// A series as numbers (US dollars or fractions), for the JSON sidecar.
#[derive(Debug, Clone, Serialize)]
pub struct DataSeries {
    pub name: String,
    pub unit: String,
    pub points: Vec<(i32, Option<f64>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportContext {
    pub title: String,
    pub subtitle: String,
    pub focus: Named,
    pub group_name: String,
    pub partners: Vec<Named>,
    pub year_from: i32,
    pub year_to: i32,
    pub highlights: Vec<String>,
    pub figures: Vec<Figure>,
    #[serde(serialize_with = "aligned")]
    pub tables: Vec<Table>,
    pub estimates: Vec<String>,
    /// `None` where the report's sections leave provenance out.
    pub provenance: Option<Provenance>,
    pub data: Vec<DataSeries>,
}

/// A context and the charts it refers to.
pub struct Built {
    pub context: ReportContext,
    pub charts: Vec<(String, Chart)>,
}

/// The report's year range and the years of it that the index tables have.
pub(crate) fn report_years(
    report: &ReportConfig,
    default_years: tradepipe_model::config::YearRange,
    t: &IndexTables,
) -> (tradepipe_model::config::YearRange, Vec<i32>) {
    let range = report.years.unwrap_or(default_years);
    (
        range,
        t.meta
            .years
            .iter()
            .copied()
            .filter(|y| range.contains(*y))
            .collect(),
    )
}

/// The trade table's sources, as the normalize stage recorded them.
pub(crate) fn source_notes(t: &IndexTables) -> Vec<SourceNote> {
    t.meta
        .trade_provenance
        .sources
        .iter()
        .map(|s| SourceNote {
            source: s.source.clone(),
            description: s.description.clone(),
            vintage: s.vintage.clone(),
            location: s.location.clone(),
            sha256: s.sha256.clone(),
            rows: s.rows,
            exact_duplicates_dropped: s.exact_duplicates_dropped,
        })
        .collect()
}

/// "IMF DOTS (vintage ...)": the sources of the index tables, for footnotes.
pub(crate) fn source_line(t: &IndexTables) -> String {
    format!("Source: {} ({})", source_name(t), vintage(t))
}

pub(crate) fn source_name(t: &IndexTables) -> String {
    let names: Vec<String> = source_notes(t)
        .into_iter()
        .map(|s| {
            if s.description.is_empty() {
                s.source
            } else {
                s.description
            }
        })
        .collect();
    if names.is_empty() {
        "unknown source".into()
    } else {
        names.join("; ")
    }
}

pub(crate) fn vintage(t: &IndexTables) -> String {
    source_notes(t)
        .into_iter()
        .map(|s| s.vintage)
        .collect::<Vec<_>>()
        .join("; ")
}
