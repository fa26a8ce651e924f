//! The Helm goldens of ../shared/corpus/helm (real charts, helm v4.1.4 output): how many scans
//! find exactly helm's images, how many renders are byte-identical to helm's stdout, and whether
//! every chart helm fails on yields a problem. Goldens helm renders differently on each run
//! (random passwords, certificates, `now`) are compared outside the parts that differ between our
//! own renders at other instants. Figures are printed; each measure's passing goldens are listed
//! in `tests/helm_corpus_passing.txt` (`MEASURE/GOLDEN`, one a line): a listed one that fails
//! fails the test by name, a newly passing one is printed to be added.

mod common;

use flate2::read::GzDecoder;
use pkglens::helm::loader::load_archive;
use pkglens::helm::render::{render_chart, RenderOptions};
use pkglens::helm::values::{merge_user_values, ValueOptions};
use pkglens::helm::ReadFileError;
use pkglens::records::problem::Severity;
use pkglens::scan::{self, ScanOptions};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Default)]
struct Outcome {
    name: String,
    helm_ok: bool,
    deterministic: bool,
    images_exact: bool,
    /// Every image grep finds in helm's output is in `images` or `candidate_images`.
    candidates: bool,
    render_identical: bool,
    failure_reported: bool,
    detail: String,
}

fn render_options(corpus: &Path, golden: &Value) -> RenderOptions {
    let mut opts = ValueOptions::default();
    if let Some(values) = golden["render"]["values"].as_str() {
        let text = std::fs::read_to_string(corpus.join(values)).expect("values file");
        opts.value_files.push((values.to_string(), text));
    }
    RenderOptions {
        release_name: "release".into(),
        namespace: "default".into(),
        values: merge_user_values(&opts, &|p| {
            Err(ReadFileError::read_file(
                p,
                &std::io::ErrorKind::PermissionDenied.into(),
            ))
        })
        .expect("values"),
        ..RenderOptions::default()
    }
}

fn check(corpus: &Path, golden_path: &Path) -> Outcome {
    let golden: Value =
        serde_json::from_slice(&std::fs::read(golden_path).expect("golden")).expect("golden JSON");
    let mut out = Outcome {
        name: golden_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        helm_ok: golden["render"]["ok"] == Value::Bool(true),
        deterministic: golden["render"]["deterministic"] != Value::Bool(false),
        ..Outcome::default()
    };
    let archive = corpus.join(golden["archive"].as_str().expect("archive"));
    let options = render_options(corpus, &golden);
    let scan_options = ScanOptions {
        jobs: Some(1),
        helm: RenderOptions { ..options.clone() },
        ..ScanOptions::default()
    };
    let mut results = Vec::new();
    let scanned = scan::scan(std::slice::from_ref(&archive), &scan_options, |r| {
        results.push(r)
    });
    let Some(result) = results.first().filter(|_| scanned.is_ok()) else {
        out.detail = "no scan result".into();
        return out;
    };
    if out.helm_ok {
        let components: BTreeSet<String> = result
            .components
            .iter()
            .flat_map(|c| c.images.iter().map(|i| i.reference.clone()))
            .collect();
        let all: BTreeSet<String> = result.images.iter().map(|i| i.reference.clone()).collect();
        // An advisory (declared images that drift from rendered ones) is no failure.
        out.images_exact = components == strings(&golden["images"])
            && all == strings(&golden["all_images"])
            && result
                .problems
                .iter()
                .all(|p| p.severity() == Severity::Advisory);
        if !out.images_exact {
            out.detail = format!(
                "images {components:?} want {:?}; all {all:?} want {:?}; problems {:?}",
                strings(&golden["images"]),
                strings(&golden["all_images"]),
                result
                    .problems
                    .iter()
                    .map(|p| &p.detail)
                    .collect::<Vec<_>>()
            );
        }
        let want = golden["rendered"].as_str().map(|r| {
            let mut text = String::new();
            let bytes = std::fs::read(corpus.join(r)).expect("rendered");
            GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .expect("gunzip");
            text
        });
        if let Some(want) = &want {
            let reported: BTreeSet<&str> = result
                .images
                .iter()
                .map(|i| i.reference.as_str())
                .chain(result.candidate_images.iter().map(|c| c.reference.as_str()))
                .collect();
            let missed: Vec<String> = common::grepped_images(want)
                .into_iter()
                .filter(|i| !reported.contains(i.as_str()))
                .collect();
            out.candidates = missed.is_empty();
            if !out.candidates {
                out.detail
                    .push_str(&format!("grep finds unreported images {missed:?}; "));
            }
        }
        let got = || {
            std::fs::read(&archive)
                .ok()
                .and_then(|bytes| load_archive(&bytes).ok())
                .and_then(|chart| render_chart(chart, &options, &mut Default::default()).ok())
                .map(|r| r.output)
        };
        out.render_identical = match want {
            Some(want) if out.deterministic => got() == Some(want),
            Some(want) => {
                // Random output may rarely change a line count (a PEM a byte longer, wrapped
                // onto one more line): a difference counts only when fresh renders keep it.
                let mut why = String::new();
                let same = (0..RANDOM_ATTEMPTS).any(|attempt| {
                    let compared = got()
                        .ok_or_else(|| "our render failed".to_string())
                        .and_then(|got| {
                            renders_at_other_instants(corpus, &golden, attempt)
                                .and_then(|others| same_but_random(&want, &got, &others))
                        });
                    match compared {
                        Ok(()) => true,
                        Err(e) => {
                            why = e;
                            false
                        }
                    }
                });
                out.detail.push_str(&why);
                same
            }
            None => false,
        };
    } else {
        // helm's stderr, from its `Error:` line (warnings before it are not part of the error).
        let helm_error = golden["render"]["error"]
            .as_str()
            .and_then(|e| e.find("Error:").map(|at| e[at..].trim_end()))
            .unwrap_or("no error text in the golden");
        out.failure_reported = result.components.is_empty()
            && result
                .problems
                .iter()
                .any(|p| p.detail.trim_end() == helm_error);
        if !out.failure_reported {
            out.detail = format!(
                "helm failed with {helm_error:?}; problems {:?}",
                result
                    .problems
                    .iter()
                    .map(|p| &p.detail)
                    .collect::<Vec<_>>()
            );
        }
        out.images_exact = out.failure_reported;
    }
    out
}

