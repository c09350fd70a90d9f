//! Validation rules of the normalize stage, in the manner of dbt tests: each rule has a name,
//! what happens to a failing row, and a severity the user may change in `pipeline.toml`
//! (`[normalize.rules]`, e.g. `non-negative = "error"`).
//!
//! A failing row goes to the rejects table whatever the severity; an `error` failure stops the
//! run after every input has been read (so the table lists all of them, not just the first),
//! a `warn` failure does not.

use serde::{Deserialize, Serialize};

/// One validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A key cell (year, reporter, partner, flow, product) is empty.
    NotNull,
    /// A value cell is empty: the source has no figure for the key.
    EmptyValue,
    /// A year or value is not a number.
    ValidType,
    /// A country code or name or a flow is not one the registry knows.
    AcceptedCode,
    /// A trade value below zero.
    NonNegative,
    /// A year after the current one: a shifted column, not data.
    YearInRange,
    /// A product code that is not an HS code of 2, 4 or 6 digits in chapters 01–99 (77
    /// reserved), or a row of a year before its HS revision came into force (HS17 in 2015).
    ValidProduct,
    /// An HS code whose leading zero a spreadsheet dropped (`10511` for `010511`).
    LeadingZero,
    /// A country code used in a year its entity did not exist (the USSR in 2013).
    ValidForYear,
    /// A product code its HS revision does not have (`853950`, split in 2022, in HS22 data);
    /// checked for the revisions with a code list ([`crate::nomenclature`]).
    InNomenclature,
}

/// What a failing row becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Left out of the canonical table.
    Dropped,
    /// Kept as it is.
    Kept,
    /// Kept with the cell mended (the leading zero restored).
    Repaired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The run stops (exit code 65) after reading every input.
    Error,
    /// Recorded and counted; the run goes on.
    Warn,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::NotNull,
        Rule::EmptyValue,
        Rule::ValidType,
        Rule::AcceptedCode,
        Rule::NonNegative,
        Rule::YearInRange,
        Rule::ValidProduct,
        Rule::LeadingZero,
        Rule::ValidForYear,
        Rule::InNomenclature,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NotNull => "not-null",
            Rule::EmptyValue => "empty-value",
            Rule::ValidType => "valid-type",
            Rule::AcceptedCode => "accepted-code",
            Rule::NonNegative => "non-negative",
            Rule::YearInRange => "year-in-range",
            Rule::ValidProduct => "valid-product",
            Rule::LeadingZero => "leading-zero",
            Rule::ValidForYear => "valid-for-year",
            Rule::InNomenclature => "in-nomenclature",
        }
    }

    pub fn action(self) -> Action {
        match self {
            Rule::NonNegative | Rule::ValidForYear | Rule::InNomenclature => Action::Kept,
            Rule::LeadingZero => Action::Repaired,
            _ => Action::Dropped,
        }
    }

    /// Negative values (IMF adjustments), empty cells, mended codes, codes out of their years
    /// and codes of another revision (reporters mixing HS editions around a change) occur in
    /// real published data; the rest means the input is not what it claims.
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::EmptyValue
            | Rule::NonNegative
            | Rule::LeadingZero
            | Rule::ValidForYear
            | Rule::InNomenclature => Severity::Warn,
            _ => Severity::Error,
        }
    }
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Dropped => "dropped",
            Action::Kept => "kept",
            Action::Repaired => "repaired",
        }
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warn => "warn",
        }
    }
}

/// `[normalize.rules]`: a severity per rule; rules not named keep their default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSeverities {
    pub not_null: Option<Severity>,
    pub empty_value: Option<Severity>,
    pub valid_type: Option<Severity>,
    pub accepted_code: Option<Severity>,
    pub non_negative: Option<Severity>,
    pub year_in_range: Option<Severity>,
    pub valid_product: Option<Severity>,
    pub leading_zero: Option<Severity>,
    pub valid_for_year: Option<Severity>,
    pub in_nomenclature: Option<Severity>,
}

impl RuleSeverities {
    pub fn of(&self, rule: Rule) -> Severity {
        let set = match rule {
            Rule::NotNull => self.not_null,
            Rule::EmptyValue => self.empty_value,
            Rule::ValidType => self.valid_type,
            Rule::AcceptedCode => self.accepted_code,
            Rule::NonNegative => self.non_negative,
            Rule::YearInRange => self.year_in_range,
            Rule::ValidProduct => self.valid_product,
            Rule::LeadingZero => self.leading_zero,
            Rule::ValidForYear => self.valid_for_year,
            Rule::InNomenclature => self.in_nomenclature,
        };
        set.unwrap_or(rule.default_severity())
    }
}

/// Whether `code` is an HS product code: 2, 4 or 6 digits, chapter 01–99 but not 77 (reserved
/// for future use in every revision).
pub fn is_valid_hs(code: &str) -> bool {
    let digits = code.bytes().all(|b| b.is_ascii_digit());
    let chapter = code.get(..2).and_then(|c| c.parse::<u8>().ok());
    digits && matches!(code.len(), 2 | 4 | 6) && matches!(chapter, Some(1..=76 | 78..=99))
}

