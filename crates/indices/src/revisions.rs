//! The check that a year's product rows of one level come in one classification. Products
//! are keyed by (classification, code), but a reporter's total and the world's total pool
//! every product of the level: with HS12 rows from one reporter and HS17 rows from another,
//! each product's world column holds only the reporters of its revision, and every RCA,
//! market penetration, complementarity and complexity value compares disjoint product sets.
//! So the index stage stops instead, naming the year, the revisions and who uses each.

use std::collections::BTreeMap;

use tradepipe_model::products::level_of;

use crate::product::ProductExports;

/// A level of one year whose product rows come in more than one classification.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixed {
    pub year: i32,
    pub level: u8,
    /// Each classification with the reporters whose rows use it, in code order.
    pub users: Vec<(String, Vec<String>)>,
}

impl std::fmt::Display for Mixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            0 => "HS section".to_string(),
            n => format!("{n}-digit"),
        };
        let users: Vec<String> = self
            .users
            .iter()
            .map(|(class, reporters)| format!("{class} ({})", reporters.join(", ")))
            .collect();
        write!(
            f,
            "in {}, the {level} product rows come in {}: product indices would compare \
             disjoint product sets; give each classification its own run, or bring the sources \
             to one revision before normalize",
            self.year,
            users.join(" and ")
        )
    }
}

/// The first level of `e` (in level order) with more than one classification.
pub fn check(year: i32, e: &ProductExports) -> Result<(), Mixed> {
    let mut by_level: BTreeMap<u8, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for &(r, k, _) in &e.cells {
        let (class, code) = &e.products[k as usize];
        let users = by_level
            .entry(level_of(code))
            .or_default()
            .entry(class)
            .or_default();
        let reporter = e.reporters[r as usize].as_str();
        if users.last() != Some(&reporter) && !users.contains(&reporter) {
            users.push(reporter);
        }
    }
    match by_level.into_iter().find(|(_, classes)| classes.len() > 1) {
        None => Ok(()),
        Some((level, classes)) => Err(Mixed {
            year,
            level,
            users: classes
                .into_iter()
                .map(|(class, mut reporters)| {
                    reporters.sort_unstable();
                    (
                        class.to_owned(),
                        reporters.into_iter().map(str::to_owned).collect(),
                    )
                })
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::ProductFlow;

    fn flow<'a>(reporter: &'a str, classification: &'a str, product: &'a str) -> ProductFlow<'a> {
        ProductFlow {
            reporter,
            classification,
            product,
            value: 100.0,
        }
    }

    #[test]
    fn one_revision_a_level_passes_and_two_are_named() {
        let one = ProductExports::from_flows(&[flow("CHN", "HS12", "010121"), flow("DEU", "HS12", "020110")]);
        assert_eq!(check(2018, &one), Ok(()));
        let mixed = ProductExports::from_flows(&[
            flow("CHN", "HS12", "010121"),
            flow("CHN", "HS12", "020110"),
            flow("FRA", "HS17", "010121"),
            flow("DEU", "HS17", "020110"),
        ]);
        let err = check(2018, &mixed).unwrap_err();
        assert_eq!(
            err.users,
            [
                ("HS12".to_string(), vec!["CHN".to_string()]),
                ("HS17".to_string(), vec!["DEU".to_string(), "FRA".to_string()])
            ]
        );
        assert!(
            err.to_string()
                .starts_with("in 2018, the 6-digit product rows come in HS12 (CHN) and HS17 (DEU, FRA)"),
            "{err}"
        );
    }

    #[test]
    fn levels_are_checked_apart() {
        // HS92 chapters beside HS17 subheadings: each level has one classification.
        let e = ProductExports::from_flows(&[flow("CHN", "HS92", "01"), flow("DEU", "HS17", "010121")]);
        assert_eq!(check(2018, &e), Ok(()));
    }
}
