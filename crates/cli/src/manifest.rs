//! `<output>/manifest.json`: what a successful command left in the output directory (every
//! file with size and SHA-256), the config it ran with, the tool version and when it ran.
//! It is written last and atomically, so it only ever describes complete output. The run time
//! lives here and nowhere else: data files and reports stay byte-identical across reruns.
//! Bookkeeping files (the lock, stage input fingerprints, temporaries) are not listed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tradepipe_model::Config;
use tradepipe_model::fsio::TMP_PREFIX;
use tradepipe_model::hash::sha256_file;

const LOCK_FILE: &str = ".tradepipe.lock";
/// File digests of the last run, by file identity and times (`tradepipe_model::hash`): a
/// cache, not an output, so the manifest leaves it out.
pub const DIGEST_CACHE: &str = ".tradepipe-digests.tsv";
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    command: &'a str,
    config: String,
    config_sha256: String,
    /// Seconds since the Unix epoch at the start of the command.
    started_unix: u64,
    duration_ms: u64,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize)]
struct FileEntry {
    path: String,
    bytes: u64,
    sha256: String,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Removes temporary files that a killed run left behind. Call only while holding the lock.
pub fn remove_orphans(output_dir: &Path) -> std::io::Result<usize> {
    let mut files = Vec::new();
    if output_dir.exists() {
        walk(output_dir, &mut files)?;
    }
    let mut removed = 0;
    for f in files {
        if f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(TMP_PREFIX))
        {
            fs_err::remove_file(&f)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Writes the manifest of `output_dir` after `command` succeeded.
pub fn write(
    cfg: &Config,
    command: &str,
    started: std::time::SystemTime,
) -> Result<PathBuf, tradepipe_model::fsio::WriteError> {
    let dir = &cfg.output_dir;
    let path = dir.join(MANIFEST);
    let err = |source| tradepipe_model::fsio::WriteError {
        path: path.clone(),
        source,
    };
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(err)?;
    files.sort();
    let listed: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|f| {
            let rel = f
                .strip_prefix(dir)
                .expect("walked below dir")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, f)
        })
        .filter(|(rel, _)| {
            !(rel == MANIFEST
                || rel == LOCK_FILE
                || rel == DIGEST_CACHE
                || rel.rsplit('/').next().is_some_and(|n| n.starts_with(TMP_PREFIX))
                || rel.ends_with(tradepipe_contract::MARKER))
        })
        .collect();
    // Hashed in parallel: the output holds the whole canonical table and the product tables.
    let entries = listed
        .into_par_iter()
        .map(|(path, f)| {
            let (sha256, bytes) = sha256_file(&f)?;
            Ok(FileEntry { path, bytes, sha256 })
        })
        .collect::<std::io::Result<Vec<FileEntry>>>()
        .map_err(err)?;
    let (config_sha256, _) = sha256_file(&cfg.path).map_err(err)?;
    let manifest = Manifest {
        tool: "tradepipe",
        version: env!("CARGO_PKG_VERSION"),
        command,
        config: cfg.path.display().to_string(),
        config_sha256,
        started_unix: started
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        duration_ms: started.elapsed().map(|d| d.as_millis() as u64).unwrap_or(0),
        files: entries,
    };
    let mut json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(&path, &json)?;
    Ok(path)
}
