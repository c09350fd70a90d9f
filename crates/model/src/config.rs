//! `pipeline.toml`: what a run fetches, normalizes, computes and reports.
//!
//! Parsing ([`RawConfig`], unknown keys rejected) is separate from resolution ([`Config`]):
//! resolution makes paths absolute against the config file's directory, applies overrides
//! and checks that every code and year range makes sense, so a bad config fails before any
//! stage runs. Precedence for the output directory: `--output` flag > `TRADEPIPE_OUTPUT`
//! environment variable > `[run] output` in the file > `output`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::registry::Registry;

/// A config that cannot be read, parsed or accepted, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// An inclusive range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearRange {
    pub from: i32,
    pub to: i32,
}

impl std::str::FromStr for YearRange {
    type Err = String;

    /// `2020` (one year) or `2010-2020`.
    fn from_str(s: &str) -> Result<YearRange, String> {
        let year = |t: &str| {
            t.trim()
                .parse::<i32>()
                .map_err(|_| format!("{s:?} is not a year or a range of years (2020, 2010-2020)"))
        };
        let (from, to) = match s.split_once('-') {
            Some((a, b)) => (year(a)?, year(b)?),
            None => (year(s)?, year(s)?),
        };
        if from > to {
            return Err(format!("{s:?}: the first year comes after the last"));
        }
        Ok(YearRange { from, to })
    }
}

impl YearRange {
    pub fn contains(&self, year: i32) -> bool {
        (self.from..=self.to).contains(&year)
    }
    pub fn iter(&self) -> impl Iterator<Item = i32> {
        self.from..=self.to
    }
}

/// The file as written, before resolution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub run: RunSection,
    #[serde(rename = "source")]
    pub sources: Vec<SourceConfig>,
    #[serde(default)]
    pub normalize: NormalizeConfig,
    /// Only the index and report stages read it: `fetch` and `normalize` run without it.
    pub indices: Option<IndicesConfig>,
    #[serde(rename = "report", default)]
    pub reports: Vec<ReportConfig>,
    #[serde(rename = "group", default)]
    pub groups: Vec<crate::groups::GroupConfig>,
}

/// `[normalize]`: how the two reports of one flow are reconciled.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct NormalizeConfig {
    pub mirror_policy: MirrorPolicy,
    /// Imports are valued CIF, exports FOB: a partner's imports ÷ this factor stand for the
    /// reporter's exports, and its exports × this factor for the reporter's imports.
    pub cif_fob: f64,
    /// Coarser HS levels added as sums of finer product rows (`section`, `chapter`,
    /// `heading`), where a source does not state them itself.
    pub product_levels: Vec<crate::products::Level>,
    /// `[normalize.rules]`: severities of the validation rules.
    pub rules: crate::rules::RuleSeverities,
    /// Directory of HS code lists (`HS17.csv`, ...) added to the embedded ones for the rule
    /// `in-nomenclature` ([`crate::nomenclature`]); relative to the config file.
    pub nomenclatures: Option<PathBuf>,
    /// `hs-target`: the HS edition every product row is converted to ([`crate::concordance`]),
    /// written as users write it (`HS12`, `H4`, `HS2012`); its canonical name after
    /// [`Config::load`]. `None` keeps each row's own edition.
    pub hs_target: Option<String>,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            mirror_policy: MirrorPolicy::default(),
            // The IMF's DOTS convention.
            cif_fob: 1.06,
            product_levels: Vec::new(),
            rules: Default::default(),
            nomenclatures: None,
            hs_target: None,
        }
    }
}

/// Which report of a flow the canonical table keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MirrorPolicy {
    /// Each reporter's own report only; nothing is filled in.
    #[default]
    Reported,
    /// Own report first; a flow its reporter did not report is filled from the partner's
    /// mirror report, converted by `cif-fob`.
    FillGaps,
    /// Trade is valued by the importer's report (÷ `cif-fob` for the exporter's side) where
    /// the importer reported it; own report otherwise; gaps filled.
    ImporterFirst,
}

impl MirrorPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MirrorPolicy::Reported => "reported",
            MirrorPolicy::FillGaps => "fill-gaps",
            MirrorPolicy::ImporterFirst => "importer-first",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunSection {
    /// Years every stage works on.
    pub years: YearRange,
    /// Output directory, relative to the config file.
    pub output: Option<PathBuf>,
    /// Template directory, relative to the config file.
    #[serde(default = "default_templates")]
    pub templates: PathBuf,
}

