//! Economic complexity of one universe (a year, a classification, a product level): presence,
//! diversity, ubiquity, ECI and PCI, discrete symmetric proximity, density, complexity outlook
//! index (COI) and gain (COG), as Stata `ecomplexity` (Growth Lab) computes them.
//!
//! Definitions (`docs/formulas.md`, "Economic complexity"), for C countries and P products
//! with values `x_cp`:
//! * `RCA_cp = (x_cp / x_c) / (x_p / x)`; `RPOP_cp = (x_cp / pop_c) / (x_p / Σ_c pop_c)`.
//! * `M_cp = 1` when the presence test (RCA, RPOP or either) is at least its threshold.
//! * diversity `k_c = Σ_p M_cp`, ubiquity `k_p = Σ_c M_cp`.
//! * PCI is the eigenvector of the second largest eigenvalue of
//!   `M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p)` and ECI `kc_c = Σ_p M_cp kp_p / k_c` (so a country's
//!   ECI is the mean PCI of its products). The sign makes ECI correlate positively with
//!   diversity. Both are standardised by ECI's mean and standard deviation over the C×P
//!   cells (Stata's `sum eci` over the rectangular data set, so the sd divides by C·P − 1).
//! * `φ_pp' = C_pp' / max(k_p, k_p')` with `C = MᵀM`, diagonal 0 (the minimum of the two
//!   conditional probabilities).
//! * density `d_cp = Σ_p' M_cp' φ_p'p / Σ_p' φ_p'p`.
//! * `COI_c = Σ_p d_cp (1 − M_cp) kp_p`, standardised like ECI over the cells.
//! * `COG_cp = (1 − M_cp) Σ_p' (1 − M_cp') φ_p'p kp_p' / Σ_p'' φ_p'p''`, divided by ECI's sd.
//!
//! COI and COG use the raw (unstandardised) PCI vector, as Stata's `coicog` does.
//!
//! How: the eigenvector is taken from the C×C side, where the matrix is similar to the
//! symmetric `S = B Bᵀ`, `B = D_c^(-1/2) M D_p^(-1/2)` (nalgebra's symmetric eigensolver: real
//! eigenvalues, no P×P non-symmetric problem); `u` of S gives `kc ∝ D_c^(-1/2) u` and
//! `kp = D_p^(-1) Mᵀ kc`, which is the P-side eigenvector of the same eigenvalue, and ECI is
//! recomputed from it as Stata does. Co-occurrences are popcounts of bit sets (exact);
//! density and COG come from one dense product of a 2C×P matrix with φ. Everything runs on one thread in a fixed order, so
//! values do not depend on how many years run at once.

use nalgebra::{DMatrix, SymmetricEigen};
use serde::{Deserialize, Serialize};

pub use tradepipe_model::config::Presence;

/// The presence test and its thresholds, and whether to list the proximity pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Test {
    pub presence: Presence,
    pub rca_threshold: f64,
    pub rpop_threshold: f64,
    /// Fill [`Ranked::proximity`] (about 14 million pairs at HS 6-digit).
    pub pairs: bool,
}

/// Why ECI, PCI, density, COI and COG are not defined for a universe (Stata leaves them
/// empty in every row then).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Undefined {
    /// Fewer than two countries or two products.
    TooSmall { countries: usize, products: usize },
    /// Countries with no product present (by index) and products present nowhere.
    NoPresence {
        countries: Vec<usize>,
        products: Vec<usize>,
    },
    /// The second and third eigenvalues coincide, so the eigenvector is not determined.
    TiedEigenvalues { second: f64, third: f64 },
}

