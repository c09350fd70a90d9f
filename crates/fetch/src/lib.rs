//! Fetch stage: brings every configured source's raw bytes into the content-addressed raw
//! store under `output/raw/`, and lists them in `output/raw/manifest.json`.
//!
//! * Reads: the `[[source]]` entries of the config: local files (including the embedded IMF
//!   DOTS dataset) and HTTP services (UN Comtrade v1, IMF SDMX 3.0 and legacy SDMX-JSON, World
//!   Bank WITS, CEPII BACI bulk zips), with `COMTRADE_API_KEY` and `TRADEPIPE_*_URL` from the
//!   environment.
//! * Writes: `output/raw/sha256/<first two hex digits>/<hash>` (the raw bytes, never modified),
//!   `output/raw/http/<source>/<key>.json` (one record per HTTP request),
//!   `output/raw/http/budget.json` (calls per source today) and `output/raw/manifest.json`
//!   (one entry per blob: source, format, location, hash, size, vintage, and for HTTP the
//!   status, validators and fetch time).
//! * Invariants: a blob's name is the SHA-256 of its content; a blob already present is not
//!   written again, and a request already answered is not sent again, so reruns are
//!   idempotent and `--offline` reproduces a past run; a response is stored only after it was
//!   validated; secrets never reach a URL, record, manifest, log line or error message; the
//!   manifest is replaced atomically and lists only complete blobs. The normalize stage reads
//!   only what the manifest lists.

pub mod archive;
pub mod http;
pub mod secret;
mod store;

pub use http::SourcePlan;
use tradepipe_contract::RawManifest;

use std::path::PathBuf;

use tradepipe_model::config::SourceKind;
use tradepipe_model::{Config, Registry};

/// A source that could not be brought into the raw store. URLs here never hold secrets.
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
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("GET {url}: status {status}, body starts: {body_start}")]
    Status {
        url: String,
        status: u16,
        body_start: String,
    },
    #[error("GET {url}: status {status} but {reason}; body starts: {body_start}")]
    InvalidBody {
        url: String,
        status: u16,
        reason: String,
        body_start: String,
    },
    #[error(
        "GET {url}: returned {cap} records, the service's cap per call, so the answer may be cut short; list partners or products to split the request, or set COMTRADE_API_KEY for the 100k cap"
    )]
    RecordCap { url: String, cap: usize },
    #[error("GET {url}: {bytes} bytes, more than the limit of {limit} (http.max-response-mib)")]
    TooLarge { url: String, bytes: u64, limit: u64 },
    #[error("GET {url}: gave up after {attempts} attempts; last: {last}")]
    GaveUp {
        url: String,
        attempts: u32,
        last: String,
    },
    #[error(
        "GET {url}: the server asks to wait {wait_secs} s, more than http.retry-after-cap-secs = {cap_secs}; try again later"
    )]
    RetryAfterTooLong {
        url: String,
        wait_secs: u64,
        cap_secs: u64,
    },
    #[error(
        "source {source_name:?}: the daily budget of {limit} calls is spent for {day} (UTC); what was fetched is kept, rerun tomorrow to continue"
    )]
    BudgetExhausted {
        source_name: String,
        limit: u32,
        day: String,
    },
    #[error("source {source_name:?}: --offline, and {url} is not in the cache")]
    NotCached { source_name: String, url: String },
    #[error("{location}: rejected archive: {message}")]
    Archive { location: String, message: String },
}

/// How `tradepipe fetch` treats the network.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchOptions {
    /// Use only the cache; a request it lacks is an error.
    pub offline: bool,
    /// Ask again for what the cache holds (conditionally, with its ETag / Last-Modified).
    pub refresh: bool,
}

/// What `--dry-run` shows: each HTTP source's requests, how many the cache answers, and the
/// calls left to spend. No network access.
pub fn plan(cfg: &Config) -> Vec<SourcePlan> {
    let registry = Registry::embedded();
    cfg.sources
        .iter()
        .filter(|s| s.kind != SourceKind::File)
        .map(|s| http::plan_source(cfg, s, &registry))
        .collect()
}

/// Brings every configured source into the raw store and writes the raw manifest.
pub fn run(cfg: &Config, opts: &FetchOptions) -> Result<RawManifest, FetchError> {
    let registry = Registry::embedded();
    let mut entries = Vec::with_capacity(cfg.sources.len());
    for src in &cfg.sources {
        match src.kind {
            SourceKind::File => {
                let entry = store::store_file(&cfg.output_dir, src)?;
                tracing::info!(source = %src.name, sha256 = %entry.sha256, bytes = entry.bytes, "source stored");
                entries.push(entry);
            }
            _ => entries.extend(http::fetch_source(cfg, src, opts, &registry)?),
        }
    }
    let manifest = RawManifest { entries };
    manifest.write(&cfg.output_dir)?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradepipe_contract::paths::blob_path;
    use tradepipe_contract::read_manifest;
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
        let first = run(&cfg, &FetchOptions::default()).unwrap();
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
        let second = run(&cfg, &FetchOptions::default()).unwrap();
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
        let msg = run(&config_in(dir.path()), &FetchOptions::default())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("\"local\"") && msg.contains("in.csv"), "{msg}");
    }

    #[test]
    fn truncated_blob_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.csv"), b"abcdef").unwrap();
        let cfg = config_in(dir.path());
        let m = run(&cfg, &FetchOptions::default()).unwrap();
        std::fs::write(blob_path(&cfg.output_dir, &m.entries[0].sha256), b"abc").unwrap();
        let msg = read_manifest(&cfg.output_dir).unwrap_err().to_string();
        assert!(msg.contains("has 3 bytes, manifest says 6"), "{msg}");
        std::fs::remove_dir_all(&cfg.output_dir).unwrap();
        assert!(matches!(
            read_manifest(&cfg.output_dir),
            Err(tradepipe_contract::ManifestError::Missing { .. })
        ));
    }
}
