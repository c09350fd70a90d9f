//! `output/raw/manifest.json`: what the raw store holds for this run's sources.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{FetchError, store};

/// One source's raw bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawEntry {
    /// The `[[source]]` name.
    pub source: String,
    /// How the normalize stage must read the bytes (`imf-dots-csv`, ...).
    pub format: String,
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
    pub(crate) fn write(&self, output_dir: &Path) -> Result<(), FetchError> {
        let path = manifest_path(output_dir);
        let mut json = serde_json::to_vec_pretty(self).expect("manifest serializes");
        json.push(b'\n');
        tradepipe_model::fsio::write_atomic(&path, &json)?;
        Ok(())
    }

    /// The entry of a source.
    pub fn entry(&self, source: &str) -> Option<&RawEntry> {
        self.entries.iter().find(|e| e.source == source)
    }
}

fn manifest_path(output_dir: &Path) -> std::path::PathBuf {
    store::raw_dir(output_dir).join("manifest.json")
}

/// Reads the raw manifest and checks that every blob it lists is present with its size.
pub fn read_manifest(output_dir: &Path) -> Result<RawManifest, FetchError> {
    let path = manifest_path(output_dir);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FetchError::NoManifest { path });
        }
        Err(e) => {
            return Err(FetchError::BadManifest {
                path,
                message: e.to_string(),
            });
        }
    };
    let manifest: RawManifest = serde_json::from_str(&text).map_err(|e| FetchError::BadManifest {
        path: path.clone(),
        message: e.to_string(),
    })?;
    for e in &manifest.entries {
        let blob = store::blob_path(output_dir, &e.sha256);
        match std::fs::metadata(&blob) {
            Ok(m) if m.len() == e.bytes => {}
            Ok(m) => {
                return Err(FetchError::BadManifest {
                    path,
                    message: format!(
                        "blob {} has {} bytes, manifest says {}",
                        blob.display(),
                        m.len(),
                        e.bytes
                    ),
                });
            }
            Err(err) => {
                return Err(FetchError::BadManifest {
                    path,
                    message: format!("blob {}: {err}", blob.display()),
                });
            }
        }
    }
    Ok(manifest)
}
