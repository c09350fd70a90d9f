//! The report context: every number, table, figure and note of one report, built once from
//! the index tables and rendered by both the HTML and the Markdown template (and written
//! as the JSON sidecar).

use serde::{Deserialize, Serialize};
use tradepipe_indices::formulas::{cagr, share, sum_present, yoy};
use tradepipe_indices::{BilateralRow, IndexTables};
use tradepipe_model::Registry;
use tradepipe_model::config::ReportConfig;

use crate::charts::{Chart, LineChart, Series};
use crate::format::{MISSING, pct, usd_bn, year_ranges};

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
    pub provenance: Provenance,
    pub data: Vec<DataSeries>,
}

/// A context and the charts it refers to.
pub struct Built {
    pub context: ReportContext,
    pub charts: Vec<(String, Chart)>,
}

struct View<'a> {
    t: &'a IndexTables,
    focus: &'a str,
    partners: &'a [String],
    years: Vec<i32>,
}

impl View<'_> {
    fn row(&self, y: i32, i: &str, j: &str) -> Option<&BilateralRow> {
        self.t.bilateral(y, i, j)
    }
    /// A field of the focus→partner row for every year.
    fn out(&self, p: &str, f: fn(&BilateralRow) -> Option<f64>) -> Vec<(i32, Option<f64>)> {
        self.years
            .iter()
            .map(|&y| (y, self.row(y, self.focus, p).and_then(f)))
            .collect()
    }
    /// A field of the partner→focus row for every year.
    fn back(&self, p: &str, f: fn(&BilateralRow) -> Option<f64>) -> Vec<(i32, Option<f64>)> {
        self.years
            .iter()
            .map(|&y| (y, self.row(y, p, self.focus).and_then(f)))
            .collect()
    }
    /// Group sum of a focus→partner field; absent if any partner lacks it that year.
    fn group(&self, f: fn(&BilateralRow) -> Option<f64>) -> Vec<(i32, Option<f64>)> {
        self.years
            .iter()
            .map(|&y| {
                let vals: Vec<Option<f64>> = self
                    .partners
                    .iter()
                    .map(|p| self.row(y, self.focus, p).and_then(f))
                    .collect();
                (
                    y,
                    if vals.iter().all(Option::is_some) {
                        sum_present(vals)
                    } else {
                        None
                    },
                )
            })
            .collect()
    }
}

fn at(series: &[(i32, Option<f64>)], year: i32) -> Option<f64> {
    series.iter().find(|p| p.0 == year).and_then(|p| p.1)
}

fn scaled(points: &[(i32, Option<f64>)], k: f64) -> Vec<(i32, Option<f64>)> {
    points.iter().map(|&(y, v)| (y, v.map(|v| v * k))).collect()
}

