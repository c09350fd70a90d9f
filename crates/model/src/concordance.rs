//! Conversion of HS product codes between editions (`[normalize] hs-target`), through the
//! chain of adjacent editions HS92 → HS96 → HS02 → HS07 → HS12 → HS17 → HS22.
//!
//! Embedded from `data/hs/concordance/` (built by `data/tools/build_hs_concordance.py`;
//! provenance in `data/README.md`): the UN Statistics Division correlation tables between
//! adjacent editions (every link of 6-digit codes) and the Harvard Growth Lab trade-value
//! weights for HS92 ↔ … ↔ HS17.
//!
//! One step from edition A to the adjacent B sends a code's value, in this order of rules:
//! 1. by the Growth Lab weights where they list the code (a single target is a move);
//! 2. else along the UNSD links: all of it to a single linked code, or an equal split among
//!    the linked codes (HS17 ↔ HS22 has no weights);
//! 3. else, where B has the same code (Comtrade's `999999`), to that code;
//! 4. else the code is kept as it is and marked `unmatched` (the UN tables omit a handful,
//!    e.g. HS17 `300219` in the HS22 table).
//!
//! A chain applies the steps one after another and records the weakest rule any share went
//! through. Codes of 2 or 4 digits convert as the mean of their subheadings' conversions
//! (each subheading weighing the same), cut to the same length. Invariant: the shares of a
//! code sum to 1 (to rounding; the caller gives the last share the remainder so that a value
//! is preserved exactly).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::OnceLock;

/// The HS editions, oldest first, by their canonical names.
pub const EDITIONS: [&str; 7] = ["HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22"];

/// The rule a converted value went through, weakest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// All of the value to one code (1:1 and n:1 links, a single weight, the same code).
    Moved,
    /// Split by the Growth Lab trade-value weights.
    Weights,
    /// Split equally among the codes the UNSD table links it to.
    EqualSplit,
    /// No link in the tables: the code is kept as it was.
    Unmatched,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::Moved,
        Method::Weights,
        Method::EqualSplit,
        Method::Unmatched,
    ];

    /// As the canonical table's `conversion` column writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Moved => "moved",
            Method::Weights => "weights",
            Method::EqualSplit => "equal-split",
            Method::Unmatched => "unmatched",
        }
    }
}

/// What the `conversion` column holds for a row that was not converted.
pub const NOT_CONVERTED: &str = "none";

/// One target of a conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub code: String,
    pub share: f64,
    pub method: Method,
}

/// Position of a canonical edition name in [`EDITIONS`].
pub fn edition_index(name: &str) -> Option<usize> {
    EDITIONS.iter().position(|e| *e == name)
}

/// The parts `code` of edition `from` becomes in edition `to` (both canonical names, see
/// [`EDITIONS`]); `None` when either is not an HS edition or `code` is not 2, 4 or 6 digits.
/// The same edition gives the code itself.
pub fn convert(from: &str, to: &str, code: &str) -> Option<Vec<Part>> {
    let (a, b) = (edition_index(from)?, edition_index(to)?);
    if !matches!(code.len(), 2 | 4 | 6) || !code.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if code.len() == 6 {
        return Some(chain(a, b, code));
    }
    let step = if b > a {
        steps().get(a, a + 1)
    } else {
        steps().get(a, a.wrapping_sub(1))
    };
    let children: Vec<&str> = match step {
        Some(s) => s.sources_under(code),
        None => Vec::new(),
    };
    if a == b || children.is_empty() {
        let method = if a == b { Method::Moved } else { Method::Unmatched };
        return Some(vec![Part {
            code: code.into(),
            share: 1.0,
            method,
        }]);
    }
    let mut sum: BTreeMap<String, (f64, Method)> = BTreeMap::new();
    let each = 1.0 / children.len() as f64;
    for child in children {
        for p in chain(a, b, child) {
            let e = sum
                .entry(p.code[..code.len()].to_owned())
                .or_insert((0.0, Method::Moved));
            e.0 += p.share * each;
            e.1 = e.1.max(p.method);
        }
    }
    let several = sum.len() > 1;
    Some(
        sum.into_iter()
            .map(|(code, (share, method))| Part {
                code,
                share,
                // Spreading a heading over its subheadings is itself an equal split.
                method: if several {
                    method.max(Method::EqualSplit)
                } else {
                    method
                },
            })
            .collect(),
    )
}

