//! CEPII BACI bulk releases: a zip holding one CSV per year, named
//! `BACI_<HS revision>_Y<year>_V<version>.csv`, with columns `t` (year), `i` (exporter), `j`
//! (importer), `k` (HS6 product), `v` (value, thousands of US dollars, FOB) and `q` (tonnes).
//! Other entries (country and product code lists, readme) are not read.
//!
//! * Country codes are BACI's numeric codes, which follow UN Comtrade's (842 = USA,
//!   490 = Taiwan) and resolve through the same table.
//! * `k` is text: a code that lost its leading zero on the way (`10121`) is padded back to
//!   six digits (`010121`), so chapters 01-09 keep their codes.
//! * BACI reconciles the exporter's and the importer's reports into one FOB value per flow;
//!   each record becomes the exporter's export and the importer's import, both with that
//!   value.
//! * Each entry is one year: the stage lists the entries first ([`list_entries`]) and reads
//!   each in the task of its year ([`read_entry`]), so no more than the years in flight are
//!   ever in memory.
//! * Entries are read through a byte cap (the fetch stage checked every entry; this guards a
//!   blob swapped on disk since).

use std::io::Read;

use tradepipe_model::Flow;

use tradepipe_model::rules::{Rule, is_valid_hs, revision_not_in_force};

use super::{ReadInput, ReadStats, RowMaker};
use crate::NormalizeError;
use crate::rejects::Reject;
use crate::table::{CanonicalRows, Row};
use crate::year::ZipEntry;

const THOUSAND: f64 = 1e3;
/// Largest entry read (a full HS6 year is about 1 GB of CSV).
const MAX_ENTRY_BYTES: u64 = 16 << 30;

/// `(revision, year)` of a data entry name, e.g. `("HS92", 2010)`.
fn entry_year(name: &str) -> Option<(String, i32)> {
    let base = name.rsplit('/').next()?;
    let rest = base.strip_prefix("BACI_")?.strip_suffix(".csv")?;
    let mut parts = rest.split('_');
    let revision = parts.next()?.to_string();
    let year = parts.next()?.strip_prefix('Y')?.parse().ok()?;
    Some((revision, year))
}

/// The data entries of the zip at `input.blob` within `input.years`, in the zip's order: its
/// central directory only, nothing is inflated.
pub(crate) fn list_entries(
    input: &ReadInput<'_>,
    blob: usize,
) -> Result<Vec<(i32, ZipEntry)>, NormalizeError> {
    let mut zip = open(input)?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| NormalizeError::Read {
            file: input.file.clone(),
            message: format!("entry {i}: {e}"),
        })?;
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if let Some((revision, year)) = entry_year(&name)
            && input.years.contains(year)
        {
            out.push((
                year,
                ZipEntry {
                    blob,
                    index: i,
                    name,
                    revision,
                    bytes: f.size(),
                },
            ));
        }
    }
    Ok(out)
}

fn open(input: &ReadInput<'_>) -> Result<zip::ZipArchive<std::io::BufReader<fs_err::File>>, NormalizeError> {
    let file = fs_err::File::open(input.blob).map_err(|e| NormalizeError::Read {
        file: input.file.clone(),
        message: e.to_string(),
    })?;
    zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| NormalizeError::Read {
        file: input.file.clone(),
        message: format!("not a readable zip archive: {e}"),
    })
}

/// No entry in a lookup table yet.
const UNSEEN: u32 = u32::MAX;
/// A code that resolves to nothing (its rows are rejected).
const INVALID: u32 = u32::MAX - 1;

