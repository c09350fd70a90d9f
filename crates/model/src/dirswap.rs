//! Replacing a whole directory at once: a table of many partitions is staged in a sibling
//! directory and swapped in only when every partition is written, so that a reader (or a
//! crash) sees the old table or the new one, never a mix.
//!
//! On Linux the swap is one `renameat2(RENAME_EXCHANGE)`: the live path names the new
//! directory from one instant on, and the old one is left at the staging path to be removed.
//! Where the file system or the platform has no exchange, the live directory is renamed
//! aside (`<name>.old`) and the staged one renamed into place; a crash between the two renames
//! leaves no live directory, which [`recover`] (called before every stage that reads or
//! replaces it) undoes by renaming the old one back.

use std::path::{Path, PathBuf};

use crate::fsio::WriteError;

/// The sibling of `live` where its replacement is staged: `.<name>.staging`.
pub fn staging_path(live: &Path) -> PathBuf {
    sibling(live, ".", ".staging")
}

fn aside_path(live: &Path) -> PathBuf {
    sibling(live, ".", ".old")
}

fn sibling(live: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let name = live
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    live.with_file_name(format!("{prefix}{name}{suffix}"))
}

/// An empty staging directory for `live` (what a killed run left there is removed first).
pub fn fresh_staging(live: &Path) -> Result<PathBuf, WriteError> {
    recover(live)?;
    let staging = staging_path(live);
    let err = |source| WriteError {
        path: staging.clone(),
        source,
    };
    match std::fs::remove_dir_all(&staging) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    std::fs::create_dir_all(&staging).map_err(err)?;
    Ok(staging)
}

/// Removes the staging directory of `live` (a run that failed).
pub fn discard_staging(live: &Path) {
    let _ = std::fs::remove_dir_all(staging_path(live));
}

/// Puts back the live directory a crash between the two renames of the fallback swap left
/// aside, and removes an old directory a completed swap left behind.
pub fn recover(live: &Path) -> Result<(), WriteError> {
    let aside = aside_path(live);
    if !aside.exists() {
        return Ok(());
    }
    let err = |source| WriteError {
        path: live.to_path_buf(),
        source,
    };
    if live.exists() {
        std::fs::remove_dir_all(&aside).map_err(err)
    } else {
        std::fs::rename(&aside, live).map_err(err)
    }
}

/// Replaces the directory `live` by `staged` (its [`staging_path`]) at once and removes the
/// old one. `live` need not exist.
pub fn replace_dir(staged: &Path, live: &Path) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: live.to_path_buf(),
        source,
    };
    if let Some(parent) = live.parent() {
        sync_dir(parent);
    }
    if !live.exists() {
        std::fs::rename(staged, live).map_err(err)?;
    } else if exchange(staged, live).map_err(err)? {
        // `staged` now names the old table.
        std::fs::remove_dir_all(staged).map_err(err)?;
    } else {
        let aside = aside_path(live);
        std::fs::rename(live, &aside).map_err(err)?;
        std::fs::rename(staged, live).map_err(err)?;
        std::fs::remove_dir_all(&aside).map_err(err)?;
    }
    if let Some(parent) = live.parent() {
        sync_dir(parent);
    }
    Ok(())
}

/// Swaps the two paths atomically; `Ok(false)` where the platform or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e)
            if e == rustix::io::Errno::INVAL
                || e == rustix::io::Errno::NOSYS
                || e == rustix::io::Errno::NOTSUP =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Flushes a directory's entries (the renames) to disk where the platform allows it.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn a_staged_directory_replaces_the_live_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let live = root.path().join("trade");
        write(&live, "a", "old a");
        write(&live, "b", "old b");
        let staged = fresh_staging(&live).unwrap();
        assert_eq!(staged, root.path().join(".trade.staging"));
        write(&staged, "a", "new a");
        replace_dir(&staged, &live).unwrap();
        assert_eq!(std::fs::read_to_string(live.join("a")).unwrap(), "new a");
        assert!(!live.join("b").exists(), "files of the old table do not survive");
        assert!(!staged.exists(), "the old table is removed");
    }

    #[test]
    fn a_first_table_is_renamed_into_place() {
        let root = tempfile::tempdir().unwrap();
        let live = root.path().join("trade");
        let staged = fresh_staging(&live).unwrap();
        write(&staged, "a", "new");
        replace_dir(&staged, &live).unwrap();
        assert_eq!(std::fs::read_to_string(live.join("a")).unwrap(), "new");
    }

    #[test]
    fn a_crash_between_the_fallback_renames_is_undone() {
        let root = tempfile::tempdir().unwrap();
        let live = root.path().join("trade");
        write(&aside_path(&live), "a", "old");
        write(&staging_path(&live), "a", "half");
        // What a kill between `rename(live, aside)` and `rename(staged, live)` leaves.
        let staged = fresh_staging(&live).unwrap();
        assert_eq!(std::fs::read_to_string(live.join("a")).unwrap(), "old");
        assert!(
            std::fs::read_dir(&staged).unwrap().next().is_none(),
            "staging starts empty"
        );
    }
}
