//! What `helm template` does with rendered text: split each file into documents, read each
//! document's head (kind, name, hook annotations), order documents by kind, print them with
//! `# Source:` headers, and filter with `--show-only`.

use super::log::{Level, Log};
use super::pathmatch;
use crate::go::strings::{find_bytes, trim_space};
use crate::yaml::{self, YamlError};
use serde_json::Value as Json;
use std::sync::Arc;

/// The annotation that makes a document a hook.
pub(crate) const HOOK_ANNOTATION: &str = "helm.sh/hook";
const HOOK_EVENTS: [&str; 10] = [
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Kinds in the order Helm installs them; other kinds follow, alphabetically.
const INSTALL_ORDER: [&str; 38] = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// One output document: the template it came from and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The `# Source:` path, e.g. `mychart/templates/deployment.yaml`.
    pub source: String,
    /// The document's text.
    pub content: String,
    /// The object's `kind` (empty when the document has none).
    pub kind: String,
    /// The hook events (`pre-install`, `test`, …) when the document is a hook.
    pub hook_events: Vec<String>,
    /// The raw `helm.sh/hook` annotation of a hook.
    pub hook: Option<String>,
    /// A file of a chart's `crds/` folder (`--include-crds`), printed as it is.
    pub crd_file: bool,
    /// The YAML documents `content` holds, each as JSON or why it converts to none, as read to
    /// sort it (helm looks at the first only): what a scan reads objects from, without reading
    /// the text again. `None` for a CRD file, printed unread.
    pub(crate) values: Option<Vec<Result<Json, YamlError>>>,
}

impl Manifest {
    /// Whether the document is a Helm test hook (`helm.sh/hook: test`).
    pub fn is_test_hook(&self) -> bool {
        self.hook_events.iter().any(|e| is_test_event(e))
    }
}

/// `test-success` is Helm's older name of the `test` event.
fn is_test_event(event: &str) -> bool {
    event == "test" || event == "test-success"
}

/// Whether a `helm.sh/hook` annotation (events split on `,`, as Helm reads them) makes its
/// object a Helm test.
pub(crate) fn is_test_hook(annotation: &str) -> bool {
    annotation
        .split(',')
        .any(|e| is_test_event(&e.trim().to_lowercase()))
}

/// Helm's `SplitManifests`: documents separated by `---` at the start of the text or after a
/// newline (the separator eats the whitespace after it), each trimmed, empty ones dropped.
/// Over bytes, as Go's strings are: a rendered file need not be UTF-8 (go-yaml then refuses
/// the document holding the bad bytes, not the file's others).
pub(crate) fn split_manifests(text: &[u8]) -> Vec<&[u8]> {
    let text = trim_space(text);
    let mut docs = Vec::new();
    let mut doc_start = 0;
    let mut pos = 0;
    loop {
        let found = if pos == 0 && text.starts_with(b"---") {
            Some(0)
        } else {
            find_bytes(&text[pos..], b"\n---").map(|i| pos + i)
        };
        let Some(sep_start) = found else {
            break;
        };
        let mut sep_end = if sep_start == 0 && text.starts_with(b"---") && pos == 0 {
            3
        } else {
            sep_start + 4
        };
        while sep_end < text.len() && matches!(text[sep_end], b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
            sep_end += 1;
        }
        docs.push(&text[doc_start..sep_start]);
        doc_start = sep_end;
        pos = sep_end;
    }
    docs.push(&text[doc_start..]);
    docs.into_iter()
        .filter(|d| !d.is_empty())
        .map(trim_space)
        .collect()
}

/// [`split_manifests`] of a text: the documents of UTF-8 text are UTF-8 (the separators are
/// ASCII).
fn split_manifest_text(text: &str) -> Vec<&str> {
    split_manifests(text.as_bytes())
        .into_iter()
        .filter_map(|doc| std::str::from_utf8(doc).ok())
        .collect()
}

/// What Helm reads of a document (`util.SimpleHead` in helm v4, `releaseutil` in v3).
#[derive(Debug, Default)]
struct Head {
    kind: String,
    annotations: Vec<(String, String)>,
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn string_field(v: Option<&Json>, field: &str) -> Result<String, String> {
    match v {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        // sigs.k8s.io/yaml prints YAML booleans and numbers into string fields.
        Some(Json::Bool(b)) => Ok(b.to_string()),
        Some(Json::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type string",
            json_kind(other)
        )),
    }
}

/// Reads a document's YAML documents as JSON, as Helm's YAML→JSON step reads it to sort it
/// (only a document that does not load fails: each conversion is kept for [`read_head`] to
/// judge).
fn read_values(doc: &str) -> Result<Vec<Result<Json, YamlError>>, String> {
    let nodes = yaml::load_all(doc, &yaml::Limits::default())
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    Ok(nodes.iter().map(yaml::to_json).collect())
}

