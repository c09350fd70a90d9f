//! Exit codes and error messages a user sees.

use std::io::Write;

use crate::util::{Pipeline, fixture, read_json};

/// The first `n` data lines of the real fixture, with `edit` applied to the text.
fn bad_file(
    dir: &std::path::Path,
    name: &str,
    n: usize,
    edit: impl Fn(String) -> String,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture("imf_dots_china_centralasia_majors_1992_2020.csv")).unwrap();
    let head: String = text.lines().take(n + 1).map(|l| format!("{l}\n")).collect();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(edit(head).as_bytes())
        .unwrap();
    path
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let p = Pipeline::slice();
    let out = p.run(["--help"]).success();
    insta::assert_snapshot!("help", out.stdout);
}

#[test]
fn usage_error_is_64() {
    Pipeline::slice().run(["frobnicate"]).failure(64);
}

#[test]
fn unknown_config_key_is_78_and_named() {
    let p = Pipeline::slice().edit("[indices]", "[indices]\ncolour = \"red\"");
    let out = p.run(["run"]).failure(78);
    insta::assert_snapshot!("config_unknown_key", out.error_message());
}

#[test]
fn missing_source_file_is_66() {
    let dir = tempfile::tempdir().unwrap();
    let p = Pipeline::slice().data(&dir.path().join("nowhere.csv"));
    let out = p.run(["run"]).failure(66);
    assert!(
        out.error_message().contains("nowhere.csv"),
        "{}",
        out.error_message()
    );
}

#[test]
fn unknown_country_name_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = bad_file(dir.path(), "bad-country.csv", 30, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        lines[12] = lines[12].replacen("Australia", "Atlantis", 1);
        lines.join("\n") + "\n"
    });
    let p = Pipeline::slice().data(&path).edit("from = 2000", "from = 1992");
    let out = p.run(["run"]).failure(65);
    let msg = out
        .error_message()
        .replace(&dir.path().display().to_string(), "[DATA]");
    insta::assert_snapshot!("unknown_country", msg);
}

#[test]
fn malformed_number_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = bad_file(dir.path(), "bad-number.csv", 10, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        lines[7] = lines[7].replacen(",False", "x,False", 1);
        lines.join("\n") + "\n"
    });
    let out = Pipeline::slice().data(&path).run(["normalize"]);
    // normalize needs fetch first: that is its own, documented error.
    out.failure(66);
    let p = Pipeline::slice().data(&path);
    let out = p.run(["run"]).failure(65);
    let msg = out.error_message();
    assert!(
        msg.contains("line 8") && msg.contains("\"value_usd_mn\""),
        "{msg}"
    );
}

#[test]
fn missing_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = bad_file(dir.path(), "bad-header.csv", 5, |t| {
        t.replacen("is_estimate", "estimated", 1)
    });
    let out = Pipeline::slice().data(&path).run(["run"]).failure(65);
    assert!(
        out.error_message()
            .contains("header lacks column \"is_estimate\""),
        "{}",
        out.error_message()
    );
}

