//! Rendered text → Kubernetes objects: YAML streams split into documents (one broken document
//! does not hide the others), JSON files read as JSON, and `kind: List` / `*List` expanded.
//! A text a renderer has read already (Helm reads every document to sort it) is not read again
//! when this stage would read it the same way.

use crate::records::problem::{Problem, ProblemKind};
use crate::yaml;
use serde_json::Value;

/// Text a renderer produced (or a manifest file holds), with the path it came from: the
/// manifest's path for plain packages, the `# Source:` path for Helm.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedText {
    pub source: String,
    pub text: String,
    /// The YAML documents of the whole `text`, each as JSON or why it converts to none, when the
    /// renderer loaded them already; `None` when nothing did.
    pub read: Option<Vec<Result<Value, yaml::YamlError>>>,
}

/// One Kubernetes object and the path that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeObject {
    pub source: String,
    pub value: Value,
}

/// The annotation that makes an object a Helm hook.
const HOOK_ANNOTATION: &str = "helm.sh/hook";

/// What the records name an object by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIdentity {
    pub kind: String,
    pub api_version: String,
    /// `metadata.name`, else `metadata.generateName`, else empty.
    pub name: String,
    pub namespace: Option<String>,
    /// Path of the file or template that produced the object.
    pub source: String,
    /// The `helm.sh/hook` annotation, when the object is a Helm hook.
    pub hook: Option<String>,
}

