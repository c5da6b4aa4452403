//! Link options of the `planq` binary (only the binary: the library and its users are
//! untouched).
//!
//! On Linux with glibc, the binary is linked as a position-dependent executable
//! (`-no-pie`). It is ~110 MB, mostly polars, and as a position-independent executable
//! (rustc's default) the dynamic loader relocates its 2.8 MB of vtables and other
//! pointer tables (`.data.rel.ro`) at every start, before `main`: ~700 pages copied on
//! write, ≈ 4 ms of a 45 ms `export --out` of a 10k-task plan and 3 MB of its resident
//! memory (issue 8: `_dl_relocate_object` and its page faults were 8.9% of that export's
//! samples in `perf record`). Linked at a fixed address, those pages are read from the
//! file only when used. The cost is address randomisation of the executable's own image;
//! shared libraries, heap, stacks and mappings stay randomised. `PLANQ_PIE=1` at build
//! time keeps a position-independent executable, then linked with packed relative
//! relocations (`-z pack-relative-relocs`, DT_RELR: glibc 2.36, binutils 2.38: ~45 KB
//! read at start instead of 3.5 MB of 24-byte RELA entries).
//!
//! Each option is used only when a test link with it succeeds and the linked program runs
//! (an older linker or C library goes without it).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PLANQ_PIE");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // The test program runs here: only when the build machine is the target.
    let native = env::var("HOST").ok() == env::var("TARGET").ok();
    if !(os == "linux" && target_env == "gnu" && native) {
        return;
    }
    let pie = env::var("PLANQ_PIE").is_ok_and(|v| v == "1");
    // rustc passes `-pie`; the driver takes the last of `-pie` and `-no-pie`.
    if !pie && probe(&["-fPIE", "-pie", "-no-pie"], false) {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    } else if probe(&["-fPIE", "-pie", "-Wl,-z,pack-relative-relocs"], true) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C compiler driver rustc links with (`cc`, or the one configured for the
/// target) links a program with `args`, the program runs, and it is position-independent
/// (`ET_DYN`) or not (`ET_EXEC`) as `pie` says.
fn probe(args: &[&str], pie: bool) -> bool {
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let name = if pie { "pie_probe" } else { "no_pie_probe" };
    let source = out.join(format!("{name}.c"));
    let program = out.join(name);
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let linker = env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_string());
    let linked = Command::new(linker)
        .arg(&source)
        .args(args)
        .arg("-o")
        .arg(&program)
        .output()
        .is_ok_and(|o| o.status.success());
    // The ELF header's `e_type` (bytes 16–17, little-endian on x86-64 and aarch64): 2 is
    // an executable at a fixed address, 3 a position-independent one.
    let kind = std::fs::read(&program)
        .ok()
        .and_then(|b| b.get(16..18).map(|t| u16::from_le_bytes([t[0], t[1]])));
    linked
        && kind == Some(if pie { 3 } else { 2 })
        && Command::new(&program).status().is_ok_and(|s| s.success())
}
