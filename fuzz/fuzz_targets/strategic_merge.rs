//! Kustomize patching: any YAML patch (a strategic-merge patch, or a JSON 6902 list) applied
//! to a fixed Deployment, or to any base given before a `%%` line, must build or fail with an
//! error, never panic. Runs through `kustomize build` so the patch is read as kustomize does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::files::FileTree;
use pkglens::kustomize::build_documents;

const BASE: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {app: web}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports: [{containerPort: 80, protocol: TCP}]
        env: [{name: A, value: a}, {name: B, value: b}]
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
";

/// Patches every resource, whatever its kind and name.
const KUSTOMIZATION: &str = "resources:
- base.yaml
patches:
- path: patch.yaml
  target:
    kind: '.*'
";

fuzz_target!(|data: &[u8]| {
    let (base, patch) = match data.windows(4).position(|w| w == b"\n%%\n") {
        Some(at) => (&data[..at], &data[at + 4..]),
        None => (BASE.as_bytes(), data),
    };
    let mut tree = FileTree::new();
    tree.insert("kustomization.yaml", KUSTOMIZATION.as_bytes().to_vec());
    tree.insert("base.yaml", base.to_vec());
    tree.insert("patch.yaml", patch.to_vec());
    let _ = build_documents(&tree, "");
});
