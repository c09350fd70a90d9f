//! The complexity tables of a report, where the index stage wrote complexity tables (the
//! data carry products): the ECI of the focus and each partner with its rank among every
//! country of the universe in the first and last year, and the products the focus does not
//! export competitively (`M = 0`) with the highest complexity outlook gain in the last year.
//!
//! The universe is the focus country's finest product level (HS 6-digit where the data have
//! it); a universe whose ECI is not defined shows dashes and the reason the index stage gave.

use tradepipe_tables::{ComplexityCell, ComplexityCountryRow, IndexTables};

use super::{Ctx, Part, product_label};
use crate::context::Table;
use crate::format::MISSING;
use crate::table_spec;

/// How many products the COG table lists.
const TOP: usize = 10;

/// The focus country's finest (classification, level) with complexity rows.
fn universe(t: &IndexTables, focus: &str) -> Option<(String, u8)> {
    t.complexity_country
        .iter()
        .filter(|r| r.reporter == focus)
        .map(|r| (r.level, r.classification.clone()))
        .max()
        .map(|(level, class)| (class, level))
}

fn level_words(class: &str, level: u8) -> String {
    match level {
        0 => format!("{class} sections"),
        n => format!("{class} {n}-digit products"),
    }
}

pub(crate) fn part(ctx: &Ctx<'_>) -> Part {
    Part {
        tables: tables(ctx),
        ..Part::default()
    }
}

