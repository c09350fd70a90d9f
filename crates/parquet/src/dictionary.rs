//! A dictionary array written as a dictionary-encoded column chunk, straight from its keys.
//!
//! The Arrow writer dictionary-encodes by hashing every row's value into a dictionary of its
//! own, whatever the array's dictionary; plain encoding instead copies every row's text and
//! leaves zstd to find the repeats. Either way it cost about a fifth of the index stage's CPU
//! time on the product table (measured with perf at 10M rows). The keys already are dictionary indices, so this writes the array's
//! dictionary as the dictionary page and its keys as the data pages' RLE / bit-packed indices:
//! no hashing, no text per row, nothing left for a compressor.
//!
//! Handled: a flat column of `Dictionary(UInt32, Utf8 | UInt32 | Float64)` whose values are
//! not null; its keys may be null if the column is optional (they become definition levels).
//! [`chunk`] returns `None` for anything else, which the caller writes the usual way. The
//! chunk reads as any dictionary-encoded chunk: text as text, `u32` as `u32`, `f64` as `f64`.

use arrow_array::types::UInt32Type;
use arrow_array::{Array, DictionaryArray, Float64Array, StringArray, UInt32Array};
use arrow_buffer::NullBuffer;
use parquet::basic::Encoding;
use parquet::data_type::ByteArray;
use parquet::errors::Result;
use parquet::file::statistics::Statistics;
use parquet::schema::types::ColumnDescPtr;

use crate::chunk::{
    Chunk, PAGE_OVERHEAD, PAGE_ROWS, Parts, assemble, bounds_where, f64_statistics, put_levels,
};
use crate::rle;

/// What the dictionary page holds and the chunk's statistics, by value type.
struct Dictionary {
    page: Vec<u8>,
    statistics: Statistics,
    /// Text bytes the column stands for, for the chunk metadata (text columns only).
    unencoded_bytes: Option<i64>,
}

/// `array` as a dictionary-encoded chunk of `descr`, or `None` if it is not a case handled
/// here (see the module docs).
pub(crate) fn chunk(descr: ColumnDescPtr, array: &DictionaryArray<UInt32Type>) -> Result<Option<Chunk>> {
    let nulls = array.keys().nulls().filter(|n| n.null_count() > 0);
    // An empty chunk (a dictionary page and no data page) is left to the Arrow writer, and so
    // is a chunk of nulls only (no value to put in the statistics).
    if array.is_empty()
        || descr.max_rep_level() > 0
        || nulls.is_some_and(|n| descr.max_def_level() == 0 || n.null_count() == n.len())
        || array.values().null_count() > 0
    {
        return Ok(None);
    }
    let keys = array.keys().values();
    let values = array.values();
    // How often each entry is used: the statistics cover only what the rows hold. A null
    // row's key is whatever the buffer holds, so it is not read.
    let mut uses = vec![0u64; values.len()];
    match nulls {
        None => keys.iter().for_each(|&k| uses[k as usize] += 1),
        Some(n) => n.valid_indices().for_each(|i| uses[keys[i] as usize] += 1),
    }
    let nulls_written = nulls.map_or(0, |n| n.null_count() as u64);
    let dictionary = if let Some(text) = values.as_any().downcast_ref::<StringArray>() {
        text_dictionary(text, &uses, nulls_written)
    } else if let Some(ints) = values.as_any().downcast_ref::<UInt32Array>() {
        u32_dictionary(ints, &uses, nulls_written)
    } else if let Some(doubles) = values.as_any().downcast_ref::<Float64Array>() {
        f64_dictionary(doubles, &uses, nulls_written)
    } else {
        return Ok(None);
    };
    encode(descr, keys, nulls, values.len(), dictionary).map(Some)
}

