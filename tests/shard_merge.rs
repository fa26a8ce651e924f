//! `scan --shard K/N` and `pkglens merge`: the shards' ndjson outputs, merged in shard order,
//! are byte for byte what one scan over all the inputs prints, in every record format.

mod common;

use common::{path_str, pkglens, scratch_dir};
use std::fs;

/// Inputs of every kind: chart folders, kustomizations, manifests, several packages an input.
const INPUTS: [&str; 3] = [
    "testdata/charts",
    "testdata/scan",
    "testdata/scan-kustomize",
];

fn scan(extra: &[&str]) -> String {
    let mut args = vec!["scan", "-q", "-j", "2"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&INPUTS);
    let (code, stdout, stderr) = pkglens(&args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

#[test]
fn merged_shards_print_what_one_scan_prints() {
    let dir = scratch_dir("shard-merge");
    let whole = scan(&["--format", "ndjson"]);
    let inputs = whole.lines().count();
    assert!(inputs > 10, "{inputs} results");
    for count in [1, 3, 7, inputs + 2] {
        let mut shards = Vec::new();
        let mut lines = 0;
        for index in 0..count {
            let shard = format!("{index}/{count}");
            let output = scan(&["--format", "ndjson", "--shard", &shard]);
            lines += output.lines().count();
            let file = dir.join(format!("shard-{index:04}.ndjson"));
            fs::write(&file, output).unwrap();
            shards.push(file);
        }
        // Every result in exactly one shard.
        assert_eq!(lines, inputs, "{count} shards");
        let shard_args: Vec<&str> = shards.iter().map(|p| path_str(p)).collect();
        for format in ["ndjson", "json", "table", "astra", "images"] {
            let mut args = vec!["merge", "--format", format];
            args.extend_from_slice(&shard_args);
            let (code, merged, stderr) = pkglens(&args);
            assert_eq!(code, 0, "{stderr}");
            let single = match format {
                "ndjson" => whole.clone(),
                _ => scan(&["--format", format]),
            };
            assert!(
                merged == single,
                "merge --format {format} of {count} shards differs"
            );
        }
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn merge_refuses_what_is_not_a_shard() {
    let dir = scratch_dir("shard-merge-bad");
    let bad = dir.join("bad.ndjson");
    fs::write(&bad, "{\"not\": \"a result\"}\n").unwrap();
    let (code, stdout, stderr) = pkglens(&["merge", "--format", "ndjson", path_str(&bad)]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("bad.ndjson line 1: not a ScanResult"),
        "{stderr}"
    );
    let missing = dir.join("missing.ndjson");
    let (code, _, stderr) = pkglens(&["merge", path_str(&missing)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot open"), "{stderr}");
    let (code, _, stderr) = pkglens(&["merge", "--format", "sarif", path_str(&bad)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--format sarif"), "{stderr}");
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn a_shard_is_k_of_n_counted_from_zero() {
    for bad in ["3/3", "1/0", "one/two", "-1/2"] {
        let shard = format!("--shard={bad}");
        let (code, _, stderr) = pkglens(&["scan", &shard, "testdata/scan"]);
        assert_eq!(code, 2, "--shard {bad}: {stderr}");
        assert!(stderr.contains("--shard"), "{stderr}");
    }
    let (code, _, stderr) = pkglens(&[
        "scan",
        "--shard",
        "0/2",
        "--catalog",
        "x.db",
        "testdata/scan",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}
