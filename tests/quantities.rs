//! Quantities from the sources to the product table: BACI's `q` (tonnes, `NA` for none) and
//! Comtrade's `qty`/`qtyUnitAbbr` (net weight in kg where no quantity is given), carried in
//! the canonical table's `quantity`/`quantity_unit` and summed into the product table's
//! `quantity`, `quantity_unit` and `unit_value`.

use std::io::Write;

use crate::util::{Pipeline, fixture};

fn text(df: &polars::prelude::DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect()
}

fn f64s(df: &polars::prelude::DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c).unwrap().f64().unwrap().iter().collect()
}

#[test]
fn baci_tonnes_reach_the_product_table_with_unit_values() {
    let p = Pipeline::with_sources(
        "[[source]]\nname = \"baci\"\nkind = \"file\"\nformat = \"baci-zip\"\npath = \"baci.zip\"\nvintage = \"V202501\"\n",
        2017,
        2017,
    );
    // Illustrative records in BACI's layout: China's exports of 850440 to the US (0.25 t) and
    // Kazakhstan (0.75 t), and of 010121 to the US (12.5 t) and Kazakhstan (NA).
    let file = std::fs::File::create(p.dir.path().join("baci.zip")).unwrap();
    let mut z = zip::ZipWriter::new(file);
    z.start_file(
        "BACI_HS17_Y2017_V202501.csv",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(
        b"t,i,j,k,v,q\n2017,156,842,850440,1.5,      0.250\n2017,156,398,850440,4.5,      0.750\n\
          2017,156,842,10121,1234.5,     12.500\n2017,156,398,10121,5,             NA\n",
    )
    .unwrap();
    z.finish().unwrap();
    p.run(["run"]).success();

    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2017, None).unwrap();
    let (q, unit, flow) = (
        f64s(&df, "quantity"),
        text(&df, "quantity_unit"),
        text(&df, "flow"),
    );
    // Both sides of each record carry its quantity; NA is null, with no unit.
    let with_q: Vec<_> = q.iter().zip(&unit).filter(|(q, _)| q.is_some()).collect();
    assert_eq!(with_q.len(), 6);
    assert!(with_q.iter().all(|(_, u)| u.as_deref() == Some("t")));
    assert_eq!(q.iter().filter(|q| q.is_none()).count(), 2);
    assert_eq!(flow.iter().filter(|f| f.as_deref() == Some("import")).count(), 4);

    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let cell = |product: &str| {
        t.product
            .iter()
            .find(|r| r.reporter == "CHN" && r.product == product)
            .unwrap()
    };
    // 850440: 0.25 + 0.75 = 1 t for (1.5 + 4.5) thousand dollars: 6,000 $/t.
    let transformers = cell("850440");
    assert_eq!(transformers.quantity, Some(1.0));
    assert_eq!(transformers.quantity_unit.as_deref(), Some("t"));
    assert!((transformers.unit_value.unwrap() - 6000.0).abs() < 1e-9);
    // 010121: one partner's quantity is unknown, so the cell's is.
    let horses = cell("010121");
    assert_eq!((horses.quantity, horses.unit_value), (None, None));
    assert!(horses.quantity_unit.is_none());
}

#[test]
fn comtrade_quantities_and_net_weight_reach_the_product_table() {
    let p = Pipeline::with_sources(
        &format!(
            "[[source]]\nname = \"comtrade\"\nkind = \"file\"\nformat = \"comtrade-v1-json\"\npath = \"{}\"\nvintage = \"v1\"\n",
            fixture("comtrade/v1_shaped_H5_2017_BRA_IND_010511_qty.json").display()
        ),
        2017,
        2017,
    )
    .edit("countries = [\"CHN\", \"USA\"]", "countries = [\"BRA\", \"IND\"]");
    p.run(["run"]).success();
    let df = tradepipe_parquet::read_partition(&p.output().join("parquet/trade"), 2017, None).unwrap();
    let rows: Vec<(Option<String>, Option<String>, Option<f64>, Option<String>)> = text(&df, "reporter")
        .into_iter()
        .zip(text(&df, "product"))
        .zip(f64s(&df, "quantity"))
        .zip(text(&df, "quantity_unit"))
        .map(|(((r, k), q), u)| (r, k, q, u))
        .collect();
    let s = |x: &str| Some(x.to_owned());
    assert!(
        rows.contains(&(s("IND"), s("010511"), Some(16919.0), s("u"))),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(s("BRA"), s("010511"), Some(1000.0), s("u"))),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(s("BRA"), s("020110"), Some(250.0), s("kg"))),
        "{rows:?}"
    );

    let t = tradepipe_indices::read_tables(&p.output()).unwrap();
    let cell = |product: &str| {
        t.product
            .iter()
            .find(|r| r.reporter == "BRA" && r.product == product)
            .unwrap()
    };
    assert_eq!(
        (cell("010511").quantity, cell("010511").unit_value),
        (Some(1000.0), Some(2.0))
    );
    assert_eq!(cell("020110").quantity_unit.as_deref(), Some("kg"));
    assert_eq!(cell("020110").unit_value, Some(6.0));
}
