//! The scan: inputs → ScanResults, in parallel, one result per package, errors never fatal.
//!
//! Per input: load (read or unpack) → detect packages → render (see `render`, where the
//! renderers plug in) → objects → workloads → records. Results are handed out in input order
//! as soon as each one and all before it are done, so streamed output stays deterministic.

pub mod pool;
#[cfg(feature = "internals")]
pub mod render;
#[cfg(not(feature = "internals"))]
pub(crate) mod render;
pub mod shard;

use crate::budget::{InputBudget, InputLimits};
use crate::candidates;
use crate::detect::{self, System};
use crate::input::{self, Input, LoadError};
use crate::objects;
use crate::poison::IgnorePoison;
use crate::records::problem::{self, Problem, ProblemKind};
use crate::records::{self, PackageFacts, ScanResult, Source, SourceFormat};
use crate::template::KeySource;
use crate::unpack::{ArchiveFormat, Limits, UnpackError};
use crate::workload;
use render::{RenderContext, RenderedPackage};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{mpsc, Mutex};
use thiserror::Error;

/// Settings of one scan run. Workers get them as JSON (see [`pool`]).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ScanOptions {
    /// Limits on each archive (entries, sizes, expansion, nesting).
    pub limits: Limits,
    /// Totals of bytes and renders per input.
    pub input_limits: InputLimits,
    /// Timestamp for every record (`SOURCE_DATE_EPOCH`); otherwise each input's newest mtime.
    pub source_date_epoch: Option<i64>,
    /// The one package root to report in each input (`--entry`), when given.
    pub entry: Option<String>,
    /// Worker threads; `None` for one per core.
    pub jobs: Option<usize>,
    /// How charts are rendered: release name, namespace, values, capabilities.
    pub helm: crate::helm::render::RenderOptions,
    /// Scan in worker processes (see [`pool`]); `None` scans in this process (`--no-isolate`).
    #[serde(skip)]
    pub isolation: Option<pool::Isolation>,
}

/// Renderers recurse (templates including templates) but grow their stack where they do
/// (see [`crate::stack`]): workers start with a small one, so that many fit in little
/// address space.
const WORKER_STACK_BYTES: usize = crate::stack::THREAD_STACK;

/// Why a scan could not run at all (per-input failures are problems in the results).
#[derive(Debug, Error)]
pub enum ScanError {
    /// The worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    /// A worker process failed.
    #[error(transparent)]
    Worker(#[from] pool::WorkerError),
}

/// How many inputs, per worker, may be scanned ahead of the first one not handed out yet.
/// Results wait in memory for those before them; without a bound, one slow input early in a
/// batch would keep every later result in memory until it is done. Wide enough that the
/// other workers go on through a slow input (a chart making a 4096-bit key takes 0.4 s, 25
/// average charts): at 4, one of two workers stood idle for most of it. A result is tens of
/// KiB.
const WINDOW_PER_WORKER: usize = 32;

/// Hands out each input's results (with the input's index) in input order as soon as they and
/// all before them are there.
pub(crate) struct InOrder<T, F> {
    emit: F,
    next: usize,
    pending: BTreeMap<usize, T>,
}

impl<T, F: FnMut(usize, T)> InOrder<T, F> {
    pub(crate) fn new(emit: F) -> Self {
        Self {
            emit,
            next: 0,
            pending: BTreeMap::new(),
        }
    }

    pub(crate) fn push(&mut self, index: usize, results: T) {
        self.pending.insert(index, results);
        while let Some(results) = self.pending.remove(&self.next) {
            (self.emit)(self.next, results);
            self.next += 1;
        }
    }

