//! The PySpark job's sources and the HS product lists, compiled into the binary so that
//! `tradepipe indices --engine spark` runs from any directory: written out before each run.

use std::path::{Path, PathBuf};

use crate::SparkError;

const SOURCES: &[(&str, &str)] = &[
    ("run.py", include_str!("../../../spark/run.py")),
    (
        "tradepipe_spark/__init__.py",
        include_str!("../../../spark/tradepipe_spark/__init__.py"),
    ),
    (
        "tradepipe_spark/main.py",
        include_str!("../../../spark/tradepipe_spark/main.py"),
    ),
    (
        "tradepipe_spark/job.py",
        include_str!("../../../spark/tradepipe_spark/job.py"),
    ),
    (
        "tradepipe_spark/trade.py",
        include_str!("../../../spark/tradepipe_spark/trade.py"),
    ),
    (
        "tradepipe_spark/formulas.py",
        include_str!("../../../spark/tradepipe_spark/formulas.py"),
    ),
    (
        "tradepipe_spark/country.py",
        include_str!("../../../spark/tradepipe_spark/country.py"),
    ),
    (
        "tradepipe_spark/product.py",
        include_str!("../../../spark/tradepipe_spark/product.py"),
    ),
    (
        "tradepipe_spark/write.py",
        include_str!("../../../spark/tradepipe_spark/write.py"),
    ),
];

/// Writes the job under `work/job/` (and the product lists under `work/job/names/`); returns
/// the job directory.
pub fn write_job(work: &Path) -> Result<PathBuf, SparkError> {
    let dir = work.join("job");
    for (name, text) in SOURCES {
        write(&dir.join(name), text.as_bytes())?;
    }
    for (edition, gz) in tradepipe_model::product_names::embedded_lists() {
        write(
            &dir.join("names")
                .join(format!("product_codes_{edition}_V202401.csv.gz")),
            gz,
        )?;
    }
    Ok(dir)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), SparkError> {
    tradepipe_model::fsio::write_atomic(path, bytes).map_err(SparkError::from)
}
