//! Structure: the focus's largest exports (with their names, RCA and, where the data have
//! quantities, unit values), the product structure of its trade with each partner
//! (complementarity, similarity, intra-industry trade), concentration over products, the
//! contributions of provinces, customs regimes and HS sections, and the economies behind the
//! figures (GDP, income per head, openness, EXPY). Tables appear only where the data have
//! products or breakdowns.

use super::{Ctx, Part, has_values, num};
use crate::context::Table;
use crate::format::{MISSING, pct, usd_bn};
use crate::table_spec;

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    part.tables.extend(structure(ctx));
    part.tables.extend(breakdowns(ctx));
    part.tables.extend(country_profile(ctx));
    part
}

/// "XVI Machinery and mechanical appliances" for an HS code or section code (`S16`): the
/// section's numeral and the first clause of its title.
pub(crate) fn section_label(code: &str) -> String {
    let section = match code.strip_prefix('S').and_then(|n| n.parse::<u8>().ok()) {
        Some(n) => tradepipe_model::products::sections()
            .into_iter()
            .find(|s| s.number == n),
        None => tradepipe_model::products::section_of(code),
    };
    section.map_or(MISSING.to_string(), |s| {
        let short = s
            .title
            .split([';', ','])
            .next()
            .unwrap_or(&s.title)
            .trim()
            .to_string();
        format!("{} {short}", s.roman)
    })
}

/// GDP, income per head, openness and (with product data) EXPY of the focus and each
/// partner in the last year that has them: the economies behind the trade figures.
pub(crate) fn country_profile(s: &Ctx<'_>) -> Vec<Table> {
    let per_head = |v: Option<f64>| v.map_or(MISSING.to_string(), |v| crate::format::count(v.round() as u64));
    let row_of = |c: &str, y: i32| s.t.country.iter().find(|r| r.year == y && r.reporter == c);
    let Some(&y) = s.years.iter().rev().find(|&&y| {
        s.everyone()
            .iter()
            .any(|c| row_of(&c.code, y).is_some_and(|r| r.gdp.is_some()))
    }) else {
        return Vec::new();
    };
    // EXPY of the finest product level the country has.
    let expy = |c: &str| {
        s.t.complexity_country
            .iter()
            .filter(|r| r.year == y && r.reporter == c)
            .max_by_key(|r| r.level)
            .and_then(|r| r.expy)
    };
    let with_expy = s.everyone().iter().any(|c| expy(&c.code).is_some());
    let mut headers: Vec<String> = ["Country", "GDP (US$ bn)", "GDP per head (US$)", "Trade / GDP %"]
        .map(String::from)
        .to_vec();
    if with_expy {
        headers.push("EXPY (US$ per head)".into());
    }
    let rows = s
        .everyone()
        .into_iter()
        .map(|c| {
            let r = row_of(&c.code, y);
            let mut row = vec![
                c.name.clone(),
                usd_bn(r.and_then(|r| r.gdp)),
                per_head(r.and_then(|r| r.gdp_per_capita)),
                pct(r.and_then(|r| r.openness), 1),
            ];
            if with_expy {
                row.push(per_head(expy(&c.code)));
            }
            row
        })
        .collect();
    vec![s.table(
        &table_spec::COUNTRY_PROFILE,
        format!("The economies behind the figures, {y}"),
        format!(
            "GDP in current US$ and per head (World Bank WDI, embedded); trade / GDP is merchandise exports plus imports with the world, from each country's own report, over GDP{}.",
            if with_expy {
                "; EXPY is the income level of the country's export basket (Hausmann, Hwang and Rodrik; GDP per head in current US$)"
            } else {
                ""
            }
        ),
        headers,
        rows,
    )]
}

