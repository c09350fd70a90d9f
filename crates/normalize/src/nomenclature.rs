//! Rule `in-nomenclature`: a product code its row's HS revision does not have (`853950` in
//! HS22 data: the 2022 edition split it into `853951` and `853952`). Only revisions with a
//! code list ([`tradepipe_model::nomenclature`]) are checked; sections (`S16`), `TOTAL` and
//! rows of `HS` without a revision are not. The rows are kept by default (severity `warn`):
//! reporters do mix editions around a change, and the value is real. One rejects entry per
//! source, classification, code and year, with the number of rows.

use std::collections::{BTreeMap, HashMap};

use tradepipe_model::nomenclature::Nomenclatures;
use tradepipe_model::rules::Rule;

use crate::rejects::{Reject, Rejects};
use crate::table::CanonicalRows;

/// Checks every product row of `t`; `locations` names each source's file or URL.
pub(crate) fn check(
    t: &CanonicalRows,
    lists: &Nomenclatures,
    locations: &HashMap<&str, &str>,
    rejects: &mut Rejects,
) {
    // Whether each interned (classification, product) pair is outside its list: the table
    // has few distinct pairs and many rows.
    // A dense table by product id for each classification in turn (a table has one or a
    // few): one lookup a row.
    let mut outside: Vec<(u32, Vec<Option<bool>>)> = Vec::new();
    let mut found: BTreeMap<(u32, u32, u32, i32), usize> = BTreeMap::new();
    for r in &t.rows {
        let k = match outside.iter().position(|(c, _)| *c == r.classification) {
            Some(k) => k,
            None => {
                outside.push((r.classification, vec![None; t.text.len()]));
                outside.len() - 1
            }
        };
        let out = *outside[k].1[r.product as usize].get_or_insert_with(|| {
            let product = t.text.get(r.product);
            let is_hs_code = product.bytes().all(|b| b.is_ascii_digit());
            lists
                .get(t.text.get(r.classification))
                .is_some_and(|codes| is_hs_code && !codes.contains(product))
        });
        if out {
            *found
                .entry((r.source, r.classification, r.product, r.year))
                .or_default() += 1;
        }
    }
    for ((source, classification, product, year), rows) in found {
        let source = t.text.get(source);
        let classification = t.text.get(classification);
        let code = t.text.get(product);
        let message = format!("not a code of {classification}");
        let file = locations.get(source).copied().unwrap_or(source);
        rejects.record(
            Rule::InNomenclature,
            Reject::in_table(file, "product", code, year, rows, &message),
        );
    }
}
