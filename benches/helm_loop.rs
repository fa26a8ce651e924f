//! pkglens against the loop it replaces (a benchmark, not a test; `cargo bench --bench
//! helm_loop`), plain timed runs printing figures:
//!
//! 1. with `HELM` naming a helm binary, over ../shared/corpus/helm/charts with default values:
//!    a sequential `helm template` loop, the same loop 2-wide, and one `pkglens scan` of every
//!    archive on all cores (the release binary, worker processes as a user runs it): the
//!    ratios, pkglens' peak RSS, and every chart on which pkglens alone (`scan` and `render`
//!    of that one archive) is slower than helm;
//! 2. the cost of isolation: the same corpus scan in worker processes (the default) against
//!    `--no-isolate` (in-process), both on all cores, in wall and in CPU time (issue #20's
//!    target: under 5%);
//! 3. synthetic repositories (copies of the corpus charts, each a release of its own): the
//!    cost per archive at each size of `PKGLENS_BENCH_SIZES` (default `100`; the issue's
//!    `100,1000,10000`), with peak RSS.
//!
//! The machine may be shared: each figure is the best of `PKGLENS_BENCH_RUNS` runs (default 3).

#[path = "common/repository.rs"]
mod repository;

use repository::{env_number, scratch};

use nix::sys::resource::{getrusage, UsageWho};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const PKGLENS: &str = env!("CARGO_BIN_EXE_pkglens");

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// `helm template x ARCHIVE` with a scratch HOME (no repositories, no cache, no plugins).
fn helm_command(helm: &Path, home: &Path, archive: &Path) -> Command {
    let mut command = Command::new(helm);
    command
        .args(["template", "x"])
        .arg(archive)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn pkglens_command(args: &[&str], inputs: &[PathBuf]) -> Command {
    let mut command = Command::new(PKGLENS);
    command
        .args(args)
        .args(inputs)
        .env("SOURCE_DATE_EPOCH", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Wall time of one run of `command` (whatever its exit status: helm fails on some charts, and
/// that time counts as it does in a user's loop).
fn timed(mut command: Command) -> Duration {
    let start = Instant::now();
    command.status().expect("the command runs");
    start.elapsed()
}

/// The resident sets of a process and all its descendants, in KiB (none once it is gone).
fn tree_rss_kib(pid: u32) -> Vec<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let own = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
    let children = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .flat_map(tree_rss_kib)
        .collect::<Vec<_>>();
    own.into_iter().chain(children).collect()
}

/// One pkglens run: wall time and the peaks of its process tree's resident set (pkglens and
/// its workers together) and of its largest process, sampled every 5 ms.
struct Measured {
    wall: Duration,
    peak_tree_kib: u64,
    peak_process_kib: u64,
}

fn measured(mut command: Command) -> Measured {
    let start = Instant::now();
    let mut child: Child = command.spawn().expect("pkglens runs");
    let (mut peak_tree_kib, mut peak_process_kib) = (0, 0);
    while child.try_wait().expect("wait").is_none() {
        let each = tree_rss_kib(child.id());
        peak_tree_kib = peak_tree_kib.max(each.iter().sum());
        peak_process_kib = peak_process_kib.max(each.into_iter().max().unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    }
    Measured {
        wall: start.elapsed(),
        peak_tree_kib,
        peak_process_kib,
    }
}

/// The largest resident set of any process this bench has waited for, in KiB (Linux carries a
/// grandchild's peak up to its parent's wait).
fn largest_child_rss_kib() -> u64 {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    u64::try_from(usage.max_rss()).unwrap_or(0)
}

/// `archives` through `helm template`, `width` at a time; wall time of the whole loop and each
/// archive's own time.
fn helm_loop(
    helm: &Path,
    home: &Path,
    archives: &[PathBuf],
    width: usize,
) -> (Duration, Vec<Duration>) {
    let next = AtomicUsize::new(0);
    let times = Mutex::new(vec![Duration::ZERO; archives.len()]);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..width {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(archive) = archives.get(i) else {
                    return;
                };
                let took = timed(helm_command(helm, home, archive));
                times.lock().expect("times")[i] = took;
            });
        }
    });
    (start.elapsed(), times.into_inner().expect("times"))
}

fn best<T: Copy + PartialOrd>(a: T, b: T) -> T {
    if b < a {
        b
    } else {
        a
    }
}

