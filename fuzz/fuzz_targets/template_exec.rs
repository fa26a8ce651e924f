//! Template execution: any text, parsed beside a fixed helper file and executed over fixed
//! values, must render or fail with an error within the engine's limits (depth, steps,
//! output), never panic or run away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::template::value::Value;
use pkglens::template::{Limits, TemplateSet};
use pkglens::yaml;
use std::sync::OnceLock;

const HELPERS: &str = r#"{{- define "fuzz.name" -}}{{ .Values.name | default .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "fuzz.labels" -}}
app: {{ include "fuzz.name" . }}
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}
{{- define "fuzz.self" -}}{{ include "fuzz.self" . }}{{- end -}}
"#;

const ROOT: &str = r#"
Values:
  name: fuzz
  replicas: 3
  enabled: true
  ratio: 0.5
  image: {repository: nginx, tag: "1.27"}
  labels: {tier: web, team: "a b"}
  list: [1, two, {three: 3}, null]
  text: '{{ .Values.name }}-{{ .Release.Name }}'
  loop: '{{ tpl .Values.loop . }}'
Release: {Name: rel, Namespace: default, Service: Helm, IsInstall: true}
Chart: {Name: fuzz, Version: 1.0.0, AppVersion: "1.0"}
Template: {Name: fuzz/templates/t.yaml, BasePath: fuzz/templates}
"#;

/// Small limits so every input finishes quickly; reaching one is an error, as in scans.
const LIMITS: Limits = Limits {
    max_depth: 64,
    max_steps: 200_000,
    max_output: 1 << 20,
};

fn root() -> &'static Value {
    static ROOT_VALUE: OnceLock<Value> = OnceLock::new();
    ROOT_VALUE.get_or_init(|| {
        let node = yaml::load_one(ROOT, &yaml::Limits::default()).expect("fixed values load");
        Value::from_json(&yaml::to_json(&node).expect("fixed values convert"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut set = TemplateSet::new(LIMITS);
    set.add_file("fuzz/templates/_helpers.tpl", HELPERS)
        .expect("fixed helpers parse");
    if set.add_file("fuzz/templates/t.yaml", text).is_err() {
        return;
    }
    if let Ok(out) = set.execute("fuzz/templates/t.yaml", root()) {
        assert!(out.len() <= LIMITS.max_output);
    }
});
