//! The objects a chart's templates see besides `.Values`: `.Chart`, `.Release`,
//! `.Capabilities`, `.Files`, `.Template`, `.Subcharts`, shaped as helm v4 hands them over.

use super::chart::{ChartFile, Dependency, Metadata};
use super::pathmatch;
use crate::go::base64;
use crate::go::strings::split_bytes;
use crate::template::value::{
    Entries, FuncError, Key, List, ListType, Map, MapType, Object, Value,
};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The Kubernetes version `helm template` reports without `--kube-version`.
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// API versions helm v4.1.4 reports without a cluster (`chartutil.DefaultVersionSet`).
pub const DEFAULT_API_VERSIONS: [&str; 57] = [
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// helm v4.1.4's build information (`.Capabilities.HelmVersion`).
const HELM_VERSION: [(&str, &str); 5] = [
    ("Version", "v4.1.4"),
    ("GitCommit", "05fa37973dc9e42b76e1d2883494c87174b6074f"),
    ("GitTreeState", "clean"),
    ("GoVersion", "go1.25.9"),
    ("KubeClientVersion", "v1.35"),
];

fn str_value(s: &str) -> Value {
    Value::str(s)
}

fn string_list(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| str_value(s)).collect())
}

/// A values tree (user values coalesced with defaults) as template data: numbers from YAML and
/// JSON are float64, integers from `--set` are int64.
pub fn json_to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int64(i),
            _ => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => str_value(s),
        Json::Array(items) => Value::list(items.iter().map(json_to_value).collect()),
        Json::Object(obj) => Value::map(
            obj.iter()
                .map(|(k, v)| (Key::from(k.as_str()), json_to_value(v)))
                .collect(),
        ),
    }
}

fn dependency_map(dep: &Dependency) -> Value {
    let entries: Entries = [
        ("Alias", str_value(&dep.alias)),
        ("Condition", str_value(&dep.condition)),
        ("Enabled", Value::Bool(dep.enabled)),
        (
            "ImportValues",
            Value::list(dep.import_values.iter().map(json_to_value).collect()),
        ),
        ("Name", str_value(&dep.name)),
        ("Repository", str_value(&dep.repository)),
        ("Tags", string_list(&dep.tags)),
        ("Version", str_value(&dep.version)),
    ]
    .into_iter()
    .map(|(k, v)| (Key::from(k), v))
    .collect();
    Value::map(entries)
}

/// `.Chart`: helm v4 hands templates the metadata as a map with Go field names, plus `IsRoot`.
pub fn chart_value(md: &Metadata, is_root: bool) -> Value {
    let maintainers = md
        .maintainers
        .iter()
        .map(|m| {
            Value::map(
                [("Email", &m.email), ("Name", &m.name), ("URL", &m.url)]
                    .into_iter()
                    .map(|(k, v)| (Key::from(k), str_value(v)))
                    .collect(),
            )
        })
        .collect();
    let annotations = md
        .annotations
        .iter()
        .map(|(k, v)| (Key::from(k.as_str()), str_value(v)))
        .collect();
    let dependencies = md
        .dependencies
        .iter()
        .flatten()
        .map(dependency_map)
        .collect();
    let entries: Entries = [
        ("APIVersion", str_value(&md.api_version)),
        // A `map[string]string`, nil when Chart.yaml has no annotations: helm's
        // `structToMap` keeps the field's own value.
        (
            "Annotations",
            Value::Map(if md.annotations.is_empty() {
                Map::nil(MapType::Strings)
            } else {
                Map::new(annotations).with_type(MapType::Strings)
            }),
        ),
        ("AppVersion", str_value(&md.app_version)),
        ("Condition", str_value(&md.condition)),
        ("Dependencies", Value::list(dependencies)),
        ("Deprecated", Value::Bool(md.deprecated)),
        ("Description", str_value(&md.description)),
        ("Home", str_value(&md.home)),
        ("Icon", str_value(&md.icon)),
        ("IsRoot", Value::Bool(is_root)),
        ("Keywords", string_list(&md.keywords)),
        ("KubeVersion", str_value(&md.kube_version)),
        ("Maintainers", Value::list(maintainers)),
        ("Name", str_value(&md.name)),
        ("Sources", string_list(&md.sources)),
        ("Tags", str_value(&md.tags)),
        ("Type", str_value(&md.chart_type)),
        ("Version", str_value(&md.version)),
    ]
    .into_iter()
    .map(|(k, v)| (Key::from(k), v))
    .collect();
    Value::map(entries)
}

