//! The helm-template conformance suite of ../shared/conformance/helm-template (expectations from
//! real helm v4.1.4), run through the `pkglens render` binary with the suite's pass rule.
//!
//! Each case's chart is written to a scratch directory as the suite's `conformance.py` writes
//! it (mappings dumped as block YAML that reads back to the same data, including PyYAML's habit
//! of leaving strings such as `y` unquoted). Per-group pass counts are printed. Every case named
//! in `tests/helm_conformance_passing.txt` (`group/name`, one a line) must pass and still be in
//! the suite, so a case that passed never fails again; newly passing cases are printed so they
//! get added to that list. Where helm failed, its stderr is the text users compare ours with:
//! the cases in `tests/helm_conformance_errors_passing.txt` must print it word for word (the
//! scratch path aside), by the same rule.

mod common;

use pkglens::yaml;
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BASE_CHART: [(&str, &str); 6] = [
    ("apiVersion", "v2"),
    ("name", "conf"),
    ("version", "1.2.3"),
    ("appVersion", "4.5.6"),
    ("description", "conformance chart"),
    ("type", "application"),
];

/// Whether PyYAML's resolver reads a plain scalar as something other than a string (it quotes
/// such strings when dumping).
fn pyyaml_non_string(s: &str) -> bool {
    let patterns = [
        r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        r"^(?:~|null|Null|NULL|)$",
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        r"^(?:<<|=)$",
    ];
    patterns
        .iter()
        .any(|p| Regex::new(p).expect("resolver pattern").is_match(s))
}

/// Whether PyYAML would write the string as a plain scalar (a conservative approximation: any
/// doubt means quoting, which reads back as the same string).
fn pyyaml_plain(s: &str) -> bool {
    let first = s.chars().next();
    !s.is_empty()
        && !pyyaml_non_string(s)
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~ ".contains(c))
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && first.is_some()
        && s.chars()
            .all(|c| c.is_alphanumeric() || " ._-/+=()<>$^;~".contains(c))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if pyyaml_plain(s) => s.clone(),
        Value::String(s) => serde_json::to_string(s).expect("string"),
        _ => unreachable!("scalar"),
    }
}

/// Dumps data as block-style YAML (PyYAML's `safe_dump` layout).
fn dump(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                out.push_str(&format!("{pad}{}:", scalar(&Value::String(k.clone()))));
                dump_child(val, indent + 2, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                dump_child(item, indent + 2, out);
            }
        }
        Value::Object(_) => out.push_str(&format!("{pad}{{}}\n")),
        Value::Array(_) => out.push_str(&format!("{pad}[]\n")),
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn dump_child(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            dump(v, indent, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            dump(v, indent, out);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        other => out.push_str(&format!(" {}\n", scalar(other))),
    }
}

fn dumped(v: &Value) -> String {
    let mut out = String::new();
    dump(v, 0, &mut out);
    out
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn write_chart(case: &Map<String, Value>, root: &Path) {
    let mut chart: Map<String, Value> = BASE_CHART
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    if let Some(Value::Object(extra)) = case.get("chart") {
        for (k, v) in extra {
            chart.insert(k.clone(), v.clone());
        }
    }
    std::fs::create_dir_all(root.join("templates")).expect("mkdir");
    write(&root.join("Chart.yaml"), &dumped(&Value::Object(chart)));
    let values = match case.get("values") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "{}\n".into(),
        Some(v) => dumped(v),
    };
    write(&root.join("values.yaml"), &values);
    if let Some(Value::String(t)) = case.get("template") {
        write(&root.join("templates/case.yaml"), t);
    }
    if let Some(Value::String(h)) = case.get("helpers") {
        if !h.is_empty() {
            write(&root.join("templates/_helpers.tpl"), h);
        }
    }
    if let Some(Value::Object(files)) = case.get("files") {
        for (rel, content) in files {
            let text = match content {
                Value::String(s) => s.clone(),
                other => dumped(other),
            };
            write(&root.join(rel), &text);
        }
    }
}

fn arg_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Helm's stdout without its leading `---\n# Source: ...\n` pair (for `match` cases).
fn body(stdout: &str) -> &str {
    stdout
        .strip_prefix("---\n# Source: ")
        .and_then(|rest| rest.split_once('\n'))
        .map(|(_, b)| b)
        .unwrap_or(stdout)
}

struct Outcome {
    group: String,
    name: String,
    passed: bool,
    /// Where helm failed: whether our stderr is its, word for word.
    same_error_text: Option<bool>,
    detail: String,
}

