//! SHA-256 content hashes, as lowercase hex: the names of raw blobs and the checksums of the
//! run manifest.
//!
//! A run hashes some files twice (the stage gate fingerprints the canonical table, and the
//! run manifest lists it again) and writes others it would then read back only to hash. So
//! digests are remembered for the life of the process, keyed by what changes whenever a
//! file's content does -- device, inode, size, modification and status-change times -- and
//! files written through [`crate::fsio`] are hashed as their bytes go out.
//!
//! Across runs, the digests a run used are kept in a cache file ([`save_cache`],
//! [`load_cache`]; the CLI keeps it in the output directory), as git's index keeps file
//! stats: a rerun over an unchanged canonical table does not read it again to hash it. A
//! cached digest is trusted only for a file last changed at least two seconds before the
//! digest was taken, so a write in the same clock tick as the hashing can never hide.

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

/// A digest and when it was taken, in seconds since the epoch.
#[derive(Debug, Clone)]
struct Known {
    digest: String,
    taken: i64,
    /// Learned or used by this process (the entries a cache file keeps).
    live: bool,
}

static KNOWN: LazyLock<Mutex<HashMap<FileKey, Known>>> = LazyLock::new(Default::default);

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Seconds a file must have been unchanged when its digest was taken for a cached digest to be
/// trusted: file times may be as coarse as a clock tick, and a rewrite within the tick of the
/// hashing would keep them.
const SETTLED: i64 = 2;

fn known(k: FileKey) -> Option<String> {
    let mut map = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let entry = map.get_mut(&k)?;
    if !entry.live && entry.taken < k.mtime.0.max(k.ctime.0) + SETTLED {
        return None;
    }
    entry.live = true;
    Some(entry.digest.clone())
}

fn learn(k: FileKey, digest: String) {
    let entry = Known {
        digest,
        taken: now(),
        live: true,
    };
    KNOWN.lock().unwrap_or_else(|e| e.into_inner()).insert(k, entry);
}

/// Adds the digests of the cache file at `path` to what this process knows. A missing or
/// unreadable cache is an empty one, and lines that do not parse are skipped: the cache only
/// ever saves reading a file.
pub fn load_cache(path: &Path) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let mut map = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    for line in text.lines() {
        if let Some((k, entry)) = parse_line(line) {
            map.entry(k).or_insert(entry);
        }
    }
}

fn parse_line(line: &str) -> Option<(FileKey, Known)> {
    let f: Vec<&str> = line.split('\t').collect();
    let [dev, ino, len, ms, mns, cs, cns, taken, digest] = f[..] else {
        return None;
    };
    let int = |s: &str| s.parse::<i64>().ok();
    let uint = |s: &str| s.parse::<u64>().ok();
    let valid = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then_some(())?;
    let key = FileKey {
        dev: uint(dev)?,
        ino: uint(ino)?,
        len: uint(len)?,
        mtime: (int(ms)?, int(mns)?),
        ctime: (int(cs)?, int(cns)?),
    };
    let entry = Known {
        digest: digest.to_owned(),
        taken: int(taken)?,
        live: false,
    };
    Some((key, entry))
}

/// Writes the digests this process learned or used to the cache file at `path` (atomically);
/// those of files it did not touch are dropped, so the cache holds one run's files.
pub fn save_cache(path: &Path) -> Result<(), crate::fsio::WriteError> {
    let mut lines: Vec<String> = KNOWN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|(_, e)| e.live && e.digest.len() == 64)
        .map(|(k, e)| cache_line(k, e.taken, &e.digest))
        .collect();
    lines.sort();
    crate::fsio::write_atomic(path, lines.concat().as_bytes())
}

/// One line of the cache file, as [`parse_line`] reads it.
fn cache_line(k: &FileKey, taken: i64, digest: &str) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{taken}\t{digest}\n",
        k.dev, k.ino, k.len, k.mtime.0, k.mtime.1, k.ctime.0, k.ctime.1
    )
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
    fn a_cached_digest_is_trusted_only_for_a_file_settled_before_it_was_taken() {
        let dir = tempfile::tempdir().unwrap();
        let (settled, fresh) = (dir.path().join("settled"), dir.path().join("fresh"));
        std::fs::write(&settled, b"abc").unwrap();
        std::fs::write(&fresh, b"abc").unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&settled)
            .unwrap()
            .set_modified(old)
            .unwrap();
        // Cache lines as an earlier run wrote them, with a wrong digest for each file: a
        // hash that returns it proves the line was used. The change time cannot be set back,
        // so "taken" is put well after it for the settled file, and at it for the fresh one.
        let line = |p: &Path, taken_after_change: i64| {
            let k = key(&std::fs::metadata(p).unwrap()).unwrap();
            cache_line(&k, k.mtime.0.max(k.ctime.0) + taken_after_change, &"e".repeat(64))
        };
        let cache = dir.path().join("cache");
        let text = line(&settled, 10) + &line(&fresh, 0) + "not a line\n";
        std::fs::write(&cache, text).unwrap();
        load_cache(&cache);
        assert_eq!(
            sha256_file(&settled).unwrap().0,
            "e".repeat(64),
            "settled: cache used"
        );
        assert_eq!(
            sha256_file(&fresh).unwrap().0,
            hex(&Sha256::digest(b"abc")),
            "changed in the second it was hashed: read again"
        );
        // Saved: both files (one used, one hashed now), in the same format.
        save_cache(&cache).unwrap();
        let saved = std::fs::read_to_string(&cache).unwrap();
        let parsed: Vec<_> = saved.lines().filter_map(parse_line).collect();
        assert!(parsed.iter().any(|(_, e)| e.digest == "e".repeat(64)), "{saved}");
        assert!(
            parsed
                .iter()
                .any(|(_, e)| e.digest == hex(&Sha256::digest(b"abc"))),
            "{saved}"
        );
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
