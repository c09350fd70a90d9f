//! One reader per raw format. Each appends canonical rows and reports what it flagged.

pub(crate) mod baci;
mod cells;
pub(crate) mod comtrade_v1;
pub(crate) mod imf_dot_json;
pub(crate) mod imf_dots;
pub(crate) mod imf_sdmx3;
mod sdmx_xml;
pub(crate) mod table;
pub(crate) mod wits;

use tradepipe_model::schema::TOTAL;
use tradepipe_model::{Flow, ReportedBy};

use tradepipe_model::rules::Rule;

use crate::NormalizeError;
use crate::rejects::Reject;
use crate::table::{CanonicalRows, Row};

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
    pub entry: &'a tradepipe_contract::RawEntry,
    pub years: tradepipe_model::config::YearRange,
    pub registry: &'a tradepipe_model::Registry,
    /// The column mapping of a table source.
    pub columns: Option<&'a tradepipe_model::config::TableColumns>,
    /// Where rows that fail a validation rule are recorded.
    pub rejects: &'a std::cell::RefCell<crate::rejects::Rejects>,
    /// Years after this one fail `year-in-range`.
    pub this_year: i32,
}

impl ReadInput<'_> {
    /// The whole blob, or an error naming the file.
    pub(crate) fn bytes(&self) -> Result<Vec<u8>, NormalizeError> {
        fs_err::read(self.blob).map_err(|e| NormalizeError::Read {
            file: self.file.clone(),
            message: e.to_string(),
        })
    }

    /// Records a row of this input that fails `rule` (what becomes of the row is the rule's
    /// action: the reader drops it, keeps it or mends it).
    pub(crate) fn reject(&self, rule: Rule, line: usize, column: &str, value: &str, message: &str) {
        self.rejects
            .borrow_mut()
            .record(rule, Reject::at(&self.file, line, column, value, message));
    }

    /// A value error at a line and column of this input.
    pub(crate) fn bad(&self, row: usize, column: &str, value: &str, message: &str) -> NormalizeError {
        NormalizeError::BadValue {
            file: self.file.clone(),
            row,
            column: column.into(),
            value: value.into(),
            message: message.into(),
        }
    }
}

/// Builds rows of one input: the text every row of a blob shares is interned once.
pub(crate) struct RowMaker {
    source: u32,
    vintage: u32,
    total: u32,
    /// The empty text: no quantity unit.
    no_unit: u32,
}

impl RowMaker {
    pub(crate) fn new(input: &ReadInput<'_>, out: &mut CanonicalRows) -> RowMaker {
        RowMaker {
            source: out.text.intern(&input.entry.source),
            vintage: out.text.intern(&input.entry.vintage),
            total: out.text.intern(TOTAL),
            no_unit: out.text.intern(""),
        }
    }

    /// A row of the reporter's own report; `product` `None` means all products.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn row(
        &self,
        year: i32,
        reporter: u32,
        partner: u32,
        flow: Flow,
        product: Option<(u32, u32)>,
        value_usd: f64,
    ) -> Row {
        let (classification, product) = product.unwrap_or((self.total, self.total));
        Row {
            year,
            reporter,
            partner,
            flow,
            classification,
            product,
            province: self.total,
            regime: self.total,
            value_usd,
            source: self.source,
            vintage: self.vintage,
            reported_by: ReportedBy::Reporter,
            is_estimate: false,
            quantity: f64::NAN,
            quantity_unit: self.no_unit,
            conversion: crate::table::NOT_CONVERTED,
        }
    }
}
