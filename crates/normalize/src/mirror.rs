//! Mirror reconciliation: every flow between two economies is reported twice, once by each
//! side (exports FOB by the exporter, imports CIF by the importer). This module pairs the two
//! reports of every all-products flow, records both in the discrepancy table
//! (`output/parquet/mirror/year=YYYY/`), and applies `[normalize] mirror-policy`:
//!
//! * `reported`: the table keeps own reports only;
//! * `fill-gaps`: a flow its reporter did not report comes from the partner's report,
//!   converted by `cif-fob` (imports ÷ factor for exports, exports × factor for imports);
//! * `importer-first`: exports are valued by the importer's report ÷ `cif-fob` where it
//!   exists; gaps filled as above.
//!
//! Rows taken from the mirror say so: `reported_by = "partner"`, `is_estimate = true`, and
//! the mirror row's source and vintage. Only pairs of individual economies are paired (not
//! World or groups), and only all-products (`TOTAL`) rows.

use rustc_hash::FxHashMap as HashMap;

use tradepipe_model::config::{MirrorPolicy, NormalizeConfig};
use tradepipe_model::schema::TOTAL;
use tradepipe_model::{Flow, Registry, ReportedBy};

use crate::table::{CanonicalRows, Row};

/// One flow's two reports (`output/parquet/mirror/`).
#[derive(Debug, Clone, PartialEq)]
pub struct Discrepancy {
    pub year: i32,
    /// Interned codes (resolve with [`CanonicalRows`]'s text).
    pub reporter: u32,
    pub partner: u32,
    pub flow: Flow,
    /// The reporter's own report, US$.
    pub own_usd: Option<f64>,
    /// The partner's report of the same flow, as reported (its imports CIF or exports FOB).
    pub mirror_usd: Option<f64>,
    /// `mirror_usd` on the reporter's valuation (÷ or × the CIF/FOB factor).
    pub mirror_converted_usd: Option<f64>,
    /// `mirror_converted_usd / own_usd`: 1 when both sides agree up to freight and insurance.
    pub ratio: Option<f64>,
    /// The value the canonical table keeps, and whose report it is (none: nothing kept).
    pub chosen_usd: Option<f64>,
    pub chosen_side: Option<ReportedBy>,
    pub reason: &'static str,
}

pub(crate) use tradepipe_contract::MirrorSummary;

type Key = (i32, u32, u32, Flow);

fn mirror_flow(f: Flow) -> Option<Flow> {
    match f {
        Flow::Export => Some(Flow::Import),
        Flow::Import => Some(Flow::Export),
        _ => None,
    }
}

