//! A loaded chart: Chart.yaml metadata, default values, templates, files and subcharts, as
//! Helm's `chart.Chart` holds them.

use crate::budget::LimitExceeded;
use crate::yaml::{self, Node, Resolved, YamlError};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One file of a chart, path relative to the chart's root.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// The path relative to the chart's root.
    pub name: String,
    /// The file's bytes.
    pub data: Arc<[u8]>,
}

/// One entry of Chart.yaml `maintainers`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    /// The maintainer's name.
    pub name: String,
    /// The maintainer's email address.
    pub email: String,
    /// The maintainer's URL.
    pub url: String,
}

/// One entry of Chart.yaml `dependencies` (or requirements.yaml for apiVersion v1 charts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    /// The subchart's chart name.
    pub name: String,
    /// The version (or SemVer range) wanted.
    pub version: String,
    /// The repository URL (or `file://` path) it comes from.
    pub repository: String,
    /// Values paths (comma-separated) whose boolean enables or disables it.
    pub condition: String,
    /// Tags whose `tags.NAME` values enable or disable it.
    pub tags: Vec<String>,
    /// Whether conditions and tags left it enabled.
    pub enabled: bool,
    /// `import-values`: child values to copy into the parent's.
    pub import_values: Vec<Json>,
    /// The name the subchart is used under, when not its own.
    pub alias: String,
}

/// Chart.yaml, with the fields Helm's `chart.Metadata` has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// The chart's name.
    pub name: String,
    /// The project's home page URL.
    pub home: String,
    /// URLs of the project's source code.
    pub sources: Vec<String>,
    /// The chart's SemVer version.
    pub version: String,
    /// One-sentence description of the chart.
    pub description: String,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// The people who maintain the chart.
    pub maintainers: Vec<Maintainer>,
    /// URL of an icon for the chart.
    pub icon: String,
    /// The chart API version (`v1` or `v2`).
    pub api_version: String,
    /// Chart.yaml `condition` (Helm's `Metadata.Condition`).
    pub condition: String,
    /// Chart.yaml `tags` (Helm's `Metadata.Tags`, one string).
    pub tags: String,
    /// The version of the application the chart deploys.
    pub app_version: String,
    /// Whether the chart is marked deprecated.
    pub deprecated: bool,
    /// Chart.yaml `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// The SemVer range of Kubernetes versions the chart supports.
    pub kube_version: String,
    /// `None` when Chart.yaml has no `dependencies` key (Helm skips dependency processing then).
    pub dependencies: Option<Vec<Dependency>>,
    /// `application` or `library` (empty means application).
    pub chart_type: String,
}

/// A chart with its subcharts (`charts/`), after loading and before dependency processing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    /// Chart.yaml.
    pub metadata: Metadata,
    /// values.yaml (every number a float64, as after Helm's YAML→JSON step).
    pub values: Map<String, Json>,
    /// values.schema.json, when present.
    pub schema: Option<Arc<[u8]>>,
    /// Files under `templates/`, in load order.
    pub templates: Vec<ChartFile>,
    /// Every other file the chart carries (what `.Files` sees), in load order.
    pub files: Vec<ChartFile>,
    /// The subcharts, loaded from `charts/`.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name, from Chart.yaml.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether the chart is a library chart (it renders nothing itself).
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }
}

/// Why Chart.yaml (or requirements.yaml) could not be read, worded as Helm's YAML → JSON →
/// struct step words it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartYamlError {
    /// The text is not YAML Helm can convert to JSON (or it hit a YAML limit).
    #[error("error converting YAML to JSON: {0}")]
    Yaml(YamlError),
    /// A scalar of a field whose tag or value cannot be read.
    #[error("{0}")]
    Scalar(YamlError),
    /// A field of the wrong shape, worded like Go's JSON decoder.
    #[error("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {found} into Go struct field {field} of type {want}")]
    Type {
        /// The JSON kind found (`array`, `object`, `string`, `number`, `bool`).
        found: &'static str,
        /// The Go struct field, as `Metadata.maintainers.name`.
        field: String,
        /// The field's Go type.
        want: &'static str,
    },
    /// A `dependencies` list holding an empty entry.
    #[error("validation: dependencies must not contain empty or null nodes")]
    NullDependency,
}

impl ChartYamlError {
    /// The YAML safety limit that stopped reading, if one did.
    pub fn limit(&self) -> Option<LimitExceeded> {
        match self {
            ChartYamlError::Yaml(e) | ChartYamlError::Scalar(e) => e.limit(),
            ChartYamlError::Type { .. } | ChartYamlError::NullDependency => None,
        }
    }
}

