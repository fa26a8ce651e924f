//! The progress bar of `scan`: drawn on stderr only when it is a terminal (here a pseudo-
//! terminal made by util-linux `script`), never with `-q`, never when stderr is a pipe or file.

mod common;

use common::{path_str, pkglens, repo_root, scratch_dir};
use std::process::Command;

/// What a terminal shows while `pkglens ARGS` runs with stdin, stdout and stderr on it;
/// `None` (the test skipped) without `script`.
fn on_a_terminal(args: &str) -> Option<String> {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_pkglens"));
    let output = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output();
    match output {
        Ok(output) if output.status.success() => {
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        other => {
            println!("SKIPPED: no pseudo-terminal through `script` ({other:?})");
            None
        }
    }
}

#[test]
fn progress_is_drawn_on_a_terminal_only() {
    let dir = scratch_dir("progress");
    let out = dir.join("out.json");
    let args = format!("scan -o {} testdata/scan testdata/charts", path_str(&out));
    let Some(shown) = on_a_terminal(&args) else {
        return;
    };
    assert!(shown.contains(" inputs, "), "{shown:?}");
    assert!(shown.contains(" problems"), "{shown:?}");
    let quiet = on_a_terminal(&format!("-q {args}")).unwrap_or_default();
    assert!(!quiet.contains(" inputs, "), "{quiet:?}");
    // Not a terminal: nothing of it.
    let (code, _, stderr) = pkglens(&["scan", "-o", path_str(&out), "testdata/scan"]);
    assert_eq!(code, 0);
    assert!(!stderr.contains(" inputs, "), "{stderr:?}");
    let _ = std::fs::remove_dir_all(dir);
}
