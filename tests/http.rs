//! HTTP sources against loopback servers replaying the real API samples, and the fault
//! corpus: 429 with Retry-After in both forms, 5xx storms, slow and truncated bodies, HTML and
//! WITS errors with status 200, empty results, budgets, resumed downloads, hostile archives.
//! Every test asserts how many requests reached the server. Nothing here touches the network.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock as Route, ResponseTemplate};

use crate::mock::{Mock, RawServer};
use crate::util::{Pipeline, fixture, read_json, tree};

/// A planted key: it must never appear in anything the pipeline writes or prints.
const KEY: &str = "tp-planted-key-5c2e9d1a7b3f4e60";

/// Fast, small retry settings so fault tests take milliseconds.
const FAST: &str = "[source.http]\nrequests-per-minute = 60000\nbackoff-base-ms = 1\nbackoff-max-ms = 5\nmax-retries = 2\ntimeout-secs = 2\n";

fn comtrade_source(extra: &str) -> String {
    format!(
        "[[source]]\nname = \"comtrade\"\nkind = \"comtrade\"\nreporters = [\"CHN\"]\npartners = [\"ARG\", \"DEU\"]\n{extra}{FAST}"
    )
}

fn body(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn comtrade_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        body("comtrade/data_v1_get_C_A_HS_CHN_vs_ARG_DEU_2010.json"),
        "application/json",
    )
}

