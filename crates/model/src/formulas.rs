//! The index formulas of `docs/formulas.md` (in the repository), as pure functions of
//! already-chosen terms.
//!
//! Every function returns `None` when a term is missing or a denominator is not positive:
//! an index of absent data is absent, never zero.

/// `part / whole`; `None` if either is missing or `whole` is not positive.
pub fn share(part: Option<f64>, whole: Option<f64>) -> Option<f64> {
    let (p, w) = (part?, whole?);
    (w > 0.0).then(|| p / w)
}

/// Baldwin's hubness index `HM_ij = (X_ij / X_i) × (1 − M_ji / M_j)`.
pub fn hm(x_ij: Option<f64>, x_i: Option<f64>, m_ji: Option<f64>, m_j: Option<f64>) -> Option<f64> {
    Some(share(x_ij, x_i)? * (1.0 - share(m_ji, m_j)?))
}

/// Trade specialisation coefficient `(X − M) / (X + M)`, in [−1, 1].
pub fn tsc(x: Option<f64>, m: Option<f64>) -> Option<f64> {
    let (x, m) = (x?, m?);
    (x + m > 0.0).then(|| (x - m) / (x + m))
}

/// Trade intensity `TII_ij = (X_ij / X_i) / (X_wj / X_w)`.
pub fn tii(x_ij: Option<f64>, x_i: Option<f64>, x_wj: Option<f64>, x_w: Option<f64>) -> Option<f64> {
    let weight = share(x_wj, x_w)?;
    (weight > 0.0).then_some(share(x_ij, x_i)? / weight)
}

/// Trade intensity with the importer-side denominator:
/// `(X_ij / X_i) / (M_j / (M_w − M_i))` — j's weight in the imports of the world other than i.
pub fn tii_imports(
    x_ij: Option<f64>,
    x_i: Option<f64>,
    m_j: Option<f64>,
    m_w: Option<f64>,
    m_i: Option<f64>,
) -> Option<f64> {
    let rest = m_w? - m_i?;
    let weight = share(m_j, Some(rest))?;
    (weight > 0.0).then_some(share(x_ij, x_i)? / weight)
}

/// Symmetric discrepancy of two reports of one flow, `|M − X| / ((M + X) / 2)`, in [0, 2].
pub fn discrepancy(m: Option<f64>, x: Option<f64>) -> Option<f64> {
    let (m, x) = (m?, x?);
    (m + x > 0.0).then(|| (m - x).abs() / ((m + x) / 2.0))
}

/// Herfindahl–Hirschman index of the shares of `values` in their sum, with the number of
/// positive values; `None` if nothing is positive.
pub fn hhi(values: impl IntoIterator<Item = f64>) -> Option<(f64, usize)> {
    let v: Vec<f64> = values.into_iter().filter(|&x| x > 0.0).collect();
    let total: f64 = v.iter().sum();
    (total > 0.0).then(|| (v.iter().map(|x| (x / total).powi(2)).sum(), v.len()))
}

/// `(HHI − 1/N) / (1 − 1/N)`, in [0, 1]; `None` for a single partner.
pub fn hhi_normalized(hhi: f64, n: usize) -> Option<f64> {
    (n > 1).then(|| {
        let inv = 1.0 / n as f64;
        (hhi - inv) / (1.0 - inv)
    })
}

/// Shares of each side of aligned `(a_k, b_k)` value pairs in their side's total, or `None`
/// when a side sums to nothing.
fn aligned_shares(pairs: &[(f64, f64)]) -> Option<impl Iterator<Item = (f64, f64)> + '_> {
    let (ta, tb) = pairs.iter().fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    (ta > 0.0 && tb > 0.0).then(|| pairs.iter().map(move |&(x, y)| (x / ta, y / tb)))
}

/// Michaely trade complementarity `TC_ij = 100·(1 − ½ Σ_k |m_j^k − x_i^k|)`, in [0, 100], from
/// aligned `(X_i^k, M_j^k)`: i's exports and j's imports of each product of one level.
pub fn trade_complementarity(pairs: &[(f64, f64)]) -> Option<f64> {
    let d: f64 = aligned_shares(pairs)?.map(|(x, m)| (m - x).abs()).sum();
    Some(100.0 * (1.0 - d / 2.0))
}

/// Finger–Kreinin export similarity `ES_ij = 100·Σ_k min(x_i^k, x_j^k)`, in [0, 100], from
/// aligned `(X_i^k, X_j^k)`.
pub fn export_similarity(pairs: &[(f64, f64)]) -> Option<f64> {
    Some(100.0 * aligned_shares(pairs)?.map(|(a, b)| a.min(b)).sum::<f64>())
}