/// What Helm reads of a document, from its first YAML document; fails where Helm's
/// YAML→JSON→struct step fails.
fn read_head(values: &[Result<Json, YamlError>]) -> Result<Head, String> {
    let json = match values.first() {
        None => return Ok(Head::default()),
        Some(Err(e)) => return Err(format!("error converting YAML to JSON: {e}")),
        Some(Ok(json)) => json,
    };
    let obj = match json {
        Json::Null => return Ok(Head::default()),
        Json::Object(obj) => obj,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                json_kind(other)
            ))
        }
    };
    string_field(obj.get("apiVersion"), "SimpleHead.apiVersion")?;
    let kind = string_field(obj.get("kind"), "SimpleHead.kind")?;
    let mut annotations = Vec::new();
    match obj.get("metadata") {
        None | Some(Json::Null) => {}
        Some(Json::Object(meta)) => {
            string_field(meta.get("name"), "SimpleHead.metadata.name")?;
            match meta.get("annotations") {
                None | Some(Json::Null) => {}
                Some(Json::Object(a)) => {
                    for (k, v) in a {
                        annotations.push((
                            k.clone(),
                            string_field(Some(v), "SimpleHead.metadata.annotations")?,
                        ));
                    }
                }
                Some(other) => {
                    return Err(format!(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field .metadata.annotations of type map[string]string",
                        json_kind(other)
                    ))
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}",
                json_kind(other)
            ))
        }
    }
    Ok(Head { kind, annotations })
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind`: known kinds in install order, then unknown kinds alphabetically.
fn kind_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (kind_rank(a), kind_rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Helm's `SortManifests` over rendered files (path → text, NOTES already removed): partials and
/// empty files skipped, each document classified as hook or manifest, both sorted by kind.
pub(crate) fn sort_manifests(
    files: &[(String, Vec<u8>)],
    log: &mut Log,
) -> Result<(Vec<Manifest>, Vec<Manifest>), String> {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in sorted {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || trim_space(content).is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let parse_error = |e| format!("YAML parse error on {path}: {e}");
            let doc = yaml::utf8_text(doc)
                .map_err(|e| parse_error(format!("error converting YAML to JSON: {e}")))?;
            let values = read_values(doc).map_err(parse_error)?;
            let head = read_head(&values).map_err(parse_error)?;
            let mut manifest = Manifest {
                source: path.clone(),
                content: doc.to_string(),
                kind: head.kind,
                hook_events: Vec::new(),
                hook: None,
                crd_file: false,
                values: Some(values),
            };
            let hook = head
                .annotations
                .iter()
                .find(|(k, _)| k == HOOK_ANNOTATION)
                .map(|(_, v)| v.clone());
            let Some(hook) = hook else {
                generic.push(manifest);
                continue;
            };
            let events: Vec<String> = hook.split(',').map(|e| e.trim().to_lowercase()).collect();
            if events.iter().any(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                // Helm drops documents with an unknown hook event.
                log.push(
                    Level::Info,
                    "skipping unknown hooks",
                    &[("hookTypes", &hook)],
                );
                continue;
            }
            manifest.hook_events = events;
            manifest.hook = Some(hook);
            hooks.push(manifest);
        }
    }
    hooks.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    generic.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    Ok((hooks, generic))
}

/// A CRD file printed by `--include-crds`: its bytes shared with the chart, read as text
/// only when printed (most renders leave CRDs out, and CRD files are the biggest of a chart).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CrdFile {
    pub source: String,
    pub data: Arc<[u8]>,
}

/// What `helm template` prints and the documents in printed order (with their hook status).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Output {
    pub text: String,
    pub documents: Vec<Manifest>,
}

/// Options for printing, as `helm template`'s flags.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PrintOptions {
    /// `--show-only`: print only the documents of these templates.
    pub show_only: Vec<String>,
    /// `--include-crds`: print the charts' `crds/` files too.
    pub include_crds: bool,
    /// `--no-hooks`: leave hooks out.
    pub disable_hooks: bool,
    /// `--skip-tests`: leave test hooks out.
    pub skip_tests: bool,
}

/// Appends one document as `helm template` prints it, under its `# Source:` header (in place:
/// the whole output is every rendered document, no temporary copy of each).
fn push_document(out: &mut String, source: &str, content: &str) {
    for part in ["---\n# Source: ", source, "\n", content, "\n"] {
        out.push_str(part);
    }
}