/// Pairs the reports, applies the policy to `rows` (sorted again afterwards by the caller),
/// and returns the discrepancy rows sorted by (year, reporter, partner, flow).
pub(crate) fn reconcile(
    rows: &mut CanonicalRows,
    cfg: &NormalizeConfig,
    registry: &Registry,
) -> (Vec<Discrepancy>, MirrorSummary) {
    let Some(total) = rows.text.lookup(TOTAL) else {
        return (Vec::new(), summary(cfg));
    };
    let mut economy: HashMap<u32, bool> = HashMap::default();
    let mut is_economy = |rows: &CanonicalRows, code: u32| {
        *economy.entry(code).or_insert_with(|| {
            registry
                .get(rows.text.get(code))
                .is_some_and(|e| e.kind.is_partner_economy())
        })
    };
    let mut index: HashMap<Key, usize> = HashMap::default();
    for (n, r) in rows.rows.iter().enumerate() {
        if r.classification == total
            && r.product == total
            && r.province == total
            && r.regime == total
            && r.reporter != r.partner
            && mirror_flow(r.flow).is_some()
            && is_economy(rows, r.reporter)
            && is_economy(rows, r.partner)
        {
            index.insert((r.year, r.reporter, r.partner, r.flow), n);
        }
    }
    // Every key either side reported.
    let mut keys: Vec<Key> = index
        .keys()
        .flat_map(|&(y, i, j, f)| [(y, i, j, f), (y, j, i, mirror_flow(f).expect("filtered"))])
        .collect();
    // Sort by code text through each code's rank, computed once: integer compares only.
    let mut codes: Vec<u32> = keys.iter().flat_map(|k| [k.1, k.2]).collect();
    codes.sort_unstable();
    codes.dedup();
    codes.sort_by(|&a, &b| rows.text.get(a).cmp(rows.text.get(b)));
    let mut rank = vec![0u32; codes.iter().max().map_or(0, |&m| m as usize + 1)];
    for (r, &c) in codes.iter().enumerate() {
        rank[c as usize] = r as u32;
    }
    keys.sort_unstable_by_key(|k| (k.0, rank[k.1 as usize], rank[k.2 as usize], k.3));
    keys.dedup();

    let factor = cfg.cif_fob;
    let mut out = Vec::with_capacity(keys.len());
    let mut added: Vec<Row> = Vec::new();
    let mut s = summary(cfg);
    for (year, i, j, flow) in keys {
        let own = index.get(&(year, i, j, flow)).map(|&n| rows.rows[n]);
        let mirror = index
            .get(&(year, j, i, mirror_flow(flow).expect("economy flows only")))
            .map(|&n| rows.rows[n]);
        let converted = mirror.map(|m| match flow {
            Flow::Export => m.value_usd / factor,
            _ => m.value_usd * factor,
        });
        s.paired += usize::from(own.is_some() && mirror.is_some());
        let from_mirror = |m: Row, v: f64| Row {
            year,
            reporter: i,
            partner: j,
            flow,
            classification: total,
            product: total,
            province: total,
            regime: total,
            value_usd: v,
            source: m.source,
            vintage: m.vintage,
            reported_by: ReportedBy::Partner,
            is_estimate: true,
            quantity: f64::NAN,
            quantity_unit: m.quantity_unit,
            conversion: crate::table::NOT_CONVERTED,
        };
        let (chosen, side, reason) = match (own, mirror, converted, cfg.mirror_policy) {
            (Some(_), Some(m), Some(v), MirrorPolicy::ImporterFirst) if flow == Flow::Export => {
                let n = index[&(year, i, j, flow)];
                rows.rows[n] = from_mirror(m, v);
                s.replaced += 1;
                (
                    Some(v),
                    Some(ReportedBy::Partner),
                    "importer's report first, converted",
                )
            }
            (Some(o), _, _, _) => (Some(o.value_usd), Some(ReportedBy::Reporter), "own report"),
            (None, Some(m), Some(v), MirrorPolicy::FillGaps | MirrorPolicy::ImporterFirst) => {
                added.push(from_mirror(m, v));
                s.filled += 1;
                (
                    Some(v),
                    Some(ReportedBy::Partner),
                    "no own report: partner's, converted",
                )
            }
            // Nothing kept; the table still says what the mirror would have given.
            (None, Some(_), Some(_), MirrorPolicy::Reported) => {
                (None, None, "no own report; policy keeps reports only")
            }
            _ => unreachable!("every key has at least one report"),
        };
        let own_usd = own.map(|o| o.value_usd);
        out.push(Discrepancy {
            year,
            reporter: i,
            partner: j,
            flow,
            own_usd,
            mirror_usd: mirror.map(|m| m.value_usd),
            mirror_converted_usd: converted,
            ratio: match (own_usd, converted) {
                (Some(o), Some(c)) if o != 0.0 => Some(c / o),
                _ => None,
            },
            chosen_usd: chosen,
            chosen_side: side,
            reason,
        });
    }
    rows.rows.extend(added);
    (out, s)
}

/// What the policy of `cfg` changed, before any flow is counted.
pub(crate) fn summary(cfg: &NormalizeConfig) -> MirrorSummary {
    MirrorSummary {
        policy: cfg.mirror_policy.as_str().into(),
        cif_fob: cfg.cif_fob,
        ..MirrorSummary::default()
    }
}
