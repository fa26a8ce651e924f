//! Archive reading: any bytes, read as tar, tar.gz or zip, must unpack or fail cleanly within
//! the limits, never panic. The first byte picks the format so one corpus covers all three.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::unpack::{self, ArchiveFormat, Limits};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => ArchiveFormat::Tar,
        1 => ArchiveFormat::TarGz,
        _ => ArchiveFormat::Zip,
    };
    let limits = Limits {
        max_entries: 1_000,
        max_file_size: 1024 * 1024,
        max_total_size: 4 * 1024 * 1024,
        ..Limits::default()
    };
    if let Ok(unpacked) = unpack::unpack(bytes, format, &limits, 0) {
        let total: usize = unpacked.tree.iter().map(|(_, d)| d.len()).sum();
        assert!(total as u64 <= limits.max_total_size);
        assert!(unpacked
            .tree
            .iter()
            .all(|(p, _)| !p.starts_with('/') && !p.split('/').any(|c| c == ".." || c.is_empty())));
    }
});