/// What a product is, for a table cell: its HS 6-digit description in its edition, cut at a
/// word near 70 characters, else (headings, chapters, `HS` as reported) its HS section.
pub(crate) fn product_label(classification: &str, code: &str) -> String {
    const MAX: usize = 70;
    match tradepipe_model::product_names::product_name(classification, code) {
        Some(name) if name.chars().count() <= MAX => name.to_string(),
        Some(name) => {
            let cut: String = name.chars().take(MAX).collect();
            let at = cut.rfind(' ').unwrap_or(cut.len());
            format!("{}…", cut[..at].trim_end_matches([',', ';', ':']))
        }
        None => section_label(code),
    }
}

/// The last year with product data inside the report's years.
fn product_year(s: &Ctx<'_>) -> Option<i32> {
    s.t.meta
        .product_years
        .iter()
        .rev()
        .copied()
        .find(|y| s.years.contains(y))
}

/// Top products, pair structure and concentration over products, when the data have products.
pub(crate) fn structure(s: &Ctx<'_>) -> Vec<Table> {
    let Some(y) = product_year(s) else {
        return Vec::new();
    };
    let f = &s.focus.name;
    let mine: Vec<_> =
        s.t.product
            .iter()
            .filter(|r| r.year == y && r.reporter == s.focus.code)
            .collect();
    let Some(level) = mine.iter().map(|r| r.level).max() else {
        return Vec::new();
    };
    let level_name = |l: u8| match l {
        0 => "HS section".to_string(),
        d => format!("HS {d}-digit"),
    };
    let mut top: Vec<_> = mine.iter().filter(|r| r.level == level).collect();
    let total: f64 = top.iter().map(|r| r.exports).sum();
    top.sort_by(|a, b| {
        b.exports
            .total_cmp(&a.exports)
            .then_with(|| a.product.cmp(&b.product))
    });
    let top: Vec<_> = top.into_iter().take(10).collect();
    // Quantities and unit values where the data have them (BACI's tonnes, Comtrade's units).
    let quantities = top.iter().any(|r| r.quantity.is_some());
    let mut headers: Vec<String> = [
        "Product",
        "Description",
        "Exports",
        "Share %",
        "RCA",
        "Export markets",
    ]
    .map(String::from)
    .to_vec();
    let mut note = "Description: the HS 6-digit text of the product's edition (CEPII BACI V202401 lists), else its HS section. US$ billion; share of the country's exports at this level; Balassa RCA against the reporters in the data (above 1: a revealed comparative advantage).".to_string();
    if quantities {
        headers.extend(["Quantity".to_string(), "Unit value (US$)".to_string()]);
        note.push_str(" Quantity in the source's unit (t: metric tons; kg; u: items) and unit value in US$ per unit; – where a partner's flow has no quantity.");
    }
    let mut out = vec![Table {
        id: table_spec::TOP_PRODUCTS.id.into(),
        title: format!("{f}'s largest exports, {y} ({})", level_name(level)),
        note,
        headers,
        rows: top
            .iter()
            .map(|r| {
                let mut row = vec![
                    r.product.clone(),
                    product_label(&r.classification, &r.product),
                    usd_bn(Some(r.exports)),
                    pct((total > 0.0).then(|| r.exports / total), 1),
                    num(r.rca, 2),
                    r.partners.map_or(MISSING.to_string(), |n| n.to_string()),
                ];
                if quantities {
                    row.push(match (r.quantity, &r.quantity_unit) {
                        (Some(q), Some(u)) => format!("{} {u}", crate::format::count(q.round() as u64)),
                        _ => MISSING.to_string(),
                    });
                    row.push(
                        r.unit_value
                            .map_or(MISSING.to_string(), |v| crate::format::grouped(v, 2)),
                    );
                }
                row
            })
            .collect(),
        source: s.footnote(&table_spec::TOP_PRODUCTS),
    }];
    let pair = |i: &str, j: &str| {
        s.t.pair_structure
            .iter()
            .find(|r| r.year == y && r.reporter == i && r.partner == j && r.level == level)
    };
    let pair_table = Table {
        id: table_spec::PAIR_STRUCTURE.id.into(),
        title: format!(
            "Product structure of {f}'s trade with each partner, {y} ({})",
            level_name(level)
        ),
        note: format!(
            "Trade complementarity (0–100: how well one side's export mix matches the other's import mix), export similarity (0–100: overlap of the two export mixes) and Grubel–Lloyd intra-industry trade (0–1) of {f}'s trade with the partner. Imports by product are the importer's report, or the mirror where it reports none."
        ),
        headers: vec![
            "Partner".into(),
            format!("TC {}→partner", s.focus.code),
            format!("TC partner→{}", s.focus.code),
            "Export similarity".into(),
            "Grubel–Lloyd".into(),
            "Products traded".into(),
        ],
        rows: s
            .partners
            .iter()
            .map(|p| {
                let (a, b) = (pair(&s.focus.code, &p.code), pair(&p.code, &s.focus.code));
                vec![
                    p.name.clone(),
                    num(a.and_then(|r| r.trade_complementarity), 1),
                    num(b.and_then(|r| r.trade_complementarity), 1),
                    num(a.and_then(|r| r.export_similarity), 1),
                    num(a.and_then(|r| r.grubel_lloyd), 3),
                    a.map_or(MISSING.to_string(), |r| r.products.to_string()),
                ]
            })
            .collect(),
        source: s.footnote(&table_spec::PAIR_STRUCTURE),
    };
    // A partner with no product data for the pair gives only dashes: leave the table out.
    if has_values(&pair_table) {
        out.push(pair_table);
    }
    let hhi = |c: &str, flow: &str| {
        s.t.concentration.iter().find(|r| {
            r.year == y && r.reporter == c && r.flow == flow && r.over == "products" && r.level == Some(level)
        })
    };
    out.push(Table {
        id: table_spec::HHI_PRODUCTS.id.into(),
        title: format!("Concentration of each country's trade over products, {y} ({})", level_name(level)),
        note: "Herfindahl–Hirschman index of product shares and its normalised form (0 = even spread, 1 = one product).".into(),
        headers: vec![
            "Country".into(),
            "Exports HHI".into(),
            "normalised".into(),
            "Imports HHI".into(),
            "normalised".into(),
        ],
        rows: s
            .everyone()
            .into_iter()
            .map(|c| {
                let (x, m) = (hhi(&c.code, "export"), hhi(&c.code, "import"));
                vec![
                    c.name.clone(),
                    num(x.and_then(|r| r.hhi), 3),
                    num(x.and_then(|r| r.hhi_normalized), 3),
                    num(m.and_then(|r| r.hhi), 3),
                    num(m.and_then(|r| r.hhi_normalized), 3),
                ]
            })
            .collect(),
        source: s.footnote(&table_spec::HHI_PRODUCTS),
    });
    out
}

