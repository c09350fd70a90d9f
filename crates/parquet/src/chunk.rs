//! A column chunk assembled in memory from pages this crate encodes itself ([`crate::dictionary`],
//! [`crate::plain`]), to be appended to a row group beside the Arrow writer's chunks.
//!
//! Every chunk is uncompressed, flat (no repetition levels), in pages of [`PAGE_ROWS`] rows
//! (data page v1), with chunk statistics and an offset index; no page statistics or column
//! index (the Arrow writer's page bounds would prune nothing on unsorted columns).

use arrow_buffer::NullBuffer;
use bytes::Bytes;
use parquet::basic::{Compression, Encoding, EncodingMask, PageType};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::Result;
use parquet::file::metadata::{ColumnChunkMetaData, PageEncodingStats};
use parquet::file::page_index::offset_index::{OffsetIndexMetaData, PageLocation};
use parquet::file::statistics::Statistics;
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use crate::rle;

/// Rows per data page: 64 Ki rows make pages of about 100 KiB of dictionary indices at the
/// product table's 13 bits, or 512 KiB of doubles (the Arrow writer's limit is 1 MiB): ten
/// or so a year, small enough for a reader that skips pages by the offset index, few enough
/// that their headers cost nothing.
pub(crate) const PAGE_ROWS: usize = 64 * 1024;

/// A column chunk encoded in memory, to be appended to its row group.
pub(crate) struct Chunk {
    pub data: Bytes,
    pub close: ColumnCloseResult,
}

/// What a chunk holds besides its data pages.
pub(crate) struct Parts {
    /// The PLAIN dictionary page and its number of entries, for a dictionary-encoded chunk.
    pub dictionary: Option<(Vec<u8>, usize)>,
    /// The data pages' value encoding.
    pub encoding: Encoding,
    pub statistics: Statistics,
    /// Text bytes the column stands for (byte-array columns only).
    pub unencoded_bytes: Option<i64>,
    /// About how many bytes the chunk takes: its buffer is allocated once, not doubled (and
    /// copied, and fresh memory touched) as pages arrive.
    pub size_hint: usize,
}

/// Room for one page's header and definition levels, for [`Parts::size_hint`].
pub(crate) const PAGE_OVERHEAD: usize = 128;

/// Appends the definition levels of rows `start..start + len` to a data page, behind their
/// byte length, if the column is optional: one RLE run of 1s when every row is defined.
pub(crate) fn put_levels(
    descr: &ColumnDescPtr,
    nulls: Option<&NullBuffer>,
    start: usize,
    len: usize,
    buf: &mut Vec<u8>,
) {
    if descr.max_def_level() == 0 {
        return;
    }
    let mut levels = Vec::new();
    match nulls {
        None => rle::put_run(1, len, 1, &mut levels),
        Some(n) => {
            let defined: Vec<u32> = (start..start + len).map(|i| u32::from(n.is_valid(i))).collect();
            rle::encode(&defined, 1, &mut levels);
        }
    }
    buf.extend_from_slice(&(levels.len() as u32).to_le_bytes());
    buf.extend_from_slice(&levels);
}

/// The chunk of `rows` rows made of `parts` and `pages`, each page's bytes (levels and
/// values) with its number of rows, in row order.
pub(crate) fn assemble(
    descr: ColumnDescPtr,
    rows: usize,
    parts: Parts,
    pages: impl Iterator<Item = (Vec<u8>, usize)>,
) -> Result<Chunk> {
    let optional = descr.max_def_level() > 0;
    let mut sink = TrackedWrite::new(Vec::with_capacity(parts.size_hint));
    let mut writer = SerializedPageWriter::new(&mut sink);
    let dictionary_offset = match parts.dictionary {
        Some((page, entries)) => {
            // Uncompressed, so the uncompressed size is the page's own: DuckDB checks it.
            let size = page.len();
            let spec = writer.write_page(CompressedPage::new(
                Page::DictionaryPage {
                    num_values: entries as u32,
                    encoding: Encoding::PLAIN,
                    is_sorted: false,
                    buf: Bytes::from(page),
                },
                size,
            ))?;
            Some(spec.offset as i64)
        }
        None => None,
    };
    let mut locations = Vec::new();
    let mut first_row = 0;
    for (buf, n) in pages {
        let size = buf.len();
        let spec = writer.write_page(CompressedPage::new(
            Page::DataPage {
                buf: Bytes::from(buf),
                num_values: n as u32,
                encoding: parts.encoding,
                def_level_encoding: Encoding::RLE,
                rep_level_encoding: Encoding::RLE,
                statistics: None,
            },
            size,
        ))?;
        locations.push(PageLocation {
            offset: spec.offset as i64,
            compressed_page_size: spec.compressed_size as i32,
            first_row_index: first_row as i64,
        });
        first_row += n;
    }
    writer.close()?;
    debug_assert_eq!(first_row, rows);
    let data = Bytes::from(sink.into_inner()?);
    let total = data.len() as i64;
    let mut encodings = vec![Encoding::PLAIN, parts.encoding];
    if optional {
        encodings.push(Encoding::RLE);
    }
    let mut page_stats = Vec::new();
    if dictionary_offset.is_some() {
        page_stats.push(PageEncodingStats {
            page_type: PageType::DICTIONARY_PAGE,
            encoding: Encoding::PLAIN,
            count: 1,
        });
    }
    page_stats.push(PageEncodingStats {
        page_type: PageType::DATA_PAGE,
        encoding: parts.encoding,
        count: locations.len() as i32,
    });
    let metadata = ColumnChunkMetaData::builder(descr)
        .set_compression(Compression::UNCOMPRESSED)
        .set_encodings_mask(EncodingMask::new_from_encodings(encodings.iter()))
        .set_page_encoding_stats(page_stats)
        .set_total_compressed_size(total)
        .set_total_uncompressed_size(total)
        .set_num_values(rows as i64)
        .set_dictionary_page_offset(dictionary_offset)
        .set_data_page_offset(locations[0].offset)
        .set_statistics(parts.statistics)
        .set_unencoded_byte_array_data_bytes(parts.unencoded_bytes)
        .build()?;
    Ok(Chunk {
        data,
        close: ColumnCloseResult {
            bytes_written: total as u64,
            rows_written: rows as u64,
            metadata,
            bloom_filter: None,
            column_index: None,
            offset_index: Some(OffsetIndexMetaData {
                page_locations: locations,
                unencoded_byte_array_data_bytes: None,
            }),
        },
    })
}

/// Least and greatest of the values at the indices `keep` accepts, NaN left out (the
/// statistics' rule); `None` if nothing else is kept.
pub(crate) fn bounds_where(values: &[f64], keep: impl Fn(usize) -> bool) -> Option<(f64, f64)> {
    let kept = values
        .iter()
        .enumerate()
        .filter(|&(i, v)| keep(i) && !v.is_nan())
        .map(|(_, &v)| v);
    kept.fold(None, |r, v| {
        Some(r.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v))))
    })
}

/// Chunk statistics of doubles by the format's rules: NaN is left out, and a zero bound is
/// written as -0.0 for the minimum and +0.0 for the maximum, whichever zero the rows hold.
pub(crate) fn f64_statistics(range: Option<(f64, f64)>, nulls: u64) -> Statistics {
    let (min, max) = match range {
        Some((lo, hi)) => (
            Some(if lo == 0.0 { -0.0 } else { lo }),
            Some(if hi == 0.0 { 0.0 } else { hi }),
        ),
        None => (None, None),
    };
    Statistics::new(min, max, None, Some(nulls), false)
}
