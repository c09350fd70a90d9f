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
        "tradepipe_spark/complexity.py",
        include_str!("../../../spark/tradepipe_spark/complexity.py"),
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

#[cfg(test)]
mod tests {
    use super::SOURCES;

    /// A module added to `spark/` but not here would be missing from every run's job.
    #[test]
    fn every_source_of_the_job_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spark");
        let mut on_disk = vec!["run.py".to_string()];
        for entry in std::fs::read_dir(root.join("tradepipe_spark")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".py") {
                on_disk.push(format!("tradepipe_spark/{name}"));
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = SOURCES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }
}
