//! `tradepipe`: parse arguments, run, map the outcome to an exit code. Nothing else lives here
//! but the choice of allocator and its one setting.

/// mimalloc keeps freed memory for reuse: each year of the index stage allocates its columns
/// and matrices afresh, and the system allocator handed them back to the kernel and faulted
/// them in again (220,000 page faults against 10,000 at 10M rows; about 10 % of the CPU).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_t` (include/mimalloc.h; the Rust
/// bindings do not name it). The test below checks that this index holds its default.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

// Declared here rather than through libmimalloc-sys's `extended` feature, which would add a
// dependency for two functions the linked library already exports.
#[allow(unsafe_code)]
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// Never hand freed memory back to the kernel during a run. By default mimalloc purges memory
/// left free for a while (1 s, scaled per arena); the next year then faults it in again, as transparent huge pages where
/// the kernel allows them, zeroed (and, when memory is fragmented, compacted) 2 MiB at a time.
/// At 10M rows that was 13,000 faults against 2,900, and system time 0.74 s against 0.24
/// (median of 10; on a quieter machine state the two were equal). A batch run's peak is
/// unchanged (it reuses what it keeps), and everything goes back at exit. An explicit
/// `MIMALLOC_PURGE_DELAY` in the environment still wins.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option by a valid index; mimalloc reads it on each purge.
        #[allow(unsafe_code)]
        unsafe {
            mi_option_set(MI_OPTION_PURGE_DELAY, -1)
        };
    }
}

fn main() -> std::process::ExitCode {
    keep_freed_memory();
    tradepipe_cli::main()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_index_holds_its_documented_default_and_takes_the_setting() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // options.c: `{ 1000, ..., purge_delay }` (the header's comment still says 10). The
        // neighbouring options default to 1 (eager commit delay) and 0 (NUMA nodes).
        #[allow(unsafe_code)]
        let (default, set) = unsafe {
            let default = mi_option_get(MI_OPTION_PURGE_DELAY);
            keep_freed_memory();
            (default, mi_option_get(MI_OPTION_PURGE_DELAY))
        };
        assert_eq!(default, 1000);
        assert_eq!(set, -1);
    }
}
