//! Product-level data through the index stage: the py-ecomplexity sample (real 1995–1996
//! exports, HS92 4-digit) written as a canonical table, as any producer of the documented
//! schema (Spark, DuckDB, another tool) would write it, then `tradepipe indices`.

use polars::prelude::*;

use crate::util::{Pipeline, fixture};

fn write_canonical(root: &std::path::Path) {
    let text = std::fs::read_to_string(fixture("peer/trade_data_sample.csv")).unwrap();
    for year in [1995, 1996] {
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .filter(|f: &Vec<&str>| f[0] == year.to_string())
            .collect();
        let n = rows.len();
        let reporters: Vec<String> = rows.iter().map(|f| f[1].to_uppercase()).collect();
        let mut df = DataFrame::new(
            n,
            vec![
                Column::new("reporter".into(), reporters),
                Column::new("partner".into(), vec!["WLD"; n]),
                Column::new("flow".into(), vec!["export"; n]),
                Column::new("classification".into(), vec!["HS92"; n]),
                Column::new("product".into(), rows.iter().map(|f| f[2]).collect::<Vec<_>>()),
                Column::new(
                    "value_usd".into(),
                    rows.iter()
                        .map(|f| f[3].parse::<f64>().unwrap())
                        .collect::<Vec<_>>(),
                ),
                Column::new("source".into(), vec!["py-ecomplexity sample"; n]),
                Column::new("vintage".into(), vec!["554cc5dc"; n]),
                Column::new("reported_by".into(), vec!["reporter"; n]),
                Column::new("is_estimate".into(), vec![false; n]),
            ],
        )
        .unwrap();
        tradepipe_parquet::write_partition(root, year, &mut df).unwrap();
    }
    std::fs::write(root.join("_provenance.json"), "{\"sources\": []}\n").unwrap();
}

/// A pipeline over the py-ecomplexity sample written as a canonical table, for `countries`.
pub fn ecomplexity_pipeline(countries: &[&str]) -> Pipeline {
    let p = Pipeline::slice()
        .edit("from = 2000, to = 2020", "from = 1995, to = 1996")
        .edit(
            "countries = [\"CHN\", \"KAZ\", \"KGZ\", \"TJK\", \"TKM\", \"UZB\"]",
            &format!("countries = {countries:?}"),
        )
        .edit("cagr-windows = [[2010, 2020]]", "cagr-windows = [[1995, 1996]]")
        .without_reports();
    write_canonical(&p.output().join("parquet/trade"));
    p
}

#[test]
fn rca_from_a_canonical_product_table_matches_stata() {
    let p = ecomplexity_pipeline(&["AUT", "DEU"]);
    p.run(["indices"]).success();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    assert_eq!(t.meta.product_years, vec![1995, 1996]);
    assert_eq!(t.product.len(), 600);
    let stata = std::fs::read_to_string(fixture("peer/stata_ground_truth.csv")).unwrap();
    for l in stata.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (year, reporter, product): (i32, String, &str) =
            (f[0].parse().unwrap(), f[1].to_uppercase(), f[2]);
        let row = t
            .product
            .iter()
            .find(|r| r.year == year && r.reporter == reporter && r.product == product)
            .unwrap();
        let want: f64 = f[4].parse().unwrap();
        let got = row.rca.unwrap();
        assert!(
            (got - want).abs() <= 1e-5 * want,
            "{year} {reporter} {product}: {got} vs Stata {want}"
        );
        assert_eq!(row.level, 4);
        assert_eq!(row.classification, "HS92");
    }
}