    /// Whether input `index` may be started with at most `window` inputs' results held.
    pub(crate) fn admits(&self, index: usize, window: usize) -> bool {
        index < self.next + window
    }
}

/// Scans every input and hands each ScanResult to `emit`, in input order, as soon as it can.
pub fn scan(
    paths: &[PathBuf],
    options: &ScanOptions,
    mut emit: impl FnMut(ScanResult),
) -> Result<(), ScanError> {
    let inputs = discover(paths, options);
    scan_inputs(&inputs, options, |_, results| {
        results.into_iter().for_each(&mut emit)
    })
}

/// The inputs the paths stand for (see [`input::discover`]), in order.
pub fn discover(paths: &[PathBuf], options: &ScanOptions) -> Vec<Input> {
    paths
        .iter()
        .flat_map(|p| input::discover(p, &options.limits))
        .collect()
}

/// Scans `inputs` and hands each input's ScanResults to `emit` with the input's index, in
/// input order, as soon as they and all before them are done.
pub fn scan_inputs(
    inputs: &[Input],
    options: &ScanOptions,
    emit: impl FnMut(usize, Vec<ScanResult>),
) -> Result<(), ScanError> {
    // A scan keeps the images, never the keys a chart makes: it may reuse them.
    let options = &ScanOptions {
        helm: crate::helm::render::RenderOptions {
            keys: KeySource::Pooled,
            ..options.helm.clone()
        },
        ..options.clone()
    };
    if let Some(isolation) = &options.isolation {
        return Ok(pool::scan(inputs, options, isolation, emit)?);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.unwrap_or(0))
        .stack_size(WORKER_STACK_BYTES)
        .build()?;
    let window = pool.current_num_threads() * WINDOW_PER_WORKER;
    let mut in_order = InOrder::new(emit);
    in_order_windowed(
        &pool,
        inputs.len(),
        window,
        |index| scan_input_guarded(&inputs[index], options),
        &mut in_order,
    );
    Ok(())
}

/// Runs `work` for indexes `0..count` on `pool`'s threads and pushes each outcome to
/// `in_order`, starting an index only once it is within `window` of the first one not handed
/// out yet: at most `window` outcomes are ever held.
fn in_order_windowed<T: Send>(
    pool: &rayon::ThreadPool,
    count: usize,
    window: usize,
    work: impl Fn(usize) -> T + Sync,
    in_order: &mut InOrder<T, impl FnMut(usize, T)>,
) {
    let (ticket_sender, tickets) = mpsc::channel::<usize>();
    let tickets = Mutex::new(tickets);
    let (sender, receiver) = mpsc::channel();
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads() {
            let (sender, tickets, work) = (sender.clone(), &tickets, &work);
            scope.spawn(move |_| loop {
                let ticket = tickets.lock().ignore_poison().recv();
                let Ok(index) = ticket else {
                    return;
                };
                // The receiver lives until every sender is gone; a failed send cannot happen.
                let _ = sender.send((index, work(index)));
            });
        }
        drop(sender);
        // Tickets go out while they are admitted; the last one sent, the channel closes and
        // the workers end once it is empty, and with them the results channel.
        let mut ticket_sender = Some(ticket_sender);
        let mut issued = 0;
        let mut issue = |in_order: &InOrder<T, _>| {
            while issued < count && in_order.admits(issued, window) {
                if let Some(tickets) = &ticket_sender {
                    let _ = tickets.send(issued);
                }
                issued += 1;
            }
            if issued == count {
                ticket_sender = None;
            }
        };
        issue(in_order);
        for (index, outcome) in receiver.iter() {
            in_order.push(index, outcome);
            issue(in_order);
        }
    });
}

/// [`scan_input`], with a bug (a panic) turned into a problem so the batch goes on.
/// Each input gets budgets of its own, shared by all its stages.
fn scan_input_guarded(input: &Input, options: &ScanOptions) -> Vec<ScanResult> {
    let budget = InputBudget::new(options.input_limits);
    let scan = || budget.run(|| scan_input(input, options));
    panic::catch_unwind(AssertUnwindSafe(scan)).unwrap_or_else(|_| {
        vec![unreadable(
            input,
            System::Kube,
            vec![Problem::new(
                ProblemKind::InternalError,
                "pkglens failed on this input (a bug: please report it with the input)",
                problem::instance_of(input),
            )],
        )]
    })
}

fn source_of(input: &Input, loaded: Option<&input::Loaded>, entry: Option<String>) -> Source {
    Source {
        path: input.display(),
        entry,
        format: SourceFormat::of(input),
        sha256: loaded.and_then(|l| l.sha256.clone()),
        size: loaded.and_then(|l| l.size),
    }
}

/// The result of an input that cannot be read as a package. Its system is a guess when
/// nothing could be read: `kube`, the plain one.
fn unreadable(input: &Input, system: System, problems: Vec<Problem>) -> ScanResult {
    records::unreadable_result(source_of(input, None, None), system, problems)
}

fn load_problem(error: &LoadError, instance: &str) -> Problem {
    let kind = match error {
        LoadError::Io(_) => ProblemKind::InputUnreadable,
        LoadError::Unsafe(_) => ProblemKind::UnsafeEntry,
        LoadError::Unpack(UnpackError::Malformed { .. }) => ProblemKind::ArchiveUnreadable,
        LoadError::Unpack(_) | LoadError::InputTooLarge { .. } | LoadError::StreamTooLarge(_) => {
            ProblemKind::LimitExceeded
        }
    };
    Problem::new(kind, error.to_string(), instance)
}

