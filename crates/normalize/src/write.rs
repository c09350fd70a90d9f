//! Writing the canonical table as Hive-partitioned Parquet.

use std::path::Path;

use polars::prelude::*;
use tradepipe_model::schema::col;

use crate::table::{CanonicalRows, Row};
use crate::{NormalizeError, Provenance};

/// Sorts, deduplicates and writes every year; removes partitions of years not written now.
/// Returns the years written.
pub(crate) fn write_table(
    root: &Path,
    rows: &mut CanonicalRows,
    provenance: &Provenance,
) -> Result<Vec<i32>, NormalizeError> {
    let mut written = Vec::new();
    for (year, range) in rows.year_ranges() {
        let mut df = to_frame(rows, &rows.rows[range]).map_err(|e| parquet_err(root, e))?;
        tradepipe_parquet::write_partition(root, year, &mut df)?;
        written.push(year);
    }
    tradepipe_parquet::remove_stale_partitions(root, &written)?;
    let mut json = serde_json::to_vec_pretty(provenance).expect("provenance serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&root.join("_provenance.json"), &json)?;
    Ok(written)
}

fn to_frame(t: &CanonicalRows, rows: &[Row]) -> PolarsResult<DataFrame> {
    let text = |f: fn(&Row) -> u32| -> Vec<&str> { rows.iter().map(|r| t.text.get(f(r))).collect() };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(col::REPORTER.into(), text(|r| r.reporter)),
            Column::new(col::PARTNER.into(), text(|r| r.partner)),
            Column::new(
                col::FLOW.into(),
                rows.iter().map(|r| r.flow.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(col::CLASSIFICATION.into(), text(|r| r.classification)),
            Column::new(col::PRODUCT.into(), text(|r| r.product)),
            Column::new(
                col::VALUE_USD.into(),
                rows.iter().map(|r| r.value_usd).collect::<Vec<_>>(),
            ),
            Column::new(col::SOURCE.into(), text(|r| r.source)),
            Column::new(col::VINTAGE.into(), text(|r| r.vintage)),
            Column::new(
                col::REPORTED_BY.into(),
                rows.iter().map(|r| r.reported_by.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                col::IS_ESTIMATE.into(),
                rows.iter().map(|r| r.is_estimate).collect::<Vec<_>>(),
            ),
        ],
    )
}

fn parquet_err(root: &Path, e: PolarsError) -> NormalizeError {
    NormalizeError::Parquet {
        path: root.into(),
        message: e.to_string(),
    }
}