/// Assembles `helm template`'s stdout from the sorted documents.
pub(crate) fn print(
    crds: &[CrdFile],
    manifests: Vec<Manifest>,
    hooks: Vec<Manifest>,
    opts: &PrintOptions,
) -> Result<Output, String> {
    let mut release_manifest = String::new();
    let mut documents = Vec::new();
    if opts.include_crds {
        for crd in crds {
            let content = String::from_utf8_lossy(&crd.data).into_owned();
            push_document(&mut release_manifest, &crd.source, &content);
            documents.push(Manifest {
                source: crd.source.clone(),
                content,
                kind: "CustomResourceDefinition".into(),
                hook_events: Vec::new(),
                hook: None,
                crd_file: true,
                values: None,
            });
        }
    }
    for m in &manifests {
        push_document(&mut release_manifest, &m.source, &m.content);
    }
    documents.extend(manifests);
    let mut text = format!("{}\n", release_manifest.trim());
    if !opts.disable_hooks {
        for h in hooks {
            if opts.skip_tests && h.is_test_hook() {
                continue;
            }
            push_document(&mut text, &h.source, &h.content);
            documents.push(h);
        }
    }
    if opts.show_only.is_empty() {
        return Ok(Output { text, documents });
    }
    let split = split_manifest_text(&text);
    let mut shown = String::new();
    let mut shown_docs = Vec::new();
    for pattern in &opts.show_only {
        let mut missing = true;
        for doc in &split {
            let Some(name) = source_path(doc) else {
                continue;
            };
            if !pathmatch::matches(pattern, name).unwrap_or(false) {
                continue;
            }
            shown.push_str(&format!("---\n{doc}\n"));
            if let Some(d) = documents.iter().find(|d| doc.ends_with(d.content.trim())) {
                shown_docs.push(d.clone());
            }
            missing = false;
        }
        if missing {
            return Err(pattern.clone());
        }
    }
    Ok(Output {
        text: shown,
        documents: shown_docs,
    })
}

