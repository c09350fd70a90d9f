//! An uncompressed column of doubles written as a PLAIN chunk straight from the array's buffer.
//!
//! The product table's near-random doubles (exports, RCA) are stored uncompressed, and for
//! them the Arrow writer's cost is all overhead: levels built row by row, page and chunk
//! bounds through its total-order comparison, and copies through its page buffers (perf: about
//! a twentieth of the index stage's CPU at 10M rows). Here a page is its definition levels
//! followed by the page's non-null values as little-endian bytes, and the chunk's bounds come
//! from one lane-wise pass, which the compiler turns into packed min/max instructions.
//!
//! Handled: a flat `Float64` column, required or optional. [`chunk`] returns `None` for
//! anything else (and for an empty or all-null array), which the caller writes the usual way.

use arrow_array::{Array, Float64Array};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::errors::Result;
use parquet::schema::types::ColumnDescPtr;

use crate::chunk::{
    Chunk, PAGE_OVERHEAD, PAGE_ROWS, Parts, assemble, bounds_where, f64_statistics, put_levels,
};

/// `array` as a PLAIN-encoded uncompressed chunk of `descr`, or `None` (see the module docs).
pub(crate) fn chunk(descr: ColumnDescPtr, array: &Float64Array) -> Result<Option<Chunk>> {
    let nulls = array.nulls().filter(|n| n.null_count() > 0);
    if array.is_empty()
        || descr.max_rep_level() > 0
        || descr.physical_type() != PhysicalType::DOUBLE
        || nulls.is_some_and(|n| descr.max_def_level() == 0 || n.null_count() == n.len())
    {
        return Ok(None);
    }
    let values = array.values();
    let range = match nulls {
        None => bounds(values),
        Some(n) => bounds_where(values, |i| n.is_valid(i)),
    };
    let statistics = f64_statistics(range, nulls.map_or(0, |n| n.null_count() as u64));
    let pages = values.chunks(PAGE_ROWS).enumerate().map(|(p, rows)| {
        let start = p * PAGE_ROWS;
        let mut buf = Vec::with_capacity(16 + rows.len() * 8);
        put_levels(&descr, nulls, start, rows.len(), &mut buf);
        match nulls {
            None => rows.iter().for_each(|v| buf.extend_from_slice(&v.to_le_bytes())),
            Some(n) => (0..rows.len())
                .filter(|i| n.is_valid(start + i))
                .for_each(|i| buf.extend_from_slice(&rows[i].to_le_bytes())),
        }
        (buf, rows.len())
    });
    let parts = Parts {
        size_hint: values.len() * 8 + values.len().div_ceil(PAGE_ROWS) * PAGE_OVERHEAD,
        dictionary: None,
        encoding: Encoding::PLAIN,
        statistics,
        unencoded_bytes: None,
    };
    assemble(descr.clone(), values.len(), parts, pages).map(Some)
}

/// Lanes of the bounds pass: eight doubles, one AVX-512 register or two AVX ones.
const LANES: usize = 8;

/// Least and greatest of `values`, NaN left out; `None` if there is nothing else. Lane-wise
/// (`v < lo` is false for NaN, so NaN never enters), then the lanes are folded.
fn bounds(values: &[f64]) -> Option<(f64, f64)> {
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let mut groups = values.chunks_exact(LANES);
    for group in &mut groups {
        for l in 0..LANES {
            let v = group[l];
            lo[l] = if v < lo[l] { v } else { lo[l] };
            hi[l] = if v > hi[l] { v } else { hi[l] };
        }
    }
    for &v in groups.remainder() {
        lo[0] = if v < lo[0] { v } else { lo[0] };
        hi[0] = if v > hi[0] { v } else { hi[0] };
    }
    fold(lo, hi, values.iter().any(|v| !v.is_nan()))
}

/// The lanes' bounds folded into one pair, if any value was a number. Infinite values are
/// numbers: whether any was is asked separately, not read from the lanes' start values.
fn fold(lo: [f64; LANES], hi: [f64; LANES], any: bool) -> Option<(f64, f64)> {
    any.then(|| {
        let lo = lo.into_iter().fold(f64::INFINITY, f64::min);
        let hi = hi.into_iter().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn bounds_leave_nan_out_and_keep_infinities() {
        let v = [
            3.0,
            f64::NAN,
            -1.5,
            2.0,
            f64::NAN,
            0.0,
            9.0,
            1.0,
            4.0,
            -7.0,
            f64::NAN,
        ];
        assert_eq!(bounds(&v), Some((-7.0, 9.0)));
        assert_eq!(bounds(&[f64::NAN; 11]), None);
        assert_eq!(bounds(&[]), None);
        assert_eq!(bounds(&[f64::INFINITY]), Some((f64::INFINITY, f64::INFINITY)));
        assert_eq!(bounds_where(&v, |i| i >= 7), Some((-7.0, 4.0)));
    }

    proptest! {
        #[test]
        fn bounds_are_the_least_and_greatest_number(
            v in proptest::collection::vec(prop_oneof![any::<f64>(), Just(f64::NAN), Just(0.0)], 0..40)
        ) {
            let numbers: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let want = (!numbers.is_empty()).then(|| {
                let lo = numbers.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (lo, hi)
            });
            // compared as numbers: which zero a bound holds is settled by the statistics
            prop_assert_eq!(bounds(&v), want);
            prop_assert_eq!(bounds_where(&v, |_| true), want);
        }
    }
}
