//! Credentials from the environment, and the scrubbing that keeps them out of everything the
//! pipeline writes or prints.
//!
//! A key is sent only as a request header, so request URLs, cache keys and manifest entries
//! never contain it; [`redact_url`] still strips credential-like query parameters in case a
//! user writes one into a configured URL, and [`Redactor::scrub`] removes the key's value from
//! any text that could echo it (error messages, the start of a response body).

use std::fmt;

/// Environment variable holding the UN Comtrade subscription key.
pub const COMTRADE_KEY_VAR: &str = "COMTRADE_API_KEY";

/// A secret value. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The variable's value, if it is set and not blank.
    pub fn from_env(var: &str) -> Option<Secret> {
        std::env::var(var)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .map(Secret)
    }

    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Removes known secret values from text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<Secret>,
}

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = Secret>) -> Redactor {
        Redactor {
            // Short values would blank out ordinary words; real keys are 32 hex digits.
            secrets: secrets.into_iter().filter(|s| s.0.len() >= 8).collect(),
        }
    }

    pub fn scrub(&self, text: &str) -> String {
        let mut out = redact_url(text);
        for s in &self.secrets {
            out = out.replace(&s.0, "<redacted>");
        }
        out
    }
}

/// Query parameter names whose values are credentials.
const SECRET_PARAMS: &[&str] = &[
    "subscription-key",
    "subscription_key",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "token",
    "access_token",
    "password",
];

/// `text` (a URL, or a message quoting one) with the values of credential-like query
/// parameters ([`SECRET_PARAMS`]) replaced by `REDACTED`.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(['?', '&']) {
        out.push_str(&rest[..=pos]);
        rest = &rest[pos + 1..];
        let end = rest.find(['&', '#', ' ', '"', '\'', '\n']).unwrap_or(rest.len());
        let pair = &rest[..end];
        match pair.split_once('=') {
            Some((name, _)) if SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str()) => {
                out.push_str(name);
                out.push_str("=REDACTED");
            }
            _ => out.push_str(pair),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("0123456789abcdef0123456789abcdef");
        assert_eq!(format!("{s} {s:?}"), "<redacted> Secret(<redacted>)");
    }

    #[test]
    fn urls_lose_credential_parameters_only() {
        assert_eq!(
            redact_url("https://h/x?reporterCode=156&subscription-key=abc&period=2010"),
            "https://h/x?reporterCode=156&subscription-key=REDACTED&period=2010"
        );
        assert_eq!(redact_url("https://h/x?Token=t"), "https://h/x?Token=REDACTED");
        assert_eq!(redact_url("https://h/x?monkey=1"), "https://h/x?monkey=1");
        assert_eq!(redact_url("https://h/x"), "https://h/x");
    }

    #[test]
    fn scrub_removes_the_value_wherever_it_is_echoed() {
        let r = Redactor::new([Secret::new("0123456789abcdef")]);
        assert_eq!(
            r.scrub("bad key 0123456789abcdef at https://h/?apikey=zz"),
            "bad key <redacted> at https://h/?apikey=REDACTED"
        );
    }
}