/// Scans one input: one ScanResult per package in it (at least one, even when it is unreadable).
pub fn scan_input(input: &Input, options: &ScanOptions) -> Vec<ScanResult> {
    let instance = problem::instance_of(input);
    let loaded = match input::load(input, &options.limits) {
        Ok(loaded) => loaded,
        Err(failure) => {
            let source = Source {
                sha256: failure.sha256,
                size: failure.size,
                ..source_of(input, None, None)
            };
            let problem = load_problem(&failure.error, &instance);
            return vec![records::unreadable_result(
                source,
                System::Kube,
                vec![problem],
            )];
        }
    };
    let (detected, skipped) = detect::detect_with_skipped(&loaded.tree);
    if !skipped.is_empty() {
        crate::notice::notice(&format!(
            "{}: skipped {} YAML/JSON file(s) holding no Kubernetes object: {}",
            input.display(),
            skipped.len(),
            crate::notice::list(&skipped)
        ));
    }
    if !loaded.violations.is_empty() {
        let problems = loaded
            .violations
            .iter()
            .map(|v| Problem::new(ProblemKind::UnsafeEntry, v.to_string(), instance.as_str()))
            .collect();
        let system = detected.first().map_or(System::Kube, |p| p.system);
        let source = source_of(input, Some(&loaded), None);
        return vec![records::unreadable_result(source, system, problems)];
    }
    if detected.is_empty() {
        let source = source_of(input, Some(&loaded), None);
        let problem = Problem::new(
            ProblemKind::NoPackage,
            "no Chart.yaml, kustomization or YAML/JSON manifest found",
            instance.as_str(),
        );
        return vec![records::unreadable_result(
            source,
            System::Kube,
            vec![problem],
        )];
    }
    let timestamp = options
        .source_date_epoch
        .or(loaded.newest_mtime)
        .unwrap_or(0);
    let fallback_title = input.base_name();
    let wanted_entry = normalized_entry(options.entry.as_deref());
    let mut results = Vec::new();
    for package in &detected {
        let context = RenderContext {
            tree: &loaded.tree,
            disk_top: matches!(input.kind, input::InputKind::Directory { .. })
                .then_some(input.path.as_path()),
            package,
            instance: &instance,
            fallback_title: &fallback_title,
            gzip_tar_input: input.kind == input::InputKind::Archive(ArchiveFormat::TarGz),
            options,
        };
        for rendered in render::render_package(&context) {
            if wanted_entry.is_some() && rendered.entry != wanted_entry {
                continue;
            }
            results.push(package_result(
                input, &loaded, rendered, timestamp, &instance,
            ));
        }
    }
    if results.is_empty() {
        let source = source_of(input, Some(&loaded), wanted_entry.clone());
        let problem = Problem::new(
            ProblemKind::NoPackage,
            format!(
                "no package root at entry {:?}",
                wanted_entry.unwrap_or_default()
            ),
            instance.as_str(),
        );
        results.push(records::unreadable_result(
            source,
            System::Kube,
            vec![problem],
        ));
    }
    results
}

