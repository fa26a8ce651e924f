//! YAML loading of values and manifests: any text must load or fail cleanly, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::yaml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = yaml::Limits {
        max_depth: 64,
        max_nodes: 100_000,
        max_bytes: 1 << 20,
    };
    for document in yaml::split_documents(text) {
        if let Ok(nodes) = yaml::load_all(document.text, &limits) {
            for node in &nodes {
                let _ = yaml::to_json(node);
            }
        }
    }
});
