//! The rows of the index tables, as the index stage writes them and the reports read them:
//! one struct per table, a field per column (`year` is the partition).

use serde::{Deserialize, Serialize};

/// One row of `output/parquet/indices/bilateral/`. Money in US dollars, shares and indices
/// as fractions. "i" is the reporter, "j" the partner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BilateralRow {
    pub year: i32,
    pub reporter: String,
    pub partner: String,
    /// `X_ij`, i's report.
    pub exports: Option<f64>,
    /// `M_ij`, i's report.
    pub imports: Option<f64>,
    pub total_trade: Option<f64>,
    pub balance: Option<f64>,
    pub tsc: Option<f64>,
    /// `X_ij / X_i`.
    pub export_share: Option<f64>,
    /// `M_ij / M_i`.
    pub import_share: Option<f64>,
    /// `T_ij / (X_i + M_i)`: the pair's weight in i's total trade.
    pub trade_share: Option<f64>,
    /// Rank of j among i's partner economies by total trade (1 = largest).
    pub rank_total: Option<u32>,
    /// HM by the configured variant.
    pub hm: Option<f64>,
    pub hm_variant: String,
    /// Which report each HM term came from.
    pub hm_sources: String,
    pub hm_baldwin: Option<f64>,
    pub hm_mirror: Option<f64>,
    pub hm_as_printed: Option<f64>,
    pub tii: Option<f64>,
    /// `(X_ij / X_i) / (M_j / (M_w − M_i))`: intensity against j's weight in the imports of
    /// the world other than i.
    pub tii_imports: Option<f64>,
    /// `M_ji`: j's report of its imports from i (the mirror of `exports`).
    pub mirror_exports: Option<f64>,
    /// `X_ji`: j's report of its exports to i (the mirror of `imports`).
    pub mirror_imports: Option<f64>,
    /// `M_ji / X_ij`.
    pub mirror_ratio: Option<f64>,
    /// `M_ji − X_ij`, US dollars.
    pub mirror_gap: Option<f64>,
    /// `|M_ji − X_ij| / ((M_ji + X_ij) / 2)`.
    pub mirror_discrepancy: Option<f64>,
    /// `X_i`, `M_i` as used in the shares.
    pub reporter_world_exports: Option<f64>,
    pub reporter_world_imports: Option<f64>,
    /// `M_j` as used in HM.
    pub partner_world_imports: Option<f64>,
    /// "source" (the world row of the data) or "sum" (over partner economies).
    pub world: String,
    /// Any of i's terms (X_ij, M_ij, X_i, M_i) is flagged as an estimate by the source.
    pub reporter_estimated: bool,
    /// Any of j's terms (M_ji, M_j) is flagged as an estimate by the source.
    pub partner_estimated: bool,
    /// i's figures for this pair are j's mirror figures at the IMF CIF/FOB factor 1.06, i.e.
    /// estimates from partner data even if unflagged (see [`tradepipe_model::formulas::mirror_derived`]).
    pub reporter_mirror_derived: bool,
    /// `exports`, `imports`, `total_trade` and `balance` in constant dollars of the
    /// deflator's base year (`_meta.json` names the deflator); `None` without one.
    pub exports_real: Option<f64>,
    pub imports_real: Option<f64>,
    pub total_trade_real: Option<f64>,
    pub balance_real: Option<f64>,
}

impl BilateralRow {
    /// Fills the `*_real` columns from `deflator`'s index of the row's year.
    pub fn deflate(&mut self, deflator: &tradepipe_model::macro_series::Deflator) {
        let y = self.year;
        self.exports_real = deflator.real(y, self.exports);
        self.imports_real = deflator.real(y, self.imports);
        self.total_trade_real = deflator.real(y, self.total_trade);
        self.balance_real = deflator.real(y, self.balance);
    }
}

