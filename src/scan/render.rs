//! The render stage: a detected package → the documents it produces, with their source paths.
//!
//! THE PLUG-IN POINT for renderers is [`render_package`]: one arm per system. Each renderer
//! returns one [`RenderedPackage`] per package root it finds (Kustomize may find several),
//! with either text (`documents`) or ready objects (`objects`). A renderer that unpacks
//! archives inside the package (Helm subcharts) bounds them with the scan's limits, the input
//! itself being depth 0 as for [`crate::unpack::unpack`], so nesting stays bounded by the same
//! limit.
//! - kube: every manifest file as written (source = its path in the input).
//! - helm: `helm template` output split by `# Source:` path.
//! - kustomize: `kustomize build` objects per kustomization root.

use super::ScanOptions;
use crate::budget::{InputBudget, LimitKind};
use crate::detect::{DetectedPackage, System};
use crate::files::is_manifest_path;
use crate::files::FileTree;
use crate::helm;
use crate::objects::{KubeObject, SourcedText};
use crate::records::problem::{Problem, ProblemKind};
use crate::records::Release;
use crate::yaml;

/// What the render stage knows about one package root.
#[derive(Debug, Clone)]
pub struct RenderedPackage {
    pub system: System,
    /// The package root relative to the input's top folder; `None` for the top folder itself.
    pub entry: Option<String>,
    /// Which files of the tree belong to the package (listed with their digests).
    pub files: DetectedPackage,
    pub title: String,
    pub description: Option<String>,
    pub release: Option<Release>,
    pub declared_images: Vec<String>,
    /// Rendered text in render order (parsed into objects by the objects stage).
    pub documents: Vec<SourcedText>,
    /// Objects a renderer built itself (Kustomize works on objects), after those of `documents`.
    pub objects: Vec<KubeObject>,
    pub problems: Vec<Problem>,
}

/// What a renderer gets to work with.
pub struct RenderContext<'a> {
    /// Every file of the input.
    pub tree: &'a FileTree,
    /// The folder on disk the tree stands for (a directory input): kustomize bases may lie
    /// outside it. `None` for an archive, which nothing may leave.
    pub disk_top: Option<&'a std::path::Path>,
    pub package: &'a DetectedPackage,
    /// The input as a URI, for problems' `instance`.
    pub instance: &'a str,
    /// A title when the package root is the input itself and has no name of its own.
    pub fallback_title: &'a str,
    /// Whether the input is a gzip'd tar: a chart at its top is then what helm loads as a
    /// chart archive (`helm template x.tgz`), not as a folder.
    pub gzip_tar_input: bool,
    pub options: &'a ScanOptions,
}