/// `--entry` as the records write entries: `/`-separated, no `./` or trailing `/`; the
/// input's top folder itself (`.` or empty) is no entry at all.
pub(super) fn normalized_entry(entry: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = entry?
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A chart's declared images (Chart.yaml annotations) against the images it needs (those its
/// objects run and the candidates they name, Helm tests left out: a test pod's image is no
/// drift): declared but not needed, or needed but not declared (only when a declaration exists
/// and the chart rendered any image).
fn image_annotation_drift(result: &ScanResult) -> Option<String> {
    let needed = result.needed_images(true, false);
    if result.declared_images.is_empty() || needed.is_empty() {
        return None;
    }
    let declared: BTreeSet<&str> = result.declared_images.iter().map(String::as_str).collect();
    let missing: Vec<&str> = declared.difference(&needed).copied().collect();
    let undeclared: Vec<&str> = needed.difference(&declared).copied().collect();
    if missing.is_empty() && undeclared.is_empty() {
        return None;
    }
    Some(format!(
        "declared but not rendered: {missing:?}; rendered but not declared: {undeclared:?}"
    ))
}

/// Objects → workloads and candidate images → records for one rendered package.
fn package_result(
    input: &Input,
    loaded: &input::Loaded,
    rendered: RenderedPackage,
    timestamp: i64,
    instance: &str,
) -> ScanResult {
    let (mut objects, mut problems) = objects::parse_objects(rendered.documents, instance);
    objects.extend(rendered.objects);
    let workloads: Vec<_> = objects.iter().filter_map(workload::workload_of).collect();
    let candidates: Vec<_> = objects
        .iter()
        .filter_map(candidates::candidates_of)
        .collect();
    let mut all_problems = rendered.problems;
    all_problems.append(&mut problems);
    let facts = PackageFacts {
        system: rendered.system,
        title: rendered.title,
        description: rendered.description,
        release: rendered.release,
        repository: None,
        declared_images: rendered.declared_images,
        timestamp,
    };
    let mut result = records::build_result(
        source_of(input, Some(loaded), rendered.entry),
        facts,
        records::file_digests(&loaded.tree, |path| rendered.files.owns(path)),
        &workloads,
        &candidates,
        all_problems,
    );
    if let Some(detail) = image_annotation_drift(&result) {
        // An advisory: the state stays what the other problems made it.
        result.problems.push(Problem::new(
            ProblemKind::ImageAnnotationDrift,
            detail,
            instance,
        ));
    }
    result
}

#[cfg(test)]
mod drift_tests {
    use super::image_annotation_drift;
    use crate::candidates::candidates_of;
    use crate::detect::System;
    use crate::objects::KubeObject;
    use crate::records::{self, PackageFacts, ScanResult, Source, SourceFormat};
    use crate::workload::workload_of;
    use serde_json::{json, Value};

    /// A chart that runs nginx:1, names a Prometheus image in a custom resource and tests
    /// itself with busybox, declaring `declared`.
    fn chart_declaring(declared: &[&str]) -> ScanResult {
        let objects: Vec<KubeObject> = [
            json!({"kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:1"}]}}}}),
            json!({"kind": "Prometheus", "metadata": {"name": "p"},
                "spec": {"image": "quay.io/prometheus/prometheus:v3.1.0"}}),
            json!({"kind": "Pod", "metadata": {"name": "t", "annotations": {"helm.sh/hook": "test"}},
                "spec": {"containers": [{"name": "t", "image": "busybox:1"}]}}),
        ]
        .into_iter()
        .map(|value: Value| KubeObject {
            source: "c/templates/x.yaml".into(),
            value,
        })
        .collect();
        let workloads: Vec<_> = objects.iter().filter_map(workload_of).collect();
        let candidates: Vec<_> = objects.iter().filter_map(candidates_of).collect();
        let facts = PackageFacts {
            system: System::Helm,
            title: "c".into(),
            description: None,
            release: None,
            repository: None,
            declared_images: declared.iter().map(|d| d.to_string()).collect(),
            timestamp: 0,
        };
        let source = Source {
            path: "c.tgz".into(),
            entry: None,
            format: SourceFormat::Tgz,
            sha256: None,
            size: None,
        };
        records::build_result(
            source,
            facts,
            Vec::new(),
            &workloads,
            &candidates,
            Vec::new(),
        )
    }

    #[test]
    fn drift_only_when_a_declaration_disagrees() {
        assert_eq!(image_annotation_drift(&chart_declaring(&[])), None);
        let complete = ["nginx:1", "quay.io/prometheus/prometheus:v3.1.0"];
        assert_eq!(image_annotation_drift(&chart_declaring(&complete)), None);
        let drift = image_annotation_drift(&chart_declaring(&["nginx:2"])).unwrap();
        assert_eq!(
            drift,
            r#"declared but not rendered: ["nginx:2"]; rendered but not declared: ["nginx:1", "quay.io/prometheus/prometheus:v3.1.0"]"#
        );
    }
}

#[cfg(test)]
mod window_tests {
    use super::{in_order_windowed, InOrder};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A slow first input does not make the later ones pile up: however the threads are
    /// scheduled, no input starts while `window` inputs before it wait to be handed out (so no
    /// more results than that are ever held), and all come out in order.
    #[test]
    fn a_slow_input_holds_at_most_the_window() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let window = 3;
        let handed_out = AtomicUsize::new(0);
        let most_ahead = AtomicUsize::new(0);
        let mut emitted = Vec::new();
        let mut in_order = InOrder::new(|index, outcome: usize| {
            emitted.push((index, outcome));
            handed_out.fetch_add(1, Ordering::SeqCst);
        });
        in_order_windowed(
            &pool,
            40,
            window,
            |index| {
                let ahead = index - handed_out.load(Ordering::SeqCst);
                most_ahead.fetch_max(ahead, Ordering::SeqCst);
                if index == 0 {
                    // Long enough for every other input to be done, were they let start.
                    std::thread::sleep(Duration::from_millis(200));
                }
                index * 10
            },
            &mut in_order,
        );
        drop(in_order);
        let most_ahead = most_ahead.into_inner();
        assert!(most_ahead < window, "input started {most_ahead} ahead");
        assert_eq!(emitted, (0..40).map(|i| (i, i * 10)).collect::<Vec<_>>());
    }
}