/// How many times a non-deterministic golden is compared with fresh renders before it fails.
const RANDOM_ATTEMPTS: u64 = 3;

/// `pkglens render` of the golden's chart at two other instants, moved by `attempt`
/// (`SOURCE_DATE_EPOCH` moves `now` and seeds the random functions): what differs between them
/// and our in-process render is the random or time-dependent part of the output.
fn renders_at_other_instants(
    corpus: &Path,
    golden: &Value,
    attempt: u64,
) -> Result<Vec<String>, String> {
    let archive = golden["archive"].as_str().ok_or("golden without archive")?;
    let mut args = vec!["render", "release", archive, "--namespace", "default"];
    if let Some(values) = golden["render"]["values"].as_str() {
        args.extend(["-f", values]);
    }
    [1_000_000_000 + attempt, 1_800_000_000 + attempt]
        .iter()
        .map(|epoch| {
            let output = Command::new(env!("CARGO_BIN_EXE_pkglens"))
                .args(&args)
                .current_dir(corpus)
                .env("SOURCE_DATE_EPOCH", epoch.to_string())
                .output()
                .map_err(|e| e.to_string())?;
            match output.status.success() {
                true => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
                false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
            }
        })
        .collect()
}

/// Whether helm's `want` equals our `got` outside the random parts: the lines where our renders
/// (`got` and `others`) disagree. On such a line `want` must keep what all our renders share
/// before and after the random middle, and its middle must be blank-free when ours are.
/// The error names the first line that differs.
fn same_but_random(want: &str, got: &str, others: &[String]) -> Result<(), String> {
    let want: Vec<&str> = want.lines().collect();
    let renders: Vec<Vec<&str>> = std::iter::once(got)
        .chain(others.iter().map(String::as_str))
        .map(|r| r.lines().collect())
        .collect();
    if let Some(r) = renders.iter().find(|r| r.len() != want.len()) {
        return Err(format!("{} lines, helm printed {}", r.len(), want.len()));
    }
    for (i, wanted) in want.iter().enumerate() {
        let ours: Vec<&str> = renders.iter().map(|r| r[i]).collect();
        let same = if ours.iter().all(|line| *line == ours[0]) {
            *wanted == ours[0]
        } else {
            // The random middle spans whole words: a common first or last letter of random
            // text (base64 padding, say) is chance, not something helm must print too.
            let mut prefix = ours.iter().fold(ours[0].len(), |n, line| {
                common_len(ours[0].bytes(), line.bytes()).min(n)
            });
            while prefix > 0 && is_word_byte(ours[0].as_bytes()[prefix - 1]) {
                prefix -= 1;
            }
            let mut suffix = ours.iter().fold(ours[0].len() - prefix, |n, line| {
                common_len(ours[0].bytes().rev(), line.bytes().rev()).min(n)
            });
            let end = ours[0].len();
            while suffix > 0 && is_word_byte(ours[0].as_bytes()[end - suffix]) {
                suffix -= 1;
            }
            let middle_blank = ours
                .iter()
                .any(|line| line[prefix..line.len() - suffix].contains(' '));
            wanted.len() >= prefix + suffix
                && wanted.as_bytes()[..prefix] == ours[0].as_bytes()[..prefix]
                && wanted.as_bytes()[wanted.len() - suffix..] == ours[0].as_bytes()[end - suffix..]
                && (middle_blank || !wanted[prefix..wanted.len() - suffix].contains(' '))
        };
        if !same {
            return Err(format!("line {}: helm {wanted:?}, ours {:?}", i + 1, ours));
        }
    }
    Ok(())
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/=_-".contains(&b)
}

