//! Population by year and country, for the complexity tables' RPOP presence test: from a CSV
//! file a user names (`[indices.complexity] population`) or the embedded World Bank series.
//! Both index engines read it through here, so a file means the same rows to each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::Registry;

/// A population file that cannot be read, or a cell in it that is not a number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot read {}: {message}", path.display())]
pub struct PopulationError {
    pub path: PathBuf,
    pub message: String,
}

/// Population by (year, ISO3), from a CSV of `year`, a country column and `population`.
#[derive(Debug, Clone, Default)]
pub struct Population {
    by: HashMap<(i32, String), f64>,
}

/// Header names of the country column, in the order they are looked for (the WDI download
/// calls it `Country Code`, py-ecomplexity's sample `origin`).
const COUNTRY_COLUMNS: &[&str] = &["country code", "iso3", "country", "origin", "location", "code"];
const VALUE_COLUMNS: &[&str] = &["population", "value"];

impl Population {
    /// Reads `path`. Country cells resolve as ISO3 codes (any case) or registry names; rows
    /// of regional aggregates and other codes the registry does not know are skipped, empty
    /// values too. A cell that is not a number is an error naming the file, line and column.
    pub fn read(path: &Path, registry: &Registry) -> Result<Population, PopulationError> {
        let err = |message: String| PopulationError {
            path: path.to_path_buf(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .map_err(|e| err(e.to_string()))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| err(e.to_string()))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let find = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h == n));
        let (Some(c_year), Some(c_country), Some(c_value)) = (
            find(&["year", "time"]),
            find(COUNTRY_COLUMNS),
            find(VALUE_COLUMNS),
        ) else {
            return Err(err(format!(
                "a population file has columns year, a country column ({}) and population (or value); found {}",
                COUNTRY_COLUMNS.join(", "),
                header.join(", ")
            )));
        };
        let mut by = HashMap::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let record = record.map_err(|e| err(format!("line {line}: {e}")))?;
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let Some(entity) = registry
                .resolve_code(&cell(c_country).to_ascii_uppercase())
                .or_else(|| registry.resolve_alias(cell(c_country)))
            else {
                continue;
            };
            if cell(c_value).is_empty() {
                continue;
            }
            let number = |i: usize, what: &str| {
                cell(i).parse::<f64>().map_err(|_| {
                    err(format!(
                        "line {line}, column {:?}: {:?} is not {what}",
                        header[i],
                        cell(i)
                    ))
                })
            };
            let year = number(c_year, "a year")? as i32;
            let value = number(c_value, "a number")?;
            by.insert((year, entity.code.clone()), value);
        }
        Ok(Population { by })
    }

    /// The World Bank's population series embedded from `data/macro/` (economies only).
    pub fn wdi() -> Population {
        let wdi = crate::macro_series::wdi(crate::macro_series::Indicator::Population);
        Population {
            by: wdi
                .entries()
                .map(|(code, year, v)| ((year, code.to_owned()), v))
                .collect(),
        }
    }

    /// `[indices.complexity] population` as the config names it: a file, or `wdi`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Population, PopulationError> {
        if path == Path::new(crate::config::WDI) {
            Ok(Population::wdi())
        } else {
            Population::read(path, registry)
        }
    }

    pub fn get(&self, year: i32, code: &str) -> Option<f64> {
        self.by.get(&(year, code.to_owned())).copied()
    }

    /// Every (year, ISO3, population), sorted.
    pub fn entries(&self) -> Vec<(i32, &str, f64)> {
        let mut v: Vec<(i32, &str, f64)> = self.by.iter().map(|((y, c), v)| (*y, c.as_str(), *v)).collect();
        v.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        v
    }
}
