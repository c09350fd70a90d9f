//! A small fluent harness: a pipeline in a temporary directory, run through the real binary.
//!
//! ```ignore
//! let p = Pipeline::slice().years(2010, 2012);
//! p.run(["run"]).success();
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A config and output directory in a fresh temporary directory.
pub struct Pipeline {
    pub dir: tempfile::TempDir,
    config: String,
    env: Vec<(String, String)>,
}

impl Pipeline {
    /// The China–Central Asia run on the real IMF slice in `tests/fixtures`.
    pub fn slice() -> Pipeline {
        let config = format!(
            r#"[run]
years = {{ from = 2000, to = 2020 }}
templates = "{templates}"

[[source]]
name = "imf-dots"
kind = "file"
format = "imf-dots-csv"
path = "{data}"
vintage = "IMF DOTS Excel downloads as of 2022-02-02"
description = "IMF Direction of Trade Statistics (DOTS)"

[indices]
countries = ["CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
cagr-windows = [[2010, 2020]]

[[report]]
name = "china-central-asia"
title = "China and Central Asia: trade, balances and dependence"
focus = "CHN"
partners = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
group-name = "Central Asia"
cagr-window = [2010, 2020]
"#,
            templates = repo().join("templates").display(),
            data = fixture("imf_dots_china_centralasia_majors_1992_2020.csv").display(),
        );
        Pipeline {
            dir: tempfile::tempdir().unwrap(),
            config,
            env: Vec::new(),
        }
    }

    /// A run of `config` (the whole TOML text), in a fresh temporary directory.
    pub fn with_config(config: String) -> Pipeline {
        Pipeline {
            dir: tempfile::tempdir().unwrap(),
            config,
            env: Vec::new(),
        }
    }

    /// A run of `sources` (TOML text) over `years`, with no reports: for fetch and normalize.
    pub fn with_sources(sources: &str, from: i32, to: i32) -> Pipeline {
        let config = format!(
            "[run]\nyears = {{ from = {from}, to = {to} }}\ntemplates = \"{}\"\n\n{sources}\n\n\
             [indices]\ncountries = [\"CHN\", \"USA\"]\n",
            repo().join("templates").display()
        );
        Pipeline {
            dir: tempfile::tempdir().unwrap(),
            config,
            env: Vec::new(),
        }
    }

    /// This config, run in `earlier`'s directory (to see what its runs left there).
    pub fn in_dir_of(mut self, earlier: Pipeline) -> Pipeline {
        self.dir = earlier.dir;
        self
    }

    /// This config, run on a copy of `earlier`'s output directory.
    pub fn in_dir_of_clone(self, earlier: &Pipeline) -> Pipeline {
        copy_dir(&earlier.output(), &self.output());
        self
    }

    /// Sets an environment variable for every run (the rest of the environment is inherited,
    /// except `COMTRADE_API_KEY` and `TRADEPIPE_*`, which are cleared unless set here).
    pub fn env(mut self, key: &str, value: &str) -> Pipeline {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Replaces `from` by `to` in the config text; panics if `from` does not occur.
    pub fn edit(mut self, from: &str, to: &str) -> Pipeline {
        assert!(self.config.contains(from), "config has no {from:?}");
        self.config = self.config.replacen(from, to, 1);
        self
    }

    /// Adds `text` (TOML sections) at the end of the config.
    pub fn append(mut self, text: &str) -> Pipeline {
        self.config.push_str(text);
        self
    }

    /// Replaces every `[[source]]` section with `sources` (TOML text).
    pub fn sources(mut self, sources: &str) -> Pipeline {
        let (a, b) = (
            self.config.find("[[source]]").unwrap(),
            self.config.find("[indices]").unwrap(),
        );
        self.config.replace_range(a..b, sources);
        self
    }

    /// Drops the `[[report]]` sections (for runs that only compute indices).
    pub fn without_reports(mut self) -> Pipeline {
        let at = self.config.find("[[report]]").expect("config has a report");
        self.config.truncate(at);
        self
    }

    /// Points the source at another file.
    pub fn data(self, path: &Path) -> Pipeline {
        let current = fixture("imf_dots_china_centralasia_majors_1992_2020.csv")
            .display()
            .to_string();
        self.edit(&current, &path.display().to_string())
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("pipeline.toml")
    }

    pub fn output(&self) -> PathBuf {
        self.dir.path().join("output")
    }

    pub fn report_dir(&self) -> PathBuf {
        self.output().join("reports/china-central-asia")
    }

    /// Runs `tradepipe --config <this config> ARGS...`.
    pub fn run<const N: usize>(&self, args: [&str; N]) -> Outcome {
        let out = self.command(args).output().unwrap();
        Outcome::new(out, self.dir.path().display().to_string())
    }

    /// `tradepipe --config <this config> ARGS...`, not yet started, for a test that
    /// signals the process.
    pub fn command<const N: usize>(&self, args: [&str; N]) -> Command {
        std::fs::write(self.config_path(), &self.config).unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_tradepipe"));
        c.arg("--config")
            .arg(self.config_path())
            .args(args)
            .env_remove("TRADEPIPE_OUTPUT")
            .env_remove("COMTRADE_API_KEY")
            .env_remove("TRADEPIPE_COMTRADE_URL")
            .env_remove("TRADEPIPE_IMF_URL")
            .env_remove("TRADEPIPE_WITS_URL")
            .env_remove("TRADEPIPE_BACI_URL")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("NO_COLOR", "1");
        c
    }
}

/// What a run printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    tmp: String,
}

impl Outcome {
    fn new(out: std::process::Output, tmp: String) -> Outcome {
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            tmp,
        }
    }

