//! The documented ways to run tradepipe unattended, exercised as written: the example
//! crontab line (in cron's bare environment) and the yearly-report CI job's script.

use std::process::Command;

use crate::util::{Pipeline, repo};

#[test]
fn the_example_crontab_line_runs_in_a_bare_environment() {
    let text = std::fs::read_to_string(repo().join("examples/crontab")).unwrap();
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .expect("a crontab entry");
    let fields: Vec<&str> = line.split_whitespace().collect();
    // minute hour day-of-month month day-of-week, each a number in range or `*`.
    for (f, max) in fields[..5].iter().zip([59, 23, 31, 12, 7]) {
        assert!(
            *f == "*" || f.parse::<u32>().is_ok_and(|n| n <= max),
            "bad field {f:?} in {line}"
        );
    }
    let command = fields[5..].join(" ");
    assert!(command.contains("--log-format json run"), "{command}");

    let p = Pipeline::slice();
    p.run(["validate"]).success(); // writes the config into the run directory
    let log = p.dir.path().join("run.log");
    let command = command
        .replace("cd /srv/tradepipe", &format!("cd {}", p.dir.path().display()))
        .replace(
            "./target/debug/tradepipe",
            &format!("{} --config pipeline.toml", env!("CARGO_BIN_EXE_tradepipe")),
        )
        .replace("/var/log/tradepipe/run.log", &log.display().to_string());
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(&command)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
    let log = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["status"], "ok", "{log}");
    assert_eq!(last["command"], "run");
    assert!(p.report_dir().join("index.html").exists());
}

#[test]
fn the_yearly_report_job_gathers_an_artifact() {
    let workflow = std::fs::read_to_string(repo().join("examples/github-actions-yearly-report.yml")).unwrap();
    assert!(
        workflow.contains("run: scripts/yearly-report.sh artifact"),
        "the workflow runs the script"
    );
    assert!(
        workflow.contains("path: artifact/"),
        "and publishes what it gathers"
    );

    let p = Pipeline::slice();
    p.run(["validate"]).success();
    let artifact = p.dir.path().join("artifact");
    let out = Command::new("bash")
        .arg(repo().join("scripts/yearly-report.sh"))
        .arg(&artifact)
        .current_dir(p.dir.path())
        .env("TRADEPIPE", env!("CARGO_BIN_EXE_tradepipe"))
        .env("CONFIG", p.config_path())
        .env_remove("TRADEPIPE_OUTPUT")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for f in [
        "reports/china-central-asia/index.html",
        "reports/china-central-asia/report.md",
        "manifest.json",
        "run.log.jsonl",
        "freshness.txt",
    ] {
        assert!(artifact.join(f).is_file(), "artifact lacks {f}");
    }
    // The slice ends in 2020: freshness says how far behind it is, without failing the job.
    let fresh = std::fs::read_to_string(artifact.join("freshness.txt")).unwrap();
    assert!(fresh.contains("last year 2020"), "{fresh}");
}