/// The first year of data an HS revision can describe (its entry into force), for the
/// revision names the canonical table uses (`HS92` … `HS22`); `None` for `HS` without a
/// revision and for other classifications. HS92 is Comtrade's H0, the 1988 nomenclature.
pub fn hs_revision_start(classification: &str) -> Option<i32> {
    Some(match classification.to_ascii_uppercase().as_str() {
        "HS92" | "HS1992" | "HS88" => 1988,
        "HS96" | "HS1996" => 1996,
        "HS02" | "HS2002" => 2002,
        "HS07" | "HS2007" => 2007,
        "HS12" | "HS2012" => 2012,
        "HS17" | "HS2017" => 2017,
        "HS22" | "HS2022" => 2022,
        _ => return None,
    })
}

/// The canonical name (`HS17`) of an HS revision written any way `hs_revision_start`
/// accepts (`hs2017`); `None` for `HS` without a revision and other classifications.
pub fn hs_revision_name(classification: &str) -> Option<&'static str> {
    Some(match hs_revision_start(classification)? {
        1988 => "HS92",
        1996 => "HS96",
        2002 => "HS02",
        2007 => "HS07",
        2012 => "HS12",
        2017 => "HS17",
        2022 => "HS22",
        _ => unreachable!("hs_revision_start returns only these years"),
    })
}

/// The name the canonical table uses for a product classification written as users and
/// services write it: HS revisions (`HS17`, `hs2017`, and UN Comtrade's `H0` … `H6` for HS92 …
/// HS22), `HS` as reported (no revision), `SITC1` … `SITC4` (Comtrade's `S1` … `S4`), `BEC`,
/// `BEC4`, `BEC5`. `None` for any other name (a column header typed where a revision belongs).
pub fn classification_name(name: &str) -> Option<&'static str> {
    if let Some(hs) = hs_revision_name(name) {
        return Some(hs);
    }
    Some(match name.to_ascii_uppercase().as_str() {
        "HS" => "HS",
        "H0" => "HS92",
        "H1" => "HS96",
        "H2" => "HS02",
        "H3" => "HS07",
        "H4" => "HS12",
        "H5" => "HS17",
        "H6" => "HS22",
        "SITC1" | "S1" => "SITC1",
        "SITC2" | "S2" => "SITC2",
        "SITC3" | "S3" => "SITC3",
        "SITC4" | "S4" => "SITC4",
        "BEC" => "BEC",
        "BEC4" => "BEC4",
        "BEC5" => "BEC5",
        _ => return None,
    })
}

/// Why a row of `year` cannot be in HS revision `classification` (rule `valid-product`), or
/// `None` when it can (or the classification names no revision).
pub fn revision_not_in_force(classification: &str, year: i32) -> Option<String> {
    let start = hs_revision_start(classification)?;
    (year < start).then(|| format!("{classification} came into force in {start}: no {year} data in it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_names_and_aliases() {
        assert_eq!(classification_name("HS17"), Some("HS17"));
        assert_eq!(classification_name("hs2017"), Some("HS17"));
        assert_eq!(classification_name("H5"), Some("HS17"));
        assert_eq!(classification_name("H0"), Some("HS92"));
        assert_eq!(classification_name("HS"), Some("HS"));
        assert_eq!(classification_name("S3"), Some("SITC3"));
        assert_eq!(classification_name("Classification"), None);
        assert_eq!(classification_name("HS2019"), None);
    }

    #[test]
    fn severities_default_and_override() {
        let s: RuleSeverities = toml::from_str("non-negative = \"error\"").unwrap();
        assert_eq!(s.of(Rule::NonNegative), Severity::Error);
        assert_eq!(s.of(Rule::AcceptedCode), Severity::Error);
        assert_eq!(s.of(Rule::ValidForYear), Severity::Warn);
        let err = toml::from_str::<RuleSeverities>("non-negativ = \"warn\"").unwrap_err();
        assert!(err.to_string().contains("non-negativ"), "{err}");
        let err = toml::from_str::<RuleSeverities>("non-negative = \"fatal\"").unwrap_err();
        assert!(err.to_string().contains("fatal"), "{err}");
    }

    #[test]
    fn names_are_unique_and_kebab_case() {
        let names: std::collections::BTreeSet<_> = Rule::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), Rule::ALL.len());
        for r in Rule::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }

    #[test]
    fn hs_revisions_start_in_their_year() {
        assert_eq!(hs_revision_start("HS17"), Some(2017));
        assert_eq!(hs_revision_start("hs92"), Some(1988));
        assert_eq!(hs_revision_start("HS"), None);
        assert_eq!(hs_revision_start("SITC3"), None);
        assert_eq!(hs_revision_name("hs2017"), Some("HS17"));
        assert_eq!(hs_revision_name("HS88"), Some("HS92"));
        assert_eq!(hs_revision_name("HS"), None);
        assert_eq!(
            revision_not_in_force("HS17", 2016).as_deref(),
            Some("HS17 came into force in 2017: no 2016 data in it")
        );
        assert_eq!(revision_not_in_force("HS17", 2017), None);
        assert_eq!(revision_not_in_force("HS", 1900), None);
    }

    #[test]
    fn hs_codes() {
        for ok in ["01", "0101", "010511", "8471", "97", "99"] {
            assert!(is_valid_hs(ok), "{ok}");
        }
        for bad in ["", "1", "00", "770000", "10511", "0105111", "01a5", "TOTAL"] {
            assert!(!is_valid_hs(bad), "{bad}");
        }
    }
}
