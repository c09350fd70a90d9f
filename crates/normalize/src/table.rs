//! Canonical rows in memory, column by column, with text interned so that 2.6M rows of the
//! IMF matrix cost a few dozen megabytes and sort quickly.

use std::collections::HashMap;

use tradepipe_model::{Flow, ReportedBy};

use crate::NormalizeError;

/// Interned text: every distinct string stored once. Cloned for each year's rows, which add
/// the codes of their own entries to a copy of what the whole-file sources interned.
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    strings: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.strings.len()).expect("fewer than 4 billion distinct strings");
        self.strings.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }
    /// The id of `s` if it was interned.
    pub(crate) fn lookup(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }
    pub(crate) fn get(&self, i: u32) -> &str {
        &self.strings[i as usize]
    }
    pub(crate) fn len(&self) -> usize {
        self.strings.len()
    }
}

/// One canonical row, with interned text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub year: i32,
    pub reporter: u32,
    pub partner: u32,
    pub flow: Flow,
    pub classification: u32,
    pub product: u32,
    /// `TOTAL`, or the reporter's sub-national region of a customs-table breakdown.
    pub province: u32,
    /// `TOTAL`, or a customs regime.
    pub regime: u32,
    pub value_usd: f64,
    pub source: u32,
    pub vintage: u32,
    pub reported_by: ReportedBy,
    pub is_estimate: bool,
    /// Quantity in `quantity_unit`; NaN where the source gives none.
    pub quantity: f64,
    /// The unit of `quantity` (`t`, `kg`, `u`, ...); the empty text where there is none.
    pub quantity_unit: u32,
    /// How the row was converted to `[normalize] hs-target`, packed in one byte so that a
    /// row stays 64 bytes (a year of BACI is 4 million of them): [`NOT_CONVERTED`], else
    /// [`Conversion::pack`] of the rule and the edition the source gave.
    pub conversion: u8,
}

/// [`Row::conversion`] of a row not converted.
pub(crate) const NOT_CONVERTED: u8 = 0;

/// What [`Row::conversion`] packs: the rule (`concordance::Method::ALL` position + 1, low 3
/// bits) and the source's edition (`concordance::EDITIONS` position, high bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conversion {
    pub method: tradepipe_model::concordance::Method,
    pub from: usize,
}

impl Conversion {
    pub(crate) fn pack(self) -> u8 {
        let m = tradepipe_model::concordance::Method::ALL
            .iter()
            .position(|x| *x == self.method)
            .expect("in ALL") as u8;
        (m + 1) | ((self.from as u8) << 3)
    }
    pub(crate) fn unpack(code: u8) -> Option<Conversion> {
        let m = Conversion::rule_key(code);
        (m != 0).then(|| Conversion {
            method: tradepipe_model::concordance::Method::ALL[m as usize - 1],
            from: usize::from(code >> 3),
        })
    }

    /// The rule of a packed conversion as a key: 0 for none, else 1 + its position in
    /// `concordance::Method::ALL`.
    pub(crate) fn rule_key(code: u8) -> u32 {
        u32::from(code & 7)
    }

    /// The conversion of two rows summed into one: the weaker rule, the first row's edition.
    pub(crate) fn weakest(a: u8, b: u8) -> u8 {
        match (Conversion::unpack(a), Conversion::unpack(b)) {
            (Some(x), Some(y)) => Conversion {
                method: x.method.max(y.method),
                from: x.from,
            }
            .pack(),
            (Some(_), None) => a,
            (None, _) => b,
        }
    }
}

impl Row {
    /// Adds `part`, a row of the same key and source, into this one: values summed, the
    /// quantity summed where both have one in the same unit (else unknown), an estimate or
    /// the partner's report if either is, the weaker conversion rule.
    pub(crate) fn absorb(&mut self, part: &Row) {
        self.value_usd += part.value_usd;
        self.quantity = if self.quantity_unit == part.quantity_unit {
            self.quantity + part.quantity
        } else {
            f64::NAN
        };
        self.is_estimate |= part.is_estimate;
        if part.reported_by == ReportedBy::Partner {
            self.reported_by = ReportedBy::Partner;
        }
        self.conversion = Conversion::weakest(self.conversion, part.conversion);
    }
}

