//! Writes an Arrow record batch as Parquet, for tables built column by column from integer
//! codes (the index stage's product table: a million rows a year on BACI).
//!
//! Why not polars here: a polars frame needs one string per row for the text columns, which
//! the writer then hashes back into a dictionary and samples for a cardinality estimate. A
//! batch's code columns are dictionary arrays (the codes' ids as keys, each distinct value
//! once), so nothing per row is allocated, and they are written as dictionary-encoded chunks
//! straight from their keys ([`crate::dictionary`]). Uncompressed doubles are written as
//! PLAIN chunks straight from their buffer ([`crate::plain`]). Other columns go through the
//! Arrow writer, plain-encoded (see [`properties`]).
//!
//! The file reads like one polars writes: text as UTF-8 columns (no Arrow schema is embedded,
//! so readers do not turn them into categoricals), `u32` as unsigned INT32. The Arrow writer's
//! columns are zstd-compressed at level 1, except those the caller names as raw; dictionary
//! indices are stored uncompressed. Nothing in it depends on the time or host, so equal
//! batches give equal bytes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, RecordBatch};
use arrow_schema::Field;
use parquet::arrow::ArrowSchemaConverter;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnDescPtr, ColumnPath};
use tradepipe_model::schema::{PART_FILE, partition_dir};

use crate::{ParquetError, chunk, dictionary, plain};

/// Plain encoding, zstd over it, for the columns the Arrow writer encodes: its dictionary
/// encoding hashes every row's value, and the columns with few distinct values reach it
/// only when they are not dictionary arrays. The `raw` columns are stored uncompressed.
fn properties(raw: &[&str]) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("level 1 is valid"),
        ))
        .set_dictionary_enabled(false);
    for &name in raw {
        builder = builder.set_column_compression(ColumnPath::from(name), Compression::UNCOMPRESSED);
    }
    builder.build()
}

/// Rows per row group, as the Arrow writer's default: a year of BACI products is about one.
pub const ROW_GROUP_ROWS: usize = 1024 * 1024;

/// Writes `batch` to `path` atomically (through a temporary file), each column encoded on a
/// thread of its own; columns named in `raw` are stored uncompressed. Plain threads, not rayon
/// tasks: a rayon worker waiting for its columns would meanwhile start another of the caller's
/// tasks (another year of data) and hold both in memory.
pub fn write(path: &Path, batch: &RecordBatch, raw: &[&str]) -> Result<(), ParquetError> {
    let groups = batch.num_rows().div_ceil(ROW_GROUP_ROWS).max(1);
    let slices = (0..groups).map(|g| {
        let offset = g * ROW_GROUP_ROWS;
        batch.slice(offset, ROW_GROUP_ROWS.min(batch.num_rows() - offset))
    });
    write_groups(path, batch.schema(), slices, raw)
}

/// Writes one row group per batch of `groups` (each of `schema`, at least one) to `path`
/// atomically, as [`write`] does: for tables built a row group at a time, so that only one
/// group's arrays are in memory at once.
pub fn write_groups(
    path: &Path,
    schema: arrow_schema::SchemaRef,
    groups: impl Iterator<Item = RecordBatch>,
    raw: &[&str],
) -> Result<(), ParquetError> {
    let mut parquet_err = None;
    tradepipe_model::fsio::write_atomic_with(path, |w| {
        encode(schema, groups, raw, w).map_err(|e| {
            parquet_err = Some(e.to_string());
            std::io::Error::other("the Parquet writer failed")
        })
    })
    .map_err(|e| ParquetError::Write {
        path: path.into(),
        message: parquet_err.unwrap_or_else(|| e.source.to_string()),
    })
    .map(drop)
}

