//! configMapGenerator / secretGenerator, and the content-hash name suffix
//! kustomize appends to what they generate.

use super::kustfile::{string_map, GeneratorArgs, GeneratorOptions};
use super::loader::Loader;
use super::resource::{Behavior, Resource};
use super::KustomizeError;
use crate::go::base64;
use crate::go::json::write_json_string;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, PartialEq)]
pub enum GenKind<'a> {
    ConfigMap,
    /// A Secret of its `type` (Opaque when empty).
    Secret {
        secret_type: &'a str,
    },
}

/// Builds one generated resource from its arguments and the kustomization's
/// global generatorOptions.
pub fn generate(
    ldr: &Loader,
    kind: GenKind<'_>,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
) -> Result<Resource, KustomizeError> {
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut env_files: Vec<&str> = args.envs.iter().map(String::as_str).collect();
    if !args.env.is_empty() {
        env_files.push(&args.env);
    }
    // kustomize's kv loader names the sources of a failure as Go prints a list (`[a b]`).
    let loading = |what: &str, sources: &[&str]| {
        let list = sources.join(" ");
        let what = what.to_string();
        move |e: KustomizeError| e.context(format_args!("loading KV pairs: {what} [{list}]"))
    };
    let failed = loading("env source files:", &env_files);
    for env in &env_files {
        let text = ldr.load_text(env).map_err(&failed)?;
        for (k, v) in parse_env_file(&text) {
            pairs.push((k, v.into_bytes()));
        }
    }
    let literals: Vec<&str> = args.literals.iter().map(String::as_str).collect();
    let failed = loading("literal sources", &literals);
    for lit in &literals {
        let (k, v) = parse_literal(lit).map_err(&failed)?;
        pairs.push((k, v.into_bytes()));
    }
    let files: Vec<&str> = args.files.iter().map(String::as_str).collect();
    let failed = loading("file sources:", &files);
    for f in &files {
        let (key, path) = parse_file_source(f).map_err(&failed)?;
        pairs.push((key.to_string(), ldr.load(path).map_err(&failed)?));
    }

    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in pairs {
        if data.contains_key(&k) || binary.contains_key(&k) {
            return Err(KustomizeError::build(format!(
                "configmap {} illegally repeats the key `{k}`",
                args.name
            )));
        }
        match kind {
            GenKind::Secret { .. } => {
                data.insert(k, Value::String(wrapped_base64(&v)));
            }
            GenKind::ConfigMap => match String::from_utf8(v) {
                Ok(s) => {
                    data.insert(k, Value::String(s));
                }
                Err(e) => {
                    binary.insert(k, Value::String(wrapped_base64(e.as_bytes())));
                }
            },
        }
    }

    let options = merge_options(args.options.as_ref(), global);
    let mut meta = Map::new();
    meta.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        meta.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    let labels = string_map(&options.labels);
    if !labels.is_empty() {
        meta.insert("labels".into(), string_object(&labels));
    }
    let annotations = string_map(&options.annotations);
    if !annotations.is_empty() {
        meta.insert("annotations".into(), string_object(&annotations));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), Value::String("v1".into()));
    obj.insert(
        "kind".into(),
        Value::String(
            if matches!(kind, GenKind::Secret { .. }) {
                "Secret"
            } else {
                "ConfigMap"
            }
            .into(),
        ),
    );
    obj.insert("metadata".into(), Value::Object(meta));
    // kyaml's LoadMapIntoSecretData creates a Secret's `data` even when empty;
    // LoadMapIntoConfigMapData only creates it for a first entry.
    if !data.is_empty() || matches!(kind, GenKind::Secret { .. }) {
        obj.insert("data".into(), Value::Object(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Object(binary));
    }
    if let GenKind::Secret { secret_type } = kind {
        let t = if secret_type.is_empty() {
            "Opaque"
        } else {
            secret_type
        };
        obj.insert("type".into(), Value::String(t.into()));
    }
    if options.immutable == Some(true) {
        obj.insert("immutable".into(), Value::Bool(true));
    }
    let mut r = Resource::new(Value::Object(obj));
    r.needs_hash = options.disable_name_suffix_hash != Some(true);
    // types.NewGenerationBehavior: any other word is "unspecified", which the
    // resource map absorbs as it does create.
    r.behavior = Some(match args.behavior.as_str() {
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        _ => Behavior::Create,
    });
    Ok(r)
}

