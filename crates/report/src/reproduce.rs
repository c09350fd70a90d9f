//! Paper reproduction: a spec (TOML) lists published values with where they are published,
//! a tolerance and, where our data cannot match, an explanation. Each value is recomputed
//! from the index tables and given a verdict.
//!
//! Verdicts: `match` (within tolerance), `explained` (outside, with a recorded reason),
//! `mismatch` (outside, unexplained: the command fails), `unavailable` (the data has no such
//! year or pair; the reason is stated).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tradepipe_model::formulas::{cagr, sum_present};
use tradepipe_model::groups::Groups;
use tradepipe_tables::IndexTables;

/// A reproduction spec as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spec {
    /// Directory name under `output/reproduce/`.
    pub name: String,
    pub title: String,
    /// The publication, as a reader would cite it.
    pub publication: String,
    /// The pipeline config whose data the values are checked against (relative to the spec).
    pub config: PathBuf,
    /// What the publication's data were, and why ours may differ.
    #[serde(default)]
    pub data_note: String,
    #[serde(rename = "check")]
    pub checks: Vec<Check>,
}

/// What a check measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    Exports,
    Imports,
    TotalTrade,
    Balance,
    Hm,
    HmAsPrinted,
    HmMirror,
    /// Compound annual growth from `from` to `year` of the summed level, in percent. A
    /// balance that is negative at both ends grows in magnitude (a widening deficit).
    ExportsCagr,
    ImportsCagr,
    TotalTradeCagr,
    BalanceCagr,
    /// A component's share of the balance of all components (`dimension` checks), percent.
    BalanceShare,
    /// A component's share of the total trade of all components (`dimension` checks), percent.
    TradeShare,
}

/// A breakdown of a reporter's trade, from the index stage's `contribution` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    Province,
    Regime,
    Section,
}

impl Dimension {
    fn as_str(self) -> &'static str {
        match self {
            Dimension::Province => "province",
            Dimension::Regime => "regime",
            Dimension::Section => "section",
        }
    }
}

/// How the published value bounds ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Comparison {
    /// |reproduced − published| ≤ tolerance.
    #[default]
    Equal,
    /// reproduced ≤ published + tolerance ("below x %" in the text).
    AtMost,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Check {
    /// Where the value is published: "Fig. 6", "§2.2 p. 5".
    pub figure: String,
    pub measure: Measure,
    pub reporter: String,
    /// Summed for levels (exports, imports, total trade, balance); exactly one for HM. A
    /// partner may name a country group (`EU`, `ASIA`, a `[[group]]`): a level check reads
    /// the `group` table (list the group in the config's `[indices] groups`), a breakdown
    /// check sums the group's members of the year.
    pub partners: Vec<String>,
    pub year: i32,
    /// First year of a CAGR measure.
    pub from: Option<i32>,
    /// In `unit`: US$ billion for levels, percent for HM and CAGR.
    pub published: f64,
    #[serde(default)]
    pub comparison: Comparison,
    /// Absolute, in `unit`.
    pub tolerance: f64,
    #[serde(default)]
    pub explanation: String,
    /// Overrides the generated series name.
    pub series: Option<String>,
    /// Checks a part of the reporter's trade: a province, customs regime or HS section
    /// (`component`, matched case-insensitively), summed over `partners` (`WLD` for the world).
    pub dimension: Option<Dimension>,
    pub component: Option<String>,
    /// A share measure without a breakdown: the partners' balance (or total trade) as a
    /// share of the reporter's with `of` (a partner or group), e.g. Japan's share of the US
    /// deficit with Asia.
    pub of: Option<String>,
}

