//! Parquet I/O shared by the stages that hold tables in polars frames.
//!
//! * Reads: one Parquet file, or one partition `year=YYYY/part-0.parquet` of a
//!   Hive-partitioned table.
//! * Reads for the index stage: a file's text columns as integer codes ([`coded`]), its
//!   columns decoded on parallel threads.
//! * Writes for the index stage: Arrow record batches whose code columns are dictionary
//!   arrays, written as dictionary-encoded chunks straight from their keys ([`batch`],
//!   `dictionary`, `rle`), and whose uncompressed doubles are PLAIN chunks straight from their
//!   buffer (`plain`; both assembled by `chunk`): the product table's path, which builds no
//!   string per row and copies each value once.
//! * Writes: Parquet files atomically (temporary file in the same directory, then rename),
//!   zstd-compressed, with no timestamp or host name inside, so equal frames give equal bytes.

pub mod batch;
mod chunk;
pub mod coded;
mod dictionary;
mod plain;
mod rle;

use std::path::{Path, PathBuf};

use polars::prelude::*;
use tradepipe_model::schema::{PART_FILE, partition_dir};

/// A Parquet file that could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("cannot read Parquet {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("cannot write Parquet {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// Writes `df` to `path` atomically.
pub fn write(path: &Path, df: &mut DataFrame) -> Result<(), ParquetError> {
    let mut polars_err = None;
    tradepipe_model::fsio::write_atomic_with(path, |w| {
        ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(df)
            .map(|_| ())
            .map_err(|e| {
                polars_err = Some(e.to_string());
                std::io::Error::other("polars failed")
            })
    })
    .map_err(|e| ParquetError::Write {
        path: path.into(),
        message: polars_err.unwrap_or_else(|| e.source.to_string()),
    })
    .map(drop)
}

/// Writes one year's partition of the table rooted at `root`.
pub fn write_partition(root: &Path, year: i32, df: &mut DataFrame) -> Result<PathBuf, ParquetError> {
    let path = partition_dir(root, year).join(PART_FILE);
    write(&path, df)?;
    Ok(path)
}

/// Reads `path`, keeping only `columns` (all if `None`).
pub fn read(path: &Path, columns: Option<&[&str]>) -> Result<DataFrame, ParquetError> {
    let err = |message: String| ParquetError::Read {
        path: path.into(),
        message,
    };
    let file = fs_err::File::open(path).map_err(|e| err(e.to_string()))?;
    ParquetReader::new(file.into_parts().0)
        .with_columns(columns.map(|c| c.iter().map(|s| s.to_string()).collect()))
        .finish()
        .map_err(|e| err(e.to_string()))
}

/// The column names of a Parquet file, from its footer (no data is read).
pub fn column_names(path: &Path) -> Result<Vec<String>, ParquetError> {
    let err = |message: String| ParquetError::Read {
        path: path.into(),
        message,
    };
    let file = fs_err::File::open(path).map_err(|e| err(e.to_string()))?;
    let schema = ParquetReader::new(file.into_parts().0)
        .schema()
        .map_err(|e| err(e.to_string()))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Reads one year's partition of the table rooted at `root`.
pub fn read_partition(root: &Path, year: i32, columns: Option<&[&str]>) -> Result<DataFrame, ParquetError> {
    read(&partition_dir(root, year).join(PART_FILE), columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_byte_stable() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = DataFrame::new(
            2,
            vec![
                Column::new("a".into(), ["x", "y"]),
                Column::new("v".into(), [1.5f64, -2.0]),
            ],
        )
        .unwrap();
        let p1 = write_partition(dir.path(), 2001, &mut df).unwrap();
        let first = std::fs::read(&p1).unwrap();
        write_partition(dir.path(), 2001, &mut df).unwrap();
        assert_eq!(
            std::fs::read(&p1).unwrap(),
            first,
            "rewriting the same frame changed bytes"
        );
        let back = read_partition(dir.path(), 2001, Some(&["v"])).unwrap();
        assert_eq!(back.get_column_names(), vec!["v"]);
        assert_eq!(back.column("v").unwrap().f64().unwrap().get(1), Some(-2.0));
    }

    #[test]
    fn missing_file_names_path() {
        let msg = read_partition(Path::new("/nonexistent/t"), 1999, None)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("/nonexistent/t/year=1999/part-0.parquet"), "{msg}");
    }
}

/// Removes the partitions of `root` whose year is not in `keep`, so a table never mixes
/// years of an earlier, wider run with this one.
pub fn remove_stale_partitions(root: &Path, keep: &[i32]) -> Result<(), ParquetError> {
    let err = |path: &Path, e: std::io::Error| ParquetError::Write {
        path: path.into(),
        message: e.to_string(),
    };
    for year in tradepipe_model::schema::partition_years(root).map_err(|e| err(root, e))? {
        if !keep.contains(&year) {
            let dir = partition_dir(root, year);
            fs_err::remove_dir_all(&dir).map_err(|e| err(&dir, e))?;
        }
    }
    Ok(())
}