/// One table per breakdown of the focus's trade with the world (or, without a world row,
/// with its first partner) in the last year that has one.
pub(crate) fn breakdowns(s: &Ctx<'_>) -> Vec<Table> {
    let f = &s.focus.name;
    let mut out = Vec::new();
    for (dimension, spec) in [
        ("province", &table_spec::BY_PROVINCE),
        ("regime", &table_spec::BY_REGIME),
        ("section", &table_spec::BY_SECTION),
    ] {
        let rows: Vec<_> = s
            .t
            .contribution
            .iter()
            .filter(|r| r.reporter == s.focus.code && r.dimension == dimension && s.years.contains(&r.year))
            .collect();
        let Some(y) = rows.iter().map(|r| r.year).max() else {
            continue;
        };
        let partner = if rows.iter().any(|r| r.partner == tradepipe_model::schema::WORLD) {
            tradepipe_model::schema::WORLD.to_string()
        } else {
            rows.iter()
                .map(|r| r.partner.clone())
                .min()
                .expect("rows present")
        };
        let mut these: Vec<_> = rows
            .iter()
            .filter(|r| r.year == y && r.partner == partner)
            .collect();
        these.sort_by(|a, b| {
            b.balance
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.balance.unwrap_or(f64::NEG_INFINITY))
        });
        let with = if partner == tradepipe_model::schema::WORLD {
            "the world".to_string()
        } else {
            partner.clone()
        };
        out.push(Table {
            id: spec.id.into(),
            title: format!("{f}'s trade with {with} by {dimension}, {y}"),
            note: format!(
                "US$ billion; share of the change in the balance since {} (the {dimension}s shown sum to 100 %) and percentage points of export growth.",
                y - 1
            ),
            headers: vec![
                dimension[..1].to_uppercase() + &dimension[1..],
                "Exports".into(),
                "Imports".into(),
                "Balance".into(),
                "Change".into(),
                "Share of change %".into(),
                "Export growth, points".into(),
            ],
            rows: these
                .iter()
                .map(|r| {
                    vec![
                        if dimension == "section" {
                            format!("{} ({})", r.component, section_label(&r.component))
                        } else {
                            r.component.clone()
                        },
                        usd_bn(r.exports),
                        usd_bn(r.imports),
                        usd_bn(r.balance),
                        usd_bn(r.balance_change),
                        pct(r.balance_contribution, 1),
                        pct(r.exports_growth_contribution, 1),
                    ]
                })
                .collect(),
            source: s.footnote(spec),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradepipe_tables::ProductRow;

    fn product(code: &str, exports: f64, quantity: Option<f64>) -> ProductRow {
        ProductRow {
            year: 2020,
            reporter: "BRA".into(),
            classification: "HS17".into(),
            product: code.into(),
            level: 6,
            exports,
            exports_real: None,
            product_name: None,
            rca: Some(2.0),
            rca_sym: Some(1.0 / 3.0),
            partners: Some(4),
            market_penetration: None,
            quantity,
            quantity_unit: quantity.map(|_| "t".into()),
            unit_value: quantity.map(|q| exports / q),
        }
    }

    #[test]
    fn top_products_with_names_shares_and_unit_values() {
        let mut t = super::super::testing::tables(&[2020], Vec::new());
        t.meta.product_years = vec![2020];
        t.product = vec![product("120190", 3e9, Some(8e6)), product("260111", 1e9, None)];
        let r = super::super::testing::report("BRA", &["CHN"], "China");
        let ctx = super::super::testing::ctx(&r, &t);
        let tables = part(&ctx).tables;
        let top = &tables[0];
        assert_eq!(top.id, "top-products");
        assert_eq!(top.headers.last().unwrap(), "Unit value (US$)");
        // Soya beans: US$ 3 bn, 75 % of the exports shown, 8 million t at US$ 375 a tonne.
        assert_eq!(
            top.rows[0],
            [
                "120190",
                "Soya beans: other than seed, whether or not broken",
                "3.00",
                "75.0",
                "2.00",
                "4",
                "8,000,000 t",
                "375.00"
            ]
        );
        assert_eq!(top.rows[1][6..], ["–", "–"]);
        assert!(top.source.contains("unit_value"));
    }

    #[test]
    fn products_are_labelled_by_description_else_section() {
        assert_eq!(
            product_label("HS12", "010121"),
            "Horses: live, pure-bred breeding animals"
        );
        // A long description is cut at a word, with an ellipsis.
        // "Meat: of bovine animals, cuts with bone in (excluding carcasses and half-carcasses),
        // fresh or chilled" (102 characters).
        let long = product_label("HS92", "020120");
        assert_eq!(
            long,
            "Meat: of bovine animals, cuts with bone in (excluding carcasses and…"
        );
        // A heading, or HS as reported: its section.
        assert_eq!(product_label("HS92", "8471"), section_label("8471"));
        assert!(product_label("HS", "847130").starts_with("XVI "));
    }
}
