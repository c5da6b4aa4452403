//! Link options of the `planq` binary (only the binary: the library and its users are
//! untouched).
//!
//! On Linux with glibc, the binary is linked with packed relative relocations
//! (`-z pack-relative-relocs`, DT_RELR: glibc 2.36, binutils 2.38). The binary is a
//! position-independent executable of ~110 MB, mostly polars, with ~148,000 relative
//! relocations: as 24-byte RELA entries they are 3.5 MB that the dynamic loader reads at
//! every start, before `main`. Packed, they are ~45 KB. `planq --version` went from about
//! 15.8 MB resident to 11.4 MB (`/usr/bin/time -f %M`), and every command starts with that
//! much less (issue 8: peak memory against the plan's size). The executable stays
//! position-independent (address randomisation is kept; `-no-pie` would save 2.6 MB more
//! and lose it).
//!
//! The option is used only when a test link with it succeeds and the linked program runs
//! (an older linker or C library goes without it, as before).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // The test program runs here: only when the build machine is the target.
    let native = env::var("HOST").ok() == env::var("TARGET").ok();
    if os == "linux" && target_env == "gnu" && native && links_packed_relocations() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C compiler driver rustc links with (`cc`, or the one configured for the
/// target) links and runs a program with `-z pack-relative-relocs`.
fn links_packed_relocations() -> bool {
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out.join("relr_probe.c");
    let program = out.join("relr_probe");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let linker = env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_string());
    let linked = Command::new(linker)
        .arg(&source)
        .args(["-fPIE", "-pie", "-Wl,-z,pack-relative-relocs", "-o"])
        .arg(&program)
        .output()
        .is_ok_and(|o| o.status.success());
    linked && Command::new(&program).status().is_ok_and(|s| s.success())
}
