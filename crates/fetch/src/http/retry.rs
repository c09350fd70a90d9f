//! When to retry and how long to wait: full-jitter exponential backoff, and `Retry-After` in
//! both of its forms (delay-seconds and HTTP-date, RFC 9110 §10.2.3).

use std::time::{Duration, SystemTime};

/// Statuses worth asking again: the server is busy, slow or briefly broken. Every other 4xx
/// means the request itself is wrong and is never retried.
pub(crate) fn is_retryable(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// A random wait in `[0, min(max, base * 2^attempt)]` ("full jitter"), so clients that failed
/// together do not come back together.
pub(crate) fn full_jitter(attempt: u32, base: Duration, max: Duration) -> Duration {
    let ceiling = base
        .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
        .min(max);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// The wait a `Retry-After` value asks for, measured from `now`; `None` if it is neither a
/// number of seconds nor an HTTP date. A date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_only_transient_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable(s), "{s}");
        }
        for s in [200, 304, 400, 401, 403, 404, 410, 422] {
            assert!(!is_retryable(s), "{s}");
        }
    }

    #[test]
    fn jitter_stays_under_the_exponential_ceiling() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        for attempt in 0..40 {
            let ceiling = (base * 2u32.pow(attempt.min(20))).min(max);
            for _ in 0..50 {
                assert!(full_jitter(attempt, base, max) <= ceiling);
            }
        }
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
