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
            Column::new(col::PROVINCE.into(), text(|r| r.province)),
            Column::new(col::REGIME.into(), text(|r| r.regime)),
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

/// Writes the discrepancy table, one partition per year; removes partitions of other years.
pub(crate) fn write_mirror(
    root: &Path,
    text: &CanonicalRows,
    rows: &[crate::mirror::Discrepancy],
) -> Result<(), NormalizeError> {
    let mut written = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let year = rows[start].year;
        let end = start + rows[start..].iter().take_while(|d| d.year == year).count();
        let mut df = mirror_frame(text, &rows[start..end]).map_err(|e| parquet_err(root, e))?;
        tradepipe_parquet::write_partition(root, year, &mut df)?;
        written.push(year);
        start = end;
    }
    tradepipe_parquet::remove_stale_partitions(root, &written)?;
    Ok(())
}

fn mirror_frame(t: &CanonicalRows, rows: &[crate::mirror::Discrepancy]) -> PolarsResult<DataFrame> {
    let f64s = |name: &str, f: fn(&crate::mirror::Discrepancy) -> Option<f64>| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    let strs = |name: &str, f: fn(&crate::mirror::Discrepancy) -> &str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "reporter".into(),
                rows.iter().map(|d| t.text.get(d.reporter)).collect::<Vec<_>>(),
            ),
            Column::new(
                "partner".into(),
                rows.iter().map(|d| t.text.get(d.partner)).collect::<Vec<_>>(),
            ),
            strs("flow", |d| d.flow.as_str()),
            f64s("own_usd", |d| d.own_usd),
            f64s("mirror_usd", |d| d.mirror_usd),
            f64s("mirror_converted_usd", |d| d.mirror_converted_usd),
            f64s("ratio", |d| d.ratio),
            f64s("chosen_usd", |d| d.chosen_usd),
            Column::new(
                "chosen_side".into(),
                rows.iter()
                    .map(|d| d.chosen_side.map(|s| s.as_str()))
                    .collect::<Vec<_>>(),
            ),
            strs("reason", |d| d.reason),
        ],
    )
}

/// Writes the rejects table (empty when nothing failed, so a clean rerun clears old rejects).
pub(crate) fn write_rejects(path: &Path, rejects: &crate::rejects::Rejects) -> Result<(), NormalizeError> {
    let rows = rejects.rows();
    let strs = |name: &str, f: fn(&crate::rejects::Reject) -> &str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    let mut df = DataFrame::new(
        rows.len(),
        vec![
            strs("rule", |r| r.rule.as_str()),
            strs("severity", |r| r.severity.as_str()),
            strs("action", |r| r.rule.action().as_str()),
            strs("file", |r| &r.file),
            Column::new(
                "line".into(),
                rows.iter().map(|r| r.line.map(|l| l as u64)).collect::<Vec<_>>(),
            ),
            strs("column", |r| &r.column),
            strs("value", |r| &r.value),
            Column::new("year".into(), rows.iter().map(|r| r.year).collect::<Vec<_>>()),
            Column::new(
                "rows".into(),
                rows.iter().map(|r| r.rows as u64).collect::<Vec<_>>(),
            ),
            strs("message", |r| &r.message),
        ],
    )
    .map_err(|e| parquet_err(path, e))?;
    tradepipe_parquet::write(path, &mut df)?;
    Ok(())
}
