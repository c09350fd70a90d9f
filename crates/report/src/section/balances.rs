//! Balances: the focus's balance with each partner, as a chart and a table.

use super::{Ctx, Part, scaled};
use crate::charts::{Chart, LineChart, Series};
use crate::format::usd_bn;
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, focus, span) = (ctx.fname(), &ctx.focus.code, &ctx.span);
    part.figure(
        ctx,
        "fig-balances",
        format!("{fname}'s trade balance with each partner, {span}"),
        format!("Exports minus imports of {fname} with each partner, US$ billion; above zero is a {fname} surplus."),
        Chart::Line(LineChart {
            title: format!("{fname}'s trade balance by partner"),
            y_label: "US$ billion".into(),
            series: ctx
                .partners
                .iter()
                .map(|p| Series {
                    name: p.name.clone(),
                    points: scaled(&ctx.out(&p.code, |r| r.balance), 1e-9),
                })
                .collect(),
            source: ctx.chart_source(),
            y_decimals: 1,
        }),
    );
    part.tables.push(ctx.by_partner(
        &table_spec::BALANCE_BY_PARTNER,
        format!("Trade balance of {fname} with each partner"),
        format!("US$ billion, exports minus imports; {fname}'s report."),
        &|p, y| usd_bn(ctx.row(y, focus, p).and_then(|r| r.balance)),
    ));
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;

    #[test]
    fn balances_per_partner_and_year() {
        let t = tables(
            &[2019, 2020],
            vec![
                flow(2019, "BRA", "ARG", 5.0, 7.5),
                flow(2020, "BRA", "ARG", 6.0, 1.0),
            ],
        );
        let r = report("BRA", &["ARG"], "Mercosur");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        assert_eq!(p.tables[0].rows, [["2019", "-2.50"], ["2020", "5.00"]]);
        assert_eq!(
            p.figures[0].0.title,
            "Brazil's trade balance with each partner, 2019–2020"
        );
    }
}
