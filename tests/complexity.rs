//! The complexity tables against Stata `ecomplexity`'s published ground truth: the
//! py-ecomplexity sample (real 1995–1996 exports of 10 countries in 30 HS92 4-digit products)
//! read as a user would read it, through a `table-csv` source, then `tradepipe run`.

use std::collections::HashMap;

use polars::prelude::*;

use crate::util::{Pipeline, fixture, read_json};

/// A run over the sample with `[indices.complexity]` set to `complexity` (TOML lines).
pub(crate) fn sample_run(complexity: &str) -> Pipeline {
    let source = format!(
        r#"[[source]]
name = "ecomplexity-sample"
kind = "file"
format = "table-csv"
path = "{}"
vintage = "py-ecomplexity tests/fixtures 600401b"
[source.columns]
year = "year"
reporter = "origin"
partner-code = "WLD"
flow-value = "export"
product = "hs92"
classification = "HS92"
value = "export_val"
"#,
        fixture("peer/trade_data_sample.csv").display()
    );
    Pipeline::with_sources(&source, 1995, 1996).edit(
        "countries = [\"CHN\", \"USA\"]",
        &format!("countries = [\"AUT\", \"DEU\"]\n\n[indices.complexity]\n{complexity}"),
    )
}

/// (year, ISO3, product).
type Key = (i32, String, String);
/// Column name → value (`None` for null or an empty field).
type Values = HashMap<String, Option<f64>>;

/// Every column of the `complexity` partitions, keyed by (year, reporter, product).
struct Cells {
    rows: HashMap<Key, Values>,
}

fn cells(p: &Pipeline) -> Cells {
    let mut rows = HashMap::new();
    for year in [1995, 1996] {
        let df =
            tradepipe_parquet::read_partition(&p.output().join("parquet/indices/complexity"), year, None)
                .unwrap();
        let text = |name: &str| -> Vec<String> {
            let ca = df.column(name).unwrap().str().unwrap().clone();
            (0..ca.len()).map(|i| ca.get(i).unwrap().to_owned()).collect()
        };
        let (reporters, products) = (text("reporter"), text("product"));
        let mut numbers: Vec<(String, Vec<Option<f64>>)> = Vec::new();
        for name in [
            "exports",
            "rca",
            "rpop",
            "diversity",
            "ubiquity",
            "density",
            "eci",
            "pci",
            "coi",
            "cog",
            "prody",
        ] {
            let col = df.column(name).unwrap().cast(&DataType::Float64).unwrap();
            let ca = col.f64().unwrap().clone();
            numbers.push((name.into(), (0..ca.len()).map(|i| ca.get(i)).collect()));
        }
        let ca = df.column("m").unwrap().bool().unwrap().clone();
        let m: Vec<Option<f64>> = (0..ca.len())
            .map(|i| ca.get(i).map(|b| if b { 1.0 } else { 0.0 }))
            .collect();
        numbers.push(("M".into(), m));
        for i in 0..df.height() {
            let row: HashMap<String, Option<f64>> = numbers.iter().map(|(n, v)| (n.clone(), v[i])).collect();
            rows.insert((year, reporters[i].clone(), products[i].clone()), row);
        }
    }
    Cells { rows }
}

/// Stata's output file as (year, ISO3, product) → column → value (`None` for an empty field).
fn stata(name: &str) -> Vec<(Key, Values)> {
    let text = std::fs::read_to_string(fixture(&format!("peer/{name}"))).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let key = (f[0].parse().unwrap(), f[1].to_uppercase(), f[2].to_owned());
            let values = header
                .iter()
                .zip(&f)
                .skip(3)
                .map(|(h, v)| (h.to_string(), (!v.is_empty()).then(|| v.parse::<f64>().unwrap())))
                .collect();
            (key, values)
        })
        .collect()
}

