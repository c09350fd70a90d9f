//! Writing the canonical table's partitions, the mirror table's and the rejects table.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use polars::prelude::{Column, DataFrame, PolarsError, PolarsResult};
use tradepipe_model::schema::{PART_FILE, col, partition_dir};
use tradepipe_model::{Flow, ReportedBy};

use crate::NormalizeError;
use crate::table::{CanonicalRows, Conversion, Row};
use tradepipe_model::concordance::{EDITIONS, Method};

/// Writes one year's rows, in key order, as the partition `year=YYYY/part-0.parquet` under `root`,
/// a row group at a time. Text columns are dictionary arrays over the column's codes (no
/// string per row), written as dictionary-encoded chunks straight from their keys, which is
/// also what the index stage reads fastest.
/// `converted`: whether `[normalize] hs-target` is set, which adds the `converted_from` and
/// `conversion` columns (without it they would say "not converted" on every row, at a tenth
/// of a BACI normalize's time).
pub(crate) fn write_year(
    root: &Path,
    year: i32,
    t: &CanonicalRows,
    converted: bool,
) -> Result<(), NormalizeError> {
    let schema = canonical_schema(converted);
    // A row group's rows are gathered in key order, then turned into columns.
    let order = &t.order;
    let groups = (0..order.len().div_ceil(CANONICAL_GROUP_ROWS).max(1)).map(|g| {
        let start = g * CANONICAL_GROUP_ROWS;
        let end = order.len().min(start + CANONICAL_GROUP_ROWS);
        let rows: Vec<Row> = order[start..end].iter().map(|&i| t.rows[i as usize]).collect();
        group(&schema, t, &rows)
    });
    let path = partition_dir(root, year).join(PART_FILE);
    // Quantities are near-random doubles: stored uncompressed, straight from their buffer.
    tradepipe_parquet::batch::write_groups(&path, Arc::clone(&schema), groups, &[col::QUANTITY])?;
    Ok(())
}

/// Rows per row group of the canonical table. A group's rows are copied in key order and turned
/// into sixteen columns before it is encoded: at 2^20 rows that is 150 MB a year in flight on
/// BACI, at 2^18 a quarter of it, for the same bytes of data (measured: no slower).
const CANONICAL_GROUP_ROWS: usize = 1 << 18;

/// The canonical table's columns, in order (`year` is in the directory name). Nullable, as a
/// polars frame declares its columns, so that the files read as they always have.
fn canonical_schema(converted: bool) -> SchemaRef {
    // Code columns are dictionary arrays; they are written as UTF-8 text columns.
    let codes = DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8));
    let text = |name: &str| Field::new(name, codes.clone(), true);
    let mut fields = vec![
        text(col::REPORTER),
        text(col::PARTNER),
        text(col::FLOW),
        text(col::CLASSIFICATION),
        text(col::PRODUCT),
        text(col::PROVINCE),
        text(col::REGIME),
        Field::new(col::VALUE_USD, DataType::Float64, true),
        text(col::SOURCE),
        text(col::VINTAGE),
        text(col::REPORTED_BY),
        Field::new(col::IS_ESTIMATE, DataType::Boolean, true),
        Field::new(col::QUANTITY, DataType::Float64, true),
        text(col::QUANTITY_UNIT),
    ];
    if converted {
        fields.extend([text(col::CONVERTED_FROM), text(col::CONVERSION)]);
    }
    Arc::new(Schema::new(fields))
}

/// One row group of the canonical table.
fn group(schema: &SchemaRef, t: &CanonicalRows, rows: &[Row]) -> RecordBatch {
    // The columns are built on two threads (scoped, not rayon: a rayon worker waiting here
    // would start another year), half each by cost.
    // The first five columns in schema order on one thread, the others on this one.
    let columns: Vec<ArrayRef> = std::thread::scope(|s| {
        let first = s.spawn(|| {
            let mut slot = vec![u32::MAX; t.text.len()];
            let flow = keyed(
                rows.iter().map(|r| r.flow as u32).collect(),
                Flow::ALL.iter().map(|f| f.as_str()).collect(),
            );
            [
                codes(t, rows, |r| r.reporter, &mut slot),
                codes(t, rows, |r| r.partner, &mut slot),
                flow,
                codes(t, rows, |r| r.classification, &mut slot),
                codes(t, rows, |r| r.product, &mut slot),
            ]
        });
        let mut slot = vec![u32::MAX; t.text.len()];
        let reported_by = keyed(
            rows.iter()
                .map(|r| u32::from(r.reported_by == ReportedBy::Partner))
                .collect(),
            vec![ReportedBy::Reporter.as_str(), ReportedBy::Partner.as_str()],
        );
        let value: ArrayRef = Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.value_usd)));
        let estimate: ArrayRef = Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.is_estimate))));
        // Values and a validity mask built apart: an array of options would go through a
        // builder a row at a time.
        let values: Vec<f64> = rows.iter().map(|r| r.quantity).collect();
        let valid = values.iter().any(|q| q.is_nan()).then(|| {
            values
                .iter()
                .map(|q| !q.is_nan())
                .collect::<arrow_buffer::NullBuffer>()
        });
        let quantity: ArrayRef = Arc::new(Float64Array::new(values.into(), valid));
        let unit = codes_or_null(t, rows, |r| r.quantity_unit, t.text.lookup(""), &mut slot);
        let mut second = vec![
            codes(t, rows, |r| r.province, &mut slot),
            codes(t, rows, |r| r.regime, &mut slot),
            value,
            codes(t, rows, |r| r.source, &mut slot),
            codes(t, rows, |r| r.vintage, &mut slot),
            reported_by,
            estimate,
            quantity,
            unit,
        ];
        if schema.column_with_name(col::CONVERSION).is_some() {
            second.extend(conversion_columns(t, rows, &mut slot));
        }
        let first = first.join().expect("column building does not panic");
        first.into_iter().chain(second).collect()
    });
    RecordBatch::try_new(Arc::clone(schema), columns).expect("columns match the schema")
}

