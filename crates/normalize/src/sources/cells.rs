//! Text files and number cells as people save them: the encodings spreadsheet programs write
//! (Excel's "Unicode text" is UTF-16 with a byte-order mark) and numbers with thousands
//! separators or a decimal comma (ITC Trade Map, many national statistics tables).

use std::borrow::Cow;

/// The text of a file: UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order
/// mark (little- or big-endian). Anything else is an error that names what was found.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    for (bom, little) in [(b"\xFF\xFE", true), (b"\xFE\xFF", false)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let endian = if little { "little" } else { "big" };
            if rest.len() % 2 != 0 {
                return Err(format!(
                    "UTF-16 ({endian}-endian) text with an odd number of bytes: cut short?"
                ));
            }
            let units = rest.chunks_exact(2).map(|b| {
                let pair = [b[0], b[1]];
                if little {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            });
            return char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map(Cow::Owned)
                .map_err(|e| format!("not valid UTF-16 ({endian}-endian) text: {e}"));
        }
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    let advice = "save it as UTF-8, or as UTF-16 with a byte-order mark (Excel's \"Unicode text\")";
    // Every other byte zero: UTF-16 saved without its byte-order mark (valid UTF-8 to a
    // decoder, NULs and all).
    if bytes.len() > 3 && (bytes[1] == 0 && bytes[3] == 0 || bytes[0] == 0 && bytes[2] == 0) {
        return Err(format!(
            "not UTF-8 text: it looks like UTF-16 without a byte-order mark; {advice}"
        ));
    }
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let found = match e.error_len() {
            Some(_) => format!(
                "byte 0x{:02X} at line {line} (a Latin-1 or Windows-1252 file?)",
                bytes[at]
            ),
            None => format!("a character cut short at line {line}"),
        };
        format!("not UTF-8 text: {found}; {advice}")
    })
}

/// A value cell as a number, with the table's separators (`thousands`, `decimal`). Without a
/// thousands separator the cell must be a plain number; with one, digit groups after the
/// first must have three digits (`1,234,567.5`), so a decimal comma read with the wrong
/// settings is an error, not a number a thousand times too large.
pub(crate) fn number(raw: &str, thousands: Option<char>, decimal: Option<char>) -> Result<f64, String> {
    let decimal = decimal.unwrap_or('.');
    let finite = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
    if thousands.is_none() && decimal == '.' {
        return finite(raw).ok_or_else(|| match hint(raw) {
            Some(h) => format!("not a number ({h})"),
            None => "not a number".to_string(),
        });
    }
    let (sign, body) = match raw.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", raw.strip_prefix('+').unwrap_or(raw)),
    };
    let (int, frac) = match body.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut plain = String::from(sign);
    match thousands {
        Some(t) if int.contains(t) => {
            let mut groups = int.split(t);
            let first = groups.next().unwrap_or("");
            let ok = (1..=3).contains(&first.len())
                && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(format!("not a number with thousands separator {t:?}"));
            }
            plain.extend(int.chars().filter(|&c| c != t));
        }
        _ => plain.push_str(int),
    }
    if let Some(f) = frac {
        plain.push('.');
        plain.push_str(f);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (i, f) = plain
        .trim_start_matches(['-', '+'])
        .split_once('.')
        .unwrap_or((plain.trim_start_matches(['-', '+']), "0"));
    if !(digits(i) && digits(f)) {
        return Err("not a number".into());
    }
    finite(&plain).ok_or_else(|| "not a number".into())
}

/// What to set for a number written with separators the table was not told about.
fn hint(raw: &str) -> Option<&'static str> {
    let digits_and = |seps: &[char]| {
        raw.chars()
            .all(|c| c.is_ascii_digit() || seps.contains(&c) || c == '-')
    };
    if !raw.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    match (raw.contains(','), raw.contains('.')) {
        (true, true) if digits_and(&[',', '.']) => Some(if raw.rfind(',') < raw.rfind('.') {
            "for 1,234.5 set thousands-separator = \",\" in [source.columns]"
        } else {
            "for 1.234,5 set thousands-separator = \".\" and decimal-separator = \",\" in [source.columns]"
        }),
        (true, false) if digits_and(&[',']) => Some(
            "for 1,234 set thousands-separator = \",\", for 1234,5 decimal-separator = \",\" in [source.columns]",
        ),
        _ if raw.contains(' ') && digits_and(&[' ', '.', ',']) => {
            Some("for 1 234 set thousands-separator = \" \" in [source.columns]")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_utf16_with_a_bom_decode() {
        assert_eq!(decode(b"Year,Value\n").unwrap(), "Year,Value\n");
        assert_eq!(decode(b"\xEF\xBB\xBFYear").unwrap(), "Year");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Jahr\tWert".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), "Jahr\tWert");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Année".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap(), "Année");
    }

    #[test]
    fn other_encodings_are_named() {
        let latin1 = b"Year,Partner\n2010,C\xF4te d'Ivoire\n";
        let msg = decode(latin1).unwrap_err();
        assert!(
            msg.contains("not UTF-8 text: byte 0xF4 at line 2 (a Latin-1 or Windows-1252 file?)"),
            "{msg}"
        );
        let no_bom: Vec<u8> = "Year".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(
            decode(&no_bom)
                .unwrap_err()
                .contains("UTF-16 without a byte-order mark")
        );
        let bad: Vec<u8> = "Year\u{e9}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .chain([0xFF])
            .collect();
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn numbers_with_separators() {
        assert_eq!(number("1234.5", None, None), Ok(1234.5));
        assert_eq!(number("1,234.5", Some(','), None), Ok(1234.5));
        assert_eq!(number("1.234.567,25", Some('.'), Some(',')), Ok(1_234_567.25));
        assert_eq!(number("-1 234", Some(' '), None), Ok(-1234.0));
        assert_eq!(number("1234,5", None, Some(',')), Ok(1234.5));
        assert_eq!(
            number("12,34", Some(','), None),
            Err("not a number with thousands separator ','".into())
        );
        assert_eq!(
            number("1,2345", Some(','), None),
            Err("not a number with thousands separator ','".into())
        );
        assert!(
            number("1,234.5", None, None)
                .unwrap_err()
                .contains("set thousands-separator = \",\"")
        );
        assert!(
            number("1.234,5", None, None)
                .unwrap_err()
                .contains("decimal-separator = \",\"")
        );
        assert_eq!(number("NaN", None, None), Err("not a number".into()));
        assert_eq!(number("x", Some(','), None), Err("not a number".into()));
    }
}
