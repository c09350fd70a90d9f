//! The bilateral table: one row per (year, reporter, partner) of the configured countries.

use tradepipe_model::config::{HmVariant, WorldChoice};

use crate::formulas::{
    IMF_CIF_FOB, discrepancy, hm, mirror_derived, share, sum_present, tii, tii_imports, tsc,
};
use crate::year_data::{Cell, YearData};
pub use tradepipe_tables::BilateralRow;

/// Computes the row of the ordered pair (i, j) in one year.
pub fn compute(d: &YearData, i: &str, j: &str, variant: HmVariant, world: WorldChoice) -> BilateralRow {
    let x_ij = d.exports(i, j);
    let m_ij = d.imports(i, j);
    let x_i = d.world_exports(i, world);
    let m_i = d.world_imports(i, world);
    let m_ji = d.imports(j, i);
    let x_ji = d.exports(j, i);
    let m_j = d.world_imports(j, world);

    let hm_baldwin = hm(x_ij.value, x_i.value, m_ji.value, m_j.value);
    // Mirror: i's exports as its partners record them.
    let hm_mirror = hm(
        m_ji.value,
        d.partners_imports_from(i).value,
        m_ji.value,
        m_j.value,
    );
    // Eq. (1) of seed 000 as printed: second term uses i's imports from j.
    let hm_as_printed = hm(x_ij.value, x_i.value, m_ij.value, m_j.value);
    let (hm_value, hm_sources) = match variant {
        HmVariant::Baldwin => (
            hm_baldwin,
            format!("X_ij, X_i: {i} report; M_ji, M_j: {j} report"),
        ),
        HmVariant::Mirror => (
            hm_mirror,
            format!("X_ij = M_ji and X_i = sum of partners' imports: importers' reports; M_j: {j} report"),
        ),
        HmVariant::AsPrinted => (
            hm_as_printed,
            format!("X_ij, X_i, M_ij: {i} report; M_j: {j} report"),
        ),
    };
    let total =
        sum_present([x_ij.value, m_ij.value]).filter(|_| x_ij.value.is_some() && m_ij.value.is_some());
    let world_total = match (x_i.value, m_i.value) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
    let rank = d
        .partner_ranking(i)
        .iter()
        .position(|(c, _)| *c == j)
        .map(|p| p as u32 + 1);
    let estimated = |cells: &[Cell]| cells.iter().any(|c| c.estimated);

    BilateralRow {
        year: d.year,
        reporter: i.to_owned(),
        partner: j.to_owned(),
        exports: x_ij.value,
        imports: m_ij.value,
        total_trade: total,
        balance: match (x_ij.value, m_ij.value) {
            (Some(x), Some(m)) => Some(x - m),
            _ => None,
        },
        tsc: tsc(x_ij.value, m_ij.value),
        export_share: share(x_ij.value, x_i.value),
        import_share: share(m_ij.value, m_i.value),
        trade_share: share(total, world_total),
        rank_total: rank,
        hm: hm_value,
        hm_variant: variant.as_str().to_owned(),
        hm_sources,
        hm_baldwin,
        hm_mirror,
        hm_as_printed,
        tii_imports: tii_imports(
            x_ij.value,
            x_i.value,
            m_j.value,
            d.world_total_imports(world).value,
            m_i.value,
        ),
        tii: tii(
            x_ij.value,
            x_i.value,
            d.world_exports_to(j, world).value,
            d.world_total_exports(world).value,
        ),
        mirror_exports: m_ji.value,
        mirror_imports: x_ji.value,
        mirror_ratio: share(m_ji.value, x_ij.value),
        mirror_gap: match (m_ji.value, x_ij.value) {
            (Some(m), Some(x)) => Some(m - x),
            _ => None,
        },
        mirror_discrepancy: discrepancy(m_ji.value, x_ij.value),
        reporter_world_exports: x_i.value,
        reporter_world_imports: m_i.value,
        partner_world_imports: m_j.value,
        world: world.as_str().to_owned(),
        reporter_estimated: estimated(&[x_ij, m_ij, x_i, m_i]),
        partner_estimated: estimated(&[m_ji, m_j]),
        reporter_mirror_derived: mirror_derived(x_ij.value, m_ji.value, m_ij.value, x_ji.value, IMF_CIF_FOB),
        exports_real: None,
        imports_real: None,
        total_trade_real: None,
        balance_real: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::year_data::FlowRow;
    use tradepipe_model::{Flow, Registry};

    fn row<'a>(r: &'a str, p: &'a str, flow: Flow, value: f64) -> FlowRow<'a> {
        FlowRow {
            reporter: r,
            partner: p,
            flow,
            value,
            estimated: false,
        }
    }

    /// A three-country world with hand-picked numbers.
    fn toy() -> YearData {
        let mut rows = vec![
            row("CHN", "KAZ", Flow::Export, 20.0),
            row("CHN", "KAZ", Flow::Import, 10.0),
            row("CHN", "USA", Flow::Export, 180.0),
            row("CHN", "USA", Flow::Import, 90.0),
            row("CHN", "WLD", Flow::Export, 200.0),
            row("CHN", "WLD", Flow::Import, 100.0),
            row("KAZ", "CHN", Flow::Export, 12.0),
            row("KAZ", "CHN", Flow::Import, 30.0),
            row("KAZ", "USA", Flow::Import, 90.0),
            row("KAZ", "WLD", Flow::Export, 40.0),
            row("KAZ", "WLD", Flow::Import, 120.0),
            row("WLD", "KAZ", Flow::Export, 100.0),
            row("WLD", "WLD", Flow::Export, 1000.0),
        ];
        rows.push(FlowRow {
            estimated: true,
            ..row("USA", "CHN", Flow::Import, 200.0)
        });
        YearData::from_rows(2010, rows, &Registry::embedded())
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("present");
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn hand_computed_bilateral_row() {
        let r = compute(&toy(), "CHN", "KAZ", HmVariant::Baldwin, WorldChoice::Source);
        close(r.exports, 20.0);
        close(r.imports, 10.0);
        close(r.total_trade, 30.0);
        close(r.balance, 10.0);
        close(r.tsc, 10.0 / 30.0);
        close(r.export_share, 0.1); // 20 / 200
        close(r.import_share, 0.1); // 10 / 100
        close(r.trade_share, 0.1); // 30 / 300
        // HM = 20/200 × (1 − 30/120) = 0.1 × 0.75.
        close(r.hm, 0.075);
        // As printed: 0.1 × (1 − M_CHN←KAZ / M_KAZ) = 0.1 × (1 − 10/120).
        close(r.hm_as_printed, 0.1 * (1.0 - 10.0 / 120.0));
        // Mirror: X_ij := M_ji = 30, X_i := partners' imports from CHN = 30 (KAZ) + 200 (USA).
        close(r.hm_mirror, 30.0 / 230.0 * 0.75);
        // TII = (20/200) / (100/1000) = 1.
        close(r.tii, 1.0);
        // No World reporter import row in the toy data: the import-side TII is absent.
        assert_eq!(r.tii_imports, None);
        close(r.mirror_gap, 10.0); // 30 − 20
        close(r.mirror_discrepancy, 10.0 / 25.0);
        close(r.mirror_exports, 30.0);
        close(r.mirror_imports, 12.0);
        close(r.mirror_ratio, 1.5);
        assert_eq!(r.rank_total, Some(2)); // USA (270) then KAZ (30).
        assert!(!r.reporter_estimated && !r.partner_estimated && !r.reporter_mirror_derived);
        assert_eq!(r.hm_variant, "baldwin");
        assert!(r.hm_sources.contains("M_ji, M_j: KAZ report"));
    }

    #[test]
    fn the_other_direction_uses_the_other_reports() {
        let r = compute(&toy(), "KAZ", "CHN", HmVariant::Baldwin, WorldChoice::Source);
        // HM = 12/40 × (1 − 10/100).
        close(r.hm, 0.3 * 0.9);
        close(r.balance, -18.0);
        // Sum world: KAZ's partner economies are CHN (exports 12) and USA (none).
        let s = compute(&toy(), "KAZ", "CHN", HmVariant::Baldwin, WorldChoice::Sum);
        close(s.export_share, 1.0);
        assert_eq!(s.world, "sum");
    }

    #[test]
    fn estimate_flags_follow_the_terms() {
        let r = compute(&toy(), "CHN", "USA", HmVariant::Baldwin, WorldChoice::Source);
        assert!(r.partner_estimated, "USA's imports from CHN are flagged");
        assert!(!r.reporter_estimated);
        // USA reports no world total: HM is absent, not zero.
        assert_eq!(r.hm, None);
    }

    #[test]
    fn missing_flows_stay_missing() {
        let r = compute(&toy(), "CHN", "JPN", HmVariant::Baldwin, WorldChoice::Source);
        assert_eq!(
            (r.exports, r.total_trade, r.hm, r.rank_total),
            (None, None, None, None)
        );
    }
}
