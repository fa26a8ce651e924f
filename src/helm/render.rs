//! `helm template` end to end for a loaded chart: dependency processing, values, the render
//! objects of every chart, template parsing and execution in Helm's order, and the printed
//! output.

use super::chart::Chart;
use super::dependencies::{check_dependencies, process_dependencies};
use super::log::Log;
use super::manifests::{self, CrdFile, Manifest, PrintOptions};
use super::objects::{
    chart_value, json_to_value, release_value, template_value, Capabilities, Files, KubeVersion,
    ReleaseInfo,
};
use super::schema::validate_values;
use super::semver::is_compatible_range;
use super::values::{coalesce, Defaults, Values, ValuesError};
use super::{ChartError, HelmError};
use crate::budget::LimitKind;
use crate::go::utf8::go_text;
use crate::template::value::{Entries, Map, MapType, Value};
use crate::template::{
    ExecDetail, ExecError, ExecErrorKind, FuncError, KeySource, Limits, TemplateError, TemplateSet,
};
use serde_json::Value as Json;
use std::sync::Arc;

/// Everything `helm template` takes besides the chart.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RenderOptions {
    /// `.Release.Name`.
    pub release_name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Release.IsUpgrade` (and `IsInstall` its opposite).
    pub is_upgrade: bool,
    /// `--kube-version`.
    pub kube_version: Option<String>,
    /// `--api-versions` (each may be a comma list).
    pub api_versions: Vec<String>,
    /// The user's values (`-f`, `--set`, …) already merged.
    pub values: Values,
    /// What to print: `--show-only`, `--include-crds`, hooks and tests.
    pub print: PrintOptions,
    /// Fresh RSA keys (what `render` prints may be deployed) or a process-wide pool (a scan).
    pub keys: KeySource,
    /// `--skip-schema-validation`: the charts' `values.schema.json` are not checked.
    #[serde(default)]
    pub skip_schema_validation: bool,
    /// The names of `--labels`: helm refuses the ones its release storage uses itself.
    #[serde(default)]
    pub release_labels: Vec<String>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            values: Values::new(),
            print: PrintOptions::default(),
            keys: KeySource::Fresh,
            skip_schema_validation: false,
            release_labels: Vec::new(),
        }
    }
}

/// What rendering produced: helm's exact stdout and the documents it holds, in printed order.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// What `helm template` prints on stdout.
    pub output: String,
    /// The printed documents, in order, with their sources and hook status.
    pub documents: Vec<Manifest>,
}

/// One template file to execute, with the objects of the chart it belongs to.
struct Renderable {
    name: String,
    /// The file's bytes, shared with the chart (read as text, lossily, when parsed).
    data: Arc<[u8]>,
    /// The chart's top-level object (`.Chart`, `.Values`, …), shared by its files.
    top: Map,
    base_path: String,
}

/// The labels helm's release storage sets itself (pkg/storage/driver/util.go).
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// Helm's release-name rule: a DNS-1123 subdomain of at most 53 characters.
fn validate_release_name(name: &str) -> Result<(), HelmError> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.is_empty() || name.len() > 53 || !name.split('.').all(label_ok) {
        return Err(HelmError::Chart(ChartError::ReleaseName(name.to_string())));
    }
    Ok(())
}

/// Renders a loaded chart as `helm template` does, charged to the input's budget (a budget
/// of its own when no input is being scanned), adding to `log` what helm logs on stderr
/// meanwhile (coalesce and dependency warnings, skipped hooks), in order: also when the render
/// fails, as helm logs them before it returns the error.
pub fn render_chart(
    chart: Chart,
    opts: &RenderOptions,
    log: &mut Log,
) -> Result<RenderedChart, HelmError> {
    crate::budget::within_input(|| render_within_budget(chart, opts, log))
}

fn render_within_budget(
    mut chart: Chart,
    opts: &RenderOptions,
    log: &mut Log,
) -> Result<RenderedChart, HelmError> {
    let kube_version = opts
        .kube_version
        .as_deref()
        .map(KubeVersion::parse)
        .transpose()
        .map_err(HelmError::KubeVersion)?;
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        return Err(HelmError::Chart(ChartError::NotInstallable(
            chart.metadata.chart_type.clone(),
        )));
    }
    check_dependencies(&chart).map_err(|e| HelmError::Chart(ChartError::MissingDependencies(e)))?;
    // helm's install checks the name after the chart's type and dependencies.
    validate_release_name(&opts.release_name)?;
    process_dependencies(&mut chart, &opts.values, log).map_err(HelmError::Dependencies)?;
    let caps = Capabilities::new(kube_version, &opts.api_versions);
    // Nothing reads the charts' own values after this: they are moved into the result.
    let values = coalesce(Defaults::taken(&mut chart), opts.values.clone(), false, log)
        .map(Json::Object)
        .map_err(HelmError::Values)?;
    if !opts.skip_schema_validation {
        validate_values(&chart, &values).map_err(|e| HelmError::Values(ValuesError::Schema(e)))?;
    }
    // helm's install checks the labels after the values met their schemas.
    if opts
        .release_labels
        .iter()
        .any(|name| SYSTEM_LABELS.contains(&name.as_str()))
    {
        return Err(HelmError::Chart(ChartError::ReservedLabels));
    }
    if !chart.metadata.kube_version.is_empty()
        && !is_compatible_range(&chart.metadata.kube_version, &caps.kube_version.normalized)
    {
        // helm checks this while rendering (after the values met their schemas in
        // ToRenderValues), so its message gets the `--debug` hint.
        return Err(HelmError::Render(RenderError::Check(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
            chart.metadata.kube_version, caps.kube_version.version
        ))));
    }

    let release = release_value(&ReleaseInfo {
        name: opts.release_name.clone(),
        namespace: opts.namespace.clone(),
        is_upgrade: opts.is_upgrade,
        revision: 1,
    });
    let capabilities = Value::Object(Arc::new(caps));
    let root_values = match json_to_value(&values) {
        Value::Map(m) => m.with_type(MapType::Values),
        _ => Map::default().with_type(MapType::Values),
    };
    let mut renderables = Vec::new();
    let mut crds = Vec::new();
    collect(
        &chart,
        None,
        &ChartContext {
            release: &release,
            capabilities: &capabilities,
        },
        &root_values,
        &mut renderables,
        &mut crds,
    );
    let rendered = execute_all(renderables, opts.keys)?;
    let (hooks, generic) =
        manifests::sort_manifests(&rendered, log).map_err(|message| HelmError::InvalidYaml {
            message,
            manifest: debug_manifest(&rendered),
        })?;
    let out = manifests::print(&crds, generic, hooks, &opts.print).map_err(HelmError::ShowOnly)?;
    Ok(RenderedChart {
        output: out.text,
        documents: out.documents,
    })
}

/// What helm keeps as the release manifest when a file is not valid YAML (and prints with
/// `--debug`): every non-empty rendered file, in path order (helm walks a Go map).
fn debug_manifest(rendered: &[(String, Vec<u8>)]) -> String {
    let mut files: Vec<(&String, std::borrow::Cow<'_, str>)> = rendered
        .iter()
        .map(|(name, content)| (name, go_text(content)))
        .filter(|(_, content)| !content.trim().is_empty())
        .collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    files
        .iter()
        .map(|(name, content)| format!("---\n# Source: {name}\n{content}\n"))
        .collect()
}

struct ChartContext<'a> {
    release: &'a Value,
    capabilities: &'a Value,
}

/// Helm's `recAllTpls`: builds each chart's top-level object and lists its templates, and
/// gathers CRD files in Helm's order (the chart's own, then its subcharts').
fn collect(
    chart: &Chart,
    parent: Option<(&str, &Map)>,
    ctx: &ChartContext<'_>,
    root_values: &Map,
    renderables: &mut Vec<Renderable>,
    crds: &mut Vec<CrdFile>,
) -> Map {
    let full_path = match parent {
        Some((parent_path, _)) => format!("{parent_path}/charts/{}", chart.name()),
        None => chart.name().to_string(),
    };
    let values = match parent {
        None => root_values.clone(),
        Some((_, parent_top)) => sub_values(parent_top, chart.name()),
    };
    let subcharts = Map::default();
    let mut entries = Entries::new();
    entries.insert("Capabilities".into(), ctx.capabilities.clone());
    entries.insert(
        "Chart".into(),
        chart_value(&chart.metadata, parent.is_none()),
    );
    entries.insert(
        "Files".into(),
        Value::Object(Arc::new(Files::new(&chart.files))),
    );
    entries.insert("Release".into(), ctx.release.clone());
    entries.insert("Subcharts".into(), Value::Map(subcharts.clone()));
    entries.insert("Values".into(), Value::Map(values));
    // `.` is a `common.Values`; the same map under a parent's `.Subcharts` is a plain map.
    let top = Map::new(entries).with_type(MapType::Values);

    for file in &chart.files {
        if file.name.starts_with("crds/") && has_manifest_extension(&file.name) {
            crds.push(CrdFile {
                source: format!("{full_path}/{}", file.name),
                data: file.data.clone(),
            });
        }
    }
    for dep in &chart.dependencies {
        let sub_top = collect(
            dep,
            Some((&full_path, &top)),
            ctx,
            root_values,
            renderables,
            crds,
        );
        subcharts.insert(dep.name(), Value::Map(sub_top.with_type(MapType::Any)));
    }
    for t in &chart.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if chart.is_library() && !base.starts_with('_') {
            continue;
        }
        renderables.push(Renderable {
            name: format!("{full_path}/{}", t.name),
            data: t.data.clone(),
            top: top.clone(),
            base_path: format!("{full_path}/templates"),
        });
    }
    top
}

/// A subchart's `.Values`: its section of the parent's values (the same map, so mutations are
/// shared as in Helm), or an empty map.
fn sub_values(parent_top: &Map, name: &str) -> Map {
    let mut current = parent_top.get("Values");
    for part in name.split('.') {
        current = match current {
            Some(Value::Map(m)) => m.get(part),
            _ => None,
        };
    }
    match current {
        Some(Value::Map(m)) => m.with_type(MapType::Values),
        _ => Map::default().with_type(MapType::Values),
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("yaml" | "yml" | "json"))
}

/// Helm's template order: deeper paths first, then reverse lexical order.
fn sort_for_parse(renderables: &mut [Renderable]) {
    renderables.sort_by(|a, b| {
        let depth = |s: &str| s.matches('/').count();
        depth(&b.name)
            .cmp(&depth(&a.name))
            .then_with(|| b.name.cmp(&a.name))
    });
}

/// Helm's `cleanupParseError` / execution error wording.
fn render_error(err: TemplateError) -> HelmError {
    HelmError::Render(RenderError::Template(err))
}

/// Why the templates failed, printed as helm prints it (the executor's error reworded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// A template did not parse or failed to execute.
    Template(TemplateError),
    /// A check helm makes while rendering (the chart's `kubeVersion`).
    Check(String),
}

impl RenderError {
    /// The safety limit the render hit, if it was one.
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            RenderError::Template(e) => e.limit(),
            RenderError::Check(_) => None,
        }
    }
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Template(TemplateError::Parse {
                name,
                line,
                message,
            }) => {
                // helm's `cleanupParseError`: the last link of Go's message.
                let last = message.rsplit(": ").next().unwrap_or(message);
                write!(f, "parse error at ({name}:{line}): {last}")
            }
            RenderError::Template(TemplateError::Exec(e)) => f.write_str(&reformat_exec_error(e)),
            RenderError::Check(m) => f.write_str(m),
        }
    }
}

/// Helm's `reformatExecErrorMsg`: a `required`/`fail` message anywhere in the chain becomes
/// `execution error at (LOC): MSG`. Otherwise, when every error in the chain is the engine's own
/// (`template: LOC: executing "NAME" at <NODE>: ...`, linked by `error calling include:` and
/// the like, ending in an engine error or a missing template), each link goes on lines of its
/// own; a chain that ends in a function's own error is printed as Go wrote it.
fn reformat_exec_error(err: &ExecError) -> String {
    let Some(at) = &err.at else {
        return err.to_string();
    };
    if let Some(message) = fail_message(err) {
        return format!(
            "execution error at ({}:{}:{}): {message}",
            at.file, at.line, at.col
        );
    }
    let mut lines = Vec::new();
    let mut current = err;
    loop {
        let Some(at) = &current.at else {
            // Go's missing template ends a chain; a limit of the whole execution is ours.
            if current.kind != ExecErrorKind::Undefined {
                return err.to_string();
            }
            lines.push(current.to_string());
            break;
        };
        lines.push(format!(
            "{}:{}:{}\n  executing \"{}\" at <{}>:",
            at.file, at.line, at.col, at.template, at.node
        ));
        match &current.detail {
            ExecDetail::Call {
                func,
                error: FuncError::Template(inner),
            } => {
                lines.push(format!("    error calling {func}:"));
                current = inner;
            }
            ExecDetail::Call { .. } => return err.to_string(),
            ExecDetail::Message(message) => {
                lines.push(format!("    {message}"));
                break;
            }
        }
    }
    lines.join("\n")
}

/// The chart's own message of a `fail` or `required` that ended the chain, if one did.
fn fail_message(err: &ExecError) -> Option<&str> {
    match &err.detail {
        ExecDetail::Call { error, .. } => match error {
            FuncError::Fail(message) => Some(message),
            FuncError::Template(inner) | FuncError::Tpl { error: inner, .. } => fail_message(inner),
            _ => None,
        },
        ExecDetail::Message(_) => None,
    }
}

/// Parses every template into one set and executes the non-partials in Helm's order.
fn execute_all(
    mut renderables: Vec<Renderable>,
    keys: KeySource,
) -> Result<Vec<(String, Vec<u8>)>, HelmError> {
    sort_for_parse(&mut renderables);
    let mut set = TemplateSet::new(Limits::default());
    set.keys = keys;
    for r in &renderables {
        set.add_file(&r.name, &lossy_text(&r.data))
            .map_err(render_error)?;
    }
    let mut rendered = Vec::new();
    for r in &renderables {
        let base = r.name.rsplit('/').next().unwrap_or(&r.name);
        if base.starts_with('_') {
            continue;
        }
        r.top
            .insert("Template", template_value(&r.name, &r.base_path));
        let out = set
            .execute(&r.name, &Value::Map(r.top.clone()))
            .map_err(render_error)?;
        // NOTES.txt is rendered (its errors count) but never printed by `helm template`.
        if !r.name.ends_with("NOTES.txt") {
            rendered.push((r.name.clone(), out));
        }
    }
    Ok(rendered)
}

/// A template file's bytes as text, invalid sequences replaced as `String::from_utf8_lossy`
/// replaces them; valid UTF-8 (every chart we know) is checked by `from_utf8`'s fast path and
/// borrowed, not walked chunk by chunk.
fn lossy_text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(data),
    }
}

#[cfg(test)]
mod tests {
    use super::RenderError;
    use crate::budget::LimitKind;
    use crate::template::{
        ExecDetail, ExecError, ExecErrorKind, Limits, TemplateError, TemplateSet, Value,
    };

    /// A file that is UTF-8 is read as it is, borrowed; other bytes become U+FFFD as
    /// `String::from_utf8_lossy` makes them.
    #[test]
    fn template_bytes_are_read_as_lossy_utf8() {
        let valid = "a: é\n".as_bytes();
        assert!(matches!(
            super::lossy_text(valid),
            std::borrow::Cow::Borrowed("a: é\n")
        ));
        assert_eq!(super::lossy_text(b"a\xffb\xe2\x82"), "a\u{FFFD}b\u{FFFD}");
    }

    /// The error of executing `c/templates/a.yaml` (with `files` beside it) on empty values.
    fn exec_error(limits: Limits, files: &[(&str, &str)]) -> ExecError {
        let mut set = TemplateSet::new(limits);
        for (name, text) in files {
            set.add_file(name, text).unwrap();
        }
        let data = Value::from_json(&serde_json::json!({ "Values": {} }));
        match set.execute("c/templates/a.yaml", &data).unwrap_err() {
            TemplateError::Exec(e) => *e,
            other => panic!("not an execution error: {other}"),
        }
    }

    /// How helm prints an execution error.
    fn helm_text(err: &ExecError) -> String {
        RenderError::Template(TemplateError::Exec(Box::new(err.clone()))).to_string()
    }

    #[test]
    fn fail_and_required_read_like_helm() {
        // Expectations from helm v4.1.4 and Go's text/template.
        let err = exec_error(
            Limits::default(),
            &[("c/templates/a.yaml", "{{ fail \"boom\" }}")],
        );
        assert_eq!(err.kind, ExecErrorKind::Fail);
        assert_eq!(
            err.to_string(),
            "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <fail \"boom\">: error calling fail: boom"
        );
        assert_eq!(
            helm_text(&err),
            "execution error at (c/templates/a.yaml:1:3): boom"
        );
        // Through an include, helm names the outermost place and the chart's message.
        let err = exec_error(
            Limits::default(),
            &[
                ("c/templates/a.yaml", "x: {{ include \"r\" . }}"),
                (
                    "c/templates/_r.tpl",
                    "{{ define \"r\" }}{{ required \"need x\" .Values.x }}{{ end }}",
                ),
            ],
        );
        assert_eq!(err.kind, ExecErrorKind::Fail);
        assert_eq!(
            helm_text(&err),
            "execution error at (c/templates/a.yaml:1:6): need x"
        );
    }

    #[test]
    fn engine_error_chains_read_like_helm() {
        // Expectations from helm v4.1.4. Go places a field chain at its second field.
        let err = exec_error(
            Limits::default(),
            &[
                ("c/templates/a.yaml", "a: {{ include \"w\" . }}"),
                (
                    "c/templates/_w.tpl",
                    "{{- define \"w\" }}{{ .Values.a.b.c }}{{ end }}",
                ),
            ],
        );
        assert_eq!(err.kind, ExecErrorKind::Missing);
        assert_eq!(
            err.to_string(),
            "template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <include \"w\" .>: error calling include: template: c/templates/_w.tpl:1:27: executing \"w\" at <.Values.a.b.c>: nil pointer evaluating interface {}.b"
        );
        assert_eq!(
            helm_text(&err),
            "c/templates/a.yaml:1:6\n  executing \"c/templates/a.yaml\" at <include \"w\" .>:\n    error calling include:\nc/templates/_w.tpl:1:27\n  executing \"w\" at <.Values.a.b.c>:\n    nil pointer evaluating interface {}.b"
        );
        let err = exec_error(
            Limits::default(),
            &[("c/templates/a.yaml", "a: {{ include \"nope\" . }}")],
        );
        assert_eq!(err.kind, ExecErrorKind::Undefined);
        assert_eq!(
            helm_text(&err),
            "c/templates/a.yaml:1:6\n  executing \"c/templates/a.yaml\" at <include \"nope\" .>:\n    error calling include:\ntemplate: no template \"nope\" associated with template \"gotpl\""
        );
        let err = exec_error(
            Limits::default(),
            &[("c/templates/a.yaml", "a: {{ trunc .Values.n \"x\" }}")],
        );
        assert_eq!(err.kind, ExecErrorKind::Type);
        assert_eq!(
            helm_text(&err),
            "c/templates/a.yaml:1:19\n  executing \"c/templates/a.yaml\" at <.Values.n>:\n    wrong type for value; expected int; got interface {}"
        );
    }

    #[test]
    fn function_errors_keep_gos_line() {
        // A function's own error (not the engine's) keeps Go's one line.
        let err = exec_error(
            Limits::default(),
            &[
                ("c/templates/a.yaml", "a: {{ include \"y\" . }}"),
                (
                    "c/templates/_h.tpl",
                    "{{ define \"y\" }}{{ concat 1 }}{{ end }}",
                ),
            ],
        );
        assert_eq!(err.kind, ExecErrorKind::Call);
        let own = "template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <include \"y\" .>: error calling include: template: c/templates/_h.tpl:1:19: executing \"y\" at <concat 1>: error calling concat: Cannot concat type int as list";
        assert_eq!(err.to_string(), own);
        assert_eq!(helm_text(&err), own);
        let err = exec_error(
            Limits::default(),
            &[("c/templates/a.yaml", "a: {{ tpl \"{{ nope }}\" . }}")],
        );
        assert_eq!(err.kind, ExecErrorKind::Parse);
        let tpl = "template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <tpl \"{{ nope }}\" .>: error calling tpl: cannot parse template \"{{ nope }}\": template: gotpl:1: function \"nope\" not defined";
        assert_eq!(helm_text(&err), tpl);
    }

    #[test]
    fn limits_are_told_by_kind() {
        let steps = Limits {
            max_steps: 100,
            ..Limits::default()
        };
        let err = exec_error(
            steps,
            &[("c/templates/a.yaml", "{{ range 1000 }}x{{ end }}")],
        );
        assert_eq!(err.kind, ExecErrorKind::Limit(LimitKind::TemplateSteps));
        assert_eq!(
            helm_text(&err),
            "template: execution stopped after 100 steps (for the whole chart)"
        );
        // A limit inside an include is still the render's kind.
        let err = exec_error(
            Limits::default(),
            &[
                ("c/templates/a.yaml", "{{ include \"big\" . }}"),
                (
                    "c/templates/_b.tpl",
                    "{{ define \"big\" }}{{ repeat 70000000 \"x\" }}{{ end }}",
                ),
            ],
        );
        assert_eq!(err.limit(), Some(LimitKind::TemplateValueSize));
        let depth = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let err = exec_error(
            depth,
            &[
                ("c/templates/a.yaml", "{{ template \"r\" . }}"),
                (
                    "c/templates/_r.tpl",
                    "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}",
                ),
            ],
        );
        assert_eq!(err.limit(), Some(LimitKind::TemplateDepth));
        assert_eq!(
            err.detail,
            ExecDetail::Message("exceeded maximum template depth (3)".into())
        );
    }
}