/// One row of `comparison.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    pub figure: String,
    pub series: String,
    pub year: i32,
    pub published: f64,
    pub reproduced: Option<f64>,
    pub difference: Option<f64>,
    pub unit: String,
    pub tolerance: f64,
    pub verdict: String,
    pub explanation: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read reproduction spec {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("invalid reproduction spec {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Spec {
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        let text = fs_err::read_to_string(path).map_err(|e| SpecError::Read {
            path: path.into(),
            message: e.to_string(),
        })?;
        let mut spec: Spec = toml::from_str(&text).map_err(|e| SpecError::Invalid {
            path: path.into(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| SpecError::Invalid {
            path: path.into(),
            message,
        };
        if spec.name.is_empty() || spec.name.contains(['/', '\\']) || spec.name.starts_with('.') {
            return Err(invalid("name must be a plain directory name".into()));
        }
        for (k, c) in spec.checks.iter().enumerate() {
            let at = format!("check {} ({} {})", k + 1, c.figure, c.year);
            if c.partners.is_empty() {
                return Err(invalid(format!("{at}: list at least one partner")));
            }
            if c.measure.is_hm() && c.partners.len() != 1 {
                return Err(invalid(format!("{at}: an HM check names exactly one partner")));
            }
            if c.measure.level().is_some() != c.from.is_some_and(|f| f < c.year) {
                return Err(invalid(format!(
                    "{at}: a CAGR measure needs `from` before `year`, other measures no `from`"
                )));
            }
            if c.dimension.is_some() != c.component.is_some() {
                return Err(invalid(format!("{at}: `dimension` and `component` go together")));
            }
            if c.measure.is_share() && c.dimension.is_none() == c.of.is_none() {
                return Err(invalid(format!(
                    "{at}: a share measure needs either a `dimension` and `component` or `of`"
                )));
            }
            if c.of.is_some() && !c.measure.is_share() {
                return Err(invalid(format!("{at}: `of` goes with a share measure")));
            }
            if c.dimension.is_some() && (c.measure.is_hm() || c.measure.level().is_some()) {
                return Err(invalid(format!(
                    "{at}: a breakdown check measures exports, imports, total-trade, balance or a share"
                )));
            }
            if !(c.tolerance >= 0.0) {
                return Err(invalid(format!("{at}: tolerance must be a non-negative number")));
            }
        }
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        spec.config = base.join(&spec.config);
        Ok(spec)
    }
}

impl Measure {
    fn is_share(self) -> bool {
        matches!(self, Measure::BalanceShare | Measure::TradeShare)
    }
    fn is_hm(self) -> bool {
        matches!(self, Measure::Hm | Measure::HmAsPrinted | Measure::HmMirror)
    }
    /// The level a CAGR measure grows; `None` for other measures.
    fn level(self) -> Option<Measure> {
        match self {
            Measure::ExportsCagr => Some(Measure::Exports),
            Measure::ImportsCagr => Some(Measure::Imports),
            Measure::TotalTradeCagr => Some(Measure::TotalTrade),
            Measure::BalanceCagr => Some(Measure::Balance),
            _ => None,
        }
    }
    fn unit(self) -> &'static str {
        if self.is_hm() || self.level().is_some() || self.is_share() {
            "percent"
        } else {
            "USD bn"
        }
    }
    fn label(self) -> &'static str {
        match self {
            Measure::Exports => "exports",
            Measure::Imports => "imports",
            Measure::TotalTrade => "total trade",
            Measure::Balance => "balance",
            Measure::Hm => "HM",
            Measure::HmAsPrinted => "HM as-printed",
            Measure::HmMirror => "HM mirror",
            Measure::ExportsCagr => "exports CAGR",
            Measure::ImportsCagr => "imports CAGR",
            Measure::TotalTradeCagr => "total trade CAGR",
            Measure::BalanceCagr => "balance CAGR",
            Measure::BalanceShare => "share of balance",
            Measure::TradeShare => "share of trade",
        }
    }
}

/// The reproduced value of a check in its unit, or why there is none.
fn reproduce(c: &Check, t: &IndexTables, groups: &Groups) -> Result<f64, String> {
    match (c.measure.level(), c.from) {
        (Some(level), Some(from)) => {
            let (a, b) = (
                sum_of(c, &c.partners, level, from, t)?,
                sum_of(c, &c.partners, level, c.year, t)?,
            );
            if a.signum() != b.signum() || a == 0.0 {
                return Err(format!(
                    "the {} changes sign between {from} and {} (no growth rate)",
                    level.label(),
                    c.year
                ));
            }
            let g = cagr(Some(a.abs()), Some(b.abs()), c.year - from).expect("both non-zero, same sign");
            Ok(g * 100.0)
        }
        _ if c.dimension.is_some() => breakdown_value(c, t, groups),
        _ if let Some(of) = &c.of => {
            let level = if c.measure == Measure::TradeShare {
                Measure::TotalTrade
            } else {
                Measure::Balance
            };
            let part = sum_of(c, &c.partners, level, c.year, t)?;
            let whole = sum_of(c, std::slice::from_ref(of), level, c.year, t)?;
            if whole == 0.0 {
                return Err(format!("{} with {of} is zero in {}", level.label(), c.year));
            }
            Ok(100.0 * part / whole)
        }
        _ => {
            let sum = sum_of(c, &c.partners, c.measure, c.year, t)?;
            Ok(if c.measure.is_hm() { sum * 100.0 } else { sum / 1e9 })
        }
    }
}

/// A breakdown check from the contribution table: US$ bn for levels, percent for shares.
fn breakdown_value(c: &Check, t: &IndexTables, groups: &Groups) -> Result<f64, String> {
    let (Some(dimension), Some(component)) = (c.dimension, c.component.as_deref()) else {
        unreachable!("checked at load: a breakdown check has both");
    };
    let dim = dimension.as_str();
    let rows: Vec<_> = t
        .contribution
        .iter()
        .filter(|r| r.year == c.year && r.reporter == c.reporter && r.dimension == dim)
        .collect();
    if rows.is_empty() {
        let needs = match dimension {
            Dimension::Section => {
                // Plain text: explanations appear in HTML as well as Markdown.
                "product rows summed to HS sections (a source with a product column and \
                 [normalize] product-levels = [\"section\"])"
            }
            Dimension::Province => "a customs source with a province column",
            Dimension::Regime => "a customs source with a regime column",
        };
        return Err(format!(
            "the data have no {dim} breakdown of {}'s trade in {}: this check needs {needs} \
             (README, \"Customs tables\")",
            c.reporter, c.year
        ));
    }
    let (mut part, mut whole) = ((None, None), (None, None));
    let add = |acc: &mut (Option<f64>, Option<f64>), x: Option<f64>, m: Option<f64>| {
        acc.0 = sum_present([acc.0, x]);
        acc.1 = sum_present([acc.1, m]);
    };
    for p in &c.partners {
        // A group is its members of the year that appear in the breakdown.
        let members: Vec<&str> = if groups.contains(p) {
            groups.members(p, c.year)
        } else {
            vec![p.as_str()]
        };
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| members.contains(&r.partner.as_str()))
            .collect();
        let this: Vec<_> = mine
            .iter()
            .filter(|r| r.component.eq_ignore_ascii_case(component))
            .collect();
        if this.is_empty() {
            let mut seen: Vec<&str> = mine.iter().map(|r| r.component.as_str()).collect();
            seen.sort_unstable();
            seen.dedup();
            return Err(format!(
                "no {dim} {component:?} in {}'s trade with {p} in {} (the data's {dim}s: {})",
                c.reporter,
                c.year,
                seen.join(", ")
            ));
        }
        for r in &this {
            add(&mut part, r.exports, r.imports);
        }
        for r in &mine {
            add(&mut whole, r.exports, r.imports);
        }
    }
    let missing = || format!("{} has no {} in {}", c.reporter, c.measure.label(), c.year);
    let level = |(x, m): (Option<f64>, Option<f64>), measure: Measure| -> Option<f64> {
        match measure {
            Measure::Exports => x,
            Measure::Imports => m,
            Measure::TotalTrade | Measure::TradeShare => Some(x? + m?),
            _ => Some(x? - m?),
        }
    };
    let v = level(part, c.measure).ok_or_else(missing)?;
    if c.measure.is_share() {
        let w = level(whole, c.measure).ok_or_else(missing)?;
        if w == 0.0 {
            return Err(format!("the {dim}s' {} sums to zero", c.measure.label()));
        }
        return Ok(100.0 * v / w);
    }
    Ok(v / 1e9)
}

