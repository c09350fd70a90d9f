//! `output/parquet/trade/_provenance.json`: where the canonical table came from. Normalize
//! writes it beside the partitions; the index stage carries it into `_meta.json`, from where
//! the reports and `tradepipe freshness` read it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tradepipe_model::config::SourceFormat;

/// The provenance file is missing or does not parse.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    #[error("no canonical table provenance at {path}; run `tradepipe normalize` first")]
    Missing { path: PathBuf },
    #[error("{}: cannot read: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
}

/// Reads `output/parquet/trade/_provenance.json`.
pub fn read_provenance(output_dir: &Path) -> Result<Provenance, ProvenanceError> {
    let path = crate::paths::provenance_path(output_dir);
    let Ok(text) = fs_err::read_to_string(&path) else {
        return Err(ProvenanceError::Missing { path });
    };
    serde_json::from_str(&text).map_err(|e| ProvenanceError::Unreadable {
        path,
        message: e.to_string(),
    })
}

/// Where the canonical table came from: `output/parquet/trade/_provenance.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub sources: Vec<SourceProvenance>,
    /// How the two reports of each flow were reconciled (`[normalize] mirror-policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<MirrorSummary>,
    /// Rows that failed a validation rule, per rule (details in the rejects table).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejects: Vec<RuleCount>,
    /// What `[normalize] hs-target` converted, when it is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<ConversionSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceProvenance {
    pub source: String,
    pub format: SourceFormat,
    pub location: String,
    pub sha256: String,
    pub vintage: String,
    pub description: String,
    /// Rows kept in the canonical table.
    pub rows: usize,
    /// Rows that repeated another row exactly (same key, value and source) and were dropped.
    pub exact_duplicates_dropped: usize,
    /// Rows with a negative value (kept: IMF adjustments on aggregates).
    pub negative_values: usize,
    /// Rows the source flags as its own estimate.
    pub estimated_rows: usize,
    /// Records skipped because they are breakdowns, not totals of their key.
    #[serde(default)]
    pub skipped_rows: usize,
    /// Rows whose key a source listed earlier in the config already had.
    #[serde(default)]
    pub superseded_rows: usize,
    /// First and last year of the rows kept (within `[run] years`).
    #[serde(default)]
    pub first_year: Option<i32>,
    #[serde(default)]
    pub last_year: Option<i32>,
    /// Raw blobs read (HTTP sources: one per request).
    #[serde(default = "one")]
    pub blobs: usize,
}

fn one() -> usize {
    1
}

impl SourceProvenance {
    /// The entry of `blob`'s source before any blob of it is counted (the counts, the
    /// combined hash and the years are filled in as normalize reads them).
    pub fn of(blob: &crate::RawEntry) -> SourceProvenance {
        SourceProvenance {
            source: blob.source.clone(),
            format: blob.format,
            location: blob.location.clone(),
            sha256: String::new(),
            vintage: blob.vintage.clone(),
            description: blob.description.clone(),
            rows: 0,
            exact_duplicates_dropped: 0,
            negative_values: 0,
            estimated_rows: 0,
            skipped_rows: 0,
            superseded_rows: 0,
            first_year: None,
            last_year: None,
            blobs: 0,
        }
    }
}

/// What the policy changed, for `_provenance.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MirrorSummary {
    pub policy: String,
    pub cif_fob: f64,
    /// Flows with both reports.
    pub paired: usize,
    /// Rows added from the partner's report.
    pub filled: usize,
    /// Own reports replaced by the importer's.
    pub replaced: usize,
}

/// Failing rows per rule, for `_provenance.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCount {
    pub rule: String,
    pub severity: String,
    pub action: String,
    pub rows: usize,
}

/// What conversion did, for `_provenance.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversionSummary {
    /// The edition converted to.
    pub target: String,
    /// Source rows converted, by the edition they came in.
    pub rows_from: BTreeMap<String, usize>,
    /// Rows written, by the weakest rule their value went through.
    pub rows_by_method: BTreeMap<String, usize>,
    /// Codes no table links (kept as they were), as `HS17 300219`, sorted.
    pub unmatched_codes: Vec<String>,
}

impl ConversionSummary {
    pub fn add(&mut self, other: ConversionSummary) {
        for (k, v) in other.rows_from {
            *self.rows_from.entry(k).or_default() += v;
        }
        for (k, v) in other.rows_by_method {
            *self.rows_by_method.entry(k).or_default() += v;
        }
        self.unmatched_codes.extend(other.unmatched_codes);
        self.unmatched_codes.sort();
        self.unmatched_codes.dedup();
    }
}