/// Grubel–Lloyd intra-industry trade `1 − |X − M| / (X + M)`, in [0, 1].
pub fn grubel_lloyd(x: f64, m: f64) -> Option<f64> {
    (x + m > 0.0).then(|| 1.0 - (x - m).abs() / (x + m))
}

/// Aggregate Grubel–Lloyd `1 − Σ_k |X^k − M^k| / Σ_k (X^k + M^k)` over aligned `(X^k, M^k)`.
pub fn grubel_lloyd_aggregate(pairs: &[(f64, f64)]) -> Option<f64> {
    let (gap, total) = pairs
        .iter()
        .fold((0.0, 0.0), |(g, t), &(x, m)| (g + (x - m).abs(), t + x + m));
    (total > 0.0).then(|| 1.0 - gap / total)
}

/// Export market penetration `#{j: X_ij^k > 0} / #{j: M_j^k > 0}`.
pub fn market_penetration(partners: u32, importers: u32) -> Option<f64> {
    (importers > 0).then(|| f64::from(partners) / f64::from(importers))
}

/// Index with base 100: `100·V_t / V_t0`.
pub fn index_100(v: Option<f64>, base: Option<f64>) -> Option<f64> {
    Some(100.0 * share(v, base)?)
}

/// Contribution of one component to the change of a total, `Δpart / Δtotal`.
pub fn contribution(
    part: Option<f64>,
    part_prev: Option<f64>,
    total: Option<f64>,
    total_prev: Option<f64>,
) -> Option<f64> {
    let (dt, dp) = (total? - total_prev?, part? - part_prev?);
    (dt != 0.0).then(|| dp / dt)
}

/// Year-on-year growth `V_t / V_{t−1} − 1`.
pub fn yoy(v: Option<f64>, v_prev: Option<f64>) -> Option<f64> {
    Some(share(v, v_prev)? - 1.0)
}

/// Compound annual growth rate `(V_T / V_t0)^(1/(T − t0)) − 1`; `None` if either value is not
/// positive or the window is empty.
pub fn cagr(v0: Option<f64>, v_end: Option<f64>, years: i32) -> Option<f64> {
    let (a, b) = (v0?, v_end?);
    (a > 0.0 && b > 0.0 && years > 0).then(|| (b / a).powf(1.0 / f64::from(years)) - 1.0)
}

/// IMF convention for the CIF/FOB margin between an importer's and an exporter's report.
pub const IMF_CIF_FOB: f64 = 1.06;

/// Whether a reporter's figures for a pair are its partner's mirror figures converted at the
/// CIF/FOB factor: `X_ij = M_ji / f` and `M_ij = f·X_ji` (each where both sides are present,
/// at least one pair present), within a relative 5·10⁻⁴. This is how the IMF fills in
/// non-reporting countries without always flagging the cells as estimates.
pub fn mirror_derived(
    x_ij: Option<f64>,
    m_ji: Option<f64>,
    m_ij: Option<f64>,
    x_ji: Option<f64>,
    factor: f64,
) -> bool {
    let matches = |own: Option<f64>, implied: Option<f64>| match (own, implied) {
        (Some(a), Some(b)) if b > 0.0 => Some((a / b - 1.0).abs() < 5e-4),
        _ => None,
    };
    let checks = [
        matches(x_ij, m_ji.map(|m| m / factor)),
        matches(m_ij, x_ji.map(|x| x * factor)),
    ];
    checks.iter().any(Option::is_some) && checks.iter().flatten().all(|&ok| ok)
}

/// Adds `v` to a running sum that is `None` until its first term.
pub fn accumulate(acc: &mut Option<f64>, v: f64) {
    *acc = Some(acc.unwrap_or(0.0) + v);
}

