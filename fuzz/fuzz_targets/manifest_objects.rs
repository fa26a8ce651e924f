//! Manifest text → Kubernetes objects → workloads: any text must give objects and problems,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::objects::{parse_objects, SourcedText};
use pkglens::workload::workload_of;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let texts = vec![SourcedText {
        source: "fuzz.yaml".into(),
        text: text.into(),
        read: None,
    }];
    let (objects, _problems) = parse_objects(texts, "file:fuzz.yaml");
    for object in &objects {
        let _ = workload_of(object);
    }
});