fn check_against(p: &Pipeline, file: &str) {
    let ours = cells(p);
    let truth = stata(file);
    assert_eq!(
        ours.rows.len(),
        truth.len(),
        "one row per country × product × year"
    );
    for (key, want) in truth {
        let got = &ours.rows[&key];
        for (column, rtol) in [
            ("rca", 1e-5),
            ("eci", 1e-5),
            ("pci", 1e-5),
            ("density", 1e-4),
            ("coi", 1e-4),
            ("cog", 1e-4),
            ("M", 0.0),
            ("diversity", 0.0),
            ("ubiquity", 0.0),
        ] {
            let (g, w) = (got[column], want[column]);
            match (g, w) {
                (None, None) => {}
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= rtol * w.abs() || (w == 0.0 && g.abs() < 1e-12),
                    "{file} {key:?} {column}: {g} vs Stata {w}"
                ),
                _ => panic!("{file} {key:?} {column}: {g:?} vs Stata {w:?}"),
            }
        }
    }
}

#[test]
fn complexity_matches_stata_ecomplexity_with_each_threshold() {
    let p = sample_run("");
    p.run(["run"]).success();
    check_against(&p, "stata_ground_truth.csv");

    let p = sample_run("rca-threshold = 0.5");
    p.run(["run"]).success();
    check_against(&p, "stata_rca_05.csv");

    // RCA ≥ 2 leaves DEU and ITA with nothing present: Stata leaves ECI, PCI, density, COI
    // and COG empty in every row, and the metadata says why.
    let p = sample_run("rca-threshold = 2");
    p.run(["run"]).success();
    check_against(&p, "stata_rca_2.csv");
    let meta = read_json(&p.output().join("parquet/indices/_meta.json"));
    let notes = meta["complexity"]["universes"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    let why = notes[0]["not_defined"].as_str().unwrap();
    assert!(
        why.starts_with(
            "2 countries have no product present (DEU, ITA) and 19 products are present in no country"
        ),
        "{why}"
    );
    assert_eq!(meta["complexity"]["options"]["rca-threshold"], 2.0);
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    assert!(
        t.complexity_country
            .iter()
            .all(|r| r.eci.is_none() && r.eci_rank.is_none())
    );
}

#[test]
fn the_proximity_table_equals_stata_genproximity() {
    let p = sample_run("");
    p.run(["run"]).success();
    let mut ours: HashMap<(i32, String, String), f64> = HashMap::new();
    for year in [1995, 1996] {
        let df = tradepipe_parquet::read_partition(&p.output().join("parquet/indices/proximity"), year, None)
            .unwrap();
        let text = |name: &str| -> Vec<String> {
            let ca = df.column(name).unwrap().str().unwrap().clone();
            (0..ca.len()).map(|i| ca.get(i).unwrap().to_owned()).collect()
        };
        let (a, b) = (text("product_1"), text("product_2"));
        let ca = df.column("proximity").unwrap().f64().unwrap().clone();
        let phi: Vec<f64> = (0..ca.len()).map(|i| ca.get(i).unwrap()).collect();
        for i in 0..df.height() {
            assert!(a[i] < b[i], "pairs are listed once, product_1 < product_2");
            assert!(phi[i] > 0.0, "pairs with φ = 0 are not listed");
            ours.insert((year, a[i].clone(), b[i].clone()), phi[i]);
        }
    }
    let text = std::fs::read_to_string(fixture("peer/stata_proximity_discrete_sym.csv")).unwrap();
    let mut checked = 0;
    for (n, line) in text.lines().skip(1).enumerate() {
        // No year column: rows 1–900 are 1995, 901–1800 1996 (the fixture README).
        let year = if n < 900 { 1995 } else { 1996 };
        let f: Vec<&str> = line.split(',').collect();
        let (p1, p2) = if f[0] < f[1] { (f[0], f[1]) } else { (f[1], f[0]) };
        let want: f64 = f[2].parse().unwrap();
        let got = ours.get(&(year, p1.into(), p2.into())).copied().unwrap_or(0.0);
        assert!(
            (got - want).abs() <= 1e-12,
            "{year} {p1}-{p2}: {got} vs Stata {want}"
        );
        checked += 1;
    }
    assert_eq!(checked, 1800);
}

#[test]
fn rpop_follows_its_definition_and_countries_without_population_stay_out() {
    let p = sample_run(&format!(
        "presence = \"rpop\"\npopulation = \"{}\"",
        fixture("peer/population_data_sample.csv").display()
    ));
    p.run(["run"]).success();
    let ours = cells(&p);
    // Independently: RPOP_cp = (x_cp / pop_c) / (x_p / Σ_c pop_c) over the nine countries
    // with a population (the file has no blx row).
    let pop_text = std::fs::read_to_string(fixture("peer/population_data_sample.csv")).unwrap();
    let pop: HashMap<(i32, String), f64> = pop_text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                (f[0].parse().unwrap(), f[1].to_uppercase()),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    let trade_text = std::fs::read_to_string(fixture("peer/trade_data_sample.csv")).unwrap();
    let trade: Vec<(i32, String, String, f64)> = trade_text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].to_uppercase(),
                f[2].to_owned(),
                f[3].parse().unwrap(),
            )
        })
        .filter(|(y, c, _, _)| pop.contains_key(&(*y, c.clone())))
        .collect();
    let mut checked = 0;
    for year in [1995, 1996] {
        let world_pop: f64 = pop.iter().filter(|((y, _), _)| *y == year).map(|(_, v)| v).sum();
        let mut product_total: HashMap<&str, f64> = HashMap::new();
        for (y, _, k, v) in &trade {
            if *y == year {
                *product_total.entry(k).or_default() += v;
            }
        }
        for (y, c, k, v) in trade.iter().filter(|t| t.0 == year) {
            let want = (v / pop[&(*y, c.clone())]) / (product_total[k.as_str()] / world_pop);
            let row = &ours.rows[&(year, c.clone(), k.clone())];
            let got = row["rpop"].unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "{year} {c} {k}: {got} vs {want}"
            );
            assert_eq!(row["M"], Some(if want >= 1.0 { 1.0 } else { 0.0 }));
            checked += 1;
        }
        assert!(!ours.rows.contains_key(&(year, "BLX".into(), "1704".into())));
    }
    assert_eq!(checked, 2 * 9 * 30);
    let meta = read_json(&p.output().join("parquet/indices/_meta.json"));
    let left = &meta["complexity"]["universes"][0]["left_out_countries"][0];
    assert_eq!(left["country"], "BLX");
    assert_eq!(left["reason"], "no population for 1995 in the population file");
}

