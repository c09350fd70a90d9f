//! `tradepipe freshness`: how far behind the current year each source's latest data is,
//! against the `warn-lag-years` / `error-lag-years` of its `[[source]]`.

use tradepipe_model::Config;

/// How stale a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Fresh,
    Warn,
    Stale,
}

/// One source's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceAge {
    pub source: String,
    pub last_year: Option<i32>,
    pub lag: Option<i32>,
    pub level: Level,
}

/// Compares each configured source's last year (from the normalize stage's provenance) with
/// `as_of`. A source with no rows is stale if it has an error threshold.
pub fn evaluate(cfg: &Config, provenance: &tradepipe_contract::Provenance, as_of: i32) -> Vec<SourceAge> {
    cfg.sources
        .iter()
        .map(|s| {
            let last_year = provenance
                .sources
                .iter()
                .find(|p| p.source == s.name)
                .and_then(|p| p.last_year);
            let lag = last_year.map(|y| as_of - y);
            let beyond = |limit: Option<u32>| match (limit, lag) {
                (Some(l), Some(lag)) => lag > l as i32,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let level = if beyond(s.error_lag_years) {
                Level::Stale
            } else if beyond(s.warn_lag_years) {
                Level::Warn
            } else {
                Level::Fresh
            };
            SourceAge {
                source: s.name.clone(),
                last_year,
                lag,
                level,
            }
        })
        .collect()
}

/// The current calendar year (UTC), from the system clock.
pub fn current_year() -> i32 {
    tradepipe_model::time::utc_date(std::time::SystemTime::now()).year
}