fn default_templates() -> PathBuf {
    PathBuf::from("templates")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A local file (the embedded dataset, or a download made by hand).
    File,
    /// UN Comtrade API v1 (`data/v1/get/C/A/{classification}`; the keyless preview without
    /// `COMTRADE_API_KEY`).
    Comtrade,
    /// IMF International Trade in Goods (IMTS) over the SDMX 3.0 API (XML).
    ImfSdmx3,
    /// IMF Direction of Trade over the legacy SDMX-JSON `CompactData` service.
    ImfDot,
    /// World Bank WITS trade statistics over SDMX 2.1 (XML).
    Wits,
    /// CEPII BACI bulk release: one zip holding one CSV per year.
    Baci,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::File => "file",
            SourceKind::Comtrade => "comtrade",
            SourceKind::ImfSdmx3 => "imf-sdmx3",
            SourceKind::ImfDot => "imf-dot",
            SourceKind::Wits => "wits",
            SourceKind::Baci => "baci",
        }
    }

    /// The raw format an HTTP source's responses have; `None` for files (declared).
    pub fn implied_format(self) -> Option<SourceFormat> {
        Some(match self {
            SourceKind::File => return None,
            SourceKind::Comtrade => SourceFormat::ComtradeV1Json,
            SourceKind::ImfSdmx3 => SourceFormat::ImfSdmx3Xml,
            SourceKind::ImfDot => SourceFormat::ImfDotSdmxJson,
            SourceKind::Wits => SourceFormat::WitsSdmxXml,
            SourceKind::Baci => SourceFormat::BaciZip,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// IMF Direction of Trade Statistics in long CSV (optionally gzipped), values in US$ millions.
    ImfDotsCsv,
    /// A UN Comtrade API v1 `data/v1/get` JSON body, values in US dollars.
    ComtradeV1Json,
    /// An IMF DOT body from the legacy SDMX-JSON `CompactData` service.
    ImfDotSdmxJson,
    /// An IMF IMTS SDMX 3.0 StructureSpecificData XML body (values in US dollars).
    ImfSdmx3Xml,
    /// A World Bank WITS SDMX 2.1 GenericData XML body (values in US$ thousands).
    WitsSdmxXml,
    /// A CEPII BACI zip (`t,i,j,k,v,q` CSV per year; v in US$ thousands).
    BaciZip,
    /// Any CSV table (ITC Trade Map export, national customs table) read through the
    /// source's `[source.columns]` mapping.
    TableCsv,
    /// The same from a sheet of an Excel workbook (`.xlsx`, `.xls`, `.ods`).
    TableXlsx,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::ImfDotsCsv => "imf-dots-csv",
            SourceFormat::ComtradeV1Json => "comtrade-v1-json",
            SourceFormat::ImfDotSdmxJson => "imf-dot-sdmx-json",
            SourceFormat::ImfSdmx3Xml => "imf-sdmx3-xml",
            SourceFormat::WitsSdmxXml => "wits-sdmx-xml",
            SourceFormat::BaciZip => "baci-zip",
            SourceFormat::TableCsv => "table-csv",
            SourceFormat::TableXlsx => "table-xlsx",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SourceConfig {
    pub name: String,
    pub kind: SourceKind,
    /// File sources: how to read the file. HTTP sources imply theirs.
    pub format: Option<SourceFormat>,
    /// File sources: where the file is, relative to the config file.
    pub path: Option<PathBuf>,
    /// Release or publication the data come from; carried into every row as `vintage`.
    /// Required for files; HTTP sources default to the response's Last-Modified date or, if
    /// none, the day it was fetched.
    pub vintage: Option<String>,
    /// One line for the provenance block of reports.
    #[serde(default)]
    pub description: String,
    /// `tradepipe freshness` warns when the latest year of this source's data is more than
    /// this many years before the current year.
    pub warn_lag_years: Option<u32>,
    /// ... and fails when it is more than this many years behind.
    pub error_lag_years: Option<u32>,
    /// HTTP sources: base URL (default: the service's public address). The environment
    /// variable `TRADEPIPE_<KIND>_URL` overrides it.
    pub url: Option<String>,
    /// HTTP sources: reporting countries (ISO3), one request each (per year for Comtrade).
    #[serde(default)]
    pub reporters: Vec<String>,
    /// HTTP sources: partner countries (ISO3, "WLD" for the world); empty = all partners.
    #[serde(default)]
    pub partners: Vec<String>,
    /// HTTP sources: years to request; default `[run] years`.
    pub years: Option<YearRange>,
    /// Comtrade commodity codes / WITS product groups; default all-products totals.
    #[serde(default)]
    pub products: Vec<String>,
    /// BACI: the release file name without `.zip`, e.g. `BACI_HS92_V202401b`.
    pub release: Option<String>,
    /// Comtrade: the nomenclature to ask for, `HS` (as reported, the default) or one edition
    /// (`H0` … `H6`, or `HS92` … `HS22`), which the service converts to.
    pub classification: Option<String>,
    /// How politely an HTTP source is asked.
    #[serde(default)]
    pub http: HttpPolicy,
    /// `table-csv` / `table-xlsx`: which column holds what.
    pub columns: Option<TableColumns>,
}

/// The column mapping of a `table-csv` or `table-xlsx` source (`[source.columns]`). Column
/// names are matched trimmed and case-insensitively. Country cells may hold ISO3 codes,
/// Comtrade numeric codes, IMF names or English names.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TableColumns {
    pub year: String,
    /// Column of the reporting country, or ...
    pub reporter: Option<String>,
    /// ... the one reporter of the whole table (a national customs file).
    pub reporter_code: Option<String>,
    /// Column of the partner country, or ...
    pub partner: Option<String>,
    /// ... the one partner of the whole table (`WLD` for a table of exports to the world,
    /// as a country-by-product export table is).
    pub partner_code: Option<String>,
    /// Column of the flow (`Export`/`Exports`/`X`, `Import`/`Imports`/`M`, ...), or ...
    pub flow: Option<String>,
    /// ... the one flow of the whole table (`export` or `import`).
    pub flow_value: Option<String>,
    pub value: String,
    /// Multiplier to US dollars (1000 for a table in US$ thousands).
    #[serde(default = "one")]
    pub value_scale: f64,
    /// Column of product codes (kept as text); without it rows are all-products totals.
    pub product: Option<String>,
    /// Classification of `product` (`HS`, `HS92`, `SITC3`, ...).
    pub classification: Option<String>,
    /// Column of the reporter's province or region (national customs tables); cells `Total`,
    /// `All` or empty mean the whole country.
    pub province: Option<String>,
    /// Column of the customs regime (ordinary, processing, ...); `Total`, `All` or empty mean
    /// all regimes.
    pub regime: Option<String>,
    /// Workbook sheet (default: the first).
    pub sheet: Option<String>,
    /// CSV field delimiter (default `,`).
    pub delimiter: Option<char>,
    /// Lines above the header (titles in Trade Map exports).
    #[serde(default)]
    pub skip_rows: usize,
    /// The character that groups thousands in value cells (`,` in `1,234.5`, `.` in
    /// `1.234,5`, a space); none by default: a value must then be a plain number.
    pub thousands_separator: Option<char>,
    /// The decimal mark of value cells; `.` by default.
    pub decimal_separator: Option<char>,
}

fn one() -> f64 {
    1.0
}

impl SourceConfig {
    /// How the normalize stage reads this source's raw bytes.
    pub fn effective_format(&self) -> SourceFormat {
        self.kind
            .implied_format()
            .or(self.format)
            .expect("checked at load: file sources declare a format")
    }
}

/// Rate limit, retries and caps of one HTTP source (`[source.http]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpPolicy {
    /// Requests per minute (default: 60 for Comtrade, 30 otherwise).
    pub requests_per_minute: Option<u32>,
    /// Retries after a connect error, timeout, 408, 429 or 5xx.
    pub max_retries: u32,
    /// First backoff step; each retry waits a random time up to base * 2^attempt.
    pub backoff_base_ms: u64,
    /// Longest single backoff wait.
    pub backoff_max_ms: u64,
    /// Longest `Retry-After` the run waits for; a longer one stops the run (exit 75).
    pub retry_after_cap_secs: u64,
    /// Whole-request timeout.
    pub timeout_secs: u64,
    /// Calls allowed per UTC day, counted on disk (default: 500 for Comtrade, none otherwise).
    pub daily_call_budget: Option<u32>,
    /// Largest response (and, for zips, largest uncompressed entry) accepted, in MiB.
    pub max_response_mib: u64,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            requests_per_minute: None,
            max_retries: 5,
            backoff_base_ms: 500,
            backoff_max_ms: 30_000,
            retry_after_cap_secs: 120,
            timeout_secs: 300,
            daily_call_budget: None,
            max_response_mib: 8192,
        }
    }
}

