//! `helmCharts`: charts inflated with our own Helm renderer, offline, from a
//! chart folder inside the package (`<chartHome>/<name>`, or the
//! `<name>-<version>/<name>` layout kustomize pulls into). As in kustomize,
//! only when helm is enabled (`--enable-helm`).

use super::loader::{join, Loader};
use super::value::parse_documents;
use super::KustomizeError;
use crate::helm;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HelmChartArgs {
    name: String,
    version: String,
    repo: String,
    release_name: String,
    namespace: String,
    values_file: String,
    additional_values_files: Vec<String>,
    values_inline: Map<String, Value>,
    values_merge: String,
    #[serde(rename = "includeCRDs")]
    include_crds: bool,
    skip_hooks: bool,
    skip_tests: bool,
    api_versions: Vec<String>,
    kube_version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HelmGlobals {
    pub chart_home: String,
}

/// The documents `helm template` prints for one `helmCharts` entry.
pub fn inflate(
    ldr: &Loader,
    globals: &HelmGlobals,
    entry: &Value,
) -> Result<Vec<Value>, KustomizeError> {
    let args: HelmChartArgs = super::decode::from_value(entry.clone())
        .map_err(|e| KustomizeError::build(format!("invalid helmCharts entry: {e}")))?;
    let home = if globals.chart_home.is_empty() {
        "charts"
    } else {
        &globals.chart_home
    };
    let chart_dir = chart_folder(ldr, home, &args)?;
    let chart = helm::loader::load_dir(&ldr.files.subtree(&chart_dir))
        .map_err(|e| KustomizeError::build(format!("helm chart {}: {e}", args.name)))?;

    let mut values = Map::new();
    let mut files: Vec<&str> = Vec::new();
    if !args.values_file.is_empty() {
        files.push(&args.values_file);
    }
    files.extend(args.additional_values_files.iter().map(String::as_str));
    for f in files {
        let text = ldr.load_text(f)?;
        let v = helm::values::load_values(&text)
            .map_err(|e| KustomizeError::build(format!("helm values file {f}: {e}")))?;
        values = helm::values::merge_maps(values, v);
    }
    values = match args.values_merge.as_str() {
        "merge" => helm::values::merge_maps(args.values_inline.clone(), values),
        "replace" if !args.values_inline.is_empty() => args.values_inline.clone(),
        _ => helm::values::merge_maps(values, args.values_inline.clone()),
    };

    let opts = helm::render::RenderOptions {
        release_name: if args.release_name.is_empty() {
            "release-name".into()
        } else {
            args.release_name.clone()
        },
        namespace: if args.namespace.is_empty() {
            "default".into()
        } else {
            args.namespace.clone()
        },
        kube_version: (!args.kube_version.is_empty()).then(|| args.kube_version.clone()),
        api_versions: args.api_versions.clone(),
        values,
        print: helm::manifests::PrintOptions {
            include_crds: args.include_crds,
            disable_hooks: args.skip_hooks,
            skip_tests: args.skip_tests,
            ..Default::default()
        },
        ..Default::default()
    };
    let rendered = helm::render::render_chart(chart, &opts)
        .map_err(|e| KustomizeError::build(format!("helm template {}: {e}", args.name)))?;
    parse_documents(&rendered.output, &format!("helm chart {}", args.name))
}

fn chart_folder(ldr: &Loader, home: &str, args: &HelmChartArgs) -> Result<String, KustomizeError> {
    let mut candidates = Vec::new();
    if !args.version.is_empty() {
        candidates.push(format!(
            "{home}/{}-{}/{}",
            args.name, args.version, args.name
        ));
    }
    candidates.push(format!("{home}/{}", args.name));
    for c in &candidates {
        if let Some(dir) = join(&ldr.root, c) {
            if ldr.files.is_dir(&dir) {
                return Ok(dir);
            }
        }
    }
    let repo = if args.repo.is_empty() {
        String::new()
    } else {
        format!(" from {}", args.repo)
    };
    Err(KustomizeError::build(format!(
        "helm chart '{}'{repo} is not in the package (looked in {}); charts cannot be pulled offline",
        args.name,
        candidates.join(", ")
    )))
}
