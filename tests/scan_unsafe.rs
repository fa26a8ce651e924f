//! Unsafe archives built by the test itself: each is `corrupt` with a clear problem, and a good
//! archive in the same `scan` call is still scanned in full.

mod common;

use common::archives::{self, TarEntry};
use pkglens::unpack::{self, ArchiveFormat, Limits, UnpackError, Violation};
use serde_json::Value;
use std::fs;
use tar::EntryType;

fn good_tgz() -> Vec<u8> {
    let manifest = archives::deployment("web", "nginx:1.27");
    archives::tgz(&[TarEntry::file("good/deploy.yaml", manifest.as_bytes())])
}

fn violations(bytes: &[u8], format: ArchiveFormat) -> Vec<Violation> {
    unpack::unpack(bytes, format, &Limits::default(), 0)
        .expect("readable")
        .violations
}

#[test]
fn traversal_and_absolute_entries_are_violations() {
    let data = b"kind: x\n";
    let found = violations(
        &archives::tar(&[
            TarEntry::file("pkg/../../x.yaml", data),
            TarEntry::file("/etc/x.yaml", data),
            TarEntry::file("pkg/ok.yaml", data),
        ]),
        ArchiveFormat::Tar,
    );
    assert_eq!(
        found,
        [
            Violation::Traversal("pkg/../../x.yaml".into()),
            Violation::AbsolutePath("/etc/x.yaml".into())
        ]
    );
}

#[test]
fn links_out_of_the_package_are_violations_and_links_inside_are_followed() {
    let bytes = archives::tar(&[
        TarEntry::file("pkg/real.yaml", b"kind: A\n"),
        TarEntry::link("pkg/inside.yaml", EntryType::Symlink, "real.yaml"),
        TarEntry::link("pkg/up.yaml", EntryType::Symlink, "../../etc/passwd"),
        TarEntry::link("pkg/abs.yaml", EntryType::Symlink, "/etc/passwd"),
        TarEntry::link("pkg/hard.yaml", EntryType::Link, "../secret"),
    ]);
    let unpacked = unpack::unpack(&bytes, ArchiveFormat::Tar, &Limits::default(), 0).unwrap();
    assert_eq!(
        unpacked.tree.get("pkg/inside.yaml"),
        Some(&b"kind: A\n"[..])
    );
    assert_eq!(unpacked.violations.len(), 3, "{:?}", unpacked.violations);
    assert!(unpacked
        .violations
        .iter()
        .all(|v| matches!(v, Violation::LinkOutside { .. })));
}

#[test]
fn device_entries_are_violations() {
    let found = violations(
        &archives::tar(&[
            TarEntry::link("pkg/tty", EntryType::Char, ""),
            TarEntry::link("pkg/fifo", EntryType::Fifo, ""),
        ]),
        ArchiveFormat::Tar,
    );
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|v| matches!(v, Violation::SpecialFile(_))));
}

#[test]
fn gzip_bomb_stops_at_the_expansion_bound() {
    let bomb = archives::gzip_bomb("pkg/zeros.yaml", 16 * 1024 * 1024);
    assert!(bomb.len() < 100 * 1024, "the bomb is small: {}", bomb.len());
    let err = unpack::unpack(&bomb, ArchiveFormat::TarGz, &Limits::default(), 0).unwrap_err();
    assert!(matches!(err, UnpackError::ExpansionRatio { .. }), "{err:?}");
}

#[test]
fn size_entry_and_nesting_limits_are_errors() {
    let limits = Limits {
        max_entries: 3,
        max_file_size: 10,
        max_total_size: 15,
        ..Limits::default()
    };
    let many = archives::tar(&[
        TarEntry::file("a", b"1"),
        TarEntry::file("b", b"2"),
        TarEntry::file("c", b"3"),
        TarEntry::file("d", b"4"),
    ]);
    assert_eq!(
        unpack::unpack(&many, ArchiveFormat::Tar, &limits, 0).unwrap_err(),
        UnpackError::TooManyEntries { limit: 3 }
    );
    let big = archives::tar(&[TarEntry::file("a", &[b'x'; 11])]);
    assert!(matches!(
        unpack::unpack(&big, ArchiveFormat::Tar, &limits, 0).unwrap_err(),
        UnpackError::FileTooLarge { .. }
    ));
    let total = archives::tar(&[
        TarEntry::file("a", &[b'x'; 8]),
        TarEntry::file("b", &[b'x'; 8]),
    ]);
    assert!(matches!(
        unpack::unpack(&total, ArchiveFormat::Tar, &limits, 0).unwrap_err(),
        UnpackError::TotalTooLarge { .. }
    ));
    assert!(matches!(
        unpack::unpack(&many, ArchiveFormat::Tar, &Limits::default(), 6).unwrap_err(),
        UnpackError::NestedTooDeep { limit: 5 }
    ));
}