/// Reads the data entry `e` (of `year`) into `out`: each record becomes the exporter's export
/// and the importer's import. Fields are read as bytes and codes resolved through dense
/// tables filled once per distinct code (BACI's country numbers, and products by their
/// number), so a record costs no allocation; anything the fast path does not recognise takes
/// the slow one, which names the line, column and value of what it rejects.
pub(crate) fn read_entry(
    input: &ReadInput<'_>,
    e: &ZipEntry,
    year: i32,
    out: &mut CanonicalRows,
) -> Result<ReadStats, NormalizeError> {
    let mut zip = open(input)?;
    let name = &e.name;
    let entry = zip.by_index(e.index).map_err(|err| NormalizeError::Read {
        file: input.file.clone(),
        message: format!("entry {name}: {err}"),
    })?;
    // Two rows a record, and a record takes 20 bytes or more: reserved once, so the rows are
    // not copied as they grow (untouched capacity costs address space only).
    out.rows.reserve(usize::try_from(entry.size() / 10).unwrap_or(0));
    // The entry is inflated on a thread of its own while this one parses (inflating is a
    // third of reading an entry, and one deflate stream cannot be split). A scoped thread,
    // not a rayon task: a rayon worker waiting for it would start another year.
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        s.spawn(move || inflate(entry.take(MAX_ENTRY_BYTES), &tx));
        parse_entry(input, e, year, out, Chunks::new(rx))
    })
}

/// Chunks an inflating thread hands to the parser.
const CHUNK: usize = 1 << 20;

/// Reads `entry` to its end in chunks of [`CHUNK`] bytes and sends them, then an empty chunk
/// (the end) or the error that stopped it. Stops early when the parser has gone.
fn inflate(mut entry: impl Read, tx: &std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>) {
    loop {
        let mut chunk = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            match entry.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        chunk.truncate(filled);
        let end = filled == 0;
        if tx.send(Ok(chunk)).is_err() || end {
            return;
        }
    }
}

