//! `tradepipe`: parse arguments, run, map the outcome to an exit code. Nothing else lives here.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tradepipe_cli::main()
}
