//! Macroeconomic reference series embedded from `data/macro/` (provenance in `data/README.md`):
//! World Bank WDI population, GDP in current US$ and the GDP deflator's annual change, and the
//! US BLS CPI-U (monthly). They turn current dollars into constant ones ([`Deflator`]) and
//! give the complexity tables population and GDP per capita.
//!
//! WDI rows are kept for codes the registry knows as economies; the World Bank's regional and
//! income aggregates (`WLD`, `EUU`, `LMC`, ...) are left out, so a sum over countries never
//! counts one twice.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::registry::{EntityKind, Registry};

const POPULATION: &[u8] = include_bytes!("../../../data/macro/wdi_sp.pop.totl.csv.gz");
const GDP: &[u8] = include_bytes!("../../../data/macro/wdi_ny.gdp.mktp.cd.csv.gz");
const GDP_DEFLATOR: &[u8] = include_bytes!("../../../data/macro/wdi_ny.gdp.defl.kd.zg.csv.gz");
const US_CPI: &str = include_str!("../../../data/macro/us_cpi_u_monthly.csv");

/// A WDI indicator the pipeline uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Indicator {
    /// `SP.POP.TOTL`, people.
    Population,
    /// `NY.GDP.MKTP.CD`, GDP in current US$.
    Gdp,
    /// `NY.GDP.DEFL.KD.ZG`, GDP deflator, annual % change.
    GdpDeflatorChange,
}

impl Indicator {
    pub fn code(self) -> &'static str {
        match self {
            Indicator::Population => "SP.POP.TOTL",
            Indicator::Gdp => "NY.GDP.MKTP.CD",
            Indicator::GdpDeflatorChange => "NY.GDP.DEFL.KD.ZG",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Indicator::Population => POPULATION,
            Indicator::Gdp => GDP,
            Indicator::GdpDeflatorChange => GDP_DEFLATOR,
        }
    }
}

/// One WDI indicator by (ISO3, year).
#[derive(Debug, Default)]
pub struct Wdi {
    by: HashMap<(String, i32), f64>,
}

impl Wdi {
    pub fn get(&self, code: &str, year: i32) -> Option<f64> {
        self.by.get(&(code.to_owned(), year)).copied()
    }

    /// Every (ISO3, year, value).
    pub fn entries(&self) -> impl Iterator<Item = (&str, i32, f64)> {
        self.by.iter().map(|((c, y), v)| (c.as_str(), *y, *v))
    }

    /// The series of one economy, by year.
    pub fn series(&self, code: &str) -> BTreeMap<i32, f64> {
        self.by
            .iter()
            .filter(|((c, _), _)| c == code)
            .map(|((_, y), v)| (*y, *v))
            .collect()
    }
}

/// GDP per head in current US$: WDI GDP over WDI population (positive), for the complexity
/// tables' PRODY and EXPY (both index engines take it from here).
pub fn income_per_head(code: &str, year: i32) -> Option<f64> {
    let gdp = wdi(Indicator::Gdp).get(code, year)?;
    let people = wdi(Indicator::Population).get(code, year)?;
    (people > 0.0).then(|| gdp / people)
}

/// The embedded indicator, parsed once per process.
pub fn wdi(indicator: Indicator) -> &'static Wdi {
    static CACHE: OnceLock<[Wdi; 3]> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let reg = Registry::embedded();
        [
            Indicator::Population,
            Indicator::Gdp,
            Indicator::GdpDeflatorChange,
        ]
        .map(|i| parse_wdi(i.bytes(), &reg))
    });
    &all[indicator as usize]
}

fn parse_wdi(gz: &[u8], reg: &Registry) -> Wdi {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .expect("the embedded WDI file is valid gzip");
    let mut by = HashMap::new();
    // `Country Name,Country Code,Year,Value`; names may hold commas, so read it as CSV.
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    for row in rows.records() {
        let row = row.expect("the embedded WDI file is valid CSV");
        let (code, year, value) = (&row[1], &row[2], &row[3]);
        let economy = reg
            .get(code)
            .is_some_and(|e| matches!(e.kind, EntityKind::Country | EntityKind::Historic));
        if let (true, Ok(year), Ok(value)) = (economy, year.parse(), value.parse()) {
            by.insert((code.to_owned(), year), value);
        }
    }
    Wdi { by }
}

/// The US CPI-U by year: the mean of the year's twelve monthly indices (1982–84 = 100), as
/// BLS computes its annual average; years with fewer months are left out.
pub fn us_cpi_annual() -> BTreeMap<i32, f64> {
    let mut months: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    for line in US_CPI.lines().skip(1) {
        let mut f = line.split(',');
        let (Some(date), Some(index)) = (f.next(), f.next()) else {
            continue;
        };
        if let (Ok(year), Ok(index)) = (date[..4].parse::<i32>(), index.parse::<f64>()) {
            months.entry(year).or_default().push(index);
        }
    }
    months
        .into_iter()
        .filter(|(_, m)| m.len() == 12)
        .map(|(y, m)| (y, m.iter().sum::<f64>() / 12.0))
        .collect()
}

/// Which price index turns current dollars into constant ones (`[indices] deflator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeflatorSeries {
    /// The US GDP deflator, chained from WDI's annual % change.
    UsGdpDeflator,
    /// The US CPI-U annual average (BLS).
    UsCpi,
}