/// A value of the canonical table.
fn trade_value(
    output: &Path,
    year: i32,
    reporter: &str,
    partner: &str,
    flow: &str,
    product: &str,
) -> Option<f64> {
    let df = tradepipe_parquet::read_partition(&output.join("parquet/trade"), year, None).ok()?;
    let col = |n: &str| df.column(n).unwrap().str().unwrap().clone();
    let (r, p, f, k) = (col("reporter"), col("partner"), col("flow"), col("product"));
    let v = df.column("value_usd").unwrap().f64().unwrap().clone();
    (0..df.height()).find_map(|i| {
        (r.get(i) == Some(reporter)
            && p.get(i) == Some(partner)
            && f.get(i) == Some(flow)
            && k.get(i) == Some(product))
        .then(|| v.get(i))
        .flatten()
    })
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn comtrade_with_a_key_fetches_once_normalizes_and_never_leaks_the_key() {
    let mock = Mock::start();
    mock.mount(
        Route::given(method("GET"))
            .and(path("/data/v1/get/C/A/HS"))
            .and(query_param("reporterCode", "156"))
            .and(query_param("period", "2010"))
            .and(query_param("partnerCode", "32,276"))
            .and(header("Ocp-Apim-Subscription-Key", KEY))
            .respond_with(comtrade_ok()),
    );
    let p = Pipeline::with_sources(&comtrade_source(""), 2010, 2010)
        .env("TRADEPIPE_COMTRADE_URL", &mock.uri())
        .env("COMTRADE_API_KEY", KEY);
    let first = p.run(["--log-format", "json", "-v", "fetch"]).success();
    let second = p.run(["--log-format", "json", "-v", "fetch"]).success();
    assert_eq!(mock.requests().len(), 1, "the rerun answered from the cache");
    p.run(["normalize"]).success();
    assert_eq!(
        trade_value(&p.output(), 2010, "CHN", "ARG", "export", "TOTAL"),
        Some(6_115_764_185.0)
    );
    // The manifest entry records the request without the key.
    let manifest: serde_json::Value = read_json(&p.output().join("raw/manifest.json"));
    let e = &manifest["entries"][0];
    assert_eq!(e["format"], "comtrade-v1-json");
    assert_eq!(e["http"]["status"], 200);
    assert!(
        e["location"]
            .as_str()
            .unwrap()
            .contains("/data/v1/get/C/A/HS?reporterCode=156")
    );
    assert!(e["vintage"].as_str().unwrap().starts_with("retrieved "));
    // The key went out as a header only, and nowhere else.
    let req = &mock.requests()[0];
    assert!(!req.url.as_str().contains(KEY));
    assert_eq!(files_containing(&p.output(), KEY), Vec::<String>::new());
    for out in [&first, &second] {
        assert!(!out.stderr.contains(KEY) && !out.stdout.contains(KEY));
    }
}

#[test]
fn offline_reruns_from_the_cache_and_refuses_what_it_lacks() {
    let mock = Mock::start();
    mock.mount(Route::given(method("GET")).respond_with(comtrade_ok()));
    let p =
        Pipeline::with_sources(&comtrade_source(""), 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &mock.uri());
    p.run(["fetch"]).success();
    let raw = std::fs::read(p.output().join("raw/manifest.json")).unwrap();
    drop(mock);
    // The server is gone: offline still works, and gives the same manifest.
    p.run(["--offline", "fetch"]).success();
    assert_eq!(std::fs::read(p.output().join("raw/manifest.json")).unwrap(), raw);
    // A year never fetched is not in the cache.
    let p2 = Pipeline::with_sources(
        &comtrade_source("years = { from = 2011, to = 2011 }\n"),
        2010,
        2011,
    )
    .in_dir_of(p);
    let msg = p2.run(["--offline", "fetch"]).failure(66).error_message();
    assert!(msg.contains("--offline") && msg.contains("period=2011"), "{msg}");
}

#[test]
fn keyless_runs_use_the_preview_endpoint_and_empty_results_are_data() {
    let mock = Mock::start();
    mock.mount(
        Route::given(method("GET"))
            .and(path("/public/v1/preview/C/A/HS"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(body("comtrade/data_v1_get_S_A_EB_empty.json"), "application/json"),
            ),
    );
    let p =
        Pipeline::with_sources(&comtrade_source(""), 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &mock.uri());
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    assert_eq!(mock.requests().len(), 1);
    assert!(
        mock.requests()[0]
            .headers
            .get("Ocp-Apim-Subscription-Key")
            .is_none()
    );
}

#[test]
fn dry_run_prints_the_plan_and_makes_no_request() {
    let mock = Mock::start();
    mock.mount(Route::given(method("GET")).respond_with(comtrade_ok()));
    let src = comtrade_source("").replace("reporters = [\"CHN\"]", "reporters = [\"CHN\", \"KAZ\"]");
    let p = Pipeline::with_sources(&src, 2010, 2012)
        .env("TRADEPIPE_COMTRADE_URL", &mock.uri())
        .env("COMTRADE_API_KEY", KEY);
    let out = p.run(["fetch", "--dry-run"]).success();
    assert!(
        out.stdout.contains("comtrade (comtrade at http://127.0.0.1:")
            && out.stdout.contains("2 requests, 0 cached, 2 calls to make; budget 500 calls/day, 0 used today, 498 left after this run")
            && out.stdout.contains("COMTRADE_API_KEY is set"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(KEY));
    assert_eq!(mock.requests().len(), 0);
    assert!(!p.output().join("raw/manifest.json").exists());
}

/// One fault: what the server answers, the exit code, the requests it takes, and a phrase of
/// the error message.
struct Fault {
    name: &'static str,
    responses: Vec<ResponseTemplate>,
    code: i32,
    requests: usize,
    message: &'static str,
}

fn retry_after_date(secs: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))
}

#[test]
fn fault_corpus() {
    let html =
        "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>maintenance</body></html>";
    let faults = vec![
        Fault {
            name: "429 with Retry-After in seconds, then data",
            responses: vec![
                ResponseTemplate::new(429).insert_header("Retry-After", "1"),
                comtrade_ok(),
            ],
            code: 0,
            requests: 2,
            message: "",
        },
        Fault {
            name: "429 with Retry-After as an HTTP date, then data",
            responses: vec![
                ResponseTemplate::new(429).insert_header("Retry-After", retry_after_date(1).as_str()),
                comtrade_ok(),
            ],
            code: 0,
            requests: 2,
            message: "",
        },
        Fault {
            name: "429 asking for an hour",
            responses: vec![ResponseTemplate::new(429).insert_header("Retry-After", "3600")],
            code: 75,
            requests: 1,
            message: "asks to wait 3600 s",
        },
        Fault {
            name: "5xx storm",
            responses: vec![ResponseTemplate::new(503); 3],
            code: 69,
            requests: 3,
            message: "gave up after 3 attempts; last: status 503",
        },
        Fault {
            name: "one 502, then data",
            responses: vec![ResponseTemplate::new(502), comtrade_ok()],
            code: 0,
            requests: 2,
            message: "",
        },
        Fault {
            name: "slow body past the timeout",
            responses: vec![comtrade_ok().set_delay(Duration::from_secs(4)); 3],
            code: 69,
            requests: 3,
            message: "gave up after 3 attempts",
        },
        Fault {
            name: "404 is not retried",
            responses: vec![ResponseTemplate::new(404).set_body_string("no such dataset")],
            code: 69,
            requests: 1,
            message: "status 404, body starts: no such dataset",
        },
        Fault {
            name: "403 echoing the key is a config error, with the key redacted",
            responses: vec![
                ResponseTemplate::new(403).set_body_string(format!("invalid subscription key {KEY}")),
            ],
            code: 78,
            requests: 1,
            message: "invalid subscription key <redacted>",
        },
        Fault {
            name: "HTML page with status 200",
            responses: vec![ResponseTemplate::new(200).set_body_raw(html, "text/html")],
            code: 69,
            requests: 1,
            message: "status 200 but an HTML page, not data; body starts: <!DOCTYPE html><html><head><title>Service Unavailable",
        },
        Fault {
            name: "Comtrade error field with status 200",
            responses: vec![ResponseTemplate::new(200).set_body_raw(
                r#"{"elapsedTime":"0 secs","count":0,"data":null,"error":"Maximum records exceeded"}"#,
                "application/json",
            )],
            code: 69,
            requests: 1,
            message: "the API reported an error: Maximum records exceeded",
        },
        Fault {
            name: "malformed JSON",
            responses: vec![
                ResponseTemplate::new(200)
                    .set_body_raw(r#"{"count":4,"data":[{"refYear":2010"#, "application/json"),
            ],
            code: 69,
            requests: 1,
            message: "malformed JSON",
        },
    ];
    for f in faults {
        let mock = Mock::start();
        let n = f.responses.len();
        for (i, r) in f.responses.into_iter().enumerate() {
            // Each response answers once, in order (the last one for any further request).
            let route = Route::given(method("GET"))
                .respond_with(r)
                .with_priority((i + 1) as u8);
            mock.mount(if i + 1 < n { route.up_to_n_times(1) } else { route });
        }
        let p = Pipeline::with_sources(&comtrade_source(""), 2010, 2010)
            .env("TRADEPIPE_COMTRADE_URL", &mock.uri())
            .env("COMTRADE_API_KEY", KEY);
        let out = p.run(["fetch"]);
        assert_eq!(out.code, f.code, "{}: {}", f.name, out.stderr);
        assert_eq!(mock.requests().len(), f.requests, "{}", f.name);
        assert!(
            !out.stderr.contains(KEY),
            "{}: key leaked: {}",
            f.name,
            out.stderr
        );
        if f.code == 0 {
            assert!(p.output().join("raw/manifest.json").exists(), "{}", f.name);
        } else {
            let msg = out.error_message();
            assert!(msg.contains(f.message), "{}: {msg}", f.name);
            assert!(msg.contains(&mock.uri()), "{}: the URL is named: {msg}", f.name);
            // Nothing of a refused answer is cached.
            assert!(!p.output().join("raw/http/comtrade").exists(), "{}", f.name);
            assert!(!p.output().join("raw/sha256").exists(), "{}", f.name);
        }
        assert_eq!(
            files_containing(p.dir.path(), KEY),
            Vec::<String>::new(),
            "{}",
            f.name
        );
    }
}

#[test]
fn an_answer_at_the_record_cap_is_refused_not_silently_cut() {
    // The keyless preview stops at 500 records. 500 empty records (no values at all): the
    // refusal happens on the count, before any record is read.
    let capped = format!(
        "{{\"count\":500,\"data\":[{}],\"error\":\"\"}}",
        vec!["{}"; 500].join(",")
    );
    let mock = Mock::start();
    mock.mount(
        Route::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(capped, "application/json")),
    );
    let p =
        Pipeline::with_sources(&comtrade_source(""), 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &mock.uri());
    let msg = p.run(["fetch"]).failure(69).error_message();
    assert!(
        msg.contains("returned 500 records, the service's cap per call") && msg.contains("COMTRADE_API_KEY"),
        "{msg}"
    );
    assert_eq!(
        mock.requests().len(),
        1,
        "not retried: the same question gets the same cut answer"
    );
    assert!(!p.output().join("raw/sha256").exists());
}

#[test]
fn a_body_cut_short_is_retried_and_then_reported() {
    let full = body("comtrade/data_v1_get_C_A_HS_CHN_vs_ARG_DEU_2010.json");
    let server = RawServer::start(Box::new(move |_, _| {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            full.len()
        )
        .into_bytes();
        r.extend_from_slice(&full[..full.len() / 2]);
        r
    }));
    let p =
        Pipeline::with_sources(&comtrade_source(""), 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &server.addr);
    let msg = p.run(["fetch"]).failure(69).error_message();
    assert!(
        msg.contains("gave up after 3 attempts") && msg.contains(&server.addr),
        "{msg}"
    );
    assert_eq!(server.count(), 3);
    assert!(!p.output().join("raw/sha256").exists());
}