impl Undefined {
    /// The reason in words, with the names of the countries and products by index.
    pub fn describe(&self, country: impl Fn(usize) -> String, product: impl Fn(usize) -> String) -> String {
        match self {
            Undefined::TooSmall { countries, products } => {
                format!("{countries} countries and {products} products: at least two of each are needed")
            }
            Undefined::NoPresence { countries, products } => {
                let list = |ids: &[usize], name: &dyn Fn(usize) -> String| {
                    let mut names: Vec<String> = ids.iter().take(5).map(|&i| name(i)).collect();
                    if ids.len() > 5 {
                        names.push(format!("and {} more", ids.len() - 5));
                    }
                    names.join(", ")
                };
                let mut parts = Vec::new();
                if !countries.is_empty() {
                    parts.push(format!(
                        "{} countries have no product present ({})",
                        countries.len(),
                        list(countries, &country)
                    ));
                }
                if !products.is_empty() {
                    parts.push(format!(
                        "{} products are present in no country ({})",
                        products.len(),
                        list(products, &product)
                    ));
                }
                format!("{}: lower the presence threshold", parts.join(" and "))
            }
            Undefined::TiedEigenvalues { second, third } => format!(
                "the second and third eigenvalues are equal ({second} and {third}), so the ranking is not determined"
            ),
        }
    }
}

/// ECI and what follows from it, for a universe where they are defined.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Standardised ECI by country.
    pub eci: Vec<f64>,
    /// PCI by product, on ECI's scale.
    pub pci: Vec<f64>,
    /// Standardised COI by country; `None` when COI is the same everywhere (nothing to
    /// standardise: every absent product has density 0, or nothing is absent).
    pub coi: Vec<Option<f64>>,
    /// C×P row-major; `None` for a product with no proximity to any other.
    pub density: Vec<Option<f64>>,
    /// C×P row-major; 0 where `M_cp = 1`.
    pub cog: Vec<f64>,
    /// `φ` of every product pair with `φ > 0`, listed once: `(p, p', φ)` with `p < p'`, in
    /// that order (φ is symmetric, its diagonal 0).
    pub proximity: Vec<(u32, u32, f64)>,
    /// The second and third largest eigenvalues (the first is 1).
    pub eigenvalues: [f64; 2],
}

/// The complexity of one universe.
#[derive(Debug, Clone, PartialEq)]
pub struct Complexity {
    pub countries: usize,
    pub products: usize,
    /// C×P row-major.
    pub rca: Vec<f64>,
    /// C×P row-major, where population was given.
    pub rpop: Option<Vec<f64>>,
    /// C×P row-major.
    pub m: Vec<bool>,
    pub diversity: Vec<u32>,
    pub ubiquity: Vec<u32>,
    pub ranked: Result<Ranked, Undefined>,
}

/// Computes the complexity of C countries × P products from `x` (C×P row-major, 0 where
/// nothing is traded). Every country's and every product's total must be positive, and
/// `population` (one per country) positive where given: the caller drops the others first,
/// as Stata does.
pub fn compute(
    x: &[f64],
    countries: usize,
    products: usize,
    population: Option<&[f64]>,
    test: Test,
) -> Complexity {
    let (c_n, p_n) = (countries, products);
    assert_eq!(x.len(), c_n * p_n, "a C×P matrix");
    let row_total: Vec<f64> = (0..c_n).map(|c| x[c * p_n..(c + 1) * p_n].iter().sum()).collect();
    let mut col_total = vec![0.0; p_n];
    for c in 0..c_n {
        for (t, v) in col_total.iter_mut().zip(&x[c * p_n..(c + 1) * p_n]) {
            *t += v;
        }
    }
    let total: f64 = row_total.iter().sum();
    let rca: Vec<f64> = (0..c_n * p_n)
        .map(|i| (x[i] / row_total[i / p_n]) / (col_total[i % p_n] / total))
        .collect();
    let rpop = population.map(|pop| {
        assert_eq!(pop.len(), c_n, "a population per country");
        let world: f64 = pop.iter().sum();
        (0..c_n * p_n)
            .map(|i| (x[i] / pop[i / p_n]) / (col_total[i % p_n] / world))
            .collect::<Vec<f64>>()
    });
    let m: Vec<bool> = (0..c_n * p_n)
        .map(|i| {
            let by_rca = rca[i] >= test.rca_threshold;
            let by_rpop = || rpop.as_ref().is_some_and(|r| r[i] >= test.rpop_threshold);
            match test.presence {
                Presence::Rca => by_rca,
                Presence::Rpop => by_rpop(),
                Presence::Both => by_rca || by_rpop(),
            }
        })
        .collect();
    let mut diversity = vec![0u32; c_n];
    let mut ubiquity = vec![0u32; p_n];
    for (i, _) in m.iter().enumerate().filter(|&(_, &present)| present) {
        diversity[i / p_n] += 1;
        ubiquity[i % p_n] += 1;
    }
    let ranked = rank(&m, &diversity, &ubiquity, test.pairs);
    Complexity {
        countries: c_n,
        products: p_n,
        rca,
        rpop,
        m,
        diversity,
        ubiquity,
        ranked,
    }
}

