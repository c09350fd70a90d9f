//! Rule `valid-for-year`: a reporter or partner code used in a year its entity did not exist
//! (the USSR as a partner in 2013, Kazakhstan before 1991). Real published data do this (IMF
//! DOTS keeps partners' reports of "USSR" into the 2010s), so the rule's default severity is
//! `warn`: the rows are kept and listed in the rejects table, one entry per source, column,
//! code and year, with the number of rows and the entity's successors.

use std::collections::{BTreeMap, HashMap};

use tradepipe_model::Registry;
use tradepipe_model::rules::Rule;

use crate::rejects::{Reject, Rejects};
use crate::table::CanonicalRows;

/// Checks every row of `t`; `locations` names each source's file or URL.
pub(crate) fn check(
    t: &CanonicalRows,
    registry: &Registry,
    locations: &HashMap<&str, &str>,
    rejects: &mut Rejects,
) {
    // The existence span of every interned code that is a registry code with one, looked up
    // once per code (a dense table by id: two lookups a row).
    type Span = Option<(Option<i32>, Option<i32>)>;
    let mut span: Vec<Option<Span>> = vec![None; t.text.len()];
    let mut span_of = |id: u32| {
        *span[id as usize].get_or_insert_with(|| {
            registry
                .get(t.text.get(id))
                .filter(|e| e.from.is_some() || e.to.is_some())
                .map(|e| (e.from, e.to))
        })
    };
    // (source, column, code, year) -> rows.
    let mut found: BTreeMap<(u32, &'static str, u32, i32), usize> = BTreeMap::new();
    for r in &t.rows {
        for (column, id) in [("reporter", r.reporter), ("partner", r.partner)] {
            if let Some((from, to)) = span_of(id)
                && (from.is_some_and(|f| r.year < f) || to.is_some_and(|x| r.year > x))
            {
                *found.entry((r.source, column, id, r.year)).or_default() += 1;
            }
        }
    }
    for ((source, column, id, year), rows) in found {
        let code = t.text.get(id);
        let source = t.text.get(source);
        let e = registry.get(code).expect("found through the registry");
        let successors: Vec<&str> = registry
            .successors(code)
            .iter()
            .map(|s| s.code.as_str())
            .collect();
        let when = match (e.from, e.to) {
            (Some(f), Some(x)) => format!("existed {f}–{x}"),
            (Some(f), None) => format!("exists from {f}"),
            (None, Some(x)) => format!("ended in {x}"),
            (None, None) => unreachable!("only codes with a span are found"),
        };
        let mut message = format!("{} ({when}) in a row of {year}", e.name);
        if !successors.is_empty() {
            message.push_str(&format!("; successors: {}", successors.join(" ")));
        } else if !e.predecessors.is_empty() {
            message.push_str(&format!("; before: {}", e.predecessors.join(" ")));
        }
        let file = locations.get(source).copied().unwrap_or(source);
        rejects.record(
            Rule::ValidForYear,
            Reject::in_table(file, column, code, year, rows, &message),
        );
    }
}
