//! Content digests of the files a stage reads, as parts of its input ([`crate::input`]): a
//! directory's files by relative path, or one file. They serialize as digests, never as
//! timestamps, so a stage input's fingerprint follows content.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tradepipe_model::fsio::TMP_PREFIX;
use tradepipe_model::hash::sha256_file;

/// A stage's own bookkeeping beside its outputs (`.inputs.sha256`): not an input of the next.
pub const MARKER: &str = ".inputs.sha256";

/// A file or directory that could not be read to take its digest.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}")]
pub struct DigestError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Every file under a directory: relative path → SHA-256, leaving out markers and temporary
/// files. A directory that does not exist has no files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tree {
    #[serde(skip)]
    root: PathBuf,
    files: BTreeMap<String, String>,
}

impl Tree {
    pub fn read(root: &Path) -> Result<Tree, DigestError> {
        let mut paths = Vec::new();
        collect(root, &mut paths)?;
        // A year of BACI is tens of megabytes: files are hashed in parallel.
        let files = paths
            .par_iter()
            .map(|p| {
                let (sha, _) = sha256_file(p).map_err(|source| DigestError {
                    path: p.clone(),
                    source,
                })?;
                let rel = p.strip_prefix(root).expect("below root");
                Ok((rel.to_string_lossy().into_owned(), sha))
            })
            .collect::<Result<BTreeMap<_, _>, DigestError>>()?;
        Ok(Tree {
            root: root.to_path_buf(),
            files,
        })
    }

    /// The directory the digests are of.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DigestError> {
    let err = |source| DigestError {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(err(e)),
    };
    for entry in entries {
        let entry = entry.map_err(err)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == MARKER || name.starts_with(TMP_PREFIX) {
            continue;
        }
        if entry.file_type().map_err(err)?.is_dir() {
            collect(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// One file's SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileDigest {
    #[serde(skip)]
    path: PathBuf,
    sha256: String,
}

impl FileDigest {
    pub fn read(path: &Path) -> Result<FileDigest, DigestError> {
        let (sha256, _) = sha256_file(path).map_err(|source| DigestError {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(FileDigest {
            path: path.to_path_buf(),
            sha256,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_follows_content_not_timestamps_and_skips_bookkeeping() {
        let dir = tempfile::tempdir().unwrap();
        let json = |t: &Tree| serde_json::to_string(t).unwrap();
        std::fs::create_dir(dir.path().join("year=2020")).unwrap();
        std::fs::write(dir.path().join("year=2020/part-0.parquet"), b"a").unwrap();
        let first = Tree::read(dir.path()).unwrap();
        std::fs::write(dir.path().join(MARKER), b"x").unwrap();
        std::fs::write(dir.path().join(format!("{TMP_PREFIX}1")), b"x").unwrap();
        // Rewritten with the same bytes: a new time, the same content.
        std::fs::write(dir.path().join("year=2020/part-0.parquet"), b"a").unwrap();
        assert_eq!(json(&Tree::read(dir.path()).unwrap()), json(&first));
        std::fs::write(dir.path().join("year=2020/part-0.parquet"), b"b").unwrap();
        assert_ne!(json(&Tree::read(dir.path()).unwrap()), json(&first));
        assert_eq!(
            json(&Tree::read(&dir.path().join("none")).unwrap()),
            r#"{"files":{}}"#
        );
    }
}
