//! The content-addressed raw store.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use tradepipe_model::config::SourceConfig;
use tradepipe_model::hash::{Digest, Sha256, hex};

use crate::{FetchError, RawEntry};

/// `output/raw`.
pub fn raw_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("raw")
}

/// Where the blob with this SHA-256 lives.
pub fn blob_path(output_dir: &Path, sha256: &str) -> PathBuf {
    raw_dir(output_dir).join("sha256").join(&sha256[..2]).join(sha256)
}

/// Copies a local file into the store (unless its content is already there) and describes it.
pub(crate) fn store_file(output_dir: &Path, src: &SourceConfig) -> Result<RawEntry, FetchError> {
    let read_err = |error| FetchError::ReadSource {
        source_name: src.name.clone(),
        path: src.path.clone(),
        error,
    };
    // Hash while copying into a temporary file beside the store, so the file is read once.
    let tmp_dir = raw_dir(output_dir).join("sha256");
    fs_err::create_dir_all(&tmp_dir).map_err(|source| tradepipe_model::fsio::WriteError {
        path: tmp_dir.clone(),
        source,
    })?;
    let mut input = fs_err::File::open(&src.path).map_err(read_err)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(tradepipe_model::fsio::TMP_PREFIX)
        .tempfile_in(&tmp_dir)
        .map_err(|source| tradepipe_model::fsio::WriteError {
            path: tmp_dir.clone(),
            source,
        })?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n])
            .map_err(|source| tradepipe_model::fsio::WriteError {
                path: tmp.path().to_path_buf(),
                source,
            })?;
        bytes += n as u64;
    }
    let sha256 = hex(&hasher.finalize());
    let dest = blob_path(output_dir, &sha256);
    if dest.exists() {
        // Same content already stored: drop the copy (the temp file deletes itself).
        tracing::debug!(path = %dest.display(), "blob already in the raw store");
    } else {
        let write_err = |source| tradepipe_model::fsio::WriteError {
            path: dest.clone(),
            source,
        };
        fs_err::create_dir_all(dest.parent().expect("blob has a parent")).map_err(write_err)?;
        tmp.as_file().sync_all().map_err(write_err)?;
        tmp.persist(&dest).map_err(|e| write_err(e.error))?;
    }
    Ok(RawEntry {
        source: src.name.clone(),
        format: src.format.as_str().to_string(),
        location: src.path.display().to_string(),
        sha256,
        bytes,
        vintage: src.vintage.clone(),
        description: src.description.clone(),
    })
}
