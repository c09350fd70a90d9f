//! Writes an Arrow record batch as Parquet, for tables built column by column from integer
//! codes (the index stage's product table: a million rows a year on BACI).
//!
//! Why not polars here: a polars frame needs one string per row for the text columns, which
//! the writer then hashes back into a dictionary and samples for a cardinality estimate. A
//! batch's text columns are dictionary arrays (the codes' ids as keys, each distinct text
//! once), so nothing per row is allocated.
//!
//! The file reads like one polars writes: text as plain UTF-8 columns (no Arrow schema is
//! embedded, so readers do not turn them into categoricals), `u32` as unsigned INT32. It is
//! zstd-compressed at level 1: product values are near-random doubles that higher levels do
//! not shrink, only slow. Nothing in it depends on the time or host, so equal batches give
//! equal bytes.

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use tradepipe_model::schema::{PART_FILE, partition_dir};

use crate::ParquetError;

/// Dictionary encoding only where values repeat: text and integer columns. Floats (values,
/// ratios) are nearly all distinct, so trying a dictionary on them only costs a hash per value
/// before the writer falls back to plain encoding.
fn properties(schema: &Schema) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("level 1 is valid"),
        ))
        .set_dictionary_enabled(false);
    for field in schema.fields() {
        if !field.data_type().is_floating() {
            builder = builder.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), true);
        }
    }
    builder.build()
}

/// Writes `batch` to `path` atomically. The file is encoded in memory first (the Arrow
/// writer wants a writer it can own), then written through a temporary file.
pub fn write(path: &Path, batch: &RecordBatch) -> Result<(), ParquetError> {
    let options = ArrowWriterOptions::new()
        .with_properties(properties(&batch.schema()))
        .with_skip_arrow_metadata(true);
    let mut bytes = Vec::new();
    ArrowWriter::try_new_with_options(&mut bytes, batch.schema(), options)
        .and_then(|mut writer| {
            writer.write(batch)?;
            writer.close().map(|_| ())
        })
        .map_err(|e| ParquetError::Write {
            path: path.into(),
            message: e.to_string(),
        })?;
    tradepipe_model::fsio::write_atomic(path, &bytes).map_err(|e| ParquetError::Write {
        path: path.into(),
        message: e.source.to_string(),
    })
}

/// Writes one year's partition of the table rooted at `root`.
pub fn write_partition(root: &Path, year: i32, batch: &RecordBatch) -> Result<PathBuf, ParquetError> {
    let path = partition_dir(root, year).join(PART_FILE);
    write(&path, batch)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::UInt32Type;
    use arrow_array::{ArrayRef, DictionaryArray, Float64Array, StringArray, UInt32Array};
    use polars::prelude::DataType;

    use super::*;

    fn batch() -> RecordBatch {
        let codes = DictionaryArray::<UInt32Type>::new(
            UInt32Array::from(vec![1, 0, 1]),
            Arc::new(StringArray::from(vec!["CHN", "KAZ"])),
        );
        RecordBatch::try_from_iter([
            ("reporter", Arc::new(codes) as ArrayRef),
            ("level", Arc::new(UInt32Array::from(vec![6, 6, 2])) as ArrayRef),
            (
                "rca",
                Arc::new(Float64Array::from(vec![Some(1.5), None, Some(-0.0)])) as ArrayRef,
            ),
        ])
        .unwrap()
    }

    #[test]
    fn reads_back_as_polars_writes_it_and_rewrites_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_partition(dir.path(), 2020, &batch()).unwrap();
        let first = std::fs::read(&path).unwrap();
        write_partition(dir.path(), 2020, &batch()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), first, "rewriting changed bytes");

        let df = crate::read(&path, None).unwrap();
        let reporter = df.column("reporter").unwrap();
        assert_eq!(
            reporter.dtype(),
            &DataType::String,
            "text must not read as categorical"
        );
        let reporter: Vec<_> = (0..3).map(|i| reporter.str().unwrap().get(i)).collect();
        assert_eq!(reporter, [Some("KAZ"), Some("CHN"), Some("KAZ")]);
        assert_eq!(df.column("level").unwrap().dtype(), &DataType::UInt32);
        let rca: Vec<_> = (0..3)
            .map(|i| df.column("rca").unwrap().f64().unwrap().get(i))
            .collect();
        assert_eq!(rca[..2], [Some(1.5), None]);
        assert!(rca[2].unwrap().is_sign_negative(), "-0.0 keeps its sign");
    }

    #[test]
    fn an_unwritable_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let msg = write_partition(&blocker, 2020, &batch()).unwrap_err().to_string();
        assert!(msg.contains("file/year=2020"), "{msg}");
    }
}
