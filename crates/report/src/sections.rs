//! The report's dependence, structure and breakdown tables: trade intensity, concentration
//! over partners and products, top products with their RCA, pair structure (complementarity,
//! similarity, intra-industry trade) and the contributions of provinces, customs regimes and
//! HS sections. Structure and breakdown tables appear only when the data carry products or
//! breakdowns; each table names the index-table columns its numbers come from.

use tradepipe_indices::IndexTables;

use crate::context::{Named, Table};
use crate::format::{MISSING, pct, usd_bn};

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
pub(crate) fn country_profile(s: &Scope<'_>) -> Vec<Table> {
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
    vec![Table {
        id: "country-profile".into(),
        title: format!("The economies behind the figures, {y}"),
        note: format!(
            "GDP in current US$ and per head (World Bank WDI, embedded); trade / GDP is merchandise exports plus imports with the world, from each country's own report, over GDP{}.",
            if with_expy {
                "; EXPY is the income level of the country's export basket (Hausmann, Hwang and Rodrik; GDP per head in current US$)"
            } else {
                ""
            }
        ),
        headers,
        rows,
        source: String::new(),
    }]
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

/// Whether any body cell (after the label column) holds a value.
fn has_values(t: &Table) -> bool {
    t.rows
        .iter()
        .any(|r| r[1..].iter().any(|c| c != MISSING && c != "0"))
}

/// What the tables are about.
pub(crate) struct Scope<'a> {
    pub t: &'a IndexTables,
    pub focus: &'a Named,
    pub partners: &'a [Named],
    pub years: &'a [i32],
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or(MISSING.to_string(), |v| format!("{v:.decimals$}"))
}

impl Scope<'_> {
    /// A table with one row per year and one column per partner.
    pub(crate) fn by_partner(
        &self,
        id: &str,
        title: String,
        note: String,
        f: &dyn Fn(&str, i32) -> String,
    ) -> Table {
        Table {
            id: id.into(),
            title,
            note,
            headers: std::iter::once("Year".to_string())
                .chain(self.partners.iter().map(|p| p.name.clone()))
                .collect(),
            rows: self
                .years
                .iter()
                .map(|&y| {
                    std::iter::once(y.to_string())
                        .chain(self.partners.iter().map(|p| f(&p.code, y)))
                        .collect()
                })
                .collect(),
            source: String::new(),
        }
    }

    /// Everyone the report is about: the focus first.
    fn everyone(&self) -> Vec<&Named> {
        std::iter::once(self.focus).chain(self.partners).collect()
    }
}

/// Trade intensity both ways and concentration over partners.
pub(crate) fn dependence(s: &Scope<'_>) -> Vec<Table> {
    let f = &s.focus.name;
    let tii = |i: &str, j: &str, y: i32| s.t.bilateral(y, i, j).and_then(|r| r.tii);
    let note = |side: &str, to: &str| {
        format!(
            "Trade intensity (X_ij/X_i)/(X_wj/X_w): above 1, {side} exports go to {to} more than {to}'s weight in world imports predicts; world = the data's World rows ({}).",
            s.t.meta.world
        )
    };
    let mut out: Vec<Table> = [
        s.by_partner(
            "tii-out",
            format!("Trade intensity of {f}'s exports to each partner"),
            note(&format!("{f}'s"), "the partner"),
            &|p, y| num(tii(&s.focus.code, p, y), 2),
        ),
        s.by_partner(
            "tii-in",
            format!("Trade intensity of each partner's exports to {f}"),
            note("the partner's", f),
            &|p, y| num(tii(p, &s.focus.code, y), 2),
        ),
    ]
    .into_iter()
    // Without the world's exports to each country (X_wj) there is no TII at all: say so once
    // (in the data notes) instead of printing a table of dashes.
    .filter(has_values)
    .collect();
    let ends: Vec<i32> = [s.years.first(), s.years.last()]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    let hhi = |c: &str, y: i32, flow: &str| {
        s.t.concentration
            .iter()
            .find(|r| r.year == y && r.reporter == c && r.flow == flow && r.over == "partners")
    };
    let mut headers = vec!["Country".to_string()];
    for flow in ["Exports", "Imports"] {
        headers.extend(ends.iter().map(|y| format!("{flow} HHI {y}")));
    }
    let rows = s
        .everyone()
        .into_iter()
        .map(|c| {
            let mut row = vec![c.name.clone()];
            for flow in ["export", "import"] {
                row.extend(ends.iter().map(|&y| match hhi(&c.code, y, flow) {
                    Some(r) if r.hhi.is_some() => format!("{} ({} partners)", num(r.hhi, 3), r.count),
                    _ => MISSING.to_string(),
                }));
            }
            row
        })
        .collect();
    out.push(Table {
        id: "hhi-partners".into(),
        title: "Concentration of each country's trade over its partners".into(),
        note: "Herfindahl–Hirschman index of partner shares (1/N for an even spread over N partners, 1 for a single partner); each country's own report.".into(),
        headers,
        rows,
        source: String::new(),
    });
    out
}

/// The last year with product data inside the report's years.
fn product_year(s: &Scope<'_>) -> Option<i32> {
    s.t.meta
        .product_years
        .iter()
        .rev()
        .copied()
        .find(|y| s.years.contains(y))
}