fn name_of(archive: &Path) -> String {
    archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Part 1: the corpus against helm.
fn against_helm(runs: usize) {
    let Some(helm) = std::env::var_os("HELM").map(PathBuf::from) else {
        println!(
            "helm_loop/corpus: SKIPPED: HELM does not name a helm binary (HELM=/path/to/helm)"
        );
        return;
    };
    let Some(archives) = repository::corpus_charts().filter(|c| !c.is_empty()) else {
        println!("helm_loop/corpus: SKIPPED: ../shared/corpus/helm is not beside the repository");
        return;
    };
    let home = scratch("helm-home");
    let scan_args = ["scan", "-q", "--format", "ndjson"];

    // pkglens first, before any helm run, so that the largest child's peak RSS is pkglens'.
    let mut scan_wall = Duration::MAX;
    let mut peak_tree = 0;
    for _ in 0..runs {
        let run = measured(pkglens_command(&scan_args, &archives));
        scan_wall = best(scan_wall, run.wall);
        peak_tree = peak_tree.max(run.peak_tree_kib);
    }
    let largest_process = largest_child_rss_kib();

    let mut sequential = Duration::MAX;
    let mut two_wide = Duration::MAX;
    let mut helm_each = vec![Duration::MAX; archives.len()];
    for _ in 0..runs {
        let (wall, each) = helm_loop(&helm, &home, &archives, 1);
        sequential = best(sequential, wall);
        for (kept, took) in helm_each.iter_mut().zip(each) {
            *kept = best(*kept, took);
        }
        two_wide = best(two_wide, helm_loop(&helm, &home, &archives, 2).0);
    }

    let n = archives.len();
    println!(
        "helm_loop/corpus: {n} archives, default values, best of {runs} runs, {} cores",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "  helm template, sequential loop: {:>8.0} ms ({:.1} ms/archive)",
        ms(sequential),
        ms(sequential) / n as f64
    );
    println!(
        "  helm template, 2-wide loop:     {:>8.0} ms ({:.1} ms/archive)",
        ms(two_wide),
        ms(two_wide) / n as f64
    );
    println!(
        "  pkglens scan, all cores:        {:>8.0} ms ({:.1} ms/archive)",
        ms(scan_wall),
        ms(scan_wall) / n as f64
    );
    println!(
        "  ratio helm sequential / pkglens: {:.1}x (target >= 50x)",
        sequential.as_secs_f64() / scan_wall.as_secs_f64()
    );
    println!(
        "  ratio helm 2-wide / pkglens:     {:.1}x (target >= 20x)",
        two_wide.as_secs_f64() / scan_wall.as_secs_f64()
    );
    println!(
        "  pkglens peak RSS: {:.1} MiB the process tree (pkglens + workers, sampled), {:.1} MiB \
         the largest process",
        mib(peak_tree),
        mib(largest_process)
    );

    // Each archive alone: a user's one-off command against helm's, process start included.
    let mut slower = Vec::new();
    for (archive, helm_time) in archives.iter().zip(&helm_each) {
        let one = std::slice::from_ref(archive);
        let mut scan_time = Duration::MAX;
        let mut render_time = Duration::MAX;
        for _ in 0..runs {
            scan_time = best(scan_time, timed(pkglens_command(&scan_args, one)));
            render_time = best(render_time, timed(pkglens_command(&["render", "x"], one)));
        }
        if scan_time > *helm_time || render_time > *helm_time {
            slower.push((name_of(archive), *helm_time, scan_time, render_time));
        }
    }
    if slower.is_empty() {
        println!("  charts where pkglens alone (scan or render of that archive) is slower than helm: none");
    } else {
        println!("  charts where pkglens alone is slower than helm (helm / pkglens scan / pkglens render):");
        for (name, helm_time, scan_time, render_time) in slower {
            println!(
                "    {name}: {:.1} ms / {:.1} ms / {:.1} ms",
                ms(helm_time),
                ms(scan_time),
                ms(render_time)
            );
        }
    }
    let _ = fs::remove_dir_all(home);
}

/// Part 2: the cost per archive as a repository grows.
fn isolation_overhead(runs: usize) {
    let Some(archives) = repository::corpus_charts().filter(|c| !c.is_empty()) else {
        println!(
            "helm_loop/isolation: SKIPPED: ../shared/corpus/helm is not beside the repository"
        );
        return;
    };
    let scan = ["scan", "-q", "--format", "ndjson"];
    let in_process = ["scan", "-q", "--format", "ndjson", "--no-isolate"];
    let (mut isolated, mut isolated_cpu) = (Duration::MAX, Duration::MAX);
    let (mut not_isolated, mut not_isolated_cpu) = (Duration::MAX, Duration::MAX);
    // Interleaved, so that a change in the machine's load falls on both alike.
    for _ in 0..runs {
        let (wall, cpu) = timed_with_cpu(pkglens_command(&scan, &archives));
        (isolated, isolated_cpu) = (best(isolated, wall), best(isolated_cpu, cpu));
        let (wall, cpu) = timed_with_cpu(pkglens_command(&in_process, &archives));
        (not_isolated, not_isolated_cpu) = (best(not_isolated, wall), best(not_isolated_cpu, cpu));
    }
    let overhead =
        |with: Duration, without: Duration| 100.0 * (ms(with) - ms(without)) / ms(without);
    println!(
        "helm_loop/isolation: {} archives, best of {runs}: worker processes {:.0} ms, \
         --no-isolate {:.0} ms, overhead {:+.1}% (target < 5%); CPU time (pkglens and its \
         workers, less sensitive to the machine's load) {:.0} ms against {:.0} ms, {:+.1}%",
        archives.len(),
        ms(isolated),
        ms(not_isolated),
        overhead(isolated, not_isolated),
        ms(isolated_cpu),
        ms(not_isolated_cpu),
        overhead(isolated_cpu, not_isolated_cpu)
    );
}

/// User and system CPU time of every child this bench has waited for (with their waited-for
/// descendants: pkglens waits for its workers).
fn children_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let seconds = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    seconds(usage.user_time()) + seconds(usage.system_time())
}

