//! Concentration (HHI) of each configured country's trade, per flow: over its partners (the
//! country-total rows) and over products at each product level present (HS sections,
//! chapters, headings, subheadings).

use tradepipe_model::Flow;

use crate::formulas::{hhi, hhi_normalized};
use crate::year_data::YearData;
pub use tradepipe_tables::ConcentrationRow;

fn row(d: &YearData, reporter: &str, flow: Flow, level: Option<u8>, values: Vec<f64>) -> ConcentrationRow {
    let h = hhi(values);
    ConcentrationRow {
        year: d.year,
        reporter: reporter.to_owned(),
        flow: flow.as_str().to_owned(),
        over: if level.is_some() { "products" } else { "partners" }.to_owned(),
        level,
        count: h.map_or(0, |(_, n)| n as u32),
        hhi: h.map(|(v, _)| v),
        hhi_normalized: h.and_then(|(v, n)| hhi_normalized(v, n)),
    }
}

/// HHI over partners of `reporter`'s exports and imports (its own report), then over products
/// of each level for each flow with product data.
pub fn compute(d: &YearData, reporter: &str) -> Vec<ConcentrationRow> {
    let mut out: Vec<ConcentrationRow> = [Flow::Export, Flow::Import]
        .into_iter()
        .map(|flow| row(d, reporter, flow, None, d.partner_values(reporter, flow)))
        .collect();
    for (flow, m) in [
        (Flow::Export, &d.product_exports),
        (Flow::Import, &d.product_imports),
    ] {
        for (level, values) in crate::structure::by_level(m, reporter) {
            out.push(row(d, reporter, flow, Some(level), values));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::year_data::FlowRow;
    use tradepipe_model::Registry;

    #[test]
    fn hand_computed_partner_concentration() {
        let rows = [
            FlowRow {
                reporter: "KAZ",
                partner: "CHN",
                flow: Flow::Export,
                value: 50.0,
                estimated: false,
            },
            FlowRow {
                reporter: "KAZ",
                partner: "RUS",
                flow: Flow::Export,
                value: 30.0,
                estimated: false,
            },
            FlowRow {
                reporter: "KAZ",
                partner: "ITA",
                flow: Flow::Export,
                value: 20.0,
                estimated: false,
            },
            // Aggregates are not partners.
            FlowRow {
                reporter: "KAZ",
                partner: "WLD",
                flow: Flow::Export,
                value: 100.0,
                estimated: false,
            },
            FlowRow {
                reporter: "KAZ",
                partner: "EUU",
                flow: Flow::Export,
                value: 20.0,
                estimated: false,
            },
        ];
        let d = YearData::from_rows(2020, rows, &Registry::embedded());
        let c = compute(&d, "KAZ");
        assert_eq!((c[0].over.as_str(), c[0].count), ("partners", 3));
        assert!((c[0].hhi.unwrap() - 0.38).abs() < 1e-12);
        assert!((c[0].hhi_normalized.unwrap() - 0.07).abs() < 1e-12);
        assert_eq!((c[1].flow.as_str(), c[1].count, c[1].hhi), ("import", 0, None));
        assert_eq!(c.len(), 2, "no product data, no product rows");
    }
}