/// Hausmann–Hwang–Rodrik's PRODY and EXPY of C countries × P products `x` (row-major) with
/// income per head `income` (one per country; `None` where unknown): for each product
/// `PRODY_p = Σ_c w_cp Y_c` with `w_cp = (x_cp/x_c) / Σ_c' (x_c'p/x_c')` over the countries
/// with an income, and for each country `EXPY_c = Σ_p (x_cp/x_c) PRODY_p` over the products
/// with a PRODY. `None` where nothing enters the sum.
pub fn prody_expy(
    x: &[f64],
    countries: usize,
    products: usize,
    income: &[Option<f64>],
) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let p_n = products;
    let row_total: Vec<f64> = (0..countries)
        .map(|c| x[c * p_n..(c + 1) * p_n].iter().sum())
        .collect();
    let share = |c: usize, p: usize| x[c * p_n + p] / row_total[c];
    let prody: Vec<Option<f64>> = (0..p_n)
        .map(|p| {
            let (mut weight, mut sum) = (0.0, 0.0);
            for c in (0..countries).filter(|&c| row_total[c] > 0.0) {
                if let Some(y) = income[c] {
                    weight += share(c, p);
                    sum += share(c, p) * y;
                }
            }
            (weight > 0.0).then(|| sum / weight)
        })
        .collect();
    let expy = (0..countries)
        .map(|c| {
            let mut any = false;
            let mut sum = 0.0;
            for (p, v) in prody.iter().enumerate() {
                if let Some(v) = v {
                    any = true;
                    sum += share(c, p) * v;
                }
            }
            (any && row_total[c] > 0.0).then_some(sum)
        })
        .collect();
    (prody, expy)
}

/// Standardisation over the C×P cells of a per-country vector: mean and sd (divisor
/// C·P − 1), each country's value counted P times.
fn cell_moments(v: &[f64], products: usize) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let squares: f64 = v.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() * products as f64;
    let cells = (v.len() * products) as f64;
    (mean, (squares / (cells - 1.0)).sqrt())
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

