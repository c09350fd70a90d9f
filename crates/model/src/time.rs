//! UTC calendar dates from the system clock, without a date library: the fetch stage stamps
//! requests and counts its daily call budget by UTC day, and `freshness` needs the year.

use std::time::{SystemTime, UNIX_EPOCH};

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The date of a day count since 1970-01-01 (H. Hinnant's civil-from-days).
pub fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Date {
        year: (yoe + era * 400 + i64::from(month <= 2)) as i32,
        month,
        day,
    }
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The UTC date of `t`.
pub fn utc_date(t: SystemTime) -> Date {
    civil_from_days((unix_secs(t) / 86_400) as i64)
}

/// `t` as RFC 3339 UTC to the second, e.g. `2026-11-23T14:05:09Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = unix_secs(t);
    let rem = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        utc_date(t),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn known_days() {
        let d = |y, m, dd| Date {
            year: y,
            month: m,
            day: dd,
        };
        assert_eq!(civil_from_days(0), d(1970, 1, 1));
        assert_eq!(civil_from_days(364), d(1970, 12, 31));
        assert_eq!(civil_from_days(365), d(1971, 1, 1));
        assert_eq!(civil_from_days(11_016), d(2000, 2, 29));
        assert_eq!(civil_from_days(20_818), d(2026, 12, 31));
        assert_eq!(civil_from_days(-1), d(1969, 12, 31));
    }

    #[test]
    fn rfc3339_of_a_known_instant() {
        // 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT
        let t = UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(rfc3339(t), "2015-10-21T07:28:00Z");
    }
}