/// Builds the context of `report` from the index tables.
pub fn build(
    report: &ReportConfig,
    default_years: tradepipe_model::config::YearRange,
    t: &IndexTables,
) -> Built {
    let reg = Registry::embedded();
    let (range, years) = report_years(report, default_years, t);
    let v = View {
        t,
        focus: &report.focus,
        partners: &report.partners,
        years: years.clone(),
    };
    let focus = Named {
        code: report.focus.clone(),
        name: reg.name(&report.focus).to_owned(),
    };
    let partners: Vec<Named> = report
        .partners
        .iter()
        .map(|p| Named {
            code: p.clone(),
            name: reg.name(p).to_owned(),
        })
        .collect();
    let (y0, y1) = (
        years.first().copied().unwrap_or(range.from),
        years.last().copied().unwrap_or(range.to),
    );
    // "2010–2020", or "2020" for a report of one year.
    let span = crate::format::span(y0, y1);
    // Config validation guarantees a window for bilateral reports.
    let [c0, c1] = report.cagr_window.unwrap_or([range.from, range.to]);
    let src_line = format!(
        "Source: {} ({}), {}'s report; tradepipe.",
        source_name(t),
        vintage(t),
        focus.code
    );
    let fname = &focus.name;
    let group = &report.group_name;

    let g_x = v.group(|r| r.exports);
    let g_m = v.group(|r| r.imports);
    let g_t = v.group(|r| r.total_trade);
    let g_b = v.group(|r| r.balance);
    // Constant dollars beside the nominal series, where `[indices] deflator` is set.
    let g_t_real = v.group(|r| r.total_trade_real);
    let real = t
        .meta
        .deflator
        .as_ref()
        .filter(|_| g_t_real.iter().any(|(_, v)| v.is_some()));

    let mut figures = Vec::new();
    let mut charts = Vec::new();
    let mut data = Vec::new();
    // One line per partner, named as in the tables.
    let per_partner = |points: &dyn Fn(&str) -> Vec<(i32, Option<f64>)>| -> Vec<Series> {
        partners
            .iter()
            .map(|p| Series {
                name: p.name.clone(),
                points: points(&p.code),
            })
            .collect()
    };
    let one_year = years.len() < 2;
    let mut figure = |id: &str, title: String, caption: String, chart: Chart| {
        // A line over one year is a dot at the axis: a one-year report keeps the map and the
        // tables (a data note says so).
        if one_year && matches!(chart, Chart::Line(_)) {
            return;
        }
        let file = format!("figures/{id}.svg");
        figures.push(Figure {
            id: id.into(),
            number: figures.len() + 1,
            title,
            file: file.clone(),
            caption,
        });
        charts.push((file, chart));
    };

    let mut totals_caption = format!(
        "Exports, imports and total trade of {fname} with the {n} states of {group}, US$ billion, as reported by {fname} (seed paper 000, Figure 2).",
        n = partners.len()
    );
    let mut real_series = Vec::new();
    if let Some(d) = real {
        totals_caption.push_str(&format!(
            " The line \"Total trade, {0} US$\" is total trade in constant {0} US dollars ({1}).",
            d.base_year,
            d.series.source()
        ));
        real_series.push(Series {
            name: format!("Total trade, {} US$", d.base_year),
            points: scaled(&g_t_real, 1e-9),
        });
    }
    figure(
        "fig-totals",
        format!("{fname}'s trade with {group}, {span}"),
        totals_caption,
        Chart::Line(LineChart {
            title: format!("{fname}'s trade with {group}"),
            y_label: "US$ billion".into(),
            series: vec![
                Series {
                    name: "Total trade".into(),
                    points: scaled(&g_t, 1e-9),
                },
                Series {
                    name: format!("Exports of {}", focus.code),
                    points: scaled(&g_x, 1e-9),
                },
                Series {
                    name: format!("Imports of {}", focus.code),
                    points: scaled(&g_m, 1e-9),
                },
            ]
            .into_iter()
            .chain(real_series)
            .collect(),
            source: src_line.clone(),
            y_decimals: 0,
        }),
    );
    figure(
        "fig-balances",
        format!("{fname}'s trade balance with each state, {span}"),
        format!(
            "Exports minus imports of {fname} with each state, US$ billion; above zero is a {fname} surplus (seed paper 000, Figure 3)."
        ),
        Chart::Line(LineChart {
            title: format!("{fname}'s trade balance by partner"),
            y_label: "US$ billion".into(),
            series: per_partner(&|p| scaled(&v.out(p, |r| r.balance), 1e-9)),
            source: src_line.clone(),
            y_decimals: 1,
        }),
    );
    // Seed paper 000, Figure 4: the last year's trade with each partner on a map.
    let map_year = (y0..=y1)
        .rev()
        .find(|&y| {
            partners.iter().any(|p| {
                v.row(y, &focus.code, &p.code)
                    .and_then(|r| r.total_trade)
                    .is_some()
            })
        })
        .unwrap_or(y1);
    figure(
        "fig-map",
        format!("Map: {fname}'s trade with each state, {map_year}"),
        format!(
            "Total trade (exports plus imports) of {fname} with each state in {map_year}, US$ billion, as reported by {fname}; darker is more (seed paper 000, Figure 4). Boundaries: Natural Earth 1:50m."
        ),
        Chart::Map(crate::map::MapChart {
            title: format!("{fname}'s trade with {group}, {map_year} (US$ billion)"),
            focus: focus.code.clone(),
            focus_label: fname.to_string(),
            values: partners
                .iter()
                .map(|p| {
                    let value = v
                        .row(map_year, &focus.code, &p.code)
                        .and_then(|r| r.total_trade)
                        .map(|x| x * 1e-9);
                    (p.code.clone(), p.name.clone(), value)
                })
                .collect(),
            unit: format!("Total trade, {map_year}, US$ billion"),
            source: src_line.clone(),
            window: [44.0, 124.0, 17.0, 56.0],
        }),
    );
    let variant = t.meta.hm_variant.clone();
    let both_sides_source = format!(
        "Source: {} ({}); each side's own report; tradepipe.",
        source_name(t),
        vintage(t)
    );
    figure(
        "fig-hm-out",
        format!("HM index of {fname}'s exports to each state, {span}"),
        format!(
            "Baldwin hubness index HM of {fname}'s exports to each state, in percent (variant: {variant}; seed paper 000, Figure 5)."
        ),
        Chart::Line(LineChart {
            title: format!("HM index: {fname} → each state"),
            y_label: "HM index (%)".into(),
            series: per_partner(&|p| scaled(&v.out(p, |r| r.hm), 100.0)),
            source: both_sides_source.clone(),
            y_decimals: 2,
        }),
    );
    figure(
        "fig-hm-in",
        format!("HM index of each state's exports to {fname}, {span}"),
        format!(
            "Baldwin hubness index HM of each state's exports to {fname}, in percent (variant: {variant}; seed paper 000, Figure 6). Breaks in a line are years without a report."
        ),
        Chart::Line(LineChart {
            title: format!("HM index: each state → {fname}"),
            y_label: "HM index (%)".into(),
            series: per_partner(&|p| scaled(&v.back(p, |r| r.hm), 100.0)),
            source: both_sides_source,
            y_decimals: 0,
        }),
    );
    // The focus country's trade with each country group, members as of each year.
    let group_names = t.groups_of(&report.focus);
    if !group_names.is_empty() {
        let share = |g: &str, y: i32| {
            t.group_row(y, &report.focus, g)
                .and_then(|r| r.trade_share)
                .map(|v| v * 100.0)
        };
        figure(
            "fig-groups",
            format!("{fname}'s trade with country groups, {span}"),
            format!(
                "Share of each group in {fname}'s total trade (exports + imports with the world), in percent, from {fname}'s report; each year counts the members of that year (the EU of 2004 has 25), so a line steps at an enlargement."
            ),
            Chart::Line(LineChart {
                title: format!("Country groups' weight in {fname}'s trade"),
                y_label: "Share of total trade (%)".into(),
                series: group_names
                    .iter()
                    .map(|g| Series {
                        name: tradepipe_model::groups::Groups::label(g),
                        points: years.iter().map(|&y| (y, share(g, y))).collect(),
                    })
                    .collect(),
                source: src_line.clone(),
                y_decimals: 0,
            }),
        );
    }

    // Tables.
    let mut tables = Vec::new();
    let g_yoy: Vec<Option<f64>> = years.iter().map(|&y| yoy(at(&g_t, y), at(&g_t, y - 1))).collect();
    let mut totals_note = format!("US$ billion; growth in percent. {fname}'s report.");
    let mut totals_headers: Vec<String> = [
        "Year",
        "Exports",
        "Imports",
        "Total trade",
        "Balance",
        "Total, YoY %",
    ]
    .map(String::from)
    .to_vec();
    if let Some(d) = real {
        // Constant dollars beside the nominal columns: real growth is what prices do not explain.
        totals_note.push_str(&format!(
            " Real: total trade in constant {} US dollars ({}, {} = 100), and its growth.",
            d.base_year,
            d.series.source(),
            d.base_year
        ));
        totals_headers.push(format!("Total, {} US$", d.base_year));
        totals_headers.push("Real YoY %".into());
    }
    tables.push(Table {
        id: "totals".into(),
        title: format!("{fname}'s trade with {group}"),
        note: totals_note,
        headers: totals_headers,
        rows: years
            .iter()
            .zip(&g_yoy)
            .map(|(&y, g)| {
                let mut row = vec![
                    y.to_string(),
                    usd_bn(at(&g_x, y)),
                    usd_bn(at(&g_m, y)),
                    usd_bn(at(&g_t, y)),
                    usd_bn(at(&g_b, y)),
                    pct(*g, 1),
                ];
                if real.is_some() {
                    row.push(usd_bn(at(&g_t_real, y)));
                    row.push(pct(yoy(at(&g_t_real, y), at(&g_t_real, y - 1)), 1));
                }
                row
            })
            .collect(),
        source: String::new(),
    });
    // One scope for every by-partner table, here and in the dependence, structure and
    // breakdown sections.
    let scope = crate::sections::Scope {
        t,
        focus: &focus,
        partners: &partners,
        years: &years,
    };
    tables.push(scope.by_partner(
        "total-by-partner",
        format!("Total trade of {fname} with each state"),
        format!("US$ billion; {fname}'s report."),
        &|p, y| usd_bn(v.row(y, &report.focus, p).and_then(|r| r.total_trade)),
    ));
    tables.push(scope.by_partner(
        "balance-by-partner",
        format!("Trade balance of {fname} with each state"),
        format!("US$ billion, exports minus imports; {fname}'s report."),
        &|p, y| usd_bn(v.row(y, &report.focus, p).and_then(|r| r.balance)),
    ));
    tables.push(scope.by_partner(
        "yoy-by-partner",
        "Year-on-year growth of total trade".into(),
        format!("Percent; {fname}'s report; – where the previous year is outside the range or absent."),
        &|p, y| {
            pct(
                t.growth
                    .iter()
                    .find(|g| g.year == y && g.reporter == report.focus && g.partner == p)
                    .and_then(|g| g.total_trade_yoy),
                1,
            )
        },
    ));

    // CAGR ranking over the configured window.
    let mut ranking: Vec<(String, Option<f64>, Option<f64>, Option<f64>)> = partners
        .iter()
        .map(|p| {
            let c = t
                .cagr
                .iter()
                .find(|c| c.reporter == report.focus && c.partner == p.code && c.from == c0 && c.to == c1);
            let tt = |y| v.row(y, &report.focus, &p.code).and_then(|r| r.total_trade);
            (p.name.clone(), tt(c0), tt(c1), c.and_then(|c| c.total_trade_cagr))
        })
        .collect();
    ranking.sort_by(|a, b| {
        b.3.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.3.unwrap_or(f64::NEG_INFINITY))
    });
    let mut rows: Vec<Vec<String>> = ranking
        .iter()
        .enumerate()
        .map(|(k, (name, a, b, c))| {
            vec![
                (k + 1).to_string(),
                name.clone(),
                usd_bn(*a),
                usd_bn(*b),
                pct(*c, 2),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        format!("{group} (all)"),
        usd_bn(at(&g_t, c0)),
        usd_bn(at(&g_t, c1)),
        pct(cagr(at(&g_t, c0), at(&g_t, c1), c1 - c0), 2),
    ]);
    tables.push(Table {
        id: "cagr".into(),
        title: format!("Compound annual growth of total trade, {c0}–{c1}"),
        note: format!("Ranked by CAGR; US$ billion and percent a year; {fname}'s report."),
        headers: vec![
            "Rank".into(),
            "Partner".into(),
            format!("Total {c0}"),
            format!("Total {c1}"),
            "CAGR %".into(),
        ],
        rows,
        source: String::new(),
    });

    // Weight of the bilateral trade in each side's total trade.
    let share_years: Vec<i32> = [y0, c0, y1]
        .into_iter()
        .filter(|y| years.contains(y))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut headers = vec!["Partner".to_string()];
    headers.extend(
        share_years
            .iter()
            .map(|y| format!("In {} trade, {y}", focus.code)),
    );
    headers.extend(share_years.iter().map(|y| format!("In partner's trade, {y}")));
    let mut rows: Vec<Vec<String>> = partners
        .iter()
        .map(|p| {
            let mut row = vec![p.name.clone()];
            row.extend(
                share_years
                    .iter()
                    .map(|&y| pct(v.row(y, &report.focus, &p.code).and_then(|r| r.trade_share), 2)),
            );
            row.extend(
                share_years
                    .iter()
                    .map(|&y| pct(v.row(y, &p.code, &report.focus).and_then(|r| r.trade_share), 2)),
            );
            row
        })
        .collect();
    let mut group_row = vec![format!("{group} (all)")];
    group_row.extend(share_years.iter().map(|&y| {
        let world = v
            .row(y, &report.focus, &report.partners[0])
            .and_then(|r| Some(r.reporter_world_exports? + r.reporter_world_imports?));
        pct(share(at(&g_t, y), world), 2)
    }));
    group_row.extend(share_years.iter().map(|_| MISSING.to_string()));
    rows.push(group_row);
    tables.push(Table {
        id: "shares".into(),
        title: "Weight of the bilateral trade in each side's total trade".into(),
        note: format!(
            "Percent of total trade (exports + imports with the world). {fname}'s column uses {fname}'s report; the partner's column uses the partner's own report (or IMF estimates, see Data notes)."
        ),
        headers,
        rows,
        source: String::new(),
    });

    let hm_table = |id: &str, title: String, f: &dyn Fn(&str, i32) -> Option<f64>| {
        let note = format!("Percent; variant {variant}; – where a side does not report.");
        scope.by_partner(id, title, note, &|p, y| pct(f(p, y), 3))
    };
    tables.push(hm_table(
        "hm-out",
        format!("HM index of {fname}'s exports to each state"),
        &|p, y| v.row(y, &report.focus, p).and_then(|r| r.hm),
    ));
    tables.push(hm_table(
        "hm-in",
        format!("HM index of each state's exports to {fname}"),
        &|p, y| v.row(y, p, &report.focus).and_then(|r| r.hm),
    ));

    // Dependence beyond HM, then product structure and breakdowns where the data have them.
    tables.extend(crate::sections::dependence(&scope));
    let no_tii = !tables.iter().any(|t| t.id == "tii-out");
    let tii_note = no_tii.then(|| {
        format!(
            "Trade intensity is not shown: the data have no world exports to each country (X_wj) in {span} under world = \"{}\"; with [indices] world = \"sum\" it is computed over the economies present.",
            t.meta.world
        )
    });
    tables.extend(crate::sections::groups(&scope));
    tables.extend(crate::sections::structure(&scope));
    tables.extend(crate::sections::breakdowns(&scope));
    tables.extend(crate::sections::country_profile(&scope));
    tables.extend(crate::complexity::tables(&scope));

    // Data quality: each side's report of the same flow (mirror check).
    let ratio = |v: Option<f64>, derived: bool| match v {
        None => MISSING.to_string(),
        Some(r) if derived => format!("{r:.2}*"),
        Some(r) => format!("{r:.2}"),
    };
    tables.push(scope.by_partner(
        "mirror-exports",
        format!("Mirror check: partners' imports from {fname} ÷ {fname}'s exports to them"),
        format!(
            "Ratio of the partner's reported imports from {fname} (CIF) to {fname}'s reported exports (FOB); about 1.06 when both sides agree up to freight and insurance. * the partner's figure is {fname}'s own converted at 1.06 (an IMF estimate, not an independent report)."
        ),
        &|p, y| {
            let r = v.row(y, &report.focus, p);
            let derived = v.row(y, p, &report.focus).is_some_and(|b| b.reporter_mirror_derived);
            ratio(r.and_then(|r| r.mirror_ratio), derived)
        },
    ));
    tables.push(scope.by_partner(
        "mirror-imports",
        format!("Mirror check: {fname}'s imports from partners ÷ their exports to {fname}"),
        format!(
            "Ratio of {fname}'s reported imports (CIF) to the partner's reported exports to {fname} (FOB). * as above."
        ),
        &|p, y| {
            let b = v.row(y, p, &report.focus);
            ratio(b.and_then(|b| b.mirror_ratio), b.is_some_and(|b| b.reporter_mirror_derived))
        },
    ));

    // Where partners' own figures are IMF estimates.
    let years_where = |p: &str, test: fn(&BilateralRow) -> bool| -> Vec<i32> {
        years
            .iter()
            .copied()
            .filter(|&y| v.row(y, p, &report.focus).is_some_and(test))
            .collect()
    };
    let mut estimates: Vec<String> = tii_note.into_iter().collect();
    if one_year {
        estimates.push(format!(
            "The report covers one year ({span}): the time-series charts are left out; the tables give the values."
        ));
    }
    for p in &partners {
        let est = years_where(&p.code, |r| r.reporter_estimated);
        if !est.is_empty() {
            estimates.push(format!(
                "{}: figures reported for {} are flagged as IMF estimates in {} (usually derived from partners' reports); its HM index toward {fname} and its share columns rest on them.",
                p.name, p.code, year_ranges(&est)
            ));
        }
        let derived = years_where(&p.code, |r| r.reporter_mirror_derived);
        if !derived.is_empty() {
            estimates.push(format!(
                "{}: in {} the figures reported for {} with {fname} equal {fname}'s own figures converted at the IMF CIF/FOB factor 1.06, so they are IMF estimates from partner data (not flagged as such in the source); its HM index toward {fname} and its share columns in those years are not independent of {fname}'s report.",
                p.name, year_ranges(&derived), p.code
            ));
        }
        let missing: Vec<i32> = years
            .iter()
            .copied()
            .filter(|&y| v.row(y, &p.code, &report.focus).is_none_or(|r| r.hm.is_none()))
            .collect();
        if !missing.is_empty() {
            estimates.push(format!("{}: no HM index toward {fname} in {} (the data has no report of its exports to {fname} or of its world total).", p.name, year_ranges(&missing)));
        }
    }
    // What the normalize stage's validation rules found in the whole table.
    if let Some(rules) = t.meta.trade_provenance.get("rejects").and_then(|r| r.as_array()) {
        let parts: Vec<String> = rules
            .iter()
            .filter_map(|r| {
                let n = r.get("rows")?.as_u64()?;
                Some(format!(
                    "{} ({}, rows {}): {}",
                    r.get("rule")?.as_str()?,
                    r.get("severity")?.as_str()?,
                    r.get("action")?.as_str()?,
                    crate::format::count(n)
                ))
            })
            .collect();
        if !parts.is_empty() {
            estimates.push(format!(
                "Validation of the whole canonical table (not only the rows of this report): {}; every such row is listed in output/parquet/rejects/rejects.parquet.",
                parts.join("; ")
            ));
        }
    }

    // Highlights: the last year's levels, the CAGR leader, and HM extremes.
    let mut highlights = vec![format!(
        "In {y1}, {fname}'s trade with {group} totalled US$ {} billion: exports US$ {} billion, imports US$ {} billion, a balance of US$ {} billion.",
        usd_bn(at(&g_t, y1)),
        usd_bn(at(&g_x, y1)),
        usd_bn(at(&g_m, y1)),
        usd_bn(at(&g_b, y1))
    )];
    if let Some((name, _, _, Some(c))) = ranking.first() {
        highlights.push(format!(
            "From {c0} to {c1}, trade with {name} grew fastest: {} % a year.",
            pct(Some(*c), 2)
        ));
    }
    let largest = partners
        .iter()
        .filter_map(|p| Some((p, v.row(y1, &report.focus, &p.code)?.total_trade?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((p, tt)) = largest {
        highlights.push(format!(
            "{} was the largest partner in {y1} with US$ {} billion, {} % of the group total.",
            p.name,
            usd_bn(Some(tt)),
            pct(share(Some(tt), at(&g_t, y1)), 1)
        ));
    }

    // Every series the figures and tables show, as numbers, for the JSON sidecar.
    type Field = fn(&BilateralRow) -> Option<f64>;
    let per_pair: [(&str, &str, bool, Field); 6] = [
        ("total_trade", "USD", true, |r| r.total_trade),
        ("balance", "USD", true, |r| r.balance),
        ("HM", "fraction", true, |r| r.hm),
        ("HM", "fraction", false, |r| r.hm),
        ("HM as-printed", "fraction", true, |r| r.hm_as_printed),
        ("HM as-printed", "fraction", false, |r| r.hm_as_printed),
    ];
    for p in &partners {
        for (label, unit, outward, field) in per_pair {
            let (name, points) = if outward {
                (
                    format!("{label} {}->{}", focus.code, p.code),
                    v.out(&p.code, field),
                )
            } else {
                (
                    format!("{label} {}->{}", p.code, focus.code),
                    v.back(&p.code, field),
                )
            };
            data.push(DataSeries {
                name,
                unit: unit.into(),
                points,
            });
        }
    }
    data.push(DataSeries {
        name: format!("exports {}->group", focus.code),
        unit: "USD".into(),
        points: g_x,
    });
    data.push(DataSeries {
        name: format!("imports {}<-group", focus.code),
        unit: "USD".into(),
        points: g_m,
    });
    data.push(DataSeries {
        name: format!("total_trade {}<->group", focus.code),
        unit: "USD".into(),
        points: g_t,
    });

    let sources = source_notes(t);
    let world = match t.meta.world.as_str() {
        "source" => "world totals are the source's own World rows".to_string(),
        _ => "world totals are sums over the partner economies in the data".to_string(),
    };
    let provenance = Provenance {
        report_side: vec![
            format!("Exports, imports, balances, growth and {fname}'s shares: {fname}'s own report (exports FOB, imports CIF)."),
            format!("HM index: the exporter's report for its exports and world total, the importer's report for its imports and world total ({variant} variant); {world}."),
            "Partners' shares: each partner's own report, which for non-reporting years the IMF estimates from partner data (see Data notes).".into(),
        ],
        sources,
        hm_variant: variant,
        world: t.meta.world.clone(),
    };
    // Every table's numbers carry one footnote: source, vintage, whose report, columns.
    for table in &mut tables {
        table.source = crate::sections::footnote(&table.id, &source_line(t), &focus.code);
    }

    Built {
        context: ReportContext {
            title: report.title.clone(),
            subtitle: format!(
                "{} and {} ({}), {span}",
                focus.name,
                group,
                partners
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            focus,
            group_name: report.group_name.clone(),
            partners,
            year_from: y0,
            year_to: y1,
            highlights,
            figures,
            tables,
            estimates,
            provenance,
            data,
        },
        charts,
    }
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
        .get("sources")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or_default()
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