fn rank(m: &[bool], diversity: &[u32], ubiquity: &[u32], pairs: bool) -> Result<Ranked, Undefined> {
    let (c_n, p_n) = (diversity.len(), ubiquity.len());
    if c_n < 2 || p_n < 2 {
        return Err(Undefined::TooSmall {
            countries: c_n,
            products: p_n,
        });
    }
    let empty_c: Vec<usize> = (0..c_n).filter(|&c| diversity[c] == 0).collect();
    let empty_p: Vec<usize> = (0..p_n).filter(|&p| ubiquity[p] == 0).collect();
    if !empty_c.is_empty() || !empty_p.is_empty() {
        return Err(Undefined::NoPresence {
            countries: empty_c,
            products: empty_p,
        });
    }
    let mm = DMatrix::from_fn(c_n, p_n, |c, p| if m[c * p_n + p] { 1.0 } else { 0.0 });
    let kc0: Vec<f64> = diversity.iter().map(|&d| f64::from(d)).collect();
    let kp0: Vec<f64> = ubiquity.iter().map(|&u| f64::from(u)).collect();
    let b = DMatrix::from_fn(c_n, p_n, |c, p| mm[(c, p)] / (kc0[c] * kp0[p]).sqrt());
    let s = &b * b.transpose();
    let eigen = SymmetricEigen::new(s);
    let mut order: Vec<usize> = (0..c_n).collect();
    order.sort_by(|&i, &j| {
        eigen.eigenvalues[j]
            .total_cmp(&eigen.eigenvalues[i])
            .then(i.cmp(&j))
    });
    let second = eigen.eigenvalues[order[1]];
    let third = order.get(2).map_or(f64::NEG_INFINITY, |&i| eigen.eigenvalues[i]);
    if (second - third).abs() <= 1e-10 * eigen.eigenvalues[order[0]].abs() {
        return Err(Undefined::TiedEigenvalues { second, third });
    }
    let u = eigen.eigenvectors.column(order[1]);
    // kp = D_p⁻¹ Mᵀ D_c^(-1/2) u, then kc as Stata's `(M:/kc0) * kp`.
    let v: Vec<f64> = (0..c_n).map(|c| u[c] / kc0[c].sqrt()).collect();
    let mut kp: Vec<f64> = (0..p_n)
        .map(|p| (0..c_n).filter(|&c| m[c * p_n + p]).map(|c| v[c]).sum::<f64>() / kp0[p])
        .collect();
    let mut kc: Vec<f64> = (0..c_n)
        .map(|c| (0..p_n).filter(|&p| m[c * p_n + p]).map(|p| kp[p]).sum::<f64>() / kc0[c])
        .collect();
    // Stata's rule: ECI correlates positively with diversity. Where the correlation is
    // nil (diversity the same everywhere, or rounding noise around 0) that says nothing, and
    // the largest |ECI| (first on ties) is made positive instead, so reruns never flip.
    let r = pearson(&kc0, &kc);
    let flip = if r.is_nan() || r.abs() < 1e-9 {
        let top = (0..c_n).fold(0, |best, c| if kc[c].abs() > kc[best].abs() { c } else { best });
        kc[top] < 0.0
    } else {
        r < 0.0
    };
    if flip {
        kc.iter_mut().for_each(|a| *a = -*a);
        kp.iter_mut().for_each(|a| *a = -*a);
    }

    // Proximity from co-occurrences counted on bit sets (each product's countries, 64 to a
    // word: `C_pp'` is a popcount of an AND), then density and COG as one matrix product.
    let words = c_n.div_ceil(64);
    let mut bits = vec![0u64; p_n * words];
    for (i, _) in m.iter().enumerate().filter(|&(_, &present)| present) {
        let (c, p) = (i / p_n, i % p_n);
        bits[p * words + c / 64] |= 1 << (c % 64);
    }
    let co = |p: usize, q: usize| -> u32 {
        let (a, b) = (
            &bits[p * words..(p + 1) * words],
            &bits[q * words..(q + 1) * words],
        );
        a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
    };
    // φ, column-major as nalgebra keeps it (the one P×P matrix: 230 MB at HS 6-digit).
    let phi = DMatrix::from_fn(p_n, p_n, |p, q| {
        if p == q {
            0.0
        } else {
            f64::from(co(p, q)) / kp0[p].max(kp0[q])
        }
    });
    drop(bits);
    let mut proximity = Vec::new();
    for p in (0..p_n).filter(|_| pairs) {
        for q in p + 1..p_n {
            let v = phi[(p, q)];
            if v > 0.0 {
                proximity.push((p as u32, q as u32, v));
            }
        }
    }
    let weight: Vec<f64> = (0..p_n).map(|q| phi.column(q).sum()).collect();
    // COG's sum Σ_p' (1 − M_cp') φ_p'p kp_p' / w_p' is ((1 − M)·diag(kp/w))·φ: the weights
    // scale the columns of the small C×P factor, not the rows of φ (a product without
    // neighbours, w = 0, adds nothing). Stacked under M, one product gives both density's
    // numerators (rows 0..C) and COG's sums (rows C..2C), packing φ once.
    let scale: Vec<f64> = (0..p_n)
        .map(|q| if weight[q] > 0.0 { kp[q] / weight[q] } else { 0.0 })
        .collect();
    let stacked = DMatrix::from_fn(2 * c_n, p_n, |r, q| {
        if r < c_n {
            mm[(r, q)]
        } else {
            (1.0 - mm[(r - c_n, q)]) * scale[q]
        }
    });
    let both = &stacked * &phi;
    drop(phi);
    let density: Vec<Option<f64>> = (0..c_n * p_n)
        .map(|i| {
            let p = i % p_n;
            (weight[p] > 0.0).then(|| both[(i / p_n, p)] / weight[p])
        })
        .collect();
    let coi_raw: Vec<f64> = (0..c_n)
        .map(|c| {
            (0..p_n)
                .filter(|&p| !m[c * p_n + p])
                .map(|p| density[c * p_n + p].unwrap_or(0.0) * kp[p])
                .sum()
        })
        .collect();

    let (mean, sd) = cell_moments(&kc, p_n);
    let (coi_mean, coi_sd) = cell_moments(&coi_raw, p_n);
    Ok(Ranked {
        eci: kc.iter().map(|a| (a - mean) / sd).collect(),
        pci: kp.iter().map(|a| (a - mean) / sd).collect(),
        coi: coi_raw
            .iter()
            .map(|a| (coi_sd > 0.0).then(|| (a - coi_mean) / coi_sd))
            .collect(),
        density,
        cog: (0..c_n * p_n)
            .map(|i| {
                if m[i] {
                    0.0
                } else {
                    both[(c_n + i / p_n, i % p_n)] / sd
                }
            })
            .collect(),
        proximity,
        eigenvalues: [second, third],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RCA1: Test = Test {
        presence: Presence::Rca,
        rca_threshold: 1.0,
        rpop_threshold: 1.0,
        pairs: true,
    };

    /// Three countries, three products: A makes p1 and p2, B p2 and p3, C p3 only.
    /// x = [[2,2,0],[0,1,1],[0,0,4]]: totals c (4, 2, 4), p (2, 3, 5), world 10.
    fn three() -> Complexity {
        compute(&[2.0, 2.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 4.0], 3, 3, None, RCA1)
    }

    #[test]
    fn rca_presence_diversity_and_ubiquity_by_hand() {
        let k = three();
        // RCA_A1 = (2/4)/(2/10) = 2.5; RCA_A2 = (2/4)/(3/10) = 5/3; RCA_B2 = (1/2)/(3/10) = 5/3;
        // RCA_B3 = (1/2)/(5/10) = 1; RCA_C3 = (4/4)/(5/10) = 2.
        let want = [2.5, 5.0 / 3.0, 0.0, 0.0, 5.0 / 3.0, 1.0, 0.0, 0.0, 2.0];
        for (got, want) in k.rca.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        assert_eq!(k.m, [true, true, false, false, true, true, false, false, true]);
        assert_eq!(k.diversity, [2, 2, 1]);
        assert_eq!(k.ubiquity, [1, 2, 2]);
    }

    /// Nested presence: A makes p3, B p2 and p3, C all three (diversity 1, 2, 3; ubiquity
    /// 1, 2, 3), given as M (Stata's "M provided" case).
    fn nested() -> Ranked {
        let m = [false, false, true, false, true, true, true, true, true];
        rank(&m, &[1, 2, 3], &[1, 2, 3], true).expect("defined")
    }

    fn close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn eci_and_pci_by_hand() {
        // M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p): rows p1 (1/3, 1/3, 1/3), p2 (1/6, 5/12, 5/12),
        // p3 (1/9, 5/18, 11/18). Eigenvalues 1, 1/4, 1/9; for 1/4 the eigenvector is
        // kp = (1, 1/4, −1/2) (row 1: (1 + 1/4 − 1/2)/3 = 1/4). kc = the mean kp of each
        // country's products: A −1/2, B −1/8, C 1/4, rising with diversity: no flip.
        // Over the 9 cells: mean −1/8, deviations (−3/8, 0, 3/8), sd² = 3·(18/64)/8 = 27/256.
        let r = nested();
        close(&r.eigenvalues, &[0.25, 1.0 / 9.0]);
        let s3 = 3f64.sqrt();
        close(&r.eci, &[-2.0 / s3, 0.0, 2.0 / s3]);
        // PCI = (kp + 1/8)/sd: (9/8, 3/8, −3/8)·16/(3√3).
        close(&r.pci, &[2.0 * s3, 2.0 / s3, -2.0 / s3]);
    }

    #[test]
    fn proximity_density_coi_and_cog_by_hand() {
        let r = nested();
        // C = MᵀM: C_12 = 1 (C), C_13 = 1 (C), C_23 = 2 (B, C); φ = C / max(k_p, k_p').
        assert_eq!(r.proximity, [(0, 1, 0.5), (0, 2, 1.0 / 3.0), (1, 2, 2.0 / 3.0)]);
        // Column sums (5/6, 7/6, 1). d_A1 = φ_31/(5/6) = 2/5, d_A2 = φ_32/(7/6) = 4/7,
        // d_B1 = (φ_21 + φ_31)/(5/6) = 1, d_B2 = φ_32/(7/6) = 4/7, d_B3 = φ_23 = 2/3.
        let d: Vec<f64> = r.density.iter().map(|v| v.expect("connected")).collect();
        close(
            &d,
            &[0.4, 4.0 / 7.0, 0.0, 1.0, 4.0 / 7.0, 2.0 / 3.0, 1.0, 1.0, 1.0],
        );
        // Raw COI with kp = (1, 1/4, −1/2): A d_A1·1 + d_A2·1/4 = 19/35, B d_B1·1 = 1, C 0;
        // standardised over the cells: mean 18/35, sd² = 3·(614/1225)/8, so (2, 34, −36)/√921.
        let q = 921f64.sqrt();
        let coi: Vec<f64> = r.coi.iter().map(|v| v.expect("varies")).collect();
        close(&coi, &[2.0 / q, 34.0 / q, -36.0 / q]);
        // COG_A1 = φ_21·kp2/(7/6) = 3/28, COG_A2 = φ_12·kp1/(5/6) = 3/5, COG_B1 = φ_11 = 0;
        // over ECI's sd 3√3/16.
        let s3 = 3f64.sqrt();
        close(
            &r.cog,
            &[
                4.0 / (7.0 * s3),
                16.0 / (5.0 * s3),
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
            ],
        );
    }

    #[test]
    fn rpop_by_hand_and_presence_by_either_test() {
        // Populations 1, 4: x = [[1, 1], [1, 3]]; product totals (2, 4); world pop 5.
        // RPOP_11 = (1/1)/(2/5) = 2.5, RPOP_12 = (1/1)/(4/5) = 1.25,
        // RPOP_21 = (1/4)/(2/5) = 0.625, RPOP_22 = (3/4)/(4/5) = 0.9375.
        let x = [1.0, 1.0, 1.0, 3.0];
        let test = Test {
            presence: Presence::Rpop,
            rca_threshold: 1.0,
            rpop_threshold: 1.0,
            pairs: false,
        };
        let k = compute(&x, 2, 2, Some(&[1.0, 4.0]), test);
        assert_eq!(k.rpop.as_deref(), Some(&[2.5, 1.25, 0.625, 0.9375][..]));
        assert_eq!(k.m, [true, true, false, false]);
        // RCA_22 = (3/4)/(4/6) = 1.125: either test makes it present.
        let k = compute(
            &x,
            2,
            2,
            Some(&[1.0, 4.0]),
            Test {
                presence: Presence::Both,
                ..test
            },
        );
        assert_eq!(k.m, [true, true, false, true]);
    }

    #[test]
    fn prody_and_expy_by_hand() {
        // x = [[2, 2], [0, 4]], incomes 10 and 30. Shares: A (1/2, 1/2), B (0, 1).
        // PRODY_1 = (1/2·10 + 0·30)/(1/2) = 10; PRODY_2 = (1/2·10 + 1·30)/(3/2) = 35/1.5.
        // EXPY_A = 1/2·10 + 1/2·(70/3) = 50/3; EXPY_B = 70/3.
        let (prody, expy) = prody_expy(&[2.0, 2.0, 0.0, 4.0], 2, 2, &[Some(10.0), Some(30.0)]);
        let p2 = 70.0 / 3.0;
        assert_eq!(prody[0], Some(10.0));
        assert!((prody[1].unwrap() - p2).abs() < 1e-12);
        assert!((expy[0].unwrap() - 50.0 / 3.0).abs() < 1e-12);
        assert!((expy[1].unwrap() - p2).abs() < 1e-12);
        // Without B's income, PRODY rests on A alone: both products 10.
        let (prody, expy) = prody_expy(&[2.0, 2.0, 0.0, 4.0], 2, 2, &[Some(10.0), None]);
        assert_eq!(prody, [Some(10.0), Some(10.0)]);
        assert_eq!(expy, [Some(10.0), Some(10.0)]);
        let (prody, expy) = prody_expy(&[1.0; 4], 2, 2, &[None, None]);
        assert_eq!((prody, expy), (vec![None, None], vec![None, None]));
    }

    #[test]
    fn a_country_with_nothing_present_leaves_eci_undefined() {
        let test = Test {
            rca_threshold: 2.0,
            ..RCA1
        };
        // x = [[1, 1], [1, 1]]: every RCA is 1, nothing reaches 2.
        let k = compute(&[1.0; 4], 2, 2, None, test);
        assert_eq!(k.diversity, [0, 0]);
        let why = k.ranked.expect_err("undefined");
        assert_eq!(
            why,
            Undefined::NoPresence {
                countries: vec![0, 1],
                products: vec![0, 1]
            }
        );
        let text = why.describe(|c| ["AAA", "BBB"][c].into(), |p| format!("p{p}"));
        assert_eq!(
            text,
            "2 countries have no product present (AAA, BBB) and 2 products are present in no \
             country (p0, p1): lower the presence threshold"
        );
    }

    /// A random matrix with positive row and column totals.
    fn matrix() -> impl Strategy<Value = (usize, usize, Vec<f64>)> {
        (2usize..9, 2usize..12).prop_flat_map(|(c, p)| {
            proptest::collection::vec(prop_oneof![Just(0.0), 1.0..1e6f64], c * p).prop_map(move |mut x| {
                for i in 0..c.min(p) {
                    x[i * p + i] += 1.0;
                }
                for i in 0..c {
                    x[i * p + p - 1] += 1.0;
                }
                for j in 0..p {
                    x[(c - 1) * p + j] += 1.0;
                }
                (c, p, x)
            })
        })
    }

    proptest! {
        #[test]
        fn eci_is_standardised_and_the_mean_pci_of_its_products((c, p, x) in matrix()) {
            let k = compute(&x, c, p, None, RCA1);
            if let Ok(r) = &k.ranked {
                let (mean, sd) = cell_moments(&r.eci, p);
                prop_assert!(mean.abs() < 1e-9, "mean {mean}");
                prop_assert!((sd - 1.0).abs() < 1e-9, "sd {sd}");
                for ci in 0..c {
                    let mine: Vec<f64> = (0..p).filter(|&q| k.m[ci * p + q]).map(|q| r.pci[q]).collect();
                    let mean_pci = mine.iter().sum::<f64>() / mine.len() as f64;
                    prop_assert!((r.eci[ci] - mean_pci).abs() < 1e-12 * (1.0 + mean_pci.abs()),
                        "ECI {} vs mean PCI {mean_pci}", r.eci[ci]);
                }
                for d in r.density.iter().flatten() {
                    prop_assert!((0.0..=1.0 + 1e-12).contains(d), "density {d}");
                }
                for (i, g) in r.cog.iter().enumerate() {
                    if k.m[i] { prop_assert_eq!(*g, 0.0); }
                }
                for w in r.proximity.windows(2) {
                    prop_assert!((w[0].0, w[0].1) < (w[1].0, w[1].1), "pairs in order, once");
                }
                for &(a, b, phi) in &r.proximity {
                    prop_assert!(a < b && phi > 0.0 && phi <= 1.0, "({a}, {b}): {phi}");
                }
            }
        }

        #[test]
        fn the_sign_follows_diversity_and_repeats((c, p, x) in matrix()) {
            let a = compute(&x, c, p, None, RCA1);
            let b = compute(&x, c, p, None, RCA1);
            prop_assert_eq!(&a, &b);
            if let Ok(r) = &a.ranked {
                let div: Vec<f64> = a.diversity.iter().map(|&d| f64::from(d)).collect();
                let corr = pearson(&div, &r.eci);
                prop_assert!(corr.is_nan() || corr > -1e-9, "corr {corr}");
            }
        }
    }
}
