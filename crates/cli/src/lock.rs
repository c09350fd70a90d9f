//! One run at a time per output directory: an OS file lock on `<output>/.tradepipe.lock`.
//! The OS releases it when the process dies, so a crashed run never blocks the next one.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another tradepipe run holds {path} ({holder}); try again when it has finished")]
    Held { path: PathBuf, holder: String },
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Held for the life of a command; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

/// Takes the lock of `output_dir` or fails at once.
pub fn acquire(output_dir: &Path, command: &str) -> Result<RunLock, LockError> {
    let path = output_dir.join(".tradepipe.lock");
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    fs_err::create_dir_all(output_dir).map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                "holder unknown".to_string()
            } else {
                holder.to_string()
            };
            return Err(LockError::Held { path, holder });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    write!(
        file,
        "pid {} running `tradepipe {command}` since unix time {started}",
        std::process::id()
    )
    .map_err(io)?;
    file.flush().map_err(io)?;
    Ok(RunLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "run").unwrap();
        let err = acquire(dir.path(), "report").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("pid {}", std::process::id())) && msg.contains("`tradepipe run`"),
            "{msg}"
        );
        drop(first);
        acquire(dir.path(), "report").unwrap();
    }
}
