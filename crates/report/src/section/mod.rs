//! A report is a list of sections (`[[report]] sections`, each kind's default in
//! [`tradepipe_model::config::ReportKind::sections`]). Each section is a function from the
//! report's [`Ctx`] to a [`Part`]: its figures with their charts, its tables (each built from
//! its [`crate::table_spec::Spec`], so with its footnote), its highlights and data notes.
//! [`build`] runs the sections in order and numbers the figures.
//!
//! Captions and titles speak of the report's own focus, partners and group name: nothing of a
//! particular study appears here (references to a seed paper's figures live in its
//! `reproduce/` spec only).

mod balances;
mod complexity;
mod data_quality;
mod dependence;
mod groups;
mod growth;
mod landscape;
mod map;
mod overview;
mod partners;
mod provenance;
mod structure;

pub(crate) use structure::product_label;

use tradepipe_model::Registry;
use tradepipe_model::config::{ReportConfig, ReportKind, Section, YearRange};
use tradepipe_model::formulas::sum_present;
use tradepipe_tables::{BilateralRow, IndexTables};

use crate::charts::Chart;
use crate::context::{Built, DataSeries, Figure, Named, Provenance, ReportContext, Table};
use crate::format::MISSING;
use crate::table_spec::Spec;

/// What one section adds to the report.
#[derive(Default)]
pub(crate) struct Part {
    /// Figures (numbered by [`build`]) and the charts they show.
    pub figures: Vec<(Figure, Chart)>,
    pub tables: Vec<Table>,
    pub highlights: Vec<String>,
    pub notes: Vec<String>,
    pub data: Vec<DataSeries>,
    pub provenance: Option<Provenance>,
}

impl Part {
    /// Adds a figure; a line chart over one year (a dot at the axis) is left out, the tables
    /// carry a one-year report.
    pub(crate) fn figure(&mut self, ctx: &Ctx<'_>, id: &str, title: String, caption: String, chart: Chart) {
        if ctx.one_year() && matches!(chart, Chart::Line(_)) {
            return;
        }
        self.figures.push((
            Figure {
                id: id.into(),
                number: 0,
                title,
                file: format!("figures/{id}.svg"),
                caption,
            },
            chart,
        ));
    }
}

/// Everything the sections share: the report, its countries and years, and the index tables.
pub(crate) struct Ctx<'a> {
    pub t: &'a IndexTables,
    pub report: &'a ReportConfig,
    pub focus: Named,
    pub partners: Vec<Named>,
    /// The report's years (`[[report]] years`, else `[run] years`).
    pub range: YearRange,
    /// The report's years that the index tables have.
    pub years: Vec<i32>,
    pub y0: i32,
    pub y1: i32,
    /// "2010–2020", or "2020" for a report of one year.
    pub span: String,
    /// "Source: IMF DOTS (vintage)", for footnotes.
    pub source_line: String,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(report: &'a ReportConfig, default_years: YearRange, t: &'a IndexTables) -> Ctx<'a> {
        let reg = Registry::embedded();
        let (range, years) = crate::context::report_years(report, default_years, t);
        let named = |c: &String| Named {
            code: c.clone(),
            name: reg.name(c).to_owned(),
        };
        let (y0, y1) = (
            years.first().copied().unwrap_or(range.from),
            years.last().copied().unwrap_or(range.to),
        );
        Ctx {
            t,
            report,
            focus: named(&report.focus),
            partners: report.partners.iter().map(named).collect(),
            range,
            years,
            y0,
            y1,
            span: crate::format::span(y0, y1),
            source_line: crate::context::source_line(t),
        }
    }

    pub(crate) fn fname(&self) -> &str {
        &self.focus.name
    }

    pub(crate) fn group(&self) -> &str {
        &self.report.group_name
    }

    pub(crate) fn one_year(&self) -> bool {
        self.years.len() < 2
    }

    /// "the five partners", "the partner" (one), "the 14 partners": how captions count them.
    pub(crate) fn partners_phrase(&self) -> String {
        const WORDS: [&str; 11] = [
            "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        ];
        match self.partners.len() {
            1 => "the partner".into(),
            n if n < WORDS.len() => format!("the {} partners", WORDS[n]),
            n => format!("the {n} partners"),
        }
    }

    /// "Source: …, CHN's report; tradepipe." under a chart of the focus's report.
    pub(crate) fn chart_source(&self) -> String {
        format!(
            "Source: {} ({}), {}'s report; tradepipe.",
            crate::context::source_name(self.t),
            crate::context::vintage(self.t),
            self.focus.code
        )
    }

    pub(crate) fn row(&self, y: i32, i: &str, j: &str) -> Option<&'a BilateralRow> {
        self.t.bilateral(y, i, j)
    }

    /// A field of the focus→partner row for every year.
    pub(crate) fn out(&self, p: &str, f: fn(&BilateralRow) -> Option<f64>) -> Vec<(i32, Option<f64>)> {
        self.years
            .iter()
            .map(|&y| (y, self.row(y, &self.focus.code, p).and_then(f)))
            .collect()
    }

    /// A field of the partner→focus row for every year.
    pub(crate) fn back(&self, p: &str, f: fn(&BilateralRow) -> Option<f64>) -> Vec<(i32, Option<f64>)> {
        self.years
            .iter()
            .map(|&y| (y, self.row(y, p, &self.focus.code).and_then(f)))
            .collect()
    }

    /// Sum over the partners of a focus→partner field; absent if any partner lacks it.
    pub(crate) fn group_sum(&self, f: fn(&BilateralRow) -> Option<f64>) -> Vec<(i32, Option<f64>)> {
        self.years.iter().map(|&y| (y, self.group_sum_at(y, f))).collect()
    }

    /// [`Ctx::group_sum`] in year `y`, which may lie outside the report's years.
    pub(crate) fn group_sum_at(&self, y: i32, f: fn(&BilateralRow) -> Option<f64>) -> Option<f64> {
        let vals: Vec<Option<f64>> = self
            .partners
            .iter()
            .map(|p| self.row(y, &self.focus.code, &p.code).and_then(f))
            .collect();
        vals.iter()
            .all(Option::is_some)
            .then(|| sum_present(vals))
            .flatten()
    }

    /// The footnote of a table of `spec`.
    pub(crate) fn footnote(&self, spec: &Spec) -> String {
        spec.footnote(&self.source_line, &self.focus.code)
    }

    /// A table of `spec`, its footnote set.
    pub(crate) fn table(
        &self,
        spec: &Spec,
        title: String,
        note: String,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    ) -> Table {
        Table {
            id: spec.id.into(),
            title,
            note,
            headers,
            rows,
            source: spec.footnote(&self.source_line, &self.focus.code),
        }
    }

    /// A table of `spec` with one row per year and one column per partner.
    pub(crate) fn by_partner(
        &self,
        spec: &Spec,
        title: String,
        note: String,
        f: &dyn Fn(&str, i32) -> String,
    ) -> Table {
        let headers = std::iter::once("Year".to_string())
            .chain(self.partners.iter().map(|p| p.name.clone()))
            .collect();
        let rows = self
            .years
            .iter()
            .map(|&y| {
                std::iter::once(y.to_string())
                    .chain(self.partners.iter().map(|p| f(&p.code, y)))
                    .collect()
            })
            .collect();
        self.table(spec, title, note, headers, rows)
    }

    /// Everyone the report is about: the focus first.
    pub(crate) fn everyone(&self) -> Vec<&Named> {
        std::iter::once(&self.focus).chain(&self.partners).collect()
    }
}

