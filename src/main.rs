//! The `planq` command.

/// mimalloc: planq allocates many small strings (extraction) and polars many buffers;
/// glibc's allocator was a third of extraction time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    planq::cli::alloc::huge_pages_off();
    planq::cli::main()
}