/// `measure` of the check's reporter in `year`, summed over `partners`, in US$ or as a
/// fraction.
fn sum_of(
    c: &Check,
    partners: &[String],
    measure: Measure,
    year: i32,
    t: &IndexTables,
) -> Result<f64, String> {
    if !t.meta.years.contains(&year) {
        let (lo, hi) = (
            t.meta.years.first().copied().unwrap_or(0),
            t.meta.years.last().copied().unwrap_or(0),
        );
        return Err(format!(
            "year {year} is not in the data (years {lo}–{hi}); fetch a source that covers it"
        ));
    }
    let mut values = Vec::new();
    for p in partners {
        let v = match t.bilateral(year, &c.reporter, p) {
            Some(row) => match measure {
                Measure::Exports => row.exports,
                Measure::Imports => row.imports,
                Measure::TotalTrade => row.total_trade,
                Measure::Balance => row.balance,
                Measure::Hm => row.hm_baldwin,
                Measure::HmAsPrinted => row.hm_as_printed,
                Measure::HmMirror => row.hm_mirror,
                cagr => unreachable!("{cagr:?} is computed from its level"),
            },
            None => {
                let group = t.group_row(year, &c.reporter, p).ok_or_else(|| {
                    format!(
                        "no index row for {} -> {p} (add both to [indices] countries, or a \
                             group {p} to [indices] groups)",
                        c.reporter
                    )
                })?;
                match measure {
                    Measure::Exports => group.exports,
                    Measure::Imports => group.imports,
                    Measure::TotalTrade => group.total_trade,
                    Measure::Balance => group.balance,
                    hm => return Err(format!("{} is not computed for a group ({p})", hm.label())),
                }
            }
        };
        values.push(v.ok_or_else(|| format!("{} -> {p} has no {} in {year}", c.reporter, measure.label()))?);
    }
    Ok(sum_present(values.into_iter().map(Some)).expect("at least one partner"))
}