impl DeflatorSeries {
    pub fn as_str(self) -> &'static str {
        match self {
            DeflatorSeries::UsGdpDeflator => "us-gdp-deflator",
            DeflatorSeries::UsCpi => "us-cpi",
        }
    }

    /// Where the numbers come from, for footnotes and `_meta.json`.
    pub fn source(self) -> &'static str {
        match self {
            DeflatorSeries::UsGdpDeflator => {
                "World Bank WDI NY.GDP.DEFL.KD.ZG (United States), chained into an index"
            }
            DeflatorSeries::UsCpi => "US BLS CPI-U, all items, annual average of monthly indices",
        }
    }
}

/// A price index rebased to 100 in `base_year`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deflator {
    pub series: DeflatorSeries,
    pub base_year: i32,
    pub index: BTreeMap<i32, f64>,
}

impl Deflator {
    /// The series rebased to `base_year`; an error naming the years the series covers when
    /// the base year is not among them.
    pub fn new(series: DeflatorSeries, base_year: i32) -> Result<Deflator, String> {
        let levels = match series {
            DeflatorSeries::UsCpi => us_cpi_annual(),
            DeflatorSeries::UsGdpDeflator => chain(&wdi(Indicator::GdpDeflatorChange).series("USA")),
        };
        let (Some(first), Some(last)) = (levels.keys().next(), levels.keys().next_back()) else {
            return Err(format!("{} has no values", series.as_str()));
        };
        let Some(&base) = levels.get(&base_year) else {
            return Err(format!(
                "price-base-year {base_year} is outside {} ({first}-{last})",
                series.as_str()
            ));
        };
        Ok(Deflator {
            series,
            base_year,
            index: levels.iter().map(|(y, v)| (*y, 100.0 * v / base)).collect(),
        })
    }

    /// Constant dollars of the base year per current dollar of `year`, `100 / index_year`.
    pub fn factor(&self, year: i32) -> Option<f64> {
        Some(100.0 / self.index.get(&year)?)
    }

    /// `value` in constant dollars of the base year, `value · 100 / index_year`; `None`
    /// where the value or the year's index is missing.
    pub fn real(&self, year: i32, value: Option<f64>) -> Option<f64> {
        Some(value? * self.factor(year)?)
    }
}

/// Levels from annual % changes: 100 in the year before the first change, then
/// `L_t = L_{t−1}·(1 + g_t/100)`; a gap in the changes ends the chain.
fn chain(changes: &BTreeMap<i32, f64>) -> BTreeMap<i32, f64> {
    let mut out = BTreeMap::new();
    let Some((&first, _)) = changes.iter().next() else {
        return out;
    };
    let mut level = 100.0;
    out.insert(first - 1, level);
    for (&year, &g) in changes {
        if year != out.keys().next_back().copied().unwrap_or(first - 1) + 1 {
            break;
        }
        level *= 1.0 + g / 100.0;
        out.insert(year, level);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpi_rebased_to_2010_gives_the_published_ratios() {
        // BLS annual averages: 2010 218.056, 2015 237.017, 2020 258.811.
        let d = Deflator::new(DeflatorSeries::UsCpi, 2010).unwrap();
        let round = |v: f64| (v * 100.0).round() / 100.0;
        assert_eq!(round(d.index[&2010]), 100.0);
        assert_eq!(round(d.index[&2015]), 108.70);
        assert_eq!(round(d.index[&2020]), 118.69);
        let cpi = us_cpi_annual();
        assert!((cpi[&2015] - 237.017).abs() < 0.001, "{}", cpi[&2015]);
        // A value of 2020 in 2010 dollars: nominal ÷ 1.1869.
        let real = d.real(2020, Some(118.69)).unwrap();
        assert!((real - 100.0).abs() < 0.01, "{real}");
        assert_eq!(d.real(1900, Some(1.0)), None, "no index before 1913");
    }

    #[test]
    fn the_gdp_deflator_is_chained_from_its_changes() {
        let d = Deflator::new(DeflatorSeries::UsGdpDeflator, 2015).unwrap();
        let g = wdi(Indicator::GdpDeflatorChange);
        let (g16, g17) = (g.get("USA", 2016).unwrap(), g.get("USA", 2017).unwrap());
        let want = 100.0 * (1.0 + g16 / 100.0) * (1.0 + g17 / 100.0);
        assert!(
            (d.index[&2017] - want).abs() < 1e-9,
            "{} vs {want}",
            d.index[&2017]
        );
        assert_eq!(d.index[&2015], 100.0);
        let err = Deflator::new(DeflatorSeries::UsGdpDeflator, 1800).unwrap_err();
        assert!(
            err.starts_with("price-base-year 1800 is outside us-gdp-deflator (19"),
            "{err}"
        );
    }

    #[test]
    fn chains_stop_at_a_gap() {
        let changes: BTreeMap<i32, f64> = [(2000, 10.0), (2001, 10.0), (2003, 5.0)].into();
        let levels = chain(&changes);
        assert_eq!(levels.keys().copied().collect::<Vec<_>>(), [1999, 2000, 2001]);
        assert!((levels[&2001] - 121.0).abs() < 1e-9);
    }

    #[test]
    fn aggregates_are_left_out_and_economies_kept() {
        let pop = wdi(Indicator::Population);
        assert!(pop.get("KAZ", 2020).unwrap() > 18e6);
        assert_eq!(pop.get("WLD", 2020), None, "the world aggregate");
        assert_eq!(pop.get("EUU", 2020), None, "the EU aggregate");
        assert!(wdi(Indicator::Gdp).get("CHN", 2020).unwrap() > 1e13);
    }
}