/// `.Release`.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub is_upgrade: bool,
    pub revision: i64,
}

pub fn release_value(r: &ReleaseInfo) -> Value {
    let entries: Entries = [
        ("IsInstall", Value::Bool(!r.is_upgrade)),
        ("IsUpgrade", Value::Bool(r.is_upgrade)),
        ("Name", str_value(&r.name)),
        ("Namespace", str_value(&r.namespace)),
        ("Revision", Value::Int(r.revision)),
        ("Service", str_value("Helm")),
    ]
    .into_iter()
    .map(|(k, v)| (Key::from(k), v))
    .collect();
    Value::map(entries)
}

/// `.Template` for one file.
pub fn template_value(name: &str, base_path: &str) -> Value {
    let mut entries = Entries::new();
    entries.insert("BasePath".into(), str_value(base_path));
    entries.insert("Name".into(), str_value(name));
    Value::Map(Map::new(entries).with_type(MapType::Values))
}

/// A `--kube-version` helm cannot parse: the text as given and the parser's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid kube version '{text}': {reason}")]
pub struct KubeVersionError {
    /// The version as given.
    pub text: String,
    /// apimachinery's message on it.
    pub reason: String,
}

/// A Kubernetes version as `helm template` parses `--kube-version` (helm's
/// `common.KubeVersion`).
#[derive(Debug, Clone, PartialEq)]
pub struct KubeVersion {
    /// As given, with a `v` in front (`GitVersion`).
    pub version: String,
    /// `v` and the numeric components only: what `String()` gives and constraints check.
    pub normalized: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion` over apimachinery's `version.ParseGeneric`: two or more
    /// dot-separated numbers (the first without a leading zero), after optional blanks and
    /// `v`, then anything on the same line, which only `version` keeps.
    pub fn parse(text: &str) -> Result<KubeVersion, KubeVersionError> {
        let fail = |reason: String| KubeVersionError {
            text: text.to_string(),
            reason,
        };
        let quoted = crate::go::strconv::quote(text);
        let body = text.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
        let body = body.strip_prefix('v').unwrap_or(body);
        let numbers_end = numeric_prefix_len(body);
        // The pattern's `(.*)*$` cannot cross a line end.
        if numbers_end == 0 || body[numbers_end..].contains('\n') {
            return Err(fail(format!("could not parse {quoted} as version")));
        }
        let components: Vec<&str> = body[..numbers_end].split('.').collect();
        if components.len() < 2 {
            return Err(fail(format!("illegal version string {quoted}")));
        }
        let mut numbers = Vec::with_capacity(components.len());
        for (i, comp) in components.iter().enumerate() {
            if i == 0 && comp.starts_with('0') && *comp != "0" {
                return Err(fail(format!(
                    "illegal zero-prefixed version component {} in {quoted}",
                    crate::go::strconv::quote(comp)
                )));
            }
            let n = crate::go::strconv::parse_uint(comp, 10).map_err(|_| {
                let c = crate::go::strconv::quote(comp);
                fail(format!(
                    "illegal non-numeric version component {c} in {quoted}: \
                     strconv.ParseUint: parsing {c}: value out of range"
                ))
            })?;
            numbers.push(n.to_string());
        }
        let version = if text.starts_with('v') {
            text.to_string()
        } else {
            format!("v{text}")
        };
        Ok(KubeVersion {
            version,
            normalized: format!("v{}", numbers.join(".")),
            major: numbers[0].clone(),
            minor: numbers[1].clone(),
        })
    }
}

/// The length of `digits(.digits)*` at the start of `s` (0 when it starts with no digit).
fn numeric_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut end = 0;
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return end;
        }
        end = i;
        if i < b.len() && b[i] == b'.' {
            i += 1;
        } else {
            return end;
        }
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            normalized: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "35".into(),
        }
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(str_value(&self.version)),
            "Major" => Some(str_value(&self.major)),
            "Minor" => Some(str_value(&self.minor)),
            _ => None,
        }
    }
    fn method_arity(&self, name: &str) -> Option<usize> {
        matches!(name, "String" | "GitVersion").then_some(0)
    }
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "String" => Ok(str_value(&self.normalized)),
            "GitVersion" => Ok(str_value(&self.version)),
            _ => Err(FuncError::new(format!(
                "can't evaluate field {name} in type common.KubeVersion"
            ))),
        }
    }
    // The struct's fields in order, the unexported normalised version included: a copy
    // (what a function gets) has no `String`, which is on the pointer.
    fn go_format(&self) -> String {
        format!(
            "{{{} {} {} {}}}",
            self.version, self.normalized, self.major, self.minor
        )
    }
    fn json(&self) -> Option<Json> {
        Some(serde_json::json!({"Version": self.version, "Major": self.major, "Minor": self.minor}))
    }
    fn addressable_stringer(&self) -> Option<String> {
        Some(self.normalized.clone())
    }
}

/// `.Capabilities.APIVersions` (`common.VersionSet`, a `[]string` with `Has`).
#[derive(Debug, Clone)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &str {
        "slice"
    }
    fn method_arity(&self, name: &str) -> Option<usize> {
        (name == "Has").then_some(1)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        match (name, args) {
            ("Has", [Value::Str(s)]) => Ok(Value::Bool(self.0.iter().any(|v| **v == **s))),
            ("Has", [other]) => Err(FuncError::new(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            ))),
            _ => Err(FuncError::new(format!(
                "can't evaluate field {name} in type common.VersionSet"
            ))),
        }
    }
    fn go_format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn json(&self) -> Option<Json> {
        Some(Json::Array(
            self.0.iter().map(|v| Json::String(v.clone())).collect(),
        ))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::List(List::new(
            ListType::Str,
            self.0.iter().map(|s| str_value(s)).collect(),
        )))
    }
}

/// `.Capabilities.HelmVersion`.
#[derive(Debug, Clone)]
struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "common.HelmVersion"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        HELM_VERSION
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| str_value(v))
    }
    fn go_format(&self) -> String {
        let parts: Vec<&str> = HELM_VERSION.iter().map(|(_, v)| *v).collect();
        format!("{{{}}}", parts.join(" "))
    }
    fn json(&self) -> Option<Json> {
        let tags = [
            "version",
            "git_commit",
            "git_tree_state",
            "go_version",
            "kube_client_version",
        ];
        Some(Json::Object(
            tags.iter()
                .zip(HELM_VERSION.iter())
                .map(|(tag, (_, v))| (tag.to_string(), Json::String(v.to_string())))
                .collect(),
        ))
    }
}

/// `.Capabilities`.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: VersionSet,
}

impl Capabilities {
    /// helm's defaults plus `--kube-version` and `--api-versions` (comma lists allowed).
    pub fn new(kube_version: Option<KubeVersion>, extra_api_versions: &[String]) -> Self {
        let mut versions: Vec<String> =
            DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        versions.extend(
            extra_api_versions
                .iter()
                .flat_map(|a| a.split(','))
                .filter(|a| !a.is_empty())
                .map(str::to_string),
        );
        Capabilities {
            kube_version: kube_version.unwrap_or_default(),
            api_versions: VersionSet(versions),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(Arc::new(self.kube_version.clone()))),
            "APIVersions" => Some(Value::Object(Arc::new(self.api_versions.clone()))),
            "HelmVersion" => Some(Value::Object(Arc::new(HelmVersion))),
            _ => None,
        }
    }
    fn go_format(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.kube_version.go_format(),
            self.api_versions.go_format(),
            HelmVersion.go_format()
        )
    }
    fn json(&self) -> Option<Json> {
        let mut obj = serde_json::Map::new();
        obj.insert("KubeVersion".into(), self.kube_version.json()?);
        obj.insert("APIVersions".into(), self.api_versions.json()?);
        obj.insert("HelmVersion".into(), HelmVersion.json()?);
        Some(Json::Object(obj))
    }
}

/// `.Files`: a chart's non-template files (Helm's `engine.files`, a `map[string][]byte` with
/// methods).
#[derive(Debug, Clone, Default)]
pub struct Files(pub BTreeMap<String, Arc<[u8]>>);

impl Files {
    pub fn new(files: &[ChartFile]) -> Files {
        Files(
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        )
    }

    fn get_bytes(&self, name: &str) -> &[u8] {
        self.0.get(name).map(|d| &d[..]).unwrap_or(&[])
    }

    fn glob(&self, pattern: &str) -> Files {
        let pattern = if pathmatch::glob_matches(pattern, "").is_some() {
            pattern
        } else {
            "**"
        };
        Files(
            self.0
                .iter()
                .filter(|(name, _)| pathmatch::glob_matches(pattern, name).unwrap_or(false))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    fn lines(&self, name: &str) -> Value {
        let Some(data) = self.0.get(name) else {
            return Value::List(List::new(ListType::Str, Vec::new()));
        };
        let text = data.strip_suffix(b"\n").unwrap_or(data);
        Value::List(List::new(
            ListType::Str,
            split_bytes(text, b"\n").map(Value::go_substring).collect(),
        ))
    }
}

fn string_arg<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, FuncError> {
    match args {
        [s @ (Value::Str(_) | Value::RawStr(_))] => Ok(s.as_str().unwrap_or_default()),
        [other] => Err(FuncError::new(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        ))),
        _ => Err(FuncError::new(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        ))),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind_name(&self) -> &str {
        "map"
    }
    /// `map[string][]byte`: a missing file is a nil byte slice.
    fn missing_entry(&self) -> Value {
        Value::Bytes(Arc::from(Vec::new()))
    }
    fn method_arity(&self, name: &str) -> Option<usize> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(1),
            "AsConfig" | "AsSecrets" => Some(0),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "Get" => Ok(Value::go_substring(self.get_bytes(string_arg(name, args)?))),
            "GetBytes" => Ok(Value::Bytes(Arc::from(
                self.get_bytes(string_arg(name, args)?),
            ))),
            "Glob" => Ok(Value::Object(Arc::new(self.glob(string_arg(name, args)?)))),
            "Lines" => Ok(self.lines(string_arg(name, args)?)),
            // Helm's ConfigMap/Secret `data` helpers: base names to contents (as text or
            // base64), written with `toYaml`.
            "AsConfig" | "AsSecrets" => {
                let data = self
                    .0
                    .iter()
                    .map(|(path, bytes)| {
                        let text = if name == "AsConfig" {
                            Value::go_substring(bytes)
                        } else {
                            Value::str(base64::encode(bytes))
                        };
                        (
                            Key::from(crate::template::funcs::library::path_base(path)),
                            text,
                        )
                    })
                    .collect();
                Ok(Value::str(crate::template::funcs::library::to_yaml(
                    &Value::map(data),
                )))
            }
            _ => Err(FuncError::new(format!(
                "can't evaluate field {name} in type engine.files"
            ))),
        }
    }
    fn go_format(&self) -> String {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(|b| b.to_string()).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", items.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn json(&self) -> Option<Json> {
        Some(Json::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Json::String(base64::encode(v))))
                .collect(),
        ))
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::map(
            self.0
                .iter()
                .map(|(k, v)| (Key::from(k.as_str()), Value::Bytes(v.clone())))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_version_parsing() {
        // Expected texts from helm v4.1.4 `template --kube-version X`.
        let parts = |t: &str| {
            let k = KubeVersion::parse(t).unwrap();
            (k.version, k.normalized, k.major, k.minor)
        };
        let own = |a: &str, b: &str, c: &str, d: &str| {
            (a.to_string(), b.to_string(), c.to_string(), d.to_string())
        };
        assert_eq!(parts("1.27"), own("v1.27", "v1.27", "1", "27"));
        assert_eq!(parts("v1.28.0"), own("v1.28.0", "v1.28.0", "1", "28"));
        assert_eq!(
            parts("1.30.1+k3s1"),
            own("v1.30.1+k3s1", "v1.30.1", "1", "30")
        );
        assert_eq!(
            parts("v1.30.1-gke.1"),
            own("v1.30.1-gke.1", "v1.30.1", "1", "30")
        );
        // More than three numbers, leading zeros past the first, blanks before.
        assert_eq!(parts("1.2.3.4"), own("v1.2.3.4", "v1.2.3.4", "1", "2"));
        assert_eq!(parts("1.02"), own("v1.02", "v1.2", "1", "2"));
        assert_eq!(parts(" 1.30"), own("v 1.30", "v1.30", "1", "30"));
        let err = |t: &str| KubeVersion::parse(t).unwrap_err().to_string();
        assert_eq!(
            err("2"),
            r#"invalid kube version '2': illegal version string "2""#
        );
        assert_eq!(
            err("1.x"),
            r#"invalid kube version '1.x': illegal version string "1.x""#
        );
        assert_eq!(
            err("01.02"),
            r#"invalid kube version '01.02': illegal zero-prefixed version component "01" in "01.02""#
        );
        assert_eq!(
            err("abc"),
            r#"invalid kube version 'abc': could not parse "abc" as version"#
        );
        assert_eq!(
            err("1.2\nx"),
            "invalid kube version '1.2\nx': could not parse \"1.2\\nx\" as version"
        );
        assert_eq!(
            err("1.99999999999999999999"),
            "invalid kube version '1.99999999999999999999': illegal non-numeric version \
             component \"99999999999999999999\" in \"1.99999999999999999999\": \
             strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
    }

    #[test]
    fn chart_annotations_are_a_string_map() {
        // helm v4.1.4 prints `map[]` and `toJson` gives `null` for a chart without them.
        let annotations = |md: &Metadata| match chart_value(md, true) {
            Value::Map(m) => m.get("Annotations").unwrap_or(Value::Nil),
            other => panic!("{other:?}"),
        };
        let none = annotations(&Metadata::default());
        assert_eq!(crate::template::fmt::format_value(&none), "map[]");
        assert_eq!(none.type_name(), "map[string]string");
        assert!(matches!(&none, Value::Map(m) if m.is_nil()));
        let mut md = Metadata::default();
        md.annotations.insert("a".into(), "b".into());
        let some = annotations(&md);
        assert_eq!(crate::template::fmt::format_value(&some), "map[a:b]");
        assert!(matches!(&some, Value::Map(m) if !m.is_nil()));
    }

    #[test]
    fn kube_version_prints_as_go_does() {
        let k = KubeVersion::parse("1.30.1+k3s1").unwrap();
        // A copy, as functions get it, prints its fields; the printed action uses `String()`.
        assert_eq!(k.go_format(), "{v1.30.1+k3s1 v1.30.1 1 30}");
        assert_eq!(k.addressable_stringer().as_deref(), Some("v1.30.1"));
        let call = |m: &str| match k.call_method(m, &[]) {
            Ok(Value::Str(s)) => s.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(call("String"), "v1.30.1");
        assert_eq!(call("GitVersion"), "v1.30.1+k3s1");
    }

    #[test]
    fn files_methods() {
        let files = Files::new(&[
            ChartFile {
                name: "cfg/a.conf".into(),
                data: Arc::from(&b"A\nB\n"[..]),
            },
            ChartFile {
                name: "cfg/deep/b.conf".into(),
                data: Arc::from(&b"x"[..]),
            },
        ]);
        let get = files
            .call_method("Get", &[Value::str("cfg/a.conf")])
            .unwrap();
        assert_eq!(get.as_str(), Some("A\nB\n"));
        let Value::List(lines) = files
            .call_method("Lines", &[Value::str("cfg/a.conf")])
            .unwrap()
        else {
            panic!("not a list")
        };
        assert_eq!(lines.len(), 2);
        assert_eq!(files.glob("cfg/*.conf").0.len(), 1);
        assert_eq!(files.glob("cfg/**.conf").0.len(), 2);
        assert_eq!(
            files.go_format(),
            "map[cfg/a.conf:[65 10 66 10] cfg/deep/b.conf:[120]]"
        );
    }

    /// `engine.files` is Go's `map[string][]byte` with methods: a field names a file, a missing
    /// one is a nil byte slice, and a field given arguments is refused (checked against helm
    /// v4.1.4, which printed these very lines).
    #[test]
    fn files_fields_are_map_keys() {
        let files = Files::new(&[ChartFile {
            name: "notes".into(),
            data: Arc::from(&b"hello"[..]),
        }]);
        let root = crate::template::value::Map::default();
        root.insert("Files", Value::Object(Arc::new(files)));
        let run = |template: &str| {
            let mut set = crate::template::TemplateSet::default();
            set.add_file("t", template).map_err(|e| e.to_string())?;
            set.execute("t", &Value::Map(root.clone()))
                .map(|out| String::from_utf8_lossy(&out).into_owned())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            run(
                r#"{{ .Files.notes | quote }} {{ .Files.Nope | quote }} {{ printf "%v %T" .Files.Nope .Files.notes }} {{ printf "%v %T" (index .Files "Nope") (index .Files "notes") }}"#
            ),
            Ok(r#""hello" "" [] []uint8 [] []uint8"#.to_string())
        );
        let err = run(r#"{{ .Files.Nope "x" }}"#).unwrap_err();
        assert!(
            err.contains("Nope is not a method but has arguments"),
            "{err}"
        );
    }

    #[test]
    fn capabilities_has() {
        let caps = Capabilities::new(None, &["x.io/v1,y.io/v2".to_string()]);
        let has = |v: &str| {
            caps.api_versions
                .call_method("Has", &[Value::str(v)])
                .unwrap()
                .truthy()
        };
        assert!(has("apps/v1") && has("x.io/v1") && has("y.io/v2"));
        assert!(!has("apps/v1/Deployment"));
    }
}