#[test]
fn population_from_the_embedded_world_bank_series() {
    let p = sample_run("presence = \"both\"\npopulation = \"wdi\"");
    p.run(["run"]).success();
    let meta = read_json(&p.output().join("parquet/indices/_meta.json"));
    let u = &meta["complexity"]["universes"][0];
    // Belgium-Luxembourg reported jointly until 1998 has no WDI population: left out.
    assert_eq!(u["countries"], 9);
    assert_eq!(u["left_out_countries"][0]["country"], "BLX");
    let ours = cells(&p);
    let aut = &ours.rows[&(1995, "AUT".to_string(), "1704".to_string())];
    assert!(aut["rpop"].is_some());
    // The sample's own population file (WDI figures too) gives the same RPOP for Austria.
    let q = sample_run(&format!(
        "presence = \"both\"\npopulation = \"{}\"",
        fixture("peer/population_data_sample.csv").display()
    ));
    q.run(["run"]).success();
    let theirs = &cells(&q).rows[&(1995, "AUT".to_string(), "1704".to_string())];
    let (a, b) = (aut["rpop"].unwrap(), theirs["rpop"].unwrap());
    assert!((a - b).abs() <= 1e-3 * b, "WDI {a} vs sample file {b}");
}

#[test]
fn a_report_on_product_data_shows_eci_ranks_and_the_highest_gains() {
    let p = sample_run("").edit(
        "countries = [\"AUT\", \"DEU\"]",
        "countries = [\"AUT\", \"DEU\", \"ITA\", \"CHE\"]\ncagr-windows = [[1995, 1996]]",
    );
    let p = p.edit(
        "[indices.complexity]",
        "[[report]]\nname = \"austria\"\ntitle = \"Austria and three neighbours\"\nfocus = \"AUT\"\n\
         partners = [\"DEU\", \"ITA\", \"CHE\"]\ngroup-name = \"Three neighbours\"\ncagr-window = [1995, 1996]\n\n\
         [indices.complexity]",
    );
    p.run(["run"]).success();
    let md = std::fs::read_to_string(p.output().join("reports/austria/report.md")).unwrap();
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let eci = |c: &str| {
        t.complexity_country
            .iter()
            .find(|r| r.year == 1996 && r.reporter == c)
            .unwrap()
    };
    let aut = eci("AUT");
    // The ECI table: Austria's 1996 value and rank among the ten countries of the sample.
    let section = &md[md
        .find("Economic complexity of Austria and its partners")
        .expect("an ECI table")..];
    let line = section
        .lines()
        .find(|l| l.starts_with("| Austria |"))
        .expect("an ECI row for Austria");
    assert!(
        line.contains(&format!(
            "| {:.2} | {} of 10 |",
            aut.eci.unwrap(),
            aut.eci_rank.unwrap()
        )),
        "{line}"
    );
    assert!(
        md.contains("Products with the highest complexity outlook gain for Austria, 1996"),
        "{md}"
    );
    // The first product listed is Austria's absent product with the highest COG.
    let best = t
        .complexity_cells
        .iter()
        .filter(|c| c.year == 1996 && c.reporter == "AUT" && !c.m)
        .max_by(|a, b| a.cog.unwrap().total_cmp(&b.cog.unwrap()))
        .unwrap();
    let after = &md[md.find("highest complexity outlook gain for Austria").unwrap()..];
    // The header row, the alignment row, then the products.
    let first_row = after.lines().filter(|l| l.starts_with('|')).nth(2).unwrap();
    assert!(
        first_row.starts_with(&format!("| {} |", best.product)),
        "{first_row}"
    );
}