/// Helm's `Metadata.Validate` refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidMetadata {
    /// No `apiVersion`.
    #[error("validation: chart.metadata.apiVersion is required")]
    NoApiVersion,
    /// No `name`.
    #[error("validation: chart.metadata.name is required")]
    NoName,
    /// A `name` holding `/`, or `.` or `..`.
    #[error("validation: chart.metadata.name {0:?} is invalid")]
    BadName(String),
    /// No `version`.
    #[error("validation: chart.metadata.version is required")]
    NoVersion,
    /// A `version` that is not semver.
    #[error("validation: chart.metadata.version {0:?} is invalid")]
    BadVersion(String),
    /// A `type` other than `application` or `library`.
    #[error("validation: chart.metadata.type must be application or library")]
    BadType,
    /// A dependency (by name) whose alias holds other characters than `[A-Za-z0-9_-]`.
    #[error("validation: dependency {0:?} has disallowed characters in the alias")]
    BadAlias(String),
    /// Two dependencies with the same name or alias.
    #[error("validation: more than one dependency with name or alias {0:?}")]
    DuplicateDependency(String),
}

/// A Chart.yaml field of the wrong shape.
fn type_error(field: &str, found: &Node, want: &'static str) -> ChartYamlError {
    let found = match found {
        Node::Scalar(s) => match s.resolve() {
            Ok(Resolved::Bool(_)) => "bool",
            Ok(Resolved::Int(_)) | Ok(Resolved::Float(_)) => "number",
            _ => "string",
        },
        Node::Sequence(_) => "array",
        Node::Mapping(_) => "object",
    };
    ChartYamlError::Type {
        found,
        field: field.to_string(),
        want,
    }
}

/// A scalar read into a Go string field the way sigs.k8s.io/yaml does: numbers and booleans
/// are printed, null leaves the field empty.
fn string_field(field: &str, node: &Node) -> Result<String, ChartYamlError> {
    match node {
        Node::Scalar(s) => Ok(match s.resolve().map_err(ChartYamlError::Scalar)? {
            Resolved::Null => String::new(),
            Resolved::Bool(b) => b.to_string(),
            Resolved::Int(i) => i.to_string(),
            Resolved::Float(f) => yaml::format_float_key(f),
            Resolved::Str(s) => s,
        }),
        other => Err(type_error(field, other, "string")),
    }
}

fn strings_field(field: &str, node: &Node) -> Result<Vec<String>, ChartYamlError> {
    match node {
        Node::Sequence(items) => items.iter().map(|i| string_field(field, i)).collect(),
        n if n.is_null() => Ok(Vec::new()),
        other => Err(type_error(field, other, "[]string")),
    }
}

fn bool_field(field: &str, node: &Node) -> Result<bool, ChartYamlError> {
    match node {
        Node::Scalar(s) => match s.resolve().map_err(ChartYamlError::Scalar)? {
            Resolved::Bool(b) => Ok(b),
            Resolved::Null => Ok(false),
            _ => Err(type_error(field, node, "bool")),
        },
        other => Err(type_error(field, other, "bool")),
    }
}

fn mapping_entries<'n>(
    field: &str,
    node: &'n Node,
    want: &'static str,
) -> Result<Vec<(String, &'n Node)>, ChartYamlError> {
    match node {
        Node::Mapping(entries) => entries
            .iter()
            .map(|(k, v)| Ok((string_field(field, k)?, v)))
            .collect(),
        n if n.is_null() => Ok(Vec::new()),
        other => Err(type_error(field, other, want)),
    }
}

fn parse_maintainer(node: &Node) -> Result<Maintainer, ChartYamlError> {
    let mut m = Maintainer::default();
    for (key, value) in mapping_entries("Metadata.maintainers", node, "chart.Maintainer")? {
        match key.as_str() {
            "name" => m.name = string_field("Metadata.maintainers.name", value)?,
            "email" => m.email = string_field("Metadata.maintainers.email", value)?,
            "url" => m.url = string_field("Metadata.maintainers.url", value)?,
            _ => {}
        }
    }
    Ok(m)
}

fn parse_dependency(node: &Node) -> Result<Dependency, ChartYamlError> {
    let mut d = Dependency::default();
    for (key, value) in mapping_entries("Metadata.dependencies", node, "chart.Dependency")? {
        let field = format!("Metadata.dependencies.{key}");
        match key.as_str() {
            "name" => d.name = string_field(&field, value)?,
            "version" => d.version = string_field(&field, value)?,
            "repository" => d.repository = string_field(&field, value)?,
            "condition" => d.condition = string_field(&field, value)?,
            "tags" => d.tags = strings_field(&field, value)?,
            "enabled" => d.enabled = bool_field(&field, value)?,
            "alias" => d.alias = string_field(&field, value)?,
            "import-values" => match yaml::to_json(value).map_err(ChartYamlError::Scalar)? {
                Json::Array(items) => d.import_values = items,
                Json::Null => {}
                _ => return Err(type_error(&field, value, "[]interface {}")),
            },
            _ => {}
        }
    }
    Ok(d)
}

/// Reads dependencies from a `dependencies:` value (Chart.yaml v2 or requirements.yaml).
pub(crate) fn parse_dependencies(node: &Node) -> Result<Vec<Dependency>, ChartYamlError> {
    match node {
        Node::Sequence(items) => items
            .iter()
            .map(|item| {
                if item.is_null() {
                    Err(ChartYamlError::NullDependency)
                } else {
                    parse_dependency(item)
                }
            })
            .collect(),
        n if n.is_null() => Ok(Vec::new()),
        other => Err(type_error(
            "Metadata.dependencies",
            other,
            "[]*chart.Dependency",
        )),
    }
}

