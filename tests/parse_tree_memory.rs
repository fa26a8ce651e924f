//! The process-wide parse cache budgets its entries by `Parsed::heap_bytes` plus their text:
//! that estimate must be what the process really spends on a parsed template, or the cache's
//! byte budget would not bound its memory. Measured as the growth of the resident set while
//! parsed templates are kept (this test is alone in its process, on one thread).

use pkglens::template::funcs::helm_funcs;
use pkglens::template::parser::parse;
use std::sync::Arc;

/// A chart helper of the usual shapes (defines, branches, ranges, includes, pipelines,
/// literals), made distinct by `i`.
fn helper_text(i: usize) -> String {
    format!(
        r#"{{{{/* Helpers of chart {i} */}}}}
{{{{- define "chart{i}.fullname" -}}}}
{{{{- if .Values.fullnameOverride -}}}}
{{{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}}}
{{{{- else -}}}}
{{{{- $name := default .Chart.Name .Values.nameOverride -}}}}
{{{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}}}
{{{{- end -}}}}
{{{{- end -}}}}
{{{{- define "chart{i}.labels" -}}}}
app.kubernetes.io/name: {{{{ include "chart{i}.fullname" . }}}}
app.kubernetes.io/version: {{{{ .Chart.AppVersion | quote }}}}
{{{{- range $key, $value := .Values.commonLabels }}}}
{{{{ $key }}}}: {{{{ tpl $value $ | quote }}}}
{{{{- end }}}}
{{{{- end -}}}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "chart{i}.fullname" . }}}}
  labels: {{{{- include "chart{i}.labels" . | nindent 4 }}}}
spec:
  replicas: {{{{ .Values.replicaCount | default {i} }}}}
  template:
    spec:
      containers:
        - name: app{i}
          image: "{{{{ .Values.image.registry }}}}/{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag | default .Chart.AppVersion }}}}"
          {{{{- with .Values.resources }}}}
          resources: {{{{- toYaml . | nindent 12 }}}}
          {{{{- end }}}}
          {{{{- if and .Values.metrics.enabled (not (empty .Values.metrics.port)) }}}}
          ports:
            - containerPort: {{{{ .Values.metrics.port | int }}}}
          {{{{- end }}}}
"#
    )
}

/// The process's resident set, in bytes.
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("procfs");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("resident pages");
    pages * 4096
}

#[cfg(target_os = "linux")]
#[test]
fn the_cache_estimate_is_what_parsed_templates_hold() {
    const TEMPLATES: usize = 6000;
    let funcs = helm_funcs();
    let texts: Vec<String> = (0..TEMPLATES).map(helper_text).collect();
    let mut kept = Vec::with_capacity(TEMPLATES);

    let before = resident_bytes();
    for text in &texts {
        kept.push(Arc::new(parse(text, funcs).expect("parses")));
    }
    let grown = resident_bytes() - before;

    let estimate: usize = kept
        .iter()
        .map(|parsed| parsed.source.len() + parsed.heap_bytes())
        .sum();
    let ratio = estimate as f64 / grown as f64;
    assert!(
        (0.8..1.25).contains(&ratio),
        "estimated {estimate} bytes, the resident set grew by {grown} ({ratio:.2})"
    );
}
