//! `helmCharts`: charts inflated with our own Helm renderer, offline, from a
//! chart folder inside the package (`<chartHome>/<name>`, or the
//! `<name>-<version>/<name>` layout kustomize pulls into). As in kustomize,
//! only when helm is enabled (`--enable-helm`).

use super::loader::{join, Loader};
use super::value::parse_documents;
use super::KustomizeError;
use crate::helm;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A `helmCharts` entry (kustomize's HelmChart); it serializes as Go marshals it, empty
/// fields left out (as are HelmGlobals').
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HelmChartArgs {
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    repo: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    release_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    values_file: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    additional_values_files: Vec<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    values_inline: Map<String, Value>,
    #[serde(skip_serializing_if = "String::is_empty")]
    values_merge: String,
    #[serde(rename = "includeCRDs", skip_serializing_if = "std::ops::Not::not")]
    include_crds: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skip_hooks: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skip_tests: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    api_versions: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    kube_version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    name_template: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    debug: bool,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HelmGlobals {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub chart_home: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub config_home: String,
}

/// A `helmChartInflationGenerator` entry (kustomize's HelmChartArgs), the legacy
/// form of a chart and the globals.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LegacyHelmChartArgs {
    chart_name: String,
    chart_version: String,
    chart_repo_url: String,
    chart_home: String,
    chart_repo_name: String,
    helm_bin: String,
    helm_home: String,
    values: String,
    values_local: Map<String, Value>,
    values_merge: String,
    release_name: String,
    release_namespace: String,
    extra_args: Vec<String>,
}

/// kustomize's `SplitHelmParameters`: the charts the legacy entries name, and the
/// globals the last of them to set a home sets.
pub fn split_legacy(legacy: &[LegacyHelmChartArgs]) -> (Vec<HelmChartArgs>, HelmGlobals) {
    let mut globals = HelmGlobals::default();
    let charts = legacy
        .iter()
        .map(|old| {
            if !old.helm_home.is_empty() {
                globals.config_home.clone_from(&old.helm_home);
            }
            if !old.chart_home.is_empty() {
                globals.chart_home.clone_from(&old.chart_home);
            }
            HelmChartArgs {
                name: old.chart_name.clone(),
                version: old.chart_version.clone(),
                repo: old.chart_repo_url.clone(),
                values_file: old.values.clone(),
                values_inline: old.values_local.clone(),
                values_merge: old.values_merge.clone(),
                release_name: old.release_name.clone(),
                ..HelmChartArgs::default()
            }
        })
        .collect();
    (charts, globals)
}

/// The configuration kustomize gives its builtin HelmChartInflationGenerator for one
/// chart: the globals' fields and the chart's side by side (Go's embedded structs).
pub fn plugin_config(globals: &HelmGlobals, chart: &HelmChartArgs) -> Value {
    let mut config = Map::new();
    for part in [serde_json::to_value(globals), serde_json::to_value(chart)] {
        if let Ok(Value::Object(fields)) = part {
            config.extend(fields);
        }
    }
    Value::Object(config)
}

/// The documents `helm template` prints for one `helmCharts` entry.
pub fn inflate(
    ldr: &Loader,
    globals: &HelmGlobals,
    args: &HelmChartArgs,
) -> Result<Vec<Value>, KustomizeError> {
    let home = if globals.chart_home.is_empty() {
        "charts"
    } else {
        &globals.chart_home
    };
    let chart_dir = chart_folder(ldr, home, args)?;
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
    let rendered = helm::render::render_chart(chart, &opts, &mut Default::default())
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