#[test]
fn the_daily_budget_stops_the_run_and_keeps_what_was_fetched() {
    let mock = Mock::start();
    mock.mount(Route::given(method("GET")).respond_with(comtrade_ok()));
    let src = comtrade_source("")
        .replace("reporters = [\"CHN\"]", "reporters = [\"CHN\", \"KAZ\"]")
        .replace("[source.http]\n", "[source.http]\ndaily-call-budget = 1\n");
    let p = Pipeline::with_sources(&src, 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &mock.uri());
    let msg = p.run(["fetch"]).failure(75).error_message();
    assert!(msg.contains("daily budget of 1 calls is spent"), "{msg}");
    assert_eq!(mock.requests().len(), 1);
    // The first answer is cached: with a larger budget only the second is asked for.
    let p = Pipeline::with_sources(
        &src.replace("daily-call-budget = 1", "daily-call-budget = 3"),
        2010,
        2010,
    )
    .env("TRADEPIPE_COMTRADE_URL", &mock.uri())
    .in_dir_of(p);
    p.run(["fetch"]).success();
    assert_eq!(mock.requests().len(), 2);
    let budget: serde_json::Value = read_json(&p.output().join("raw/http/budget.json"));
    assert_eq!(budget["calls"]["comtrade"], 2);
}

