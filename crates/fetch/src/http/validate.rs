//! Is a 2xx body really data? Services answer errors with status 200 (an HTML maintenance
//! page, a WITS `<wits:error>`, a Comtrade `"error"` field), and a connection can end early.
//! A body that fails here is never stored.

use quick_xml::events::Event;

/// What a request expects back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Comtrade v1 `{"count", "data": [...], "error"}`; more than `record_cap` records means
    /// the request was cut at the service's cap.
    ComtradeJson { record_cap: usize },
    /// IMF legacy SDMX-JSON `{"CompactData": ...}`.
    ImfDotJson,
    /// An SDMX-ML data message (IMF SDMX 3.0).
    SdmxXml,
    /// An SDMX-ML data message from WITS, whose errors come as `<wits:error>` with status 200.
    WitsXml,
    /// A zip archive (checked by [`crate::archive`] once on disk).
    Zip,
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyProblem {
    Invalid(String),
    /// The service returned exactly its record cap: the answer is probably cut short.
    RecordCap(usize),
}

/// Up to `n` bytes of `body` as text, for error messages.
pub fn body_start(body: &[u8], n: usize) -> String {
    let end = body.len().min(n);
    let mut s: String = String::from_utf8_lossy(&body[..end])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.len() > n {
        s.push('…');
    }
    s
}

fn trimmed(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    &body[start..]
}