#[test]
fn zip_traversal_is_a_violation_and_wrong_bytes_are_malformed() {
    let found = violations(
        &archives::zip(&[
            ("pkg/../../evil.yaml", b"kind: x\n"),
            ("pkg/ok.yaml", b"kind: y\n"),
        ]),
        ArchiveFormat::Zip,
    );
    assert_eq!(found, [Violation::Traversal("pkg/../../evil.yaml".into())]);
    for format in [ArchiveFormat::Zip, ArchiveFormat::TarGz] {
        let err =
            unpack::unpack(b"not an archive at all", format, &Limits::default(), 0).unwrap_err();
        assert!(matches!(err, UnpackError::Malformed { .. }), "{err:?}");
    }
    let truncated = good_tgz();
    let err = unpack::unpack(
        &truncated[..truncated.len() / 2],
        ArchiveFormat::TarGz,
        &Limits::default(),
        0,
    )
    .unwrap_err();
    assert!(matches!(err, UnpackError::Malformed { .. }), "{err:?}");
}

#[test]
fn unsafe_archives_are_corrupt_and_the_good_one_is_scanned_in_full() {
    let dir = common::scratch_dir("unsafe");
    let manifest = archives::deployment("app", "nginx:1.27");
    let data = manifest.as_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "dotdot.tar",
            archives::tar(&[TarEntry::file("pkg/../../x.yaml", data)]),
        ),
        (
            "absolute.tgz",
            archives::tgz(&[TarEntry::file("/tmp/x.yaml", data)]),
        ),
        (
            "symlink.tgz",
            archives::tgz(&[
                TarEntry::file("pkg/a.yaml", data),
                TarEntry::link("pkg/b.yaml", EntryType::Symlink, "../../../etc/passwd"),
            ]),
        ),
        (
            "bomb.tgz",
            archives::gzip_bomb("pkg/zeros.yaml", 16 * 1024 * 1024),
        ),
        ("traversal.zip", archives::zip(&[("../evil.yaml", data)])),
        ("garbage.tgz", b"this is not gzip".to_vec()),
    ];
    let mut args = vec!["scan".to_string(), "--format".into(), "json".into()];
    for (name, bytes) in &cases {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        args.push(path.display().to_string());
    }
    let good = dir.join("good.tgz");
    fs::write(&good, good_tgz()).unwrap();
    args.push(good.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = common::pkglens(&args);
    assert_eq!(code, 0, "{stderr}");
    let results: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results.len(), cases.len() + 1);
    for ((name, _), result) in cases.iter().zip(&results) {
        assert_eq!(result["state"], "corrupt", "{name}: {result:#}");
        let problems = result["problems"].as_array().unwrap();
        assert!(!problems.is_empty(), "{name}");
        assert!(result["images"].as_array().unwrap().is_empty(), "{name}");
        // A corrupt archive is still identified by the digest of its bytes.
        assert!(result["source"]["sha256"].is_string(), "{name}");
    }
    let good_result = results.last().unwrap();
    assert_eq!(good_result["state"], "available", "{good_result:#}");
    assert_eq!(good_result["images"][0]["reference"], "nginx:1.27");
    assert_eq!(good_result["components"][0]["source"], "good/deploy.yaml");

    // The same good archive alone gives the same result: the bad ones changed nothing.
    let (_, alone, _) = common::pkglens(&["scan", good.to_str().unwrap()]);
    let alone: Vec<Value> = serde_json::from_str(&alone).unwrap();
    assert_eq!(&alone[0], good_result);

    let (fail_code, _, _) = common::pkglens(&[
        "scan",
        "--fail-on",
        "problems",
        dir.join("bomb.tgz").to_str().unwrap(),
    ]);
    assert_eq!(fail_code, 1);
    fs::remove_dir_all(dir).unwrap();
}