    pub fn success(self) -> Outcome {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn failure(self, code: i32) -> Outcome {
        assert_eq!(
            self.code, code,
            "expected exit code {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The final `error:` message with the temporary directory replaced by `[TMP]` and the
    /// repository by `[REPO]`, for snapshots.
    pub fn error_message(&self) -> String {
        let start = self.stderr.find("error: ").expect("an error line on stderr");
        self.stderr[start..]
            .trim_end()
            .replace(&self.tmp, "[TMP]")
            .replace(&repo().display().to_string(), "[REPO]")
    }
}

/// The stages a `--log-format json` run skipped, in order: (stage, report name for a report).
pub fn skipped_stages(stderr: &str) -> Vec<(String, Option<String>)> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| {
            v["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("stage skipped"))
        })
        .map(|v| {
            let stage = v["stage"].as_str().unwrap().to_owned();
            (stage, v["report"].as_str().map(str::to_owned))
        })
        .collect()
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Runs `tradepipe ARGS...` from the repository root, with no `--config`.
pub fn run_in_repo(args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_tradepipe"))
        .current_dir(repo())
        .args(args)
        .env_remove("TRADEPIPE_OUTPUT")
        .output()
        .unwrap();
    // No temporary directory to hide in messages.
    Outcome::new(out, String::from("\u{0}never"))
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A JSON file the pipeline wrote (`report.json`, `_provenance.json`, ...).
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The element of the JSON array `array` whose `key` (a field name or a position) equals
/// `want`: a report's table by `"id"`, a series by `"name"`, a row by its first cell.
pub fn item<'a, K, W>(array: &'a serde_json::Value, key: K, want: W) -> &'a serde_json::Value
where
    K: serde_json::value::Index + Copy,
    W: std::fmt::Debug + Copy,
    serde_json::Value: PartialEq<W>,
{
    array
        .as_array()
        .expect("a JSON array")
        .iter()
        .find(|e| e[key] == want)
        .unwrap_or_else(|| panic!("no element with {want:?}"))
}

/// Skips the check `test` because `why` (what is missing), where skipping is allowed: never
/// under `CI` (there it fails, naming what CI must install), and otherwise said by name on
/// stderr and recorded in `skipped-checks.txt` of the test binary's temporary directory, which
/// `make test` lists in its closing summary.
pub fn skip(test: &str, why: &str) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped-checks.txt");
    skip_to(test, why, std::env::var_os("CI").is_some(), &path);
}

/// [`skip`], with whether this is CI and the file of skipped checks given.
pub fn skip_to(test: &str, why: &str, ci: bool, path: &Path) {
    assert!(
        !ci,
        "{test}: {why}; under CI a skipped check is a failure (.ci/run installs what it needs)"
    );
    eprintln!("SKIPPED {test}: {why}");
    let line = format!("{test}: {why}\n");
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
}