fn tables(s: &Ctx<'_>) -> Vec<Table> {
    let t = s.t;
    let Some((class, level)) = universe(t, &s.focus.code) else {
        return Vec::new();
    };
    let in_universe = |r: &&ComplexityCountryRow| r.classification == class && r.level == level;
    let years: Vec<i32> = s
        .years
        .iter()
        .copied()
        .filter(|&y| {
            t.complexity_country
                .iter()
                .filter(in_universe)
                .any(|r| r.year == y)
        })
        .collect();
    let (Some(&y0), Some(&y1)) = (years.first(), years.last()) else {
        return Vec::new();
    };
    let row = |c: &str, y: i32| {
        t.complexity_country
            .iter()
            .filter(in_universe)
            .find(|r| r.year == y && r.reporter == c)
    };
    let countries_in = |y: i32| {
        t.complexity_country
            .iter()
            .filter(in_universe)
            .filter(|r| r.year == y)
            .count()
    };
    let options = t.meta.complexity.as_ref().map(|c| &c.options);
    let threshold = options.map_or(String::new(), |o| match o.presence {
        tradepipe_model::config::Presence::Rca => format!("RCA ≥ {}", o.rca_threshold),
        tradepipe_model::config::Presence::Rpop => format!("RPOP ≥ {}", o.rpop_threshold),
        tradepipe_model::config::Presence::Both => {
            format!("RCA ≥ {} or RPOP ≥ {}", o.rca_threshold, o.rpop_threshold)
        }
    });
    let not_defined: Vec<String> = t
        .meta
        .complexity
        .iter()
        .flat_map(|c| &c.universes)
        .filter(|u| u.classification == class && u.level == level && (u.year == y0 || u.year == y1))
        .filter_map(|u| u.not_defined.as_ref().map(|why| format!("{}: {why}.", u.year)))
        .collect();

    let ends: Vec<i32> = if y0 == y1 { vec![y1] } else { vec![y0, y1] };
    let mut headers = vec!["Country".to_string()];
    for &y in &ends {
        headers.push(format!("ECI {y}"));
        headers.push(format!("Rank {y}"));
    }
    if ends.len() == 2 {
        headers.push(format!("Rank change {y0}–{y1}"));
    }
    let rank = |c: &str, y: i32| row(c, y).and_then(|r| r.eci_rank);
    let rows = s
        .everyone()
        .into_iter()
        .map(|c| {
            let mut cells = vec![c.name.clone()];
            for &y in &ends {
                cells.push(
                    row(&c.code, y)
                        .and_then(|r| r.eci)
                        .map_or(MISSING.into(), |e| format!("{e:.2}")),
                );
                cells
                    .push(rank(&c.code, y).map_or(MISSING.into(), |r| format!("{r} of {}", countries_in(y))));
            }
            if ends.len() == 2 {
                // Up the ranking is a gain: rank 12 to rank 9 is +3.
                cells.push(match (rank(&c.code, y0), rank(&c.code, y1)) {
                    (Some(a), Some(b)) if a == b => "0".into(),
                    (Some(a), Some(b)) => format!("{:+}", i64::from(a) - i64::from(b)),
                    _ => MISSING.into(),
                });
            }
            cells
        })
        .collect();
    let mut note = format!(
        "Economic complexity index (eigenvector method, Stata ecomplexity's normalisation: mean 0, sd 1 over the countries × products of the year) over the {} of every country in the data, presence {threshold}; rank 1 is the most complex; a positive rank change is a rise.",
        level_words(&class, level)
    );
    for why in &not_defined {
        note.push_str(&format!(" Not defined in {why}"));
    }
    let mut out = vec![Table {
        id: table_spec::ECI.id.into(),
        title: format!("Economic complexity of {} and its partners", s.focus.name),
        note,
        headers,
        rows,
        source: s.footnote(&table_spec::ECI),
    }];

    // The focus's absent products with the highest COG, last year.
    let mut gains: Vec<&ComplexityCell> = t
        .complexity_cells
        .iter()
        .filter(|c| {
            c.year == y1
                && c.reporter == s.focus.code
                && c.classification == class
                && c.level == level
                && !c.m
                && c.cog.is_some()
        })
        .collect();
    gains.sort_by(|a, b| {
        b.cog
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.cog.unwrap_or(f64::NEG_INFINITY))
            .then(a.product.cmp(&b.product))
    });
    gains.truncate(TOP);
    if !gains.is_empty() {
        let num = |v: Option<f64>, d: usize| v.map_or(MISSING.to_string(), |v| format!("{v:.d$}"));
        out.push(Table {
            id: table_spec::COG.id.into(),
            title: format!("Products with the highest complexity outlook gain for {}, {y1}", s.focus.name),
            note: format!(
                "The {n} {what} that {f} does not export with {threshold} whose addition would most raise its complexity outlook: complexity outlook gain (COG, Stata ecomplexity's definition on ECI's scale; relative, so it can be below zero, and higher is better), the product's complexity (PCI), how close it sits to what {f} already exports (density, 0–1) and {f}'s current exports of it, US$ million.",
                n = gains.len(),
                what = level_words(&class, level),
                f = s.focus.name
            ),
            headers: ["Product", "Description", "PCI", "Density", "COG", "Exports (US$ m)"]
                .map(String::from)
                .to_vec(),
            rows: gains
                .iter()
                .map(|c| {
                    vec![
                        c.product.clone(),
                        product_label(&c.classification, &c.product),
                        num(c.pci, 2),
                        num(c.density, 3),
                        num(c.cog, 3),
                        format!("{:.1}", c.exports / 1e6),
                    ]
                })
                .collect(),
            source: s.footnote(&table_spec::COG),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradepipe_tables::{ComplexityMeta, IndicesMeta};

    fn country(year: i32, reporter: &str, eci: f64, rank: u32) -> ComplexityCountryRow {
        ComplexityCountryRow {
            year,
            reporter: reporter.into(),
            classification: "HS92".into(),
            level: 4,
            exports: 1e9,
            diversity: 10,
            eci: Some(eci),
            eci_rank: Some(rank),
            coi: Some(0.0),
            expy: None,
        }
    }

    fn cell(product: &str, m: bool, cog: f64) -> ComplexityCell {
        ComplexityCell {
            year: 1996,
            reporter: "AUT".into(),
            classification: "HS92".into(),
            product: product.into(),
            level: 4,
            exports: 2.5e6,
            rca: 0.4,
            m,
            density: Some(0.5),
            pci: Some(1.25),
            cog: Some(cog),
        }
    }

    fn tables_of(t: &IndexTables) -> Vec<Table> {
        let r = crate::section::testing::report("AUT", &["DEU"], "Germany");
        let ctx = crate::section::testing::ctx(&r, t);
        tables(&ctx)
    }

    fn index_tables() -> IndexTables {
        let meta = IndicesMeta {
            hm_variant: "baldwin".into(),
            world: "source".into(),
            years: vec![1995, 1996],
            index_base_year: 1995,
            product_years: vec![1995, 1996],
            countries: vec!["AUT".into(), "DEU".into()],
            trade_provenance: Default::default(),
            deflator: None,
            complexity: Some(ComplexityMeta {
                options: Default::default(),
                universes: Vec::new(),
            }),
        };
        IndexTables {
            meta,
            bilateral: Vec::new(),
            growth: Vec::new(),
            cagr: Vec::new(),
            product: Vec::new(),
            concentration: Vec::new(),
            pair_structure: Vec::new(),
            contribution: Vec::new(),
            group: Vec::new(),
            country: Vec::new(),
            complexity_country: vec![
                country(1995, "AUT", 0.5, 3),
                country(1995, "DEU", 1.5, 1),
                country(1995, "ITA", 0.9, 2),
                country(1996, "AUT", 1.1, 2),
                country(1996, "DEU", 1.4, 1),
                country(1996, "ITA", 0.2, 3),
            ],
            complexity_cells: vec![
                cell("1704", false, 0.2),
                cell("8703", false, 0.9),
                cell("8471", true, 0.0),
                cell("0901", false, 0.9),
            ],
        }
    }

    #[test]
    fn eci_ranks_and_their_change_for_the_focus_and_partners() {
        let out = tables_of(&index_tables());
        let eci = &out[0];
        assert_eq!(
            eci.headers,
            [
                "Country",
                "ECI 1995",
                "Rank 1995",
                "ECI 1996",
                "Rank 1996",
                "Rank change 1995–1996"
            ]
        );
        // Austria rose from 3rd to 2nd of the three countries: +1.
        assert_eq!(eci.rows[0], ["Austria", "0.50", "3 of 3", "1.10", "2 of 3", "+1"]);
        assert_eq!(eci.rows[1], ["Germany", "1.50", "1 of 3", "1.40", "1 of 3", "0"]);
        assert!(eci.note.contains("HS92 4-digit products"), "{}", eci.note);
        assert!(eci.note.contains("presence RCA ≥ 1"), "{}", eci.note);
    }

    #[test]
    fn the_cog_table_lists_absent_products_by_gain() {
        let out = tables_of(&index_tables());
        let cog = &out[1];
        assert_eq!(
            cog.title,
            "Products with the highest complexity outlook gain for Austria, 1996"
        );
        let products: Vec<&str> = cog.rows.iter().map(|r| r[0].as_str()).collect();
        // 8471 is present (M = 1): not a gain to make. Ties order by code.
        assert_eq!(products, ["0901", "8703", "1704"]);
        assert_eq!(cog.rows[1][2..], ["1.25", "0.500", "0.900", "2.5"]);
        assert!(cog.rows[1][1].starts_with("XVII"), "{}", cog.rows[1][1]);
    }

    #[test]
    fn no_complexity_tables_without_product_data_and_a_reason_where_undefined() {
        let mut t = index_tables();
        t.complexity_country.clear();
        assert!(tables_of(&t).is_empty());
        let mut t = index_tables();
        t.meta
            .complexity
            .as_mut()
            .unwrap()
            .universes
            .push(tradepipe_tables::UniverseNote {
                year: 1996,
                classification: "HS92".into(),
                level: 4,
                countries: 3,
                products: 30,
                left_out_countries: Vec::new(),
                left_out_products: 0,
                eigenvalues: None,
                not_defined: Some("2 countries have no product present (DEU, ITA)".into()),
            });
        let out = tables_of(&t);
        assert!(
            out[0]
                .note
                .ends_with("Not defined in 1996: 2 countries have no product present (DEU, ITA)."),
            "{}",
            out[0].note
        );
    }
}
