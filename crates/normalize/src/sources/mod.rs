//! One reader per raw format. Each appends canonical rows and reports what it flagged.

pub(crate) mod imf_dots;

/// What a reader noticed about its input without rejecting it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ReadStats {
    pub negative_values: usize,
    pub estimated_rows: usize,
}