/// One row of `output/parquet/indices/growth/`. Growth rates as fractions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthRow {
    pub year: i32,
    pub reporter: String,
    pub partner: String,
    pub exports_yoy: Option<f64>,
    pub imports_yoy: Option<f64>,
    pub total_trade_yoy: Option<f64>,
    /// `B_t − B_{t−1}` in US dollars.
    pub balance_change: Option<f64>,
    /// Share of the change in the reporter's world balance due to this partner,
    /// `ΔB_ij / ΔB_i` (`docs/formulas.md`); over all partners the shares sum to 1.
    pub balance_contribution: Option<f64>,
    /// `(T_ij,t − T_ij,t−1) / T_i,t−1`: this partner's part of the growth of the reporter's
    /// total trade with the world; over all partners it sums to that growth rate.
    pub total_trade_growth_contribution: Option<f64>,
    /// `100·V_t / V_base` at the base year of `index_base`.
    pub exports_index: Option<f64>,
    pub imports_index: Option<f64>,
    pub total_trade_index: Option<f64>,
    /// The base year of the index columns.
    pub index_base: i32,
    /// Growth of the constant-dollar values (`*_real` of the bilateral table): real rates,
    /// where the columns above are nominal. `None` without a deflator.
    pub exports_real_yoy: Option<f64>,
    pub imports_real_yoy: Option<f64>,
    pub total_trade_real_yoy: Option<f64>,
    pub total_trade_real_index: Option<f64>,
}

/// One row of `output/parquet/indices/cagr/part-0.parquet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CagrRow {
    pub reporter: String,
    pub partner: String,
    pub from: i32,
    pub to: i32,
    pub exports_cagr: Option<f64>,
    pub imports_cagr: Option<f64>,
    pub total_trade_cagr: Option<f64>,
    /// CAGR of the constant-dollar values; `None` without a deflator.
    pub exports_real_cagr: Option<f64>,
    pub imports_real_cagr: Option<f64>,
    pub total_trade_real_cagr: Option<f64>,
}

/// One row of `output/parquet/indices/product/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub year: i32,
    pub reporter: String,
    pub classification: String,
    pub product: String,
    /// Digits of the product code (2, 4, 6 for HS); 0 for an HS section (`S16`).
    pub level: u8,
    /// `X_i^k`, US dollars.
    pub exports: f64,
    /// `exports` in constant dollars of the deflator's base year; `None` without one.
    pub exports_real: Option<f64>,
    /// The HS 6-digit description of the product in its edition, where known.
    pub product_name: Option<String>,
    /// `(X_i^k / X_i) / (X_w^k / X_w)`.
    pub rca: Option<f64>,
    /// `(RCA − 1) / (RCA + 1)`, in (−1, 1).
    pub rca_sym: Option<f64>,
    /// Partner economies the reporter exports the product to, `#{j: X_ij^k > 0}`; `None`
    /// when the data give the reporter's exports of the product only to the world.
    pub partners: Option<u32>,
    /// Export market penetration `#{j: X_ij^k > 0} / #{j: M_j^k > 0}`.
    pub market_penetration: Option<f64>,
    /// Quantity exported, in `quantity_unit`, where every row of the cell has one in the
    /// same unit (BACI: tonnes; Comtrade: its `qtyUnitAbbr`, or `kg` of net weight).
    pub quantity: Option<f64>,
    pub quantity_unit: Option<String>,
    /// `exports / quantity`, US dollars per unit; absent where the quantity is absent or 0.
    pub unit_value: Option<f64>,
}

/// One row of `output/parquet/indices/concentration/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcentrationRow {
    pub year: i32,
    pub reporter: String,
    /// `export` or `import`.
    pub flow: String,
    /// `partners` or `products`.
    pub over: String,
    /// Product level (0 section, 2, 4, 6) for `over = products`.
    pub level: Option<u8>,
    /// Partners (or products) with a positive value: N.
    pub count: u32,
    /// `Σ s²` over partner shares, in [1/N, 1].
    pub hhi: Option<f64>,
    /// `(HHI − 1/N) / (1 − 1/N)`, in [0, 1].
    pub hhi_normalized: Option<f64>,
}

/// One row of `output/parquet/indices/pair_structure/`: one ordered pair and product level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairStructureRow {
    pub year: i32,
    pub reporter: String,
    pub partner: String,
    /// 0 for HS sections, else digits of the code.
    pub level: u8,
    /// Michaely `TC_ij`: i's export mix against j's import mix, 0–100.
    pub trade_complementarity: Option<f64>,
    /// Finger–Kreinin `ES_ij`: overlap of i's and j's export mixes to the world, 0–100.
    pub export_similarity: Option<f64>,
    /// Aggregate Grubel–Lloyd of i's trade with j, 0–1.
    pub grubel_lloyd: Option<f64>,
    /// Products with trade between i and j at this level.
    pub products: u32,
    /// `reported` or `mirror`: whose report j's imports by product are (see `product_imports`).
    pub partner_imports_side: String,
}

