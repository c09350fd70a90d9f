//! The rejects table: every row that failed a validation rule ([`tradepipe_model::rules`]),
//! with the rule, its severity, what became of the row, and where it was (file, line, column,
//! value). Written to `output/parquet/rejects/rejects.parquet` on every run, failed or not, so
//! that a failed run lists all its failures at once.

use std::collections::BTreeMap;

use tradepipe_model::rules::{Rule, RuleSeverities, Severity};

/// Rows kept in memory; beyond this only the counts grow (a source with millions of negative
/// values must not exhaust memory through its rejects).
const KEEP: usize = 100_000;

/// One failing row, or for checks of the whole table (`valid-for-year`) one group of rows
/// with the same file, column, value and year.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub rule: Rule,
    pub severity: Severity,
    pub file: String,
    /// 1-based line of the file (the header is line 1); `None` for checks of the whole table.
    pub line: Option<usize>,
    pub column: String,
    pub value: String,
    pub year: Option<i32>,
    /// Rows this entry stands for.
    pub rows: usize,
    pub message: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(year) = self.year.filter(|_| self.line.is_none()) {
            write!(f, ", year {year}")?;
        }
        write!(
            f,
            ", column {:?}: {}: {:?}",
            self.column, self.message, self.value
        )
    }
}

pub(crate) use tradepipe_contract::RuleCount;

/// What the readers and the table checks found.
#[derive(Debug)]
pub struct Rejects {
    severities: RuleSeverities,
    kept: Vec<Reject>,
    counts: BTreeMap<Rule, usize>,
    errors: usize,
    first_error: Option<Reject>,
}

impl Rejects {
    pub fn new(severities: RuleSeverities) -> Rejects {
        Rejects {
            severities,
            kept: Vec::new(),
            counts: BTreeMap::new(),
            errors: 0,
            first_error: None,
        }
    }

    /// Records `rows` failing rows under `rule` with its configured severity.
    pub fn record(&mut self, rule: Rule, mut reject: Reject) {
        reject.rule = rule;
        reject.severity = self.severities.of(rule);
        *self.counts.entry(rule).or_default() += reject.rows;
        if reject.severity == Severity::Error {
            self.errors += reject.rows;
            if self.first_error.is_none() {
                self.first_error = Some(reject.clone());
            }
        }
        if self.kept.len() < KEEP {
            self.kept.push(reject);
        }
    }

    /// Adds what `other` found (a year's or a source's rejects, recorded with the same
    /// severities) after what this one holds.
    pub fn append(&mut self, other: Rejects) {
        for (rule, n) in other.counts {
            *self.counts.entry(rule).or_default() += n;
        }
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        let room = KEEP.saturating_sub(self.kept.len());
        self.kept.extend(other.kept.into_iter().take(room));
    }

    /// Orders the kept entries of whole-table checks, found year by year, as one check of the
    /// whole table would list them: by rule, file, column, value, then year (stable, so
    /// entries with equal keys keep their order).
    pub fn sort_table_checks(&mut self) {
        self.kept.sort_by(|a, b| {
            (a.rule, &a.file, &a.column, &a.value, a.year)
                .cmp(&(b.rule, &b.file, &b.column, &b.value, b.year))
        });
        // The first error is the first one listed.
        if self.errors > 0 {
            self.first_error = self.kept.iter().find(|r| r.severity == Severity::Error).cloned();
        }
    }

    /// Rows that failed an error-severity rule.
    pub fn errors(&self) -> usize {
        self.errors
    }

    pub fn first_error(&self) -> Option<&Reject> {
        self.first_error.as_ref()
    }

    pub fn rows(&self) -> &[Reject] {
        &self.kept
    }

    /// Rows per rule, in rule order.
    pub fn counts(&self) -> Vec<RuleCount> {
        self.counts
            .iter()
            .map(|(&rule, &rows)| RuleCount {
                rule: rule.as_str().into(),
                severity: self.severities.of(rule).as_str().into(),
                action: rule.action().as_str().into(),
                rows,
            })
            .collect()
    }

    /// "valid-type 2, accepted-code 1" over the error-severity rules.
    pub fn error_summary(&self) -> String {
        self.counts
            .iter()
            .filter(|(r, _)| self.severities.of(**r) == Severity::Error)
            .map(|(r, n)| format!("{} {n}", r.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Reject {
    /// A group of `rows` failing rows found by a check of the whole table (`valid-for-year`,
    /// `in-nomenclature`): same file, column, value and year, no line.
    pub fn in_table(file: &str, column: &str, value: &str, year: i32, rows: usize, message: &str) -> Reject {
        Reject {
            line: None,
            year: Some(year),
            rows,
            ..Reject::at(file, 0, column, value, message)
        }
    }

    /// A failing cell at a line of a file; its rule and severity are set when it is recorded
    /// ([`Rejects::record`]), so that the severity always comes from the config.
    pub fn at(file: &str, line: usize, column: &str, value: &str, message: &str) -> Reject {
        Reject {
            rule: Rule::NotNull,
            severity: Severity::Error,
            file: file.into(),
            line: Some(line),
            column: column.into(),
            value: value.into(),
            year: None,
            rows: 1,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_decide_errors_and_every_row_is_counted() {
        let sev = RuleSeverities {
            valid_for_year: Some(Severity::Error),
            ..Default::default()
        };
        let mut r = Rejects::new(sev);
        r.record(
            Rule::NonNegative,
            Reject::at("f.csv", 3, "Value", "-1", "negative trade value"),
        );
        assert_eq!(r.errors(), 0);
        r.record(
            Rule::ValidForYear,
            Reject {
                line: None,
                year: Some(2013),
                rows: 14,
                ..Reject::at("f.csv", 0, "partner", "SUN", "the USSR did not exist")
            },
        );
        r.record(
            Rule::AcceptedCode,
            Reject::at("f.csv", 9, "Partner", "Atlantis", "unknown country"),
        );
        assert_eq!(r.errors(), 15);
        assert_eq!(
            r.first_error().unwrap().to_string(),
            "f.csv, year 2013, column \"partner\": the USSR did not exist: \"SUN\""
        );
        assert_eq!(r.error_summary(), "accepted-code 1, valid-for-year 14");
        let counts = r.counts();
        assert_eq!(counts[0].rule, "accepted-code");
        assert_eq!(counts[1].rule, "non-negative");
        assert_eq!(
            (counts[1].severity.as_str(), counts[1].action.as_str()),
            ("warn", "kept")
        );
        assert_eq!(r.rows().len(), 3);
        assert_eq!(
            r.rows()[0].to_string(),
            "f.csv, line 3, column \"Value\": negative trade value: \"-1\""
        );
    }
}