/// Which HM formula fills the `hm` column (`docs/formulas.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HmVariant {
    /// Each term from its own side's report.
    #[default]
    Baldwin,
    /// Both terms from importers' reports.
    Mirror,
    /// Equation (1) of seed 000 as printed: `(X_ij/X_i)(1 − M_ij/M_j)`.
    AsPrinted,
}

impl HmVariant {
    pub fn as_str(self) -> &'static str {
        match self {
            HmVariant::Baldwin => "baldwin",
            HmVariant::Mirror => "mirror",
            HmVariant::AsPrinted => "as-printed",
        }
    }
}

/// What "world" means in shares and HM denominators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorldChoice {
    /// The source's own world partner row (IMF "World", Comtrade partner 0).
    #[default]
    Source,
    /// The sum over individual partner economies present in the data.
    Sum,
}

impl WorldChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            WorldChoice::Source => "source",
            WorldChoice::Sum => "sum",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IndicesConfig {
    /// Indices are computed for every ordered pair of distinct countries in this list.
    pub countries: Vec<String>,
    #[serde(default)]
    pub hm_variant: HmVariant,
    #[serde(default)]
    pub world: WorldChoice,
    /// `[first, last]` year windows for CAGR.
    #[serde(default)]
    pub cagr_windows: Vec<[i32; 2]>,
    /// Country groups (embedded `C5`, `EU`, `ASEAN`, `G7`, or a `[[group]]`) whose trade with
    /// each configured country is written to the `group` table, membership by year.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Base year of the index-number columns (`100·V_t / V_base`); defaults to the first
    /// year of `[run] years`.
    #[serde(default)]
    pub index_base_year: Option<i32>,
    /// Constant-dollar twins (`*_real`) of the money columns, from this price index.
    #[serde(default)]
    pub deflator: Option<crate::macro_series::DeflatorSeries>,
    /// The year whose dollars the `*_real` columns are in; default the index base year.
    #[serde(default)]
    pub price_base_year: Option<i32>,
    /// The complexity tables (`[indices.complexity]`).
    #[serde(default)]
    pub complexity: ComplexityConfig,
}

impl IndicesConfig {
    /// Base year of the index-number columns: `index-base-year`, else the first of `years`.
    pub fn index_base_year(&self, years: YearRange) -> i32 {
        self.index_base_year.unwrap_or(years.from)
    }

    /// The price index of the `*_real` columns, rebased to `price-base-year` (default the
    /// index base year), where `deflator` is set.
    pub fn deflator(&self, years: YearRange) -> Option<crate::macro_series::Deflator> {
        // The config check built it once already: an error cannot come back here.
        self.try_deflator(years).ok().flatten()
    }

    fn try_deflator(&self, years: YearRange) -> Result<Option<crate::macro_series::Deflator>, String> {
        let Some(series) = self.deflator else {
            return Ok(None);
        };
        let base = self
            .price_base_year
            .unwrap_or_else(|| self.index_base_year(years));
        crate::macro_series::Deflator::new(series, base)
            .map(Some)
            .map_err(|e| format!("[indices] deflator: {e}"))
    }

    /// Every ordered pair (reporter, partner) of distinct configured countries.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let c = &self.countries;
        c.iter()
            .flat_map(|i| {
                c.iter()
                    .filter(move |j| *j != i)
                    .map(move |j| (i.clone(), j.clone()))
            })
            .collect()
    }
}

/// `[indices.complexity]`: how presence is decided and which countries and products enter
/// (the stated choices recorded in `_meta.json`). The defaults are Stata `ecomplexity`'s.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ComplexityConfig {
    /// Compute the complexity tables for every year and product level with product data.
    pub enabled: bool,
    /// The test that sets presence `M`.
    pub presence: Presence,
    pub rca_threshold: f64,
    pub rpop_threshold: f64,
    /// A CSV of population (`year`, a country column, `population`), or `"wdi"` for the
    /// embedded World Bank series (`data/macro/`), for RPOP and `min-population`; with it,
    /// countries it lacks are left out of the universe.
    pub population: Option<PathBuf>,
    /// Countries whose exports of a universe's products sum to less (US$) are left out.
    pub min_country_exports: f64,
    /// Products whose exports by all countries sum to less (US$) are left out.
    pub min_product_exports: f64,
    /// Countries with a smaller population are left out (needs `population`).
    pub min_population: f64,
    /// Write the `proximity` table (product pairs with φ > 0).
    pub proximity_table: bool,
    /// Universes with more products are left out (noted in `_meta.json`): the proximity
    /// matrix is P×P doubles per year in flight.
    pub max_products: usize,
}