/// kustomize's IAMPolicyGenerator: for `cloud: gke`, the Kubernetes
/// ServiceAccount bound to a Google service account by annotation.
pub fn iam_policy(config: &Value) -> Result<Resource, KustomizeError> {
    let text = |p: &str| config.pointer(p).and_then(Value::as_str).unwrap_or("");
    let cloud = text("/cloud");
    if cloud != "gke" {
        return Err(KustomizeError::build(format!(
            "cloud provider {cloud} not supported yet"
        )));
    }
    let mut meta = Map::new();
    let mut annotations = Map::new();
    annotations.insert(
        "iam.gke.io/gcp-service-account".into(),
        Value::String(format!(
            "{}@{}.iam.gserviceaccount.com",
            text("/serviceAccount/name"),
            text("/serviceAccount/projectId")
        )),
    );
    meta.insert("annotations".into(), Value::Object(annotations));
    meta.insert(
        "name".into(),
        Value::String(text("/kubernetesService/name").into()),
    );
    let ns = text("/kubernetesService/namespace");
    if !ns.is_empty() {
        meta.insert("namespace".into(), Value::String(ns.into()));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), Value::String("v1".into()));
    obj.insert("kind".into(), Value::String("ServiceAccount".into()));
    obj.insert("metadata".into(), Value::Object(meta));
    Ok(Resource::new(Value::Object(obj)))
}

