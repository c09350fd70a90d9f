//! Data quality: each side's report of the same flow (mirror checks), and the data notes on
//! partners' figures that are the source's estimates, years without a report, and what the
//! normalize stage's validation rules found in the whole table.

use tradepipe_tables::BilateralRow;

use super::{Ctx, Part};
use crate::format::{MISSING, year_ranges};
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let (fname, focus) = (ctx.fname(), &ctx.focus.code);
    let ratio = |v: Option<f64>, derived: bool| match v {
        None => MISSING.to_string(),
        Some(r) if derived => format!("{r:.2}*"),
        Some(r) => format!("{r:.2}"),
    };
    part.tables.push(ctx.by_partner(
        &table_spec::MIRROR_EXPORTS,
        format!("Mirror check: partners' imports from {fname} ÷ {fname}'s exports to them"),
        format!(
            "Ratio of the partner's reported imports from {fname} (CIF) to {fname}'s reported exports (FOB); about 1.06 when both sides agree up to freight and insurance. * the partner's figure is {fname}'s own converted at 1.06 (the source's estimate, not an independent report)."
        ),
        &|p, y| {
            let derived = ctx.row(y, p, focus).is_some_and(|b| b.reporter_mirror_derived);
            ratio(ctx.row(y, focus, p).and_then(|r| r.mirror_ratio), derived)
        },
    ));
    part.tables.push(ctx.by_partner(
        &table_spec::MIRROR_IMPORTS,
        format!("Mirror check: {fname}'s imports from partners ÷ their exports to {fname}"),
        format!("Ratio of {fname}'s reported imports (CIF) to the partner's reported exports to {fname} (FOB). * as above."),
        &|p, y| {
            let b = ctx.row(y, p, focus);
            ratio(b.and_then(|b| b.mirror_ratio), b.is_some_and(|b| b.reporter_mirror_derived))
        },
    ));

    // Where partners' own figures are the source's estimates.
    let years_where = |p: &str, test: fn(&BilateralRow) -> bool| -> Vec<i32> {
        ctx.years
            .iter()
            .copied()
            .filter(|&y| ctx.row(y, p, focus).is_some_and(test))
            .collect()
    };
    for p in &ctx.partners {
        let est = years_where(&p.code, |r| r.reporter_estimated);
        if !est.is_empty() {
            part.notes.push(format!(
                "{}: figures reported for {} are flagged as the source's estimates in {} (usually derived from partners' reports); its HM index toward {fname} and its share columns rest on them.",
                p.name, p.code, year_ranges(&est)
            ));
        }
        let derived = years_where(&p.code, |r| r.reporter_mirror_derived);
        if !derived.is_empty() {
            part.notes.push(format!(
                "{}: in {} the figures reported for {} with {fname} equal {fname}'s own figures converted at the CIF/FOB factor 1.06, so they are estimates from partner data (not flagged as such in the source); its HM index toward {fname} and its share columns in those years are not independent of {fname}'s report.",
                p.name, year_ranges(&derived), p.code
            ));
        }
        let missing: Vec<i32> = ctx
            .years
            .iter()
            .copied()
            .filter(|&y| ctx.row(y, &p.code, focus).is_none_or(|r| r.hm.is_none()))
            .collect();
        if !missing.is_empty() {
            part.notes.push(format!(
                "{}: no HM index toward {fname} in {} (the data has no report of its exports to {fname} or of its world total).",
                p.name,
                year_ranges(&missing)
            ));
        }
    }
    part.notes.extend(validation_note(ctx));
    part
}

/// What the normalize stage's validation rules found in the whole canonical table.
fn validation_note(ctx: &Ctx<'_>) -> Option<String> {
    let parts: Vec<String> = (ctx.t.meta.trade_provenance.rejects.iter())
        .map(|r| {
            format!(
                "{} ({}, rows {}): {}",
                r.rule,
                r.severity,
                r.action,
                crate::format::count(r.rows as u64)
            )
        })
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "Validation of the whole canonical table (not only the rows of this report): {}; every such row is listed in output/parquet/rejects/rejects.parquet.",
            parts.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, report, tables};
    use super::*;

    #[test]
    fn mirror_ratios_with_derived_figures_starred_and_notes_per_partner() {
        let mut out = flow(2020, "CHN", "TKM", 1.0, 8.0);
        out.mirror_ratio = Some(1.06);
        let mut back = flow(2020, "TKM", "CHN", 8.0, 1.0);
        back.reporter_mirror_derived = true;
        back.mirror_ratio = Some(1.0);
        let t = tables(&[2020], vec![out, back]);
        let r = report("CHN", &["TKM"], "Turkmenistan");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx);
        assert_eq!(p.tables[0].rows, [["2020", "1.06*"]]);
        assert_eq!(p.tables[1].rows, [["2020", "1.00*"]]);
        assert!(
            p.notes
                .iter()
                .any(|n| n.starts_with("Turkmenistan: in 2020 the figures reported for TKM"))
        );
        assert!(
            p.notes
                .iter()
                .any(|n| n.starts_with("Turkmenistan: no HM index toward China in 2020"))
        );
    }
}
