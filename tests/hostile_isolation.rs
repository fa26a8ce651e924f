//! Isolation, the last line of defence: inputs scanned in worker processes, so a worker that
//! aborts or an input that runs too long costs only that input, a good chart scanned in the
//! same call gives the very bytes it gives alone, and many workers fit in a 2 GiB address
//! space. Also: text from inputs reaches the terminal with its control characters escaped.

mod common;

use common::{path_str, scratch_dir};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Address space the whole scan runs under (`ulimit -v`, KiB): what issue #20 asks to fit in.
const TWO_GIB_IN_KIB: u64 = 2 * 1024 * 1024;

/// Runs `pkglens ARGS...` through `sh` under `ulimit -v limit_kib`, with `env` set.
fn pkglens_limited(limit_kib: u64, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_pkglens"))
        .args(args)
        .envs(env.iter().copied())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("sh runs")
}

/// The NDJSON lines of a scan, with the exit status checked.
fn ndjson_lines(output: &Output) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "status {:?}: {stderr}",
        output.status
    );
    String::from_utf8(output.stdout.clone())
        .expect("UTF-8 output")
        .lines()
        .map(str::to_string)
        .collect()
}

fn scan_ndjson(args: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let mut full = vec!["scan", "--format", "ndjson"];
    full.extend_from_slice(args);
    ndjson_lines(&pkglens_limited(TWO_GIB_IN_KIB, &full, env))
}

/// A chart folder `dir/name` with one Deployment, and a template when given.
fn chart(dir: &Path, name: &str, template: Option<&str>) -> PathBuf {
    let root = dir.join(name);
    fs::create_dir_all(root.join("templates")).expect("chart dir");
    fs::write(
        root.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
    )
    .expect("Chart.yaml");
    fs::write(
        root.join("templates/deployment.yaml"),
        common::archives::deployment(name, "nginx:1.27"),
    )
    .expect("template");
    if let Some(text) = template {
        fs::write(root.join("templates/extra.yaml"), text).expect("template");
    }
    root
}

