//! Which requests a source needs: one per reporter (and, for Comtrade, per group of years
//! and partners small enough to stay under the record cap), with the service's URL shape.
//! Plans are pure functions of the config, so `--dry-run` shows exactly what a run will ask.

use tradepipe_model::Registry;
use tradepipe_model::config::{SourceConfig, SourceKind, YearRange};
use tradepipe_model::schema::WORLD;

use super::client::Request;
use super::validate::Payload;
use crate::secret::Secret;

/// Public addresses of the services.
pub fn default_base_url(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Comtrade => "https://comtradeapi.un.org",
        SourceKind::ImfSdmx3 => "https://api.imf.org/external/sdmx/3.0",
        SourceKind::ImfDot => "http://dataservices.imf.org/REST/SDMX_JSON.svc",
        SourceKind::Wits => "https://wits.worldbank.org/API/V1/SDMX/V21/rest",
        SourceKind::Baci => "https://www.cepii.fr/DATA_DOWNLOAD/baci/data",
        SourceKind::File => "",
    }
}

/// The environment variable that overrides a kind's base URL (tests, proxies, mirrors).
pub fn url_env_var(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Comtrade => "TRADEPIPE_COMTRADE_URL",
        SourceKind::ImfSdmx3 | SourceKind::ImfDot => "TRADEPIPE_IMF_URL",
        SourceKind::Wits => "TRADEPIPE_WITS_URL",
        SourceKind::Baci => "TRADEPIPE_BACI_URL",
        SourceKind::File => "",
    }
}

/// Base URL: environment variable, else `url` in the config, else the public address.
pub fn base_url(src: &SourceConfig, env: &dyn Fn(&str) -> Option<String>) -> String {
    let url = env(url_env_var(src.kind))
        .filter(|v| !v.trim().is_empty())
        .or_else(|| src.url.clone())
        .unwrap_or_else(|| default_base_url(src.kind).to_string());
    url.trim().trim_end_matches('/').to_string()
}

/// Records per Comtrade call: 100k with a subscription key, 500 on the keyless preview.
pub const COMTRADE_CAP_KEYED: usize = 100_000;
pub const COMTRADE_CAP_PREVIEW: usize = 500;
/// Comtrade partner codes in use; what "all partners" may return per reporter, year and flow.
const COMTRADE_PARTNERS: usize = 250;
/// Comtrade accepts at most this many periods in one call.
const COMTRADE_MAX_PERIODS: usize = 12;

/// Every request `src` needs for `years`.
pub fn requests(
    src: &SourceConfig,
    years: YearRange,
    base: &str,
    key: Option<&Secret>,
    registry: &Registry,
) -> Vec<Request> {
    match src.kind {
        SourceKind::Comtrade => comtrade(src, years, base, key, registry),
        SourceKind::ImfSdmx3 => imf_sdmx3(src, years, base),
        SourceKind::ImfDot => imf_dot(src, years, base, registry),
        SourceKind::Wits => wits(src, years, base),
        SourceKind::Baci => vec![Request {
            url: format!("{base}/{}.zip", src.release.as_deref().unwrap_or_default()),
            secret_headers: vec![],
            payload: Payload::Zip,
            label: src.release.clone().unwrap_or_default(),
        }],
        SourceKind::File => vec![],
    }
}

