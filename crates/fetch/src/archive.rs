//! Zip archives are checked before anything trusts them: every entry's name must stay inside
//! the archive (no absolute or `..` paths), and every entry is decompressed once, counting
//! bytes, so a decompression bomb or a lying size field stops at the limit instead of filling
//! memory or disk. The zip reader also checks each entry's CRC on the way.

use std::io::{Read, Seek};

/// Bounds on what an archive may expand to.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    pub max_entries: usize,
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
    /// Largest uncompressed/compressed ratio of an entry (real CSV compresses about 5-20x).
    pub max_ratio: u64,
}

impl ZipLimits {
    /// Limits for an archive whose entries may each be up to `max_entry_bytes`.
    pub fn with_max_entry(max_entry_bytes: u64) -> ZipLimits {
        ZipLimits {
            max_entries: 10_000,
            max_entry_bytes,
            max_total_bytes: max_entry_bytes.saturating_mul(64),
            max_ratio: 1_000,
        }
    }
}

/// One entry of a checked archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub bytes: u64,
}

/// Checks the archive and lists its file entries (directories left out).
pub fn check_zip<R: Read + Seek>(reader: R, limits: ZipLimits) -> Result<Vec<ZipEntry>, String> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("not a readable zip archive: {e}"))?;
    if zip.len() > limits.max_entries {
        return Err(format!(
            "{} entries, more than the limit of {}",
            zip.len(),
            limits.max_entries
        ));
    }
    let mut entries = Vec::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| format!("entry {i}: {e}"))?;
        let name = f
            .name()
            .map_err(|e| format!("entry {i}: unreadable name: {e}"))?
            .to_string();
        if f.enclosed_name().is_none() || name.starts_with('/') || name.contains('\\') {
            return Err(format!("entry {name:?} has an absolute or parent-relative path"));
        }
        if f.is_dir() {
            continue;
        }
        let claimed = f.size();
        if claimed > limits.max_entry_bytes {
            return Err(format!(
                "entry {name:?} expands to {claimed} bytes, more than the limit of {}",
                limits.max_entry_bytes
            ));
        }
        if f.compressed_size() > 0 && claimed / f.compressed_size() > limits.max_ratio {
            return Err(format!(
                "entry {name:?} expands {}x (limit {}x): a decompression bomb",
                claimed / f.compressed_size(),
                limits.max_ratio
            ));
        }
        // Read through, never trusting the size field: stop one byte past the limit.
        let mut counted = 0u64;
        let mut limited = (&mut f).take(limits.max_entry_bytes + 1);
        loop {
            let n = limited
                .read(&mut buf)
                .map_err(|e| format!("entry {name:?} is damaged: {e}"))?;
            if n == 0 {
                break;
            }
            counted += n as u64;
        }
        if counted > limits.max_entry_bytes {
            return Err(format!(
                "entry {name:?} expands past the limit of {} bytes",
                limits.max_entry_bytes
            ));
        }
        total += counted;
        if total > limits.max_total_bytes {
            return Err(format!(
                "entries expand to more than the limit of {} bytes in all",
                limits.max_total_bytes
            ));
        }
        entries.push(ZipEntry { name, bytes: counted });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn lists_entries_of_a_good_archive() {
        let z = zip_of(&[("BACI_HS92_Y2010_V202401b.csv", b"t,i,j,k,v,q\n")]);
        let entries = check_zip(Cursor::new(z), ZipLimits::with_max_entry(1 << 20)).unwrap();
        assert_eq!(
            entries,
            vec![ZipEntry {
                name: "BACI_HS92_Y2010_V202401b.csv".into(),
                bytes: 12
            }]
        );
    }

    #[test]
    fn rejects_escaping_paths() {
        for bad in ["../evil.csv", "/etc/passwd", "a/../../b.csv"] {
            let z = zip_of(&[(bad, b"x")]);
            let err = check_zip(Cursor::new(z), ZipLimits::with_max_entry(1 << 20)).unwrap_err();
            assert!(err.contains("absolute or parent-relative"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_bombs_by_ratio_and_by_size() {
        let zeros = vec![0u8; 4 << 20];
        let z = zip_of(&[("zeros.csv", &zeros)]);
        let err = check_zip(Cursor::new(z.clone()), ZipLimits::with_max_entry(1 << 30)).unwrap_err();
        assert!(err.contains("decompression bomb"), "{err}");
        let err = check_zip(Cursor::new(z), ZipLimits::with_max_entry(1 << 20)).unwrap_err();
        assert!(err.contains("more than the limit"), "{err}");
    }

    #[test]
    fn rejects_truncated_archives() {
        let z = zip_of(&[("a.csv", b"1,2,3\n")]);
        let err = check_zip(
            Cursor::new(&z[..z.len() - 10]),
            ZipLimits::with_max_entry(1 << 20),
        )
        .unwrap_err();
        assert!(err.contains("not a readable zip"), "{err}");
    }
}
