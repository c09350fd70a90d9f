//! The job spec: everything the Spark job reads besides the canonical table, resolved from the
//! same [`IndicesInput`] the native engine reads (`spark/tradepipe_spark/job.py` reads it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tradepipe_contract::IndicesInput;
use tradepipe_model::Registry;
use tradepipe_model::macro_series::{Indicator, wdi};

use crate::SparkError;

/// Version 1 of the spec; the job refuses any other.
#[derive(Debug, Clone, Serialize)]
pub struct JobSpec {
    pub version: u32,
    /// The canonical table's root (any path Spark reads; the CLI gives the local one).
    pub trade: String,
    /// Where the index tables go.
    pub out: String,
    /// Years with a partition of the canonical table within `[run] years`.
    pub years: Vec<i32>,
    pub countries: Vec<String>,
    /// Every ordered pair of distinct configured countries, in the native engine's order.
    pub pairs: Vec<[String; 2]>,
    pub hm_variant: &'static str,
    pub world: &'static str,
    pub index_base_year: i32,
    pub cagr_windows: Vec<[i32; 2]>,
    /// Registry codes that are partner economies (summed in "sum" world totals).
    pub economies: Vec<String>,
    pub group_names: Vec<String>,
    /// Group -> year -> members, sorted.
    pub groups: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Year -> `100 / index` of the deflator, where `[indices] deflator` is set.
    pub factors: Option<BTreeMap<String, f64>>,
    /// Country -> year -> WDI value, for the configured countries and years.
    pub gdp: BTreeMap<String, BTreeMap<String, f64>>,
    pub population: BTreeMap<String, BTreeMap<String, f64>>,
    /// `[indices.complexity] enabled`: the job refuses product data then (not computed yet).
    pub complexity: bool,
    /// Directory of the HS editions' product lists.
    pub product_names: String,
    /// Where the job writes its result (years computed, years with product tables).
    pub result: String,
}

impl JobSpec {
    pub fn new(input: &IndicesInput) -> Result<JobSpec, SparkError> {
        let trade = input.trade.root().to_path_buf();
        let years = input.trade_years().map_err(|source| SparkError::Io {
            path: trade.clone(),
            source,
        })?;
        if years.is_empty() {
            return Err(SparkError::NoInput {
                root: trade,
                from: input.years.from,
                to: input.years.to,
            });
        }
        let registry = Registry::embedded();
        let economies = registry
            .entities()
            .iter()
            .filter(|e| e.kind.is_partner_economy())
            .map(|e| e.code.clone())
            .collect();
        let groups_of = input.country_groups();
        let groups = input
            .indices
            .groups
            .iter()
            .map(|g| {
                let by_year = years
                    .iter()
                    .map(|&y| {
                        let members = groups_of.members(g, y).into_iter().map(str::to_owned).collect();
                        (y.to_string(), members)
                    })
                    .collect();
                (g.clone(), by_year)
            })
            .collect();
        let factors = input.deflator().map(|d| {
            years
                .iter()
                .filter_map(|&y| Some((y.to_string(), d.factor(y)?)))
                .collect()
        });
        let series = |indicator| {
            let s = wdi(indicator);
            input
                .indices
                .countries
                .iter()
                .map(|c| {
                    let by_year = years
                        .iter()
                        .filter_map(|&y| Some((y.to_string(), s.get(c, y)?)))
                        .collect();
                    (c.clone(), by_year)
                })
                .collect()
        };
        let (gdp, population) = (series(Indicator::Gdp), series(Indicator::Population));
        Ok(JobSpec {
            version: 1,
            trade: absolute(&trade),
            out: String::new(),
            years,
            countries: input.indices.countries.clone(),
            pairs: input.pairs().into_iter().map(|(i, j)| [i, j]).collect(),
            hm_variant: input.indices.hm_variant.as_str(),
            world: input.indices.world.as_str(),
            index_base_year: input.index_base_year(),
            cagr_windows: input.indices.cagr_windows.clone(),
            economies,
            group_names: input.indices.groups.clone(),
            groups,
            factors,
            gdp,
            population,
            complexity: input.indices.complexity.enabled,
            product_names: String::new(),
            result: String::new(),
        })
    }

    /// The spec with its output, product-list and result paths under the run's directories.
    pub fn with_paths(mut self, work: &Path, job_dir: &Path, indices: &Path) -> JobSpec {
        self.out = absolute(indices);
        self.product_names = absolute(&job_dir.join("names"));
        self.result = absolute(&work.join("result.json"));
        self
    }
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
