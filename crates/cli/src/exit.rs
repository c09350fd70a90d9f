//! The one place where errors become exit codes (sysexits.h values).

use std::process::ExitCode;

/// Exit statuses of `tradepipe`, listed in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    Ok = 0,
    /// A check failed: a reproduced value outside its tolerance without an explanation, or a
    /// source older than its error-lag-years.
    CheckFailed = 1,
    /// A source is older than its warn-lag-years.
    CheckWarning = 2,
    /// EX_USAGE: bad arguments.
    Usage = 64,
    /// EX_DATAERR: input data that cannot be normalized.
    Data = 65,
    /// EX_NOINPUT: a stage's input is missing (or, offline, not in the cache).
    NoInput = 66,
    /// EX_UNAVAILABLE: a source refused the request, answered with an error or invalid data,
    /// or kept failing after every retry.
    Unavailable = 69,
    /// EX_SOFTWARE: an internal inconsistency.
    Software = 70,
    /// EX_CANTCREAT: an output cannot be written.
    CantCreate = 73,
    /// EX_TEMPFAIL: another run holds the output directory, a source asked to wait longer
    /// than allowed, or the daily call budget is spent; try again later.
    TempFail = 75,
    /// EX_CONFIG: the configuration or a template is invalid.
    Config = 78,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

/// Every way a command can fail.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] tradepipe_model::ConfigError),
    #[error(transparent)]
    Fetch(#[from] tradepipe_fetch::FetchError),
    #[error(transparent)]
    Normalize(#[from] tradepipe_normalize::NormalizeError),
    #[error(transparent)]
    Indices(#[from] tradepipe_indices::IndicesError),
    #[error(transparent)]
    Spark(#[from] tradepipe_spark::SparkError),
    #[error(transparent)]
    Report(#[from] tradepipe_report::ReportError),
    #[error(transparent)]
    Input(#[from] tradepipe_contract::InputError),
    #[error(transparent)]
    Provenance(#[from] tradepipe_contract::ProvenanceError),
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    #[error("cannot remove leftover temporary files under {path}: {source}")]
    Cleanup {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Output(#[from] tradepipe_model::fsio::WriteError),
    #[error("{sources} older than allowed ({which} threshold)", which = if *error { "error-lag-years" } else { "warn-lag-years" })]
    Stale { sources: String, error: bool },
    #[error("{count} reproduced value(s) outside tolerance without an explanation; see {path}")]
    Mismatch { count: usize, path: std::path::PathBuf },
}

impl CliError {
    pub fn status(&self) -> ExitStatus {
        use tradepipe_contract::InputError as I;
        use tradepipe_contract::ManifestError as M;
        use tradepipe_contract::ProvenanceError as P;
        use tradepipe_fetch::FetchError as F;
        use tradepipe_normalize::NormalizeError as N;
        use tradepipe_report::ReportError as R;
        let fetch = |e: &F| match e {
            F::ReadSource { .. } | F::NotCached { .. } => ExitStatus::NoInput,
            F::Write(_) => ExitStatus::CantCreate,
            // A refused key is the user's to fix, like any other setting.
            F::Status {
                status: 401 | 403, ..
            } => ExitStatus::Config,
            F::Status { .. }
            | F::InvalidBody { .. }
            | F::RecordCap { .. }
            | F::TooLarge { .. }
            | F::GaveUp { .. }
            | F::Archive { .. } => ExitStatus::Unavailable,
            F::RetryAfterTooLong { .. } | F::BudgetExhausted { .. } => ExitStatus::TempFail,
            F::Client(_) => ExitStatus::Software,
        };
        match self {
            CliError::Config(_) => ExitStatus::Config,
            CliError::Mismatch { .. } => ExitStatus::CheckFailed,
            CliError::Stale { error: true, .. } => ExitStatus::CheckFailed,
            CliError::Stale { error: false, .. } => ExitStatus::CheckWarning,
            CliError::Lock(crate::lock::LockError::Held { .. }) => ExitStatus::TempFail,
            CliError::Lock(_) | CliError::Cleanup { .. } | CliError::Output(_) => ExitStatus::CantCreate,
            CliError::Fetch(e) => fetch(e),
            CliError::Input(e) => match e {
                I::Manifest(M::Missing { .. }) | I::Digest(_) => ExitStatus::NoInput,
                I::Manifest(M::Unreadable { .. }) => ExitStatus::Data,
            },
            CliError::Provenance(e) => match e {
                P::Missing { .. } => ExitStatus::NoInput,
                P::Unreadable { .. } => ExitStatus::Data,
            },
            CliError::Normalize(e) => match e {
                N::Nomenclature(tradepipe_model::nomenclature::NomenclatureError::Read { .. }) => {
                    ExitStatus::NoInput
                }
                N::Nomenclature(_) => ExitStatus::Data,
                N::Read { .. }
                | N::MissingColumn { .. }
                | N::BadValue { .. }
                | N::Rejected { .. }
                | N::ConflictingDuplicate { .. } => ExitStatus::Data,
                N::Write(_) | N::ParquetIo(_) => ExitStatus::CantCreate,
                N::Parquet { .. } => ExitStatus::Software,
            },
            CliError::Indices(e) => indices_status(e),
            CliError::Spark(e) => spark_status(e),
            CliError::Report(e) => match e {
                R::Tables(t) => tables_status(t),
                R::Template { .. } | R::Spec(_) => ExitStatus::Config,
                R::Write(_) | R::Chart { .. } | R::Export { .. } | R::Remove(_) => ExitStatus::CantCreate,
            },
        }
    }
}

fn tables_status(e: &tradepipe_tables::TablesError) -> ExitStatus {
    use tradepipe_tables::TablesError as T;
    match e {
        T::Meta { .. } => ExitStatus::NoInput,
        T::Schema { .. } => ExitStatus::Data,
        T::Parquet(tradepipe_parquet::ParquetError::Read { .. }) => ExitStatus::NoInput,
        T::Parquet(_) => ExitStatus::CantCreate,
    }
}

fn indices_status(e: &tradepipe_indices::IndicesError) -> ExitStatus {
    use tradepipe_indices::IndicesError as I;
    match e {
        I::NoInput { .. } | I::Meta { .. } => ExitStatus::NoInput,
        I::Schema { .. } | I::MixedRevisions(_) => ExitStatus::Data,
        I::Parquet(tradepipe_parquet::ParquetError::Read { .. }) => ExitStatus::NoInput,
        I::Parquet(_) | I::Write(_) => ExitStatus::CantCreate,
    }
}

fn spark_status(e: &tradepipe_spark::SparkError) -> ExitStatus {
    use tradepipe_contract::ProvenanceError as P;
    use tradepipe_spark::SparkError as S;
    match e {
        S::NotInstalled { .. } | S::NoJava { .. } => ExitStatus::Unavailable,
        S::NoInput { .. } | S::Population(_) | S::Provenance(P::Missing { .. }) => ExitStatus::NoInput,
        S::Data { .. } | S::Provenance(P::Unreadable { .. }) => ExitStatus::Data,
        S::Failed { .. } | S::Spawn { .. } | S::Result { .. } => ExitStatus::Software,
        S::Write(_) | S::Io { .. } => ExitStatus::CantCreate,
    }
}

/// The error and its causes, one per line, for the final stderr message.
pub fn render_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let msg = c.to_string();
        if !s.contains(&msg) {
            s.push_str("\n  caused by: ");
            s.push_str(&msg);
        }
        cur = c.source();
    }
    s
}