/// `[indices.complexity] population = "wdi"`: the embedded World Bank population series.
pub const WDI: &str = "wdi";

impl ComplexityConfig {
    /// The population file to read, if a file (not the embedded WDI series) is named.
    pub fn population_file(&self) -> Option<&Path> {
        self.population.as_deref().filter(|p| *p != Path::new(WDI))
    }
}

impl Default for ComplexityConfig {
    fn default() -> Self {
        ComplexityConfig {
            enabled: true,
            presence: Presence::Rca,
            rca_threshold: 1.0,
            rpop_threshold: 1.0,
            population: None,
            min_country_exports: 0.0,
            min_product_exports: 0.0,
            min_population: 0.0,
            proximity_table: true,
            max_products: 12_000,
        }
    }
}

/// Which test sets presence `M_cp` in the complexity tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// `RCA ≥ rca-threshold` (Stata's default).
    #[default]
    Rca,
    /// `RPOP ≥ rpop-threshold` (needs population).
    Rpop,
    /// Either test (Stata's `rca() rpop()` together).
    Both,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Rca => "rca",
            Presence::Rpop => "rpop",
            Presence::Both => "both",
        }
    }

    pub fn needs_population(self) -> bool {
        self != Presence::Rca
    }
}

impl Config {
    /// The embedded groups with the `[[group]]`s of this config.
    pub fn country_groups(&self) -> crate::groups::Groups {
        crate::groups::Groups::with(&self.groups)
    }

    /// An error naming the section when the file has no `[indices]` and `stage` (the indices
    /// stage, or a command that runs it) needs one.
    pub fn require_indices(&self, command: &str) -> Result<(), ConfigError> {
        if self.has_indices {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            path: self.path.clone(),
            message: format!(
                "[indices] is required for the indices stage, which `tradepipe {command}` runs: \
                 add [indices] with countries = [...] (fetch and normalize run without it)"
            ),
        })
    }

    fn try_deflator(&self) -> Result<Option<crate::macro_series::Deflator>, String> {
        self.indices.try_deflator(self.years)
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReportConfig {
    /// Directory name under `output/reports/`.
    pub name: String,
    /// What the report shows.
    #[serde(default)]
    pub kind: ReportKind,
    pub title: String,
    /// The country whose trade with `partners` the report is about.
    pub focus: String,
    pub partners: Vec<String>,
    /// Name of the partner group in prose and charts.
    pub group_name: String,
    /// Years shown; defaults to `[run] years`.
    pub years: Option<YearRange>,
    /// `[first, last]` of the CAGR ranking (bilateral reports).
    #[serde(default)]
    pub cagr_window: Option<[i32; 2]>,
    /// Partner-landscape reports: partners shown beside `focus`.
    #[serde(default)]
    pub compare: Vec<String>,
    /// The sections shown, in order; `None` is the kind's default ([`ReportKind::sections`]).
    #[serde(default)]
    pub sections: Option<Vec<Section>>,
    /// `[west, east, south, north]` in degrees: the map's frame, where the automatic one (the
    /// countries' bounding box with a margin) does not suit.
    #[serde(default)]
    pub map_frame: Option<[f64; 4]>,
}

impl ReportConfig {
    /// The sections of the report, in order.
    pub fn sections(&self) -> Vec<Section> {
        self.sections
            .clone()
            .unwrap_or_else(|| self.kind.sections().to_vec())
    }
}

/// A section of a report: what it shows is in `tradepipe_report`'s module of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// Total trade with the partners, exports, imports, balance; the headline figures.
    Overview,
    /// Trade with each partner, and the largest.
    Partners,
    /// The balance with each partner.
    Balances,
    /// Year-on-year growth and the CAGR ranking.
    Growth,
    /// The latest year's trade with each partner on a map.
    Map,
    /// Shares in each side's trade, HM, trade intensity, concentration over partners.
    Dependence,
    /// Trade with country groups (membership by year).
    Groups,
    /// Products, pair structure, breakdowns by province, regime and HS section, the economies.
    Structure,
    /// ECI ranking and opportunity products.
    Complexity,
    /// Mirror checks and what the data notes say about estimates and rules.
    DataQuality,
    /// Sources, vintages and whose report each number uses.
    Provenance,
    /// For each partner, the weight of `focus` and the `compare` partners in its trade.
    Landscape,
}

/// The kinds of `[[report]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// `focus`'s trade with each of `partners`: levels, balances, growth, shares, HM.
    #[default]
    Bilateral,
    /// For each of `partners`, the weight and rank of `focus` and of `compare` in its trade.
    PartnerLandscape,
}

impl ReportKind {
    /// The sections a report of this kind shows unless `sections` says otherwise.
    pub fn sections(self) -> &'static [Section] {
        match self {
            ReportKind::Bilateral => &[
                Section::Overview,
                Section::Partners,
                Section::Balances,
                Section::Map,
                Section::Growth,
                Section::Dependence,
                Section::Groups,
                Section::Structure,
                Section::Complexity,
                Section::DataQuality,
                Section::Provenance,
            ],
            ReportKind::PartnerLandscape => &[Section::Landscape, Section::Provenance],
        }
    }
}