fn series_name(c: &Check) -> String {
    c.series.clone().unwrap_or_else(|| {
        let arrow = if matches!(
            c.measure,
            Measure::TotalTrade | Measure::TotalTradeCagr | Measure::TradeShare
        ) {
            "<->"
        } else {
            "->"
        };
        let since = c.from.map(|f| format!(" since {f}")).unwrap_or_default();
        let of =
            c.of.as_ref()
                .map(|o| format!(" in {}{arrow}{o}", c.reporter))
                .unwrap_or_default();
        let part = match (c.dimension, &c.component) {
            (Some(d), Some(k)) => format!("[{}={k}]", d.as_str()),
            _ => String::new(),
        };
        format!(
            "{} {}{part}{arrow}{}{of}{since}",
            c.measure.label(),
            c.reporter,
            c.partners.join("+")
        )
    })
}

/// Evaluates every check of the spec; a partner that names a group (`EU`, `ASIA`, a
/// `[[group]]`) stands for its members of each year.
pub fn evaluate(spec: &Spec, t: &IndexTables, groups: &Groups) -> Vec<Compared> {
    spec.checks
        .iter()
        .map(|c| {
            let (reproduced, verdict, explanation) = match reproduce(c, t, groups) {
                Err(why) => (
                    None,
                    "unavailable",
                    if c.explanation.is_empty() {
                        why
                    } else {
                        format!("{why}. {}", c.explanation)
                    },
                ),
                Ok(v) => {
                    let ok = match c.comparison {
                        Comparison::Equal => (v - c.published).abs() <= c.tolerance + 1e-12,
                        Comparison::AtMost => v <= c.published + c.tolerance + 1e-12,
                    };
                    let verdict = match (ok, c.explanation.is_empty()) {
                        (true, _) => "match",
                        (false, false) => "explained",
                        (false, true) => "mismatch",
                    };
                    (Some(v), verdict, c.explanation.clone())
                }
            };
            Compared {
                figure: c.figure.clone(),
                series: series_name(c),
                year: c.year,
                published: c.published,
                reproduced,
                difference: reproduced.map(|v| v - c.published),
                unit: c.measure.unit().into(),
                tolerance: c.tolerance,
                verdict: match c.comparison {
                    Comparison::AtMost if verdict == "match" => "match (at most)".into(),
                    _ => verdict.into(),
                },
                explanation,
            }
        })
        .collect()
}

