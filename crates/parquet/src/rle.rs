//! Parquet's RLE / bit-packing hybrid, the encoding of dictionary indices and levels.
//!
//! The parquet crate has an encoder, but exports it only under its `experimental` feature,
//! which pulls in the Variant crates as well. The format is small: a run of at least eight
//! equal values is one RLE run (a varint header, the value in whole bytes); anything else is
//! bit-packed in groups of eight, LSB first.

/// Longest bit-packed run, in groups of eight: 63 keeps its header to one byte, as
/// parquet-mr and Impala write it (readers accept longer runs, but not every one is tested
/// on them).
const MAX_GROUPS: usize = 63;

/// Bits needed for the largest of `0..len` (0 for a one-entry dictionary).
pub(crate) fn bit_width(len: usize) -> u8 {
    (usize::BITS - len.saturating_sub(1).leading_zeros()) as u8
}

/// Appends `values`, each below `1 << bit_width`, to `out`.
pub(crate) fn encode(values: &[u32], bit_width: u8, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < values.len() {
        let run = run_len(values, i, usize::MAX);
        if run >= 8 {
            put_run(values[i], run, bit_width, out);
            i += run;
            continue;
        }
        // Bit-pack whole groups until one begins a run worth its own header.
        let start = i;
        let mut end = i;
        loop {
            end = (end + 8).min(values.len());
            if end == values.len() || end - start == 8 * MAX_GROUPS || run_len(values, end, 8) >= 8 {
                break;
            }
        }
        put_packed(&values[start..end], bit_width, out);
        i = end;
    }
}

/// Length of the run of equal values at `i`, counted up to `cap`.
fn run_len(values: &[u32], i: usize, cap: usize) -> usize {
    let v = values[i];
    values[i..].iter().take(cap).take_while(|&&x| x == v).count()
}

fn put_varint(mut x: u64, out: &mut Vec<u8>) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Appends one RLE run: `run` times `value` (any length; eight or more pays for its header).
pub(crate) fn put_run(value: u32, run: usize, bit_width: u8, out: &mut Vec<u8>) {
    put_varint((run as u64) << 1, out);
    let bytes = usize::from(bit_width).div_ceil(8);
    out.extend_from_slice(&value.to_le_bytes()[..bytes]);
}

/// `values` bit-packed; the last group is padded with zeros, which readers drop because the
/// page header gives the number of values.
fn put_packed(values: &[u32], bit_width: u8, out: &mut Vec<u8>) {
    let groups = values.len().div_ceil(8);
    put_varint(((groups as u64) << 1) | 1, out);
    let mut acc = 0u64;
    let mut bits = 0u32;
    let padded = values
        .iter()
        .copied()
        .chain(std::iter::repeat(0))
        .take(groups * 8);
    for v in padded {
        acc |= u64::from(v) << bits;
        bits += u32::from(bit_width);
        while bits >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    debug_assert_eq!(bits, 0, "eight values fill whole bytes");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_cover_the_largest_index() {
        assert_eq!([1, 2, 3, 4, 5, 256, 257].map(bit_width), [0, 1, 2, 2, 3, 8, 9]);
    }

    #[test]
    fn a_long_run_is_one_rle_run() {
        let mut out = Vec::new();
        encode(&[5; 300], 3, &mut out);
        // header 600 as a varint, then the value in one byte
        assert_eq!(out, [0xd8, 0x04, 5]);
    }

    #[test]
    fn short_runs_are_bit_packed_lsb_first() {
        let mut out = Vec::new();
        encode(&[0, 1, 2, 3, 4, 5, 6, 7], 3, &mut out);
        // the example of the Parquet encodings spec
        assert_eq!(out, [0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010]);
    }

    #[test]
    fn a_run_inside_a_packed_group_starts_after_it() {
        let mut values = vec![1, 2, 3];
        values.extend([7; 20]);
        let mut out = Vec::new();
        encode(&values, 3, &mut out);
        // one packed group (1, 2, 3 and five 7s), then an RLE run of the other fifteen 7s
        assert_eq!(out[0], 0x03);
        assert_eq!(&out[4..], [30, 7]);
    }
}