/// A resolved, checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file it came from.
    pub path: PathBuf,
    pub years: YearRange,
    pub output_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub sources: Vec<SourceConfig>,
    pub normalize: NormalizeConfig,
    /// `[indices]`, or an empty one where the file has none ([`Config::require_indices`]).
    pub indices: IndicesConfig,
    /// Whether the file has an `[indices]` section.
    pub has_indices: bool,
    pub reports: Vec<ReportConfig>,
    /// User groups (`[[group]]`), on top of the embedded ones.
    pub groups: Vec<crate::groups::GroupConfig>,
}

/// Values that override the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub output_dir: Option<PathBuf>,
}

impl Config {
    /// Reads, parses and resolves `path`. `TRADEPIPE_OUTPUT` is read here, once.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
        let text = fs_err::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let env_output = std::env::var_os("TRADEPIPE_OUTPUT").map(PathBuf::from);
        Config::from_str(&text, path, overrides, env_output)
    }

    /// Parses and resolves config text that came from `path`.
    pub fn from_str(
        text: &str,
        path: &Path,
        overrides: &Overrides,
        env_output: Option<PathBuf>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };

        let output_dir = overrides
            .output_dir
            .clone()
            .or(env_output)
            .unwrap_or_else(|| base.join(raw.run.output.clone().unwrap_or_else(|| "output".into())));
        let cfg = Config {
            path: path.to_path_buf(),
            years: raw.run.years,
            output_dir,
            templates_dir: base.join(&raw.run.templates),
            sources: raw
                .sources
                .into_iter()
                .map(|mut s| {
                    s.path = s.path.map(|p| base.join(p));
                    s
                })
                .collect(),
            normalize: NormalizeConfig {
                nomenclatures: raw.normalize.nomenclatures.map(|p| base.join(p)),
                hs_target: match raw.normalize.hs_target.as_deref() {
                    None => None,
                    Some(name) => Some(
                        crate::rules::classification_name(name)
                            .filter(|c| crate::concordance::edition_index(c).is_some())
                            .ok_or_else(|| {
                                invalid(format!(
                                    "[normalize] hs-target = {name:?} is not an HS edition: give one of \
                                     HS92, HS96, HS02, HS07, HS12, HS17, HS22 (or Comtrade's H0 … H6)"
                                ))
                            })?
                            .to_owned(),
                    ),
                },
                ..raw.normalize
            },
            has_indices: raw.indices.is_some(),
            indices: raw
                .indices
                .map(|mut i| {
                    // `wdi` names the embedded World Bank series, not a file.
                    i.complexity.population = i
                        .complexity
                        .population
                        .map(|p| if p == Path::new(WDI) { p } else { base.join(p) });
                    i
                })
                .unwrap_or_default(),
            reports: raw.reports,
            groups: raw.groups,
        };
        cfg.check(&Registry::embedded()).map_err(invalid)?;
        Ok(cfg)
    }

    /// The config with every `[[report]]` showing `years` (the `report --years` option),
    /// checked like the file itself.
    pub fn with_report_years(mut self, years: YearRange) -> Result<Config, ConfigError> {
        for r in &mut self.reports {
            r.years = Some(years);
        }
        self.check(&Registry::embedded())
            .map_err(|message| ConfigError::Invalid {
                path: self.path.clone(),
                message: format!("report --years {}-{}: {message}", years.from, years.to),
            })?;
        Ok(self)
    }

    fn check(&self, registry: &Registry) -> Result<(), String> {
        let y = self.years;
        if y.from > y.to {
            return Err(format!("[run] years: from {} is after to {}", y.from, y.to));
        }
        if self.sources.is_empty() {
            return Err("no [[source]] configured".into());
        }
        let mut names = std::collections::HashSet::new();
        for s in &self.sources {
            if !names.insert(&s.name) {
                return Err(format!("source name {:?} used twice", s.name));
            }
            check_source(s, registry)?;
        }
        let known = |code: &str, at: &str| -> Result<(), String> {
            match registry.get(code) {
                Some(_) => Ok(()),
                None => Err(format!(
                    "{at}: unknown country code {code:?} (use ISO 3166 alpha-3)"
                )),
            }
        };
        if !(1.0..=1.5).contains(&self.normalize.cif_fob) {
            return Err(format!(
                "[normalize] cif-fob = {}: a CIF/FOB factor lies between 1 and 1.5",
                self.normalize.cif_fob
            ));
        }
        if !self.has_indices && !self.reports.is_empty() {
            return Err("[[report]] needs an [indices] section: reports show the index tables".into());
        }
        if self.has_indices && self.indices.countries.len() < 2 {
            return Err("[indices] countries: list at least two countries".into());
        }
        for c in &self.indices.countries {
            known(c, "[indices] countries")?;
        }
        for w in &self.indices.cagr_windows {
            check_window(*w, y, "[indices] cagr-windows")?;
        }
        check_complexity(&self.indices.complexity)?;
        if self.indices.deflator.is_some() {
            self.try_deflator()?;
        } else if self.indices.price_base_year.is_some() {
            return Err(
                "[indices] price-base-year needs deflator = \"us-gdp-deflator\" or \"us-cpi\"".into(),
            );
        }
        for g in &self.groups {
            if g.members.is_empty() {
                return Err(format!("[[group]] {:?}: list at least one member", g.name));
            }
            for m in &g.members {
                known(m, &format!("[[group]] {:?}", g.name))?;
            }
        }
        let groups = self.country_groups();
        for g in &self.indices.groups {
            if !groups.contains(g) {
                return Err(format!(
                    "[indices] groups: unknown group {g:?} (known: {}; add a [[group]] to define one)",
                    groups.names().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if let Some(b) = self.indices.index_base_year
            && !y.contains(b)
        {
            return Err(format!(
                "[indices] index-base-year = {b} is outside [run] years {}-{}",
                y.from, y.to
            ));
        }
        let mut report_names = std::collections::HashSet::new();
        for r in &self.reports {
            let at = format!("[[report]] {:?}", r.name);
            if !report_names.insert(&r.name) {
                return Err(format!("{at}: report name used twice"));
            }
            if r.name.is_empty() || r.name.contains(['/', '\\', '.']) {
                return Err(format!("{at}: name must be a plain directory name"));
            }
            for c in std::iter::once(&r.focus).chain(&r.partners).chain(&r.compare) {
                known(c, &at)?;
                if !self.indices.countries.contains(c) {
                    return Err(format!(
                        "{at}: {c} is not in [indices] countries, so no index is computed for it"
                    ));
                }
            }
            if let Some(ry) = r.years {
                if ry.from > ry.to || ry.from < y.from || ry.to > y.to {
                    return Err(format!(
                        "{at}: years {}-{} must lie within [run] years {}-{}",
                        ry.from, ry.to, y.from, y.to
                    ));
                }
            }
            let sections = r.sections();
            if sections.is_empty() {
                return Err(format!(
                    "{at}: sections is empty; leave it out for the kind's default"
                ));
            }
            if let Some(dup) = sections
                .iter()
                .find(|s| sections.iter().filter(|t| t == s).count() > 1)
            {
                return Err(format!("{at}: section {dup:?} is listed twice"));
            }
            if let Some([w, e, s, n]) = r.map_frame {
                let lon = -180.0..=180.0;
                if !(lon.contains(&w)
                    && lon.contains(&e)
                    && w != e
                    && (-90.0..=90.0).contains(&s)
                    && (-90.0..=90.0).contains(&n)
                    && s < n)
                {
                    return Err(format!(
                        "{at}: map-frame {:?} is not [west, east, south, north] in degrees (longitudes -180..180, \
                         west > east crosses the antimeridian; south below north)",
                        [w, e, s, n]
                    ));
                }
            }
            match (r.kind, r.cagr_window) {
                (ReportKind::Bilateral, None) if sections.contains(&Section::Growth) => {
                    return Err(format!(
                        "{at}: a bilateral report with the growth section needs cagr-window"
                    ));
                }
                (ReportKind::Bilateral, None) => {}
                (ReportKind::Bilateral, Some(w)) => {
                    // The ranking may look back before the years the report shows (a report of
                    // 2020 ranks the growth since 2010): the window needs data, not display.
                    check_window(w, y, &format!("{at} cagr-window"))?;
                    if !self.indices.cagr_windows.contains(&w) {
                        return Err(format!(
                            "{at}: cagr-window {w:?} is not one of [indices] cagr-windows"
                        ));
                    }
                }
                (ReportKind::PartnerLandscape, _) => {}
            }
        }
        Ok(())
    }

    /// The source with this name.
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }
}

impl SourceConfig {
    /// The Comtrade classification code of the request path: `HS`, or `H0` … `H6`.
    pub fn comtrade_classification(&self) -> &'static str {
        self.classification
            .as_deref()
            .and_then(comtrade_code)
            .unwrap_or("HS")
    }
}

/// Comtrade's code of an HS name (`HS`, `H5` or `HS17` → `H5`).
fn comtrade_code(name: &str) -> Option<&'static str> {
    Some(match crate::rules::classification_name(name)? {
        "HS" => "HS",
        "HS92" => "H0",
        "HS96" => "H1",
        "HS02" => "H2",
        "HS07" => "H3",
        "HS12" => "H4",
        "HS17" => "H5",
        "HS22" => "H6",
        _ => return None,
    })
}