impl Metadata {
    /// Reads Chart.yaml text into metadata (unknown fields are ignored, as Helm does).
    pub(crate) fn parse(text: &str) -> Result<Metadata, ChartYamlError> {
        match yaml::load_first(text, &yaml::Limits::default()).map_err(ChartYamlError::Yaml)? {
            Some(doc) => Metadata::from_document(&doc),
            None => Ok(Metadata::default()),
        }
    }

    /// Reads Chart.yaml's (first) document, already loaded, into metadata.
    pub(crate) fn from_document(doc: &Node) -> Result<Metadata, ChartYamlError> {
        let mut md = Metadata::default();
        for (key, value) in mapping_entries("Metadata", doc, "chart.Metadata")? {
            let field = format!("Metadata.{key}");
            match key.as_str() {
                "name" => md.name = string_field(&field, value)?,
                "home" => md.home = string_field(&field, value)?,
                "sources" => md.sources = strings_field(&field, value)?,
                "version" => md.version = string_field(&field, value)?,
                "description" => md.description = string_field(&field, value)?,
                "keywords" => md.keywords = strings_field(&field, value)?,
                "maintainers" => {
                    md.maintainers = match value {
                        Node::Sequence(items) => items
                            .iter()
                            .map(parse_maintainer)
                            .collect::<Result<_, _>>()?,
                        n if n.is_null() => Vec::new(),
                        other => return Err(type_error(&field, other, "[]*chart.Maintainer")),
                    }
                }
                "icon" => md.icon = string_field(&field, value)?,
                "apiVersion" => md.api_version = string_field(&field, value)?,
                "condition" => md.condition = string_field(&field, value)?,
                "tags" => md.tags = string_field(&field, value)?,
                "appVersion" => md.app_version = string_field(&field, value)?,
                "deprecated" => md.deprecated = bool_field(&field, value)?,
                "annotations" => {
                    md.annotations = mapping_entries(&field, value, "map[string]string")?
                        .into_iter()
                        .map(|(k, v)| Ok((k, string_field(&field, v)?)))
                        .collect::<Result<_, ChartYamlError>>()?
                }
                "kubeVersion" => md.kube_version = string_field(&field, value)?,
                "dependencies" => md.dependencies = Some(parse_dependencies(value)?),
                "type" => md.chart_type = string_field(&field, value)?,
                _ => {}
            }
        }
        Ok(md)
    }

    /// Helm's `Metadata.Validate`.
    pub(crate) fn validate(&self) -> Result<(), InvalidMetadata> {
        if self.api_version.is_empty() {
            return Err(InvalidMetadata::NoApiVersion);
        }
        if self.name.is_empty() {
            return Err(InvalidMetadata::NoName);
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return Err(InvalidMetadata::BadName(self.name.clone()));
        }
        if self.version.is_empty() {
            return Err(InvalidMetadata::NoVersion);
        }
        if super::semver::Version::parse(&self.version).is_err() {
            return Err(InvalidMetadata::BadVersion(self.version.clone()));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(InvalidMetadata::BadType);
        }
        let mut seen = std::collections::HashSet::new();
        for dep in self.dependencies.iter().flatten() {
            if !dep.alias.is_empty()
                && !dep
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(InvalidMetadata::BadAlias(dep.name.clone()));
            }
            let key = if dep.alias.is_empty() {
                &dep.name
            } else {
                &dep.alias
            };
            if !seen.insert(key.clone()) {
                return Err(InvalidMetadata::DuplicateDependency(key.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_reads_fields_and_prints_numbers() {
        let md = Metadata::parse(
            "apiVersion: v2\nname: a\nversion: 1.2.3\nappVersion: 1.10\nkeywords: [x, 1]\n\
             annotations: {a: 1}\ndependencies:\n- name: sub\n  version: ~1\n  tags: [t]\n  import-values: [x]\n",
        )
        .unwrap();
        assert_eq!(md.app_version, "1.1");
        assert_eq!(md.keywords, ["x", "1"]);
        assert_eq!(md.annotations["a"], "1");
        let deps = md.dependencies.as_ref().unwrap();
        assert_eq!(deps[0].name, "sub");
        assert_eq!(deps[0].tags, ["t"]);
        assert!(md.validate().is_ok());
    }

    #[test]
    fn metadata_validation_messages() {
        let md = Metadata::parse("apiVersion: v2\nname: a\n").unwrap();
        assert_eq!(
            md.validate().unwrap_err().to_string(),
            "validation: chart.metadata.version is required"
        );
        let md =
            Metadata::parse("apiVersion: v2\nname: a\nversion: 1.0.0\ntype: Library\n").unwrap();
        assert!(md
            .validate()
            .unwrap_err()
            .to_string()
            .contains("must be application or library"));
        assert!(Metadata::parse("name: [a]\n")
            .unwrap_err()
            .to_string()
            .contains("cannot unmarshal array"));
    }
}