/// `converted_from` and `conversion` of `rows`.
fn conversion_columns(t: &CanonicalRows, rows: &[Row], slot: &mut [u32]) -> [ArrayRef; 2] {
    // Rows not converted came in their own classification.
    let editions: Vec<u32> = EDITIONS
        .iter()
        .map(|e| t.text.lookup(e).unwrap_or(u32::MAX))
        .collect();
    let converted_from = codes(
        t,
        rows,
        |r: &Row| match Conversion::unpack(r.conversion) {
            Some(c) => editions[c.from],
            None => r.classification,
        },
        slot,
    );
    let mut methods = vec![tradepipe_model::concordance::NOT_CONVERTED];
    methods.extend(Method::ALL.iter().map(|m| m.as_str()));
    let conversion = keyed(
        rows.iter().map(|r| Conversion::rule_key(r.conversion)).collect(),
        methods,
    );
    [converted_from, conversion]
}

/// A code column as a dictionary array whose dictionary holds the codes it uses, in order of
/// first use. `slot` (one entry per interned id, all `u32::MAX`) maps an id to its key while
/// the column is built and is left as it was found.
fn codes(t: &CanonicalRows, rows: &[Row], id: impl Fn(&Row) -> u32, slot: &mut [u32]) -> ArrayRef {
    let (keys, used) = keys_of(rows, id, |_| false, slot);
    keyed(keys, used.iter().map(|&i| t.text.get(i)).collect())
}

/// Each row's key in the order of first use of its id, and the ids in that order; rows whose
/// id `skip` names get key 0 and use nothing. `slot` is left as it was found.
fn keys_of(
    rows: &[Row],
    id: impl Fn(&Row) -> u32,
    skip: impl Fn(u32) -> bool,
    slot: &mut [u32],
) -> (Vec<u32>, Vec<u32>) {
    let mut used: Vec<u32> = Vec::new();
    let keys: Vec<u32> = rows
        .iter()
        .map(|r| {
            let i = id(r);
            if skip(i) {
                return 0;
            }
            let s = &mut slot[i as usize];
            if *s == u32::MAX {
                *s = used.len() as u32;
                used.push(i);
            }
            *s
        })
        .collect();
    for &i in &used {
        slot[i as usize] = u32::MAX;
    }
    (keys, used)
}

/// [`codes`] of an id that may name nothing: rows whose id is `none` are null.
fn codes_or_null(
    t: &CanonicalRows,
    rows: &[Row],
    id: fn(&Row) -> u32,
    none: Option<u32>,
    slot: &mut [u32],
) -> ArrayRef {
    let Some(none) = none.filter(|n| rows.iter().any(|r| id(r) == *n)) else {
        return codes(t, rows, id, slot);
    };
    let (keys, mut used) = keys_of(rows, id, |i| i == none, slot);
    let valid: arrow_buffer::NullBuffer = rows.iter().map(|r| id(r) != none).collect();
    // A null key's value is never read: 0 is a valid key even if no row names a unit.
    if used.is_empty() {
        used.push(none);
    }
    let keys = UInt32Array::new(keys.into(), Some(valid));
    let values: Vec<&str> = used.iter().map(|&i| t.text.get(i)).collect();
    Arc::new(DictionaryArray::<UInt32Type>::new(
        keys,
        Arc::new(StringArray::from(values)),
    ))
}

fn keyed(keys: Vec<u32>, values: Vec<&str>) -> ArrayRef {
    Arc::new(DictionaryArray::<UInt32Type>::new(
        UInt32Array::from(keys),
        Arc::new(StringArray::from(values)),
    ))
}

fn parquet_err(root: &Path, e: PolarsError) -> NormalizeError {
    NormalizeError::Parquet {
        path: root.into(),
        message: e.to_string(),
    }
}

/// Writes one year's discrepancy rows as its partition of the mirror table under `root`.
pub(crate) fn write_mirror_year(
    root: &Path,
    year: i32,
    text: &CanonicalRows,
    rows: &[crate::mirror::Discrepancy],
) -> Result<(), NormalizeError> {
    let mut df = mirror_frame(text, rows).map_err(|e| parquet_err(root, e))?;
    tradepipe_parquet::write_partition(root, year, &mut df)?;
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