fn check_source(s: &SourceConfig, registry: &Registry) -> Result<(), String> {
    let at = format!("[[source]] {:?}", s.name);
    if let Some(name) = &s.classification {
        if s.kind != SourceKind::Comtrade {
            return Err(format!(
                "{at}: classification is for comtrade sources (a table's goes under [source.columns])"
            ));
        }
        if comtrade_code(name).is_none() {
            return Err(format!(
                "{at}: classification {name:?} is not one Comtrade serves: HS (as reported), \
                 H0 … H6 or HS92 … HS22"
            ));
        }
    }
    if s.kind == SourceKind::File {
        for (missing, key) in [
            (s.path.is_none(), "path"),
            (s.format.is_none(), "format"),
            (s.vintage.is_none(), "vintage"),
        ] {
            if missing {
                return Err(format!("{at}: a file source needs {key}"));
            }
        }
        let table = matches!(s.format, Some(SourceFormat::TableCsv | SourceFormat::TableXlsx));
        return match (&s.columns, table) {
            (None, true) => Err(format!("{at}: a table source needs [source.columns]")),
            (Some(_), false) => Err(format!(
                "{at}: [source.columns] is only for table-csv and table-xlsx"
            )),
            (Some(c), true) => check_columns(c, registry).map_err(|m| format!("{at}: columns: {m}")),
            (None, false) => Ok(()),
        };
    }
    if let Some(f) = s.format.filter(|f| Some(*f) != s.kind.implied_format()) {
        return Err(format!(
            "{at}: kind {} always gives format {}, not {}",
            s.kind.as_str(),
            s.kind.implied_format().expect("HTTP kind").as_str(),
            f.as_str()
        ));
    }
    if s.path.is_some() {
        return Err(format!(
            "{at}: path is for kind = \"file\"; HTTP sources take url"
        ));
    }
    match s.kind {
        SourceKind::Baci if s.release.is_none() => {
            return Err(format!(
                "{at}: a BACI source needs release (e.g. \"BACI_HS92_V202401b\")"
            ));
        }
        SourceKind::Baci => {}
        _ if s.reporters.is_empty() => {
            return Err(format!("{at}: list the reporters to request (ISO3 codes)"));
        }
        _ => {}
    }
    for c in s.reporters.iter().chain(&s.partners) {
        if c != crate::schema::WORLD && registry.get(c).is_none() {
            return Err(format!("{at}: unknown country code {c:?} (use ISO 3166 alpha-3)"));
        }
    }
    if let Some(y) = s.years.filter(|y| y.from > y.to) {
        return Err(format!("{at}: years: from {} is after to {}", y.from, y.to));
    }
    if let Some(url) = &s.url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("{at}: url {url:?} must start with http:// or https://"));
        }
    }
    if s.http.requests_per_minute == Some(0) {
        return Err(format!("{at}: http.requests-per-minute must be at least 1"));
    }
    Ok(())
}

