//! Catalog figures (a benchmark, not a test; `cargo bench --bench catalog`):
//!
//! 1. a re-scan of an unchanged chart repository against its catalog, against the full scan
//!    that made it (the `pkglens` binary, worker processes as a user runs it), wall and CPU
//!    time: on a real repository (copies of the corpus charts) and on minimal charts;
//! 2. `serve`: Get Package latency (median, p99) on a catalog of many packages, and requests a
//!    second from several clients while a writer replaces records all the while.
//!
//! Small by default; the sizes with `PKGLENS_BENCH_ARCHIVES=1000`
//! `PKGLENS_BENCH_PACKAGES=10000`.

#[path = "common/repository.rs"]
mod repository;

use repository::{env_number, scratch};

use nix::sys::resource::{getrusage, UsageWho};
use pkglens::catalog::Catalog;
use pkglens::records::ScanResult;
use pkglens::serve::Server;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A chart archive (gzip'd tar) `name` 1.0.0 with a Deployment and a Service.
fn chart_archive(name: &str) -> Vec<u8> {
    let files = [
        (
            "Chart.yaml".to_string(),
            format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\ndescription: bench\n"),
        ),
        (
            "values.yaml".to_string(),
            "image:\n  repository: nginx\n  tag: \"1.27\"\nreplicas: 2\n".to_string(),
        ),
        (
            "templates/deployment.yaml".to_string(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n\
             spec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n\
             \x20       - name: web\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
                .to_string(),
        ),
        (
            "templates/service.yaml".to_string(),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  ports:\n    - port: 80\n"
                .to_string(),
        ),
    ];
    let mut builder = tar::Builder::new(Vec::new());
    for (path, text) in &files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("{name}/{path}"), text.as_bytes())
            .expect("tar entry");
    }
    let tar = builder.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

/// Wall time and CPU time (user + system, of pkglens and its workers) of one run.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

fn children_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let seconds = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    seconds(usage.user_time()) + seconds(usage.system_time())
}

fn timed_scan(catalog: &Path, repo: &Path) -> Timing {
    let cpu = children_cpu();
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_pkglens"))
        .args(["scan", "-q", "--format", "ndjson", "--catalog"])
        .arg(catalog)
        .arg(repo)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("pkglens runs");
    assert!(status.success());
    Timing {
        wall: start.elapsed(),
        cpu: children_cpu() - cpu,
    }
}

/// Medians (wall and CPU apart) of a few runs: the machine is shared.
fn median(runs: Vec<Timing>) -> Timing {
    let middle = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    Timing {
        wall: middle(runs.iter().map(|t| t.wall).collect()),
        cpu: middle(runs.iter().map(|t| t.cpu).collect()),
    }
}

/// A full scan of `repo` into a new catalog (`full_runs` times), then unchanged re-scans
/// against it; prints both and their ratio.
fn rescan_figures(label: &str, dir: &Path, repo: &Path, full_runs: usize) {
    let full = median(
        (0..full_runs)
            .map(|run| timed_scan(&dir.join(format!("full-{run}.db")), repo))
            .collect(),
    );
    let catalog = dir.join("full-0.db");
    let unchanged = median((0..7).map(|_| timed_scan(&catalog, repo)).collect());
    let percent =
        |part: Duration, whole: Duration| 100.0 * part.as_secs_f64() / whole.as_secs_f64();
    println!(
        "catalog/rescan ({label}): full scan {:.2} s wall, {:.2} s CPU; unchanged re-scan \
         {:.3} s wall, {:.3} s CPU = {:.1}% of the full scan's wall time, {:.1}% of its CPU \
         time (medians)",
        full.wall.as_secs_f64(),
        full.cpu.as_secs_f64(),
        unchanged.wall.as_secs_f64(),
        unchanged.cpu.as_secs_f64(),
        percent(unchanged.wall, full.wall),
        percent(unchanged.cpu, full.cpu),
    );
}

