//! The canonical long trade table (see `README.md`, "Canonical trade table").
//!
//! One row per (year, reporter, partner, flow, classification, product, province, regime);
//! `province` and `regime` are `TOTAL` except in breakdowns from national customs tables. `year` is the Hive
//! partition key: it lives in the directory name (`year=YYYY`), not inside the files, so that
//! Spark, DuckDB and polars read the tree without a duplicate-column conflict.

use std::fmt;
use std::str::FromStr;

/// Column names of the canonical table, in file order.
pub mod col {
    pub const YEAR: &str = "year";
    pub const REPORTER: &str = "reporter";
    pub const PARTNER: &str = "partner";
    pub const FLOW: &str = "flow";
    pub const CLASSIFICATION: &str = "classification";
    pub const PRODUCT: &str = "product";
    /// Sub-national region of the reporter (a Chinese province in customs tables); `TOTAL`
    /// for the whole country.
    pub const PROVINCE: &str = "province";
    /// Customs regime (ordinary, processing, ...); `TOTAL` for all regimes.
    pub const REGIME: &str = "regime";
    pub const VALUE_USD: &str = "value_usd";
    pub const SOURCE: &str = "source";
    pub const VINTAGE: &str = "vintage";
    pub const REPORTED_BY: &str = "reported_by";
    pub const IS_ESTIMATE: &str = "is_estimate";
    /// Quantity of a product row in `quantity_unit` (BACI's tonnes, Comtrade's `qty`); null
    /// where the source gives none.
    pub const QUANTITY: &str = "quantity";
    /// `t`, `kg`, `u`, ... (the source's abbreviation); null where there is no quantity.
    pub const QUANTITY_UNIT: &str = "quantity_unit";
    /// The classification the source gave the row in; `classification` itself unless the
    /// row was converted to `[normalize] hs-target`.
    pub const CONVERTED_FROM: &str = "converted_from";
    /// How the row was converted: `none`, `moved`, `weights`, `equal-split` or `unmatched`
    /// (see `tradepipe_model::concordance`).
    pub const CONVERSION: &str = "conversion";
}

/// Partner code of the reporter's total with all partners.
pub const WORLD: &str = "WLD";
/// Classification and product code of all-products totals.
pub const TOTAL: &str = "TOTAL";

/// Direction of a flow as seen by the reporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flow {
    Export,
    Import,
    ReExport,
    ReImport,
}

impl Flow {
    pub const ALL: [Flow; 4] = [Flow::Export, Flow::Import, Flow::ReExport, Flow::ReImport];

    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Export => "export",
            Flow::Import => "import",
            Flow::ReExport => "re-export",
            Flow::ReImport => "re-import",
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Flow {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flow::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown flow {s:?} (expected export, import, re-export or re-import)"))
    }
}

/// Whose report a value comes from: the reporter's own, or the partner's (mirror) report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportedBy {
    Reporter,
    Partner,
}

impl ReportedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedBy::Reporter => "reporter",
            ReportedBy::Partner => "partner",
        }
    }
}

/// Directory of one year's partition under a Hive-partitioned table root.
pub fn partition_dir(table_root: &std::path::Path, year: i32) -> std::path::PathBuf {
    table_root.join(format!("year={year}"))
}

/// The single data file of a partition.
pub const PART_FILE: &str = "part-0.parquet";

/// Years present under a Hive-partitioned table root, ascending. A missing root has none.
pub fn partition_years(table_root: &std::path::Path) -> std::io::Result<Vec<i32>> {
    let mut years = Vec::new();
    let entries = match std::fs::read_dir(table_root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(years),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let name = entry?.file_name();
        if let Some(y) = name.to_str().and_then(|n| n.strip_prefix("year=")) {
            if let Ok(y) = y.parse() {
                years.push(y);
            }
        }
    }
    years.sort_unstable();
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_round_trips_through_text() {
        for f in Flow::ALL {
            assert_eq!(f.as_str().parse::<Flow>().unwrap(), f);
        }
        assert!("exports".parse::<Flow>().is_err());
    }

    #[test]
    fn partition_years_lists_only_year_dirs() {
        let dir = tempfile::tempdir().unwrap();
        for d in ["year=2001", "year=1999", "other", "year=x"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        assert_eq!(partition_years(dir.path()).unwrap(), vec![1999, 2001]);
        assert!(partition_years(&dir.path().join("missing")).unwrap().is_empty());
    }
}