fn text_dictionary(text: &StringArray, uses: &[u64], nulls: u64) -> Dictionary {
    let mut page = Vec::with_capacity(text.value_data().len() + 4 * text.len());
    let mut unencoded = 0u64;
    let mut range: Option<(&str, &str)> = None;
    for (i, s) in text.iter().enumerate() {
        let s = s.expect("checked: no null values");
        page.extend_from_slice(&(s.len() as u32).to_le_bytes());
        page.extend_from_slice(s.as_bytes());
        if uses[i] > 0 {
            unencoded += uses[i] * s.len() as u64;
            range = Some(range.map_or((s, s), |(lo, hi)| (lo.min(s), hi.max(s))));
        }
    }
    let (min, max) = range.map_or((None, None), |(lo, hi)| (Some(lo), Some(hi)));
    Dictionary {
        page,
        statistics: Statistics::new(
            min.map(ByteArray::from),
            max.map(ByteArray::from),
            None,
            Some(nulls),
            false,
        ),
        unencoded_bytes: Some(unencoded as i64),
    }
}

fn u32_dictionary(ints: &UInt32Array, uses: &[u64], nulls: u64) -> Dictionary {
    let page = ints.values().iter().flat_map(|v| v.to_le_bytes()).collect();
    let used = || {
        ints.values()
            .iter()
            .zip(uses)
            .filter(|(_, n)| **n > 0)
            .map(|(v, _)| *v)
    };
    // Unsigned values are stored in INT32 and ordered as unsigned; the bits are kept.
    let (min, max) = (used().min(), used().max());
    Dictionary {
        page,
        statistics: Statistics::new(
            min.map(|v| v as i32),
            max.map(|v| v as i32),
            None,
            Some(nulls),
            false,
        ),
        unencoded_bytes: None,
    }
}

fn f64_dictionary(doubles: &Float64Array, uses: &[u64], nulls: u64) -> Dictionary {
    let page = doubles.values().iter().flat_map(|v| v.to_le_bytes()).collect();
    let range = bounds_where(doubles.values(), |i| uses[i] > 0);
    Dictionary {
        page,
        statistics: f64_statistics(range, nulls),
        unencoded_bytes: None,
    }
}

