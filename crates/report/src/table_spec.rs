//! Every table a report can show, declared once: its id (the HTML anchor and its key in
//! `report.json`), whose report its numbers use, and the index-table columns behind them.
//! A section builds a table from its spec ([`crate::section::Ctx::table`]), so a table
//! without a footnote cannot be written.

/// Whose report a table's numbers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The focus country's own report.
    Focus,
    /// Each partner's own report.
    Partner,
    /// Both sides' reports of the same flow.
    Both,
    /// Each country's own report, for tables with a row per country.
    Each,
    /// Every reporter's exports by product (the complexity universe).
    Reporters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub id: &'static str,
    pub side: Side,
    pub columns: &'static str,
}

impl Spec {
    /// The footnote of the table: the data's source line, whose report, the columns.
    pub fn footnote(&self, source_line: &str, focus: &str) -> String {
        let side = match self.side {
            Side::Focus => format!("{focus}'s report"),
            Side::Partner => "each partner's report".into(),
            Side::Both => "both sides' reports".into(),
            Side::Each => "each country's own report".into(),
            Side::Reporters => "every reporter's exports by product".into(),
        };
        format!("{source_line}; {side}; tradepipe table {}.", self.columns)
    }
}

const fn spec(id: &'static str, side: Side, columns: &'static str) -> Spec {
    Spec { id, side, columns }
}

pub const TOTALS: Spec = spec(
    "totals",
    Side::Focus,
    "bilateral: exports, imports, total_trade, balance and, with a deflator, total_trade_real (summed over the partners)",
);
pub const TOTAL_BY_PARTNER: Spec = spec("total-by-partner", Side::Focus, "bilateral: total_trade");
pub const BALANCE_BY_PARTNER: Spec = spec("balance-by-partner", Side::Focus, "bilateral: balance");
pub const YOY_BY_PARTNER: Spec = spec("yoy-by-partner", Side::Focus, "growth: total_trade_yoy");
pub const CAGR: Spec = spec(
    "cagr",
    Side::Focus,
    "cagr: total_trade_cagr; bilateral: total_trade",
);
pub const SHARES: Spec = spec(
    "shares",
    Side::Focus,
    "bilateral: trade_share, reporter_world_exports, reporter_world_imports",
);
pub const HM_OUT: Spec = spec("hm-out", Side::Focus, "bilateral: hm, hm_variant");
pub const HM_IN: Spec = spec("hm-in", Side::Partner, "bilateral: hm, hm_variant");
pub const TII_OUT: Spec = spec("tii-out", Side::Focus, "bilateral: tii");
pub const TII_IN: Spec = spec("tii-in", Side::Partner, "bilateral: tii");
pub const HHI_PARTNERS: Spec = spec(
    "hhi-partners",
    Side::Each,
    "concentration (over = partners): hhi, count",
);
pub const GROUPS: Spec = spec(
    "groups",
    Side::Focus,
    "group: members_reported, members, exports, imports, balance, trade_share",
);
pub const TOP_PRODUCTS: Spec = spec(
    "top-products",
    Side::Focus,
    "product: exports, rca, partners and, where the data have quantities, quantity, quantity_unit, unit_value",
);
pub const PAIR_STRUCTURE: Spec = spec(
    "pair-structure",
    Side::Each,
    "pair_structure: trade_complementarity, export_similarity, grubel_lloyd, products",
);
pub const HHI_PRODUCTS: Spec = spec(
    "hhi-products",
    Side::Each,
    "concentration (over = products): hhi, hhi_normalized",
);
const CONTRIBUTION: &str = "contribution: exports, imports, balance, balance_change, balance_contribution, exports_growth_contribution";
pub const BY_PROVINCE: Spec = spec("by-province", Side::Focus, CONTRIBUTION);
pub const BY_REGIME: Spec = spec("by-regime", Side::Focus, CONTRIBUTION);
pub const BY_SECTION: Spec = spec("by-section", Side::Focus, CONTRIBUTION);
pub const COUNTRY_PROFILE: Spec = spec(
    "country-profile",
    Side::Each,
    "country: gdp, gdp_per_capita, openness (GDP and population: World Bank WDI), and complexity_country: expy where shown",
);
pub const ECI: Spec = spec("eci", Side::Reporters, "complexity_country: eci, eci_rank");
pub const COG: Spec = spec(
    "cog",
    Side::Reporters,
    "complexity: pci, density, cog, exports (m = false)",
);
pub const MIRROR_EXPORTS: Spec = spec(
    "mirror-exports",
    Side::Both,
    "bilateral: mirror_ratio, reporter_mirror_derived",
);
pub const MIRROR_IMPORTS: Spec = spec(
    "mirror-imports",
    Side::Both,
    "bilateral: mirror_ratio, reporter_mirror_derived",
);

/// Every spec, for the tests that check them all.
#[cfg(test)]
const ALL: [&Spec; 23] = [
    &TOTALS,
    &TOTAL_BY_PARTNER,
    &BALANCE_BY_PARTNER,
    &YOY_BY_PARTNER,
    &CAGR,
    &SHARES,
    &HM_OUT,
    &HM_IN,
    &TII_OUT,
    &TII_IN,
    &HHI_PARTNERS,
    &GROUPS,
    &TOP_PRODUCTS,
    &PAIR_STRUCTURE,
    &HHI_PRODUCTS,
    &BY_PROVINCE,
    &BY_REGIME,
    &BY_SECTION,
    &COUNTRY_PROFILE,
    &ECI,
    &COG,
    &MIRROR_EXPORTS,
    &MIRROR_IMPORTS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_footnotes_name_side_and_columns() {
        let mut ids: Vec<&str> = ALL.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "a table id used twice");
        assert_eq!(
            HM_IN.footnote("Source: IMF DOTS (2022)", "CHN"),
            "Source: IMF DOTS (2022); each partner's report; tradepipe table bilateral: hm, hm_variant."
        );
        assert!(TOTALS.footnote("S", "DEU").contains("DEU's report"));
    }
}
