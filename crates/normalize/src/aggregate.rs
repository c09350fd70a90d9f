//! Coarser product levels (`[normalize] product-levels`): HS sections, chapters and headings
//! as sums of the finest product rows of each flow, added where no source states them.
//!
//! Only the finest level present for a (year, reporter, partner, flow, classification,
//! province, regime) is summed, so a source that ships both subheadings and headings is not
//! counted twice. An added row keeps the classification (the HS revision), takes the source
//! and vintage of its first part, is an estimate if any part is, and is the partner's report
//! if any part is.

use std::collections::{HashMap, HashSet};

use tradepipe_model::Flow;
use tradepipe_model::products::{Level, is_hs, level_of};

use crate::table::{CanonicalRows, Row};

/// The flow a product row belongs to: every key column but the product.
type Group = (i32, u32, u32, Flow, u32, u32, u32);

fn group(r: &Row) -> Group {
    (
        r.year,
        r.reporter,
        r.partner,
        r.flow,
        r.classification,
        r.province,
        r.regime,
    )
}

/// Adds the rows of `levels`; returns how many were added.
pub(crate) fn add_levels(rows: &mut CanonicalRows, levels: &[Level]) -> usize {
    if levels.is_empty() {
        return 0;
    }
    let digits = |rows: &CanonicalRows, r: &Row| -> Option<u8> {
        let code = rows.text.get(r.product);
        (is_hs(rows.text.get(r.classification))
            && !code.is_empty()
            && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| level_of(code))
    };
    let mut finest: HashMap<Group, u8> = HashMap::new();
    let mut stated: HashSet<(Group, u32)> = HashSet::new();
    for r in &rows.rows {
        stated.insert((group(r), r.product));
        if let Some(d) = digits(rows, r) {
            let f = finest.entry(group(r)).or_insert(d);
            *f = (*f).max(d);
        }
    }
    let mut sums: HashMap<(Group, String), Row> = HashMap::new();
    let mut order: Vec<(Group, String)> = Vec::new();
    for r in &rows.rows {
        let Some(d) = digits(rows, r) else { continue };
        if finest.get(&group(r)) != Some(&d) {
            continue;
        }
        let code = rows.text.get(r.product);
        for level in levels {
            let Some(coarse) = level.of(code) else { continue };
            let key = (group(r), coarse);
            match sums.get_mut(&key) {
                Some(acc) => acc.absorb(r),
                None => {
                    order.push(key.clone());
                    sums.insert(key, *r);
                }
            }
        }
    }
    let mut added = 0;
    for key in order {
        let mut row = sums[&key];
        let product = rows.text.intern(&key.1);
        if stated.contains(&(key.0, product)) {
            continue;
        }
        row.product = product;
        rows.rows.push(row);
        added += 1;
    }
    added
}