fn run_case(group: &str, case: &Map<String, Value>, expected: &Value, scratch: &Path) -> Outcome {
    let name = case.get("name").map(arg_text).unwrap_or_default();
    let dir = scratch.join(format!("{group}-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let chart_dir = dir.join("conf");
    write_chart(case, &chart_dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pkglens"));
    cmd.current_dir(&dir)
        .args(["render", "release"])
        .arg(&chart_dir)
        .args(["--namespace", "default"]);
    match case.get("show_only") {
        None => {
            cmd.args(["--show-only", "templates/case.yaml"]);
        }
        Some(Value::Null) => {}
        Some(v) => {
            cmd.args(["--show-only", &arg_text(v)]);
        }
    }
    if let Some(Value::Array(args)) = case.get("args") {
        cmd.args(args.iter().map(arg_text));
    }
    let output = cmd.output().expect("pkglens runs");
    let _ = std::fs::remove_dir_all(&dir);
    let chart_path = chart_dir.to_str().unwrap_or("");
    let stdout = String::from_utf8_lossy(&output.stdout).replace(chart_path, "CHART");
    let stderr = String::from_utf8_lossy(&output.stderr).replace(chart_path, "CHART");
    let ok = output.status.success();
    let passed = if expected["ok"] == Value::Bool(true) {
        ok && match case.get("match") {
            Some(Value::String(pattern)) => {
                stdout.starts_with("---\n# Source: ")
                    && Regex::new(&format!("(?s)^(?:{pattern})$"))
                        .map(|re| re.is_match(body(&stdout)))
                        .unwrap_or(false)
            }
            _ => expected["stdout"].as_str() == Some(stdout.as_str()),
        }
    } else {
        !ok && output.status.code().is_some()
    };
    let same_error_text = expected["stderr"]
        .as_str()
        .map(|want| !ok && stderr.trim() == want);
    Outcome {
        group: group.to_string(),
        name,
        passed,
        same_error_text,
        detail: format!(
            "want {}\n  got rc={:?} stdout={:?} stderr={:?}",
            expected,
            output.status.code(),
            stdout.chars().take(300).collect::<String>(),
            stderr.chars().take(300).collect::<String>()
        ),
    }
}

fn load_cases(file: &Path) -> (String, Vec<Map<String, Value>>) {
    let text = std::fs::read_to_string(file).expect("case file");
    let docs = yaml::load_all(&text, &yaml::Limits::default()).expect("case YAML");
    let doc = yaml::to_json(&docs[0]).expect("case JSON");
    let group = doc["group"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            file.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let cases = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c.as_object().cloned())
        .collect();
    (group, cases)
}

#[test]
fn helm_template_conformance() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let suite = shared.join("conformance/helm-template");
    let mut work = Vec::new();
    let files = common::files_with_extension(&suite.join("cases"), "yaml");
    let mut totals: BTreeMap<String, usize> = BTreeMap::new();
    for file in files {
        let (group, cases) = load_cases(&file);
        let expected_text = std::fs::read_to_string(suite.join(format!("expected/{group}.json")))
            .expect("expected");
        let expected: Value = serde_json::from_str(&expected_text).expect("expected JSON");
        for case in cases {
            let name = case.get("name").map(arg_text).unwrap_or_default();
            if let Some(want) = expected["cases"].get(&name) {
                *totals.entry(group.clone()).or_default() += 1;
                work.push((group.clone(), case, want.clone()));
            }
        }
    }
    let scratch = common::scratch_dir("conformance");
    let outcomes = common::parallel_map(&work, |(group, case, want)| {
        run_case(group, case, want, &scratch)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let mut passed: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut cases = Vec::new();
    let mut error_texts = Vec::new();
    for o in &outcomes {
        if let Some(same) = o.same_error_text {
            error_texts.push((format!("{}/{}", o.group, o.name), same));
        }
        if o.passed {
            *passed.entry(o.group.clone()).or_default() += 1;
        } else {
            failures.push(format!("[{}] {}: {}", o.group, o.name, o.detail));
        }
        cases.push((format!("{}/{}", o.group, o.name), o.passed));
    }
    failures.sort();
    cases.sort();
    error_texts.sort();
    if std::env::var_os("CONFORMANCE_LOG").is_some() {
        for f in &failures {
            println!("{f}");
        }
    }
    for (group, total) in &totals {
        let got = passed.get(group).copied().unwrap_or(0);
        println!(
            "{group}: {got}/{total} ({:.1}%)",
            100.0 * got as f64 / (*total).max(1) as f64
        );
    }
    // CONFORMANCE_LOG=1 prints why a case fails.
    common::keep_passing("helm_conformance_passing.txt", &cases);
    common::keep_passing("helm_conformance_errors_passing.txt", &error_texts);
}
