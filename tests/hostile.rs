//! Hostile inputs, generated here: each gives a ScanResult with a clear problem and state
//! `corrupt` or `incomplete`, without panic, within memory and CPU limits the test sets on the
//! process (not timing assertions); and a batch mixing them with good inputs loses nothing.

mod common;

use common::archives::{self, TarEntry};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// Address-space limit each hostile scan runs under.
const MEMORY_LIMIT_KIB: u64 = 512 * 1024;

fn scan_limited(inputs: &[PathBuf]) -> (i32, Vec<Value>, String) {
    common::scan_limited(inputs, MEMORY_LIMIT_KIB)
}

/// Deeply nested YAML: `depth` levels of flow sequences.
fn deep_yaml(depth: usize) -> String {
    format!(
        "kind: Pod\nspec: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// The classic "billion laughs": each anchor holds ten aliases of the previous one.
fn alias_bomb() -> String {
    let mut text = String::from("a0: &a0 [\"lol\"]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        let row = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{row}]\n"));
    }
    text.push_str("kind: Pod\nspec: *a9\n");
    text
}

fn chart(values: &str, templates: &[(&str, &str)]) -> Vec<u8> {
    archives::chart_tgz(values, templates)
}

fn kustomize_tree(files: &[(&str, &str)]) -> Vec<u8> {
    archives::tgz_under_pkg(files)
}

/// A kustomization patching its one Deployment with a JSON 6902 `op` at `path`.
fn json6902_patch(op: &str, path: &str) -> Vec<u8> {
    let manifest = archives::deployment("app", "nginx:1.27");
    let patch = format!("- op: {op}\n  path: {path}\n  value: x\n");
    kustomize_tree(&[
        (
            "kustomization.yaml",
            "resources:\n- app.yaml\npatches:\n- path: patch.yaml\n  target:\n    kind: Deployment\n",
        ),
        ("app.yaml", &manifest),
        ("patch.yaml", &patch),
    ])
}

/// `bytes` with every `from` overwritten by `to`, of the same length.
fn renamed(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + from.len();
    }
    bytes
}

/// A template that includes itself from inside `depth` nested `if`s.
fn nested_self_include(depth: usize) -> String {
    [
        r#"{{ define "x" }}"#,
        &"{{ if 1 }}".repeat(depth),
        r#"{{ include "x" . }}"#,
        &"{{ end }}".repeat(depth),
        r#"{{ end }}{{ include "x" . }}"#,
    ]
    .concat()
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// The problem title the case must produce.
    title: &'static str,
    /// Text one of the problems' details must contain (the specific reason), if any.
    detail: &'static str,
}

