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
pub fn evaluate(cfg: &Config, provenance: &tradepipe_normalize::Provenance, as_of: i32) -> Vec<SourceAge> {
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
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0);
    civil_year(days)
}

/// Gregorian year of a day count since 1970-01-01 (H. Hinnant's civil-from-days).
fn civil_year(days: i64) -> i32 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_year_of_known_days() {
        assert_eq!(civil_year(0), 1970);
        assert_eq!(civil_year(364), 1970); // 1970-12-31
        assert_eq!(civil_year(365), 1971);
        assert_eq!(civil_year(11_016), 2000); // 2000-02-29
        assert_eq!(civil_year(20_818), 2026); // 2026-12-31
        assert_eq!(civil_year(20_819), 2027);
    }
}
