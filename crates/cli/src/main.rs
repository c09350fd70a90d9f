//! `tradepipe`: parse arguments, run, map the outcome to an exit code. Nothing else lives here
//! but the choice of allocator.

/// mimalloc keeps freed memory for reuse: each year of the index stage allocates its columns
/// and matrices afresh, and the system allocator handed them back to the kernel and faulted
/// them in again (220,000 page faults against 10,000 at 10M rows; about 10 % of the CPU).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tradepipe_cli::main()
}