/// How many values got a verdict.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictCount {
    pub verdict: String,
    pub count: usize,
}

/// The rendering context of a reproduction report.
#[derive(Debug, Clone, Serialize)]
pub struct ReproduceContext {
    pub title: String,
    pub publication: String,
    pub data_note: String,
    pub sources: Vec<crate::context::SourceNote>,
    pub counts: Vec<VerdictCount>,
    pub rows: Vec<Vec<String>>,
    pub comparisons: Vec<Compared>,
}

pub fn context(spec: &Spec, t: &IndexTables, comparisons: Vec<Compared>) -> ReproduceContext {
    let fmt = |v: Option<f64>, unit: &str| match v {
        None => crate::format::MISSING.to_string(),
        Some(v) if unit == "percent" => format!("{v:.3}"),
        Some(v) => format!("{v:.3}"),
    };
    let rows = comparisons
        .iter()
        .map(|c| {
            vec![
                c.figure.clone(),
                c.series.clone(),
                c.year.to_string(),
                c.unit.clone(),
                fmt(Some(c.published), &c.unit),
                fmt(c.reproduced, &c.unit),
                c.difference
                    .map_or(crate::format::MISSING.into(), |d| format!("{d:+.3}")),
                format!("±{}", c.tolerance),
                c.verdict.clone(),
                c.explanation.clone(),
            ]
        })
        .collect();
    let mut counts: Vec<VerdictCount> = Vec::new();
    for c in &comparisons {
        let verdict = c.verdict.split(' ').next().unwrap_or("").to_string();
        match counts.iter_mut().find(|k| k.verdict == verdict) {
            Some(e) => e.count += 1,
            None => counts.push(VerdictCount { verdict, count: 1 }),
        }
    }
    ReproduceContext {
        title: spec.title.clone(),
        publication: spec.publication.clone(),
        data_note: spec.data_note.clone(),
        sources: crate::context::source_notes(t),
        counts,
        rows,
        comparisons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_errors_name_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        let text = r#"name = "x"
title = "t"
publication = "p"
config = "pipeline.toml"
[[check]]
figure = "Fig. 6"
measure = "hm"
reporter = "TKM"
partners = ["CHN", "KAZ"]
year = 2010
published = 39.04
tolerance = 0.5
"#;
        std::fs::write(&p, text).unwrap();
        let msg = Spec::load(&p).unwrap_err().to_string();
        assert!(
            msg.contains("check 1 (Fig. 6 2010): an HM check names exactly one partner"),
            "{msg}"
        );
        let share = text
            .replace("measure = \"hm\"", "measure = \"balance-share\"")
            .replace("partners = [\"CHN\", \"KAZ\"]", "partners = [\"CHN\"]");
        std::fs::write(&p, &share).unwrap();
        let msg = Spec::load(&p).unwrap_err().to_string();
        assert!(
            msg.contains("needs either a `dimension` and `component` or `of`"),
            "{msg}"
        );
        std::fs::write(&p, share.replace("year = 2010", "year = 2010\nof = \"C5\"")).unwrap();
        assert!(Spec::load(&p).is_ok());
        let hm_of = share
            .replace("balance-share", "hm")
            .replace("year = 2010", "year = 2010\nof = \"C5\"");
        std::fs::write(&p, hm_of).unwrap();
        let msg = Spec::load(&p).unwrap_err().to_string();
        assert!(msg.contains("`of` goes with a share measure"), "{msg}");
        std::fs::write(&p, text.replace("tolerance", "tolerence")).unwrap();
        assert!(Spec::load(&p).unwrap_err().to_string().contains("tolerence"));
    }
}