/// The canonical table being built.
#[derive(Debug, Default)]
pub struct CanonicalRows {
    /// In the order they were read (and added).
    pub(crate) rows: Vec<Row>,
    pub(crate) text: Interner,
    /// Positions of `rows` in key order, set by [`CanonicalRows::sort_and_dedup`].
    pub(crate) order: Vec<u32>,
}

impl CanonicalRows {
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Sorts by key and resolves repeated keys. Within one source, an exact repeat (same
    /// value) is dropped and a different value is an error. Across sources, the source read
    /// first (listed first in the config) wins and the other's row is superseded.
    ///
    /// The rows stay where they are: [`CanonicalRows::order`] lists them in key order
    /// afterwards (a year of BACI is hundreds of megabytes of rows; moving them into order
    /// would take a second copy or, in place, a cache miss a row). Repeats are removed from
    /// the rows.
    pub(crate) fn sort_and_dedup(&mut self) -> Result<Dedup, NormalizeError> {
        let key = SortKey::new(self);
        let rows = &self.rows;
        let n = rows.len();
        let index_bits = u64::BITS - (n as u64).leading_zeros();
        // Stable: among repeats the first read (earlier source, earlier line) comes first.
        let order: Vec<u32> = if key.bits + index_bits <= 64 {
            // Key and position in one u64: an unstable sort of plain integers, stable on the
            // keys because the position breaks ties.
            let mut packed: Vec<u64> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| ((key.packed(r) as u64) << index_bits) | i as u64)
                .collect();
            let mask = (1u64 << index_bits) - 1;
            sorted_positions(&mut packed, mask)
        } else {
            let mut order: Vec<u32> = (0..n as u32).collect();
            if key.bits <= 128 {
                order.sort_by_cached_key(|&i| key.packed(&rows[i as usize]));
            } else {
                order.sort_by_cached_key(|&i| key.tuple(&rows[i as usize]));
            }
            order
        };
        let same = |a: &Row, b: &Row| key.tuple(a) == key.tuple(b);
        let mut dedup = Dedup::default();
        let mut dropped: Vec<u32> = Vec::new();
        // The first row of the current run of equal keys: the one kept.
        let mut kept = order.first().copied().unwrap_or(0);
        for w in order.windows(2) {
            let r = &rows[w[1] as usize];
            if !same(&rows[w[0] as usize], r) {
                kept = w[1];
                continue;
            }
            let first = rows[kept as usize];
            let name = self.text.get(r.source).to_owned();
            // Compared with the row kept, as one pass over rows in key order would.
            if first.source != r.source {
                *dedup.superseded.entry(name).or_default() += 1;
            } else if first.value_usd.to_bits() == r.value_usd.to_bits() {
                *dedup.exact_duplicates.entry(name).or_default() += 1;
            } else {
                let t = |i| self.text.get(i).to_owned();
                return Err(NormalizeError::ConflictingDuplicate {
                    year: r.year,
                    reporter: t(r.reporter),
                    partner: t(r.partner),
                    flow: r.flow.to_string(),
                    product: match (t(r.province).as_str(), t(r.regime).as_str()) {
                        ("TOTAL", "TOTAL") => t(r.product),
                        (p, g) => format!("{}, province {p}, regime {g}", t(r.product)),
                    },
                    first: first.value_usd,
                    first_source: t(first.source),
                    second: r.value_usd,
                    second_source: t(r.source),
                });
            }
            dropped.push(w[1]);
        }
        self.order = order;
        if !dropped.is_empty() {
            self.remove(dropped);
        }
        Ok(dedup)
    }

    /// Removes the rows at `positions` (any order) and renumbers [`CanonicalRows::order`].
    fn remove(&mut self, mut positions: Vec<u32>) {
        positions.sort_unstable();
        let mut gone = vec![false; self.rows.len()];
        for &p in &positions {
            gone[p as usize] = true;
        }
        // New position of every old one: the rows before it that stay.
        let mut new_pos = vec![0u32; self.rows.len()];
        let mut kept = 0u32;
        for (i, g) in gone.iter().enumerate() {
            new_pos[i] = kept;
            kept += u32::from(!g);
        }
        let mut i = 0;
        self.rows.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
        self.order.retain(|&o| !gone[o as usize]);
        for o in &mut self.order {
            *o = new_pos[*o as usize];
        }
    }

