//! The `planq` command.

/// mimalloc: planq allocates many small strings (extraction) and polars many buffers;
/// glibc's allocator was a third of extraction time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    planq::cli::alloc::configure();
    planq::cli::main()
}