/// One row of `output/parquet/indices/product_pair/`: one pair and product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductPairRow {
    pub year: i32,
    pub reporter: String,
    pub partner: String,
    pub classification: String,
    pub product: String,
    pub level: u8,
    /// `X_ij^k`, i's report, US dollars.
    pub exports: Option<f64>,
    /// `M_ij^k`: i's report, or where i reports no imports from j, j's exports to i.
    pub imports: Option<f64>,
    /// `reported` or `mirror`.
    pub imports_side: String,
    /// `1 − |X − M| / (X + M)`.
    pub grubel_lloyd: Option<f64>,
}

/// One row of `output/parquet/indices/contribution/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContributionRow {
    pub year: i32,
    pub reporter: String,
    pub partner: String,
    /// `province`, `regime` or `section`.
    pub dimension: String,
    pub component: String,
    /// US dollars, the reporter's report.
    pub exports: Option<f64>,
    pub imports: Option<f64>,
    pub balance: Option<f64>,
    /// `B_c,t − B_c,t−1`.
    pub balance_change: Option<f64>,
    /// `ΔB_c / Σ_c ΔB_c`.
    pub balance_contribution: Option<f64>,
    /// `ΔX_c / Σ_c X_c,t−1`: percentage points (as a fraction) of the exports' growth.
    pub exports_growth_contribution: Option<f64>,
    pub imports_growth_contribution: Option<f64>,
    /// `X_c / Σ_c X_c`.
    pub exports_share: Option<f64>,
    pub imports_share: Option<f64>,
}

/// One row of `output/parquet/indices/group/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub year: i32,
    pub reporter: String,
    pub group: String,
    /// Members that year (the reporter itself left out).
    pub members: u32,
    /// Members with a reported flow with the reporter.
    pub members_reported: u32,
    /// Σ over members of the reporter's exports to them (its report), US dollars.
    pub exports: Option<f64>,
    pub imports: Option<f64>,
    pub total_trade: Option<f64>,
    pub balance: Option<f64>,
    /// `T_i,group / (X_i + M_i)`.
    pub trade_share: Option<f64>,
}

/// One row of `output/parquet/indices/country/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryRow {
    pub year: i32,
    pub reporter: String,
    /// Exports to and imports from the world, US$ (the country's own report, `world` as the
    /// bilateral table chose it).
    pub exports: Option<f64>,
    pub imports: Option<f64>,
    /// GDP in current US$ and population (World Bank WDI `NY.GDP.MKTP.CD`, `SP.POP.TOTL`).
    pub gdp: Option<f64>,
    pub population: Option<f64>,
    pub gdp_per_capita: Option<f64>,
    /// Trade openness `(X + M) / GDP`.
    pub openness: Option<f64>,
}

/// What happened in one universe, for `_meta.json` and the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniverseNote {
    pub year: i32,
    pub classification: String,
    pub level: u8,
    pub countries: usize,
    pub products: usize,
    /// Countries with exports of the universe's products that did not enter, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out_countries: Vec<LeftOut>,
    #[serde(default)]
    pub left_out_products: usize,
    /// The second and third largest eigenvalues, where ECI is defined (a small gap means a
    /// ranking sensitive to the data).
    pub eigenvalues: Option<[f64; 2]>,
    /// Why ECI, PCI, density, COI and COG are empty, where they are.
    pub not_defined: Option<String>,
}

/// One row of `output/parquet/indices/complexity_country/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexityCountryRow {
    pub year: i32,
    pub reporter: String,
    pub classification: String,
    pub level: u8,
    /// The country's exports of the universe's products, US$.
    pub exports: f64,
    pub diversity: u32,
    pub eci: Option<f64>,
    /// 1 for the highest ECI of the universe (ties share the better rank).
    pub eci_rank: Option<u32>,
    pub coi: Option<f64>,
    /// Hausmann–Hwang–Rodrik EXPY: the PRODY of the country's export basket, US$ per head.
    pub expy: Option<f64>,
}

/// One cell of `output/parquet/indices/complexity/` as the report reads it (the configured
/// countries' rows only: a universe has a row for every country × product).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexityCell {
    pub year: i32,
    pub reporter: String,
    pub classification: String,
    pub product: String,
    pub level: u8,
    pub exports: f64,
    pub rca: f64,
    pub m: bool,
    pub density: Option<f64>,
    pub pci: Option<f64>,
    pub cog: Option<f64>,
}

/// A country left out of a complexity universe, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub country: String,
    pub reason: String,
}
