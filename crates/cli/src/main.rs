//! `tradepipe`: parse arguments, run, map the outcome to an exit code. Nothing else lives here.

fn main() -> std::process::ExitCode {
    tradepipe_cli::main()
}