#[test]
fn imf_sdmx3_values_are_dollars_despite_scale_and_match_the_legacy_service() {
    let mock = Mock::start();
    mock.mount(
        Route::given(method("GET"))
            .and(path(
                "/data/dataflow/IMF.STA/IMTS/+/USA.XG_FOB_USD+MG_CIF_USD.G001.A",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                body("imf/imf_sdmx3_IMTS_USA.XG_FOB_USD.G001+G998.A_2023-2024.xml"),
                "application/xml",
            )),
    );
    mock.mount(
        Route::given(method("GET"))
            .and(path("/CompactData/DOT/A.US.TXG_FOB_USD+TMG_CIF_USD.W00"))
            .and(query_param("startPeriod", "2023-01-01"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                body("imf/legacy_CompactData_DOT_A.US.TXG_FOB_USD.W00+B0_2020-2023.json"),
                "application/json",
            )),
    );
    let sources = format!(
        "[[source]]\nname = \"imts\"\nkind = \"imf-sdmx3\"\nreporters = [\"USA\"]\npartners = [\"WLD\"]\n{FAST}\n\
         [[source]]\nname = \"dot\"\nkind = \"imf-dot\"\nreporters = [\"USA\"]\npartners = [\"WLD\"]\n{FAST}"
    );
    let p = Pipeline::with_sources(&sources, 2023, 2024).env("TRADEPIPE_IMF_URL", &mock.uri());
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    assert_eq!(mock.requests().len(), 2);
    // 2023: both services, one key; the SDMX 3.0 source is listed first and wins.
    assert_eq!(
        trade_value(&p.output(), 2023, "USA", "WLD", "export", "TOTAL"),
        Some(2_019_551_635_133.0)
    );
    let legacy_2023 = 2_019_551.635133e6;
    assert!((2_019_551_635_133.0f64 - legacy_2023).abs() < 1.0);
    let prov: serde_json::Value = read_json(&p.output().join("parquet/trade/_provenance.json"));
    assert_eq!(
        prov["sources"][1]["superseded_rows"], 1,
        "the legacy 2023 row gave way"
    );
    // 2024 only the new API has; the G998 group series is skipped, not mistaken for a country.
    assert_eq!(
        trade_value(&p.output(), 2024, "USA", "WLD", "export", "TOTAL"),
        Some(2_065_411_250_609.0)
    );
    assert_eq!(prov["sources"][0]["skipped_rows"], 2);
}

