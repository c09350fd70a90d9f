//! Partners: total trade with each partner, year by year, and the largest partner.

use super::{Ctx, Part};
use crate::format::{pct, usd_bn};
use crate::table_spec;
use tradepipe_model::formulas::share;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, focus) = (ctx.fname(), &ctx.focus.code);
    part.tables.push(ctx.by_partner(
        &table_spec::TOTAL_BY_PARTNER,
        format!("Total trade of {fname} with each partner"),
        format!("US$ billion; {fname}'s report."),
        &|p, y| usd_bn(ctx.row(y, focus, p).and_then(|r| r.total_trade)),
    ));
    let y1 = ctx.y1;
    let group_total = ctx.group_sum_at(y1, |r| r.total_trade);
    let largest = ctx
        .partners
        .iter()
        .filter_map(|p| Some((p, ctx.row(y1, focus, &p.code)?.total_trade?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((p, tt)) = largest {
        part.highlights.push(format!(
            "{} was the largest partner in {y1} with US$ {} billion, {} % of the trade with {}.",
            p.name,
            usd_bn(Some(tt)),
            pct(share(Some(tt), group_total), 1),
            ctx.group()
        ));
    }
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;

    #[test]
    fn a_column_per_partner_and_the_largest_named() {
        let t = tables(
            &[2020],
            vec![
                flow(2020, "USA", "MEX", 3.0, 1.0),
                flow(2020, "USA", "CAN", 2.0, 4.0),
            ],
        );
        let r = report("USA", &["MEX", "CAN"], "North America");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        assert_eq!(p.tables[0].headers, ["Year", "Mexico", "Canada"]);
        assert_eq!(p.tables[0].rows, [["2020", "4.00", "6.00"]]);
        assert_eq!(
            p.highlights,
            [
                "Canada was the largest partner in 2020 with US$ 6.00 billion, 60.0 % of the trade with North America."
            ]
        );
    }
}
