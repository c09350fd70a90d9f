//! One reader per raw format. Each appends canonical rows and reports what it flagged.

pub(crate) mod comtrade_v1;
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
