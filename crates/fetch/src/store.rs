//! The content-addressed raw store.

use std::path::Path;

use tradepipe_model::config::SourceConfig;
use tradepipe_model::hash::{Digest, Sha256, hex, sha256_file};

use tradepipe_contract::RawEntry;
pub(crate) use tradepipe_contract::paths::{blob_path, raw_dir};

use crate::FetchError;

/// Copies a local file into the store (unless its content is already there) and describes it.
///
/// The file is hashed first: on a rerun, where the blob is usually present, that is the only
/// read and nothing is written. A new blob is copied with `write_atomic_with` while being hashed
/// again, so a source that changes between the two reads is an error, never a mislabelled blob.
pub(crate) fn store_file(output_dir: &Path, src: &SourceConfig) -> Result<RawEntry, FetchError> {
    let path = src
        .path
        .as_deref()
        .expect("config check: file sources have a path");
    let read_err = |error| FetchError::ReadSource {
        source_name: src.name.clone(),
        path: path.to_path_buf(),
        error,
    };
    let (sha256, bytes) = sha256_file(path).map_err(read_err)?;
    let dest = blob_path(output_dir, &sha256);
    if std::fs::metadata(&dest).is_ok_and(|m| m.len() == bytes) {
        tracing::debug!(path = %dest.display(), "blob already in the raw store");
    } else {
        let mut input = fs_err::File::open(path).map_err(read_err)?;
        // The copy is hashed as it is written: a source that changed between the two reads
        // is an error, never a mislabelled blob.
        let copied =
            tradepipe_model::fsio::write_atomic_with(&dest, |w| std::io::copy(&mut input, w).map(drop))?;
        if copied != sha256 {
            let _ = std::fs::remove_file(&dest);
            return Err(read_err(std::io::Error::other(
                "the file changed while it was being copied",
            )));
        }
    }
    Ok(RawEntry {
        source: src.name.clone(),
        format: src.effective_format(),
        location: path.display().to_string(),
        sha256,
        bytes,
        vintage: src.vintage.clone().unwrap_or_default(),
        description: src.description.clone(),
        http: None,
    })
}

/// Stores bytes as a blob (atomically; nothing is written if the blob exists).
pub(crate) fn store_bytes(output_dir: &Path, bytes: &[u8]) -> Result<(String, u64), FetchError> {
    let sha256 = hex(&Sha256::digest(bytes));
    let dest = blob_path(output_dir, &sha256);
    if !std::fs::metadata(&dest).is_ok_and(|m| m.len() == bytes.len() as u64) {
        tradepipe_model::fsio::write_atomic(&dest, bytes)?;
    }
    Ok((sha256, bytes.len() as u64))
}

/// Moves a complete download into the store under its hash (a rename: bulk files are not
/// copied twice).
pub(crate) fn adopt_file(output_dir: &Path, path: &Path) -> Result<(String, u64), FetchError> {
    let write_err = |source| {
        FetchError::Write(tradepipe_model::fsio::WriteError {
            path: path.to_path_buf(),
            source,
        })
    };
    let (sha256, bytes) = sha256_file(path).map_err(write_err)?;
    let dest = blob_path(output_dir, &sha256);
    if let Some(dir) = dest.parent() {
        fs_err::create_dir_all(dir).map_err(write_err)?;
    }
    fs_err::rename(path, &dest).map_err(write_err)?;
    Ok((sha256, bytes))
}
