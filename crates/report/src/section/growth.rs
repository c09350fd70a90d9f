//! Growth: year-on-year growth of total trade with each partner and the ranking of the
//! partners by compound annual growth over `cagr-window`.

use tradepipe_model::formulas::cagr;

use super::{Ctx, Part};
use crate::format::{pct, usd_bn};
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, focus, t) = (ctx.fname(), &ctx.focus.code, ctx.t);
    part.tables.push(ctx.by_partner(
        &table_spec::YOY_BY_PARTNER,
        "Year-on-year growth of total trade".into(),
        format!("Percent; {fname}'s report; – where the previous year is outside the range or absent."),
        &|p, y| {
            pct(
                t.growth
                    .iter()
                    .find(|g| g.year == y && g.reporter == *focus && g.partner == p)
                    .and_then(|g| g.total_trade_yoy),
                1,
            )
        },
    ));

    // Config validation guarantees a window for bilateral reports with this section.
    let [c0, c1] = ctx.report.cagr_window.unwrap_or([ctx.range.from, ctx.range.to]);
    let mut ranking: Vec<(String, Option<f64>, Option<f64>, Option<f64>)> = ctx
        .partners
        .iter()
        .map(|p| {
            let c = t
                .cagr
                .iter()
                .find(|c| c.reporter == *focus && c.partner == p.code && c.from == c0 && c.to == c1);
            let tt = |y| ctx.row(y, focus, &p.code).and_then(|r| r.total_trade);
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
    // The partners together, in any year: the ranking's window may reach before the
    // report's years.
    let (t0, t1) = (
        ctx.group_sum_at(c0, |r| r.total_trade),
        ctx.group_sum_at(c1, |r| r.total_trade),
    );
    rows.push(vec![
        String::new(),
        format!("{} (all)", ctx.group()),
        usd_bn(t0),
        usd_bn(t1),
        pct(cagr(t0, t1, c1 - c0), 2),
    ]);
    part.tables.push(ctx.table(
        &table_spec::CAGR,
        format!("Compound annual growth of total trade, {c0}–{c1}"),
        format!("Ranked by CAGR; US$ billion and percent a year; {fname}'s report."),
        vec![
            "Rank".into(),
            "Partner".into(),
            format!("Total {c0}"),
            format!("Total {c1}"),
            "CAGR %".into(),
        ],
        rows,
    ));
    if let Some((name, _, _, Some(c))) = ranking.first() {
        part.highlights.push(format!(
            "From {c0} to {c1}, trade with {name} grew fastest: {} % a year.",
            pct(Some(*c), 2)
        ));
    }
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;
    use tradepipe_tables::CagrRow;

    #[test]
    fn partners_ranked_by_cagr_with_the_group_last() {
        let mut t = tables(
            &[2019, 2020],
            vec![
                flow(2019, "USA", "MEX", 1.0, 1.0),
                flow(2020, "USA", "MEX", 2.0, 2.0),
                flow(2019, "USA", "CAN", 2.0, 2.0),
                flow(2020, "USA", "CAN", 3.0, 3.0),
            ],
        );
        let cagr_row = |p: &str, v: f64| CagrRow {
            reporter: "USA".into(),
            partner: p.into(),
            from: 2019,
            to: 2020,
            exports_cagr: None,
            imports_cagr: None,
            total_trade_cagr: Some(v),
            exports_real_cagr: None,
            imports_real_cagr: None,
            total_trade_real_cagr: None,
        };
        t.cagr = vec![cagr_row("MEX", 1.0), cagr_row("CAN", 0.5)];
        let r = report("USA", &["MEX", "CAN"], "USMCA partners");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        let cagr = &p.tables[1];
        assert_eq!(cagr.rows[0], ["1", "Mexico", "2.00", "4.00", "100.00"]);
        assert_eq!(cagr.rows[1], ["2", "Canada", "4.00", "6.00", "50.00"]);
        // Together: 6 to 10 in one year, 66.67 %.
        assert_eq!(
            cagr.rows[2],
            ["", "USMCA partners (all)", "6.00", "10.00", "66.67"]
        );
        assert_eq!(
            p.highlights,
            ["From 2019 to 2020, trade with Mexico grew fastest: 100.00 % a year."]
        );
    }
}