/// Top products, pair structure and concentration over products, when the data have products.
pub(crate) fn structure(s: &Scope<'_>) -> Vec<Table> {
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
    let mut out = vec![Table {
        id: "top-products".into(),
        title: format!("{f}'s largest exports, {y} ({})", level_name(level)),
        note: "Description: the HS 6-digit text of the product's edition (CEPII BACI V202401 lists), else its HS section. US$ billion; share of the country's exports at this level; Balassa RCA against the reporters in the data (above 1: a revealed comparative advantage).".into(),
        headers: vec![
            "Product".into(),
            "Description".into(),
            "Exports".into(),
            "Share %".into(),
            "RCA".into(),
            "Export markets".into(),
        ],
        rows: top
            .iter()
            .take(10)
            .map(|r| {
                vec![
                    r.product.clone(),
                    product_label(&r.classification, &r.product),
                    usd_bn(Some(r.exports)),
                    pct((total > 0.0).then(|| r.exports / total), 1),
                    num(r.rca, 2),
                    r.partners.map_or(MISSING.to_string(), |n| n.to_string()),
                ]
            })
            .collect(),
        source: String::new(),
    }];
    let pair = |i: &str, j: &str| {
        s.t.pair_structure
            .iter()
            .find(|r| r.year == y && r.reporter == i && r.partner == j && r.level == level)
    };
    let pair_table = Table {
        id: "pair-structure".into(),
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
        source: String::new(),
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
        id: "hhi-products".into(),
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
        source: String::new(),
    });
    out
}

/// One table per breakdown of the focus's trade with the world (or, without a world row,
/// with its first partner) in the last year that has one.
pub(crate) fn breakdowns(s: &Scope<'_>) -> Vec<Table> {
    let f = &s.focus.name;
    let mut out = Vec::new();
    for dimension in ["province", "regime", "section"] {
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
            id: format!("by-{dimension}"),
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
            source: String::new(),
        });
    }
    out
}

/// The provenance footnote of the table `id`: the data's source line, whose report its
/// numbers use, and the index-table columns behind them.
/// The focus country's trade with each country group of `[indices] groups` (members of each
/// year: the EU of 2004 has 25), in the first and last year of the report.
pub(crate) fn groups(s: &Scope<'_>) -> Vec<Table> {
    let (Some(&first), Some(&last)) = (s.years.first(), s.years.last()) else {
        return Vec::new();
    };
    let row = |g: &str, y: i32| s.t.group_row(y, &s.focus.code, g);
    let names = s.t.groups_of(&s.focus.code);
    if names.is_empty() {
        return Vec::new();
    }
    let rows = names
        .iter()
        .map(|g| {
            let (a, b) = (row(g, first), row(g, last));
            let share = |r: Option<&tradepipe_indices::GroupRow>| pct(r.and_then(|r| r.trade_share), 1);
            vec![
                tradepipe_model::groups::Groups::label(g),
                b.map_or(MISSING.into(), |r| {
                    format!("{} of {}", r.members_reported, r.members)
                }),
                usd_bn(b.and_then(|r| r.exports)),
                usd_bn(b.and_then(|r| r.imports)),
                usd_bn(b.and_then(|r| r.balance)),
                share(a),
                share(b),
            ]
        })
        .collect();
    vec![Table {
        id: "groups".into(),
        title: format!("{}'s trade with country groups, {last}", s.focus.name),
        note: format!(
            "US$ billion. Members as of each year (data/groups.csv, or [[group]] in \
             pipeline.toml), {f} itself left out; “Members” counts those with trade reported by \
             {f}, of all members; shares are of {f}'s total trade.",
            f = s.focus.name
        ),
        headers: vec![
            "Group".into(),
            "Members".into(),
            format!("Exports {last}"),
            format!("Imports {last}"),
            format!("Balance {last}"),
            format!("Share {first} %"),
            format!("Share {last} %"),
        ],
        rows,
        source: String::new(),
    }]
}

pub(crate) fn footnote(id: &str, source_line: &str, focus: &str) -> String {
    let side = match id {
        "tii-in" | "hm-in" => "each partner's report".to_string(),
        "mirror-imports" | "mirror-exports" => "both sides' reports".to_string(),
        "hhi-partners" | "hhi-products" | "pair-structure" => "each country's own report".to_string(),
        "eci" | "cog" => "every reporter's exports by product".to_string(),
        "country-profile" => "each country's own report".to_string(),
        _ => format!("{focus}'s report"),
    };
    format!("{source_line}; {side}; tradepipe table {}.", columns_of(id))
}

/// The index-table columns behind each table.
fn columns_of(id: &str) -> &'static str {
    match id {
        "totals" => {
            "bilateral: exports, imports, total_trade, balance and, with a deflator, total_trade_real (summed over the partners)"
        }
        "total-by-partner" => "bilateral: total_trade",
        "balance-by-partner" => "bilateral: balance",
        "yoy-by-partner" => "growth: total_trade_yoy",
        "cagr" => "cagr: total_trade_cagr; bilateral: total_trade",
        "shares" => "bilateral: trade_share, reporter_world_exports, reporter_world_imports",
        "hm-out" | "hm-in" => "bilateral: hm, hm_variant",
        "mirror-exports" | "mirror-imports" => "bilateral: mirror_ratio, reporter_mirror_derived",
        "tii-out" | "tii-in" => "bilateral: tii",
        "hhi-partners" => "concentration (over = partners): hhi, count",
        "top-products" => "product: exports, rca, partners",
        "pair-structure" => {
            "pair_structure: trade_complementarity, export_similarity, grubel_lloyd, products"
        }
        "hhi-products" => "concentration (over = products): hhi, hhi_normalized",
        "groups" => "group: members_reported, members, exports, imports, balance, trade_share",
        "eci" => "complexity_country: eci, eci_rank",
        "country-profile" => {
            "country: gdp, gdp_per_capita, openness (GDP and population: World Bank WDI), and complexity_country: expy where shown"
        }
        "cog" => "complexity: pci, density, cog, exports (m = false)",
        _ if id.starts_with("by-") => {
            "contribution: exports, imports, balance, balance_change, balance_contribution, exports_growth_contribution"
        }
        _ => "the index tables",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
