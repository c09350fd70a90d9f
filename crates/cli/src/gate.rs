//! Skipping stages whose inputs did not change. Each stage's output directory holds
//! `.inputs.sha256`: the fingerprint of the stage's input value
//! ([`tradepipe_contract::input`]: the config it reads, the digests of the files it reads)
//! and of the binary, written after the stage succeeds. A rerun with the same fingerprint
//! skips the stage; `--force` runs it anyway.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tradepipe_contract::MARKER;
use tradepipe_model::fsio::WriteError;
use tradepipe_model::hash::{Digest, Sha256, hex};

/// A stage's input fingerprint and where it is recorded.
pub struct Gate {
    marker: PathBuf,
    fingerprint: String,
}

/// The binary that runs the stage: its version, and the size and modification time of its
/// executable. A rebuilt or upgraded tradepipe (new columns, a fixed formula) reruns every
/// stage once even where its version number did not change; the same binary on the same
/// inputs skips. (Its size and time, not its hash: hashing a 100 MB debug build on every
/// command would cost more than the stages it lets skip.) The embedded data (registry,
/// groups, WDI, nomenclatures) are part of it.
#[derive(Serialize)]
struct Binary {
    version: &'static str,
    executable: String,
}

impl Binary {
    fn current() -> Binary {
        let executable = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let time = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} bytes, modified {time}", m.len())
            })
            .unwrap_or_default();
        Binary {
            version: env!("CARGO_PKG_VERSION"),
            executable,
        }
    }
}

impl Gate {
    /// The gate of a stage whose input is `input` and whose outputs are under `output_dir`.
    pub fn new(output_dir: &Path, input: &impl Serialize) -> Gate {
        let json = serde_json::to_vec(&(Binary::current(), input)).expect("stage inputs serialize");
        Gate {
            marker: output_dir.join(MARKER),
            fingerprint: hex(&Sha256::digest(&json)),
        }
    }

    /// Whether the last successful run of the stage had these same inputs.
    pub fn unchanged(&self) -> bool {
        std::fs::read_to_string(&self.marker).is_ok_and(|m| m.trim() == self.fingerprint)
    }

    /// Records the fingerprint after the stage succeeded.
    pub fn record(&self) -> Result<(), WriteError> {
        tradepipe_model::fsio::write_atomic(&self.marker, format!("{}\n", self.fingerprint).as_bytes())
    }

    /// Forgets the fingerprint before a stage rewrites its outputs, so that a crash midway
    /// never leaves a marker that vouches for half-rewritten files.
    pub fn clear(&self) -> Result<(), WriteError> {
        match std::fs::remove_file(&self.marker) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(WriteError {
                path: self.marker.clone(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradepipe_contract::Tree;

    #[test]
    fn fingerprint_follows_content_not_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("in");
        std::fs::create_dir_all(data.join("y=1")).unwrap();
        std::fs::write(data.join("y=1/a"), b"one").unwrap();
        let out = dir.path().join("out");
        let gate_with = |cfg: &str| Gate::new(&out, &(cfg, Tree::read(&data).unwrap()));
        let gate = || gate_with("x");
        assert!(!gate().unchanged());
        gate().record().unwrap();
        assert!(gate().unchanged());
        std::fs::write(data.join("y=1/.tradepipe-tmp-zz"), b"junk").unwrap();
        assert!(gate().unchanged(), "temporary files are not inputs");
        std::fs::write(data.join("y=1/a"), b"two").unwrap();
        assert!(!gate().unchanged());
        gate().record().unwrap();
        assert!(!gate_with("y").unchanged());
        gate().clear().unwrap();
        assert!(!gate().unchanged());
    }
}
