//! English descriptions of HS 6-digit codes, one list per edition HS92 … HS22, embedded from
//! `data/hs/names/` (CEPII BACI V202401's product lists; provenance in `data/README.md`).
//! A code of another level, of `HS` as reported (no edition) or of another classification
//! has no name here.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

const EDITIONS: [(&str, &[u8]); 7] = [
    (
        "HS92",
        include_bytes!("../../../data/hs/names/product_codes_HS92_V202401.csv.gz"),
    ),
    (
        "HS96",
        include_bytes!("../../../data/hs/names/product_codes_HS96_V202401.csv.gz"),
    ),
    (
        "HS02",
        include_bytes!("../../../data/hs/names/product_codes_HS02_V202401.csv.gz"),
    ),
    (
        "HS07",
        include_bytes!("../../../data/hs/names/product_codes_HS07_V202401.csv.gz"),
    ),
    (
        "HS12",
        include_bytes!("../../../data/hs/names/product_codes_HS12_V202401.csv.gz"),
    ),
    (
        "HS17",
        include_bytes!("../../../data/hs/names/product_codes_HS17_V202401.csv.gz"),
    ),
    (
        "HS22",
        include_bytes!("../../../data/hs/names/product_codes_HS22_V202401.csv.gz"),
    ),
];

fn parse(gz: &[u8]) -> HashMap<String, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .expect("an embedded product list is valid gzip");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.expect("an embedded product list is valid CSV");
            // BACI writes codes as numbers in some releases: 6 digits again.
            (format!("{:0>6}", &r[0]), r[1].trim().to_owned())
        })
        .collect()
}

/// The embedded lists as gzipped CSV (`code,description`), by edition: handed to the Spark
/// engine, which reads them with Spark.
pub fn embedded_lists() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    EDITIONS.iter().copied()
}

/// The description of `code` in HS edition `classification` (a canonical name: `HS17`),
/// where the embedded lists have it.
pub fn product_name(classification: &str, code: &str) -> Option<&'static str> {
    static LISTS: OnceLock<Vec<(&'static str, HashMap<String, String>)>> = OnceLock::new();
    let lists = LISTS.get_or_init(|| EDITIONS.iter().map(|(name, gz)| (*name, parse(gz))).collect());
    let (_, list) = lists.iter().find(|(name, _)| *name == classification)?;
    list.get(code).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_edition() {
        assert_eq!(
            product_name("HS12", "010121"),
            Some("Horses: live, pure-bred breeding animals")
        );
        assert_eq!(
            product_name("HS92", "010111"),
            Some("Horses: live, pure-bred breeding animals")
        );
        assert_eq!(
            product_name("HS02", "010110"),
            Some("Horses, asses, mules and hinnies: live, pure-bred breeding animals")
        );
        // 010121 did not exist before HS2012.
        assert_eq!(product_name("HS92", "010121"), None);
        assert_eq!(product_name("HS", "010121"), None, "no edition");
        assert_eq!(product_name("HS17", "0101"), None, "headings have no list here");
        let sizes: Vec<usize> = ["HS92", "HS22"]
            .iter()
            .map(|e| {
                (0..1_000_000)
                    .filter(|n| product_name(e, &format!("{n:06}")).is_some())
                    .count()
            })
            .collect();
        assert_eq!(sizes[0], 5021, "every numeric HS92 subheading of the list");
        assert!(
            product_name("HS92", "9999AA").is_some(),
            "BACI's code for goods not specified"
        );
        assert!(sizes[1] > 5500, "{sizes:?}");
    }
}