    /// The rows in key order (after [`CanonicalRows::sort_and_dedup`]).
    #[cfg(test)]
    pub(crate) fn sorted(&self) -> impl ExactSizeIterator<Item = &Row> + '_ {
        debug_assert_eq!(self.order.len(), self.rows.len(), "sorted after the last change");
        self.order.iter().map(|&i| &self.rows[i as usize])
    }

    /// First and last year of the rows of each source.
    pub(crate) fn year_span_by_source(&self) -> HashMap<String, (i32, i32)> {
        // By interned id first: no string per row.
        let mut span: Vec<Option<(i32, i32)>> = vec![None; self.text.len()];
        for r in &self.rows {
            let e = span[r.source as usize].get_or_insert((r.year, r.year));
            *e = (e.0.min(r.year), e.1.max(r.year));
        }
        span.iter()
            .enumerate()
            .filter_map(|(id, s)| s.map(|s| (self.text.get(id as u32).to_owned(), s)))
            .collect()
    }
}

/// The positions (`& mask`) of `packed` in ascending order. A large table is sorted in two
/// halves on two threads and merged: a year's task otherwise runs on one core, and the last
/// year of a run (five years on two cores) alone.
fn sorted_positions(packed: &mut [u64], mask: u64) -> Vec<u32> {
    if packed.len() < 1 << 20 {
        packed.sort_unstable();
        return packed.iter().map(|&o| (o & mask) as u32).collect();
    }
    let (a, b) = packed.split_at_mut(packed.len() / 2);
    // Scoped threads, not rayon: a worker waiting for a rayon task would start another year.
    std::thread::scope(|s| {
        s.spawn(|| a.sort_unstable());
        b.sort_unstable();
    });
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push((a[i] & mask) as u32);
            i += 1;
        } else {
            out.push((b[j] & mask) as u32);
            j += 1;
        }
    }
    out.extend(a[i..].iter().chain(&b[j..]).map(|&o| (o & mask) as u32));
    out
}

/// The sort key of a row in text order, as integers: each key column's codes ranked among the
/// codes that column holds, packed into one integer where the ranks fit (a year of BACI
/// needs about 32 bits: 226 reporters and partners, 5,000 products, one classification).
struct SortKey {
    /// Rank of each interned id by column: year, reporter, partner, classification,
    /// product, province, regime (the flow is its own rank).
    ranks: [Vec<u32>; 7],
    widths: [u32; 8],
    bits: u32,
    min_year: i32,
}

impl SortKey {
    fn new(t: &CanonicalRows) -> SortKey {
        let ids = |f: fn(&Row) -> u32| -> Vec<u32> {
            let mut used = vec![false; t.text.len()];
            for r in &t.rows {
                used[f(r) as usize] = true;
            }
            let mut ids: Vec<u32> = (0..used.len() as u32).filter(|&i| used[i as usize]).collect();
            ids.sort_unstable_by(|&a, &b| t.text.get(a).cmp(t.text.get(b)));
            let mut rank = vec![0u32; used.len()];
            for (r, &i) in ids.iter().enumerate() {
                rank[i as usize] = r as u32;
            }
            rank.push(ids.len() as u32); // the count, for the width
            rank
        };
        let min_year = t.rows.iter().map(|r| r.year).min().unwrap_or(0);
        let span = t
            .rows
            .iter()
            .map(|r| r.year)
            .max()
            .unwrap_or(0)
            .abs_diff(min_year);
        let ranks = [
            vec![span + 1], // the years: a count only, for the width
            ids(|r| r.reporter),
            ids(|r| r.partner),
            ids(|r| r.classification),
            ids(|r| r.product),
            ids(|r| r.province),
            ids(|r| r.regime),
        ];
        let width = |count: u32| u32::BITS - count.saturating_sub(1).leading_zeros();
        let mut widths = [0u32; 8];
        for (w, r) in widths.iter_mut().zip(&ranks) {
            *w = width(*r.last().expect("count pushed"));
        }
        widths[7] = 2; // the flow: four values
        let bits = widths.iter().sum();
        let ranks = ranks.map(|mut r| {
            r.pop();
            r
        });
        SortKey {
            ranks,
            widths,
            bits,
            min_year,
        }
    }

