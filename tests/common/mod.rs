//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test crate uses a different subset

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository (as CI lays it out), or beside the worktrees folder
/// (`/work/wt/<name>` → `/work/shared`); `None` with a printed reason when absent.
pub fn shared_dir() -> Option<PathBuf> {
    let root = repo_root();
    for candidate in [root.join("../shared"), root.join("../../shared")] {
        if candidate.join("corpus").is_dir() {
            return Some(candidate);
        }
    }
    println!("SKIPPED: ../shared (the corpus) is not beside the repository");
    None
}

/// Runs the `pkglens` binary with a fixed SOURCE_DATE_EPOCH; returns (exit code, stdout, stderr).
pub fn pkglens(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pkglens"))
        .args(args)
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("pkglens runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `pkglens scan --format json ARGS...` and returns the ScanResults.
pub fn scan_json(args: &[&str]) -> Vec<Value> {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = pkglens(&full);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    match serde_json::from_str(&stdout) {
        Ok(Value::Array(results)) => results,
        other => panic!("not a JSON array: {other:?}\n{stdout}"),
    }
}

/// A fresh, empty scratch folder for one test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pkglens-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
pub mod archives;