/// Sum of the present values; `None` when none is present.
pub fn sum_present(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values
        .into_iter()
        .flatten()
        .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("value present");
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn hand_computed_values() {
        // i exports 20 of its 200 to j; j imports 30 of its 120 from i.
        // HM = 0.1 × (1 − 0.25) = 0.075.
        close(hm(Some(20.0), Some(200.0), Some(30.0), Some(120.0)), 0.075);
        close(share(Some(20.0), Some(200.0)), 0.1);
        // X = 30, M = 10: TSC = 20/40 = 0.5.
        close(tsc(Some(30.0), Some(10.0)), 0.5);
        // i sends 10% of its exports to j, j takes 4% of world exports: TII = 2.5.
        close(tii(Some(10.0), Some(100.0), Some(40.0), Some(1000.0)), 2.5);
        close(yoy(Some(110.0), Some(100.0)), 0.1);
        // 100 -> 121 over two years: 10% a year.
        close(cagr(Some(100.0), Some(121.0), 2), 0.1);
        close(sum_present([Some(1.0), None, Some(2.5)]), 3.5);
    }

    #[test]
    fn mirror_derived_detects_the_imf_fill_in() {
        // China imports 106 from i and exports 50 to it; i "reports" 100 and 53.
        assert!(mirror_derived(
            Some(100.0),
            Some(106.0),
            Some(53.0),
            Some(50.0),
            1.06
        ));
        assert!(mirror_derived(Some(100.0), Some(106.0), None, Some(50.0), 1.06));
        assert!(!mirror_derived(
            Some(100.0),
            Some(106.0),
            Some(60.0),
            Some(50.0),
            1.06
        ));
        assert!(!mirror_derived(Some(101.0), Some(106.0), None, None, 1.06));
        assert!(!mirror_derived(None, None, None, None, 1.06));
    }

    #[test]
    fn hand_computed_structure_values() {
        // j imports 50 of the 500 that the world other than i (1000 − 500) imports: weight 0.1;
        // i sends 20 % of its exports to j: TII = 2.
        close(
            tii_imports(Some(20.0), Some(100.0), Some(50.0), Some(1000.0), Some(500.0)),
            2.0,
        );
        // Reports 106 and 100: |6| / 103.
        close(discrepancy(Some(106.0), Some(100.0)), 6.0 / 103.0);
        // Shares 0.5, 0.3, 0.2: HHI 0.38; normalised (0.38 − 1/3)/(2/3) = 0.07.
        let (h, n) = hhi([50.0, 30.0, 20.0, 0.0]).unwrap();
        assert_eq!(n, 3);
        close(Some(h), 0.38);
        close(hhi_normalized(h, n), 0.07);
        assert_eq!(hhi_normalized(1.0, 1), None);
        // The balance moves from 10 to 30; the partner's part from 5 to 20: 15/20.
        close(contribution(Some(20.0), Some(5.0), Some(30.0), Some(10.0)), 0.75);
        assert_eq!(contribution(Some(1.0), Some(0.0), Some(5.0), Some(5.0)), None);
    }

    #[test]
    fn missing_or_degenerate_terms_give_none() {
        assert_eq!(hm(None, Some(1.0), Some(1.0), Some(1.0)), None);
        assert_eq!(share(Some(1.0), Some(0.0)), None);
        assert_eq!(tsc(Some(0.0), Some(0.0)), None);
        assert_eq!(cagr(Some(0.0), Some(5.0), 3), None);
        assert_eq!(cagr(Some(1.0), Some(5.0), 0), None);
        assert_eq!(sum_present([None, None]), None);
    }

    #[test]
    fn hand_computed_overlap_values() {
        // i exports 60 of k1, 40 of k2 (shares .6/.4); j imports 20, 80 (.2/.8):
        // TC = 100·(1 − ½(.4 + .4)) = 60.
        close(trade_complementarity(&[(60.0, 20.0), (40.0, 80.0)]), 60.0);
        // ES = 100·(min(.6,.2) + min(.4,.8)) = 60; identical structures give 100.
        close(export_similarity(&[(60.0, 20.0), (40.0, 80.0)]), 60.0);
        close(export_similarity(&[(3.0, 30.0), (1.0, 10.0)]), 100.0);
        // GL: X 30, M 10 -> 1 − 20/40 = 0.5; aggregate with (0, 20): 1 − (20 + 20)/60.
        close(grubel_lloyd(30.0, 10.0), 0.5);
        close(
            grubel_lloyd_aggregate(&[(30.0, 10.0), (0.0, 20.0)]),
            1.0 - 40.0 / 60.0,
        );
        close(market_penetration(3, 12), 0.25);
        close(index_100(Some(150.0), Some(120.0)), 125.0);
        assert_eq!(grubel_lloyd(0.0, 0.0), None);
        assert_eq!(trade_complementarity(&[(1.0, 0.0)]), None);
        assert_eq!(market_penetration(0, 0), None);
    }

    proptest! {
        #[test]
        fn overlap_indices_lie_in_range(pairs in proptest::collection::vec((0.0..1e9f64, 0.0..1e9f64), 1..40)) {
            for v in [trade_complementarity(&pairs), export_similarity(&pairs)].into_iter().flatten() {
                prop_assert!((-1e-9..=100.0 + 1e-9).contains(&v), "{v}");
            }
            if let Some(g) = grubel_lloyd_aggregate(&pairs) {
                prop_assert!((-1e-12..=1.0 + 1e-12).contains(&g));
                // The aggregate is the trade-weighted mean of the per-product values.
                let total: f64 = pairs.iter().map(|(x, m)| x + m).sum();
                let mean: f64 = pairs.iter().filter_map(|&(x, m)| Some(grubel_lloyd(x, m)? * (x + m) / total)).sum();
                prop_assert!((g - mean).abs() < 1e-9);
            }
            // ES is symmetric; TC of a structure against itself is 100.
            let swapped: Vec<(f64, f64)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
            prop_assert_eq!(export_similarity(&pairs).map(|v| (v * 1e6).round()), export_similarity(&swapped).map(|v| (v * 1e6).round()));
            let same: Vec<(f64, f64)> = pairs.iter().map(|&(a, _)| (a, a)).collect();
            if let Some(tc) = trade_complementarity(&same) {
                prop_assert!((tc - 100.0).abs() < 1e-9);
            }
        }

        #[test]
        fn hm_lies_in_unit_interval(x_i in 1.0..1e12f64, fx in 0.0..=1.0f64, m_j in 1.0..1e12f64, fm in 0.0..=1.0f64) {
            let v = hm(Some(fx * x_i), Some(x_i), Some(fm * m_j), Some(m_j)).unwrap();
            prop_assert!((0.0..=1.0).contains(&v), "{v}");
        }

        #[test]
        fn tsc_lies_in_range_and_is_antisymmetric(x in 0.0..1e12f64, m in 0.0..1e12f64) {
            prop_assume!(x + m > 0.0);
            let a = tsc(Some(x), Some(m)).unwrap();
            prop_assert!((-1.0..=1.0).contains(&a));
            prop_assert_eq!(a, -tsc(Some(m), Some(x)).unwrap());
        }

        #[test]
        fn hhi_lies_between_one_over_n_and_one(values in proptest::collection::vec(0.001..1e9f64, 1..60)) {
            let (h, n) = hhi(values.iter().copied()).unwrap();
            prop_assert_eq!(n, values.len());
            prop_assert!(h >= 1.0 / n as f64 - 1e-12 && h <= 1.0 + 1e-12, "{h}");
            if let Some(z) = hhi_normalized(h, n) {
                prop_assert!((-1e-9..=1.0 + 1e-9).contains(&z), "{z}");
            }
        }

        #[test]
        fn contributions_of_all_parts_sum_to_one(
            prev in proptest::collection::vec(-1e9..1e9f64, 2..20),
            delta in proptest::collection::vec(-1e9..1e9f64, 2..20),
        ) {
            let n = prev.len().min(delta.len());
            let now: Vec<f64> = (0..n).map(|k| prev[k] + delta[k]).collect();
            let (t0, t1): (f64, f64) = (prev[..n].iter().sum(), now.iter().sum());
            prop_assume!((t1 - t0).abs() > 1.0);
            let s: f64 = (0..n).map(|k| contribution(Some(now[k]), Some(prev[k]), Some(t1), Some(t0)).unwrap()).sum();
            prop_assert!((s - 1.0).abs() < 1e-6, "{s}");
        }

        #[test]
        fn cagr_of_constant_series_is_zero(v in 1e-3..1e12f64, n in 1i32..50) {
            prop_assert!(cagr(Some(v), Some(v), n).unwrap().abs() < 1e-12);
        }

        #[test]
        fn cagr_compounds_back_to_the_end_value(a in 1.0..1e9f64, b in 1.0..1e9f64, n in 1i32..40) {
            let g = cagr(Some(a), Some(b), n).unwrap();
            let back = a * (1.0 + g).powi(n);
            prop_assert!((back - b).abs() <= 1e-9 * b, "{back} vs {b}");
        }

        #[test]
        fn shares_over_all_partners_sum_to_one(parts in proptest::collection::vec(0.0..1e9f64, 1..40)) {
            let total: f64 = parts.iter().sum();
            prop_assume!(total > 0.0);
            let s: f64 = parts.iter().map(|p| share(Some(*p), Some(total)).unwrap()).sum();
            prop_assert!((s - 1.0).abs() < 1e-9);
        }
    }
}
