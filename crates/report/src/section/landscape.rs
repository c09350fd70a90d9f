//! Landscape (the partner-landscape kind): for each country of `partners`, the weight and
//! rank of `focus` and of the `compare` partners (Russia, the US, the EU, Turkey, ...) in its
//! total trade, year by year, from the country's own report.

use tradepipe_model::Registry;
use tradepipe_tables::BilateralRow;

use super::{Ctx, Part};
use crate::charts::{Chart, LineChart, Series};
use crate::context::{DataSeries, Named, Table, source_name, vintage};
use crate::format::{MISSING, pct, year_ranges};

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let (report, t, years, y1, span) = (ctx.report, ctx.t, &ctx.years, ctx.y1, &ctx.span);
    let reg = Registry::embedded();
    let named = |c: &String| Named {
        code: c.clone(),
        name: reg.name(c).to_owned(),
    };
    let countries = &ctx.partners;
    let rivals: Vec<Named> = std::iter::once(&report.focus)
        .chain(&report.compare)
        .map(named)
        .collect();
    let row = |y: i32, i: &str, j: &str| -> Option<&BilateralRow> { t.bilateral(y, i, j) };

    let mut part = Part::default();
    for c in countries {
        let id = format!("fig-partners-{}", c.code.to_lowercase());
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
        // A line over one year is a dot at the axis (left out by `figure`): the tables carry
        // a one-year report.
        part.figure(
            ctx,
            &id,
            format!("{}'s main partners, {span}", c.name),
            format!("Share of each partner in {}'s total trade (exports + imports with the world), in percent, from {}'s own report.", c.name, c.name),
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
        );
        part.tables.push(Table {
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
                ctx.source_line,
                c.code
            ),
        });
        for p in &rivals {
            part.data.push(DataSeries {
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
            part.highlights.push(format!(
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
            part.notes.push(format!(
                "{}: in {} some of its figures with these partners are IMF estimates (flagged, or equal to the partner's report converted at 1.06), not its own statistics.",
                c.name,
                year_ranges(&est)
            ));
        }
    }
    part
}