fn encode(
    descr: ColumnDescPtr,
    keys: &[u32],
    nulls: Option<&NullBuffer>,
    entries: usize,
    dictionary: Dictionary,
) -> Result<Chunk> {
    let width = rle::bit_width(entries);
    let pages = keys.chunks(PAGE_ROWS).enumerate().map(|(p, rows)| {
        let start = p * PAGE_ROWS;
        let mut buf = Vec::with_capacity(8 + rows.len() * usize::from(width) / 8);
        put_levels(&descr, nulls, start, rows.len(), &mut buf);
        buf.push(width);
        match nulls {
            None => rle::encode(rows, width, &mut buf),
            Some(n) => {
                let present: Vec<u32> = (0..rows.len())
                    .filter(|i| n.is_valid(start + i))
                    .map(|i| rows[i])
                    .collect();
                rle::encode(&present, width, &mut buf);
            }
        }
        (buf, rows.len())
    });
    let size_hint = dictionary.page.len()
        + (keys.len() * usize::from(width)).div_ceil(8)
        + keys.len().div_ceil(PAGE_ROWS) * PAGE_OVERHEAD;
    let parts = Parts {
        size_hint,
        dictionary: Some((dictionary.page, entries)),
        encoding: Encoding::RLE_DICTIONARY,
        statistics: dictionary.statistics,
        unencoded_bytes: dictionary.unencoded_bytes,
    };
    assemble(descr.clone(), keys.len(), parts, pages)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, RecordBatch};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::file::metadata::ParquetMetaData;
    use polars::prelude::DataType;
    use proptest::prelude::*;

    use super::*;

    fn text(keys: Vec<u32>, values: &[&str]) -> ArrayRef {
        text_with_nulls(keys.into_iter().map(Some).collect(), values)
    }

    fn text_with_nulls(keys: Vec<Option<u32>>, values: &[&str]) -> ArrayRef {
        Arc::new(DictionaryArray::<UInt32Type>::new(
            UInt32Array::from(keys),
            Arc::new(StringArray::from(values.to_vec())),
        ))
    }

    fn column(df: &polars::prelude::DataFrame, name: &str) -> polars::prelude::Series {
        df.column(name).unwrap().as_materialized_series().rechunk()
    }

    /// A text column as polars reads it.
    fn strings(df: &polars::prelude::DataFrame, name: &str) -> Vec<Option<String>> {
        column(df, name)
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect()
    }

    fn write(batch: &RecordBatch) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        crate::batch::write(&path, batch, &[]).unwrap();
        (dir, path)
    }

    fn metadata(path: &std::path::Path) -> Arc<ParquetMetaData> {
        let file = std::fs::File::open(path).unwrap();
        ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .metadata()
            .clone()
    }

    /// A text chunk's statistics: min, max and null count.
    fn text_statistics(chunk: &parquet::file::metadata::ColumnChunkMetaData) -> (&str, &str, Option<u64>) {
        match chunk.statistics().unwrap() {
            Statistics::ByteArray(s) => (
                s.min_opt().unwrap().as_utf8().unwrap(),
                s.max_opt().unwrap().as_utf8().unwrap(),
                s.null_count_opt(),
            ),
            other => panic!("{other:?}"),
        }
    }

    /// The text column as another reader decodes it: the Arrow reader of the parquet crate.
    fn read_back(path: &std::path::Path) -> Vec<Option<String>> {
        let file = std::fs::File::open(path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let mut out = Vec::new();
        for batch in reader {
            let batch = batch.unwrap();
            let column = batch.column(0);
            match column.as_any().downcast_ref::<StringArray>() {
                Some(s) => out.extend(s.iter().map(|v| v.map(str::to_owned))),
                None => panic!("read as {:?}", column.data_type()),
            }
        }
        out
    }

    #[test]
    fn text_and_integer_codes_are_written_as_dictionary_pages_with_tight_statistics() {
        let level = Arc::new(DictionaryArray::<UInt32Type>::new(
            UInt32Array::from(vec![1, 1, 0, 1]),
            Arc::new(UInt32Array::from(vec![2, 6, 4])),
        )) as ArrayRef;
        // "one" is a required column (no definition levels), the others optional
        let batch = RecordBatch::try_from_iter_with_nullable([
            // "AAA" and "ZZZ" are in the dictionary but in no row
            (
                "reporter",
                text(vec![1, 1, 2, 3], &["AAA", "KAZ", "CHN", "UZB", "ZZZ"]),
                true,
            ),
            ("level", level, true),
            ("one", text(vec![0; 4], &["HS"]), false),
        ])
        .unwrap();
        let (_dir, path) = write(&batch);

        let df = crate::read(&path, None).unwrap();
        assert_eq!(df.column("reporter").unwrap().dtype(), &DataType::String);
        assert_eq!(
            strings(&df, "reporter"),
            ["KAZ", "KAZ", "CHN", "UZB"].map(|s| Some(s.to_owned()))
        );
        let level: Vec<_> = column(&df, "level").u32().unwrap().iter().collect();
        assert_eq!(level, [Some(6), Some(6), Some(2), Some(6)]);
        assert_eq!(strings(&df, "one"), vec![Some("HS".to_owned()); 4]);

        let meta = metadata(&path);
        let columns = meta.row_group(0).columns();
        for c in columns {
            assert!(c.dictionary_page_offset().is_some(), "{:?}", c.column_path());
            assert!(c.encodings().any(|e| e == Encoding::RLE_DICTIONARY));
        }
        assert_eq!(text_statistics(&columns[0]), ("CHN", "UZB", Some(0)));
        assert_eq!(columns[0].unencoded_byte_array_data_bytes(), Some(12));
        match columns[1].statistics().unwrap() {
            Statistics::Int32(s) => assert_eq!((s.min_opt(), s.max_opt()), (Some(&2), Some(&6))),
            other => panic!("{other:?}"),
        }
        assert!(columns[0].offset_index_offset().is_some(), "offset index written");
    }

    #[test]
    fn null_keys_are_definition_levels_and_a_null_only_chunk_goes_to_the_arrow_writer() {
        // Key 7 under a null is out of range: a null row's key must never be read.
        let keys = UInt32Array::new(vec![0, 7, 1].into(), Some(vec![true, false, true].into()));
        let array = DictionaryArray::<UInt32Type>::new(keys, Arc::new(StringArray::from(vec!["b", "a"])));
        let batch = RecordBatch::try_from_iter([
            ("c", Arc::new(array) as ArrayRef),
            ("none", text_with_nulls(vec![None; 3], &["x"])),
        ])
        .unwrap();
        let (_dir, path) = write(&batch);
        let df = crate::read(&path, None).unwrap();
        assert_eq!(
            strings(&df, "c"),
            [Some("b".to_owned()), None, Some("a".to_owned())]
        );
        assert_eq!(strings(&df, "none"), [None, None, None]);
        let meta = metadata(&path);
        let columns = meta.row_group(0).columns();
        assert!(columns[0].dictionary_page_offset().is_some());
        assert_eq!(text_statistics(&columns[0]), ("a", "b", Some(1)));
        assert_eq!(columns[0].unencoded_byte_array_data_bytes(), Some(2));
        assert!(
            !columns[1].encodings().any(|e| e == Encoding::RLE_DICTIONARY),
            "a chunk of nulls only is the Arrow writer's"
        );
    }

    #[test]
    fn doubles_are_written_with_the_formats_zero_and_nan_rules() {
        // Used values 0.0, 2.5 and NaN (unused: -9 and 99): the minimum is -0.0, NaN is
        // left out of the bounds, and each row reads back bit for bit.
        let values = Float64Array::from(vec![-9.0, 0.0, 2.5, f64::NAN, 99.0]);
        let keys = UInt32Array::from(vec![Some(1), Some(2), None, Some(3), Some(1)]);
        let array = DictionaryArray::<UInt32Type>::new(keys, Arc::new(values));
        let batch = RecordBatch::try_from_iter([("v", Arc::new(array) as ArrayRef)]).unwrap();
        let (_dir, path) = write(&batch);
        let df = crate::read(&path, None).unwrap();
        let read: Vec<_> = column(&df, "v").f64().unwrap().iter().collect();
        assert_eq!(read[..3], [Some(0.0), Some(2.5), None]);
        assert!(read[3].unwrap().is_nan());
        assert_eq!(read[4], Some(0.0));
        let meta = metadata(&path);
        let chunk = &meta.row_group(0).columns()[0];
        assert!(chunk.dictionary_page_offset().is_some());
        match chunk.statistics().unwrap() {
            Statistics::Double(s) => {
                let (lo, hi) = (*s.min_opt().unwrap(), *s.max_opt().unwrap());
                assert!(lo == 0.0 && lo.is_sign_negative(), "{lo}");
                assert_eq!(hi, 2.5);
                assert_eq!(s.null_count_opt(), Some(1));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_batch_writes_a_readable_empty_file() {
        let batch = RecordBatch::try_from_iter([("c", text(Vec::new(), &["a"]))]).unwrap();
        let (_dir, path) = write(&batch);
        assert_eq!(crate::read(&path, None).unwrap().height(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any keys, in runs or scattered, over pages and dictionaries of any width, read back
        /// as written.
        #[test]
        fn keys_read_back_as_written(
            runs in proptest::collection::vec((0u32..600, 1usize..40), 1..200),
            entries in 1usize..600,
            filler in 0usize..PAGE_ROWS + 10,
            holes in proptest::collection::vec(any::<bool>(), 0..40),
            null_run in (0usize..PAGE_ROWS + 20, 0usize..PAGE_ROWS + 20),
        ) {
            let mut keys: Vec<u32> = runs
                .iter()
                .flat_map(|&(k, n)| std::iter::repeat_n(k % entries as u32, n))
                .collect();
            // long enough, at times, to span a page boundary
            keys.extend((0..filler).map(|i| (i % entries) as u32 / 3));
            // Nulls (if any holes): scattered by a repeating pattern, and one run that may
            // cover a page boundary or whole pages.
            let keys: Vec<Option<u32>> = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| {
                    let hole = !holes.is_empty() && (holes[i % holes.len()]
                        || (null_run.0..null_run.0 + null_run.1).contains(&i));
                    (!hole).then_some(k)
                })
                .collect();
            let values: Vec<String> = (0..entries).map(|i| format!("v{i}")).collect();
            let strs: Vec<&str> = values.iter().map(String::as_str).collect();
            let batch = RecordBatch::try_from_iter([("c", text_with_nulls(keys.clone(), &strs))]).unwrap();
            let (_dir, path) = write(&batch);
            let want: Vec<Option<String>> =
                keys.iter().map(|k| k.map(|k| strs[k as usize].to_owned())).collect();
            prop_assert_eq!(read_back(&path), want);
        }
    }
}
