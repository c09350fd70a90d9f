//! One reader per raw format. Each appends canonical rows and reports what it flagged.

pub(crate) mod comtrade_v1;
pub(crate) mod imf_dot_json;
pub(crate) mod imf_dots;

/// What a reader noticed about its input without rejecting it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ReadStats {
    pub negative_values: usize,
    pub estimated_rows: usize,
    /// Records that are not plain totals of their key (breakdowns by mode of transport,
    /// customs procedure, second partner, or flows outside the canonical four).
    pub skipped_rows: usize,
}

/// What every reader gets: the raw blob, how to name it in errors, its manifest entry, the
/// years to keep and the registry to resolve codes with.
pub(crate) struct ReadInput<'a> {
    pub blob: &'a std::path::Path,
    pub file: String,
    pub entry: &'a tradepipe_fetch::RawEntry,
    pub years: tradepipe_model::config::YearRange,
    pub registry: &'a tradepipe_model::Registry,
}