/// The re-scan figure on two repositories of `PKGLENS_BENCH_ARCHIVES` archives: a real one
/// (copies of the corpus charts, each a release of its own) and a worst case of minimal charts
/// (two templates each), where a full scan costs least against the fixed cost of a re-scan.
fn rescan_bench() {
    let archives = env_number("PKGLENS_BENCH_ARCHIVES", 100);
    let dir = scratch("rescan");
    let repo = dir.join("corpus-repo");
    if repository::write_corpus_repository(&repo, archives) {
        rescan_figures(&format!("{archives} corpus chart archives"), &dir, &repo, 1);
    } else {
        println!("catalog/rescan: SKIPPED the corpus repository: ../shared/corpus/helm is not beside the repository");
    }
    let _ = fs::remove_dir_all(&dir);
    let dir = scratch("rescan-minimal");
    let repo = dir.join("repo");
    fs::create_dir_all(&repo).expect("repo");
    for i in 0..archives {
        let name = format!("chart-{i}");
        fs::write(repo.join(format!("{name}-1.0.0.tgz")), chart_archive(&name)).expect("write");
    }
    rescan_figures(
        &format!("{archives} minimal chart archives"),
        &dir,
        &repo,
        3,
    );
    let _ = fs::remove_dir_all(dir);
}

/// One real ScanResult (a chart scanned in this process), as the template of synthetic ones.
fn template_result(dir: &Path) -> ScanResult {
    let archive = dir.join("template-1.0.0.tgz");
    fs::write(&archive, chart_archive("template")).expect("write");
    let mut found = Vec::new();
    pkglens::scan::scan(&[archive], &Default::default(), |r| found.push(r)).expect("scan");
    found.pop().expect("one result")
}

/// The synthetic release `i`: the template renamed, with its own package id.
fn synthetic(template: &ScanResult, i: usize) -> ScanResult {
    let mut result = template.clone();
    result.source.path = format!("synthetic/chart-{i}-1.0.0.tgz");
    if let Some(package) = &mut result.package {
        package.title = format!("chart-{i}");
        package.id = pkglens::records::ids::package_id("helm", &package.title, None);
    }
    result
}

fn serve_bench() {
    let packages = env_number("PKGLENS_BENCH_PACKAGES", 1000);
    let dir = scratch("serve");
    let path = dir.join("catalog.db");
    let template = template_result(&dir);
    let mut ids = Vec::with_capacity(packages);
    {
        let mut catalog = Catalog::open_or_create(&path).expect("catalog");
        let mut run = catalog.begin_scan().expect("scan run");
        for i in 0..packages {
            let result = synthetic(&template, i);
            ids.push(result.package.as_ref().expect("package").id.clone());
            run.record(&result.source.path.clone(), None, "bench", &[result])
                .expect("record");
        }
        run.finish().expect("finish");
    }
    let server = Server::bind(&path, "127.0.0.1:0").expect("bind");
    let base = format!("http://{}", server.local_addr().expect("address"));
    // The server runs until the bench process ends.
    std::thread::spawn(move || server.run());
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let get = |agent: &ureq::Agent, id: &str| {
        let mut response = agent
            .get(format!("{base}/packages/{id}/"))
            .call()
            .expect("200");
        response.body_mut().read_to_string().expect("body");
    };
    // Latency: one client, one request at a time, on a warm connection.
    let mut latencies: Vec<Duration> = (0..2000)
        .map(|n| {
            let start = Instant::now();
            get(&agent, &ids[(n * 7919) % ids.len()]);
            start.elapsed()
        })
        .collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "catalog/serve: {packages} packages: Get Package latency median {:.3} ms, p99 {:.3} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
    // Throughput: 8 clients for 3 s while a writer replaces records (as a scan does).
    let stop = AtomicBool::new(false);
    let served = AtomicUsize::new(0);
    let written = AtomicUsize::new(0);
    let window = Duration::from_secs(3);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut catalog = Catalog::open(&path).expect("catalog");
            let mut run = catalog.begin_scan().expect("scan run");
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let result = synthetic(&template, i % packages);
                run.record(&result.source.path.clone(), None, "bench-2", &[result])
                    .expect("record");
                written.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
            run.finish().expect("finish");
        });
        for client in 0..8 {
            let (stop, served, ids, get) = (&stop, &served, &ids, &get);
            scope.spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
                let mut n = client;
                while !stop.load(Ordering::Relaxed) {
                    get(&agent, &ids[(n * 7919) % ids.len()]);
                    served.fetch_add(1, Ordering::Relaxed);
                    n += 8;
                }
            });
        }
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
    });
    println!(
        "catalog/serve: {:.0} requests/s from 8 clients while a writer replaced {} records ({:.0}/s)",
        served.load(Ordering::Relaxed) as f64 / window.as_secs_f64(),
        written.load(Ordering::Relaxed),
        written.load(Ordering::Relaxed) as f64 / window.as_secs_f64()
    );
    let _ = fs::remove_dir_all(dir);
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    rescan_bench();
    serve_bench();
}