/// A link that leads only to links, round and round, is said (it never reaches a file); a
/// chain that ends in a file is followed, and a link to a folder is no violation.
#[test]
fn link_loops_are_violations() {
    let bytes = archives::tar(&[
        TarEntry::file("pkg/real.yaml", b"kind: A\n"),
        TarEntry::link("pkg/a.yaml", EntryType::Symlink, "b.yaml"),
        TarEntry::link("pkg/b.yaml", EntryType::Symlink, "a.yaml"),
        TarEntry::link("pkg/self.yaml", EntryType::Symlink, "self.yaml"),
        TarEntry::link("pkg/c1.yaml", EntryType::Symlink, "c2.yaml"),
        TarEntry::link("pkg/c2.yaml", EntryType::Symlink, "real.yaml"),
        TarEntry::link("pkg/folder", EntryType::Symlink, "."),
        // Chains that end at nothing or at a folder are dropped, not loops.
        TarEntry::link("pkg/d1.yaml", EntryType::Symlink, "d2.yaml"),
        TarEntry::link("pkg/d2.yaml", EntryType::Symlink, "missing.yaml"),
        TarEntry::link("pkg/x", EntryType::Symlink, "folder"),
        // A chain of eight links stored last link first still reaches its file.
        TarEntry::link("pkg/e1.yaml", EntryType::Symlink, "e2.yaml"),
        TarEntry::link("pkg/e2.yaml", EntryType::Symlink, "e3.yaml"),
        TarEntry::link("pkg/e3.yaml", EntryType::Symlink, "e4.yaml"),
        TarEntry::link("pkg/e4.yaml", EntryType::Symlink, "e5.yaml"),
        TarEntry::link("pkg/e5.yaml", EntryType::Symlink, "e6.yaml"),
        TarEntry::link("pkg/e6.yaml", EntryType::Symlink, "e7.yaml"),
        TarEntry::link("pkg/e7.yaml", EntryType::Symlink, "e8.yaml"),
        TarEntry::link("pkg/e8.yaml", EntryType::Symlink, "real.yaml"),
    ]);
    let unpacked = unpack::unpack(&bytes, ArchiveFormat::Tar, &Limits::default(), 0).unwrap();
    assert_eq!(unpacked.tree.get("pkg/c1.yaml"), Some(&b"kind: A\n"[..]));
    assert_eq!(unpacked.tree.get("pkg/e1.yaml"), Some(&b"kind: A\n"[..]));
    assert!(!unpacked.tree.contains("pkg/d1.yaml") && !unpacked.tree.contains("pkg/x"));
    let looping: Vec<&str> = unpacked
        .violations
        .iter()
        .map(|v| match v {
            Violation::LinkLoop { link, .. } => link.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(looping, ["pkg/a.yaml", "pkg/b.yaml", "pkg/self.yaml"]);
}

/// Central directory records past the count the end record declares are no entries (the zip
/// reader reads no more): a copy of a name there is no duplicate.
#[test]
fn zip_records_past_the_declared_count_are_not_entries() {
    let mut bytes = archives::zip(&[("pkg/a.yaml", b"kind: A\n"), ("pkg/b.yaml", b"kind: B\n")]);
    let find = |bytes: &[u8], signature: &[u8]| {
        bytes
            .windows(signature.len())
            .rposition(|w| w == signature)
            .unwrap()
    };
    let first = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let field = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let length = 46 + field(first + 28) + field(first + 30) + field(first + 32);
    let copy = bytes[first..first + length].to_vec();
    let end = find(&bytes, b"PK\x05\x06");
    // The directory's size (so the archive does not look offset) grows by the copy.
    let size_at = end + 12;
    let mut size = [0u8; 4];
    size.copy_from_slice(&bytes[size_at..size_at + 4]);
    let size = u32::from_le_bytes(size) + u32::try_from(copy.len()).unwrap();
    bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
    bytes.splice(end..end, copy);
    let unpacked = unpack::unpack(&bytes, ArchiveFormat::Zip, &Limits::default(), 0).unwrap();
    assert_eq!(unpacked.violations, []);
    assert_eq!(unpacked.tree.get("pkg/b.yaml"), Some(&b"kind: B\n"[..]));
}