/// A 6-digit code through every step from edition `a` to `b`.
fn chain(a: usize, b: usize, code: &str) -> Vec<Part> {
    let mut parts = vec![Part {
        code: code.into(),
        share: 1.0,
        method: Method::Moved,
    }];
    let mut at = a;
    while at != b {
        let next = if b > at { at + 1 } else { at - 1 };
        let step = steps().get(at, next).expect("every adjacent step is embedded");
        let mut merged: BTreeMap<String, (f64, Method)> = BTreeMap::new();
        for p in &parts {
            for (code, share, method) in step.apply(&p.code) {
                let e = merged.entry(code).or_insert((0.0, Method::Moved));
                e.0 += p.share * share;
                e.1 = e.1.max(p.method).max(method);
            }
        }
        parts = merged
            .into_iter()
            .map(|(code, (share, method))| Part { code, share, method })
            .collect();
        at = next;
    }
    parts
}

/// One step between adjacent editions.
struct Step {
    /// Growth Lab weights by source code (positive ones only).
    weights: HashMap<String, Vec<(String, f64)>>,
    /// UNSD links by source code, targets sorted.
    links: HashMap<String, Vec<String>>,
    /// Every code of the target edition the tables know.
    targets: std::collections::HashSet<String>,
    /// Source codes, sorted (for the subheadings of a heading or chapter).
    sources: Vec<String>,
}

impl Step {
    fn apply(&self, code: &str) -> Vec<(String, f64, Method)> {
        if let Some(w) = self.weights.get(code) {
            let method = if w.len() == 1 {
                Method::Moved
            } else {
                Method::Weights
            };
            return w.iter().map(|(t, s)| (t.clone(), *s, method)).collect();
        }
        if let Some(l) = self.links.get(code) {
            let method = if l.len() == 1 {
                Method::Moved
            } else {
                Method::EqualSplit
            };
            let share = 1.0 / l.len() as f64;
            return l.iter().map(|t| (t.clone(), share, method)).collect();
        }
        let method = if self.targets.contains(code) {
            Method::Moved
        } else {
            Method::Unmatched
        };
        vec![(code.to_owned(), 1.0, method)]
    }

    fn sources_under(&self, prefix: &str) -> Vec<&str> {
        let start = self.sources.partition_point(|s| s.as_str() < prefix);
        self.sources[start..]
            .iter()
            .take_while(|s| s.starts_with(prefix))
            .map(String::as_str)
            .collect()
    }
}

struct Steps(HashMap<(usize, usize), Step>);

impl Steps {
    fn get(&self, from: usize, to: usize) -> Option<&Step> {
        self.0.get(&(from, to))
    }
}

macro_rules! embed {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../../data/hs/concordance/", $name)).as_slice(),
        )
    };
}

const LINKS: [(&str, &[u8]); 6] = [
    embed!("links-HS96-HS92.csv.gz"),
    embed!("links-HS02-HS96.csv.gz"),
    embed!("links-HS07-HS02.csv.gz"),
    embed!("links-HS12-HS07.csv.gz"),
    embed!("links-HS17-HS12.csv.gz"),
    embed!("links-HS22-HS17.csv.gz"),
];

const WEIGHTS: [(&str, &[u8]); 10] = [
    embed!("weights-HS92-HS96.csv.gz"),
    embed!("weights-HS96-HS92.csv.gz"),
    embed!("weights-HS96-HS02.csv.gz"),
    embed!("weights-HS02-HS96.csv.gz"),
    embed!("weights-HS02-HS07.csv.gz"),
    embed!("weights-HS07-HS02.csv.gz"),
    embed!("weights-HS07-HS12.csv.gz"),
    embed!("weights-HS12-HS07.csv.gz"),
    embed!("weights-HS12-HS17.csv.gz"),
    embed!("weights-HS17-HS12.csv.gz"),
];

/// The records of an embedded gzip CSV, header skipped.
fn records(gz: &[u8]) -> Vec<csv::StringRecord> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .expect("an embedded concordance table is valid gzip");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("an embedded concordance table is valid CSV"))
        .collect()
}

/// The two editions a file name `links-HS96-HS92.csv.gz` names.
fn editions_of(name: &str) -> (usize, usize) {
    let mut parts = name.split(['-', '.']).skip(1);
    let mut next = || edition_index(parts.next().unwrap_or_default()).expect("file names name editions");
    (next(), next())
}

