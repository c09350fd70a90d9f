//! Where each stage's files live under the output directory. Every stage and the binary find
//! each other's files through these functions only.

use std::path::{Path, PathBuf};

/// `output/raw`: the content-addressed raw store (fetch).
pub fn raw_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("raw")
}

/// Where the blob with this SHA-256 lives.
pub fn blob_path(output_dir: &Path, sha256: &str) -> PathBuf {
    raw_dir(output_dir).join("sha256").join(&sha256[..2]).join(sha256)
}

/// `output/raw/manifest.json`: what the raw store holds for this run's sources.
pub fn manifest_path(output_dir: &Path) -> PathBuf {
    raw_dir(output_dir).join("manifest.json")
}

/// `output/parquet/trade`: the canonical table (normalize).
pub fn trade_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("trade")
}

/// `output/parquet/trade/_provenance.json`.
pub fn provenance_path(output_dir: &Path) -> PathBuf {
    trade_dir(output_dir).join("_provenance.json")
}

/// `output/parquet/rejects/rejects.parquet`.
pub fn rejects_path(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("rejects").join("rejects.parquet")
}

/// `output/parquet/mirror`: both reports of every flow between two economies.
pub fn mirror_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("mirror")
}

/// `output/parquet/indices`: the index tables.
pub fn indices_dir(output_dir: &Path) -> PathBuf {
    output_dir.join("parquet").join("indices")
}

/// `output/reports/<name>`.
pub fn report_dir(output_dir: &Path, name: &str) -> PathBuf {
    output_dir.join("reports").join(name)
}