/// The inflated entry as a reader, from the chunks [`inflate`] sends.
struct Chunks {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl Chunks {
    fn new(rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>) -> Chunks {
        Chunks {
            rx,
            chunk: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.done = chunk.is_empty();
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The inflater ended without an end marker: it cannot, but be an error.
                Err(_) => return Err(std::io::Error::other("the entry's inflater stopped")),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Parses the inflated data entry `reader` (see [`read_entry`]).
fn parse_entry(
    input: &ReadInput<'_>,
    e: &ZipEntry,
    year: i32,
    out: &mut CanonicalRows,
    reader: impl Read,
) -> Result<ReadStats, NormalizeError> {
    let name = &e.name;
    let make = RowMaker::new(input, out);
    let mut stats = ReadStats::default();
    let at = format!("{} entry {name}", input.file);
    let reject = |rule: Rule, line: usize, column: &str, value: &[u8], message: &str| {
        let value = String::from_utf8_lossy(value);
        input
            .rejects
            .borrow_mut()
            .record(rule, Reject::at(&at, line, column, &value, message));
    };
    let revision = e.revision.as_str();
    let classification = out.text.intern(revision);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader);
    let headers = csv.byte_headers().map_err(|err| NormalizeError::Read {
        file: at.clone(),
        message: err.to_string(),
    })?;
    let col = |c: &str| -> Result<usize, NormalizeError> {
        headers
            .iter()
            .position(|h| h.trim_ascii() == c.as_bytes())
            .ok_or_else(|| NormalizeError::MissingColumn {
                file: at.clone(),
                column: c.into(),
                found: headers
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).into_owned())
                    .collect::<Vec<_>>()
                    .join(","),
            })
    };
    let (ct, ci, cj, ck, cv) = (col("t")?, col("i")?, col("j")?, col("k")?, col("v")?);
    // Quantity in metric tons; `NA` (padded with spaces) where CEPII has none. Optional: a
    // table without `q` has no quantities.
    let cq = col("q").ok();
    let tonnes = out.text.intern("t");
    // The entry's year is in force or not for every record of it.
    let not_in_force = revision_not_in_force(revision, year);
    let mut countries: Vec<u32> = vec![UNSEEN; 1000];
    let mut other_countries: rustc_hash::FxHashMap<u32, u32> = Default::default();
    let mut products: Vec<u32> = vec![UNSEEN; 1_000_000];
    let mut record = csv::ByteRecord::new();
    let mut line = 1usize;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                return Err(NormalizeError::Read {
                    file: at.clone(),
                    message: format!("line {}: {err}", line + 1),
                });
            }
        }
        line += 1;
        let field = |c: usize| record.get(c).unwrap_or(b"").trim_ascii();
        let t = match digits(field(ct)).and_then(|t| i32::try_from(t).ok()) {
            Some(t) => t,
            None => match std::str::from_utf8(field(ct))
                .ok()
                .and_then(|s| s.parse::<i32>().ok())
            {
                Some(t) => t,
                None => {
                    reject(Rule::ValidType, line, "t", field(ct), "not a year");
                    continue;
                }
            },
        };
        let in_force = if t == year {
            not_in_force.clone()
        } else {
            revision_not_in_force(revision, t)
        };
        if let Some(message) = in_force {
            reject(Rule::ValidProduct, line, "t", field(ct), &message);
            continue;
        }
        if t != year {
            let message = format!("year differs from the entry's Y{year}");
            reject(Rule::YearInRange, line, "t", field(ct), &message);
            continue;
        }
        let mut country = |c: usize, column: &str| -> Option<u32> {
            let Some(code) = digits(field(c)) else {
                reject(Rule::ValidType, line, column, field(c), "not a country code");
                return None;
            };
            let slot = match countries.get_mut(code as usize) {
                Some(s) => s,
                None => other_countries.entry(code).or_insert(UNSEEN),
            };
            if *slot == UNSEEN {
                *slot = match input.registry.resolve_comtrade_code(code) {
                    Some(entity) => out.text.intern(&entity.code),
                    None => INVALID,
                };
            }
            if *slot == INVALID {
                reject(
                    Rule::AcceptedCode,
                    line,
                    column,
                    field(c),
                    "unknown BACI/Comtrade country code",
                );
                return None;
            }
            Some(*slot)
        };
        let (Some(exporter), Some(importer)) = (country(ci, "i"), country(cj, "j")) else {
            continue;
        };
        let k = field(ck);
        // BACI writes codes as numbers: chapters 01-09 lose their leading zero by design.
        // Five or six digits: the number names the code (`10121` and `010121` alike).
        let product = match digits(k).filter(|_| matches!(k.len(), 5 | 6)) {
            Some(n) => {
                let slot = &mut products[n as usize];
                if *slot == UNSEEN {
                    let code = format!("{n:06}");
                    *slot = if is_valid_hs(&code) {
                        out.text.intern(&code)
                    } else {
                        INVALID
                    };
                }
                *slot
            }
            None => INVALID,
        };
        if product == INVALID {
            reject(Rule::ValidProduct, line, "k", k, "not an HS6 code");
            continue;
        }
        let v = field(cv);
        let Some(value) = std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
        else {
            reject(Rule::ValidType, line, "v", v, "not a number");
            continue;
        };
        if value < 0.0 {
            reject(Rule::NonNegative, line, "v", v, "negative trade value");
            stats.negative_values += 1;
        }
        let quantity = match cq.map(field) {
            None | Some(b"" | b"NA") => None,
            Some(q) => match std::str::from_utf8(q).ok().and_then(|s| s.parse::<f64>().ok()) {
                Some(q) if q.is_finite() && q >= 0.0 => Some(q),
                _ => {
                    reject(Rule::ValidType, line, "q", q, "not a quantity (tonnes, or NA)");
                    continue;
                }
            },
        };
        let product = Some((classification, product));
        let usd = value * THOUSAND;
        let mut export = make.row(year, exporter, importer, Flow::Export, product, usd);
        if let Some(q) = quantity {
            export.quantity = q;
            export.quantity_unit = tonnes;
        }
        out.rows.push(export);
        out.rows.push(Row {
            reporter: importer,
            partner: exporter,
            flow: Flow::Import,
            ..export
        });
    }
    Ok(stats)
}

/// The number an ASCII digit string (1 to 9 digits) writes.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        assert_eq!(
            entry_year("BACI_HS92_Y2010_V202401b.csv"),
            Some(("HS92".into(), 2010))
        );
        assert_eq!(
            entry_year("dir/BACI_HS17_Y2022_V202401b.csv"),
            Some(("HS17".into(), 2022))
        );
        assert_eq!(entry_year("country_codes_V202401b.csv"), None);
        assert_eq!(entry_year("Readme.txt"), None);
    }

    #[test]
    fn digit_strings() {
        assert_eq!(digits(b"010121"), Some(10121));
        assert_eq!(digits(b"842"), Some(842));
        assert_eq!(digits(b""), None);
        assert_eq!(digits(b"-1"), None);
        assert_eq!(digits(b"1.5"), None);
        assert_eq!(digits(b"1234567890"), None, "ten digits may not fit");
    }
}
