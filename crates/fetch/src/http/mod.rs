//! HTTP sources: plan the requests, answer what the cache already holds, fetch the rest
//! politely, validate, and store each response as a blob with a request record.
//!
//! Request records live in `output/raw/http/<source>/<key>.json` (key = SHA-256 of the
//! secret-free URL) and hold the manifest entry of that request; a record is written only
//! after its blob is complete, so a rerun makes no request for anything it already has, and
//! an interrupted run loses nothing it had finished. Bulk downloads grow in `<key>.part`
//! until complete, and resume from there.

pub mod budget;
pub mod client;
pub mod plan;
pub mod retry;
pub mod validate;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tradepipe_model::config::{SourceConfig, SourceKind};
use tradepipe_model::hash::{Digest, Sha256, hex};
use tradepipe_model::{Config, Registry};

use crate::secret::{COMTRADE_KEY_VAR, Redactor, Secret};
use crate::{FetchError, FetchOptions, store};
use client::{Client, Got, Request};
use tradepipe_contract::{HttpMeta, RawEntry};

/// `output/raw/http`.
pub fn http_dir(output_dir: &Path) -> PathBuf {
    store::raw_dir(output_dir).join("http")
}

/// What a source's plan comes to against the cache (for `--dry-run` and the run summary).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourcePlan {
    pub source: String,
    pub kind: &'static str,
    pub base_url: String,
    pub requests: usize,
    pub cached: usize,
    /// Calls the run will make if nothing needs a retry.
    pub calls: usize,
    pub budget_per_day: Option<u32>,
    pub budget_used_today: u32,
    /// Comtrade: whether `COMTRADE_API_KEY` is set (the key itself is never shown).
    pub key_set: Option<bool>,
    /// The first few request URLs still to fetch.
    pub sample_urls: Vec<String>,
}

fn record_path(output_dir: &Path, source: &str, url: &str) -> PathBuf {
    let key = hex(&Sha256::digest(url.as_bytes()));
    http_dir(output_dir)
        .join(source)
        .join(format!("{}.json", &key[..32]))
}

/// The cached entry of a request, if its record and its complete blob are both there.
fn cached(output_dir: &Path, record: &Path) -> Option<RawEntry> {
    let entry: RawEntry = serde_json::from_slice(&fs_err::read(record).ok()?).ok()?;
    let blob = store::blob_path(output_dir, &entry.sha256);
    std::fs::metadata(blob).ok().filter(|m| m.len() == entry.bytes)?;
    Some(entry)
}

fn default_rpm(kind: SourceKind) -> u32 {
    match kind {
        SourceKind::Comtrade => 60,
        SourceKind::Baci => 6,
        _ => 30,
    }
}

/// Everything one HTTP source needs, resolved once.
struct Prepared {
    requests: Vec<Request>,
    base: String,
    key: Option<Secret>,
    budget: Option<u32>,
}

fn prepare(cfg: &Config, src: &SourceConfig, registry: &Registry) -> Prepared {
    let env = |v: &str| std::env::var(v).ok();
    let base = plan::base_url(src, &env);
    let key = (src.kind == SourceKind::Comtrade)
        .then(|| Secret::from_env(COMTRADE_KEY_VAR))
        .flatten();
    let years = src.years.unwrap_or(cfg.years);
    let budget = src
        .http
        .daily_call_budget
        .or((src.kind == SourceKind::Comtrade).then_some(500));
    Prepared {
        requests: plan::requests(src, years, &base, key.as_ref(), registry),
        base,
        key,
        budget,
    }
}

fn today() -> String {
    tradepipe_model::time::utc_date(SystemTime::now()).to_string()
}

/// The plan of `src` against the cache, without any network access.
pub fn plan_source(cfg: &Config, src: &SourceConfig, registry: &Registry) -> SourcePlan {
    let p = prepare(cfg, src, registry);
    let todo: Vec<&Request> = p
        .requests
        .iter()
        .filter(|r| cached(&cfg.output_dir, &record_path(&cfg.output_dir, &src.name, &r.url)).is_none())
        .collect();
    let budget = budget::Budget::load(&http_dir(&cfg.output_dir), &today());
    SourcePlan {
        source: src.name.clone(),
        kind: src.kind.as_str(),
        base_url: p.base.clone(),
        requests: p.requests.len(),
        cached: p.requests.len() - todo.len(),
        calls: todo.len(),
        budget_per_day: p.budget,
        budget_used_today: budget.used(&src.name),
        key_set: (src.kind == SourceKind::Comtrade).then_some(p.key.is_some()),
        sample_urls: todo.iter().take(3).map(|r| r.url.clone()).collect(),
    }
}

