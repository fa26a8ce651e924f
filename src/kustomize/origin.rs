//! `buildMetadata` (kustomize's origin tracking): with `originAnnotations`
//! every resource says where it came from in `config.kubernetes.io/origin`
//! (the file, relative to the built kustomization, or the generator and the
//! file configuring it); `managedByLabel` labels every resource as built by
//! kustomize.

use super::resource::{set_at, ResMap};
use serde_json::Value;

pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";
const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// What kubectl's embedded kustomize (v5.6.0, built without a release
/// version) writes in the managed-by label.
const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// `filepath.Join(dir, path)`: joined, then cleaned of `.` and of `..`
/// that can be resolved.
pub fn clean_join(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The origin of a resource read from `path` (relative to the root kustomization).
pub fn of_file(path: &str) -> String {
    format!("path: {path}\n")
}

/// The origin of generator output: the file configuring the generator and
/// the generator's own identity.
pub fn of_generator(
    configured_in: &str,
    api_version: &str,
    kind: &str,
    name: &str,
    ns: &str,
) -> String {
    let mut out = format!(
        "configuredIn: {configured_in}\nconfiguredBy:\n  apiVersion: {api_version}\n  kind: {kind}\n"
    );
    if !name.is_empty() {
        out.push_str(&format!("  name: {name}\n"));
    }
    if !ns.is_empty() {
        out.push_str(&format!("  namespace: {ns}\n"));
    }
    out
}

pub fn get(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(ORIGIN_ANNOTATION))
        .and_then(Value::as_str)
}

/// Sets the origin annotation unless the object already has one (kustomize
/// keeps the first origin a resource was given).
pub fn annotate(obj: &mut Value, origin: &str) {
    if get(obj).is_none() {
        set_at(
            obj,
            &["metadata", "annotations", ORIGIN_ANNOTATION],
            Value::String(origin.to_string()),
        );
    }
}

/// Appends a transformer's origin to every resource's list of
/// transformations (kustomize records each transformer on every resource of
/// the map it ran on, changed or not).
pub fn add_transformation(res: &mut ResMap, transformer: &str) {
    let mut item = String::new();
    for (i, line) in transformer.lines().enumerate() {
        item.push_str(if i == 0 { "- " } else { "  " });
        item.push_str(line);
        item.push('\n');
    }
    for r in res.items.iter_mut() {
        let mut list = r
            .obj
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(TRANSFORMATIONS_ANNOTATION))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        list.push_str(&item);
        set_at(
            &mut r.obj,
            &["metadata", "annotations", TRANSFORMATIONS_ANNOTATION],
            Value::String(list),
        );
    }
}

/// Applies the root kustomization's `buildMetadata` at the end of the build:
/// the managed-by label, and origins dropped unless asked for.
pub fn finish(res: &mut ResMap, build_metadata: &[String]) {
    let wants = |option: &str| build_metadata.iter().any(|o| o == option);
    for r in res.items.iter_mut() {
        if wants("managedByLabel") {
            set_at(
                &mut r.obj,
                &["metadata", "labels", MANAGED_BY_LABEL],
                Value::String(MANAGED_BY_VALUE.to_string()),
            );
        }
        if !wants("originAnnotations") {
            remove(&mut r.obj, ORIGIN_ANNOTATION);
        }
        if !wants("transformerAnnotations") {
            remove(&mut r.obj, TRANSFORMATIONS_ANNOTATION);
        }
    }
}

fn remove(obj: &mut Value, key: &str) {
    let Some(Value::Object(meta)) = obj.get_mut("metadata") else {
        return;
    };
    let now_empty = match meta.get_mut("annotations") {
        Some(Value::Object(a)) => a.shift_remove(key).is_some() && a.is_empty(),
        _ => false,
    };
    if now_empty {
        meta.shift_remove("annotations");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_join_and_clean_as_go_filepath_join() {
        assert_eq!(clean_join("", "service.yaml"), "service.yaml");
        assert_eq!(
            clean_join("../base", "namespace.yaml"),
            "../base/namespace.yaml"
        );
        assert_eq!(clean_join("prod", "../base"), "base");
        assert_eq!(clean_join("", "./a/../b.yaml"), "b.yaml");
        assert_eq!(clean_join("../x", "../../y"), "../../y");
    }

    #[test]
    fn origins_render_as_kyaml_marshals_them() {
        assert_eq!(of_file("../base/svc.yaml"), "path: ../base/svc.yaml\n");
        assert_eq!(
            of_generator("kustomization.yaml", "builtin", "ConfigMapGenerator", "", ""),
            "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n"
        );
    }

    #[test]
    fn transformations_accumulate_as_a_yaml_list() {
        let mut res = ResMap::default();
        res.items.push(super::super::resource::Resource::new(
            json!({"kind": "Service", "metadata": {"name": "a"}}),
        ));
        let t = of_generator("kustomization.yaml", "builtin", "PrefixTransformer", "", "");
        add_transformation(&mut res, &t);
        add_transformation(&mut res, &t);
        let item = "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n";
        assert_eq!(
            res.items[0]
                .obj
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(TRANSFORMATIONS_ANNOTATION)),
            Some(&Value::String(format!("{item}{item}")))
        );
    }

    #[test]
    fn the_first_origin_stays_and_unwanted_origins_leave_no_empty_map() {
        let mut obj = json!({"kind": "Service", "metadata": {"name": "a"}});
        annotate(&mut obj, "path: a.yaml\n");
        annotate(&mut obj, "path: b.yaml\n");
        assert_eq!(get(&obj), Some("path: a.yaml\n"));
        remove(&mut obj, ORIGIN_ANNOTATION);
        assert_eq!(obj, json!({"kind": "Service", "metadata": {"name": "a"}}));
    }
}
