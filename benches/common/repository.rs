//! Synthetic chart repositories for the benches: copies of the corpus's chart archives, each
//! copy with a version of its own (`1.2.3` becomes `1.2.3-copy.N` in the top chart's
//! Chart.yaml), so that every archive is a distinct release, as in a real repository that
//! grew over time. Also the benches' shared setup: sizes from the environment, scratch folders.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A count from the environment variable `name`, or `default` when unset or not a number.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// An empty scratch folder of this bench process under the system's temporary folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pkglens-bench-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `../shared/corpus/KIND` beside the repository (or one level further up, from a worktree).
pub fn corpus_dir(kind: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/corpus"),
        root.join("../../shared/corpus"),
    ]
    .into_iter()
    .map(|c| c.join(kind))
    .find(|c| c.is_dir())
}

/// The corpus's helm chart archives, sorted; `None` without the corpus.
pub fn corpus_charts() -> Option<Vec<PathBuf>> {
    let dir = corpus_dir("helm")?.join("charts");
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".tgz"))
        .collect();
    paths.sort();
    Some(paths)
}

/// The top chart's Chart.yaml with its version given the suffix `-copy.N` (a pre-release, so
/// it stays valid SemVer); other lines as they were.
fn bump_version(chart_yaml: &str, copy: usize) -> String {
    chart_yaml
        .split_inclusive('\n')
        .map(|line| match line.strip_prefix("version:") {
            Some(rest) => {
                let version = rest.trim().trim_matches(|c| c == '"' || c == '\'');
                // A version that already has a pre-release gets a further dot-separated part.
                let separator = if version.contains('-') { '.' } else { '-' };
                format!("version: {version}{separator}copy.{copy}\n")
            }
            None => line.to_string(),
        })
        .collect()
}

/// The chart archive `archive` (tar.gz) as copy number `copy`: the top chart's Chart.yaml
/// re-versioned, every other entry as it was.
pub fn copy_archive(archive: &[u8], copy: usize) -> Vec<u8> {
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(archive)
        .read_to_end(&mut tar_bytes)
        .expect("corpus archive is gzip");
    let mut reader = tar::Archive::new(tar_bytes.as_slice());
    let mut builder = tar::Builder::new(Vec::new());
    for entry in reader.entries().expect("corpus archive is tar") {
        let mut entry = entry.expect("tar entry");
        let path = entry.path().expect("entry path").into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("entry data");
        let top_chart_yaml = path.components().count() == 2 && path.ends_with("Chart.yaml");
        if top_chart_yaml {
            data = bump_version(&String::from_utf8_lossy(&data), copy).into_bytes();
        }
        let mut header = entry.header().clone();
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder
            .append_data(&mut header, &path, data.as_slice())
            .expect("tar entry");
    }
    let tar = builder.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

/// Writes a repository of `count` archives into `dir`: the corpus charts in turn, copy N of
/// chart C named `C-copyN.tgz`. Returns `false` (writing nothing) without the corpus.
pub fn write_corpus_repository(dir: &Path, count: usize) -> bool {
    let Some(charts) = corpus_charts().filter(|c| !c.is_empty()) else {
        return false;
    };
    let sources: Vec<(String, Vec<u8>)> = charts
        .iter()
        .map(|path| {
            let stem = path.file_stem().expect("file name").to_string_lossy();
            (stem.into_owned(), fs::read(path).expect("corpus archive"))
        })
        .collect();
    fs::create_dir_all(dir).expect("repository dir");
    for n in 0..count {
        let (stem, bytes) = &sources[n % sources.len()];
        let copy = n / sources.len();
        fs::write(
            dir.join(format!("{stem}-copy{copy}.tgz")),
            copy_archive(bytes, copy),
        )
        .expect("write archive");
    }
    true
}