impl RenderContext<'_> {
    /// The root folder's own name, or the input's name for the input's root.
    fn folder_title(&self) -> String {
        match self.package.root.rsplit('/').next() {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => self.fallback_title.to_string(),
        }
    }

    fn base(&self, system: System) -> RenderedPackage {
        RenderedPackage {
            system,
            entry: self.package.entry.clone(),
            files: self.package.clone(),
            title: self.folder_title(),
            description: None,
            release: None,
            declared_images: Vec::new(),
            documents: Vec::new(),
            objects: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// Renders one detected package. Renderers plug in here.
pub fn render_package(context: &RenderContext<'_>) -> Vec<RenderedPackage> {
    match context.package.system {
        System::Kube => vec![render_kube(context)],
        System::Helm => vec![render_helm(context)],
        System::Kustomize => render_kustomize(context),
    }
}

/// Plain manifests: every `.yaml`/`.yml`/`.json` file under the root, in byte-sorted path order.
fn render_kube(context: &RenderContext<'_>) -> RenderedPackage {
    let mut rendered = context.base(System::Kube);
    for (path, data) in context.tree.iter() {
        if !is_manifest_path(path) || !context.package.owns(path) {
            continue;
        }
        match std::str::from_utf8(data) {
            Ok(text) => rendered.documents.push(SourcedText {
                source: path.to_string(),
                text: text.to_string(),
                read: None,
            }),
            Err(err) => rendered.problems.push(Problem::new(
                ProblemKind::DocumentInvalid,
                format!("{path}: not UTF-8 text ({err})"),
                context.instance,
            )),
        }
    }
    rendered
}

/// A chart rendered as `helm template` would (with the scan's values and release settings);
/// a chart that fails to load or render is a problem with helm's message instead of objects.
fn render_helm(context: &RenderContext<'_>) -> RenderedPackage {
    let mut rendered = context.base(System::Helm);
    let chart_path = if context.package.root.is_empty() {
        "Chart.yaml".to_string()
    } else {
        format!("{}/Chart.yaml", context.package.root)
    };
    let chart_yaml = context.tree.get(&chart_path).unwrap_or_default();
    match read_chart_metadata(chart_yaml) {
        Ok(chart) => {
            if let Some(name) = chart.name {
                rendered.title = name;
            }
            rendered.description = chart.description;
            rendered.release = Some(Release {
                version: chart.version,
                app_version: chart.app_version,
            });
            rendered.declared_images = chart.declared_images;
        }
        Err(error) => {
            let kind = match error.limit() {
                Some(_) => ProblemKind::LimitExceeded,
                None => ProblemKind::ChartInvalid,
            };
            rendered.problems.push(Problem::new(
                kind,
                format!("{chart_path}: {error}"),
                context.instance,
            ));
            return rendered;
        }
    }
    let files = context.tree.subtree(&context.package.root);
    let limits = &context.options.limits;
    // helm applies no `.helmignore` to a chart archive (`helm package` did); any other chart
    // is a folder helm would render with `helm template DIR` (after unpacking a zip, a tar or
    // a bigger archive), and the folder's `.helmignore` applies.
    clear_exceeded();
    let loaded = if context.gzip_tar_input && context.package.entry.is_none() {
        helm::loader::load_tree(&files, limits)
    } else {
        helm::loader::load_dir_within(&files, limits)
    };
    let result = loaded.and_then(|chart| {
        helm::render::render_chart(chart, &context.options.helm, &mut Default::default())
    });
    match result {
        Ok(output) => {
            rendered.documents = output
                .documents
                .into_iter()
                .map(|d| SourcedText {
                    source: d.source,
                    text: d.content,
                    read: d.values,
                })
                .collect();
        }
        Err(helm::HelmError::Limit(limit)) => rendered.problems.push(Problem::new(
            ProblemKind::LimitExceeded,
            limit.detail,
            context.instance,
        )),
        Err(err) => rendered.problems.push(Problem::new(
            failure_kind(err.limit()),
            format!("Error: {err}"),
            context.instance,
        )),
    }
    rendered
}

/// Forgets any limit hit before a render, so [`failure_kind`] sees only the render's own.
fn clear_exceeded() {
    if let Some(budget) = InputBudget::current() {
        budget.take_exceeded();
    }
}

/// A failed render's problem: `limit-exceeded` when its error is a limit's (`own`), or when a
/// safety limit was hit while rendering: recorded by the stage that hit it, for the errors
/// that keep no kind on their way up (a YAML limit in values becomes helm's message).
fn failure_kind(own: Option<LimitKind>) -> ProblemKind {
    let recorded = InputBudget::current().and_then(|b| b.take_exceeded());
    if own.is_some() || recorded.is_some() {
        ProblemKind::LimitExceeded
    } else {
        ProblemKind::RenderFailed
    }
}

/// Images a chart declares in its Chart.yaml annotations (`artifacthub.io/images`,
/// `helm.sh/images`, and Bitnami's `images`): YAML lists of `{name, image}` entries or plain
/// strings. None when Chart.yaml does not read as Helm's metadata.
fn declared_images(chart_yaml: &yaml::Node) -> Vec<String> {
    let Ok(metadata) = helm::chart::Metadata::from_document(chart_yaml) else {
        return Vec::new();
    };
    let mut images = Vec::new();
    for key in ["artifacthub.io/images", "helm.sh/images", "images"] {
        let Some(text) = metadata.annotations.get(key) else {
            continue;
        };
        let Ok(node) = yaml::load_one(text, &yaml::Limits::default()) else {
            continue;
        };
        let Ok(serde_json::Value::Array(items)) = yaml::to_json(&node) else {
            continue;
        };
        for item in items {
            let image = match &item {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(m) => {
                    m.get("image").and_then(|i| i.as_str()).map(str::to_string)
                }
                _ => None,
            };
            if let Some(image) = image.filter(|i| !i.is_empty() && !images.contains(i)) {
                images.push(image);
            }
        }
    }
    images
}

/// One package per kustomization root (a folder no other kustomization references), each
/// built as `kustomize build` would; a failed build is a problem instead of objects.
fn render_kustomize(context: &RenderContext<'_>) -> Vec<RenderedPackage> {
    let root = context.package.root.as_str();
    let mut roots: Vec<String> = crate::kustomize::find_roots(context.tree)
        .into_iter()
        .filter(|r| context.package.owns(&format!("{r}/x")) || r == root)
        .collect();
    // A Component is no root, but one the user names (as the input, or with `--entry`) is
    // what `kustomize build` builds.
    let named = super::normalized_entry(context.options.entry.as_deref())
        .map(|entry| match root.is_empty() {
            true => entry,
            false => format!("{root}/{entry}"),
        })
        .or_else(|| roots.is_empty().then(|| root.to_string()));
    if let Some(named) = named
        .filter(|n| !roots.contains(n) && crate::kustomize::is_kustomization_dir(context.tree, n))
    {
        roots.push(named);
    }
    roots
        .into_iter()
        .map(|kroot| {
            let mut rendered = context.base(System::Kustomize);
            let relative = if root.is_empty() {
                kroot.as_str()
            } else {
                kroot
                    .strip_prefix(root)
                    .unwrap_or(&kroot)
                    .trim_start_matches('/')
            };
            if !relative.is_empty() {
                rendered.entry = Some(relative.to_string());
                rendered.files.root = kroot.clone();
                rendered.title = relative.rsplit('/').next().unwrap_or(relative).to_string();
            }
            // Scans inflate helmCharts kept inside the package (as `--enable-helm`): the
            // images they deploy are the point; remote charts stay problems.
            let options = crate::kustomize::BuildOptions { enable_helm: true };
            clear_exceeded();
            let files = match context.disk_top {
                Some(top) => crate::kustomize::Files::on_disk(context.tree, top),
                None => crate::kustomize::Files::in_tree(context.tree),
            };
            match crate::kustomize::build_objects(files, &kroot, &options) {
                Ok(built) => {
                    rendered.objects = built
                        .into_iter()
                        .map(|o| KubeObject {
                            source: o.source,
                            value: o.value,
                        })
                        .collect()
                }
                Err(err) => rendered.problems.push(Problem::new(
                    failure_kind(err.limit()),
                    format!(
                        "kustomize build {}: {err}",
                        if kroot.is_empty() { "." } else { &kroot }
                    ),
                    context.instance,
                )),
            }
            rendered
        })
        .collect()
}

/// The Chart.yaml fields the records use.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChartMetadata {
    pub name: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    pub app_version: Option<String>,
    /// The images its annotations declare (see [`declared_images`]).
    pub declared_images: Vec<String>,
}

/// Why a Chart.yaml cannot give the records their fields.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartMetadataError {
    #[error("not UTF-8 text ({0})")]
    NotUtf8(std::str::Utf8Error),
    /// Not YAML, or over a YAML limit.
    #[error("{0}")]
    Yaml(yaml::YamlError),
    #[error("not a mapping")]
    NotAMapping,
    #[error("chart.metadata.name is required")]
    NoName,
}