/// Base64 as kyaml writes generated Secret data and ConfigMap binaryData:
/// an encoding of 70 characters or more is cut into lines of 70, each line
/// ending in a newline (so the value prints as a literal block and the
/// content hash covers the wrapped text).
fn wrapped_base64(data: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64::encode(data);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for line in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn string_object(pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Local options win over the kustomization's global generatorOptions.
fn merge_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> GeneratorOptions {
    let mut out = global.cloned().unwrap_or_default();
    if let Some(l) = local {
        for (k, v) in &l.labels {
            out.labels.insert(k.clone(), v.clone());
        }
        for (k, v) in &l.annotations {
            out.annotations.insert(k.clone(), v.clone());
        }
        if l.disable_name_suffix_hash.is_some() {
            out.disable_name_suffix_hash = l.disable_name_suffix_hash;
        }
        if l.immutable.is_some() {
            out.immutable = l.immutable;
        }
    }
    out
}

/// `KEY=VALUE`; a value wrapped in matching quotes loses them.
/// A `literals` entry, `KEY=VALUE` (the value may hold `=`, and loses one pair of
/// surrounding quotes); a missing or leading `=` is refused.
fn parse_literal(lit: &str) -> Result<(String, String), KustomizeError> {
    let (k, v) = lit
        .split_once('=')
        .filter(|_| !lit.starts_with('='))
        .ok_or_else(|| {
            KustomizeError::build(format!("invalid literal source {lit}, expected key=value"))
        })?;
    let v = unquote(v);
    Ok((k.to_string(), v.to_string()))
}

/// A `files` entry, `[KEY=]PATH`, split as kustomize's ParseFileSource splits it: the key
/// defaults to the file's base name, and neither part may be empty or hold another `=`.
fn parse_file_source(source: &str) -> Result<(&str, &str), KustomizeError> {
    let quote = crate::go::strconv::quote;
    match source.matches('=').count() {
        0 => Ok((source.rsplit('/').next().unwrap_or(source), source)),
        1 if source.starts_with('=') => Err(KustomizeError::build(format!(
            "missing key name for file path {} in source {}",
            quote(&source[1..]),
            quote(source)
        ))),
        1 if source.ends_with('=') => Err(KustomizeError::build(format!(
            "missing file path for key name {} in source {}",
            quote(&source[..source.len() - 1]),
            quote(source)
        ))),
        1 => Ok(source.split_once('=').unwrap_or((source, ""))),
        _ => Err(KustomizeError::build(format!(
            "source {} key name or file path contains '='",
            quote(source)
        ))),
    }
}

fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// An env file as kustomize's kv loader reads it (api/kv, keyValuesFromLine): each line
/// without its leading space, a blank or `#` line skipped; the key is the text before
/// the first `=` (the whole line without one, its value then empty), kept as written,
/// since kustomize's IsEnvVarName accepts any; an empty key skips the line.
fn parse_env_file(text: &str) -> Vec<(String, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .map(str::trim_start)
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split_once('=').unwrap_or((line, "")))
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// kustomize's content hash of a ConfigMap or Secret (or any resource),
/// encoded as its 10-character name suffix. kustomize v5.6 looks the name up
/// under a key that never exists, so the name always hashes as "".
pub fn content_hash(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let field = |f: &str| -> String {
        match obj.get(f) {
            None => go_json_string(""),
            Some(v @ (Value::Object(_) | Value::Array(_))) => go_json(v),
            Some(v) => go_json_string(&super::resource::scalar_string(v)),
        }
    };
    let text = match kind {
        "ConfigMap" | "Secret" => {
            let mut fields: Vec<(&str, String)> = vec![
                ("kind", go_json_string(kind)),
                ("name", go_json_string("")),
                ("data", field("data")),
            ];
            let optional_map = if kind == "Secret" {
                "stringData"
            } else {
                "binaryData"
            };
            if let Some(v @ Value::Object(_)) = obj.get(optional_map) {
                fields.push((optional_map, go_json(v)));
            }
            if kind == "Secret" {
                fields.push(("type", field("type")));
            }
            fields.sort_by(|a, b| a.0.cmp(b.0));
            let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", body.join(","))
        }
        _ => go_json(obj),
    };
    let hex = hex::encode(Sha256::digest(text.as_bytes()));
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// Go's `json.Marshal` of a value (sorted keys, HTML-safe escaping).
fn go_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let body: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", go_json_string(k), go_json(&m[k.as_str()])))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(go_json).collect::<Vec<_>>().join(",")),
        Value::String(s) => go_json_string(s),
        other => other.to_string(),
    }
}

/// A JSON string as `json.Marshal` writes it (HTML-safe).
fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_json_string(&mut out, s, true);
    out
}

#[cfg(test)]
mod tests {
    use super::super::loader::Files;
    use super::{
        content_hash, generate, iam_policy, parse_env_file, parse_file_source, parse_literal,
        wrapped_base64, Behavior, GenKind, GeneratorArgs, Loader,
    };

    #[test]
    fn a_secret_without_sources_keeps_empty_data_and_a_configmap_none() {
        let tree = crate::files::FileTree::new();
        let ldr = Loader::new(Files::in_tree(&tree), "");
        let args = GeneratorArgs {
            name: "s".into(),
            ..Default::default()
        };
        let secret = generate(&ldr, GenKind::Secret { secret_type: "" }, &args, None).unwrap();
        assert_eq!(secret.obj.get("data"), Some(&json!({})));
        // kubectl kustomize v5.6.0 names it s-46f8b28mk5 (hash over "data":{}).
        assert_eq!(content_hash(&secret.obj), "46f8b28mk5");
        let cm = generate(&ldr, GenKind::ConfigMap, &args, None).unwrap();
        assert_eq!(cm.obj.get("data"), None);
        assert_eq!(content_hash(&cm.obj), "6ct58987ht");
    }