fn comtrade(
    src: &SourceConfig,
    years: YearRange,
    base: &str,
    key: Option<&Secret>,
    registry: &Registry,
) -> Vec<Request> {
    let (path, cap, headers) = match key {
        Some(k) => (
            "data/v1/get",
            COMTRADE_CAP_KEYED,
            vec![("Ocp-Apim-Subscription-Key", k.clone())],
        ),
        None => ("public/v1/preview", COMTRADE_CAP_PREVIEW, vec![]),
    };
    let code = |c: &String| {
        registry
            .comtrade_code(c)
            .expect("config check: known code")
            .to_string()
    };
    let products: Vec<String> = if src.products.is_empty() {
        vec!["TOTAL".into()]
    } else {
        src.products.clone()
    };
    let partners: Vec<String> = src.partners.iter().map(code).collect();
    let split = Split::new(
        cap,
        products.len(),
        (!partners.is_empty()).then_some(partners.len()),
    );
    if split.estimate >= cap {
        tracing::warn!(
            source = %src.name,
            cap,
            estimate = split.estimate,
            "a call of this plan may reach the service's record cap even split to one product and \
             one year (all partners); such an answer is refused, not cut: list the partners"
        );
    }
    let partner_chunks: Vec<Vec<String>> = if partners.is_empty() {
        vec![vec![]]
    } else {
        partners.chunks(split.partners).map(<[String]>::to_vec).collect()
    };
    let product_chunks: Vec<&[String]> = products.chunks(split.products).collect();
    let class = src.comtrade_classification();
    let mut out = Vec::new();
    for reporter in &src.reporters {
        for chunk in &partner_chunks {
            for products in &product_chunks {
                let all: Vec<i32> = years.iter().collect();
                for group in all.chunks(split.years) {
                    let periods = group.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
                    let mut url = format!(
                        "{base}/{path}/C/A/{class}?reporterCode={}&period={periods}&cmdCode={}&flowCode=M,X\
                     &partner2Code=0&customsCode=C00&motCode=0&includeDesc=false",
                        code(reporter),
                        products.join(",")
                    );
                    if !chunk.is_empty() {
                        url.push_str(&format!("&partnerCode={}", chunk.join(",")));
                    }
                    let span = match group {
                        [one] => one.to_string(),
                        [first, .., last] => format!("{first}-{last}"),
                        [] => unreachable!("chunks are never empty"),
                    };
                    let label = match product_chunks.len() {
                        1 => format!("{reporter} {span}"),
                        _ => format!(
                            "{reporter} {span} products {}-{}",
                            products[0],
                            products[products.len() - 1]
                        ),
                    };
                    out.push(Request {
                        url,
                        secret_headers: headers.clone(),
                        payload: Payload::ComtradeJson { record_cap: cap },
                        label,
                    });
                }
            }
        }
    }
    out
}

/// How a Comtrade plan is cut so that no call can reach the record cap: products per call
/// first (so that one partner's year fits), then partners (when they are listed), then years.
/// Two flows a product, partner and year; all partners count as [`COMTRADE_PARTNERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Split {
    products: usize,
    partners: usize,
    years: usize,
    /// The largest number of records one call can return.
    estimate: usize,
}

impl Split {
    fn new(cap: usize, products: usize, listed_partners: Option<usize>) -> Split {
        let room = cap.saturating_sub(1).max(1);
        let flows = 2;
        // All partners cannot be split: products make room for them.
        let partners_at_least = listed_partners.map_or(COMTRADE_PARTNERS, |_| 1);
        let per_call = (room / (flows * partners_at_least)).clamp(1, products.max(1));
        let partners = match listed_partners {
            Some(n) => (room / (flows * per_call)).clamp(1, n.max(1)),
            None => COMTRADE_PARTNERS,
        };
        let years = (room / (flows * per_call * partners)).clamp(1, COMTRADE_MAX_PERIODS);
        Split {
            products: per_call,
            partners,
            years,
            estimate: flows * per_call * partners * years,
        }
    }
}

fn imf_sdmx3(src: &SourceConfig, years: YearRange, base: &str) -> Vec<Request> {
    let partners = if src.partners.is_empty() {
        "*".to_string()
    } else {
        src.partners
            .iter()
            .map(|p| if p == WORLD { "G001" } else { p.as_str() })
            .collect::<Vec<_>>()
            .join("+")
    };
    src.reporters
        .iter()
        .map(|r| Request {
            url: format!(
                "{base}/data/dataflow/IMF.STA/IMTS/+/{r}.XG_FOB_USD+MG_CIF_USD.{partners}.A\
                 ?c[TIME_PERIOD]=ge:{}-01-01+le:{}-12-31&dimensionAtObservation=TIME_PERIOD\
                 &detail=full&includeHistory=false",
                years.from, years.to
            ),
            secret_headers: vec![],
            payload: Payload::SdmxXml,
            label: r.clone(),
        })
        .collect()
}

fn imf_dot(src: &SourceConfig, years: YearRange, base: &str, registry: &Registry) -> Vec<Request> {
    let two = |c: &str| -> String {
        if c == WORLD {
            "W00".into()
        } else {
            registry.iso2(c).unwrap_or(c).to_string()
        }
    };
    let partners = src.partners.iter().map(|p| two(p)).collect::<Vec<_>>().join("+");
    src.reporters
        .iter()
        .map(|r| Request {
            url: format!(
                "{base}/CompactData/DOT/A.{}.TXG_FOB_USD+TMG_CIF_USD.{partners}\
                 ?startPeriod={}-01-01&endPeriod={}-12-31",
                two(r),
                years.from,
                years.to
            ),
            secret_headers: vec![],
            payload: Payload::ImfDotJson,
            label: r.clone(),
        })
        .collect()
}