#[test]
fn wits_data_and_wits_errors_with_status_200() {
    let mock = Mock::start();
    mock.mount(
        Route::given(method("GET"))
            .and(path(
                "/data/DF_WITS_TradeStats_Trade/A.IDN.SGP+MYS.25-26_Minerals.XPRT-TRD-VL+MPRT-TRD-VL/",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                body("api/wits_IDN_to_SGP_MYS_minerals_2010_2015.reconstructed.xml"),
                "application/xml",
            )),
    );
    let src = format!(
        "[[source]]\nname = \"wits\"\nkind = \"wits\"\nreporters = [\"IDN\"]\npartners = [\"SGP\", \"MYS\"]\nproducts = [\"25-26_Minerals\"]\n{FAST}"
    );
    let p = Pipeline::with_sources(&src, 2010, 2015).env("TRADEPIPE_WITS_URL", &mock.uri());
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    assert_eq!(
        trade_value(&p.output(), 2010, "IDN", "SGP", "export", "25-26_Minerals"),
        Some(83_954_462.0)
    );

    let err = Mock::start();
    err.mount(Route::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_raw(
        r#"<?xml version="1.0" encoding="utf-8"?><wits:error xmlns:wits="http://wits.worldbank.org"><wits:message key="NoRecordsFound">No records found for the given parameters</wits:message></wits:error>"#,
        "application/xml",
    )));
    let p = Pipeline::with_sources(&src, 2010, 2015).env("TRADEPIPE_WITS_URL", &err.uri());
    let msg = p.run(["fetch"]).failure(69).error_message();
    assert!(
        msg.contains("WITS answered with an error: No records found"),
        "{msg}"
    );
    assert_eq!(err.requests().len(), 1);
}

fn baci_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn baci_source() -> String {
    format!("[[source]]\nname = \"baci\"\nkind = \"baci\"\nrelease = \"BACI_HS17_V000000\"\n{FAST}")
}

