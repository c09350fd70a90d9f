//! Country-level figures of each configured country and year: its trade with the world (its
//! own report) beside the embedded World Bank WDI GDP and population, and openness.

use tradepipe_model::macro_series::{Indicator, wdi};

use crate::bilateral::BilateralRow;
use crate::formulas::share;
pub use tradepipe_tables::CountryRow;

/// A row for every country of `countries` with a bilateral row in `year` (its world totals
/// are in every one of its rows).
pub fn compute(year: i32, countries: &[String], bilateral: &[BilateralRow]) -> Vec<CountryRow> {
    countries
        .iter()
        .filter_map(|c| {
            let r = bilateral.iter().find(|r| r.year == year && &r.reporter == c)?;
            let gdp = wdi(Indicator::Gdp).get(c, year);
            let population = wdi(Indicator::Population).get(c, year);
            // Both sides or no openness: one side alone is not the country's trade.
            let trade = r
                .reporter_world_exports
                .zip(r.reporter_world_imports)
                .map(|(x, m)| x + m);
            Some(CountryRow {
                year,
                reporter: c.clone(),
                exports: r.reporter_world_exports,
                imports: r.reporter_world_imports,
                gdp,
                population,
                gdp_per_capita: share(gdp, population),
                openness: share(trade, gdp),
            })
        })
        .collect()
}
