//! Atomic file writes: a file is written to a temporary file in its own directory, flushed,
//! and renamed over the target, so a reader (or a crash) never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::hash::{Digest, Sha256, hex};

/// Prefix of every temporary file the pipeline writes; leftovers of a killed run are removed
/// by the next run (they are never listed in a manifest).
pub const TMP_PREFIX: &str = ".tradepipe-tmp-";

/// A write that failed, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(path, |w| w.write_all(bytes)).map(drop)
}

/// Writes `path` atomically through `fill`, which gets a buffered writer to the temporary file.
/// Returns the SHA-256 of what was written (hashed on the way out).
pub fn write_atomic_with<F>(path: &Path, fill: F) -> Result<String, WriteError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
{
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir).map_err(err)?;
    let tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dir)
        .map_err(err)?;
    let digest = {
        let mut w = std::io::BufWriter::new(Hashing {
            file: tmp.as_file(),
            sha: Sha256::new(),
        });
        fill(&mut w).map_err(err)?;
        let hashing = w.into_inner().map_err(|e| err(e.into_error()))?;
        hex(&hashing.sha.finalize())
    };
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // The manifest lists every output with its hash: known now, it need not be read back.
    crate::hash::remember(path, digest.clone()).map_err(err)?;
    Ok(digest)
}

/// A file writer that hashes what it writes.
struct Hashing<'a> {
    file: &'a std::fs::File,
    sha: Sha256,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Checks, without leaving anything behind, that `dir` could be created and written: a
/// temporary file is made in `dir` or in its nearest existing ancestor and removed again.
pub fn check_writable(dir: &Path) -> Result<(), WriteError> {
    let mut probe = dir;
    while !probe.exists() {
        match probe.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => probe = p,
            None => {
                probe = Path::new(".");
                break;
            }
        }
    }
    tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(probe)
        .map(drop)
        .map_err(|source| WriteError {
            path: dir.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a/b/c.txt");
        write_atomic(&target, b"first version, longer").unwrap();
        write_atomic(&target, b"second").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["c.txt"]);
    }

    #[test]
    fn writability_is_checked_at_the_nearest_existing_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        check_writable(&dir.path().join("not/yet/there")).unwrap();
        assert!(!dir.path().join("not").exists(), "the check created directories");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the probe was left behind"
        );
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        let e = check_writable(&file.join("out")).unwrap_err();
        assert!(e.to_string().contains("plain-file/out"), "{e}");
    }

    #[test]
    fn failed_fill_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("keep.txt");
        write_atomic(&target, b"old").unwrap();
        let res = write_atomic_with(&target, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("boom"))
        });
        let e = res.unwrap_err();
        assert!(e.to_string().contains("keep.txt"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
    }
}