fn steps() -> &'static Steps {
    static STEPS: OnceLock<Steps> = OnceLock::new();
    STEPS.get_or_init(|| {
        let mut steps = HashMap::new();
        for (name, gz) in LINKS {
            let (newer, older) = editions_of(name);
            let links = records(gz);
            for (from, to, col_from, col_to) in [(newer, older, 0, 1), (older, newer, 1, 0)] {
                let mut by: HashMap<String, Vec<String>> = HashMap::new();
                for r in &links {
                    by.entry(r[col_from].to_owned())
                        .or_default()
                        .push(r[col_to].to_owned());
                }
                for v in by.values_mut() {
                    v.sort();
                    v.dedup();
                }
                let targets = links.iter().map(|r| r[col_to].to_owned()).collect();
                let mut sources: Vec<String> = by.keys().cloned().collect();
                sources.sort();
                steps.insert(
                    (from, to),
                    Step {
                        weights: HashMap::new(),
                        links: by,
                        targets,
                        sources,
                    },
                );
            }
        }
        for (name, gz) in WEIGHTS {
            let key = editions_of(name);
            let step = steps
                .get_mut(&key)
                .expect("weights are between adjacent editions");
            for r in records(gz) {
                let w: f64 = r[2].parse().expect("an embedded weight is a number");
                step.weights
                    .entry(r[0].to_owned())
                    .or_default()
                    .push((r[1].to_owned(), w));
                step.targets.insert(r[1].to_owned());
            }
        }
        Steps(steps)
    })
}