pub(crate) fn at(series: &[(i32, Option<f64>)], year: i32) -> Option<f64> {
    series.iter().find(|p| p.0 == year).and_then(|p| p.1)
}

pub(crate) fn scaled(points: &[(i32, Option<f64>)], k: f64) -> Vec<(i32, Option<f64>)> {
    points.iter().map(|&(y, v)| (y, v.map(|v| v * k))).collect()
}

pub(crate) fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or(MISSING.to_string(), |v| format!("{v:.decimals$}"))
}

/// Whether any body cell (after the label column) holds a value.
pub(crate) fn has_values(t: &Table) -> bool {
    t.rows
        .iter()
        .any(|r| r[1..].iter().any(|c| c != MISSING && c != "0"))
}

/// What `section` adds to the report.
fn part(section: Section, ctx: &Ctx<'_>) -> Part {
    match section {
        Section::Overview => overview::part(ctx),
        Section::Partners => partners::part(ctx),
        Section::Balances => balances::part(ctx),
        Section::Growth => growth::part(ctx),
        Section::Map => map::part(ctx),
        Section::Dependence => dependence::part(ctx),
        Section::Groups => groups::part(ctx),
        Section::Structure => structure::part(ctx),
        Section::Complexity => complexity::part(ctx),
        Section::DataQuality => data_quality::part(ctx),
        Section::Provenance => provenance::part(ctx),
        Section::Landscape => landscape::part(ctx),
    }
}

/// Builds the context of `report` from the index tables: its sections in order.
pub fn build(report: &ReportConfig, default_years: YearRange, t: &IndexTables) -> Built {
    let ctx = Ctx::new(report, default_years, t);
    let mut figures = Vec::new();
    let mut charts = Vec::new();
    let (mut tables, mut highlights, mut notes, mut data) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut provenance = None;
    for section in report.sections() {
        let p = part(section, &ctx);
        for (mut figure, chart) in p.figures {
            figure.number = figures.len() + 1;
            charts.push((figure.file.clone(), chart));
            figures.push(figure);
        }
        tables.extend(p.tables);
        highlights.extend(p.highlights);
        notes.extend(p.notes);
        data.extend(p.data);
        provenance = provenance.or(p.provenance);
    }
    if report.kind == ReportKind::Bilateral {
        data.extend(bilateral_series(&ctx));
    }
    let names = |v: &[Named]| v.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    let subtitle = match report.kind {
        ReportKind::Bilateral => format!(
            "{} and {} ({}), {}",
            ctx.focus.name,
            ctx.group(),
            names(&ctx.partners),
            ctx.span
        ),
        ReportKind::PartnerLandscape => {
            let compared: Vec<Named> = std::iter::once(ctx.focus.clone())
                .chain(report.compare.iter().map(|c| Named {
                    code: c.clone(),
                    name: Registry::embedded().name(c).to_owned(),
                }))
                .collect();
            format!(
                "{} and their partners {}, {}",
                ctx.group(),
                names(&compared),
                ctx.span
            )
        }
    };
    Built {
        context: ReportContext {
            title: report.title.clone(),
            subtitle,
            focus: ctx.focus.clone(),
            group_name: report.group_name.clone(),
            partners: ctx.partners.clone(),
            year_from: ctx.y0,
            year_to: ctx.y1,
            highlights,
            figures,
            tables,
            estimates: notes,
            provenance,
            data,
        },
        charts,
    }
}

