//! The `planq` command.

/// mimalloc: planq allocates many small strings (extraction) and polars many buffers;
/// glibc's allocator was a third of extraction time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator is configured before Rust's runtime makes its first allocation, which
/// happens before `main`: see [`planq::cli::alloc::configure`].
#[used]
#[cfg_attr(target_os = "linux", link_section = ".init_array")]
static CONFIGURE_ALLOCATOR: extern "C" fn() = configure_allocator;

extern "C" fn configure_allocator() {
    planq::cli::alloc::configure();
}

fn main() -> std::process::ExitCode {
    // Again, where the constructor above does not run (not Linux); a second call changes
    // nothing.
    planq::cli::alloc::configure();
    planq::cli::main()
}
