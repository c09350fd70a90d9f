//! Provenance: the sources with their vintages, files and hashes, and whose report each kind
//! of number uses.

use super::{Ctx, Part};
use crate::context::Provenance;
use tradepipe_model::config::ReportKind;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let (t, fname) = (ctx.t, ctx.fname());
    let variant = &t.meta.hm_variant;
    let world = match t.meta.world.as_str() {
        "source" => "world totals are the source's own World rows",
        _ => "world totals are sums over the partner economies in the data",
    };
    let report_side = match ctx.report.kind {
        ReportKind::Bilateral => vec![
            format!("Exports, imports, balances, growth and {fname}'s shares: {fname}'s own report (exports FOB, imports CIF)."),
            format!("HM index: the exporter's report for its exports and world total, the importer's report for its imports and world total ({variant} variant); {world}."),
            "Partners' shares: each partner's own report, which for non-reporting years the source may estimate from partner data (see Data notes).".into(),
        ],
        ReportKind::PartnerLandscape => vec![
            "Shares and ranks: each country's own report of its trade with each partner and with the world.".into(),
            "Ranks are among individual partner economies by total trade (exports + imports).".into(),
        ],
    };
    Part {
        provenance: Some(Provenance {
            sources: crate::context::source_notes(t),
            report_side,
            hm_variant: variant.clone(),
            world: t.meta.world.clone(),
        }),
        ..Part::default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{report, tables};
    use super::*;

    #[test]
    fn sources_and_whose_report() {
        let t = tables(&[2020], Vec::new());
        let r = report("USA", &["MEX"], "Mexico");
        let ctx = super::super::testing::ctx(&r, &t);
        let p = part(&ctx).provenance.unwrap();
        assert_eq!(p.sources[0].description, "Test data");
        assert!(
            p.report_side[0].starts_with("Exports, imports, balances, growth and US's shares"),
            "{:?}",
            p.report_side
        );
    }
}
