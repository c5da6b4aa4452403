//! The allocator settings of the `planq` binary, in the library so that the benches make
//! the same ones and measure what the binary does.

extern "C" {
    /// mimalloc's option setter (the `mimalloc` crate, a `cli` dependency, links it).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    /// mimalloc's collection of free memory (`force`: also what is held for reuse).
    fn mi_collect(force: bool);
    /// Linux's process control call (libc, linked anyway).
    #[cfg(target_os = "linux")]
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
    /// libc's environment lookup: unlike `std::env::var_os` it allocates nothing, so it
    /// can run before the allocator is configured.
    fn getenv(name: *const std::ffi::c_char) -> *const std::ffi::c_char;
}

/// Whether the environment sets `name`, asked without allocating (see [`configure`]).
fn env_is_set(name: &std::ffi::CStr) -> bool {
    // SAFETY: `name` is NUL-terminated; only the null-ness of the result is read, so no
    // pointer into the environment is kept.
    unsafe { !getenv(name.as_ptr()).is_null() }
}

/// `mi_option_allow_thp` in the mimalloc **v3** header that libmimalloc-sys 0.1.49 builds
/// (it builds v2 only with its `v2` feature, which planq does not enable; Cargo.lock pins
/// the version). It was 37 here, v2's number: in v3 that is `mi_option_page_max_candidates`,
/// so huge pages stayed on and the kernel zeroed 2 MiB pages on fault
/// (`do_huge_pmd_anonymous_page` in `perf record` of a 17 MB export). Checked by compiling
/// `printf("%d", mi_option_allow_thp)` against `c_src/mimalloc/v3/include/mimalloc.h`:
/// re-check when the crate changes.
const MI_OPTION_ALLOW_THP: std::ffi::c_int = 43;

/// `mi_option_purge_delay` in the same v3 header (checked the same way: 15).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// The allocator settings of the binary: [`huge_pages_off`] and [`purge_soon`] (a
/// short purge delay). Call it before the first allocation and before any other thread
/// exists: the binary runs it from an `.init_array` constructor, before Rust's runtime
/// allocates anything, because mimalloc reserves its first arena at the first
/// allocation and the huge-page setting must be in place by then (see
/// [`huge_pages_off`]). It allocates nothing and may be called again.
pub fn configure() {
    huge_pages_off();
    purge_soon();
}

/// Makes mimalloc give freed memory back to the system after 10 ms instead of its
/// default purge delay, unless the environment sets `MIMALLOC_PURGE_DELAY` (which then
/// wins: 1000 gives the resident peak of the default, 0 the smallest). Extraction and
/// export free batch after batch, and a busy allocator held the freed memory while the
/// next batches grew: with the default, peak resident memory of `export --out` on a
/// 17.5 MB plan was 76 MB (4.4× the file), and of `-c 'owners | count by role'` on it
/// 537 MB.
///
/// Why 10 ms and not 0: on this VM each page faulted back in costs a few µs
/// (`clear_page_erms` was 15% of an export's samples), and 10 ms made that export ≈ 7%
/// faster (0.38 against 0.41 s, median of 7 interleaved runs) for a peak of 65 MB against
/// 60 MB (3.7× the file: issue 8 bounds it at 4×), and that query 0.95–0.97 s against
/// 1.01–1.30 s for 491 MB against 478 MB. (Before the plan file was mapped and the binary
/// linked with packed relocations, 10 ms peaked at 69–71 MB, at the edge of the bound,
/// and 0 was chosen.)
pub fn purge_soon() {
    if !env_is_set(c"MIMALLOC_PURGE_DELAY") {
        // SAFETY: stores one integer option inside mimalloc; no memory is touched.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
}

/// Makes mimalloc keep what it frees (no purging) while it reads an input of `bytes`, when
/// that is small, unless the environment sets `MIMALLOC_PURGE_DELAY`. Purging gives a
/// large plan's freed batches back to the system so that memory stays bounded (see
/// [`purge_soon`]); a plan of a few megabytes holds a few megabytes of batches at once,
/// and purging them only made the next batches fault their pages back in. A 10k-task
/// plan's `export --out` (1.7 MB), 60 interleaved runs each, twice: median 33.1 / 33.5 →
/// 31.0 / 32.2 ms, CPU 48.0 → 46.5 ms, peak resident memory 19.6 → 20.7 MB.
///
/// Call it before the first parallel work (rayon's threads): mimalloc reads the option
/// at each purge, and no other thread should be allocating while it is set.
pub fn keep_freed_memory_for(bytes: u64) {
    /// Inputs below this keep what is freed.
    const SMALL: u64 = 4 << 20;
    if bytes < SMALL && !env_is_set(c"MIMALLOC_PURGE_DELAY") {
        // SAFETY: stores one integer option inside mimalloc; no memory is touched.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

/// Turns mimalloc's transparent huge pages off for this process, unless the environment
/// sets `MIMALLOC_ALLOW_THP` (which then wins). Called by [`configure`], before any other
/// thread exists; it matters when mimalloc is the global allocator.
///
/// Why: mimalloc asks the kernel for transparent huge pages on its large regions
/// (madvise); where THP defrag is `madvise`, each such fault may compact memory first, and
/// the kernel zeroes 2 MiB at a time. Loading a 17 MB plan spent 0.9–1.3 s in the kernel
/// with them and 0.4 s without (same output, issue 8).
pub fn huge_pages_off() {
    if !env_is_set(c"MIMALLOC_ALLOW_THP") {
        // SAFETY: stores one integer option inside mimalloc; no memory is touched, and
        // it runs before any other thread exists.
        unsafe { mi_option_set(MI_OPTION_ALLOW_THP, 0) };
        // Set in `main`, the option came too late: Rust's runtime had already allocated,
        // mimalloc had reserved (and madvised) its first arena, and the kernel gave it a
        // huge page (a 1M-row progress file: 1.4 s of 2.6 s CPU zeroing them; even a
        // 2 KB plan's export zeroed one 2 MiB page, ≈ 4 ms). Hence the constructor (see
        // [`configure`]); the flag below also keeps any region already madvised, and
        // memory mapped by other code, off huge pages. This is what mimalloc itself does
        // when MIMALLOC_ALLOW_THP=0 is set at start.
        #[cfg(target_os = "linux")]
        {
            // The variadic arguments are unsigned longs.
            let (on, unused): (std::ffi::c_ulong, std::ffi::c_ulong) = (1, 0);
            // SAFETY: PR_SET_THP_DISABLE (41) sets one flag of this process; no memory
            // is touched.
            unsafe { prctl(41, on, unused, unused, unused) };
        }
    }
}

/// Gives the memory mimalloc holds free back to the system now (`mi_collect(true)`),
/// instead of after its purge delay, which a busy allocator may never reach: a batched
/// export of a 17.5 MB plan peaked at 110 MB resident with ≈ 40 MB of it freed but held
/// (the file's bytes once decoded, earlier batches' tasks). Call it where much was just
/// freed; it costs a walk of the calling thread's heap. Harmless when mimalloc is not the
/// global allocator (it then holds nothing).
pub fn give_back_free_memory() {
    // SAFETY: a mimalloc entry point without arguments that touch Rust memory.
    unsafe { mi_collect(true) };
}
