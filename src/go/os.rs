//! `os` errors as Go words them: `*PathError` (`open PATH: no such file or directory`).

/// Go's `*os.PathError`: the operation, the path as given and the system's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{op} {path}: {reason}")]
pub struct PathError {
    /// The system call that failed (`open`, `stat`, `mkdir`, `read`).
    pub op: &'static str,
    /// The path as given.
    pub path: String,
    /// Go's words for the failure.
    pub reason: String,
}

impl PathError {
    /// The error of `op` on `path`, with Go's words for the system's reason.
    pub fn new(op: &'static str, path: &str, err: &std::io::Error) -> Self {
        PathError {
            op,
            path: path.to_string(),
            reason: errno_text(err),
        }
    }

    /// Go's `os.ReadFile` error for `path`: `read` where it is a folder (which opens), else
    /// `open`.
    pub fn read_file(path: &str, err: &std::io::Error) -> Self {
        let op = match err.kind() {
            std::io::ErrorKind::IsADirectory => "read",
            _ => "open",
        };
        PathError::new(op, path, err)
    }
}

/// Go's `syscall.Errno` text: the C library's message with a lower-case first letter and
/// no error number (`not a directory`, `is a directory`); other errors as Rust words them.
pub fn errno_text(err: &std::io::Error) -> String {
    let Some(code) = err.raw_os_error() else {
        return err.to_string();
    };
    let text = std::io::Error::from_raw_os_error(code).to_string();
    let text = text
        .strip_suffix(&format!(" (os error {code})"))
        .unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_errors_read_like_go() {
        let missing = std::io::Error::from_raw_os_error(2);
        assert_eq!(
            PathError::new("open", "x.yaml", &missing).to_string(),
            "open x.yaml: no such file or directory"
        );
        let not_dir = std::io::Error::from_raw_os_error(20);
        assert_eq!(
            PathError::new("stat", "out/m/templates", &not_dir).to_string(),
            "stat out/m/templates: not a directory"
        );
    }
}
