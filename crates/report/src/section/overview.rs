//! Overview: the focus's exports, imports, total trade and balance with the partners together,
//! year by year (nominal and, with a deflator, in constant dollars), and the headline figures.

use tradepipe_model::formulas::yoy;

use super::{Ctx, Part, at, scaled};
use crate::charts::{Chart, LineChart, Series};
use crate::format::{pct, usd_bn};
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, group, span) = (ctx.fname(), ctx.group(), &ctx.span);
    let g_x = ctx.group_sum(|r| r.exports);
    let g_m = ctx.group_sum(|r| r.imports);
    let g_t = ctx.group_sum(|r| r.total_trade);
    let g_b = ctx.group_sum(|r| r.balance);
    // Constant dollars beside the nominal series, where `[indices] deflator` is set.
    let g_t_real = ctx.group_sum(|r| r.total_trade_real);
    let real = ctx
        .t
        .meta
        .deflator
        .as_ref()
        .filter(|_| g_t_real.iter().any(|(_, v)| v.is_some()));

    let mut caption = format!(
        "Exports, imports and total trade of {fname} with {group} ({}, together), US$ billion, as reported by {fname}.",
        ctx.partners_phrase()
    );
    let mut real_series = Vec::new();
    if let Some(d) = real {
        caption.push_str(&format!(
            " The line \"Total trade, {0} US$\" is total trade in constant {0} US dollars ({1}).",
            d.base_year,
            d.series.source()
        ));
        real_series.push(Series {
            name: format!("Total trade, {} US$", d.base_year),
            points: scaled(&g_t_real, 1e-9),
        });
    }
    part.figure(
        ctx,
        "fig-totals",
        format!("{fname}'s trade with {group}, {span}"),
        caption,
        Chart::Line(LineChart {
            title: format!("{fname}'s trade with {group}"),
            y_label: "US$ billion".into(),
            series: vec![
                Series {
                    name: "Total trade".into(),
                    points: scaled(&g_t, 1e-9),
                },
                Series {
                    name: format!("Exports of {}", ctx.focus.code),
                    points: scaled(&g_x, 1e-9),
                },
                Series {
                    name: format!("Imports of {}", ctx.focus.code),
                    points: scaled(&g_m, 1e-9),
                },
            ]
            .into_iter()
            .chain(real_series)
            .collect(),
            source: ctx.chart_source(),
            y_decimals: 0,
        }),
    );

    let mut note = format!("US$ billion; growth in percent. {fname}'s report.");
    let mut headers: Vec<String> = [
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
        note.push_str(&format!(
            " Real: total trade in constant {} US dollars ({}, {} = 100), and its growth.",
            d.base_year,
            d.series.source(),
            d.base_year
        ));
        headers.push(format!("Total, {} US$", d.base_year));
        headers.push("Real YoY %".into());
    }
    let rows = ctx
        .years
        .iter()
        .map(|&y| {
            let mut row = vec![
                y.to_string(),
                usd_bn(at(&g_x, y)),
                usd_bn(at(&g_m, y)),
                usd_bn(at(&g_t, y)),
                usd_bn(at(&g_b, y)),
                pct(yoy(at(&g_t, y), at(&g_t, y - 1)), 1),
            ];
            if real.is_some() {
                row.push(usd_bn(at(&g_t_real, y)));
                row.push(pct(yoy(at(&g_t_real, y), at(&g_t_real, y - 1)), 1));
            }
            row
        })
        .collect();
    part.tables.push(ctx.table(
        &table_spec::TOTALS,
        format!("{fname}'s trade with {group}"),
        note,
        headers,
        rows,
    ));

    let y1 = ctx.y1;
    part.highlights.push(format!(
        "In {y1}, {fname}'s trade with {group} totalled US$ {} billion: exports US$ {} billion, imports US$ {} billion, a balance of US$ {} billion.",
        usd_bn(at(&g_t, y1)),
        usd_bn(at(&g_x, y1)),
        usd_bn(at(&g_m, y1)),
        usd_bn(at(&g_b, y1))
    ));
    if ctx.one_year() {
        part.notes.push(format!(
            "The report covers one year ({span}): the time-series charts are left out; the tables give the values."
        ));
    }
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;

    #[test]
    fn totals_sum_the_partners_and_captions_name_no_paper() {
        let t = tables(
            &[2019, 2020],
            vec![
                flow(2019, "DEU", "FRA", 100.0, 60.0),
                flow(2019, "DEU", "POL", 50.0, 40.0),
                flow(2020, "DEU", "FRA", 90.0, 70.0),
                flow(2020, "DEU", "POL", 60.0, 30.0),
            ],
        );
        let r = report("DEU", &["FRA", "POL"], "Two neighbours");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        let totals = &p.tables[0];
        assert_eq!(totals.id, "totals");
        // 2020: exports 90 + 60 = 150, imports 100, total 250, balance 50; total grew from 250
        // (2019: 150 + 100) to 250: 0.0 %.
        assert_eq!(
            totals.rows[1],
            ["2020", "150.00", "100.00", "250.00", "50.00", "0.0"]
        );
        assert!(totals.source.contains("DEU's report"), "{}", totals.source);
        let caption = &p.figures[0].0.caption;
        assert!(
            caption.contains("with Two neighbours (the two partners, together)"),
            "{caption}"
        );
        assert!(!caption.contains("seed") && !caption.contains("Figure"));
        assert!(
            p.highlights[0]
                .starts_with("In 2020, Germany's trade with Two neighbours totalled US$ 250.00 billion")
        );
    }
}
