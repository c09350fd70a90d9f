//! Number formatting for report tables: one convention for HTML, Markdown and the sidecar.

/// Shown for a value that is absent from the data.
pub const MISSING: &str = "–";

/// US dollars as billions with two decimals and thousands separators: `30 113 000 000` →
/// `30.11`.
pub fn usd_bn(v: Option<f64>) -> String {
    v.map_or_else(|| MISSING.into(), |v| group_thousands(&format!("{:.2}", v / 1e9)))
}

/// A fraction as a percentage with `decimals` decimals: `0.07391` → `7.39`.
pub fn pct(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| MISSING.into(), |v| format!("{:.decimals$}", v * 100.0))
}

/// A span of years for titles: `2010–2020`, or `2020` when it is one year.
pub fn span(first: i32, last: i32) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    }
}

/// A count with thousands separators: `5054` → `5,054`.
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A number with `decimals` decimals and thousands separators: `1234.5` → `1,234.50`.
pub fn grouped(v: f64, decimals: usize) -> String {
    group_thousands(&format!("{v:.decimals$}"))
}

/// `1234567.89` → `1,234,567.89`; keeps the sign.
fn group_thousands(s: &str) -> String {
    let (sign, digits) = s.strip_prefix('-').map_or(("", s), |d| ("-", d));
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign =
        if out.chars().all(|c| c == '0' || c == ',') && frac.is_none_or(|f| f.chars().all(|c| c == '0')) {
            ""
        } else {
            sign
        };
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Years as compact ranges: `[2000, 2001, 2002, 2005]` → `2000–2002, 2005`.
pub fn year_ranges(years: &[i32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < years.len() {
        let mut j = i;
        while j + 1 < years.len() && years[j + 1] == years[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            years[i].to_string()
        } else {
            format!("{}–{}", years[i], years[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(usd_bn(Some(30_113_000_000.0)), "30.11");
        assert_eq!(usd_bn(Some(1_234_567_890_000.0)), "1,234.57");
        assert_eq!(usd_bn(Some(-2_500_000_000.0)), "-2.50");
        assert_eq!(usd_bn(Some(-1_000.0)), "0.00");
        assert_eq!(usd_bn(None), MISSING);
        assert_eq!(pct(Some(0.073912), 2), "7.39");
        assert_eq!(pct(Some(0.0004891), 3), "0.049");
        assert_eq!(
            year_ranges(&[2000, 2001, 2002, 2005, 2007, 2008]),
            "2000–2002, 2005, 2007–2008"
        );
        assert_eq!(year_ranges(&[]), "");
    }
}
