//! One polite HTTP client per source: a rate limit (governor), retries with full-jitter
//! backoff on transient failures, `Retry-After` honoured up to a cap, a size cap, and body
//! validation before anything is returned.

use std::io::Write;
use std::num::NonZeroU32;
use std::path::Path;
use std::time::{Duration, SystemTime};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::StatusCode;
use reqwest::blocking::{Client as Reqwest, RequestBuilder, Response};
use reqwest::header::{self, HeaderMap};
use tradepipe_model::config::HttpPolicy;

use super::retry::{full_jitter, is_retryable, parse_retry_after};
use super::validate::{self, BodyProblem, Payload};
use crate::FetchError;
use crate::secret::{Redactor, Secret};

/// One planned request. `url` never holds a secret; secrets travel in `secret_headers`.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub secret_headers: Vec<(&'static str, Secret)>,
    pub payload: Payload,
    /// What the request is for, in progress lines ("CHN 2010").
    pub label: String,
}

/// Response metadata kept in the cache record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseMeta {
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
}

/// What one attempt came to, when it did not succeed.
enum Failure {
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    Fatal(FetchError),
}

/// What a conditional GET found.
pub enum Got {
    Body(Vec<u8>, ResponseMeta),
    NotModified,
}

pub struct Client {
    http: Reqwest,
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
    policy: HttpPolicy,
    redactor: Redactor,
    max_bytes: u64,
}

/// `User-Agent` of every request: services ask clients to say who they are.
const USER_AGENT: &str = concat!(
    "tradepipe/",
    env!("CARGO_PKG_VERSION"),
    " (bilateral trade statistics pipeline)"
);

impl Client {
    pub fn new(policy: &HttpPolicy, default_rpm: u32, redactor: Redactor) -> Result<Client, FetchError> {
        let rpm = NonZeroU32::new(policy.requests_per_minute.unwrap_or(default_rpm).max(1)).expect("max(1)");
        // No burst: requests are spread evenly over the minute.
        let quota = Quota::per_minute(rpm).allow_burst(NonZeroU32::MIN);
        let http = Reqwest::builder()
            .user_agent(USER_AGENT)
            .timeout(Duration::from_secs(policy.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(30.min(policy.timeout_secs.max(1))))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Client {
            http,
            limiter: RateLimiter::direct(quota),
            clock: DefaultClock::default(),
            policy: policy.clone(),
            redactor,
            max_bytes: policy.max_response_mib.saturating_mul(1 << 20),
        })
    }

    fn wait_for_slot(&self) {
        while let Err(not_until) = self.limiter.check() {
            std::thread::sleep(not_until.wait_time_from(self.clock.now()));
        }
    }

    fn builder(&self, req: &Request) -> RequestBuilder {
        let mut b = self.http.get(&req.url);
        for (name, value) in &req.secret_headers {
            let mut v =
                header::HeaderValue::from_str(value.expose()).unwrap_or(header::HeaderValue::from_static(""));
            v.set_sensitive(true);
            b = b.header(*name, v);
        }
        b
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries run out. `spend` is
    /// called before every call that goes on the wire (the daily budget).
    fn with_retries<T>(
        &self,
        req: &Request,
        spend: &mut dyn FnMut() -> Result<(), FetchError>,
        mut attempt: impl FnMut() -> Result<T, Failure>,
    ) -> Result<T, FetchError> {
        let mut last = String::new();
        for n in 0..=self.policy.max_retries {
            self.wait_for_slot();
            spend()?;
            match attempt() {
                Ok(v) => return Ok(v),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Transient { reason, retry_after }) => {
                    last = self.redactor.scrub(&reason);
                    if n == self.policy.max_retries {
                        break;
                    }
                    let wait = match retry_after {
                        Some(w) if w.as_secs() > self.policy.retry_after_cap_secs => {
                            return Err(FetchError::RetryAfterTooLong {
                                url: req.url.clone(),
                                wait_secs: w.as_secs(),
                                cap_secs: self.policy.retry_after_cap_secs,
                            });
                        }
                        Some(w) => w,
                        None => full_jitter(
                            n,
                            Duration::from_millis(self.policy.backoff_base_ms),
                            Duration::from_millis(self.policy.backoff_max_ms),
                        ),
                    };
                    tracing::warn!(url = %req.url, attempt = n + 1, wait_ms = wait.as_millis() as u64, reason = %last, "retrying");
                    std::thread::sleep(wait);
                }
            }
        }
        Err(FetchError::GaveUp {
            url: req.url.clone(),
            attempts: self.policy.max_retries + 1,
            last,
        })
    }