fn cases() -> Vec<Case> {
    let manifest = archives::deployment("app", "nginx:1.27");
    let data = manifest.as_bytes();
    let tiny: Vec<String> = (0..100_000).map(|i| format!("pkg/f{i}.yaml")).collect();
    let tiny_entries: Vec<TarEntry<'_>> = tiny.iter().map(|n| TarEntry::file(n, b"")).collect();
    let good = archives::tgz(&[TarEntry::file("pkg/a.yaml", data)]);
    let mut nested = good.clone();
    for level in 0..20 {
        let name = format!("pkg/charts/level{level}.tgz");
        nested = archives::tgz(&[
            TarEntry::file(
                "pkg/Chart.yaml",
                b"apiVersion: v2\nname: pkg\nversion: 1.0.0\n",
            ),
            TarEntry::file(&name, &nested),
        ]);
    }
    vec![
        Case {
            name: "duplicate.tgz",
            bytes: archives::tgz(&[
                TarEntry::file("pkg/a.yaml", data),
                TarEntry::file("pkg/a.yaml", b"kind: Other\n"),
            ]),
            title: "Unsafe archive entry",
            detail: "",
        },
        Case {
            // A zip writer refuses a second name, so the second entry is renamed in place.
            name: "duplicate.zip",
            bytes: renamed(
                archives::zip(&[("pkg/a.yaml", data), ("pkg/b.yaml", b"kind: Other\n")]),
                b"pkg/b.yaml",
                b"pkg/a.yaml",
            ),
            title: "Unsafe archive entry",
            detail: "\"pkg/a.yaml\" appears more than once",
        },
        Case {
            name: "not-utf8.tar",
            bytes: archives::tar(&[TarEntry::raw_name(b"pkg/\xff\xfe.yaml", data)]),
            title: "Unsafe archive entry",
            detail: "",
        },
        Case {
            name: "hard-link-out.tar",
            bytes: archives::tar(&[TarEntry::link(
                "pkg/a.yaml",
                tar::EntryType::Link,
                "../../etc/shadow",
            )]),
            title: "Unsafe archive entry",
            detail: "",
        },
        Case {
            name: "link-loop.tar",
            bytes: archives::tar(&[
                TarEntry::file("pkg/a.yaml", data),
                TarEntry::link("pkg/b.yaml", tar::EntryType::Symlink, "c.yaml"),
                TarEntry::link("pkg/c.yaml", tar::EntryType::Symlink, "b.yaml"),
            ]),
            title: "Unsafe archive entry",
            detail: "leads round in a loop",
        },
        Case {
            name: "block-device.tar",
            bytes: archives::tar(&[TarEntry::link("pkg/sda", tar::EntryType::Block, "")]),
            title: "Unsafe archive entry",
            detail: "",
        },
        Case {
            name: "many-entries.tgz",
            bytes: archives::tgz(&tiny_entries),
            title: "Safety limit exceeded",
            detail: "",
        },
        Case {
            name: "gzip-bomb.tgz",
            bytes: archives::gzip_bomb("pkg/zeros.yaml", 64 * 1024 * 1024),
            title: "Safety limit exceeded",
            detail: "",
        },
        Case {
            name: "zip-bomb.zip",
            bytes: archives::zip_bomb("pkg/zeros.yaml", 64 * 1024 * 1024),
            title: "Safety limit exceeded",
            detail: "",
        },
        Case {
            name: "truncated.tgz",
            bytes: good[..good.len() / 2].to_vec(),
            title: "Archive cannot be read",
            detail: "",
        },
        Case {
            name: "wrong-magic.zip",
            bytes: b"PK\x03\x04 but nothing after it".to_vec(),
            title: "Archive cannot be read",
            detail: "",
        },
        Case {
            name: "nested-20-deep.tgz",
            bytes: nested,
            // Subchart archives are the Helm renderer's to open, under the same nesting limit.
            title: "",
            detail: "",
        },
        Case {
            name: "chart-not-yaml.tgz",
            bytes: archives::tgz(&[TarEntry::file("pkg/Chart.yaml", b"name: [unclosed\n\t- x")]),
            title: "Invalid Chart.yaml",
            detail: "",
        },
        Case {
            name: "alias-bomb.yaml",
            bytes: alias_bomb().into_bytes(),
            title: "Safety limit exceeded",
            detail: "",
        },
        Case {
            name: "deep.yaml",
            bytes: deep_yaml(10_000).into_bytes(),
            title: "Document does not parse",
            detail: "",
        },
        Case {
            name: "deep.json",
            bytes: format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            title: "Document does not parse",
            detail: "",
        },
        Case {
            name: "include-self.tgz",
            bytes: chart(
                "",
                &[
                    (
                        "_loop.tpl",
                        r#"{{ define "loop" }}{{ include "loop" . }}{{ end }}"#,
                    ),
                    ("cm.yaml", r#"{{ include "loop" . }}"#),
                ],
            ),
            title: "Safety limit exceeded",
            detail: "nested reference",
        },
        Case {
            name: "range-until.tgz",
            bytes: chart("", &[("cm.yaml", "{{ range until 1000000000 }}x{{ end }}")]),
            title: "Safety limit exceeded",
            detail: "until: result too large",
        },
        Case {
            name: "range-nested-until.tgz",
            bytes: chart(
                "",
                &[(
                    "cm.yaml",
                    "{{ range until 1000000 }}{{ range until 1000000 }}{{ end }}{{ end }}",
                )],
            ),
            title: "Safety limit exceeded",
            detail: "steps",
        },
        Case {
            name: "tpl-loop.tgz",
            bytes: chart(
                "a: '{{ tpl .Values.a . }}'\n",
                &[("cm.yaml", "{{ tpl .Values.a . }}")],
            ),
            title: "Safety limit exceeded",
            detail: "exceeded maximum template depth",
        },
        Case {
            name: "tpl-fork-bomb.tgz",
            bytes: chart(
                "a: '{{ tpl .Values.a . }}{{ tpl .Values.a . }}'\n",
                &[("cm.yaml", "{{ tpl .Values.a . }}")],
            ),
            title: "Safety limit exceeded",
            detail: "",
        },
        Case {
            name: "kustomization-self.tgz",
            bytes: kustomize_tree(&[("kustomization.yaml", "resources:\n- .\n")]),
            title: "Rendering failed",
            detail: "cycle",
        },
        Case {
            name: "kustomization-cycle.tgz",
            bytes: kustomize_tree(&[
                ("kustomization.yaml", "resources:\n- a\n"),
                ("a/kustomization.yaml", "resources:\n- ../b\n"),
                ("b/kustomization.yaml", "resources:\n- ../a\n"),
            ]),
            title: "Rendering failed",
            detail: "cycle",
        },
        Case {
            name: "json-pointer-100k-segments.tgz",
            bytes: json6902_patch("add", &"/spec".repeat(100_000)),
            title: "Rendering failed",
            detail: "doc is missing path",
        },
        Case {
            name: "include-deeply-nested.tgz",
            bytes: chart("", &[("cm.yaml", &nested_self_include(900))]),
            title: "Safety limit exceeded",
            detail: "nesting too deep",
        },
        Case {
            name: "json-pointer-4mb.tgz",
            bytes: json6902_patch(
                "replace",
                // A list item named by no number: kustomize's JSON patch library refuses it.
                &format!(
                    "/spec/template/spec/containers/{}",
                    archives::incompressible(4 << 20)
                ),
            ),
            title: "Rendering failed",
            detail: "doc is missing key",
        },
    ]
}

fn write_cases(dir: &Path) -> Vec<(Case, PathBuf)> {
    cases()
        .into_iter()
        .map(|case| {
            let path = dir.join(case.name);
            fs::write(&path, &case.bytes).unwrap();
            (case, path)
        })
        .collect()
}

fn problem_titles(result: &Value) -> Vec<&str> {
    common::strings_at(&result["problems"], "title")
}

fn problem_details(result: &Value) -> Vec<&str> {
    result["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["detail"].as_str().unwrap_or(""))
        .collect()
}

#[test]
fn each_hostile_input_is_a_clear_problem_within_limits() {
    let dir = common::scratch_dir("hostile-each");
    for (case, path) in write_cases(&dir) {
        let (code, results, stderr) = scan_limited(std::slice::from_ref(&path));
        assert_eq!(code, 0, "{}: {stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        assert_eq!(results.len(), 1, "{}", case.name);
        let result = &results[0];
        let state = result["state"].as_str().unwrap();
        assert!(
            state == "corrupt" || state == "incomplete",
            "{}: {result:#}",
            case.name
        );
        let titles = problem_titles(result);
        assert!(!titles.is_empty(), "{}", case.name);
        if !case.title.is_empty() {
            assert!(titles.contains(&case.title), "{}: {titles:?}", case.name);
        }
        let details = problem_details(result);
        assert!(
            details.iter().any(|d| d.contains(case.detail)),
            "{}: {details:?}",
            case.name
        );
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn good_inputs_survive_a_hostile_batch_unchanged() {
    let dir = common::scratch_dir("hostile-batch");
    let good: Vec<PathBuf> = ["testdata/scan", "testdata/scan/kube-web/agents.json"]
        .iter()
        .map(|p| common::repo_root().join(p))
        .collect();
    let (_, alone, _) = scan_limited(&good);
    // The good inputs really are good under the limits, or the comparison proves nothing.
    assert!(alone.len() >= 2);
    for result in &alone {
        assert_eq!(result["state"], "available", "{result:#}");
    }
    let hostile: Vec<PathBuf> = write_cases(&dir).into_iter().map(|(_, p)| p).collect();
    // Good inputs first, in the middle and last: order must not matter.
    let mut batch = vec![good[0].clone()];
    batch.extend(hostile[..7].iter().cloned());
    batch.push(good[1].clone());
    batch.extend(hostile[7..].iter().cloned());
    let (code, results, stderr) = scan_limited(&batch);
    assert_eq!(code, 0, "{stderr}");
    let good_results: Vec<&Value> = results
        .iter()
        .filter(|r| {
            good.iter()
                .any(|g| r["source"]["path"] == g.display().to_string())
        })
        .collect();
    assert_eq!(good_results.len(), alone.len());
    for (in_batch, by_itself) in good_results.iter().zip(&alone) {
        assert_eq!(*in_batch, by_itself);
    }
    fs::remove_dir_all(dir).unwrap();
}

/// Files named beside the inputs (`-f`, `--set-file`, `render`'s chart) are read as inputs are:
/// `/dev/zero` ends in an error at the file limit instead of taking all memory.
#[test]
fn files_named_beside_the_inputs_are_read_within_limits() {
    let chart = common::repo_root().join("testdata/scan/chart-hello");
    let chart = chart.as_os_str();
    let runs: [&[&str]; 4] = [
        &["render", "-f", "/dev/zero"],
        &["render", "--set-file", "a=/dev/zero"],
        &["scan", "--no-isolate", "-f", "/dev/zero"],
        &["render", "/dev/zero"],
    ];
    for args in runs {
        let mut full: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        if args != ["render", "/dev/zero"] {
            full.push(chart);
        }
        // The chart archive's limit (200 MiB) takes more room to read than the others'.
        let (code, stdout, stderr) = common::pkglens_limited(&full, 2 * MEMORY_LIMIT_KIB);
        assert!(code == 1 || code == 2, "{args:?}: exit {code}: {stderr}");
        assert!(stdout.is_empty() || stdout == "[]\n", "{args:?}: {stdout}");
        assert!(
            stderr.contains("/dev/zero: input is larger than the limit of"),
            "{args:?}: {stderr}"
        );
    }
    // A shard file is read a line at a time: a line without end stops at its limit.
    let merge = ["merge".as_ref(), "/dev/zero".as_ref()];
    let (code, stdout, stderr) = common::pkglens_limited(&merge, 4 * MEMORY_LIMIT_KIB);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("/dev/zero line 1: a line longer than 536870912 bytes"),
        "{stderr}"
    );
}

/// A scratch chart folder: `Chart.yaml` and an empty `templates/`.
fn chart_folder(name: &str) -> PathBuf {
    let dir = common::scratch_dir(name);
    fs::create_dir_all(dir.join("templates")).unwrap();
    fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    dir
}

/// A chart folder's `.helmignore` is read bounded, as its other files are: one linked to
/// `/dev/zero` is an error, not a read without end.
#[test]
fn an_endless_helmignore_is_refused() {
    let dir = chart_folder("endless-helmignore");
    std::os::unix::fs::symlink("/dev/zero", dir.join(".helmignore")).unwrap();
    let (code, _, stderr) = common::pkglens(&["render", common::path_str(&dir)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(".helmignore"), "{stderr}");
    fs::remove_dir_all(dir).unwrap();
}

/// A chart folder's files are read bounded whatever their size says: a link to
/// `/proc/self/pagemap` (size 0, endless in practice) is a file over helm's cap, named by its
/// target as helm names it, not a read until memory runs out.
#[test]
fn a_chart_file_that_says_it_is_empty_is_read_bounded() {
    let dir = chart_folder("proc-chart-file");
    std::os::unix::fs::symlink("/proc/self/pagemap", dir.join("templates/map.yaml")).unwrap();
    let args = ["render".as_ref(), dir.as_os_str()];
    let (code, _, stderr) = common::pkglens_limited(&args, MEMORY_LIMIT_KIB);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("chart file \"pagemap\" is larger than the maximum file size 5242880"),
        "{stderr}"
    );
    fs::remove_dir_all(dir).unwrap();
}

/// A base outside the input folder is read from disk bounded, as the input's own files are: a
/// resource linked to `/proc/self/pagemap` (size 0, endless in practice) is refused, not read
/// until memory runs out.
#[test]
fn a_base_file_outside_the_input_that_says_it_is_empty_is_read_bounded() {
    let dir = common::scratch_dir("proc-base-file");
    fs::create_dir_all(dir.join("base")).unwrap();
    fs::create_dir_all(dir.join("overlay")).unwrap();
    fs::write(
        dir.join("base/kustomization.yaml"),
        "resources:\n- map.yaml\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/proc/self/pagemap", dir.join("base/map.yaml")).unwrap();
    fs::write(
        dir.join("overlay/kustomization.yaml"),
        "resources:\n- ../base\n",
    )
    .unwrap();
    let overlay = dir.join("overlay");
    let args = ["build".as_ref(), overlay.as_os_str()];
    // Room for the 256 MiB such a file may hold, in a buffer that doubles as it fills.
    let (code, stdout, stderr) = common::pkglens_limited(&args, 4 * MEMORY_LIMIT_KIB);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("map.yaml: input is larger than the limit of 268435456 bytes"),
        "{stderr}"
    );
    fs::remove_dir_all(dir).unwrap();
}
