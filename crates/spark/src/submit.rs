//! Finding `spark-submit` and running the job through it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::SparkError;

/// How to reach Spark.
#[derive(Debug, Clone)]
pub struct SparkOptions {
    /// `--master`: `local[*]` (default), `local[2]`, `spark://host:7077`, `yarn`, ...
    pub master: String,
    /// The directory of `pipeline.toml`, whose `.venv/bin/` is searched for `spark-submit`.
    pub project: PathBuf,
}

/// The `spark-submit` to run: `$SPARK_HOME/bin/spark-submit`, else the first on `PATH`, else
/// the one `pip install pyspark` put in the project's `.venv/bin/` (beside `pipeline.toml`, or
/// in the working directory).
pub fn find_spark_submit(project: &Path) -> Result<PathBuf, SparkError> {
    let mut searched = Vec::new();
    let mut candidates = Vec::new();
    if let Some(home) = std::env::var_os("SPARK_HOME") {
        candidates.push(PathBuf::from(home).join("bin/spark-submit"));
        searched.push("$SPARK_HOME/bin".to_string());
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("spark-submit")));
        searched.push("PATH".to_string());
    }
    let here = Path::new(".");
    let dirs = if project == here {
        vec![here]
    } else {
        vec![project, here]
    };
    for dir in dirs {
        let venv = dir.join(".venv/bin");
        searched.push(venv.display().to_string());
        candidates.push(venv.join("spark-submit"));
    }
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| SparkError::NotInstalled {
            searched: searched.join(", "),
        })
}

fn check_java() -> Result<(), SparkError> {
    let java = std::env::var_os("JAVA_HOME")
        .map(|h| PathBuf::from(h).join("bin/java"))
        .unwrap_or_else(|| PathBuf::from("java"));
    match Command::new(&java)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(SparkError::NoJava {
            message: format!("{} -version exited with {s}", java.display()),
        }),
        Err(e) => Err(SparkError::NoJava {
            message: format!("{}: {e}", java.display()),
        }),
    }
}

/// Runs `run_py --job spec` on Spark, its output to `log`. Extra `spark-submit` arguments come
/// from `TRADEPIPE_SPARK_SUBMIT_ARGS` (split on whitespace: `--driver-memory 8g`, `--conf k=v`).
pub fn submit(opts: &SparkOptions, run_py: &Path, spec: &Path, log: &Path) -> Result<(), SparkError> {
    let program = find_spark_submit(&opts.project)?;
    check_java()?;
    let log_file = fs_err::File::create(log).map_err(|source| SparkError::Io {
        path: log.to_path_buf(),
        source,
    })?;
    let err_file = log_file.try_clone().map_err(|source| SparkError::Io {
        path: log.to_path_buf(),
        source,
    })?;
    let mut cmd = Command::new(&program);
    cmd.arg("--master").arg(&opts.master);
    cmd.args(["--name", "tradepipe indices", "--conf", "spark.ui.enabled=false"]);
    if opts.master.starts_with("local") {
        // One machine: a few shuffle partitions, not the cluster default of 200, and a driver
        // large enough for a year of BACI (the driver is the executor here).
        cmd.args([
            "--conf",
            "spark.sql.shuffle.partitions=8",
            "--driver-memory",
            "4g",
        ]);
    }
    if let Ok(extra) = std::env::var("TRADEPIPE_SPARK_SUBMIT_ARGS") {
        cmd.args(extra.split_whitespace());
    }
    // The Python of the venv that holds pyspark, where spark-submit is that venv's.
    if std::env::var_os("PYSPARK_PYTHON").is_none()
        && let Some(python) = program.parent().map(|d| d.join("python")).filter(|p| p.is_file())
    {
        cmd.env("PYSPARK_PYTHON", python);
    }
    cmd.arg(run_py).arg("--job").arg(spec);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(log_file.into_parts().0))
        .stderr(Stdio::from(err_file.into_parts().0));
    tracing::info!(program = %program.display(), master = %opts.master, log = %log.display(), "running the index stage on Spark");
    let status = cmd.status().map_err(|source| SparkError::Spawn {
        program: program.clone(),
        source,
    })?;
    if status.success() {
        return Ok(());
    }
    let text = fs_err::read_to_string(log).unwrap_or_default();
    if status.code() == Some(65)
        && let Some(line) = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("tradepipe-spark: "))
    {
        return Err(SparkError::Data {
            message: line.to_owned(),
            log: log.to_path_buf(),
        });
    }
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(15)..].join("\n");
    Err(SparkError::Failed {
        status: status.to_string(),
        log: log.to_path_buf(),
        tail,
    })
}
