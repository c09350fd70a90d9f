//! Skipping stages whose inputs did not change. Each stage's output directory holds
//! `.inputs.sha256`: a fingerprint of what the stage read (the previous stage's files, the
//! config sections it uses, the templates, the tool version), written after the stage
//! succeeds. A rerun with the same fingerprint skips the stage; `--force` runs it anyway.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tradepipe_model::fsio::{TMP_PREFIX, WriteError};
use tradepipe_model::hash::{Digest, Sha256, hex, sha256_file};

pub const MARKER: &str = ".inputs.sha256";

/// A stage's input fingerprint and where it is recorded.
pub struct Gate {
    marker: PathBuf,
    fingerprint: String,
}

/// Accumulates the parts of a fingerprint.
#[derive(Default)]
pub struct Inputs(Sha256);

impl Inputs {
    pub fn text(mut self, label: &str, value: &str) -> Inputs {
        // Length-prefixed, so that ("ab","c") and ("a","bc") differ.
        for part in [label, value] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part.as_bytes());
        }
        self
    }

    /// Every file under `dir` (relative path and content hash), in path order, leaving out
    /// markers and temporary files. Paths that do not exist add nothing.
    pub fn tree(mut self, label: &str, dir: &Path) -> std::io::Result<Inputs> {
        let mut files = Vec::new();
        collect(dir, &mut files)?;
        files.sort();
        self = self.text("tree", label);
        // Files are hashed in parallel (a year of BACI is tens of megabytes) and fed to the
        // fingerprint in path order.
        let hashes = files
            .par_iter()
            .map(|f| sha256_file(f))
            .collect::<std::io::Result<Vec<_>>>()?;
        for (f, (sha, _)) in files.iter().zip(hashes) {
            let rel = f
                .strip_prefix(dir)
                .expect("below dir")
                .to_string_lossy()
                .into_owned();
            self = self.text(&rel, &sha);
        }
        Ok(self)
    }

    /// The binary that runs the stage: its version, and the size and modification time of
    /// its executable. A rebuilt or upgraded tradepipe (new columns, a fixed formula) reruns
    /// every stage once even where its version number did not change; the same binary on
    /// the same inputs skips. (Its size and time, not its hash: hashing a 100 MB debug build
    /// on every command would cost more than the stages it lets skip.)
    pub fn binary(self) -> Inputs {
        let exe = std::env::current_exe()
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
        self.text("version", env!("CARGO_PKG_VERSION"))
            .text("executable", &exe)
    }

    /// The content hash of the file at `path`, when given (an input file named by the
    /// config, such as the complexity tables' population CSV).
    pub fn file(self, label: &str, path: Option<&Path>) -> std::io::Result<Inputs> {
        match path {
            Some(p) => {
                let (sha, _) = sha256_file(p)?;
                Ok(self.text(label, &sha))
            }
            None => Ok(self),
        }
    }

    pub fn gate(self, output_dir: &Path) -> Gate {
        let fingerprint = hex(&self.0.finalize());
        Gate {
            marker: output_dir.join(MARKER),
            fingerprint,
        }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == MARKER || name.starts_with(TMP_PREFIX) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

impl Gate {
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

    #[test]
    fn fingerprint_follows_content_not_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("in");
        std::fs::create_dir_all(data.join("y=1")).unwrap();
        std::fs::write(data.join("y=1/a"), b"one").unwrap();
        let out = dir.path().join("out");
        let gate = || {
            Inputs::default()
                .text("cfg", "x")
                .tree("in", &data)
                .unwrap()
                .gate(&out)
        };
        assert!(!gate().unchanged());
        gate().record().unwrap();
        assert!(gate().unchanged());
        std::fs::write(data.join("y=1/.tradepipe-tmp-zz"), b"junk").unwrap();
        assert!(gate().unchanged(), "temporary files are not inputs");
        std::fs::write(data.join("y=1/a"), b"two").unwrap();
        assert!(!gate().unchanged());
        gate().record().unwrap();
        assert!(
            !Inputs::default()
                .text("cfg", "y")
                .tree("in", &data)
                .unwrap()
                .gate(&out)
                .unchanged()
        );
        gate().clear().unwrap();
        assert!(!gate().unchanged());
    }
}