fn wits(src: &SourceConfig, years: YearRange, base: &str) -> Vec<Request> {
    let partners = src.partners.join("+");
    let products = if src.products.is_empty() {
        "Total".to_string()
    } else {
        src.products.join("+")
    };
    src.reporters
        .iter()
        .map(|r| Request {
            url: format!(
                "{base}/data/DF_WITS_TradeStats_Trade/A.{r}.{partners}.{products}.XPRT-TRD-VL+MPRT-TRD-VL/\
                 ?startperiod={}&endperiod={}",
                years.from, years.to
            ),
            secret_headers: vec![],
            payload: Payload::WitsXml,
            label: r.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(kind: &str, extra: &str) -> SourceConfig {
        let text = format!("name = \"s\"\nkind = \"{kind}\"\n{extra}");
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn comtrade_calls_are_cut_by_products_partners_and_years_under_the_cap() {
        // 300 HS6 codes, all partners, with a key: 199 products a call (2 x 199 x 250 =
        // 99,500 records a year), one year a call.
        let s = Split::new(COMTRADE_CAP_KEYED, 300, None);
        assert_eq!((s.products, s.partners, s.years), (199, 250, 1));
        assert!(s.estimate < COMTRADE_CAP_KEYED);
        // Ten listed partners and 40 products: all in one call, 12 years (the period limit).
        let s = Split::new(COMTRADE_CAP_KEYED, 40, Some(10));
        assert_eq!((s.products, s.partners, s.years), (40, 10, 12));
        // Keyless, 3 listed partners, 100 products: 2 x 100 x 2 = 400 records for 2 partners.
        let s = Split::new(COMTRADE_CAP_PREVIEW, 100, Some(3));
        assert_eq!((s.products, s.partners, s.years), (100, 2, 1));
        assert!(s.estimate < COMTRADE_CAP_PREVIEW);
        // Keyless and all partners: even one product and one year may return 500 records.
        let s = Split::new(COMTRADE_CAP_PREVIEW, 1, None);
        assert_eq!((s.products, s.partners, s.years), (1, 250, 1));
        assert!(
            s.estimate >= COMTRADE_CAP_PREVIEW,
            "this plan cannot be kept under the cap"
        );
    }

    #[test]
    fn comtrade_product_lists_are_split_into_calls() {
        let codes: Vec<String> = (0..300).map(|i| format!("\"{:06}\"", 10101 + i)).collect();
        let src = source(
            "comtrade",
            &format!("reporters = [\"CHN\"]\nproducts = [{}]", codes.join(", ")),
        );
        let reg = Registry::embedded();
        let key = Secret::new("k".repeat(32));
        let reqs = requests(
            &src,
            YearRange { from: 2010, to: 2011 },
            "http://h",
            Some(&key),
            &reg,
        );
        // Two product chunks (199 + 101) a year, two years.
        assert_eq!(reqs.len(), 4);
        assert!(
            reqs[0].url.contains("cmdCode=010101,") && reqs[0].label.starts_with("CHN 2010 products 010101-")
        );
        let in_call = |r: &Request| {
            r.url
                .split("cmdCode=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .split(',')
                .count()
        };
        assert_eq!(reqs.iter().map(in_call).collect::<Vec<_>>(), [199, 199, 101, 101]);
    }

    #[test]
    fn comtrade_keyless_splits_years_to_stay_under_500_records() {
        let src = source(
            "comtrade",
            "reporters = [\"CHN\", \"KAZ\"]\npartners = [\"ARG\", \"DEU\"]",
        );
        let reg = Registry::embedded();
        let reqs = requests(&src, YearRange { from: 2010, to: 2030 }, "http://h", None, &reg);
        // 2 partners x 2 flows = 4 records a year: 12 years a call (the period limit).
        assert_eq!(reqs.len(), 4);
        assert_eq!(
            reqs[0].url,
            "http://h/public/v1/preview/C/A/HS?reporterCode=156&period=2010,2011,2012,2013,2014,2015,\
             2016,2017,2018,2019,2020,2021&cmdCode=TOTAL&flowCode=M,X&partner2Code=0&customsCode=C00\
             &motCode=0&includeDesc=false&partnerCode=32,276"
        );
        assert_eq!(reqs[1].label, "CHN 2022-2030");
        assert_eq!(reqs[2].label, "KAZ 2010-2021");
        assert!(reqs.iter().all(|r| r.secret_headers.is_empty()));
    }

    #[test]
    fn comtrade_with_a_key_uses_the_data_endpoint_and_a_header() {
        let src = source("comtrade", "reporters = [\"USA\"]");
        let reg = Registry::embedded();
        let key = Secret::new("k".repeat(32));
        let reqs = requests(
            &src,
            YearRange { from: 2019, to: 2020 },
            "http://h",
            Some(&key),
            &reg,
        );
        // All partners: 250 x 2 = 500 records a year, 12 years fit under 100k.
        assert_eq!(reqs.len(), 1);
        assert!(
            reqs[0]
                .url
                .starts_with("http://h/data/v1/get/C/A/HS?reporterCode=842&period=2019,2020&")
        );
        assert!(!reqs[0].url.contains(&"k".repeat(32)));
        assert_eq!(reqs[0].secret_headers[0].0, "Ocp-Apim-Subscription-Key");
        // Keyless, all partners is 500 a year: one year per call.
        assert_eq!(
            requests(&src, YearRange { from: 2019, to: 2020 }, "http://h", None, &reg).len(),
            2
        );
    }

    #[test]
    fn comtrade_asks_for_the_edition_the_source_names() {
        let reg = Registry::embedded();
        for (name, code) in [("HS17", "H5"), ("H0", "H0"), ("HS", "HS")] {
            let src = source(
                "comtrade",
                &format!("reporters = [\"USA\"]\nclassification = \"{name}\""),
            );
            let reqs = requests(&src, YearRange { from: 2019, to: 2019 }, "http://h", None, &reg);
            assert!(
                reqs[0]
                    .url
                    .starts_with(&format!("http://h/public/v1/preview/C/A/{code}?")),
                "{}",
                reqs[0].url
            );
        }
    }

    #[test]
    fn imf_and_wits_urls_have_the_services_shapes() {
        let reg = Registry::embedded();
        let y = YearRange { from: 2023, to: 2024 };
        let s = source(
            "imf-sdmx3",
            "reporters = [\"USA\"]\npartners = [\"WLD\", \"CHN\"]",
        );
        assert_eq!(
            requests(&s, y, "http://h", None, &reg)[0].url,
            "http://h/data/dataflow/IMF.STA/IMTS/+/USA.XG_FOB_USD+MG_CIF_USD.G001+CHN.A?c[TIME_PERIOD]=\
             ge:2023-01-01+le:2024-12-31&dimensionAtObservation=TIME_PERIOD&detail=full&includeHistory=false"
        );
        let s = source("imf-dot", "reporters = [\"USA\"]\npartners = [\"WLD\", \"CHN\"]");
        assert_eq!(
            requests(&s, y, "http://h", None, &reg)[0].url,
            "http://h/CompactData/DOT/A.US.TXG_FOB_USD+TMG_CIF_USD.W00+CN?startPeriod=2023-01-01&endPeriod=2024-12-31"
        );
        let s = source(
            "wits",
            "reporters = [\"IDN\"]\npartners = [\"SGP\", \"MYS\"]\nproducts = [\"25-26_Minerals\"]",
        );
        assert_eq!(
            requests(&s, y, "http://h", None, &reg)[0].url,
            "http://h/data/DF_WITS_TradeStats_Trade/A.IDN.SGP+MYS.25-26_Minerals.XPRT-TRD-VL+MPRT-TRD-VL/?startperiod=2023&endperiod=2024"
        );
    }

    #[test]
    fn environment_beats_config_beats_default() {
        let mut s = source("baci", "release = \"BACI_HS92_V202401b\"");
        let none = |_: &str| None;
        assert_eq!(
            base_url(&s, &none),
            "https://www.cepii.fr/DATA_DOWNLOAD/baci/data"
        );
        s.url = Some("https://mirror.example/baci/".into());
        assert_eq!(base_url(&s, &none), "https://mirror.example/baci");
        let env = |v: &str| (v == "TRADEPIPE_BACI_URL").then(|| "http://127.0.0.1:9".to_string());
        assert_eq!(base_url(&s, &env), "http://127.0.0.1:9");
    }
}
