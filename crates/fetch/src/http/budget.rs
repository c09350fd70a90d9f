//! The daily call budget, counted on disk (`output/raw/http/budget.json`) so that several runs
//! on one day share it. A call is counted before it is sent: a crash can only over-count.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::FetchError;

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
struct Counts {
    /// UTC day the counts are for.
    day: String,
    /// Calls per source on that day.
    calls: BTreeMap<String, u32>,
}

pub struct Budget {
    path: PathBuf,
    counts: Counts,
}

impl Budget {
    /// The counts for `day`; counts of an earlier day start again at zero.
    pub fn load(http_dir: &Path, day: &str) -> Budget {
        let path = http_dir.join("budget.json");
        let counts = fs_err::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Counts>(&b).ok())
            .filter(|c| c.day == day)
            .unwrap_or_else(|| Counts {
                day: day.to_string(),
                calls: BTreeMap::new(),
            });
        Budget { path, counts }
    }

    pub fn used(&self, source: &str) -> u32 {
        self.counts.calls.get(source).copied().unwrap_or(0)
    }

    /// Counts one call of `source`, or refuses it if `limit` calls were already made today.
    pub fn spend(&mut self, source: &str, limit: Option<u32>) -> Result<(), FetchError> {
        let used = self.used(source);
        if let Some(limit) = limit.filter(|&l| used >= l) {
            return Err(FetchError::BudgetExhausted {
                source_name: source.to_string(),
                limit,
                day: self.counts.day.clone(),
            });
        }
        self.counts.calls.insert(source.to_string(), used + 1);
        let mut json = serde_json::to_vec_pretty(&self.counts).expect("serializes");
        json.push(b'\n');
        tradepipe_model::fsio::write_atomic(&self.path, &json)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_persist_per_day_and_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Budget::load(dir.path(), "2026-11-23");
        b.spend("ct", Some(2)).unwrap();
        b.spend("ct", Some(2)).unwrap();
        b.spend("imf", None).unwrap();
        let mut again = Budget::load(dir.path(), "2026-11-23");
        assert_eq!(again.used("ct"), 2);
        let err = again.spend("ct", Some(2)).unwrap_err().to_string();
        assert!(err.contains("500") || err.contains("2 calls"), "{err}");
        // A new day starts from zero.
        let mut tomorrow = Budget::load(dir.path(), "2026-11-24");
        assert_eq!(tomorrow.used("ct"), 0);
        tomorrow.spend("ct", Some(2)).unwrap();
    }
}