    #[test]
    fn an_unknown_behavior_is_create_as_in_new_generation_behavior() {
        let tree = crate::files::FileTree::new();
        let ldr = Loader::new(Files::in_tree(&tree), "");
        for (word, behavior) in [
            ("add", Behavior::Create),
            ("", Behavior::Create),
            ("Merge", Behavior::Create),
            ("merge", Behavior::Merge),
            ("replace", Behavior::Replace),
        ] {
            let args = GeneratorArgs {
                name: "c".into(),
                behavior: word.into(),
                ..Default::default()
            };
            let r = generate(&ldr, GenKind::ConfigMap, &args, None).unwrap();
            assert_eq!(r.behavior, Some(behavior), "{word}");
        }
    }

    #[test]
    fn file_sources_split_as_kustomize_splits_them() {
        let failure = |s: &str| parse_file_source(s).unwrap_err().to_string();
        assert_eq!(
            parse_file_source("conf/app.properties").ok(),
            Some(("app.properties", "conf/app.properties"))
        );
        assert_eq!(parse_file_source("k=conf/a").ok(), Some(("k", "conf/a")));
        assert_eq!(
            failure("=a"),
            "missing key name for file path \"a\" in source \"=a\""
        );
        assert_eq!(
            failure("k="),
            "missing file path for key name \"k\" in source \"k=\""
        );
        assert_eq!(
            failure("k=a=b"),
            "source \"k=a=b\" key name or file path contains '='"
        );
    }

    #[test]
    fn literals_need_a_key_before_the_first_equals_sign() {
        assert_eq!(
            parse_literal("a=b=c").ok(),
            Some(("a".into(), "b=c".into()))
        );
        assert_eq!(parse_literal("a='x'").ok(), Some(("a".into(), "x".into())));
        assert!(parse_literal("=b").is_err());
        assert!(parse_literal("ab").is_err());
    }

    #[test]
    fn iam_policy_generator_makes_the_gke_service_account() {
        let config = json!({
            "cloud": "gke",
            "kubernetesService": {"name": "app", "namespace": "apps"},
            "serviceAccount": {"name": "gsa", "projectId": "proj"}
        });
        let r = iam_policy(&config).unwrap();
        assert_eq!(
            r.obj,
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {
                "annotations": {"iam.gke.io/gcp-service-account": "gsa@proj.iam.gserviceaccount.com"},
                "name": "app", "namespace": "apps"}})
        );
        assert!(iam_policy(&json!({"cloud": "aws"})).is_err());
    }
    use serde_json::json;

    #[test]
    fn long_base64_is_cut_into_lines_of_70_each_ending_in_a_newline() {
        assert_eq!(wrapped_base64(b"short"), "c2hvcnQ=");
        // 51 bytes encode to 68 characters: one line, no newline.
        assert!(!wrapped_base64(&[b'a'; 51]).contains('\n'));
        // 54 bytes encode to 72 characters: 70 + 2, both lines ended.
        let wrapped = wrapped_base64(&[b'a'; 54]);
        let lines: Vec<&str> = wrapped.split_terminator('\n').collect();
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [70, 2]);
        assert!(wrapped.ends_with('\n'));
    }

    #[test]
    fn hashes_short_escapes_as_go_json_does() {
        // kubectl kustomize v5.6.0 names a configMapGenerator of a file holding "a\bb\fc"
        // cm-gtk6b44cmc: json.Marshal writes \b and \f, not \u0008 and \u000c.
        let cm = json!({"kind": "ConfigMap", "data": {"data.txt": "a\u{8}b\u{c}c"}});
        assert_eq!(content_hash(&cm), "gtk6b44cmc");
    }

    /// kubectl kustomize v5.6.0 made these keys and values of this env file.
    #[test]
    fn env_file_keys_are_taken_as_written() {
        let text = "\u{feff}# c\n\nexport A=1\nB = 2\nC  \n  D=4 \nE=\"q\"\n=skipped\nF=a=b\r\n";
        let pairs = parse_env_file(text);
        let expected = [
            ("export A", "1"),
            ("B ", " 2"),
            ("C  ", ""),
            ("D", "4 "),
            ("E", "\"q\""),
            ("F", "a=b"),
        ];
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
    }
}