/// Wall time and CPU time (the process and the workers it waited for) of one run.
fn timed_with_cpu(command: Command) -> (Duration, Duration) {
    let before = children_cpu();
    let wall = timed(command);
    (wall, children_cpu().saturating_sub(before))
}

fn synthetic_scale(runs: usize) {
    let sizes: Vec<usize> = std::env::var("PKGLENS_BENCH_SIZES")
        .unwrap_or_else(|_| "100".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = scratch("scale");
    let mut per_archive = Vec::new();
    for &size in &sizes {
        let repo = dir.join(format!("repo-{size}"));
        if !repository::write_corpus_repository(&repo, size) {
            println!(
                "helm_loop/scale: SKIPPED: ../shared/corpus/helm is not beside the repository"
            );
            break;
        }
        let mut wall = Duration::MAX;
        let (mut peak, mut peak_process) = (0, 0);
        // The largest repositories take minutes a run: once is enough to see a trend there.
        for _ in 0..if size > 1000 { 1 } else { runs } {
            let run = measured(pkglens_command(
                &["scan", "-q", "--format", "ndjson"],
                std::slice::from_ref(&repo),
            ));
            wall = best(wall, run.wall);
            peak = peak.max(run.peak_tree_kib);
            peak_process = peak_process.max(run.peak_process_kib);
        }
        let cost = ms(wall) / size as f64;
        per_archive.push((size, cost));
        println!(
            "helm_loop/scale: {size:>6} archives: {:>9.0} ms, {cost:.2} ms/archive, peak RSS \
             {:.1} MiB (pkglens + workers), {:.1} MiB the largest process{}",
            ms(wall),
            mib(peak),
            mib(peak_process),
            if size == 1000 {
                " (target <= 150 MB)"
            } else {
                ""
            }
        );
        let _ = fs::remove_dir_all(&repo);
    }
    let cost_at = |n| per_archive.iter().find(|(s, _)| *s == n).map(|(_, c)| *c);
    if let (Some(thousand), Some(ten_thousand)) = (cost_at(1000), cost_at(10000)) {
        println!(
            "helm_loop/scale: cost per archive at 10,000 is {:+.1}% of that at 1,000 (target within 10%)",
            100.0 * (ten_thousand - thousand) / thousand
        );
    }
    let _ = fs::remove_dir_all(dir);
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runs = env_number("PKGLENS_BENCH_RUNS", 3).max(1);
    against_helm(runs);
    isolation_overhead(runs);
    synthetic_scale(runs);
}