/// Every 6-digit code the embedded tables know for `edition` (the source side of its steps).
pub fn codes_of(edition: &str) -> Vec<&'static str> {
    let Some(a) = edition_index(edition) else {
        return Vec::new();
    };
    let step = steps()
        .get(a, a + 1)
        .or_else(|| steps().get(a, a.wrapping_sub(1)));
    step.map(|s| s.sources.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(from: &str, to: &str, code: &str) -> Vec<(String, f64, Method)> {
        convert(from, to, code)
            .unwrap()
            .into_iter()
            .map(|p| (p.code, p.share, p.method))
            .collect()
    }

    #[test]
    fn a_one_to_one_link_moves_the_value() {
        assert_eq!(
            shares("HS17", "HS22", "010121"),
            vec![("010121".into(), 1.0, Method::Moved)]
        );
        assert_eq!(
            shares("HS17", "HS17", "010121"),
            vec![("010121".into(), 1.0, Method::Moved)]
        );
    }

    #[test]
    fn an_n_to_one_link_moves_and_one_to_n_splits() {
        // HS12 -> HS17: 300210 was split into 300211 ... 300219 (n:1 seen from HS17).
        let back = shares("HS17", "HS12", "300213");
        assert_eq!(back, vec![("300210".into(), 1.0, Method::Moved)]);
        // Forward, the Growth Lab weights split HS12 300210 over the HS17 codes.
        let fwd = shares("HS12", "HS17", "300210");
        assert!(
            fwd.len() > 1 && fwd.iter().all(|p| p.2 == Method::Weights),
            "{fwd:?}"
        );
        assert!((fwd.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn without_weights_the_split_is_equal_within_the_links() {
        // HS22 -> HS17 has no weights: 382211 links to 300211, 300213, 300214, 300215.
        let got = shares("HS22", "HS17", "382211");
        let codes: Vec<&str> = got.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(codes, ["300211", "300213", "300214", "300215"]);
        assert!(got.iter().all(|p| p.1 == 0.25 && p.2 == Method::EqualSplit));
    }

    #[test]
    fn codes_without_a_link_keep_their_code() {
        assert_eq!(
            shares("HS17", "HS22", "999999"),
            vec![("999999".into(), 1.0, Method::Moved)]
        );
        // The UNSD HS22 table has no link for HS17 300219.
        assert_eq!(
            shares("HS17", "HS22", "300219"),
            vec![("300219".into(), 1.0, Method::Unmatched)]
        );
    }

    #[test]
    fn chains_record_the_weakest_rule_and_keep_the_total() {
        let got = shares("HS92", "HS22", "850710");
        assert!(
            (got.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12,
            "{got:?}"
        );
        // Petroleum oils: HS92 271000 has no usable weights; the UNSD links carry it.
        let oil = shares("HS92", "HS02", "271000");
        assert!(oil.iter().all(|p| p.0.starts_with("2710")), "{oil:?}");
        assert!((oil.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn headings_convert_as_their_subheadings() {
        // Heading 0101 (horses, asses) HS12 -> HS17: every subheading is 1:1.
        assert_eq!(
            shares("HS12", "HS17", "0101"),
            vec![("0101".into(), 1.0, Method::Moved)]
        );
        let ch = shares("HS17", "HS22", "85");
        assert!((ch.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(ch.iter().any(|p| p.0 == "85"), "{ch:?}");
    }

    #[test]
    fn not_an_edition_or_not_a_code_is_none() {
        assert!(convert("HS", "HS17", "010121").is_none());
        assert!(convert("HS12", "SITC3", "010121").is_none());
        assert!(convert("HS12", "HS17", "TOTAL").is_none());
    }

    /// The direct UNSD table `tests/fixtures/hs-direct/links-<from>-HS92.csv.gz`, by code.
    fn direct(from: &str) -> HashMap<String, std::collections::BTreeSet<String>> {
        let path = format!(
            "{}/../../tests/fixtures/hs-direct/links-{from}-HS92.csv.gz",
            env!("CARGO_MANIFEST_DIR")
        );
        let gz = std::fs::read(&path).unwrap();
        let mut by: HashMap<String, std::collections::BTreeSet<String>> = HashMap::new();
        for r in records(&gz) {
            by.entry(r[0].to_owned()).or_default().insert(r[1].to_owned());
        }
        by
    }

    /// Every (code, HS92 code) pair of `reach` that `direct` lacks, and the reverse.
    fn differences(
        from: &str,
        direct: &HashMap<String, std::collections::BTreeSet<String>>,
        reach: impl Fn(&str) -> std::collections::BTreeSet<String>,
    ) -> (Vec<(String, String)>, Vec<(String, String)>) {
        let mut codes: Vec<&str> = codes_of(from);
        codes.extend(direct.keys().map(String::as_str));
        codes.sort();
        codes.dedup();
        let (mut extra, mut missing) = (Vec::new(), Vec::new());
        let none = std::collections::BTreeSet::new();
        for code in codes {
            let got = reach(code);
            let want = direct.get(code).unwrap_or(&none);
            extra.extend(got.difference(want).map(|t| (code.to_owned(), t.clone())));
            missing.extend(want.difference(&got).map(|t| (code.to_owned(), t.clone())));
        }
        (extra, missing)
    }

    #[test]
    fn chains_of_adjacent_tables_agree_with_the_direct_ones() {
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        for from in ["HS17", "HS22"] {
            let direct = direct(from);
            let a = edition_index(from).unwrap();
            // The UNSD links alone, composed step by step down to HS92.
            let links = |code: &str| {
                let mut at: std::collections::BTreeSet<String> = [code.to_owned()].into();
                for i in (1..=a).rev() {
                    let step = steps().get(i, i - 1).unwrap();
                    at = at
                        .iter()
                        .flat_map(|c| step.links.get(c).cloned().unwrap_or_else(|| vec![c.clone()]))
                        .collect();
                }
                at
            };
            let (extra, missing) = differences(from, &direct, links);
            // Chained only: Comtrade's "not specified" 999999 keeps its code (HS17 only: the
            // direct HS22 table has no 999999 either, nor the HS22 nomenclature side of it).
            let want_extra = if from == "HS17" {
                vec![pair("999999", "999999")]
            } else {
                vec![]
            };
            assert_eq!(extra, want_extra, "{from}: chained links the direct table lacks");
            // Direct only: binapacryl, in HS92 291639, got its own code 291636 in HS07 and moved
            // to 291616 in HS12; the HS12 -> HS07 table omits the link 291616 -> 291636 (the
            // Growth Lab weights have it, so conversion does reach 291639: checked below).
            assert_eq!(
                missing,
                vec![pair("291616", "291639")],
                "{from}: direct links the chain lacks"
            );

            // Conversion itself (weights first) only ever moves value along a direct link,
            // and only drops links the Growth Lab weights give nothing.
            let converted = |code: &str| {
                convert(from, "HS92", code)
                    .unwrap()
                    .into_iter()
                    .map(|p| p.code)
                    .collect()
            };
            let (extra, missing) = differences(from, &direct, converted);
            assert_eq!(extra, want_extra, "{from}: converted value off the direct links");
            assert!(
                !missing.iter().any(|(c, _)| c == "291616"),
                "binapacryl reaches its HS92 code"
            );
            // Every direct link conversion leaves out is a zero weight in some step.
            let zero = missing.len();
            assert!(
                zero < direct.values().map(|v| v.len()).sum::<usize>() / 3,
                "{from}: {zero}"
            );
        }
    }

    #[test]
    fn every_code_of_every_edition_keeps_its_total_to_every_other() {
        for from in EDITIONS {
            for to in EDITIONS {
                for code in codes_of(from) {
                    let parts = convert(from, to, code).unwrap();
                    let sum: f64 = parts.iter().map(|p| p.share).sum();
                    assert!((sum - 1.0).abs() < 1e-9, "{from} {code} -> {to}: {sum}");
                    assert!(parts.iter().all(|p| p.share > 0.0));
                }
            }
        }
    }
}
