//! zip archives.

use super::{entry_buffer, ArchiveFormat, Collector, UnpackError, Violation};
use crate::go::time::unix_seconds;
use std::collections::HashSet;
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
    // The zip reader parses the whole central directory before it can be asked its length,
    // so the count the end records declare is checked first.
    let too_many = UnpackError::TooManyEntries {
        limit: collector.limits.max_entries,
    };
    let max_entries = u64::try_from(collector.limits.max_entries).unwrap_or(u64::MAX);
    let ends = end_records(bytes);
    let most_declared = most_entries_declared(&ends);
    if most_declared > max_entries {
        return Err(too_many);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(malformed)?;
    if archive.len() > collector.limits.max_entries {
        return Err(too_many);
    }
    // The zip reader keeps one entry a name, so its length is no count of the records it read:
    // that is what the end record it settled on (the one naming its directory) declares. When
    // none names it, the largest count any declares: a check that fails closed.
    let start = archive.central_directory_start();
    let relative_start = start.saturating_sub(archive.offset());
    let records = ends
        .iter()
        .filter(|end| end.directory_offset == relative_start)
        .map(|end| end.entries)
        .max()
        .unwrap_or(most_declared);
    let records = usize::try_from(records).unwrap_or(usize::MAX);
    for name in names_listed_twice(bytes, start, records) {
        collector.violation(Violation::DuplicateEntry(name));
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
        let mut data = entry_buffer(file.size(), budget.min(entry_budget));
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

/// Names the central directory starting at `start` lists more than once among its first
/// `entries` records (the count the archive declares: records past it are no entries, as the
/// zip reader reads no more). The zip reader keeps one entry a name (the last listed), so
/// without this a second copy would pass unseen, as in a tar it does not.
fn names_listed_twice(bytes: &[u8], start: u64, entries: usize) -> Vec<String> {
    const HEADER: usize = 46;
    let mut seen = HashSet::new();
    let mut twice = Vec::new();
    let mut at = usize::try_from(start).unwrap_or(usize::MAX);
    for _ in 0..entries {
        let Some(header) = bytes
            .get(at..at.saturating_add(HEADER))
            .filter(|h| h.starts_with(b"PK\x01\x02"))
        else {
            break;
        };
        let field = |i: usize| usize::from(u16::from_le_bytes([header[i], header[i + 1]]));
        let name_at = at + HEADER;
        let Some(name) = bytes.get(name_at..name_at + field(28)) else {
            break;
        };
        if !seen.insert(name) {
            twice.push(String::from_utf8_lossy(name).into_owned());
        }
        // The name, the extra field and the comment follow the fixed part.
        at = name_at + field(28) + field(30) + field(32);
    }
    twice
}

/// What an end-of-central-directory record (zip64 or not) declares: where the central
/// directory starts, relative to the archive, and the most entries it says it holds.
#[derive(Debug, PartialEq, Eq)]
struct EndRecord {
    directory_offset: u64,
    entries: u64,
}

/// The largest entry count any of the end-of-central-directory records declares.
fn most_entries_declared(ends: &[EndRecord]) -> u64 {
    ends.iter().map(|end| end.entries).max().unwrap_or(0)
}

/// Every end-of-central-directory record in `bytes`. The zip reader may try each, from the end
/// backwards, and reads as many central directory entries as the one it settles on declares.
fn end_records(bytes: &[u8]) -> Vec<EndRecord> {
    const END: &[u8; 4] = b"PK\x05\x06";
    const END64: &[u8; 4] = b"PK\x06\x06";
    let field = |at: usize, width: usize| {
        bytes.get(at..at + width).map_or(0, |b| {
            let mut word = [0u8; 8];
            word[..width].copy_from_slice(b);
            u64::from_le_bytes(word)
        })
    };
    // A 16-bit count of 0xFFFF says "see the zip64 record".
    let count16 = |at: usize| Some(field(at, 2)).filter(|&c| c != 0xFFFF).unwrap_or(0);
    let mut records = Vec::new();
    for at in 0..bytes.len().saturating_sub(3) {
        let signature = &bytes[at..at + 4];
        if signature == END {
            // Entries on this disk, then in all; then the directory's offset.
            records.push(EndRecord {
                directory_offset: field(at + 16, 4),
                entries: count16(at + 8).max(count16(at + 10)),
            });
        } else if signature == END64 {
            records.push(EndRecord {
                directory_offset: field(at + 48, 8),
                entries: field(at + 24, 8).max(field(at + 32, 8)),
            });
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::{end_records, most_entries_declared, names_listed_twice, EndRecord};

    /// A central directory entry (the fixed part zeroed) naming `name`, with `extra` bytes of
    /// extra field.
    fn central_entry(name: &str, extra: usize) -> Vec<u8> {
        let mut entry = b"PK\x01\x02".to_vec();
        entry.extend([0u8; 24]);
        entry.extend(u16::try_from(name.len()).unwrap().to_le_bytes());
        entry.extend(u16::try_from(extra).unwrap().to_le_bytes());
        entry.extend([0u8; 14]);
        entry.extend(name.as_bytes());
        entry.extend(vec![0u8; extra]);
        entry
    }

    #[test]
    fn names_listed_twice_are_found_past_extra_fields() {
        let mut bytes = b"local entries".to_vec();
        let start = bytes.len() as u64;
        for (name, extra) in [("a.yaml", 5), ("b.yaml", 0), ("a.yaml", 0), ("b.yaml", 9)] {
            bytes.extend(central_entry(name, extra));
        }
        bytes.extend(b"PK\x05\x06");
        assert_eq!(names_listed_twice(&bytes, start, 4), ["a.yaml", "b.yaml"]);
        // Records past the declared count are no entries.
        assert_eq!(names_listed_twice(&bytes, start, 3), ["a.yaml"]);
        assert!(names_listed_twice(&bytes, start, 2).is_empty());
        // Distinct names, or a start past the end: nothing.
        let once = [central_entry("a", 0), central_entry("b", 0)].concat();
        assert!(names_listed_twice(&once, 0, 2).is_empty());
        assert!(names_listed_twice(&once, u64::MAX, 2).is_empty());
        // A name running past the end stops the walk.
        let cut = &central_entry("cut-short", 0)[..50];
        assert!(names_listed_twice(cut, 0, 1).is_empty());
    }

    #[test]
    fn declared_counts_come_from_every_end_record() {
        let mut end = b"PK\x05\x06\0\0\0\0\x03\0\x07\0\0\0\0\0\x2a\0\0\0".to_vec();
        end.extend([0u8; 2]);
        assert_eq!(most_entries_declared(&end_records(&end)), 7);
        assert_eq!(
            end_records(&end),
            [EndRecord {
                directory_offset: 42,
                entries: 7
            }]
        );
        let mut end64 = b"PK\x06\x06".to_vec();
        end64.extend([0u8; 20]);
        end64.extend(5_000_000u64.to_le_bytes());
        end64.extend(5_000_000u64.to_le_bytes());
        end64.extend(end);
        assert_eq!(most_entries_declared(&end_records(&end64)), 5_000_000);
        assert_eq!(most_entries_declared(&end_records(b"PK\x05")), 0);
        let zip64_marker = b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff";
        assert_eq!(most_entries_declared(&end_records(zip64_marker)), 0);
    }
}