#[test]
fn baci_download_resumes_after_a_cut_and_normalizes() {
    let csv = body("api/BACI-shaped_HS17_Y2017_IND_from_BRA_010511.csv");
    // Padding entry so the archive is long enough to cut in the middle.
    let readme = "BACI-shaped test archive; see tests/fixtures/api/README.md\n".repeat(200);
    let archive = baci_zip(&[
        ("BACI_HS17_Y2017_V000000.csv", &csv),
        ("Readme.txt", readme.as_bytes()),
    ]);
    let total = archive.len();
    let cut = total / 2;
    let server = RawServer::start(Box::new(move |n, range| {
        let head = |status: &str, extra: &str, len: usize| {
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/zip\r\nETag: \"v1\"\r\nContent-Length: {len}\r\n{extra}Connection: close\r\n\r\n"
            )
            .into_bytes()
        };
        match (n, range) {
            // First answer: the whole length announced, half sent, connection dropped.
            (0, _) => {
                let mut r = head("200 OK", "", total);
                r.extend_from_slice(&archive[..cut]);
                r
            }
            (_, Some(from)) => {
                let from = from as usize;
                let mut r = head(
                    "206 Partial Content",
                    &format!("Content-Range: bytes {from}-{}/{total}\r\n", total - 1),
                    total - from,
                );
                r.extend_from_slice(&archive[from..]);
                r
            }
            (_, None) => {
                let mut r = head("200 OK", "", total);
                r.extend_from_slice(&archive);
                r
            }
        }
    }));
    let p = Pipeline::with_sources(&baci_source(), 2017, 2017).env("TRADEPIPE_BACI_URL", &server.addr);
    p.run(["fetch"]).success();
    assert_eq!(server.count(), 2, "one cut download, one resumed range request");
    let heads = server.heads.lock().unwrap().clone();
    assert!(
        heads[0].starts_with("GET /BACI_HS17_V000000.zip "),
        "{}",
        heads[0]
    );
    let second = heads[1].to_ascii_lowercase();
    assert!(
        second.contains(&format!("range: bytes={cut}-")) && second.contains("if-range: \"v1\""),
        "{second}"
    );
    p.run(["normalize"]).success();
    // v = 549.423 thousand; k lost its leading zero and got it back.
    assert_eq!(
        trade_value(&p.output(), 2017, "BRA", "IND", "export", "010511"),
        Some(549_423.0)
    );
    assert_eq!(
        trade_value(&p.output(), 2017, "IND", "BRA", "import", "010511"),
        Some(549_423.0)
    );
    // Rerun: nothing requested.
    p.run(["fetch"]).success();
    assert_eq!(server.count(), 2);
}

#[test]
fn hostile_archives_are_rejected_and_not_kept() {
    let zeros = vec![0u8; 8 << 20];
    for (name, archive, phrase) in [
        (
            "path traversal",
            baci_zip(&[("../../etc/BACI_HS17_Y2017_V000000.csv", b"t,i,j,k,v,q\n")]),
            "absolute or parent-relative path",
        ),
        (
            "decompression bomb",
            baci_zip(&[("BACI_HS17_Y2017_V000000.csv", &zeros)]),
            "decompression bomb",
        ),
        (
            "not a zip",
            b"PK\x03\x04 but then nothing".to_vec(),
            "not a readable zip archive",
        ),
    ] {
        let mock = Mock::start();
        mock.mount(
            Route::given(method("GET"))
                .and(path("/BACI_HS17_V000000.zip"))
                .respond_with(ResponseTemplate::new(200).set_body_raw(archive, "application/zip")),
        );
        let p = Pipeline::with_sources(&baci_source(), 2017, 2017).env("TRADEPIPE_BACI_URL", &mock.uri());
        let msg = p.run(["fetch"]).failure(69).error_message();
        assert!(
            msg.contains("rejected archive") && msg.contains(phrase),
            "{name}: {msg}"
        );
        assert!(!p.output().join("raw/sha256").exists(), "{name}");
        assert_eq!(mock.requests().len(), 1, "{name}");
    }
}

