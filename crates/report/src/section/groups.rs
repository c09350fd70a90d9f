//! Groups: the focus's trade with each country group of `[indices] groups` (members as of
//! each year: the EU of 2004 has 25), as a chart of shares and a table of the first and last
//! year.

use super::{Ctx, Part};
use crate::charts::{Chart, LineChart, Series};
use crate::format::{MISSING, pct, usd_bn};
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (t, focus, fname) = (ctx.t, &ctx.focus.code, ctx.fname());
    let names = t.groups_of(focus);
    let (Some(&first), Some(&last)) = (ctx.years.first(), ctx.years.last()) else {
        return part;
    };
    if names.is_empty() {
        return part;
    }
    let row = |g: &str, y: i32| t.group_row(y, focus, g);
    part.figure(
        ctx,
        "fig-groups",
        format!("{fname}'s trade with country groups, {}", ctx.span),
        format!(
            "Share of each group in {fname}'s total trade (exports + imports with the world), in percent, from {fname}'s report; each year counts the members of that year (the EU of 2004 has 25), so a line steps at an enlargement."
        ),
        Chart::Line(LineChart {
            title: format!("Country groups' weight in {fname}'s trade"),
            y_label: "Share of total trade (%)".into(),
            series: names
                .iter()
                .map(|g| Series {
                    name: tradepipe_model::groups::Groups::label(g),
                    points: ctx
                        .years
                        .iter()
                        .map(|&y| (y, row(g, y).and_then(|r| r.trade_share).map(|v| v * 100.0)))
                        .collect(),
                })
                .collect(),
            source: ctx.chart_source(),
            y_decimals: 0,
        }),
    );
    let rows = names
        .iter()
        .map(|g| {
            let (a, b) = (row(g, first), row(g, last));
            let share = |r: Option<&tradepipe_tables::GroupRow>| pct(r.and_then(|r| r.trade_share), 1);
            vec![
                tradepipe_model::groups::Groups::label(g),
                b.map_or(MISSING.into(), |r| {
                    format!("{} of {}", r.members_reported, r.members)
                }),
                usd_bn(b.and_then(|r| r.exports)),
                usd_bn(b.and_then(|r| r.imports)),
                usd_bn(b.and_then(|r| r.balance)),
                share(a),
                share(b),
            ]
        })
        .collect();
    part.tables.push(ctx.table(
        &table_spec::GROUPS,
        format!("{fname}'s trade with country groups, {last}"),
        format!(
            "US$ billion. Members as of each year (data/groups.csv, or [[group]] in \
             pipeline.toml), {fname} itself left out; “Members” counts those with trade reported by \
             {fname}, of all members; shares are of {fname}'s total trade."
        ),
        vec![
            "Group".into(),
            "Members".into(),
            format!("Exports {last}"),
            format!("Imports {last}"),
            format!("Balance {last}"),
            format!("Share {first} %"),
            format!("Share {last} %"),
        ],
        rows,
    ));
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::{report, tables};
    use super::*;

    #[test]
    fn nothing_without_group_rows() {
        let t = tables(&[2020], Vec::new());
        let r = report("DEU", &["FRA"], "France");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        assert!(p.tables.is_empty() && p.figures.is_empty());
    }
}
