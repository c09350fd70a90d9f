//! The partner landscape of a group of countries (seed 001): for each country, the weight and
//! rank of the focus partner and of the compared partners (Russia, the US, the EU, Turkey, ...)
//! in its total trade, year by year, from the country's own report.

use tradepipe_indices::{BilateralRow, IndexTables};
use tradepipe_model::Registry;
use tradepipe_model::config::{ReportConfig, YearRange};

use crate::charts::{Chart, LineChart, Series};
use crate::context::{
    Built, DataSeries, Figure, Named, Provenance, ReportContext, Table, report_years, source_name,
    source_notes, vintage,
};
use crate::format::{MISSING, pct, year_ranges};

/// Builds the landscape context of `report`: `partners` are the countries described,
/// `focus` and `compare` the partners whose weight is shown.
pub fn build(report: &ReportConfig, default_years: YearRange, t: &IndexTables) -> Built {
    let reg = Registry::embedded();
    let (range, years) = report_years(report, default_years, t);
    let (y0, y1) = (
        years.first().copied().unwrap_or(range.from),
        years.last().copied().unwrap_or(range.to),
    );
    // "2010–2020", or "2020" for a report of one year.
    let span = crate::format::span(y0, y1);
    let named = |c: &String| Named {
        code: c.clone(),
        name: reg.name(c).to_owned(),
    };
    let countries: Vec<Named> = report.partners.iter().map(named).collect();
    let rivals: Vec<Named> = std::iter::once(&report.focus)
        .chain(&report.compare)
        .map(named)
        .collect();
    let row = |y: i32, i: &str, j: &str| -> Option<&BilateralRow> { t.bilateral(y, i, j) };

    let mut figures = Vec::new();
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    let mut data = Vec::new();
    let mut highlights = Vec::new();
    let mut notes = Vec::new();
    for c in &countries {
        let id = format!("fig-partners-{}", c.code.to_lowercase());
        let file = format!("figures/{id}.svg");
        let series: Vec<Series> = rivals
            .iter()
            .map(|p| Series {
                name: p.name.clone(),
                points: years
                    .iter()
                    .map(|&y| {
                        (
                            y,
                            row(y, &c.code, &p.code)
                                .and_then(|r| r.trade_share)
                                .map(|v| v * 100.0),
                        )
                    })
                    .collect(),
            })
            .collect();
        // A line over one year is a dot at the axis: the tables carry a one-year report.
        if years.len() < 2 {
            continue;
        }
        figures.push(Figure {
            id: id.clone(),
            number: figures.len() + 1,
            title: format!("{}'s main partners, {span}", c.name),
            file: file.clone(),
            caption: format!("Share of each partner in {}'s total trade (exports + imports with the world), in percent, from {}'s own report.", c.name, c.name),
        });
        charts.push((
            file,
            Chart::Line(LineChart {
                title: format!("Partners' weight in {}'s trade", c.name),
                y_label: "Share of total trade (%)".into(),
                series,
                source: format!(
                    "Source: {} ({}), {}'s report; tradepipe.",
                    source_name(t),
                    vintage(t),
                    c.code
                ),
                y_decimals: 0,
            }),
        ));
        tables.push(Table {
            id: format!("partners-{}", c.code.to_lowercase()),
            title: format!("{}: weight and rank of its partners", c.name),
            note: format!("Percent of {}'s total trade, with its rank among all individual partner economies in brackets (aggregates such as the EU have no rank). {}'s own report.", c.name, c.name),
            headers: std::iter::once("Year".to_string()).chain(rivals.iter().map(|p| p.name.clone())).collect(),
            rows: years
                .iter()
                .map(|&y| {
                    std::iter::once(y.to_string())
                        .chain(rivals.iter().map(|p| match row(y, &c.code, &p.code) {
                            Some(r) if r.trade_share.is_some() => match r.rank_total {
                                Some(k) => format!("{} ({k})", pct(r.trade_share, 1)),
                                None => pct(r.trade_share, 1),
                            },
                            _ => MISSING.to_string(),
                        }))
                        .collect()
                })
                .collect(),
            source: format!(
                "{}; tradepipe table `bilateral`: trade_share, rank_total; {}'s report.",
                crate::context::source_line(t),
                c.code
            ),
        });
        for p in &rivals {
            data.push(DataSeries {
                name: format!("trade_share {}->{}", c.code, p.code),
                unit: "fraction".into(),
                points: years
                    .iter()
                    .map(|&y| (y, row(y, &c.code, &p.code).and_then(|r| r.trade_share)))
                    .collect(),
            });
        }
        // The last year: who leads among the partners shown.
        let mut last: Vec<(&Named, f64, Option<u32>)> = rivals
            .iter()
            .filter_map(|p| row(y1, &c.code, &p.code).and_then(|r| Some((p, r.trade_share?, r.rank_total))))
            .collect();
        last.sort_by(|a, b| b.1.total_cmp(&a.1));
        if let Some((lead, share, _)) = last.first() {
            let focus = last.iter().find(|x| x.0.code == report.focus);
            let focus_part = match focus {
                Some((f, s, Some(rank))) if f.code != lead.code => {
                    format!("; {} is at {} % (rank {rank})", f.name, pct(Some(*s), 1))
                }
                _ => String::new(),
            };
            highlights.push(format!(
                "{}, {y1}: {} has the largest weight of the partners shown, {} % of its trade{focus_part}.",
                c.name,
                lead.name,
                pct(Some(*share), 1)
            ));
        }
        let est: Vec<i32> = years
            .iter()
            .copied()
            .filter(|&y| {
                rivals.iter().any(|p| {
                    row(y, &c.code, &p.code)
                        .is_some_and(|r| r.reporter_estimated || r.reporter_mirror_derived)
                })
            })
            .collect();
        if !est.is_empty() {
            notes.push(format!(
                "{}: in {} some of its figures with these partners are IMF estimates (flagged, or equal to the partner's report converted at 1.06), not its own statistics.",
                c.name,
                year_ranges(&est)
            ));
        }
    }
    let provenance = Provenance {
        report_side: vec![
            "Shares and ranks: each country's own report of its trade with each partner and with the world."
                .into(),
            "Ranks are among individual partner economies by total trade (exports + imports).".into(),
        ],
        sources: source_notes(t),
        hm_variant: t.meta.hm_variant.clone(),
        world: t.meta.world.clone(),
    };
    Built {
        context: ReportContext {
            title: report.title.clone(),
            subtitle: format!(
                "{} and their partners {}, {span}",
                report.group_name,
                rivals
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            focus: named(&report.focus),
            group_name: report.group_name.clone(),
            partners: countries,
            year_from: y0,
            year_to: y1,
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