    /// Classifies a response's status; `Ok` for 2xx (and 206/304, which callers handle).
    fn triage(&self, req: &Request, resp: Response) -> Result<Response, Failure> {
        let status = resp.status();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(resp);
        }
        let code = status.as_u16();
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = resp.bytes().map(|b| b.to_vec()).unwrap_or_default();
        let start = self.redactor.scrub(&validate::body_start(&body, 200));
        if is_retryable(code) {
            return Err(Failure::Transient {
                reason: format!("status {code}: {start}"),
                retry_after,
            });
        }
        Err(Failure::Fatal(FetchError::Status {
            url: req.url.clone(),
            status: code,
            body_start: start,
        }))
    }

    fn transport(&self, e: reqwest::Error) -> Failure {
        // Connect errors, timeouts and bodies cut short are all worth another try.
        Failure::Transient {
            reason: self.redactor.scrub(&error_chain(&e)),
            retry_after: None,
        }
    }

    /// GETs `req`'s body into memory and validates it. With `validators` (ETag,
    /// Last-Modified of a cached copy) the request is conditional and may come back
    /// [`Got::NotModified`].
    pub fn get(
        &self,
        req: &Request,
        validators: Option<(&Option<String>, &Option<String>)>,
        spend: &mut dyn FnMut() -> Result<(), FetchError>,
    ) -> Result<Got, FetchError> {
        self.with_retries(req, spend, || {
            let mut b = self.builder(req);
            if let Some((etag, modified)) = validators {
                if let Some(e) = etag {
                    b = b.header(header::IF_NONE_MATCH, e);
                }
                if let Some(m) = modified {
                    b = b.header(header::IF_MODIFIED_SINCE, m);
                }
            }
            let resp = self.triage(req, b.send().map_err(|e| self.transport(e))?)?;
            if resp.status() == StatusCode::NOT_MODIFIED {
                return Ok(Got::NotModified);
            }
            let meta = meta_of(resp.status(), resp.headers());
            let declared = resp.content_length();
            if let Some(n) = declared.filter(|&n| n > self.max_bytes) {
                return Err(Failure::Fatal(self.too_large(req, n)));
            }
            let mut body = Vec::new();
            let mut limited = std::io::Read::take(resp, self.max_bytes + 1);
            std::io::Read::read_to_end(&mut limited, &mut body).map_err(|e| Failure::Transient {
                reason: format!(
                    "body cut short after {} bytes: {}",
                    body.len(),
                    self.redactor.scrub(&e.to_string())
                ),
                retry_after: None,
            })?;
            if body.len() as u64 > self.max_bytes {
                return Err(Failure::Fatal(self.too_large(req, body.len() as u64)));
            }
            if let Some(n) = declared.filter(|&n| n != body.len() as u64) {
                return Err(Failure::Transient {
                    reason: format!("Content-Length says {n} bytes, {} arrived", body.len()),
                    retry_after: None,
                });
            }
            match validate::check(req.payload, &body) {
                Ok(()) => Ok(Got::Body(body, meta)),
                Err(BodyProblem::RecordCap(cap)) => Err(Failure::Fatal(FetchError::RecordCap {
                    url: req.url.clone(),
                    cap,
                })),
                Err(BodyProblem::Invalid(reason)) => Err(Failure::Fatal(FetchError::InvalidBody {
                    url: req.url.clone(),
                    status: meta.status,
                    reason: self.redactor.scrub(&reason),
                    body_start: self.redactor.scrub(&validate::body_start(&body, 200)),
                })),
            }
        })
    }

    fn too_large(&self, req: &Request, bytes: u64) -> FetchError {
        FetchError::TooLarge {
            url: req.url.clone(),
            bytes,
            limit: self.max_bytes,
        }
    }

    /// Downloads `req` into `part`, resuming from what `part` already holds with a `Range`
    /// request (guarded by `If-Range` with the validator the partial download started
    /// with), so an interrupted bulk download does not start over.
    pub fn download(
        &self,
        req: &Request,
        part: &Path,
        spend: &mut dyn FnMut() -> Result<(), FetchError>,
    ) -> Result<ResponseMeta, FetchError> {
        let io = |e: std::io::Error| {
            Failure::Fatal(FetchError::Write(tradepipe_model::fsio::WriteError {
                path: part.to_path_buf(),
                source: e,
            }))
        };
        let validator_path = part.with_extension("part.validator");
        self.with_retries(req, spend, || {
            let have = std::fs::metadata(part).map_or(0, |m| m.len());
            let validator = std::fs::read_to_string(&validator_path).ok();
            let mut b = self.builder(req);
            if have > 0 {
                if let Some(v) = &validator {
                    b = b
                        .header(header::RANGE, format!("bytes={have}-"))
                        .header(header::IF_RANGE, v.trim());
                }
            }
            let mut resp = self.triage(req, b.send().map_err(|e| self.transport(e))?)?;
            let meta = meta_of(resp.status(), resp.headers());
            let resumed = resp.status() == StatusCode::PARTIAL_CONTENT;
            let expected_total = if resumed {
                content_range_total(resp.headers())
            } else {
                resp.content_length()
            };
            if let Some(n) = expected_total.filter(|&n| n > self.max_bytes) {
                return Err(Failure::Fatal(self.too_large(req, n)));
            }
            if let Some(dir) = part.parent() {
                fs_err::create_dir_all(dir).map_err(io)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(resumed)
                .write(true)
                .truncate(!resumed)
                .open(part)
                .map_err(io)?;
            if !resumed {
                // A fresh start: remember what this download is of, for a later resume.
                match meta.etag.as_ref().or(meta.last_modified.as_ref()) {
                    Some(v) => fs_err::write(&validator_path, v).map_err(io)?,
                    None => {
                        let _ = std::fs::remove_file(&validator_path);
                    }
                }
            }
            let copied = resp.copy_to(&mut file);
            file.flush().map_err(io)?;
            file.sync_all().map_err(io)?;
            let now = std::fs::metadata(part).map_or(0, |m| m.len());
            if let Err(e) = copied {
                return Err(Failure::Transient {
                    reason: format!(
                        "download cut short at {now} bytes ({}); will resume",
                        error_chain(&e)
                    ),
                    retry_after: None,
                });
            }
            if now > self.max_bytes {
                return Err(Failure::Fatal(self.too_large(req, now)));
            }
            if let Some(total) = expected_total.filter(|&t| t != now) {
                return Err(Failure::Transient {
                    reason: format!("download has {now} of {total} bytes; will resume"),
                    retry_after: None,
                });
            }
            let _ = std::fs::remove_file(&validator_path);
            Ok(meta)
        })
    }
}

fn meta_of(status: StatusCode, h: &HeaderMap) -> ResponseMeta {
    let text = |name| {
        h.get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    ResponseMeta {
        status: status.as_u16(),
        etag: text(header::ETAG),
        last_modified: text(header::LAST_MODIFIED),
        content_type: text(header::CONTENT_TYPE),
    }
}

/// The total of `Content-Range: bytes a-b/total`.
fn content_range_total(h: &HeaderMap) -> Option<u64> {
    h.get(header::CONTENT_RANGE)?
        .to_str()
        .ok()?
        .rsplit('/')
        .next()?
        .parse()
        .ok()
}

/// An error and its causes on one line (reqwest hides the useful part in `source()`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