/// Brings every request of `src` into the raw store and returns one entry per request.
pub fn fetch_source(
    cfg: &Config,
    src: &SourceConfig,
    opts: &FetchOptions,
    registry: &Registry,
) -> Result<Vec<RawEntry>, FetchError> {
    let p = prepare(cfg, src, registry);
    let redactor = Redactor::new(p.key.clone());
    let client = Client::new(&src.http, default_rpm(src.kind), redactor)?;
    let mut budget = budget::Budget::load(&http_dir(&cfg.output_dir), &today());
    let progress = progress_bar(p.requests.len() as u64, &src.name);
    let mut entries = Vec::with_capacity(p.requests.len());
    let mut calls = 0usize;
    for req in &p.requests {
        progress.set_message(req.label.clone());
        let record = record_path(&cfg.output_dir, &src.name, &req.url);
        let have = cached(&cfg.output_dir, &record);
        let entry = match have {
            Some(e) if !opts.refresh || opts.offline => e,
            _ if opts.offline => {
                return Err(FetchError::NotCached {
                    source_name: src.name.clone(),
                    url: req.url.clone(),
                });
            }
            have => {
                let mut spend = || {
                    calls += 1;
                    budget.spend(&src.name, p.budget)
                };
                let entry = if req.payload == validate::Payload::Zip {
                    download_zip(cfg, src, req, &record, &client, &mut spend)?
                } else {
                    let validators = have
                        .as_ref()
                        .and_then(|e| e.http.as_ref())
                        .map(|h| (&h.etag, &h.last_modified));
                    match client.get(req, validators, &mut spend)? {
                        Got::NotModified => have.expect("conditional only with a cached copy"),
                        Got::Body(body, meta) => {
                            let (sha256, bytes) = store::store_bytes(&cfg.output_dir, &body)?;
                            entry_of(src, req, sha256, bytes, meta)
                        }
                    }
                };
                write_record(&record, &entry)?;
                tracing::info!(source = %src.name, request = %req.label, bytes = entry.bytes, sha256 = %entry.sha256, "fetched");
                entry
            }
        };
        entries.push(entry);
        progress.inc(1);
    }
    progress.finish_and_clear();
    tracing::info!(source = %src.name, requests = entries.len(), calls, "source fetched");
    Ok(entries)
}

fn write_record(path: &Path, entry: &RawEntry) -> Result<(), FetchError> {
    let mut json = serde_json::to_vec_pretty(entry).expect("entry serializes");
    json.push(b'\n');
    tradepipe_model::fsio::write_atomic(path, &json)?;
    Ok(())
}

fn entry_of(
    src: &SourceConfig,
    req: &Request,
    sha256: String,
    bytes: u64,
    meta: client::ResponseMeta,
) -> RawEntry {
    let now = SystemTime::now();
    let vintage = src.vintage.clone().unwrap_or_else(|| match &meta.last_modified {
        Some(lm) => format!("Last-Modified {lm}"),
        None => format!("retrieved {}", tradepipe_model::time::utc_date(now)),
    });
    RawEntry {
        source: src.name.clone(),
        format: src.effective_format(),
        location: crate::secret::redact_url(&req.url),
        sha256,
        bytes,
        vintage,
        description: src.description.clone(),
        http: Some(HttpMeta {
            fetched_at: tradepipe_model::time::rfc3339(now),
            status: meta.status,
            etag: meta.etag,
            last_modified: meta.last_modified,
            content_type: meta.content_type,
        }),
    }
}

fn download_zip(
    cfg: &Config,
    src: &SourceConfig,
    req: &Request,
    record: &Path,
    client: &Client,
    spend: &mut dyn FnMut() -> Result<(), FetchError>,
) -> Result<RawEntry, FetchError> {
    let part = record.with_extension("part");
    let meta = client.download(req, &part, spend)?;
    let limits = crate::archive::ZipLimits::with_max_entry(src.http.max_response_mib.saturating_mul(4 << 20));
    let checked = fs_err::File::open(&part)
        .map_err(|e| e.to_string())
        .and_then(|f| crate::archive::check_zip(std::io::BufReader::new(f), limits));
    if let Err(message) = checked {
        // A damaged archive is not kept: the next run downloads it again.
        let _ = std::fs::remove_file(&part);
        return Err(FetchError::Archive {
            location: req.url.clone(),
            message,
        });
    }
    let (sha256, bytes) = store::adopt_file(&cfg.output_dir, &part)?;
    Ok(entry_of(src, req, sha256, bytes, meta))
}

fn progress_bar(len: u64, source: &str) -> indicatif::ProgressBar {
    // Bars only on a terminal; cron and CI get the structured log lines instead.
    if len < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_prefix(source.to_string());
    bar
}
