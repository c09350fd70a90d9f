//! SHA-256 content hashes, as lowercase hex: the names of raw blobs and the checksums of the
//! run manifest.
//!
//! A run hashes some files twice (the stage gate fingerprints the canonical table, and the
//! run manifest lists it again) and writes others it would then read back only to hash. So
//! digests are remembered for the life of the process, keyed by what changes whenever a
//! file's content does -- device, inode, size, modification and status-change times -- and
//! files written through [`crate::fsio`] are hashed as their bytes go out.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

pub use sha2::{Digest, Sha256};

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What identifies a file's content without reading it. An atomic write makes a new inode;
/// an in-place write moves the change time, which no program can set back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FileKey {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

#[cfg(unix)]
fn key(meta: &std::fs::Metadata) -> Option<FileKey> {
    use std::os::unix::fs::MetadataExt;
    Some(FileKey {
        dev: meta.dev(),
        ino: meta.ino(),
        len: meta.len(),
        mtime: (meta.mtime(), meta.mtime_nsec()),
        ctime: (meta.ctime(), meta.ctime_nsec()),
    })
}

/// Elsewhere nothing is remembered: every call reads the file.
#[cfg(not(unix))]
fn key(_: &std::fs::Metadata) -> Option<FileKey> {
    None
}

static KNOWN: LazyLock<Mutex<HashMap<FileKey, String>>> = LazyLock::new(Default::default);

fn known(k: FileKey) -> Option<String> {
    KNOWN.lock().unwrap_or_else(|e| e.into_inner()).get(&k).cloned()
}

fn learn(k: FileKey, digest: String) {
    KNOWN.lock().unwrap_or_else(|e| e.into_inner()).insert(k, digest);
}

/// Records `digest` as the content hash of the file now at `path` (its writer hashed the
/// bytes as they went out).
pub fn remember(path: &Path, digest: String) -> std::io::Result<()> {
    if let Some(k) = key(&fs_err::metadata(path)?) {
        learn(k, digest);
    }
    Ok(())
}

/// SHA-256 and size of a file, read in 1 MiB blocks, or remembered from earlier in the run
/// if the file has not changed since.
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = fs_err::File::open(path)?;
    let before = key(&f.metadata()?);
    if let Some(k) = before
        && let Some(digest) = known(k)
    {
        return Ok((digest, k.len));
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let digest = hex(&hasher.finalize());
    // Remembered only if nothing changed the file while it was read.
    let after = f.metadata().ok().as_ref().and_then(key);
    if let Some(k) = before.filter(|&k| after == Some(k) && k.len == size) {
        learn(k, digest.clone());
    }
    Ok((digest, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_180_2_test_vector() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(sha256_file(&p).unwrap(), (hex(&Sha256::digest(b"abc")), 3));
    }

    #[test]
    fn a_remembered_digest_is_forgotten_when_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        // A wrong digest on record is what a second hash returns while the file is the same:
        // that proves the record is used, and that it is dropped once the file changes.
        remember(&p, "recorded".into()).unwrap();
        assert_eq!(sha256_file(&p).unwrap(), ("recorded".to_owned(), 3));
        // Same size, rewritten in place: the change time moves even within one clock tick.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&p, b"abd").unwrap();
        assert_eq!(sha256_file(&p).unwrap(), (hex(&Sha256::digest(b"abd")), 3));
        // Replaced atomically (a new inode), as the pipeline writes.
        crate::fsio::write_atomic(&p, b"xyz").unwrap();
        assert_eq!(sha256_file(&p).unwrap(), (hex(&Sha256::digest(b"xyz")), 3));
    }
}