impl ChartMetadataError {
    /// The YAML safety limit reading hit, if it did.
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            ChartMetadataError::Yaml(e) => e.limit().map(|l| l.kind),
            _ => None,
        }
    }
}

/// Reads Chart.yaml (apiVersion v1 or v2: the fields used here are the same in both), loading
/// it once for all of them.
pub fn read_chart_metadata(bytes: &[u8]) -> Result<ChartMetadata, ChartMetadataError> {
    let text = std::str::from_utf8(bytes).map_err(ChartMetadataError::NotUtf8)?;
    let node = yaml::load_one(text, &yaml::Limits::default()).map_err(ChartMetadataError::Yaml)?;
    let value = yaml::to_json(&node).map_err(ChartMetadataError::Yaml)?;
    if !value.is_object() {
        return Err(ChartMetadataError::NotAMapping);
    }
    // Versions such as `1.0` are floats to YAML; Helm reads them into strings as written.
    let text_at = |key: &str| match node.get(key) {
        Some(yaml::Node::Scalar(scalar))
            if !matches!(scalar.resolve(), Ok(yaml::Resolved::Null)) =>
        {
            Some(scalar.text.clone())
        }
        _ => None,
    };
    let Some(name) = text_at("name") else {
        return Err(ChartMetadataError::NoName);
    };
    Ok(ChartMetadata {
        name: Some(name),
        description: text_at("description"),
        version: text_at("version"),
        app_version: text_at("appVersion"),
        declared_images: declared_images(&node),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_metadata_keeps_versions_as_written() {
        let chart = read_chart_metadata(
            b"apiVersion: v1\nname: web\nversion: 1.10\nappVersion: \"2.0\"\ndescription: A web app\n",
        )
        .unwrap();
        assert_eq!(chart.name.as_deref(), Some("web"));
        assert_eq!(chart.version.as_deref(), Some("1.10"));
        assert_eq!(chart.app_version.as_deref(), Some("2.0"));
        assert_eq!(chart.description.as_deref(), Some("A web app"));
    }

    /// The images a Chart.yaml declares.
    fn declared_images_of(chart_yaml: &[u8]) -> Vec<String> {
        read_chart_metadata(chart_yaml).unwrap().declared_images
    }

    #[test]
    fn declared_images_come_from_both_annotations_in_order_without_repeats() {
        let chart_yaml = br#"apiVersion: v2
name: web
version: 1.0.0
annotations:
  artifacthub.io/images: |
    - name: app
      image: registry.example.com/app:1.0
    - name: empty
      image: ""
  helm.sh/images: |
    - registry.example.com/app:1.0
    - busybox:1.36
  images: |
    - name: os-shell
      image: docker.io/bitnami/os-shell:12-debian-12-r51
"#;
        assert_eq!(
            declared_images_of(chart_yaml),
            [
                "registry.example.com/app:1.0",
                "busybox:1.36",
                "docker.io/bitnami/os-shell:12-debian-12-r51"
            ]
        );
        assert!(declared_images_of(b"apiVersion: v2\nname: web\nversion: 1.0.0\n").is_empty());
        let not_a_list = b"name: web\nannotations:\n  artifacthub.io/images: nginx\n";
        assert!(declared_images_of(not_a_list).is_empty());
        // A Chart.yaml Helm's metadata refuses (a field of the wrong type) still names the
        // records' fields, but declares nothing.
        let refused =
            b"name: web\nkeywords: {a: 1}\nannotations:\n  helm.sh/images: |\n    - nginx:1\n";
        let chart = read_chart_metadata(refused).unwrap();
        assert_eq!(chart.name.as_deref(), Some("web"));
        assert!(chart.declared_images.is_empty());
        assert_eq!(
            declared_images_of(b"name: web\nannotations:\n  helm.sh/images: |\n    - nginx:1\n"),
            ["nginx:1"]
        );
    }

    /// The problems of a chart folder whose one template is `template`, rendered with no
    /// input budget installed: nothing records a limit, the kind can come only from the error.
    fn chart_problems(template: &str) -> Vec<Problem> {
        chart_files_problems(&[
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
            ("templates/a.yaml", template),
        ])
    }

    /// The problems of a chart folder of `files`, rendered with no input budget installed.
    fn chart_files_problems(files: &[(&str, &str)]) -> Vec<Problem> {
        let mut tree = FileTree::new();
        for (path, text) in files {
            tree.insert(*path, text.as_bytes().to_vec());
        }
        let package = DetectedPackage {
            system: System::Helm,
            root: String::new(),
            entry: None,
            exclude: Vec::new(),
            only: Vec::new(),
        };
        let options = ScanOptions::default();
        let context = RenderContext {
            tree: &tree,
            disk_top: None,
            package: &package,
            instance: "file:///c",
            fallback_title: "c",
            gzip_tar_input: false,
            options: &options,
        };
        render_helm(&context).problems
    }

    #[test]
    fn problem_kind_comes_from_the_error() {
        assert!(InputBudget::current().is_none());
        let limit = chart_problems("a: {{ repeat 70000000 \"x\" }}\n");
        assert_eq!(limit.len(), 1);
        assert_eq!(limit[0].type_uri, ProblemKind::LimitExceeded.type_uri());
        assert!(limit[0].type_uri.ends_with("limit-exceeded"));
        assert_eq!(
            limit[0].detail,
            "Error: template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <repeat 70000000 \"x\">: error calling repeat: repeat: result too large\n\nUse --debug flag to render out invalid YAML"
        );
        let fail = chart_problems("a: {{ fail \"no\" }}\n");
        assert_eq!(fail[0].type_uri, ProblemKind::RenderFailed.type_uri());
        assert_eq!(
            fail[0].detail,
            "Error: execution error at (c/templates/a.yaml:1:6): no\n\nUse --debug flag to render out invalid YAML"
        );
    }

    /// YAML `depth` block mappings deep (flow collections stop sooner, at the parser's own
    /// 255 levels, as a syntax error).
    fn nested(depth: usize) -> String {
        (0..depth)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect()
    }

    /// A values.yaml, a subchart's values.yaml, a requirements.yaml or a Chart.yaml over a
    /// YAML limit is a hit limit, not a parse failure, whatever helm's message wraps it in.
    #[test]
    fn yaml_limits_hit_while_loading_a_chart_are_limits() {
        assert!(InputBudget::current().is_none());
        let chart = "apiVersion: v2\nname: c\nversion: 1.0.0\n";
        let sub = "apiVersion: v2\nname: s\nversion: 1.0.0\n";
        let deep = nested(300);
        let deep_chart = format!("{chart}{deep}");
        let cases: [(&[(&str, &str)], &str); 5] = [
            (
                &[("Chart.yaml", chart), ("values.yaml", &deep)],
                "Error: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: nesting deeper than 256 levels",
            ),
            (
                &[
                    ("Chart.yaml", chart),
                    ("charts/s/Chart.yaml", sub),
                    ("charts/s/values.yaml", &deep),
                ],
                "Error: error unpacking subchart s in c: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: nesting deeper than 256 levels",
            ),
            (
                &[("Chart.yaml", chart), ("requirements.yaml", &deep)],
                "Error: cannot load requirements.yaml: error converting YAML to JSON: yaml: nesting deeper than 256 levels",
            ),
            (
                &[("Chart.yaml", &deep_chart)],
                "Chart.yaml: yaml: nesting deeper than 256 levels",
            ),
            (
                &[("Chart.yaml", chart), ("charts/s/Chart.yaml", &deep_chart)],
                "Error: error unpacking subchart s in c: cannot load Chart.yaml: error converting YAML to JSON: yaml: nesting deeper than 256 levels",
            ),
        ];
        for (files, detail) in cases {
            let problems = chart_files_problems(files);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].detail, detail);
            assert_eq!(
                problems[0].type_uri,
                ProblemKind::LimitExceeded.type_uri(),
                "{detail}"
            );
        }
        // The same files within the limit are no limit.
        let fine = nested(200);
        let problems = chart_files_problems(&[("Chart.yaml", chart), ("values.yaml", &fine)]);
        assert!(problems.is_empty(), "{problems:?}");
        let problems = chart_files_problems(&[("Chart.yaml", chart), ("values.yaml", "- 1\n")]);
        assert_eq!(problems[0].type_uri, ProblemKind::RenderFailed.type_uri());
    }

    #[test]
    fn chart_without_name_or_not_yaml_is_refused() {
        assert!(read_chart_metadata(b"version: 1.0.0\n").is_err());
        assert!(read_chart_metadata(b"name: [x\n").is_err());
        assert!(read_chart_metadata(b"- a\n").is_err());
    }
}
