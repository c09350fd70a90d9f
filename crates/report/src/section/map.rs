//! Map: the last year's total trade with each partner, the focus and partners framed
//! ([`crate::map::frame`], or `[[report]] map-frame`).

use super::{Ctx, Part};
use crate::charts::Chart;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, focus) = (ctx.fname(), &ctx.focus.code);
    // The last year with any partner's trade.
    let map_year = (ctx.y0..=ctx.y1)
        .rev()
        .find(|&y| {
            ctx.partners
                .iter()
                .any(|p| ctx.row(y, focus, &p.code).and_then(|r| r.total_trade).is_some())
        })
        .unwrap_or(ctx.y1);
    let codes: Vec<&str> = ctx.everyone().iter().map(|c| c.code.as_str()).collect();
    let window = ctx
        .report
        .map_frame
        .unwrap_or_else(|| crate::map::frame(&codes, &tradepipe_model::Registry::embedded()));
    part.figure(
        ctx,
        "fig-map",
        format!("Map: {fname}'s trade with each partner, {map_year}"),
        format!(
            "Total trade (exports plus imports) of {fname} with each partner in {map_year}, US$ billion, as reported by {fname}; darker is more. Boundaries: Natural Earth 1:50m."
        ),
        Chart::Map(crate::map::MapChart {
            title: format!("{fname}'s trade with {}, {map_year} (US$ billion)", ctx.group()),
            focus: focus.clone(),
            focus_label: fname.to_string(),
            values: ctx
                .partners
                .iter()
                .map(|p| {
                    let value = ctx
                        .row(map_year, focus, &p.code)
                        .and_then(|r| r.total_trade)
                        .map(|x| x * 1e-9);
                    (p.code.clone(), p.name.clone(), value)
                })
                .collect(),
            unit: format!("Total trade, {map_year}, US$ billion"),
            source: ctx.chart_source(),
            window,
        }),
    );
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;

    #[test]
    fn the_map_frames_the_report_countries_or_the_configured_frame() {
        let t = tables(
            &[2020],
            vec![
                flow(2020, "DEU", "FRA", 1.0, 1.0),
                flow(2020, "DEU", "POL", 1.0, 2.0),
            ],
        );
        let mut r = report("DEU", &["FRA", "POL"], "Neighbours");
        let ctx = super::super::testing::ctx(&r, &t);
        let Chart::Map(m) = &part(&ctx).figures[0].1 else {
            panic!("a map")
        };
        // Germany, France and Poland lie within 5°W–25°E, 41°N–55°N.
        let [w, e, s, n] = m.window;
        assert!(w <= -4.0 && e >= 24.0 && s <= 42.0 && n >= 55.0, "{:?}", m.window);
        assert!(
            e - w < 60.0 && n - s < 40.0,
            "framed, not the world: {:?}",
            m.window
        );
        assert_eq!(m.values[1], ("POL".into(), "Poland".into(), Some(3.0)));
        r.map_frame = Some([0.0, 30.0, 40.0, 60.0]);
        let ctx = super::super::testing::ctx(&r, &t);
        let Chart::Map(m) = &part(&ctx).figures[0].1 else {
            panic!("a map")
        };
        assert_eq!(m.window, [0.0, 30.0, 40.0, 60.0]);
    }
}
