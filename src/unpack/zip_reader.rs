//! zip archives.

use super::{ArchiveFormat, Collector, UnpackError, Violation};
use crate::records::timestamp::unix_seconds;
use std::io::{Cursor, Read};

/// File-type bits of a unix mode, as zip tools store them in the external attributes.
const TYPE_MASK: u32 = 0o170000;
const TYPE_DIR: u32 = 0o040000;
const TYPE_SYMLINK: u32 = 0o120000;
const TYPE_REGULAR: u32 = 0o100000;
/// A symlink's content is its target path; no real target is longer than this.
const MAX_LINK_TARGET: u64 = 4096;

/// Reads every entry of a zip archive into `collector`.
pub(super) fn read(bytes: &[u8], collector: &mut Collector<'_>) -> Result<(), UnpackError> {
    let malformed = |err: zip::result::ZipError| UnpackError::Malformed {
        format: ArchiveFormat::Zip,
        reason: err.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(malformed)?;
    if archive.len() > collector.limits.max_entries {
        return Err(UnpackError::TooManyEntries {
            limit: collector.limits.max_entries,
        });
    }
    let mut expanded: u64 = 0;
    let total_budget = collector.limits.expansion_budget(bytes.len() as u64);
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(malformed)?;
        let mtime = file.last_modified().map(|t| {
            unix_seconds(
                i64::from(t.year()),
                u32::from(t.month()),
                u32::from(t.day()),
                u32::from(t.hour()),
                u32::from(t.minute()),
                u32::from(t.second()),
            )
        });
        collector.count_entry(mtime)?;
        let raw_path = file.name().to_string();
        let file_type = file.unix_mode().map_or(TYPE_REGULAR, |m| m & TYPE_MASK);
        if file.is_dir() || file_type == TYPE_DIR {
            continue;
        }
        if file_type == TYPE_SYMLINK {
            let Some(path) = collector.entry_path(&raw_path) else {
                continue;
            };
            let mut target = Vec::new();
            (&mut file)
                .take(MAX_LINK_TARGET)
                .read_to_end(&mut target)
                .map_err(|e| malformed(e.into()))?;
            collector.add_link(path, &String::from_utf8_lossy(&target), true);
            continue;
        }
        if file_type != TYPE_REGULAR && file_type != 0 {
            collector.violation(Violation::SpecialFile(raw_path));
            continue;
        }
        let Some(path) = collector.entry_path(&raw_path) else {
            continue;
        };
        let budget = collector.budget_for(&path, file.size())?;
        // The sizes in the headers may lie: bound what is actually decompressed.
        let entry_budget = collector
            .limits
            .expansion_budget(file.compressed_size())
            .min(total_budget.saturating_sub(expanded));
        let mut data = Vec::new();
        (&mut file)
            .take(budget.min(entry_budget).saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| malformed(e.into()))?;
        let read = data.len() as u64;
        if read > entry_budget {
            return Err(UnpackError::ExpansionRatio {
                compressed: file.compressed_size(),
                ratio: collector.limits.max_expansion_ratio,
            });
        }
        expanded += read;
        drop(file);
        collector.add_file(path, data)?;
    }
    Ok(())
}