fn check_complexity(c: &ComplexityConfig) -> Result<(), String> {
    let at = "[indices.complexity]";
    for (key, v) in [
        ("rca-threshold", c.rca_threshold),
        ("rpop-threshold", c.rpop_threshold),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(format!(
                "{at} {key} = {v}: a presence threshold is a positive number"
            ));
        }
    }
    for (key, v) in [
        ("min-country-exports", c.min_country_exports),
        ("min-product-exports", c.min_product_exports),
        ("min-population", c.min_population),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{at} {key} = {v}: a minimum is zero or more"));
        }
    }
    if c.population.is_none() && (c.presence.needs_population() || c.min_population > 0.0) {
        return Err(format!(
            "{at}: presence = {:?} and min-population need population = \"<csv of year, country, population>\"",
            c.presence.as_str()
        ));
    }
    Ok(())
}

fn check_columns(c: &TableColumns, registry: &Registry) -> Result<(), String> {
    match (&c.reporter, &c.reporter_code) {
        (None, None) | (Some(_), Some(_)) => {
            return Err("give exactly one of reporter and reporter-code".into());
        }
        (None, Some(code)) if registry.get(code).is_none() => {
            return Err(format!("unknown country code {code:?} (use ISO 3166 alpha-3)"));
        }
        _ => {}
    }
    match (&c.partner, &c.partner_code) {
        (None, None) | (Some(_), Some(_)) => {
            return Err("give exactly one of partner and partner-code".into());
        }
        (None, Some(code)) if registry.get(code).is_none() => {
            return Err(format!(
                "unknown partner code {code:?} (ISO 3166 alpha-3, or WLD for the world)"
            ));
        }
        _ => {}
    }
    match (&c.flow, &c.flow_value) {
        (None, None) | (Some(_), Some(_)) => return Err("give exactly one of flow and flow-value".into()),
        (None, Some(v)) if v.parse::<crate::Flow>().is_err() => {
            return Err(format!(
                "flow-value {v:?} is not export, import, re-export or re-import"
            ));
        }
        _ => {}
    }
    if c.product.is_some() != c.classification.is_some() {
        return Err("product and classification go together".into());
    }
    if let Some(name) = &c.classification
        && crate::rules::classification_name(name).is_none()
    {
        return Err(format!(
            "classification {name:?} is not a classification this tool knows: an HS revision \
             (HS92, HS96, HS02, HS07, HS12, HS17, HS22, or Comtrade's H0 … H6), HS as reported, \
             SITC1 … SITC4 or BEC (classification names the edition, product the column)"
        ));
    }
    let decimal = c.decimal_separator.unwrap_or('.');
    if c.thousands_separator == Some(decimal) {
        return Err(format!(
            "thousands-separator and decimal-separator are both {decimal:?}"
        ));
    }
    for (key, sep) in [
        ("thousands-separator", c.thousands_separator),
        ("decimal-separator", c.decimal_separator),
    ] {
        if sep.is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+') {
            return Err(format!("{key} cannot be a digit or a sign"));
        }
    }
    if !(c.value_scale.is_finite() && c.value_scale > 0.0) {
        return Err("value-scale must be a positive number".into());
    }
    Ok(())
}

