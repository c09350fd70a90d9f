//! Dependence: the weight of the bilateral trade in each side's total trade, the HM hubness
//! index both ways, trade intensity both ways and the concentration of each country's trade
//! over its partners.

use tradepipe_model::formulas::share;

use super::{Ctx, Part, has_values, num, scaled};
use crate::charts::{Chart, LineChart, Series};
use crate::format::{MISSING, pct};
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, focus, span, t) = (ctx.fname(), &ctx.focus.code, &ctx.span, ctx.t);
    let variant = t.meta.hm_variant.clone();
    let both_sides = format!(
        "Source: {} ({}); each side's own report; tradepipe.",
        crate::context::source_name(t),
        crate::context::vintage(t)
    );
    let per_partner = |points: &dyn Fn(&str) -> Vec<(i32, Option<f64>)>| -> Vec<Series> {
        ctx.partners
            .iter()
            .map(|p| Series {
                name: p.name.clone(),
                points: points(&p.code),
            })
            .collect()
    };
    part.figure(
        ctx,
        "fig-hm-out",
        format!("HM index of {fname}'s exports to each partner, {span}"),
        format!(
            "Baldwin hubness index HM of {fname}'s exports to each partner, in percent (variant: {variant})."
        ),
        Chart::Line(LineChart {
            title: format!("HM index: {fname} → each partner"),
            y_label: "HM index (%)".into(),
            series: per_partner(&|p| scaled(&ctx.out(p, |r| r.hm), 100.0)),
            source: both_sides.clone(),
            y_decimals: 2,
        }),
    );
    part.figure(
        ctx,
        "fig-hm-in",
        format!("HM index of each partner's exports to {fname}, {span}"),
        format!(
            "Baldwin hubness index HM of each partner's exports to {fname}, in percent (variant: {variant}). Breaks in a line are years without a report."
        ),
        Chart::Line(LineChart {
            title: format!("HM index: each partner → {fname}"),
            y_label: "HM index (%)".into(),
            series: per_partner(&|p| scaled(&ctx.back(p, |r| r.hm), 100.0)),
            source: both_sides,
            y_decimals: 0,
        }),
    );

    part.tables.push(shares(ctx));
    let hm_note = format!("Percent; variant {variant}; – where a side does not report.");
    part.tables.push(ctx.by_partner(
        &table_spec::HM_OUT,
        format!("HM index of {fname}'s exports to each partner"),
        hm_note.clone(),
        &|p, y| pct(ctx.row(y, focus, p).and_then(|r| r.hm), 3),
    ));
    part.tables.push(ctx.by_partner(
        &table_spec::HM_IN,
        format!("HM index of each partner's exports to {fname}"),
        hm_note,
        &|p, y| pct(ctx.row(y, p, focus).and_then(|r| r.hm), 3),
    ));

    let tii = |i: &str, j: &str, y: i32| ctx.row(y, i, j).and_then(|r| r.tii);
    let note = |side: &str, to: &str| {
        format!(
            "Trade intensity (X_ij/X_i)/(X_wj/X_w): above 1, {side} exports go to {to} more than {to}'s weight in world imports predicts; world = the data's World rows ({}).",
            t.meta.world
        )
    };
    let tii_tables: Vec<_> = [
        ctx.by_partner(
            &table_spec::TII_OUT,
            format!("Trade intensity of {fname}'s exports to each partner"),
            note(&format!("{fname}'s"), "the partner"),
            &|p, y| num(tii(focus, p, y), 2),
        ),
        ctx.by_partner(
            &table_spec::TII_IN,
            format!("Trade intensity of each partner's exports to {fname}"),
            note("the partner's", fname),
            &|p, y| num(tii(p, focus, y), 2),
        ),
    ]
    .into_iter()
    // Without the world's exports to each country (X_wj) there is no TII at all: say so once
    // in the data notes instead of printing a table of dashes.
    .filter(has_values)
    .collect();
    if tii_tables.is_empty() {
        part.notes.push(format!(
            "Trade intensity is not shown: the data have no world exports to each country (X_wj) in {span} under world = \"{}\"; with [indices] world = \"sum\" it is computed over the economies present.",
            t.meta.world
        ));
    }
    part.tables.extend(tii_tables);
    part.tables.push(hhi_partners(ctx));
    part
}

