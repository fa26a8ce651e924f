//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test crate uses a different subset

use jsonschema::{Registry, Validator};
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The string `field` of each object in the JSON array `list` (file paths, image references,
/// problem titles...).
pub fn strings_at<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"));
    items
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field}: {item}"))
        })
        .collect()
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository (as CI lays it out), or beside the worktrees folder
/// (`/work/wt/<name>` → `/work/shared`); `None` with a printed reason when absent. Under CI
/// (the `CI` variable set) it must be there: a suite that skipped would prove nothing.
pub fn shared_dir() -> Option<PathBuf> {
    let root = repo_root();
    for candidate in [root.join("../shared"), root.join("../../shared")] {
        if candidate.join("corpus").is_dir() {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but ../shared (the corpus) is not beside the repository"
    );
    println!("SKIPPED: ../shared (the corpus) is not beside the repository");
    None
}

/// CPU-time limit every [`scan_limited`] runs under.
const CPU_LIMIT_SECONDS: u64 = 20;

/// Runs `pkglens scan --format json -j 1 INPUTS...` under an address-space limit and a CPU-time
/// limit (the shell's ulimit, so no unsafe code is needed to set them); returns (exit code,
/// results, stderr).
pub fn scan_limited(inputs: &[PathBuf], memory_kib: u64) -> (i32, Vec<Value>, String) {
    let mut args: Vec<&OsStr> = ["scan", "--format", "json", "-j", "1"]
        .iter()
        .map(OsStr::new)
        .collect();
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    let (code, stdout, stderr) = pkglens_limited(&args, memory_kib);
    let results = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}); exit {code}: {stderr}"));
    (code, results, stderr)
}

/// Runs `pkglens ARGS...` under the address-space limit `memory_kib` and the CPU-time limit of
/// [`scan_limited`]; returns (exit code, stdout, stderr).
pub fn pkglens_limited(args: &[&OsStr], memory_kib: u64) -> (i32, String, String) {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {memory_kib} && ulimit -t {CPU_LIMIT_SECONDS} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_pkglens"))
        .args(args)
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("sh runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
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

/// Runs `pkglens scan ARGS...`, whatever it exits with; returns (exit code, the JSON array it
/// printed, stderr).
pub fn scan_records(args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut full = vec!["scan"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = pkglens(&full);
    let records: Vec<Value> = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON array ({e}), exit {code}: {stderr}\n{stdout}"));
    (code, records, stderr)
}

/// [`scan_records`] of ScanResults, each validated against the schema.
pub fn scan_results(args: &[&str]) -> (i32, Vec<Value>, String) {
    let (code, results, stderr) = scan_records(args);
    validate_all("ScanResult", &results);
    (code, results, stderr)
}

/// Each problem of a ScanResult as (kind, detail), the kind without `urn:pkglens:problem:`.
pub fn problems(result: &Value) -> Vec<(String, String)> {
    result["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let kind = p["type"].as_str().unwrap();
            let kind = kind.strip_prefix("urn:pkglens:problem:").unwrap_or(kind);
            (kind.to_string(), p["detail"].as_str().unwrap().to_string())
        })
        .collect()
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
/// The case names listed in `tests/<file>`, one a line (blank lines and `#` comments skipped).
pub fn passing_list(file: &str) -> BTreeSet<String> {
    let path = repo_root().join("tests").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Holds a suite's outcomes (case name, passed) to its list of passing cases, `tests/<file>`:
/// a listed case that fails, or that the suite no longer has, fails the test by name, so a case
/// that passed never fails again; a passing case the list lacks is printed, to be added to it.
pub fn keep_passing(file: &str, outcomes: &[(String, bool)]) {
    let mut listed = passing_list(file);
    let mut regressed = Vec::new();
    for (name, passed) in outcomes {
        match (listed.remove(name), *passed) {
            (true, false) => regressed.push(name.as_str()),
            (false, true) => println!("newly passing (add to tests/{file}): {name}"),
            _ => {}
        }
    }
    assert!(
        regressed.is_empty() && listed.is_empty(),
        "tests/{file}: listed cases that fail now: {regressed:?}; listed cases the suite no longer has: {listed:?}"
    );
}

/// The files in `dir` whose extension is `ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// `f` over every item on a few threads (corpus cases are independent and mostly wait on the
/// processes they run); the results come back in no particular order.
pub fn parallel_map<T: Sync, O: Send>(items: &[T], f: impl Fn(&T) -> O + Sync) -> Vec<O> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(items.len()));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    break;
                };
                let result = f(item);
                results.lock().expect("results").push(result);
            });
        }
    });
    results.into_inner().expect("results")
}

/// The well-formed image references `grep` finds in rendered output, as a user checks a scan:
/// the values of `image:` lines and of `--...image...=` flags, quotes taken off.
pub fn grepped_images(rendered: &str) -> std::collections::BTreeSet<String> {
    let unquote = |v: &str| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
    let mut found = std::collections::BTreeSet::new();
    for line in rendered.lines() {
        let item = line.trim_start();
        let item = item.strip_prefix("- ").unwrap_or(item).trim_start();
        if let Some(value) = item.strip_prefix("image:") {
            found.insert(unquote(value));
        }
        for word in line.split_whitespace() {
            let word = word.trim_matches(|c| c == '"' || c == '\'' || c == ',');
            if let Some((flag, value)) = word.split_once('=') {
                if flag.starts_with("--") && flag.contains("image") {
                    found.insert(unquote(value));
                }
            }
        }
    }
    found.retain(|r| pkglens::image_ref::parse(r).is_ok());
    found
}

/// JSON Schema validation against the project's schema copies in `schema/` (their relative
/// `$ref`s resolved), formats checked; panics listing every error.
/// The schema names `$ref`s point at (relative `$id`s resolve against this base).
pub const BASE: &str = "json-schema:///";
pub const SCHEMAS: [&str; 7] = [
    "DockerImage",
    "ErrorDetail",
    "ErrorModel",
    "Package",
    "PackageComponent",
    "ScanResult",
    "Versioning",
];

pub fn load_schema(name: &str) -> Value {
    let path = repo_root().join(format!("schema/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).expect("schema file")).expect("schema JSON")
}

pub fn validate_all(schema_name: &str, instances: &[Value]) {
    let schemas: Vec<(String, Value)> = SCHEMAS
        .iter()
        .map(|n| (format!("{BASE}{n}.json"), load_schema(n)))
        .collect();
    let mut registry = Registry::new();
    for (uri, schema) in &schemas {
        registry = registry
            .add(uri.as_str(), schema)
            .expect("schema registers");
    }
    let registry = registry.prepare().expect("registry prepares");
    let validator: Validator = jsonschema::options()
        .with_base_uri(format!("{BASE}{schema_name}.json"))
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&load_schema(schema_name))
        .expect("schema compiles");
    for instance in instances {
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{schema_name} invalid: {errors:#?}\n{instance:#}"
        );
    }
}

pub mod archives;