fn common_len(a: impl Iterator<Item = u8>, b: impl Iterator<Item = u8>) -> usize {
    a.zip(b).take_while(|(x, y)| x == y).count()
}

#[test]
fn helm_corpus_figures() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus/helm");
    let goldens = common::files_with_extension(&corpus.join("expected"), "json");
    let mut outcomes = common::parallel_map(&goldens, |path| check(&corpus, path));
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let helm_ok = count(&|o| o.helm_ok);
    println!(
        "images exact: {}/{} goldens",
        count(&|o| o.images_exact),
        outcomes.len()
    );
    let candidates = count(&|o| o.candidates);
    println!(
        "candidates: every image grep finds in helm's output reported for {candidates}/{helm_ok} charts ({:.1}%)",
        100.0 * candidates as f64 / helm_ok.max(1) as f64
    );
    println!(
        "render byte-identical: {}/{} charts helm renders ({} of them deterministic)",
        count(&|o| o.render_identical),
        helm_ok,
        count(&|o| o.helm_ok && o.deterministic)
    );
    println!(
        "helm failures reported as problems with helm's error text: {}/{}",
        count(&|o| o.failure_reported),
        outcomes.len() - helm_ok
    );
    if std::env::var_os("CORPUS_LOG").is_some() {
        for o in outcomes
            .iter()
            .filter(|o| !o.images_exact || (o.helm_ok && (!o.render_identical || !o.candidates)))
        {
            println!(
                "{}: images_exact={} render_identical={} candidates={} {}",
                o.name, o.images_exact, o.render_identical, o.candidates, o.detail
            );
        }
    }
    let cases: Vec<(String, bool)> = outcomes
        .iter()
        .flat_map(|o| {
            [
                ("images_exact", o.images_exact),
                ("candidates", o.candidates),
                ("render_identical", o.render_identical),
                ("failures_reported", o.failure_reported),
            ]
            .map(|(measure, passed)| (format!("{measure}/{}", o.name), passed))
        })
        .collect();
    common::keep_passing("helm_corpus_passing.txt", &cases);
}

#[test]
fn only_the_random_words_are_masked() {
    let ours = "kind: Secret\n  password: \"Zm9vYmFyMQ==\"\n  user: admin\n";
    let others = [
        "kind: Secret\n  password: \"cXV1eDI0Mg==\"\n  user: admin\n".to_string(),
        "kind: Secret\n  password: \"Zm9vYmF6MQ==\"\n  user: admin\n".to_string(),
    ];
    let helm = "kind: Secret\n  password: \"YWJjZGVmZw==\"\n  user: admin\n";
    assert_eq!(same_but_random(helm, ours, &others), Ok(()));
    let other_user = helm.replace("user: admin", "user: root");
    assert!(same_but_random(&other_user, ours, &others).is_err());
    let unquoted = helm.replace("\"YWJjZGVmZw==\"", "YWJjZGVmZw==");
    assert!(same_but_random(&unquoted, ours, &others).is_err());
    let two_words = helm.replace("YWJjZGVmZw==", "YWJj ZGVmZw==");
    assert!(same_but_random(&two_words, ours, &others).is_err());
}