#[test]
fn rate_limit_spaces_requests() {
    let mock = Mock::start();
    mock.mount(Route::given(method("GET")).respond_with(comtrade_ok()));
    let src = comtrade_source("")
        .replace("reporters = [\"CHN\"]", "reporters = [\"CHN\", \"KAZ\", \"KGZ\"]")
        .replace("requests-per-minute = 60000", "requests-per-minute = 120");
    let p = Pipeline::with_sources(&src, 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &mock.uri());
    let t = Instant::now();
    p.run(["fetch"]).success();
    // 120 a minute without burst: the 2nd and 3rd wait half a second each.
    assert!(t.elapsed() >= Duration::from_millis(900), "{:?}", t.elapsed());
    assert_eq!(mock.requests().len(), 3);
}

/// `--refresh` asks again with the validators of the cached answer: a 304 keeps the cached
/// blob and the later stages stay skipped; a changed body under a new ETag replaces it and
/// the stages that read it rerun.
#[test]
fn refresh_revalidates_with_the_etag_and_takes_a_changed_body() {
    let v1 = body("comtrade/data_v1_get_C_A_HS_CHN_vs_ARG_DEU_2010.json");
    let v2 = String::from_utf8(v1.clone())
        .unwrap()
        .replace("\"primaryValue\":6115764185.0", "\"primaryValue\":6115764999.0")
        .into_bytes();
    assert_ne!(v1, v2);
    let mock = Mock::start();
    mock.mount(
        Route::given(method("GET"))
            .and(header("If-None-Match", "\"v1\""))
            .respond_with(ResponseTemplate::new(304).insert_header("ETag", "\"v1\""))
            .with_priority(1),
    );
    mock.mount(
        Route::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("ETag", "\"v1\"")
                    .set_body_raw(v1, "application/json"),
            )
            .with_priority(2),
    );
    let p =
        Pipeline::with_sources(&comtrade_source(""), 2010, 2010).env("TRADEPIPE_COMTRADE_URL", &mock.uri());
    p.run(["fetch"]).success();
    p.run(["normalize"]).success();
    let manifest = || -> serde_json::Value { read_json(&p.output().join("raw/manifest.json")) };
    let first = manifest()["entries"][0]["sha256"].clone();
    let skipped = |stderr: &str| stderr.contains("\"message\":\"stage skipped: inputs unchanged");

    p.run(["--refresh", "fetch"]).success();
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "one revalidation");
    assert_eq!(
        requests[1]
            .headers
            .get("If-None-Match")
            .map(|v| v.to_str().unwrap().to_string()),
        Some("\"v1\"".into())
    );
    assert_eq!(
        manifest()["entries"][0]["sha256"],
        first,
        "a 304 keeps the cached blob"
    );
    let out = p.run(["--log-format", "json", "normalize"]).success();
    assert!(
        skipped(&out.stderr),
        "normalize reruns nothing after a 304: {}",
        out.stderr
    );

    // The service publishes a revision under a new ETag.
    mock.reset();
    mock.mount(
        Route::given(method("GET")).respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"v2\"")
                .set_body_raw(v2, "application/json"),
        ),
    );
    p.run(["--refresh", "fetch"]).success();
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(
        mock.requests()[0]
            .headers
            .get("If-None-Match")
            .map(|v| v.to_str().unwrap().to_string()),
        Some("\"v1\"".into()),
        "asked with the cached validator"
    );
    let m: serde_json::Value = read_json(&p.output().join("raw/manifest.json"));
    assert_ne!(
        m["entries"][0]["sha256"], first,
        "the changed body replaced the blob"
    );
    assert_eq!(m["entries"][0]["http"]["etag"], "\"v2\"");
    let out = p.run(["--log-format", "json", "normalize"]).success();
    assert!(
        !skipped(&out.stderr),
        "normalize reruns on the new blob: {}",
        out.stderr
    );
    assert_eq!(
        trade_value(&p.output(), 2010, "CHN", "ARG", "export", "TOTAL"),
        Some(6_115_764_999.0)
    );
}