#[test]
fn failed_normalize_keeps_previous_output() {
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let part = p.output().join("parquet/trade/year=2010/part-0.parquet");
    let before = std::fs::read(&part).unwrap();
    let report_before = std::fs::read(p.report_dir().join("report.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = bad_file(dir.path(), "bad-flow.csv", 40, |t| t.replace("M_CIF", "M_XYZ"));
    let p = p.data(&path);
    let out = p.run(["run"]).failure(65);
    assert!(
        out.error_message().contains("unknown flow"),
        "{}",
        out.error_message()
    );
    assert_eq!(
        std::fs::read(&part).unwrap(),
        before,
        "a failed run damaged the last good table"
    );
    assert_eq!(
        std::fs::read(p.report_dir().join("report.md")).unwrap(),
        report_before
    );
}

#[test]
fn indices_before_normalize_is_66() {
    let out = Pipeline::slice().run(["indices"]).failure(66);
    assert!(
        out.error_message().contains("run `tradepipe normalize` first"),
        "{}",
        out.error_message()
    );
}

#[test]
fn validate_checks_templates_without_running() {
    let p = Pipeline::slice();
    let out = p.run(["validate"]).success();
    assert!(out.stdout.contains("are valid"), "{}", out.stdout);
    assert!(!p.output().exists(), "validate wrote output");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.html"), "{% for x in %}").unwrap();
    std::fs::write(dir.path().join("report.md"), "ok").unwrap();
    let templates = crate::util::repo().join("templates").display().to_string();
    let p = Pipeline::slice().edit(&templates, &dir.path().display().to_string());
    let out = p.run(["validate"]).failure(78);
    assert!(
        out.error_message().contains("report.html"),
        "{}",
        out.error_message()
    );
}

#[test]
fn json_logs_are_one_object_per_line_with_a_summary() {
    let p = Pipeline::slice();
    let out = p.run(["--log-format", "json", "run"]).success();
    let lines: Vec<serde_json::Value> = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["status"], "ok", "{last}");
    assert_eq!(last["command"], "run");
    assert!(
        lines.iter().any(|l| l["stage"] == "indices"),
        "stage lines present"
    );
}

#[test]
fn overlapping_run_exits_75_naming_the_holder() {
    let p = Pipeline::slice();
    std::fs::create_dir_all(p.output()).unwrap();
    let lock = std::fs::File::create(p.output().join(".tradepipe.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(
        p.output().join(".tradepipe.lock"),
        "pid 4242 running `tradepipe run`",
    )
    .unwrap();
    let out = p.run(["run"]).failure(75);
    assert!(
        out.error_message().contains("pid 4242 running `tradepipe run`"),
        "{}",
        out.error_message()
    );
    drop(lock);
    p.run(["run"]).success();
}

#[test]
fn manifest_lists_every_output_file_and_orphans_are_removed() {
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let orphan = p.output().join("parquet/trade/year=2010/.tradepipe-tmp-abc123");
    std::fs::write(&orphan, b"half a file").unwrap();
    p.run(["report"]).success();
    assert!(!orphan.exists(), "leftover temporary file was not removed");
    let m: serde_json::Value = read_json(&p.output().join("manifest.json"));
    assert_eq!(m["command"], "report");
    let files = m["files"].as_array().unwrap();
    let listed: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for must in [
        "parquet/trade/year=2010/part-0.parquet",
        "parquet/indices/bilateral/year=2020/part-0.parquet",
        "reports/china-central-asia/index.html",
        "raw/manifest.json",
    ] {
        assert!(listed.contains(&must), "{must} not in manifest");
    }
    assert!(
        !listed.iter().any(|f| f.contains(".tradepipe")),
        "lock or temporary files listed"
    );
    for f in files {
        let path = p.output().join(f["path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            f["bytes"].as_u64().unwrap(),
            bytes.len() as u64,
            "{}",
            path.display()
        );
        use tradepipe_model::hash::{Digest, Sha256, hex};
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            hex(&Sha256::digest(&bytes)),
            "{}",
            path.display()
        );
    }
    // The digest cache the next run starts from agrees with the manifest, file by file
    // (matched by inode and size, as the cache keys them).
    let cache = std::fs::read_to_string(p.output().join(".tradepipe-digests.tsv")).unwrap();
    let cached: std::collections::HashMap<(u64, u64), &str> = cache
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            ((f[1].parse().unwrap(), f[2].parse().unwrap()), f[8])
        })
        .collect();
    let mut checked = 0;
    for f in files {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(p.output().join(f["path"].as_str().unwrap())).unwrap();
        if let Some(digest) = cached.get(&(meta.ino(), meta.len())) {
            assert_eq!(*digest, f["sha256"].as_str().unwrap(), "{}", f["path"]);
            checked += 1;
        }
    }
    assert_eq!(checked, files.len(), "every listed file is in the digest cache");
}

#[test]
fn unwritable_output_is_73_and_validate_sees_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let out_dir = blocker.join("output");
    let p = Pipeline::slice();
    let out = p
        .run(["--output", out_dir.to_str().unwrap(), "validate"])
        .failure(73);
    assert!(
        out.error_message().contains("a-file/output"),
        "{}",
        out.error_message()
    );
    p.run(["--output", out_dir.to_str().unwrap(), "run"]).failure(73);
    // A missing source is found by validate too.
    let p = Pipeline::slice().data(&dir.path().join("nowhere.csv"));
    assert!(
        p.run(["validate"])
            .failure(66)
            .error_message()
            .contains("nowhere.csv")
    );
}