/// Weight of the bilateral trade in each side's total trade.
fn shares(ctx: &Ctx<'_>) -> crate::context::Table {
    let (fname, focus) = (ctx.fname(), &ctx.focus.code);
    // The first and last year, and the start of the CAGR window between them.
    let mid = ctx.report.cagr_window.map_or(ctx.y0, |w| w[0]);
    let share_years: Vec<i32> = [ctx.y0, mid, ctx.y1]
        .into_iter()
        .filter(|y| ctx.years.contains(y))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut headers = vec!["Partner".to_string()];
    headers.extend(share_years.iter().map(|y| format!("In {focus} trade, {y}")));
    headers.extend(share_years.iter().map(|y| format!("In partner's trade, {y}")));
    let mut rows: Vec<Vec<String>> = ctx
        .partners
        .iter()
        .map(|p| {
            let mut row = vec![p.name.clone()];
            row.extend(
                share_years
                    .iter()
                    .map(|&y| pct(ctx.row(y, focus, &p.code).and_then(|r| r.trade_share), 2)),
            );
            row.extend(
                share_years
                    .iter()
                    .map(|&y| pct(ctx.row(y, &p.code, focus).and_then(|r| r.trade_share), 2)),
            );
            row
        })
        .collect();
    let mut group_row = vec![format!("{} (all)", ctx.group())];
    group_row.extend(share_years.iter().map(|&y| {
        let world = ctx
            .row(y, focus, &ctx.partners[0].code)
            .and_then(|r| Some(r.reporter_world_exports? + r.reporter_world_imports?));
        pct(share(ctx.group_sum_at(y, |r| r.total_trade), world), 2)
    }));
    group_row.extend(share_years.iter().map(|_| MISSING.to_string()));
    rows.push(group_row);
    ctx.table(
        &table_spec::SHARES,
        "Weight of the bilateral trade in each side's total trade".into(),
        format!(
            "Percent of total trade (exports + imports with the world). {fname}'s column uses {fname}'s report; the partner's column uses the partner's own report (or the source's estimates, see Data notes)."
        ),
        headers,
        rows,
    )
}

/// Concentration of each country's trade over its partners, first and last year.
fn hhi_partners(ctx: &Ctx<'_>) -> crate::context::Table {
    let ends: Vec<i32> = [ctx.years.first(), ctx.years.last()]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    let hhi = |c: &str, y: i32, flow: &str| {
        ctx.t
            .concentration
            .iter()
            .find(|r| r.year == y && r.reporter == c && r.flow == flow && r.over == "partners")
    };
    let mut headers = vec!["Country".to_string()];
    for flow in ["Exports", "Imports"] {
        headers.extend(ends.iter().map(|y| format!("{flow} HHI {y}")));
    }
    let rows = ctx
        .everyone()
        .into_iter()
        .map(|c| {
            let mut row = vec![c.name.clone()];
            for flow in ["export", "import"] {
                row.extend(ends.iter().map(|&y| match hhi(&c.code, y, flow) {
                    Some(r) if r.hhi.is_some() => format!("{} ({} partners)", num(r.hhi, 3), r.count),
                    _ => MISSING.to_string(),
                }));
            }
            row
        })
        .collect();
    ctx.table(
        &table_spec::HHI_PARTNERS,
        "Concentration of each country's trade over its partners".into(),
        "Herfindahl–Hirschman index of partner shares (1/N for an even spread over N partners, 1 for a single partner); each country's own report.".into(),
        headers,
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;

    #[test]
    fn hm_both_ways_and_a_note_when_there_is_no_trade_intensity() {
        let mut out = flow(2020, "CHN", "KAZ", 10.0, 5.0);
        out.hm = Some(0.0123);
        let mut back = flow(2020, "KAZ", "CHN", 5.0, 10.0);
        back.hm = Some(0.25);
        let t = tables(&[2020], vec![out, back]);
        let r = report("CHN", &["KAZ"], "Central Asia");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        let ids: Vec<&str> = p.tables.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["shares", "hm-out", "hm-in", "hhi-partners"]);
        assert_eq!(p.tables[1].rows, [["2020", "1.230"]]);
        assert_eq!(p.tables[2].rows, [["2020", "25.000"]]);
        assert!(p.tables[2].source.contains("each partner's report"));
        assert!(
            p.notes[0].starts_with("Trade intensity is not shown"),
            "{:?}",
            p.notes
        );
        // One year: no line charts.
        assert!(p.figures.is_empty());
    }
}