fn check_window(w: [i32; 2], years: YearRange, at: &str) -> Result<(), String> {
    if w[0] >= w[1] || !years.contains(w[0]) || !years.contains(w[1]) {
        return Err(format!(
            "{at}: window [{}, {}] must be increasing and within years {}-{}",
            w[0], w[1], years.from, years.to
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[run]
years = { from = 2000, to = 2020 }

[[source]]
name = "imf"
kind = "file"
format = "imf-dots-csv"
path = "data/x.csv.gz"
vintage = "v1"

[indices]
countries = ["CHN", "KAZ", "KGZ"]
cagr-windows = [[2010, 2020]]

[[report]]
name = "cca"
title = "t"
focus = "CHN"
partners = ["KAZ", "KGZ"]
group-name = "C2"
cagr-window = [2010, 2020]
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_str(
            text,
            Path::new("/etc/tp/pipeline.toml"),
            &Overrides::default(),
            None,
        )
    }

    #[test]
    fn resolves_paths_against_the_config_directory() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.output_dir, Path::new("/etc/tp/output"));
        assert_eq!(
            c.sources[0].path.as_deref(),
            Some(Path::new("/etc/tp/data/x.csv.gz"))
        );
        assert_eq!(c.templates_dir, Path::new("/etc/tp/templates"));
        assert_eq!(c.indices.hm_variant, HmVariant::Baldwin);
        assert_eq!(c.indices.pairs().len(), 6);
    }

    #[test]
    fn a_comtrade_source_names_an_edition_and_others_cannot() {
        let comtrade = |class: &str| {
            GOOD.replacen(
                "[indices]",
                &format!("[[source]]\nname = \"ct\"\nkind = \"comtrade\"\nreporters = [\"CHN\"]\nclassification = \"{class}\"\n\n[indices]"),
                1,
            )
        };
        let c = parse(&comtrade("HS12")).unwrap();
        assert_eq!(c.sources[1].comtrade_classification(), "H4");
        let err = parse(&comtrade("SITC3")).unwrap_err().to_string();
        assert!(
            err.contains("classification \"SITC3\" is not one Comtrade serves"),
            "{err}"
        );
        let on_a_file = GOOD.replacen("vintage = ", "classification = \"H5\"\nvintage = ", 1);
        let err = parse(&on_a_file).unwrap_err().to_string();
        assert!(err.contains("classification is for comtrade sources"), "{err}");
    }

    #[test]
    fn the_nomenclature_directory_is_relative_to_the_config() {
        let text = GOOD.replacen("[indices]", "[normalize]\nnomenclatures = \"hs\"\n\n[indices]", 1);
        let c = parse(&text).unwrap();
        assert_eq!(
            c.normalize.nomenclatures.as_deref(),
            Some(Path::new("/etc/tp/hs"))
        );
    }

    #[test]
    fn flag_beats_environment_beats_file() {
        let p = Path::new("/etc/tp/pipeline.toml");
        let env = Some(PathBuf::from("/env/out"));
        let flag = Overrides {
            output_dir: Some("/flag/out".into()),
        };
        assert_eq!(
            Config::from_str(GOOD, p, &flag, env.clone()).unwrap().output_dir,
            Path::new("/flag/out")
        );
        assert_eq!(
            Config::from_str(GOOD, p, &Overrides::default(), env)
                .unwrap()
                .output_dir,
            Path::new("/env/out")
        );
    }

    #[test]
    fn groups_are_known_or_user_defined() {
        let with = |extra: &str| {
            GOOD.replace(
                "cagr-windows = [[2010, 2020]]",
                &format!("cagr-windows = [[2010, 2020]]\n{extra}"),
            )
        };
        assert!(parse(&with("groups = [\"EU\", \"C5\"]")).is_ok());
        let msg = parse(&with("groups = [\"EEC\"]")).unwrap_err().to_string();
        assert!(
            msg.contains("unknown group \"EEC\"") && msg.contains("ASEAN"),
            "{msg}"
        );
        let user = format!(
            "{}\n[[group]]\nname = \"EEC\"\nmembers = [\"DEU\", \"FRA\"]\nto = 1992\n",
            with("groups = [\"EEC\"]")
        );
        let c = parse(&user).unwrap();
        assert_eq!(c.country_groups().members("EEC", 1990), ["DEU", "FRA"]);
        assert!(c.country_groups().members("EEC", 1993).is_empty());
        let bad = user.replace("\"FRA\"", "\"FRX\"");
        assert!(parse(&bad).unwrap_err().to_string().contains("[[group]] \"EEC\""));
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_file_name() {
        let e = parse(&GOOD.replace("[indices]", "[indices]\ncolour = 1")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("/etc/tp/pipeline.toml") && msg.contains("colour"),
            "{msg}"
        );
    }

    #[test]
    fn semantic_errors_name_what_is_wrong() {
        for (from, to, needle) in [
            ("\"KGZ\"]\ncagr", "\"XXX\"]\ncagr", "unknown country code \"XXX\""),
            (
                "from = 2000, to = 2020",
                "from = 2021, to = 2020",
                "from 2021 is after to 2020",
            ),
            (
                "cagr-windows = [[2010, 2020]]",
                "cagr-windows = [[2010, 2030]]",
                "window [2010, 2030]",
            ),
            (
                "partners = [\"KAZ\", \"KGZ\"]",
                "partners = [\"KAZ\", \"UZB\"]",
                "UZB is not in [indices] countries",
            ),
        ] {
            let text = GOOD.replacen(from, to, 1);
            assert_ne!(text, GOOD, "replacement {from:?} did not apply");
            let msg = parse(&text).unwrap_err().to_string();
            assert!(msg.contains(needle), "{msg} should contain {needle}");
        }
    }

    #[test]
    fn http_sources_are_checked_per_kind() {
        let http = |src: &str| {
            GOOD.replace(
            "[[source]]\nname = \"imf\"\nkind = \"file\"\nformat = \"imf-dots-csv\"\npath = \"data/x.csv.gz\"\nvintage = \"v1\"\n",
            src,
        )
        };
        let ok = http(
            "[[source]]\nname = \"ct\"\nkind = \"comtrade\"\nreporters = [\"CHN\"]\npartners = [\"WLD\", \"KAZ\"]\n[source.http]\nmax-retries = 1\n",
        );
        assert_ne!(ok, GOOD);
        let c = parse(&ok).unwrap();
        assert_eq!(c.sources[0].effective_format(), SourceFormat::ComtradeV1Json);
        assert_eq!(c.sources[0].http.max_retries, 1);
        assert_eq!(
            c.sources[0].http.retry_after_cap_secs, 120,
            "defaults fill the rest"
        );
        for (src, needle) in [
            (
                "[[source]]\nname = \"ct\"\nkind = \"comtrade\"\n",
                "list the reporters",
            ),
            (
                "[[source]]\nname = \"ct\"\nkind = \"wits\"\nreporters = [\"XXX\"]\n",
                "unknown country code \"XXX\"",
            ),
            ("[[source]]\nname = \"b\"\nkind = \"baci\"\n", "needs release"),
            (
                "[[source]]\nname = \"f\"\nkind = \"file\"\npath = \"x\"\nvintage = \"v\"\n",
                "a file source needs format",
            ),
            (
                "[[source]]\nname = \"i\"\nkind = \"imf-sdmx3\"\nreporters = [\"USA\"]\nformat = \"imf-dots-csv\"\n",
                "always gives format imf-sdmx3-xml",
            ),
            (
                "[[source]]\nname = \"i\"\nkind = \"imf-dot\"\nreporters = [\"USA\"]\nurl = \"ftp://x\"\n",
                "must start with http",
            ),
            (
                "[[source]]\nname = \"i\"\nkind = \"imf-dot\"\nreporters = [\"USA\"]\n[source.http]\nretries = 3\n",
                "unknown field `retries`",
            ),
        ] {
            let msg = parse(&http(src)).unwrap_err().to_string();
            assert!(msg.contains(needle), "{msg} should contain {needle}");
        }
    }
}
