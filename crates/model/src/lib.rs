//! Shared vocabulary of the pipeline: the canonical trade table, the country registry, the
//! run configuration and atomic file writes.
//!
//! * Reads: `pipeline.toml` (see [`config`]) and the registry tables embedded at build time
//!   from `data/` (countries, IMF names, Comtrade codes, validity periods and successors,
//!   former codes; see [`registry`]), and the country groups of `data/groups.csv` (see
//!   [`groups`]). [`rules`] names the validation rules of the normalize stage, and
//!   [`nomenclature`] holds the code lists of HS revisions they check products against, and
//!   [`concordance`] the UNSD correlation tables and Growth Lab weights that convert product
//!   codes between HS editions (`data/hs/concordance/`).
//!   [`macro_series`] holds the embedded World Bank WDI and US CPI-U series of `data/macro/`,
//!   and [`population`] reads the population files of the complexity tables.
//!   [`formulas`] are the index formulas as pure functions, which the index stage computes
//!   and the reports recompute (a CAGR over a report's own window).
//! * Writes: nothing by itself; [`fsio::write_atomic`] is how every stage writes a file.
//! * Invariants: every country or area code used in a canonical table resolves in the
//!   [`registry::Registry`]; every file a stage writes appears whole or not at all.
//!
//! No stage depends on another stage's crate except through the files it writes; this crate
//! is the only thing they all share, and it does not depend on polars.

pub mod concordance;
pub mod config;
pub mod dirswap;
pub mod formulas;
pub mod fsio;
pub mod groups;
pub mod hash;
pub mod macro_series;
pub mod nomenclature;
pub mod population;
pub mod product_names;
pub mod products;
pub mod registry;
pub mod rules;
pub mod schema;
pub mod time;

pub use config::{Config, ConfigError};
pub use registry::{EntityKind, Registry};
pub use schema::{Flow, ReportedBy};