impl KubeObject {
    pub fn identity(&self) -> ObjectIdentity {
        let metadata = self.value.get("metadata");
        let text_at = |v: Option<&Value>, key: &str| {
            v.and_then(|m| m.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        ObjectIdentity {
            kind: text_at(Some(&self.value), "kind").unwrap_or_default(),
            api_version: text_at(Some(&self.value), "apiVersion").unwrap_or_default(),
            name: text_at(metadata, "name")
                .or_else(|| text_at(metadata, "generateName"))
                .unwrap_or_default(),
            namespace: text_at(metadata, "namespace"),
            source: self.source.clone(),
            hook: text_at(metadata.and_then(|m| m.get("annotations")), HOOK_ANNOTATION),
        }
    }
}

/// How deep `List`s inside `List`s are expanded.
const MAX_LIST_NESTING: usize = 8;

/// Parses every document of every text, in order. Documents that fail to parse or are not
/// objects become problems (attributed to `instance`, the input path) and are skipped.
pub fn parse_objects(texts: Vec<SourcedText>, instance: &str) -> (Vec<KubeObject>, Vec<Problem>) {
    let mut objects = Vec::new();
    let mut problems = Vec::new();
    for text in texts {
        let source = text.source.as_str();
        let mut problem = |kind, detail: String| {
            problems.push(Problem::new(kind, format!("{source}: {detail}"), instance));
        };
        let documents = match text.read {
            // The renderer loaded the very text this stage would load: its result stands.
            Some(read) if is_one_yaml_stream(&text.text) => read
                .into_iter()
                .map(|value| value.map_err(|e| not_convertible(1, e)))
                .collect(),
            _ => documents_of(&text.text),
        };
        for document in documents {
            match document {
                Ok(Value::Null) => {}
                Ok(value) => {
                    if let Err(detail) = push_object(&mut objects, source, value, 0) {
                        problem(ProblemKind::NotAnObject, detail);
                    }
                }
                Err((kind, detail)) => problem(kind, detail),
            }
        }
    }
    (objects, problems)
}

/// The documents of one text as JSON values, or why each one is not (a safety limit or a
/// document that does not parse). Like Kubernetes' reader, a text whose first non-blank
/// character is `{` or `[` is JSON (possibly several concatenated values).
fn documents_of(text: &str) -> Vec<Result<Value, (ProblemKind, String)>> {
    if is_json(text) {
        return serde_json::Deserializer::from_str(text.trim_start())
            .into_iter::<Value>()
            .map(|r| r.map_err(|e| (ProblemKind::DocumentInvalid, format!("invalid JSON: {e}"))))
            .scan(false, |failed, r| {
                // After a JSON error the stream cannot resynchronise: report it once and stop.
                if *failed {
                    return None;
                }
                *failed = r.is_err();
                Some(r)
            })
            .collect();
    }
    let limits = yaml::Limits::default();
    let mut documents = Vec::new();
    for document in yaml::split_documents(text) {
        match yaml::load_all(document.text, &limits) {
            Ok(nodes) => {
                for node in nodes {
                    documents.push(
                        yaml::to_json(&node).map_err(|e| not_convertible(document.first_line, e)),
                    );
                }
            }
            Err(e) => documents.push(Err((
                match e.limit() {
                    Some(_) => ProblemKind::LimitExceeded,
                    None => ProblemKind::DocumentInvalid,
                },
                format!(
                    "document at line {}: {}",
                    document.first_line,
                    shift_line(&e, document.first_line)
                ),
            ))),
        }
    }
    documents
}

/// Whether a text is JSON to this stage (its first non-blank character opens an object or array).
fn is_json(text: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.starts_with('{') || trimmed.starts_with('[')
}

/// Whether this stage reads `text` as one YAML stream, all of it at once: not JSON, and no
/// separator line splits it.
fn is_one_yaml_stream(text: &str) -> bool {
    !is_json(text)
        && matches!(yaml::split_documents(text).as_slice(), [whole] if whole.text.len() == text.len())
}

/// Why a YAML document that loaded, in a part starting at `first_line`, is no JSON value.
fn not_convertible(first_line: usize, error: yaml::YamlError) -> (ProblemKind, String) {
    (
        ProblemKind::DocumentInvalid,
        format!("document at line {first_line}: {error}"),
    )
}

/// The error text with its line made relative to the whole file instead of the document.
fn shift_line(error: &yaml::YamlError, first_line: usize) -> String {
    match error {
        yaml::YamlError::Syntax { line, message, .. } => {
            format!("yaml: line {}: {message}", line + first_line - 1)
        }
        other => other.to_string(),
    }
}

/// Adds `value` as an object, expanding `List` kinds; refuses non-objects.
fn push_object(
    objects: &mut Vec<KubeObject>,
    source: &str,
    value: Value,
    depth: usize,
) -> Result<(), String> {
    let Value::Object(map) = value else {
        return Err(format!("expected an object, found {}", json_type(&value)));
    };
    let is_list = map
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && map.get("items").is_some_and(Value::is_array);
    if !is_list {
        objects.push(KubeObject {
            source: source.to_string(),
            value: Value::Object(map),
        });
        return Ok(());
    }
    if depth >= MAX_LIST_NESTING {
        return Err(format!("lists nested more than {MAX_LIST_NESTING} deep"));
    }
    let Some(Value::Array(items)) = map.into_iter().find(|(k, _)| k == "items").map(|(_, v)| v)
    else {
        return Ok(());
    };
    for item in items {
        push_object(objects, source, item, depth + 1)?;
    }
    Ok(())
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str, text: &str) -> (Vec<KubeObject>, Vec<Problem>) {
        parse_objects(
            vec![SourcedText {
                source: source.into(),
                text: text.into(),
                read: None,
            }],
            "input.tgz",
        )
    }

    fn kinds(objects: &[KubeObject]) -> Vec<&str> {
        objects
            .iter()
            .map(|o| o.value["kind"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn multi_document_yaml_keeps_order_and_skips_empty_documents() {
        let (objects, problems) = parse("a.yaml", "kind: A\n---\n# nothing\n---\n---\nkind: B\n");
        assert_eq!(kinds(&objects), ["A", "B"]);
        assert!(problems.is_empty());
        assert_eq!(objects[1].source, "a.yaml");
    }

    #[test]
    fn a_broken_document_is_a_problem_not_the_end() {
        let (objects, problems) = parse("a.yaml", "kind: A\n---\nkind: [B\n---\nkind: C\n");
        assert_eq!(kinds(&objects), ["A", "C"]);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].detail.starts_with("a.yaml: document at line 3"),
            "{}",
            problems[0].detail
        );
    }

    #[test]
    fn lists_are_expanded_recursively() {
        let text = "kind: List\nitems:\n- kind: A\n- kind: ConfigMapList\n  items:\n  - kind: B\n";
        let (objects, _) = parse("l.yaml", text);
        assert_eq!(kinds(&objects), ["A", "B"]);
    }

    #[test]
    fn json_files_and_json_lists_are_read() {
        let (objects, problems) = parse(
            "l.json",
            r#"{"kind": "List", "items": [{"kind": "A"}, {"kind": "B"}]} {"kind": "C"}"#,
        );
        assert_eq!(kinds(&objects), ["A", "B", "C"]);
        assert!(problems.is_empty());
    }

    #[test]
    fn non_objects_are_problems() {
        let (objects, problems) = parse("s.yaml", "just a string\n---\n- 1\n");
        assert!(objects.is_empty());
        assert_eq!(problems.len(), 2);
        assert!(problems
            .iter()
            .all(|p| p.title == "Document is not a Kubernetes object"));
    }

    /// The printed documents of rendered files (path → text) as helm sorts them, hooks first.
    fn sorted(files: &[(&str, &str)]) -> Vec<crate::helm::manifests::Manifest> {
        let files: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
            .collect();
        let (hooks, manifests) =
            crate::helm::manifests::sort_manifests(&files, &mut Default::default()).unwrap();
        hooks.into_iter().chain(manifests).collect()
    }

    /// The objects and problems of each document, read from what helm read and from its text.
    fn from_read_and_text(
        documents: Vec<crate::helm::manifests::Manifest>,
    ) -> [(Vec<KubeObject>, Vec<Problem>); 2] {
        let texts = |keep_read: bool| {
            documents
                .iter()
                .map(|d| SourcedText {
                    source: d.source.clone(),
                    text: d.content.clone(),
                    read: d.values.clone().filter(|_| keep_read),
                })
                .collect::<Vec<_>>()
        };
        [
            parse_objects(texts(true), "c.tgz"),
            parse_objects(texts(false), "c.tgz"),
        ]
    }

    #[test]
    fn documents_helm_read_give_the_objects_of_their_text() {
        let documents = sorted(&[
            (
                "c/templates/a.yaml",
                "kind: A\nmetadata:\n  name: a\n---\nkind: B\n",
            ),
            (
                "c/templates/hook.yaml",
                "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n",
            ),
            (
                "c/templates/list.yaml",
                "kind: List\nitems:\n- kind: C\n- 1\n",
            ),
            // Empty documents: comments only, `---` alone, a document that is null.
            ("c/templates/empty.yaml", "# nothing\n---\n---\n---\n~\n"),
            // A document helm leaves starting with a separator line.
            ("c/templates/sep.yaml", "kind: D\n---\n--- # two\nkind: E\n"),
            // JSON to this stage: read as JSON, even where it is no JSON.
            ("c/templates/j.yaml", "{\"kind\": \"F\"}\n---\n{kind: G}\n"),
            // Line breaks other than `\n` do not split for helm: one text, two YAML
            // documents, the second of which has no JSON form.
            (
                "c/templates/cr.yaml",
                "kind: H\r---\rkind: I\r---\rv: .inf\r",
            ),
        ]);
        let [from_read, from_text] = from_read_and_text(documents);
        assert_eq!(from_read, from_text);
        let (objects, problems) = from_read;
        // Sorted by kind: a `List` is an unknown kind, after `I`.
        assert_eq!(
            kinds(&objects),
            ["Pod", "A", "B", "D", "E", "F", "H", "I", "C"]
        );
        let details: Vec<&str> = problems.iter().map(|p| p.detail.as_str()).collect();
        assert_eq!(
            details,
            [
                "c/templates/j.yaml: invalid JSON: key must be a string at line 1 column 2",
                "c/templates/cr.yaml: document at line 1: json: unsupported value: +Inf",
                "c/templates/list.yaml: expected an object, found a number",
            ]
        );
    }

    #[test]
    fn a_read_text_is_not_read_again_unless_this_stage_reads_it_otherwise() {
        let read_as = |text: &str, kind: &str| SourcedText {
            source: "c/templates/a.yaml".into(),
            text: text.into(),
            read: Some(vec![Ok(serde_json::json!({ "kind": kind }))]),
        };
        let (objects, _) = parse_objects(vec![read_as("kind: A\n", "Read")], "c.tgz");
        assert_eq!(kinds(&objects), ["Read"]);
        // JSON, or split at a separator line: the text as this stage reads it.
        let (objects, _) = parse_objects(
            vec![
                read_as("{\"kind\": \"A\"}", "Read"),
                read_as("---\nkind: B\n", "Read"),
            ],
            "c.tgz",
        );
        assert_eq!(kinds(&objects), ["A", "B"]);
    }

    #[test]
    fn yaml_1_1_booleans_do_not_disturb_image_strings() {
        let (objects, _) = parse(
            "d.yaml",
            "kind: Pod\nspec:\n  containers:\n  - image: nginx:1\n    tty: yes\n",
        );
        assert_eq!(
            objects[0].value["spec"]["containers"][0]["image"],
            "nginx:1"
        );
        assert_eq!(objects[0].value["spec"]["containers"][0]["tty"], true);
    }
}