    /// (year, reporter, partner, flow, classification, product, province, regime) in `bits`.
    fn packed(&self, r: &Row) -> u128 {
        let w = &self.widths;
        let rank = |c: usize, id: u32| u128::from(self.ranks[c][id as usize]);
        let mut k = u128::from(r.year.abs_diff(self.min_year));
        k = (k << w[1]) | rank(1, r.reporter);
        k = (k << w[2]) | rank(2, r.partner);
        k = (k << w[7]) | r.flow as u128;
        k = (k << w[3]) | rank(3, r.classification);
        k = (k << w[4]) | rank(4, r.product);
        k = (k << w[5]) | rank(5, r.province);
        (k << w[6]) | rank(6, r.regime)
    }

    fn tuple(&self, r: &Row) -> (i32, u32, u32, Flow, u32, u32, u32, u32) {
        let rank = |c: usize, id: u32| self.ranks[c][id as usize];
        (
            r.year,
            rank(1, r.reporter),
            rank(2, r.partner),
            r.flow,
            rank(3, r.classification),
            rank(4, r.product),
            rank(5, r.province),
            rank(6, r.regime),
        )
    }
}

/// Rows removed while resolving repeated keys, per source name.
#[derive(Debug, Default)]
pub(crate) struct Dedup {
    pub exact_duplicates: HashMap<String, usize>,
    pub superseded: HashMap<String, usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[(i32, &str, f64)]) -> CanonicalRows {
        let mut t = CanonicalRows::default();
        for &(year, partner, v) in values {
            let row = Row {
                year,
                reporter: t.text.intern("CHN"),
                partner: t.text.intern(partner),
                flow: Flow::Export,
                classification: t.text.intern("TOTAL"),
                product: t.text.intern("TOTAL"),
                province: t.text.intern("TOTAL"),
                regime: t.text.intern("TOTAL"),
                value_usd: v,
                source: t.text.intern("s"),
                vintage: t.text.intern("v"),
                reported_by: ReportedBy::Reporter,
                is_estimate: false,
                quantity: f64::NAN,
                quantity_unit: t.text.intern(""),
                conversion: NOT_CONVERTED,
            };
            t.rows.push(row);
        }
        t
    }

    #[test]
    fn two_sorted_halves_merge_to_one_sort() {
        // Over the size where the halves are sorted on two threads; keys repeat, positions
        // (the low 21 bits) break ties.
        let n = (1usize << 20) + 3;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut packed: Vec<u64> = (0..n as u64)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 1000) << 21) | i
            })
            .collect();
        let mut want = packed.clone();
        want.sort_unstable();
        let want: Vec<u32> = want.iter().map(|&o| (o & ((1 << 21) - 1)) as u32).collect();
        assert_eq!(sorted_positions(&mut packed, (1 << 21) - 1), want);
    }

    #[test]
    fn sorts_by_key_and_drops_exact_duplicates() {
        let mut t = rows(&[
            (2001, "KAZ", 1.0),
            (2000, "UZB", 2.0),
            (2000, "KAZ", 3.0),
            (2000, "KAZ", 3.0),
        ]);
        let dedup = t.sort_and_dedup().unwrap();
        assert_eq!(dedup.exact_duplicates["s"], 1);
        let got: Vec<_> = t
            .sorted()
            .map(|r| (r.year, t.text.get(r.partner), r.value_usd))
            .collect();
        assert_eq!(
            got,
            vec![(2000, "KAZ", 3.0), (2000, "UZB", 2.0), (2001, "KAZ", 1.0)]
        );
    }

    #[test]
    fn conflicting_duplicate_names_the_key() {
        let mut t = rows(&[(2000, "KAZ", 3.0), (2000, "KAZ", 4.0)]);
        let msg = t.sort_and_dedup().unwrap_err().to_string();
        assert!(
            msg.contains("year 2000, CHN -> KAZ, export") && msg.contains("3 (s) and 4 (s)"),
            "{msg}"
        );
    }
}
