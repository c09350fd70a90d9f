//! A Parquet file read as integer codes: each text column becomes one `u32` per row, an index
//! into the distinct values, without a string per row ever being built.
//!
//! Writers store low-cardinality text (country codes, flows, HS codes) dictionary-encoded,
//! so the Arrow reader is asked for dictionary arrays and hands back the page's keys; only
//! each batch's dictionary (a few thousand values) is hashed, to translate its keys into
//! the file-wide ids. Columns read through one [`Space`] share ids (reporter and partner
//! both name countries). This is the index stage's input path: a year of 2M rows decodes in
//! tens of milliseconds, against about a second as polars string columns.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};

use crate::ParquetError;

/// The id of a null text cell.
pub const NULL: u32 = u32::MAX;

/// Distinct values of one or more text columns; ids are in order of first appearance.
#[derive(Debug, Default, Clone)]
pub struct Space {
    values: Vec<String>,
    index: HashMap<String, u32>,
}

impl Space {
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The text of `id` (`NULL` has none).
    pub fn get(&self, id: u32) -> Option<&str> {
        self.values.get(id as usize).map(String::as_str)
    }

    /// The id of `text`, if some row has it.
    pub fn id(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(text.to_owned());
        self.index.insert(text.to_owned(), id);
        id
    }
}

/// One text column's ids, row by row. A column whose rows all hold one id (a year's
/// classification or flow, province `TOTAL`) is kept as that id: on BACI-shaped data such a
/// column is 8 MB a year that would be written once and read once, and fresh memory is dear
/// (the kernel zeroes it on first touch: most of the index stage's first second).
#[derive(Debug, Clone, PartialEq)]
pub enum Ids {
    /// `len` rows, each `id`.
    Same {
        id: u32,
        len: usize,
    },
    Rows(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Same { id: NULL, len: 0 }
    }
}

