//! Archive entry names → safe `/`-separated paths relative to the archive root.

use super::Violation;

/// Normalises an entry name: backslashes count as separators (archives made on Windows),
/// empty and `.` components are dropped, and a trailing `/` is removed. Absolute names
/// (`/x`, `C:/x`, `\\server\x`) and any `..` component are refused: even `a/../b`, which
/// stays inside, is a sign of a crafted archive. The result is empty for the root itself.
pub fn normalize_entry_path(raw: &str) -> Result<String, Violation> {
    let unified = raw.replace('\\', "/");
    if unified.starts_with('/') || has_drive_letter(&unified) {
        return Err(Violation::AbsolutePath(raw.to_string()));
    }
    let mut parts = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(Violation::Traversal(raw.to_string())),
            _ => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

fn has_drive_letter(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_normalised() {
        assert_eq!(normalize_entry_path("a/b.yaml").unwrap(), "a/b.yaml");
        assert_eq!(normalize_entry_path("./a//b/").unwrap(), "a/b");
        assert_eq!(normalize_entry_path("a\\b").unwrap(), "a/b");
        assert_eq!(normalize_entry_path("./").unwrap(), "");
        assert_eq!(normalize_entry_path("a..b/c").unwrap(), "a..b/c");
    }

    #[test]
    fn escaping_paths_are_refused() {
        assert!(matches!(
            normalize_entry_path("../x"),
            Err(Violation::Traversal(_))
        ));
        assert!(matches!(
            normalize_entry_path("a/../../x"),
            Err(Violation::Traversal(_))
        ));
        assert!(matches!(
            normalize_entry_path("a\\..\\x"),
            Err(Violation::Traversal(_))
        ));
        assert!(matches!(
            normalize_entry_path("/etc/passwd"),
            Err(Violation::AbsolutePath(_))
        ));
        assert!(matches!(
            normalize_entry_path("C:/x"),
            Err(Violation::AbsolutePath(_))
        ));
        assert!(matches!(
            normalize_entry_path("\\\\server\\x"),
            Err(Violation::AbsolutePath(_))
        ));
    }
}
