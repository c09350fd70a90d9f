//! Fetch stage: brings every configured source's raw bytes into the content-addressed raw
//! store under `output/raw/`, and lists them in `output/raw/manifest.json`.
//!
//! * Reads: the `[[source]]` entries of the config (today: local files, including the
//!   embedded IMF DOTS dataset).
//! * Writes: `output/raw/sha256/<first two hex digits>/<hash>` (the raw bytes, never modified)
//!   and `output/raw/manifest.json` (one entry per source: name, format, original location,
//!   hash, size, vintage).
//! * Invariants: a blob's name is the SHA-256 of its content; a blob already present is not
//!   written again, so reruns are idempotent; the manifest is replaced atomically and lists
//!   only blobs that are completely written. The normalize stage reads only what the manifest
//!   lists.

mod manifest;
mod store;

pub use manifest::{RawEntry, RawManifest, read_manifest};
pub use store::{blob_path, raw_dir};

use std::path::PathBuf;

use tradepipe_model::Config;
use tradepipe_model::config::SourceKind;

/// A source that could not be brought into the raw store.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("source {source_name:?}: cannot read {path}: {error}")]
    ReadSource {
        source_name: String,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] tradepipe_model::fsio::WriteError),
    #[error("raw manifest {path} is missing; run `tradepipe fetch` (or `tradepipe run`) first")]
    NoManifest { path: PathBuf },
    #[error("raw manifest {path} is unreadable: {message}")]
    BadManifest { path: PathBuf, message: String },
}

/// Brings every configured source into the raw store and writes the raw manifest.
pub fn run(cfg: &Config) -> Result<RawManifest, FetchError> {
    let mut entries = Vec::with_capacity(cfg.sources.len());
    for src in &cfg.sources {
        let entry = match src.kind {
            SourceKind::File => store::store_file(&cfg.output_dir, src)?,
        };
        tracing::info!(source = %src.name, sha256 = %entry.sha256, bytes = entry.bytes, "source stored");
        entries.push(entry);
    }
    let manifest = RawManifest { entries };
    manifest.write(&cfg.output_dir)?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradepipe_model::config::Overrides;

    fn config_in(dir: &std::path::Path) -> Config {
        let text = r#"
[run]
years = { from = 2000, to = 2001 }
[[source]]
name = "local"
kind = "file"
format = "imf-dots-csv"
path = "in.csv"
vintage = "test"
[indices]
countries = ["CHN", "KAZ"]
"#;
        Config::from_str(text, &dir.join("pipeline.toml"), &Overrides::default(), None).unwrap()
    }

    #[test]
    fn stores_by_content_and_reruns_idempotently() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.csv"), b"abc").unwrap();
        let cfg = config_in(dir.path());
        let first = run(&cfg).unwrap();
        let e = &first.entries[0];
        assert_eq!(
            e.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            std::fs::read(blob_path(&cfg.output_dir, &e.sha256)).unwrap(),
            b"abc"
        );
        let manifest_bytes = std::fs::read(cfg.output_dir.join("raw/manifest.json")).unwrap();
        let second = run(&cfg).unwrap();
        assert_eq!(first, second);
        assert_eq!(
            std::fs::read(cfg.output_dir.join("raw/manifest.json")).unwrap(),
            manifest_bytes
        );
        assert_eq!(read_manifest(&cfg.output_dir).unwrap(), first);
    }

    #[test]
    fn missing_source_names_source_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let msg = run(&config_in(dir.path())).unwrap_err().to_string();
        assert!(msg.contains("\"local\"") && msg.contains("in.csv"), "{msg}");
    }

    #[test]
    fn truncated_blob_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.csv"), b"abcdef").unwrap();
        let cfg = config_in(dir.path());
        let m = run(&cfg).unwrap();
        std::fs::write(blob_path(&cfg.output_dir, &m.entries[0].sha256), b"abc").unwrap();
        let msg = read_manifest(&cfg.output_dir).unwrap_err().to_string();
        assert!(msg.contains("has 3 bytes, manifest says 6"), "{msg}");
        std::fs::remove_dir_all(&cfg.output_dir).unwrap();
        assert!(matches!(
            read_manifest(&cfg.output_dir),
            Err(FetchError::NoManifest { .. })
        ));
    }
}