impl Ids {
    pub fn len(&self) -> usize {
        match self {
            Ids::Same { len, .. } => *len,
            Ids::Rows(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> u32 {
        match self {
            Ids::Same { id, len } => {
                debug_assert!(i < *len, "row {i} of {len}");
                *id
            }
            Ids::Rows(v) => v[i],
        }
    }

    /// The one id every row holds, if the column was kept as one.
    pub fn same(&self) -> Option<u32> {
        match self {
            Ids::Same { id, len } if *len > 0 => Some(*id),
            _ => None,
        }
    }

    /// Every row's id.
    pub fn to_vec(&self) -> Vec<u32> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }

    /// Appends `n` rows of `id`.
    fn extend_same(&mut self, id: u32, n: usize, capacity: usize) {
        match self {
            Ids::Same { id: held, len } if *len == 0 || *held == id => {
                *held = id;
                *len += n;
            }
            _ => self.rows(capacity).extend(std::iter::repeat_n(id, n)),
        }
    }

    /// The ids as a vector to append to, sized for `capacity` rows once it must be one.
    fn rows(&mut self, capacity: usize) -> &mut Vec<u32> {
        if let Ids::Same { id, len } = *self {
            let mut v = Vec::with_capacity(capacity.max(len));
            v.resize(len, id);
            *self = Ids::Rows(v);
        }
        match self {
            Ids::Rows(v) => v,
            Ids::Same { .. } => unreachable!("made rows above"),
        }
    }
}

/// What to read of one column.
#[derive(Debug, Clone, Copy)]
pub enum Want<'a> {
    /// Text, coded in the named space.
    Text(&'a str),
    /// A float; nulls become NaN.
    F64,
    /// A boolean; nulls become `false`.
    Bool,
}

/// The columns read, by name.
#[derive(Debug, Default)]
pub struct Coded {
    pub height: usize,
    pub spaces: HashMap<String, Space>,
    pub text: HashMap<String, Ids>,
    pub f64: HashMap<String, Vec<f64>>,
    pub bool: HashMap<String, Vec<bool>>,
}

impl Coded {
    /// Adds the columns and spaces of `other`, read from the same rows of the same file.
    pub fn extend(&mut self, other: Coded) {
        debug_assert_eq!(self.height, other.height);
        self.spaces.extend(other.spaces);
        self.text.extend(other.text);
        self.f64.extend(other.f64);
        self.bool.extend(other.bool);
    }

    /// The ids of text column `name` and the space they index.
    pub fn text(&self, name: &str, space: &str) -> Option<(&Ids, &Space)> {
        Some((self.text.get(name)?, self.spaces.get(space)?))
    }
}

/// Reads `columns` of the Parquet file at `path`. A column the file lacks is an error naming
/// it; ask [`crate::column_names`] first for optional ones.
///
/// Columns are decoded on threads of their own, one per id space (columns that share a space
/// share a thread, so ids stay in order of first appearance across them), or per column for
/// numbers. The Arrow reader decodes a file's columns one after another; a year of 2M rows
/// and ten columns otherwise keeps one core busy while the other waits. Plain threads, not
/// rayon tasks, for the reason `batch` gives.
pub fn read_coded(path: &Path, columns: &[(&str, Want<'_>)]) -> Result<Coded, ParquetError> {
    fn space<'a>(w: Want<'a>) -> Option<&'a str> {
        match w {
            Want::Text(space) => Some(space),
            _ => None,
        }
    }
    let mut groups: Vec<Vec<(&str, Want<'_>)>> = Vec::new();
    for &(name, want) in columns {
        match groups
            .iter_mut()
            .find(|g| space(want).is_some() && space(g[0].1) == space(want))
        {
            Some(group) => group.push((name, want)),
            None => groups.push(vec![(name, want)]),
        }
    }
    let parts = std::thread::scope(|s| {
        let reading: Vec<_> = groups
            .iter()
            .map(|group| s.spawn(move || read_group(path, group)))
            .collect();
        reading
            .into_iter()
            .map(|t| t.join().expect("a column reader does not panic"))
            .collect::<Result<Vec<Coded>, ParquetError>>()
    })?;
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for part in parts {
        if part.height != out.height {
            return Err(ParquetError::Read {
                path: path.into(),
                message: format!("columns of {} and {} rows", out.height, part.height),
            });
        }
        out.extend(part);
    }
    Ok(out)
}

/// Reads `columns` with one Arrow reader; text columns that share a space must be read
/// together.
fn read_group(path: &Path, columns: &[(&str, Want<'_>)]) -> Result<Coded, ParquetError> {
    let err = |message: String| ParquetError::Read {
        path: path.into(),
        message,
    };
    let open = || {
        fs_err::File::open(path)
            .map(|f| f.into_parts().0)
            .map_err(|e| err(e.to_string()))
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(open()?).map_err(|e| err(e.to_string()))?;
    // The file's own Arrow schema, with every wanted text column asked for as a dictionary.
    let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let fields: Vec<Field> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let text = matches!(
                columns.iter().find(|(n, _)| n == f.name()),
                Some((_, Want::Text(_)))
            );
            if text {
                Field::new(f.name(), dictionary.clone(), f.is_nullable())
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    let options = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(fields)));
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(open()?, options)
        .map_err(|e| err(e.to_string()))?;
    let leaves = columns
        .iter()
        .map(|(name, _)| {
            builder
                .parquet_schema()
                .columns()
                .iter()
                .position(|c| c.path().parts() == [name.to_string()])
                .ok_or_else(|| err(format!("no column {name:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mask = ProjectionMask::leaves(builder.parquet_schema(), leaves);
    // Sized once from the footer: growing by doubling would hold up to three times a
    // column while it is copied.
    let rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| err(e.to_string()))?;

    let mut out = Coded::default();
    for &(name, want) in columns {
        match want {
            Want::Text(_) => drop(out.text.insert(name.to_owned(), Ids::default())),
            Want::F64 => drop(out.f64.insert(name.to_owned(), Vec::with_capacity(rows))),
            Want::Bool => drop(out.bool.insert(name.to_owned(), Vec::with_capacity(rows))),
        }
    }
    // Per text column, the last batch's dictionary and its ids: the batches of one column
    // chunk share their dictionary, translated once rather than once per batch.
    let mut translated: HashMap<&str, Option<(ArrayRef, Vec<u32>)>> = HashMap::new();
    for batch in reader {
        let batch = batch.map_err(|e| err(e.to_string()))?;
        out.height += batch.num_rows();
        for &(name, want) in columns {
            let array = batch
                .column_by_name(name)
                .ok_or_else(|| err(format!("no column {name:?}")))?;
            match want {
                Want::Text(space) => {
                    let space = out.spaces.entry(space.to_owned()).or_default();
                    let ids = out.text.entry(name.to_owned()).or_default();
                    let last = translated.entry(name).or_default();
                    extend_text(array, space, last, ids, rows)
                        .map_err(|m| err(format!("column {name:?}: {m}")))?;
                }
                Want::F64 => {
                    let a = array
                        .as_primitive_opt::<arrow_array::types::Float64Type>()
                        .ok_or_else(|| {
                            err(format!("column {name:?} is {}, not a float", array.data_type()))
                        })?;
                    let v = out.f64.entry(name.to_owned()).or_default();
                    if a.null_count() == 0 {
                        v.extend_from_slice(a.values());
                    } else {
                        v.extend(a.iter().map(|x| x.unwrap_or(f64::NAN)));
                    }
                }
                Want::Bool => {
                    let a = array.as_boolean_opt().ok_or_else(|| {
                        err(format!("column {name:?} is {}, not a boolean", array.data_type()))
                    })?;
                    out.bool
                        .entry(name.to_owned())
                        .or_default()
                        .extend(a.iter().map(|x| x.unwrap_or(false)));
                }
            }
        }
    }
    Ok(out)
}

/// Appends the file-wide ids of a dictionary array's rows; `last` is the dictionary last
/// translated and its ids, reused when this array shares it. `rows` is the file's row count,
/// the capacity of `ids` once they are kept row by row.
fn extend_text(
    array: &ArrayRef,
    space: &mut Space,
    last: &mut Option<(ArrayRef, Vec<u32>)>,
    ids: &mut Ids,
    rows: usize,
) -> Result<(), String> {
    let dict = array
        .as_dictionary_opt::<Int32Type>()
        .ok_or_else(|| format!("is {}, not text", array.data_type()))?;
    let values = dict
        .values()
        .as_string_opt::<i32>()
        .ok_or_else(|| format!("dictionary of {}, not text", dict.values().data_type()))?;
    // The batch's dictionary translated once; each row is then one lookup.
    let map = match last {
        Some((seen, map)) if Arc::ptr_eq(seen, dict.values()) => map,
        _ => {
            let map = (0..values.len())
                .map(|i| {
                    if values.is_null(i) {
                        NULL
                    } else {
                        space.intern(values.value(i))
                    }
                })
                .collect();
            &last.insert((Arc::clone(dict.values()), map)).1
        }
    };
    let keys = dict.keys();
    // A dictionary whose entries are all one id (a one-value column chunk) gives every row
    // that id, whatever the keys say: they are not read.
    if keys.null_count() == 0
        && let Some(&first) = map.first()
        && map.iter().all(|&id| id == first)
    {
        ids.extend_same(first, keys.len(), rows);
    } else if keys.null_count() == 0 {
        ids.rows(rows)
            .extend(keys.values().iter().map(|&k| map[k as usize]));
    } else {
        ids.rows(rows)
            .extend(keys.iter().map(|k| k.map_or(NULL, |k| map[k as usize])));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn ids_hold_across_batches_and_row_groups() {
        // Several 64K-row batches share a chunk's dictionary; the second row group has a
        // dictionary of its own, in another order.
        let n = ROWS_PER_GROUP * 2;
        let codes: Vec<&str> = (0..n)
            .map(|i| match (i < ROWS_PER_GROUP, i % 7) {
                (true, 0) => "UZB",
                (true, _) => "KAZ",
                (false, 0 | 1) => "AFG",
                (false, _) => "UZB",
            })
            .collect();
        let mut df = DataFrame::new(n, vec![Column::new("reporter".into(), codes.clone())]).unwrap();
        let (_dir, path) = write_row_groups(&mut df);
        let c = read_coded(&path, &[("reporter", Want::Text("country"))]).unwrap();
        let (ids, countries) = c.text("reporter", "country").unwrap();
        let back: Vec<&str> = ids.to_vec().iter().map(|&i| countries.get(i).unwrap()).collect();
        assert_eq!(back, codes);
        assert_eq!(countries.values(), ["UZB", "KAZ", "AFG"]);
    }

    const ROWS_PER_GROUP: usize = 150_000;

    /// `df` written by polars in row groups of [`ROWS_PER_GROUP`] rows.
    fn write_row_groups(df: &mut DataFrame) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let file = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(ROWS_PER_GROUP))
            .finish(df)
            .unwrap();
        (dir, path)
    }

    #[test]
    fn a_one_value_column_is_kept_as_one_id_until_another_value_comes() {
        // Row group 1: "HS92" on every row (three batches); row group 2 mixes in "HS17".
        let n = ROWS_PER_GROUP * 2;
        let class: Vec<&str> = (0..n)
            .map(|i| {
                if i >= ROWS_PER_GROUP && i % 3 == 0 {
                    "HS17"
                } else {
                    "HS92"
                }
            })
            .collect();
        let mut df = DataFrame::new(
            n,
            vec![
                Column::new("classification".into(), class.clone()),
                Column::new("flow".into(), vec!["export"; n]),
            ],
        )
        .unwrap();
        let (_dir, path) = write_row_groups(&mut df);
        let c = read_coded(
            &path,
            &[
                ("classification", Want::Text("classification")),
                ("flow", Want::Text("flow")),
            ],
        )
        .unwrap();
        let (flow, flows) = c.text("flow", "flow").unwrap();
        assert_eq!(flow, &Ids::Same { id: 0, len: n });
        assert_eq!(flows.values(), ["export"]);
        let (ids, classes) = c.text("classification", "classification").unwrap();
        assert!(matches!(ids, Ids::Rows(_)), "a second value makes it rows");
        assert_eq!(ids.len(), n);
        let back: Vec<&str> = ids.to_vec().iter().map(|&i| classes.get(i).unwrap()).collect();
        assert_eq!(back, class);
    }

    #[test]
    fn ids_extend_as_rows_once_they_differ() {
        let mut ids = Ids::default();
        assert_eq!((ids.len(), ids.same()), (0, None));
        ids.extend_same(4, 3, 10);
        ids.extend_same(4, 2, 10);
        assert_eq!((ids.len(), ids.same()), (5, Some(4)));
        ids.extend_same(7, 1, 10);
        assert_eq!(ids, Ids::Rows(vec![4, 4, 4, 4, 4, 7]));
        ids.rows(10).push(1);
        assert_eq!((ids.get(6), ids.same()), (1, None));
    }

    #[test]
    fn text_columns_share_a_space_and_keep_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = DataFrame::new(
            3,
            vec![
                Column::new("reporter".into(), ["CHN", "KAZ", "CHN"]),
                Column::new("partner".into(), [Some("KAZ"), None, Some("USA")]),
                Column::new("value".into(), [Some(1.5f64), None, Some(3.0)]),
                Column::new("est".into(), [Some(true), None, Some(false)]),
            ],
        )
        .unwrap();
        let path = dir.path().join("t.parquet");
        crate::write(&path, &mut df).unwrap();
        let c = read_coded(
            &path,
            &[
                ("reporter", Want::Text("country")),
                ("partner", Want::Text("country")),
                ("value", Want::F64),
                ("est", Want::Bool),
            ],
        )
        .unwrap();
        assert_eq!(c.height, 3);
        let (rep, countries) = c.text("reporter", "country").unwrap();
        let (par, _) = c.text("partner", "country").unwrap();
        let names = |ids: &Ids| ids.to_vec().iter().map(|&i| countries.get(i)).collect::<Vec<_>>();
        assert_eq!(names(rep), [Some("CHN"), Some("KAZ"), Some("CHN")]);
        assert_eq!(names(par), [Some("KAZ"), None, Some("USA")]);
        assert_eq!(par.get(1), NULL);
        assert_eq!(countries.values().len(), 3, "KAZ has one id in both columns");
        let v = &c.f64["value"];
        assert_eq!((v[0], v[2]), (1.5, 3.0));
        assert!(v[1].is_nan());
        assert_eq!(c.bool["est"], [true, false, false]);

        let msg = read_coded(&path, &[("flow", Want::Text("flow"))])
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("t.parquet") && msg.contains("no column \"flow\""),
            "{msg}"
        );
        let msg = read_coded(&path, &[("value", Want::Bool)])
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("column \"value\"") && msg.contains("not a boolean"),
            "{msg}"
        );
    }
}