/// Every series the bilateral figures and tables show, as numbers, for the JSON sidecar.
fn bilateral_series(ctx: &Ctx<'_>) -> Vec<DataSeries> {
    type Field = fn(&BilateralRow) -> Option<f64>;
    let per_pair: [(&str, &str, bool, Field); 6] = [
        ("total_trade", "USD", true, |r| r.total_trade),
        ("balance", "USD", true, |r| r.balance),
        ("HM", "fraction", true, |r| r.hm),
        ("HM", "fraction", false, |r| r.hm),
        ("HM as-printed", "fraction", true, |r| r.hm_as_printed),
        ("HM as-printed", "fraction", false, |r| r.hm_as_printed),
    ];
    let focus = &ctx.focus.code;
    let mut data = Vec::new();
    for p in &ctx.partners {
        for (label, unit, outward, field) in per_pair {
            let (name, points) = if outward {
                (format!("{label} {focus}->{}", p.code), ctx.out(&p.code, field))
            } else {
                (format!("{label} {}->{focus}", p.code), ctx.back(&p.code, field))
            };
            data.push(DataSeries {
                name,
                unit: unit.into(),
                points,
            });
        }
    }
    let series: [(String, Field); 3] = [
        (format!("exports {focus}->group"), |r| r.exports),
        (format!("imports {focus}<-group"), |r| r.imports),
        (format!("total_trade {focus}<->group"), |r| r.total_trade),
    ];
    for (name, field) in series {
        data.push(DataSeries {
            name,
            unit: "USD".into(),
            points: ctx.group_sum(field),
        });
    }
    data
}

#[cfg(test)]
pub(crate) mod testing {
    //! Hand-made index tables for the sections' unit tests.

    use tradepipe_model::config::ReportConfig;
    use tradepipe_tables::{BilateralRow, IndexTables, IndicesMeta};

    /// Index tables over `years` with `rows` as the bilateral table.
    pub fn tables(years: &[i32], rows: Vec<BilateralRow>) -> IndexTables {
        IndexTables {
            meta: IndicesMeta {
                hm_variant: "baldwin".into(),
                world: "source".into(),
                years: years.to_vec(),
                index_base_year: years[0],
                trade_provenance: tradepipe_contract::Provenance {
                    sources: vec![tradepipe_contract::SourceProvenance::of(
                        &tradepipe_contract::RawEntry {
                            source: "s".into(),
                            format: tradepipe_model::config::SourceFormat::TableCsv,
                            location: String::new(),
                            sha256: String::new(),
                            bytes: 0,
                            vintage: "v1".into(),
                            description: "Test data".into(),
                            http: None,
                        },
                    )],
                    ..Default::default()
                },
                ..Default::default()
            },
            bilateral: rows,
            ..Default::default()
        }
    }

    /// A flow `i` → `j` in `year`: exports and imports in US$ billion.
    pub fn flow(year: i32, i: &str, j: &str, exports: f64, imports: f64) -> BilateralRow {
        BilateralRow {
            year,
            reporter: i.into(),
            partner: j.into(),
            exports: Some(exports * 1e9),
            imports: Some(imports * 1e9),
            total_trade: Some((exports + imports) * 1e9),
            balance: Some((exports - imports) * 1e9),
            ..Default::default()
        }
    }

    /// The context of `r` over every year of `t`.
    pub fn ctx<'a>(r: &'a ReportConfig, t: &'a IndexTables) -> super::Ctx<'a> {
        let years = &t.meta.years;
        let range = tradepipe_model::config::YearRange {
            from: years[0],
            to: *years.last().unwrap(),
        };
        super::Ctx::new(r, range, t)
    }

    /// A bilateral report of `focus` with `partners` named `group`.
    pub fn report(focus: &str, partners: &[&str], group: &str) -> ReportConfig {
        let text = format!(
            "name = \"r\"\ntitle = \"T\"\nfocus = \"{focus}\"\npartners = {partners:?}\ngroup-name = \"{group}\"\ncagr-window = [2019, 2020]\n"
        );
        toml::from_str(&text).unwrap()
    }
}
