//! The files the stages hand each other, as types: where they live ([`paths`]), the raw
//! manifest fetch writes and normalize reads ([`manifest`]), the canonical table's provenance
//! normalize writes and the later stages read ([`provenance`]), and what each stage reads, as
//! one input value per stage ([`input`]) that its gate fingerprints.
//!
//! * Reads: `output/raw/manifest.json`, `output/parquet/trade/_provenance.json`, and the
//!   digests of the files a stage input names.
//! * Writes: `output/raw/manifest.json` ([`manifest::RawManifest::write`], for fetch).
//! * Invariants: no stage crate depends on another; each depends on this crate and on
//!   `tradepipe-model`, so a stage sees another's output only through the types here. A
//!   stage input holds exactly what the stage reads: its JSON is the stage's fingerprint.

pub mod digest;
pub mod input;
pub mod manifest;
pub mod paths;
pub mod provenance;

pub use digest::{DigestError, FileDigest, MARKER, Tree};
pub use input::{IndicesInput, InputError, NormalizeInput, ReportInput};
pub use manifest::{HttpMeta, ManifestError, RawEntry, RawManifest, read_manifest};
pub use provenance::{
    ConversionSummary, MirrorSummary, Provenance, ProvenanceError, RuleCount, SourceProvenance,
    read_provenance,
};
