//! The job spec: everything the Spark job reads besides the canonical table, resolved from the
//! same [`IndicesInput`] the native engine reads (`spark/tradepipe_spark/job.py` reads it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tradepipe_contract::IndicesInput;
use tradepipe_model::Registry;
use tradepipe_model::config::ComplexityConfig;
use tradepipe_model::macro_series::{Indicator, income_per_head, wdi};
use tradepipe_model::population::Population;

use crate::SparkError;

/// The spec's version; the job refuses any other.
pub const VERSION: u32 = 2;

/// The spec's version ([`VERSION`]); the job refuses any other.
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
    /// `[indices.complexity]` where it is enabled, with what its tables read besides trade.
    pub complexity: Option<ComplexitySpec>,
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
        let complexity = ComplexitySpec::new(input, &years, &registry)?;
        Ok(JobSpec {
            version: VERSION,
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
            complexity,
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

/// The complexity tables' options and data: the config section as the native engine reads it,
/// the population of every country the population file (or WDI) has for the years, and WDI's
/// GDP per head of every economy (PRODY and EXPY).
#[derive(Debug, Clone, Serialize)]
pub struct ComplexitySpec {
    pub options: ComplexityConfig,
    /// Year -> ISO3 -> population, where `population` is set.
    pub population: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// Year -> ISO3 -> GDP per head, current US$.
    pub income: BTreeMap<String, BTreeMap<String, f64>>,
}

impl ComplexitySpec {
    fn new(
        input: &IndicesInput,
        years: &[i32],
        registry: &Registry,
    ) -> Result<Option<ComplexitySpec>, SparkError> {
        let cfg = &input.indices.complexity;
        if !cfg.enabled {
            return Ok(None);
        }
        let wanted = |y: i32| years.contains(&y);
        let population = cfg
            .population
            .as_deref()
            .map(|path| Population::load(path, registry))
            .transpose()?
            .map(|pop| {
                let mut by: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
                for (y, code, v) in pop.entries().into_iter().filter(|e| wanted(e.0)) {
                    by.entry(y.to_string()).or_default().insert(code.to_owned(), v);
                }
                by
            });
        let mut income: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for (code, y, _) in wdi(Indicator::Gdp).entries().filter(|e| wanted(e.1)) {
            if let Some(v) = income_per_head(code, y) {
                income
                    .entry(y.to_string())
                    .or_default()
                    .insert(code.to_owned(), v);
            }
        }
        Ok(Some(ComplexitySpec {
            options: cfg.clone(),
            population,
            income,
        }))
    }
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradepipe_model::config::{Config, Overrides};

    fn input(dir: &Path, complexity: &str) -> IndicesInput {
        let text = format!(
            "[run]\nyears = {{ from = 1995, to = 1996 }}\n\n[[source]]\nname = \"s\"\nkind = \"file\"\n\
             format = \"imf-dots-csv\"\npath = \"s.csv\"\nvintage = \"v\"\n\n[indices]\ncountries = [\"AUT\", \"DEU\"]\n\n\
             [indices.complexity]\n{complexity}\n"
        );
        let cfg = Config::from_str(&text, &dir.join("pipeline.toml"), &Overrides::default(), None).unwrap();
        IndicesInput::new(&cfg).unwrap()
    }

    #[test]
    fn the_complexity_spec_carries_the_population_file_and_incomes_of_the_years() {
        let dir = tempfile::tempdir().unwrap();
        // Two rows a year, one of them for a year outside the run (left out of the spec).
        std::fs::write(
            dir.path().join("pop.csv"),
            "year,country,population\n1995,aut,7948278\n1996,AUT,7959017\n2001,AUT,8020946\n",
        )
        .unwrap();
        let registry = Registry::embedded();
        let with = input(dir.path(), "presence = \"rpop\"\npopulation = \"pop.csv\"");
        let spec = ComplexitySpec::new(&with, &[1995, 1996], &registry)
            .unwrap()
            .unwrap();
        let pop = spec.population.unwrap();
        assert_eq!(pop.keys().collect::<Vec<_>>(), ["1995", "1996"]);
        assert_eq!(pop["1995"]["AUT"], 7_948_278.0);
        // GDP per head as the native engine's PRODY takes it: WDI GDP over WDI population.
        let (gdp, people) = (wdi(Indicator::Gdp), wdi(Indicator::Population));
        let want = gdp.get("AUT", 1996).unwrap() / people.get("AUT", 1996).unwrap();
        assert_eq!(spec.income["1996"]["AUT"], want);
        assert!(
            spec.income["1996"].len() > 150,
            "every economy WDI has, not only the configured two"
        );
        let json = serde_json::to_value(&spec.options).unwrap();
        assert_eq!(json["presence"], "rpop");
        assert_eq!(json["max-products"], 12000);

        let off = input(dir.path(), "enabled = false");
        assert!(ComplexitySpec::new(&off, &[1995], &registry).unwrap().is_none());
    }
}