/// The path after the chart name in a document's first `# Source: <chart>/<path>` line.
fn source_path(doc: &str) -> Option<&str> {
    let at = doc.find("# Source: ")?;
    let rest = &doc[at + "# Source: ".len()..];
    let slash = rest.find('/')?;
    let name = &rest[slash + 1..];
    let name = name.split('\n').next().unwrap_or(name);
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document that is not a mapping fails with helm v4.1.4's words (its package is `util`).
    #[test]
    fn a_document_that_is_not_a_mapping_has_no_head() {
        let head = |json: Json| read_head(&[Ok(json)]).map(|h| h.kind);
        assert_eq!(
            head(Json::from("text")).unwrap_err(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type util.SimpleHead"
        );
        assert!(head(Json::Array(Vec::new()))
            .unwrap_err()
            .contains("cannot unmarshal array into Go value of type util.SimpleHead"));
        assert_eq!(head(Json::Null), Ok(String::new()));
    }

    #[test]
    fn split_like_helm() {
        assert_eq!(split_manifest_text("a: 1\n---b: 2\n"), ["a: 1", "b: 2"]);
        assert_eq!(
            split_manifest_text("c: 1\n---\n---\nd: 2\n"),
            ["c: 1", "---\nd: 2"]
        );
        assert_eq!(
            split_manifest_text("e: 1\n--- # comment\nf: 2"),
            ["e: 1", "# comment\nf: 2"]
        );
        assert_eq!(
            split_manifest_text("g: 1   \n  \n--- \n\n\nh: 2\n\n  \n"),
            ["g: 1", "h: 2"]
        );
        assert_eq!(split_manifest_text("\n\n  i: 1\n"), ["i: 1"]);
        assert_eq!(split_manifest_text("---\na: 1\n---\n"), ["a: 1"]);
    }

    fn file(path: &str, text: &str) -> (String, Vec<u8>) {
        (path.to_string(), text.as_bytes().to_vec())
    }

    #[test]
    fn sorts_by_kind_and_separates_hooks() {
        let (hooks, manifests) = sort_manifests(
            &[
                file(
                    "c/templates/b.yaml",
                    "kind: Deployment\n---\nkind: ConfigMap\n",
                ),
                file("c/templates/a.yaml", "kind: Widget\n"),
                file(
                    "c/templates/h.yaml",
                    "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n",
                ),
                file(
                    "c/templates/u.yaml",
                    "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: nope\n",
                ),
                file("c/templates/_p.tpl", "not: yaml: at: all"),
            ],
            &mut Log::default(),
        )
        .unwrap();
        let kinds: Vec<&str> = manifests.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["ConfigMap", "Deployment", "Widget"]);
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].hook_events, ["pre-install"]);
        // helm v4.1.4 logs the document it drops (the annotation as written).
        let mut log = Log::default();
        sort_manifests(
            &[file(
                "c/templates/u.yaml",
                "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: \"pre-install, nope\"\n",
            )],
            &mut log,
        )
        .unwrap();
        assert_eq!(
            log.lines(),
            [r#"level=INFO msg="skipping unknown hooks" hookTypes="pre-install, nope""#]
        );
    }

    #[test]
    fn sorting_keeps_every_yaml_document_it_read() {
        // `\r` breaks lines for YAML but does not split for helm: one document, two YAML
        // documents, of which helm judges the first only.
        let (_, manifests) = sort_manifests(
            &[file(
                "c/templates/a.yaml",
                "kind: A\n---\n# only a comment\n---\nkind: B\r---\rv: .nan\r",
            )],
            &mut Log::default(),
        )
        .unwrap();
        let values: Vec<_> = manifests.iter().map(|m| m.values.clone()).collect();
        // The comment (no kind) sorts first.
        assert_eq!(
            values,
            [
                Some(vec![]),
                Some(vec![Ok(serde_json::json!({"kind": "A"}))]),
                Some(vec![
                    Ok(serde_json::json!({"kind": "B"})),
                    Err(YamlError::Json("json: unsupported value: NaN".into()))
                ]),
            ]
        );
        // A CRD file is printed as it is, unread.
        let crd = CrdFile {
            source: "c/crds/x.yaml".into(),
            data: Arc::from(&b"kind: CustomResourceDefinition\n"[..]),
        };
        let opts = PrintOptions {
            include_crds: true,
            ..Default::default()
        };
        let out = print(&[crd], manifests, Vec::new(), &opts).unwrap();
        assert_eq!(out.documents[0].values, None);
    }

    #[test]
    fn a_document_that_is_not_utf8_fails_as_go_yaml_reads_it() {
        // helm v4.1.4 on templates printing `trunc 4 "日本語"` (日 and the first byte of 本).
        let sort = |text: &[u8]| {
            sort_manifests(
                &[("c/templates/t.yaml".to_string(), text.to_vec())],
                &mut Log::default(),
            )
            .map(|_| ())
        };
        let reader = |problem: &str| {
            Err(format!(
                "YAML parse error on c/templates/t.yaml: error converting YAML to JSON: yaml: {problem}"
            ))
        };
        assert_eq!(
            sort(b"# \xe6\x97\xa5\xe6\na: 1"),
            reader("invalid trailing UTF-8 octet")
        );
        assert_eq!(sort(b"a: \x97\xa5x"), reader("invalid leading UTF-8 octet"));
        // Each document is trimmed: the cut character ends its document.
        assert_eq!(
            sort(b"a: 1\n---\nb: \xe6\x97\xa5\xe6\n---\nc: 2"),
            reader("incomplete UTF-8 octet sequence")
        );
        // Documents are read in order: an earlier document's error comes first.
        assert_eq!(
            sort(b"a: [\n---\nb: \xe6\x97\xa5\xe6"),
            reader("line 1: did not find expected node content")
        );
        assert_eq!(
            sort(b"a: 1\n---\nb: \xc0\xaf\n---\nc: \xed\xa0\x80"),
            reader("invalid length of a UTF-8 sequence")
        );
    }

    #[test]
    fn head_errors_like_helm() {
        let err = sort_manifests(&[file("c/templates/a.yaml", "- a\n")], &mut Log::default())
            .unwrap_err();
        assert!(err.starts_with("YAML parse error on c/templates/a.yaml: error unmarshaling JSON"));
        let err = sort_manifests(
            &[file("c/templates/a.yaml", "kind: [5]\n")],
            &mut Log::default(),
        )
        .unwrap_err();
        assert!(err.contains("cannot unmarshal array"));
        assert!(sort_manifests(
            &[file("c/templates/a.yaml", "metadata: {name: n}\n")],
            &mut Log::default()
        )
        .is_ok());
    }

    #[test]
    fn prints_and_filters() {
        let (hooks, manifests) = sort_manifests(
            &[
                file("c/templates/a.yaml", "v: a\n"),
                file("c/templates/b.yaml", "v: b\n"),
            ],
            &mut Log::default(),
        )
        .unwrap();
        let opts = PrintOptions {
            show_only: vec!["templates/b.yaml".into()],
            ..Default::default()
        };
        let out = print(&[], manifests.clone(), hooks.clone(), &opts).unwrap();
        assert_eq!(out.text, "---\n# Source: c/templates/b.yaml\nv: b\n");
        let all = print(&[], manifests, hooks, &PrintOptions::default()).unwrap();
        assert_eq!(
            all.text,
            "---\n# Source: c/templates/a.yaml\nv: a\n---\n# Source: c/templates/b.yaml\nv: b\n"
        );
        assert_eq!(
            print(&[], vec![], vec![], &PrintOptions::default())
                .unwrap()
                .text,
            "\n"
        );
    }
}