fn looks_like_html(body: &[u8]) -> bool {
    let head: Vec<u8> = trimmed(body)
        .iter()
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Checks `body` against what `payload` expects.
pub fn check(payload: Payload, body: &[u8]) -> Result<(), BodyProblem> {
    let invalid = |m: &str| Err(BodyProblem::Invalid(m.to_string()));
    if trimmed(body).is_empty() {
        return invalid("empty body");
    }
    if looks_like_html(body) {
        return invalid("an HTML page, not data");
    }
    match payload {
        Payload::ComtradeJson { record_cap } => check_comtrade(body, record_cap),
        Payload::ImfDotJson => {
            let v: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| BodyProblem::Invalid(format!("malformed JSON: {e}")))?;
            if v.get("CompactData").is_none() {
                return invalid("JSON without a CompactData object");
            }
            Ok(())
        }
        Payload::WitsXml => {
            let head = &body[..body.len().min(4096)];
            if contains(head, b"wits:error") {
                return Err(BodyProblem::Invalid(format!(
                    "WITS answered with an error: {}",
                    wits_message(head)
                )));
            }
            check_sdmx_xml(body)
        }
        Payload::SdmxXml => check_sdmx_xml(body),
        Payload::Zip => {
            if body.starts_with(b"PK") {
                Ok(())
            } else {
                invalid("not a zip archive")
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The text of a WITS error, raw (`<wits:message>...`) or escaped inside a `<string>`.
fn wits_message(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(head)
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let msg = text
        .split("<wits:message")
        .nth(1)
        .and_then(|m| m.split_once('>'))
        .map(|(_, m)| m.split("</wits:message").next().unwrap_or(m).trim().to_string())
        .unwrap_or_else(|| body_start(head, 200));
    msg
}

fn check_comtrade(body: &[u8], record_cap: usize) -> Result<(), BodyProblem> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        data: Option<Vec<serde::de::IgnoredAny>>,
        #[serde(default)]
        error: Option<String>,
    }
    let env: Envelope =
        serde_json::from_slice(body).map_err(|e| BodyProblem::Invalid(format!("malformed JSON: {e}")))?;
    if let Some(err) = env.error.filter(|e| !e.trim().is_empty()) {
        return Err(BodyProblem::Invalid(format!("the API reported an error: {err}")));
    }
    let data = env
        .data
        .ok_or_else(|| BodyProblem::Invalid("JSON without a \"data\" array".into()))?;
    if data.len() >= record_cap {
        return Err(BodyProblem::RecordCap(record_cap));
    }
    Ok(())
}

/// Well-formed XML whose root is an SDMX data message.
fn check_sdmx_xml(body: &[u8]) -> Result<(), BodyProblem> {
    let bad = |m: String| Err(BodyProblem::Invalid(m));
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut root: Option<String> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if root.is_none() {
                    root = Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) if root.is_none() => {
                root = Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return bad(format!("malformed XML at byte {}: {e}", reader.buffer_position()));
            }
        }
        buf.clear();
    }
    match root.as_deref() {
        None => bad("no XML element".into()),
        Some(_) if depth > 0 => bad(format!("XML ends inside {depth} open element(s): truncated")),
        Some("StructureSpecificData" | "GenericData" | "StructureSpecificTimeSeriesData") => Ok(()),
        Some("Error") => bad(format!("SDMX error message: {}", body_start(body, 300))),
        Some(other) => bad(format!("XML root <{other}> is not an SDMX data message")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: Payload = Payload::ComtradeJson { record_cap: 500 };

    #[test]
    fn html_with_status_200_is_refused() {
        let page = b"\n<!DOCTYPE html><html><body>Service unavailable</body></html>";
        for p in [CT, Payload::ImfDotJson, Payload::SdmxXml, Payload::WitsXml] {
            assert_eq!(
                check(p, page),
                Err(BodyProblem::Invalid("an HTML page, not data".into()))
            );
        }
    }

    #[test]
    fn comtrade_bodies() {
        assert_eq!(check(CT, br#"{"count":0,"data":[],"error":""}"#), Ok(()));
        assert!(matches!(
            check(CT, br#"{"data":[],"error":"invalid reporterCode"}"#),
            Err(BodyProblem::Invalid(m)) if m.contains("invalid reporterCode")
        ));
        assert!(matches!(
            check(CT, br#"{"count":1,"data":[{"a":1}"#),
            Err(BodyProblem::Invalid(m)) if m.starts_with("malformed JSON")
        ));
        let two = br#"{"data":[{},{}]}"#;
        assert_eq!(
            check(Payload::ComtradeJson { record_cap: 2 }, two),
            Err(BodyProblem::RecordCap(2))
        );
    }

    #[test]
    fn wits_errors_raw_and_escaped() {
        let raw = br#"<?xml version="1.0"?><wits:error xmlns:wits="http://wits.worldbank.org"><wits:message key="NoRecordsFound">No records found for the given parameters</wits:message></wits:error>"#;
        let escaped = br#"<string xmlns="http://schemas.microsoft.com/2003/10/Serialization/">&lt;wits:error&gt;&lt;wits:message&gt;Response too large&lt;/wits:message&gt;&lt;/wits:error&gt;</string>"#;
        assert_eq!(
            check(Payload::WitsXml, raw),
            Err(BodyProblem::Invalid(
                "WITS answered with an error: No records found for the given parameters".into()
            ))
        );
        assert_eq!(
            check(Payload::WitsXml, escaped),
            Err(BodyProblem::Invalid(
                "WITS answered with an error: Response too large".into()
            ))
        );
    }

    #[test]
    fn truncated_and_foreign_xml() {
        let ok = b"<m:GenericData xmlns:m='x'><m:DataSet/></m:GenericData>";
        assert_eq!(check(Payload::SdmxXml, ok), Ok(()));
        assert!(matches!(
            check(Payload::SdmxXml, b"<m:GenericData xmlns:m='x'><m:DataSet>"),
            Err(BodyProblem::Invalid(m)) if m.contains("truncated")
        ));
        assert!(matches!(
            check(Payload::SdmxXml, b"<rss></rss>"),
            Err(BodyProblem::Invalid(m)) if m.contains("<rss>")
        ));
    }

    #[test]
    fn body_start_is_short_and_printable() {
        assert_eq!(body_start(b"ab\ncd", 3), "ab …");
    }
}
