//! `output/raw/manifest.json`: what the raw store holds for this run's sources. Fetch writes
//! it; normalize reads only what it lists.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tradepipe_model::config::SourceFormat;

use crate::paths::{blob_path, manifest_path};

/// The manifest is missing, unreadable, or lists a blob the store does not hold whole.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("raw manifest {path} is missing; run `tradepipe fetch` (or `tradepipe run`) first")]
    Missing { path: PathBuf },
    #[error("raw manifest {path} is unreadable: {message}")]
    Unreadable { path: PathBuf, message: String },
}

/// One source's raw bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawEntry {
    /// The `[[source]]` name.
    pub source: String,
    /// How the normalize stage must read the bytes.
    pub format: SourceFormat,
    /// Where the bytes came from: a path or a URL with any secret removed.
    pub location: String,
    pub sha256: String,
    pub bytes: u64,
    pub vintage: String,
    #[serde(default)]
    pub description: String,
    /// HTTP sources: how the response was obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpMeta>,
}

/// The request behind an HTTP source's blob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpMeta {
    /// When the response arrived (RFC 3339, UTC). Lives here and in the run manifest only,
    /// never inside data files.
    pub fetched_at: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// Every blob of the run (one per file source, one per request of an HTTP source), in config
/// order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawManifest {
    pub entries: Vec<RawEntry>,
}

impl RawManifest {
    /// Replaces `output/raw/manifest.json` atomically.
    pub fn write(&self, output_dir: &Path) -> Result<(), tradepipe_model::fsio::WriteError> {
        let mut json = serde_json::to_vec_pretty(self).expect("manifest serializes");
        json.push(b'\n');
        tradepipe_model::fsio::write_atomic(&manifest_path(output_dir), &json)
    }

    /// The entry of a source.
    pub fn entry(&self, source: &str) -> Option<&RawEntry> {
        self.entries.iter().find(|e| e.source == source)
    }
}

/// Reads the raw manifest and checks that every blob it lists is present with its size.
pub fn read_manifest(output_dir: &Path) -> Result<RawManifest, ManifestError> {
    let path = manifest_path(output_dir);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ManifestError::Missing { path });
        }
        Err(e) => {
            return Err(ManifestError::Unreadable {
                path,
                message: e.to_string(),
            });
        }
    };
    let manifest: RawManifest = serde_json::from_str(&text).map_err(|e| ManifestError::Unreadable {
        path: path.clone(),
        message: e.to_string(),
    })?;
    for e in &manifest.entries {
        let blob = blob_path(output_dir, &e.sha256);
        let problem = match std::fs::metadata(&blob) {
            Ok(m) if m.len() == e.bytes => continue,
            Ok(m) => format!(
                "blob {} has {} bytes, manifest says {}",
                blob.display(),
                m.len(),
                e.bytes
            ),
            Err(err) => format!("blob {}: {err}", blob.display()),
        };
        return Err(ManifestError::Unreadable {
            path,
            message: problem,
        });
    }
    Ok(manifest)
}
