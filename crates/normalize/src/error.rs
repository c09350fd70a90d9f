//! Why a payload could not become canonical rows.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("{file}: cannot read: {message}")]
    Read { file: String, message: String },
    #[error("{file}: header lacks column {column:?} (found: {found})")]
    MissingColumn {
        file: String,
        column: String,
        found: String,
    },
    /// `row` counts lines of the file, the header being line 1.
    #[error("{file}, line {row}, column {column:?}: {message}: {value:?}")]
    BadValue {
        file: String,
        row: usize,
        column: String,
        value: String,
        message: String,
    },
    #[error(
        "conflicting values for year {year}, {reporter} -> {partner}, {flow}, product {product}: \
         {first} ({first_source}) and {second} ({second_source})"
    )]
    ConflictingDuplicate {
        year: i32,
        reporter: String,
        partner: String,
        flow: String,
        product: String,
        first: f64,
        first_source: String,
        second: f64,
        second_source: String,
    },
    /// Rows failed error-severity validation rules; every failing row is in the rejects table.
    #[error(
        "{first}\n{count} input row(s) failed error-severity rules ({summary}); every failing row \
         is listed in {path}; the canonical table was left as it was"
    )]
    Rejected {
        first: String,
        count: usize,
        summary: String,
        path: PathBuf,
    },
    #[error(transparent)]
    Nomenclature(#[from] tradepipe_model::nomenclature::NomenclatureError),
    #[error(transparent)]
    Write(#[from] tradepipe_model::fsio::WriteError),
    #[error("cannot build the table for {path}: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error(transparent)]
    ParquetIo(#[from] tradepipe_parquet::ParquetError),
}