#[test]
fn freshness_warns_and_fails_by_the_configured_lags() {
    let p = Pipeline::slice().edit(
        "description = \"IMF Direction of Trade Statistics (DOTS)\"",
        "description = \"IMF Direction of Trade Statistics (DOTS)\"\nwarn-lag-years = 2\nerror-lag-years = 5",
    );
    p.run(["freshness"]).failure(66);
    p.run(["normalize"]).failure(66); // needs fetch first
    p.run(["run"]).success();
    // The slice ends in 2020.
    let out = p.run(["freshness", "--as-of", "2022"]).success();
    assert!(
        out.stdout
            .contains("imf-dots: last year 2020, 2 years behind 2022: Fresh"),
        "{}",
        out.stdout
    );
    p.run(["freshness", "--as-of", "2023"]).failure(2);
    let out = p.run(["freshness", "--as-of", "2026"]).failure(1);
    assert!(
        out.error_message()
            .contains("imf-dots older than allowed (error-lag-years threshold)"),
        "{}",
        out.error_message()
    );
}

/// Log lines written to a pipe (cron mail, CI logs) carry no ANSI colour codes, with or
/// without `NO_COLOR`.
#[test]
fn logs_to_a_pipe_are_plain_text() {
    let p = crate::util::Pipeline::slice().without_reports();
    let out = p.command(["fetch"]).env_remove("NO_COLOR").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("source stored"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "ANSI codes in a pipe: {stderr:?}");
}

/// Each command needs only the sections it reads: `fetch` and `normalize` run without
/// `[indices]`, `indices` names the missing section, and `run` with no `[[report]]` needs no
/// templates directory.
#[test]
fn commands_need_only_the_sections_they_read() {
    let source = format!(
        "[run]\nyears = {{ from = 2010, to = 2012 }}\ntemplates = \"no-such-dir\"\n\n[[source]]\nname = \"imf\"\nkind = \"file\"\nformat = \"imf-dots-csv\"\npath = \"{}\"\nvintage = \"test\"\n",
        crate::util::fixture("imf_dots_china_centralasia_majors_1992_2020.csv").display()
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("p.toml");
    let run = |text: &str, args: &[&str]| {
        std::fs::write(&config, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tradepipe"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run(&source, &["fetch"]).0, Some(0), "fetch without [indices]");
    assert_eq!(
        run(&source, &["normalize"]).0,
        Some(0),
        "normalize without [indices]"
    );
    let (code, stderr) = run(&source, &["indices"]);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(
        stderr.contains("[indices] is required for the indices stage, which `tradepipe indices` runs"),
        "{stderr}"
    );
    let with_indices = format!("{source}\n[indices]\ncountries = [\"CHN\", \"KAZ\"]\n");
    let (code, stderr) = run(&with_indices, &["run"]);
    assert_eq!(
        code,
        Some(0),
        "run with no [[report]] and no templates directory: {stderr}"
    );
    assert!(stderr.contains("no [[report]] configured"), "{stderr}");
}

/// A check that cannot run is skipped by name, and `make test`'s closing line lists it; under
/// CI a skip fails the test instead (issue 26, point 1).
#[test]
fn skipped_checks_are_named_in_the_summary_and_fail_under_ci() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skipped-checks.txt");
    let summary = || {
        let out = std::process::Command::new("bash")
            .arg(crate::util::repo().join("scripts/skipped-summary.sh"))
            .arg(&file)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(summary(), "make test: no check skipped\n");
    crate::util::skip_to("browser_check", "no Chromium", false, &file);
    crate::util::skip_to("duckdb_check", "no .venv", false, &file);
    assert_eq!(
        summary(),
        "make test: 2 check(s) skipped:\n  browser_check: no Chromium\n  duckdb_check: no .venv\n"
    );
    let under_ci =
        std::panic::catch_unwind(|| crate::util::skip_to("browser_check", "no Chromium", true, &file));
    let message = under_ci.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("under CI a skipped check is a failure"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().lines().count(),
        2,
        "not recorded as a skip"
    );
}