fn encode(
    schema: arrow_schema::SchemaRef,
    batches: impl Iterator<Item = RecordBatch>,
    raw: &[&str],
    out: &mut (dyn Write + Send),
) -> parquet::errors::Result<()> {
    let props = Arc::new(properties(raw));
    let parquet_schema = ArrowSchemaConverter::new()
        .with_coerce_types(props.coerce_types())
        .convert(&schema)?;
    // The file writer itself, not `ArrowWriter`: that one would embed the Arrow schema.
    let mut writer = SerializedFileWriter::new(out, parquet_schema.root_schema_ptr(), props)?;
    let factory = ArrowRowGroupWriterFactory::new(&writer, Arc::clone(&schema));
    for (g, rows) in batches.enumerate() {
        let writers = factory.create_column_writers(g)?;
        if writers.len() != schema.fields().len() {
            return Err(parquet::errors::ParquetError::NYI(
                "nested columns in a record batch".into(),
            ));
        }
        let columns = rows.columns().iter().zip(schema.fields()).zip(writers);
        let chunks = std::thread::scope(|s| {
            let encoding: Vec<_> = columns
                .enumerate()
                .map(|(c, ((array, field), writer))| {
                    let descr = parquet_schema.column(c);
                    let raw = raw.contains(&field.name().as_str());
                    s.spawn(move || encode_column(descr, field, array, raw, writer))
                })
                .collect();
            encoding
                .into_iter()
                .map(|t| t.join().expect("a column encoder does not panic"))
                .collect::<parquet::errors::Result<Vec<Encoded>>>()
        })?;
        let mut group = writer.next_row_group()?;
        for chunk in chunks {
            match chunk {
                Encoded::Arrow(chunk) => chunk.append_to_row_group(&mut group)?,
                Encoded::Own(chunk) => group.append_column(&chunk.data, chunk.close)?,
            }
        }
        group.close()?;
    }
    writer.close()?;
    Ok(())
}

/// A column chunk encoded by the Arrow writer or by this crate (dictionary arrays from their
/// keys, uncompressed doubles from their buffer).
enum Encoded {
    Arrow(ArrowColumnChunk),
    Own(chunk::Chunk),
}

fn encode_column(
    descr: ColumnDescPtr,
    field: &Field,
    array: &ArrayRef,
    raw: bool,
    mut writer: ArrowColumnWriter,
) -> parquet::errors::Result<Encoded> {
    let own = if let Some(keyed) = array.as_any().downcast_ref::<DictionaryArray<UInt32Type>>() {
        dictionary::chunk(descr, keyed)?
    } else if let Some(doubles) = array.as_any().downcast_ref::<Float64Array>()
        && raw
    {
        plain::chunk(descr, doubles)?
    } else {
        None
    };
    if let Some(chunk) = own {
        return Ok(Encoded::Own(chunk));
    }
    for leaf in compute_leaves(field, array)? {
        writer.write(&leaf)?;
    }
    writer.close().map(Encoded::Arrow)
}

/// Writes one year's partition of the table rooted at `root`.
pub fn write_partition(
    root: &Path,
    year: i32,
    batch: &RecordBatch,
    raw: &[&str],
) -> Result<PathBuf, ParquetError> {
    let path = partition_dir(root, year).join(PART_FILE);
    write(&path, batch, raw)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
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
        let path = write_partition(dir.path(), 2020, &batch(), &["rca"]).unwrap();
        let first = std::fs::read(&path).unwrap();
        write_partition(dir.path(), 2020, &batch(), &["rca"]).unwrap();
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

        let file = std::fs::File::open(&path).unwrap();
        let meta = parquet::file::reader::FileReader::metadata(
            &parquet::file::reader::SerializedFileReader::new(file).unwrap(),
        )
        .clone();
        let compression: Vec<_> = meta
            .row_group(0)
            .columns()
            .iter()
            .map(|c| c.compression())
            .collect();
        let zstd = Compression::ZSTD(ZstdLevel::try_new(1).unwrap());
        assert_eq!(
            compression,
            [Compression::UNCOMPRESSED, zstd, Compression::UNCOMPRESSED],
            "dictionary indices and rca are stored raw"
        );
    }

    #[test]
    fn a_batch_over_a_row_group_is_split_and_reads_back_whole() {
        let n = ROW_GROUP_ROWS + 5;
        let batch = RecordBatch::try_from_iter([(
            "partners",
            Arc::new(UInt32Array::from_iter_values((0..n as u32).map(|i| i % 7))) as ArrayRef,
        )])
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write(&path, &batch, &[]).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let meta = parquet::file::reader::FileReader::metadata(
            &parquet::file::reader::SerializedFileReader::new(file).unwrap(),
        )
        .clone();
        assert_eq!(meta.num_row_groups(), 2);
        assert_eq!(meta.row_group(1).num_rows(), 5);
        let df = crate::read(&path, None).unwrap();
        assert_eq!(df.height(), n);
        let last = df.column("partners").unwrap().u32().unwrap().get(n - 1);
        assert_eq!(last, Some(((n - 1) % 7) as u32));
    }

    #[test]
    fn an_unwritable_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let msg = write_partition(&blocker, 2020, &batch(), &[])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("file/year=2020"), "{msg}");
    }
}
