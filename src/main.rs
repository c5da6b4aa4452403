//! The `planq` command.

fn main() -> std::process::ExitCode {
    planq::cli::main()
}
