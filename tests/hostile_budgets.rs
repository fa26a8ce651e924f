//! Hostile inputs that each break one per-input budget (bytes, work, fan-out), generated here.
//! Each is scanned next to a good chart under a 2 GiB address-space limit: the hostile one
//! must end in its own problem, and the good chart's result must be byte-identical to
//! scanning it alone.

mod common;

use common::archives;
use serde_json::Value;
use std::fs;
use std::io::{Read, Write};
use std::path::PathBuf;

const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// The problem type (`urn:pkglens:problem:SLUG`) the case must produce.
    problem: &'static str,
    /// Text one of the problems' details must contain.
    detail: &'static str,
}

/// A reader of `len` bytes in runs of one letter, so gzip shrinks it about a hundredfold:
/// under the expansion-ratio limit, so that limit is not what stops it.
struct Runs {
    left: u64,
    state: u32,
}

impl Read for Runs {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const RUN: usize = 200;
        let n = buf.len().min(RUN).min(self.left as usize);
        self.state = self.state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        buf[..n].fill(b'a' + (self.state >> 16) as u8 % 26);
        self.left -= n as u64;
        Ok(n)
    }
}

/// A tgz whose first member is a GNU long-name header with a body of `len` bytes.
fn tar_long_name(len: u64) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
    header.set_entry_type(tar::EntryType::GNULongName);
    header.set_size(len);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append(&header, Runs { left: len, state: 7 })
        .expect("long name");
    let data = b"kind: ConfigMap\n";
    let mut file = tar::Header::new_gnu();
    file.set_path("pkg/a.yaml").expect("path");
    file.set_size(data.len() as u64);
    file.set_mode(0o644);
    file.set_cksum();
    builder.append(&file, &data[..]).expect("file");
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// A zip whose central directory really lists `count` (empty, stored) entries.
fn zip_many_entries(count: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(count as usize * 47 + 22);
    for i in 0..count {
        out.extend(b"PK\x01\x02");
        out.extend([20, 0, 20, 0, 0, 0, 0, 0]); // versions, flags, method: stored
        out.extend([0u8; 16]); // time, date, crc, sizes
        out.extend(1u16.to_le_bytes()); // name length
        out.extend([0u8; 12]); // extra, comment, disk, attributes
        out.extend(0u32.to_le_bytes()); // local header offset
        out.push(b'a' + (i % 26) as u8);
    }
    // Zip64 end record, its locator, then the classic end record pointing to them.
    let directory_size = out.len() as u64;
    let end64_at = out.len() as u64;
    out.extend(b"PK\x06\x06");
    out.extend(44u64.to_le_bytes());
    out.extend([45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend(u64::from(count).to_le_bytes());
    out.extend(u64::from(count).to_le_bytes());
    out.extend(directory_size.to_le_bytes());
    out.extend(0u64.to_le_bytes());
    out.extend(b"PK\x06\x07\0\0\0\0");
    out.extend(end64_at.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend(b"PK\x05\x06\0\0\0\0");
    out.extend([0xff; 12]);
    out.extend(0u16.to_le_bytes());
    out
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "tar-long-name-400mb.tgz",
            bytes: tar_long_name(400 << 20),
            problem: "limit-exceeded",
            detail: "expands to more than",
        },
        Case {
            name: "zip64-4m-entries.zip",
            bytes: zip_many_entries(4_000_000),
            problem: "limit-exceeded",
            detail: "more than 10000 entries",
        },
    ]
}

fn problems(result: &Value) -> Vec<(String, String)> {
    result["problems"]
        .as_array()
        .map(|problems| {
            problems
                .iter()
                .map(|p| {
                    (
                        p["type"].as_str().unwrap_or("").to_string(),
                        p["detail"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_budget_breaker_is_its_own_problem_and_a_good_chart_beside_it_is_unchanged() {
    let dir = common::scratch_dir("hostile-budgets");
    let good = common::repo_root().join("testdata/scan/chart-hello");
    let (_, alone, stderr) = common::scan_limited(std::slice::from_ref(&good), MEMORY_LIMIT_KIB);
    assert_eq!(alone.len(), 1, "{stderr}");
    assert_eq!(alone[0]["state"], "available", "{:#}", alone[0]);
    for case in cases() {
        let path: PathBuf = dir.join(case.name);
        fs::File::create(&path)
            .and_then(|mut f| f.write_all(&case.bytes))
            .unwrap();
        let (code, results, stderr) =
            common::scan_limited(&[good.clone(), path.clone()], MEMORY_LIMIT_KIB);
        assert_eq!(code, 0, "{}: {stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        assert_eq!(results.len(), 2, "{}: {stderr}", case.name);
        assert_eq!(results[0], alone[0], "{}: the good chart changed", case.name);
        let found = problems(&results[1]);
        let wanted = format!("urn:pkglens:problem:{}", case.problem);
        assert!(
            found
                .iter()
                .any(|(kind, detail)| *kind == wanted && detail.contains(case.detail)),
            "{}: {found:?}",
            case.name
        );
        fs::remove_file(&path).unwrap();
    }
    fs::remove_dir_all(dir).unwrap();
}