fn problem_of(line: &str) -> (String, String, String) {
    let result: Value = serde_json::from_str(line).expect("a ScanResult");
    let problem = &result["problems"][0];
    (
        result["state"].as_str().unwrap_or_default().to_string(),
        problem["type"].as_str().unwrap_or_default().to_string(),
        problem["detail"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_crashed_worker_costs_only_its_input() {
    let dir = scratch_dir("isolation-crash");
    let good = chart(&dir, "good", None);
    let crashing = chart(&dir, "crashing", None);
    let alone = scan_ndjson(&[path_str(&good)], &[]);
    assert_eq!(alone.len(), 1);
    let batch = scan_ndjson(
        &[
            "-j",
            "1",
            path_str(&crashing),
            path_str(&good),
            path_str(&crashing),
        ],
        &[("PKGLENS_TEST_WORKER_FAULT", "abort:crashing")],
    );
    assert_eq!(batch.len(), 3, "{batch:?}");
    for line in [&batch[0], &batch[2]] {
        let (state, kind, detail) = problem_of(line);
        assert_eq!(state, "incomplete");
        assert_eq!(kind, "urn:pkglens:problem:renderer-crashed");
        assert!(detail.contains("SIGABRT"), "{detail}");
    }
    // The worker was started anew: the good chart after the crash is as it is alone.
    assert_eq!(batch[1], alone[0]);
}

/// Scans `slow`, on which the worker spins, then `good`, on `jobs` workers under a 1 s limit:
/// the two lines of the batch.
fn scan_spinning_then_good(jobs: &str, slow: &Path, good: &Path) -> Vec<String> {
    let batch = scan_ndjson(
        &[
            "-j",
            jobs,
            "--max-seconds",
            "1",
            path_str(slow),
            path_str(good),
        ],
        &[("PKGLENS_TEST_WORKER_FAULT", "spin:slow")],
    );
    assert_eq!(batch.len(), 2, "{batch:?}");
    batch
}

#[test]
fn an_input_past_the_time_limit_is_stopped_and_the_rest_goes_on() {
    let dir = scratch_dir("isolation-timeout");
    let good = chart(&dir, "good", None);
    // The worker spins on this input: only the time limit can stop it.
    let slow = chart(&dir, "slow", None);
    let alone = scan_ndjson(&[path_str(&good)], &[]);
    let batch = scan_spinning_then_good("2", &slow, &good);
    let (state, kind, detail) = problem_of(&batch[0]);
    assert_eq!(state, "incomplete");
    assert_eq!(kind, "urn:pkglens:problem:limit-exceeded");
    assert!(detail.contains("--max-seconds"), "{detail}");
    assert_eq!(batch[1], alone[0]);
}

/// A worker is handed its next input before it finishes the current one. The wall-clock
/// limit of that next input counts from when the worker takes it up, not from when it was
/// handed over; and an input waiting behind one that overruns is scanned elsewhere, not
/// charged.
#[test]
fn inputs_handed_ahead_get_their_own_time_and_survive_a_stopped_worker() {
    let dir = scratch_dir("isolation-ahead");
    let good = chart(&dir, "good", None);
    // Each pause holds its input 0.7 s of a 1 s limit: two in a row pass it only if the
    // second one's time counted from when the first was handed over.
    let paused: Vec<PathBuf> = (0..2)
        .map(|i| chart(&dir.join(format!("p{i}")), "paused", None))
        .collect();
    let alone: Vec<Vec<String>> = [&paused[0], &paused[1], &good]
        .iter()
        .map(|chart| scan_ndjson(&[path_str(chart)], &[]))
        .collect();
    let batch = scan_ndjson(
        &[
            "-j",
            "1",
            "--max-seconds",
            "1",
            path_str(&paused[0]),
            path_str(&paused[1]),
            path_str(&good),
        ],
        &[("PKGLENS_TEST_WORKER_FAULT", "pause:paused")],
    );
    assert_eq!(batch.len(), 3, "{batch:?}");
    for (line, alone) in batch.iter().zip(&alone) {
        assert_eq!(line, &alone[0]);
    }

    // One worker, spinning on the first input with the good one waiting in its pipe.
    let slow = chart(&dir, "slow", None);
    let batch = scan_spinning_then_good("1", &slow, &good);
    let (state, kind, _) = problem_of(&batch[0]);
    assert_eq!(
        (state.as_str(), kind.as_str()),
        ("incomplete", "urn:pkglens:problem:limit-exceeded")
    );
    assert_eq!(batch[1], alone[2][0]);
}

#[test]
fn isolated_results_are_the_bytes_of_an_in_process_scan_at_64_jobs_in_two_gib() {
    let inputs: Vec<String> = ["testdata/charts", "testdata/scan", "testdata/kustomize"]
        .iter()
        .map(|p| common::repo_root().join(p).display().to_string())
        .collect();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let reference = scan_ndjson(&[&["-j", "2"][..], &inputs].concat(), &[]);
    assert!(reference.len() > 10, "{}", reference.len());
    for line in &reference {
        let result: Value = serde_json::from_str(line).expect("a ScanResult");
        for problem in result["problems"].as_array().into_iter().flatten() {
            let kind = problem["type"].as_str().unwrap_or_default();
            assert!(
                !kind.ends_with("renderer-crashed") && !kind.ends_with("internal-error"),
                "{line}"
            );
        }
    }
    // Stacks grow by need: 64 scanning threads in one process fit beside each other.
    for mode in [&["-j", "64"][..], &["-j", "64", "--no-isolate"]] {
        let results = scan_ndjson(&[mode, &inputs].concat(), &[]);
        assert_eq!(results, reference, "{mode:?}");
    }
}

/// The tags of a result's images.
fn image_tags(line: &str) -> Vec<String> {
    let result: Value = serde_json::from_str(line).expect("a ScanResult");
    result["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|image| image["tag"].as_str().map(str::to_string))
        .collect()
}

/// A template making a CA (a 2048-bit RSA key) and showing a fingerprint of its key as an
/// image tag: charts scanned with the same key show the same tag.
const KEY_FINGERPRINT: &str = "{{- $ca := genCA \"ca\" 365 }}\n\
    apiVersion: v1\nkind: Pod\nmetadata:\n  name: keyed\nspec:\n  containers:\n\
    \x20   - name: keyed\n      image: \"busybox:{{ $ca.Key | sha256sum | trunc 12 }}\"\n";

/// The key fingerprint each result of a scan of `KEY_FINGERPRINT` charts shows.
fn key_fingerprints(results: &[String]) -> Vec<String> {
    results
        .iter()
        .filter(|line| line.contains("busybox:"))
        .map(|line| {
            let tags = image_tags(line);
            assert_eq!(tags.len(), 2, "{line}");
            tags.into_iter()
                .find(|tag| tag != "1.27")
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn workers_share_one_pooled_key_per_batch() {
    let dir = scratch_dir("isolation-keys");
    let charts: Vec<PathBuf> = (0..4)
        .map(|i| chart(&dir, &format!("k{i}"), Some(KEY_FINGERPRINT)))
        .collect();
    let paths: Vec<&str> = charts.iter().map(|c| path_str(c)).collect();
    // As many workers as charts: every worker asks for the key, the first ones at once.
    let results = scan_ndjson(&[&["-j", "4"][..], &paths].concat(), &[]);
    assert_eq!(results.len(), 4, "{results:?}");
    let keyed = key_fingerprints(&results);
    assert_eq!(keyed.len(), 4, "{results:?}");
    assert_eq!(keyed[0].len(), 12, "{keyed:?}");
    assert!(keyed.iter().all(|tag| *tag == keyed[0]), "{keyed:?}");
}

#[test]
fn a_seeded_scan_pools_the_same_key_in_workers_and_in_process() {
    let dir = scratch_dir("isolation-seeded-keys");
    // Scans here are seeded (`SOURCE_DATE_EPOCH`). A chart drawing random values before the
    // keyed one moves the shared generator on in the in-process scan only: the pooled key must
    // not follow it.
    let random = chart(
        &dir,
        "random",
        Some("# {{ randAlphaNum 64 }} {{ uuidv4 }}\n"),
    );
    let keyed = chart(&dir, "keyed", Some(KEY_FINGERPRINT));
    let paths = [path_str(&random), path_str(&keyed)];
    let fingerprint = |mode: &[&str]| {
        key_fingerprints(&scan_ndjson(
            &[&["-j", "1"][..], mode, &paths].concat(),
            &[],
        ))
    };
    let in_workers = fingerprint(&[]);
    assert_eq!(in_workers.len(), 1, "{in_workers:?}");
    assert_eq!(fingerprint(&["--no-isolate"]), in_workers);
    assert_eq!(fingerprint(&[]), in_workers);
}

#[test]
fn many_workers_fit_in_two_gib() {
    let dir = scratch_dir("isolation-jobs");
    let charts: Vec<PathBuf> = (0..64)
        .map(|i| chart(&dir, &format!("c{i:02}"), None))
        .collect();
    let paths: Vec<&str> = charts.iter().map(|c| path_str(c)).collect();
    let alone = scan_ndjson(&["-j", "1", paths[0]], &[]);
    for args in [
        &["-j", "16"][..],
        &["-j", "64"],
        &["-j", "16", "--no-isolate"],
        &["-j", "64", "--no-isolate"],
    ] {
        let results = scan_ndjson(&[args, &paths].concat(), &[]);
        assert_eq!(results.len(), 64, "{args:?}");
        for line in &results {
            let result: Value = serde_json::from_str(line).expect("a ScanResult");
            assert_eq!(result["state"], "available", "{args:?}: {line}");
        }
        assert_eq!(results[0], alone[0], "{args:?}");
    }
}

#[test]
fn table_output_escapes_control_characters_from_inputs() {
    let dir = scratch_dir("isolation-table");
    // A file name with a line break and an escape sequence that would retitle the terminal.
    let hostile_name = "evil\u{1b}]0;pwned\u{7}\nFORGED ROW.yaml";
    fs::write(
        dir.join(hostile_name),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"a\\u001b[2Jb\"\n",
    )
    .expect("manifest");
    // A chart whose name and `fail` text carry escape sequences and a line break.
    let chart_dir = dir.join("chart");
    fs::create_dir_all(chart_dir.join("templates")).expect("chart dir");
    fs::write(
        chart_dir.join("Chart.yaml"),
        "apiVersion: v2\nname: \"web\\e[31m\"\nversion: 1.0.0\n",
    )
    .expect("Chart.yaml");
    fs::write(
        chart_dir.join("templates/a.yaml"),
        "{{ fail \"bad\\x1b[2J\\nFORGED: problem\" }}\n",
    )
    .expect("template");
    let output = pkglens_limited(
        TWO_GIB_IN_KIB,
        &[
            "scan",
            "--format",
            "table",
            path_str(&dir.join(hostile_name)),
            path_str(&chart_dir),
        ],
        &[],
    );
    let table = String::from_utf8(output.stdout).expect("UTF-8 table");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(
        table.contains("evil^[]0;pwned^G\\nFORGED ROW.yaml"),
        "{table}"
    );
    assert!(table.contains("web^[[31m"), "{table}");
    assert!(table.contains("bad^[[2J\\nFORGED: problem"), "{table}");
    // Header, two rows, and one line per problem: no line starts with forged text.
    assert!(table.lines().all(|l| !l.starts_with("FORGED")), "{table}");
}
