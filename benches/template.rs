//! Template engine speed: parsing and executing a large chart-shaped template set, timed apart.

use criterion::{criterion_group, criterion_main, Criterion};
use pkglens::template::funcs::helm_funcs;
use pkglens::template::parser::parse;
use pkglens::template::value::{Map, MapType, Value};
use pkglens::template::TemplateSet;
use std::hint::black_box;

/// Helpers in the style of `helm create`, nesting `include` several levels deep.
const HELPERS: &str = r#"
{{- define "app.name" -}}
{{- if .Values.nameOverride }}{{ .Values.nameOverride }}{{ else }}{{ .Chart.Name }}{{ end }}
{{- end }}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}{{ .Values.fullnameOverride }}
{{- else }}{{ printf "%s-%s" .Release.Name (include "app.name" .) }}{{ end }}
{{- end }}
{{- define "app.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- define "app.image" -}}
{{- $registry := .image.registry | default "docker.io" -}}
{{ printf "%s/%s:%s" $registry .image.repository (print .image.tag) }}
{{- end }}
"#;

/// One component's manifests; the bench template repeats it for many components.
const COMPONENT: &str = r#"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" $ }}-{{ $name }}
  labels:
    {{- include "app.labels" $ | nindent 4 }}
    component: {{ $name }}
spec:
  replicas: {{ $c.replicas }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" $ | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "app.selectorLabels" $ | nindent 8 }}
    spec:
      containers:
        {{- range $i, $ctr := $c.containers }}
        - name: {{ $ctr.name }}
          image: {{ include "app.image" (dict "image" $ctr.image) }}
          {{- with $ctr.ports }}
          ports:
            {{- range . }}
            - containerPort: {{ .port }}
              name: {{ .name | printf "%.15s" }}
            {{- end }}
          {{- end }}
          env:
            {{- range $k, $v := $c.env }}
            - name: {{ $k }}
              value: {{ printf "%q" (print $v) }}
            {{- end }}
          {{- if and $c.resources (or $c.resources.limits $c.resources.requests) }}
          resources:
            limits: {{ $c.resources.limits }}
          {{- end }}
        {{- end }}
"#;

fn big_template(components: usize) -> String {
    let mut t = String::new();
    for i in 0..components {
        t.push_str(&format!(
            "{{{{- $name := \"c{i}\" }}}}{{{{- $c := index .Values.components (printf \"%d\" {}) }}}}",
            i % 8
        ));
        t.push_str(COMPONENT);
    }
    t
}

fn values() -> Value {
    let components: serde_json::Map<String, serde_json::Value> = (0..8)
        .map(|i| {
            (
                i.to_string(),
                serde_json::json!({
                    "replicas": i + 1,
                    "env": {"A": "1", "B": 2, "C": true, "D": "x y z"},
                    "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}},
                    "containers": [
                        {"name": "main", "image": {"repository": "org/app", "tag": "1.2.3"},
                         "ports": [{"port": 80, "name": "http"}, {"port": 9090, "name": "metrics-endpoint-long"}]},
                        {"name": "sidecar", "image": {"registry": "quay.io", "repository": "org/side", "tag": 7}}
                    ]
                }),
            )
        })
        .collect();
    let vals = Value::from_json(&serde_json::json!({"components": components}));
    let Value::Map(vals) = vals else {
        unreachable!()
    };
    let root = Map::default();
    root.insert("Values", Value::Map(vals.with_type(MapType::Values)));
    root.insert(
        "Release",
        Value::from_json(&serde_json::json!({"Name": "rel", "Service": "Helm"})),
    );
    root.insert(
        "Chart",
        Value::from_json(&serde_json::json!({"Name": "app", "Version": "1.0.0"})),
    );
    Value::Map(root)
}

fn bench(c: &mut Criterion) {
    let funcs = helm_funcs();
    // Functions a real chart uses that the bench needs: only run when they are registered.
    if ["nindent", "dict", "default"]
        .iter()
        .any(|name| funcs.get(name).is_none())
    {
        eprintln!("template bench skipped: Sprig functions not registered");
        return;
    }
    let text = big_template(60);
    let mut group = c.benchmark_group("template");
    group.bench_function("parse (uncached, ~3000 lines)", |b| {
        b.iter(|| parse(black_box(&text), funcs).map(|p| p.root.len()))
    });
    let mut set = TemplateSet::default();
    set.add_file("app/templates/_helpers.tpl", HELPERS)
        .expect("helpers parse");
    set.add_file("app/templates/all.yaml", &text)
        .expect("template parses");
    let root = values();
    group.bench_function("execute (~3000 lines, deep include)", |b| {
        b.iter(|| {
            set.execute("app/templates/all.yaml", black_box(&root))
                .map(|s| s.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
