//! `pkglens render` on the charts of testdata/charts (written for pkglens) against what helm
//! v4.1.4 printed for them: `expected/NAME.args` holds the arguments (one a line), `NAME.out`
//! helm's stdout, `NAME.rc` its exit status. Output must be byte-identical; a helm failure must
//! be a pkglens failure.

mod common;

use std::process::Command;

#[test]
fn testdata_charts_render_as_helm_does() {
    let dir = common::repo_root().join("testdata/charts");
    let mut cases: Vec<_> = std::fs::read_dir(dir.join("expected"))
        .expect("expected/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "args"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "the cases are missing");
    let mut failures = Vec::new();
    for args_path in cases {
        let name = args_path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let args: Vec<String> = std::fs::read_to_string(&args_path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let want_rc: i32 = std::fs::read_to_string(args_path.with_extension("rc"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let want_out = std::fs::read_to_string(args_path.with_extension("out")).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_pkglens"))
            .arg("render")
            .args(&args)
            .current_dir(&dir)
            .output()
            .expect("pkglens runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let ok = if want_rc == 0 {
            output.status.success() && stdout == want_out
        } else {
            !output.status.success()
        };
        if !ok {
            failures.push(format!(
                "{name}: rc {:?} (helm {want_rc})\n--- got\n{stdout}\n--- stderr\n{}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