#[test]
fn prody_and_expy_follow_their_definition_with_world_bank_incomes() {
    use tradepipe_model::macro_series::{Indicator, wdi};
    let p = sample_run("");
    p.run(["run"]).success();
    let ours = cells(&p);
    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let year = 1996;
    let income = |c: &str| Some(wdi(Indicator::Gdp).get(c, year)? / wdi(Indicator::Population).get(c, year)?);
    let keys: Vec<&(i32, String, String)> = ours.rows.keys().filter(|k| k.0 == year).collect();
    let mut countries: Vec<&str> = keys.iter().map(|k| k.1.as_str()).collect();
    countries.sort();
    countries.dedup();
    let mut products: Vec<&str> = keys.iter().map(|k| k.2.as_str()).collect();
    products.sort();
    products.dedup();
    let x = |c: &str, k: &str| ours.rows[&(year, c.to_string(), k.to_string())]["exports"].unwrap();
    let total = |c: &str| products.iter().map(|k| x(c, k)).sum::<f64>();
    let with_income: Vec<&str> = countries
        .iter()
        .copied()
        .filter(|c| income(c).is_some())
        .collect();
    assert_eq!(with_income.len(), 9, "WDI has no Belgium-Luxembourg");
    let prody = |k: &str| {
        let w: f64 = with_income.iter().map(|c| x(c, k) / total(c)).sum();
        with_income
            .iter()
            .map(|c| x(c, k) / total(c) * income(c).unwrap())
            .sum::<f64>()
            / w
    };
    for k in &products {
        let got = ours.rows[&(year, "DEU".to_string(), k.to_string())]["prody"].unwrap();
        assert!(
            (got - prody(k)).abs() <= 1e-9 * prody(k),
            "{k}: {got} vs {}",
            prody(k)
        );
    }
    for c in ["AUT", "BLX"] {
        let want: f64 = products.iter().map(|k| x(c, k) / total(c) * prody(k)).sum();
        let row = t
            .complexity_country
            .iter()
            .find(|r| r.year == year && r.reporter == c)
            .unwrap();
        assert!((row.expy.unwrap() - want).abs() <= 1e-9 * want, "{c}");
    }
}
