//! A scratch directory for one test that cleans up after itself.
//!
//! Tests used to leave every directory they made in the system temporary directory, so
//! each `cargo test` run added hundreds to it. A [`Scratch`] removes its directory when
//! it goes out of scope, unless the test is failing: then the files stay where the
//! failure message's paths point, for inspection.

use std::ffi::OsStr;
use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A fresh, empty directory, `<temp>/planq-<kind>-<pid>-<name>`, removed on drop unless
/// the thread is panicking.
///
/// The name keeps the old scheme so that a failed test's files are easy to find: `kind`
/// keeps test files apart, the process id keeps concurrent runs apart, and `name` keeps
/// the tests of one file apart (tests run in parallel threads, so two live scratches must
/// never share a name). It derefs to [`Path`], so `dir.join(..)` and `&dir` work where a
/// path is expected; bind it to a variable for as long as the test uses the directory.
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// Makes the directory, emptying what a previous run with the same process id left
    /// there, so the test starts from nothing.
    pub fn new(kind: &str, name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("planq-{kind}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch { dir }
    }
}

/// The directory's path, so a `Scratch` is used where a `&Path` is.
impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.dir
    }
}

/// For APIs generic over `AsRef<Path>` (`Command::current_dir`, `std::fs::*`).
impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.dir
    }
}

/// So `Command::arg(&dir)` passes the directory's path, as it did for a `PathBuf`.
impl AsRef<OsStr> for Scratch {
    fn as_ref(&self) -> &OsStr {
        self.dir.as_os_str()
    }
}

/// Removes the directory, except while a test is failing (panicking), so its files stay
/// for inspection. Removal errors are ignored: a leftover directory is not a test failure.
impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
