//! Name references: when a resource is renamed (prefix/suffix, content
//! hash), fields of other resources that name it follow (kustomize's
//! nameReference configuration).

use super::fieldspec::{visit, FieldSpec, TransformerConfig};
use super::resource::{ns_equal, ResMap, Resource};
use serde_json::Value;
use std::collections::HashMap;

/// One renaming to propagate.
#[derive(Debug, Clone)]
pub struct Rename {
    pub kind: String,
    pub old_name: String,
    pub new_name: String,
    /// Namespaces the renamed resource has lived in (for matching referrers).
    pub namespaces: Vec<String>,
    pub new_namespace: String,
}

impl Rename {
    /// `r` (not yet renamed) taking `new_name`, staying in or moving to `new_namespace`.
    pub fn of(r: &Resource, new_name: &str, new_namespace: &str) -> Self {
        Rename {
            kind: r.kind().into(),
            old_name: r.name().into(),
            new_name: new_name.into(),
            namespaces: r.namespaces.clone(),
            new_namespace: new_namespace.into(),
        }
    }
}

struct RefSpec {
    target_kind: String,
    spec: FieldSpec,
}

const POD_TEMPLATE_KINDS: &[(&str, &str)] = &[
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
];

fn ref_specs() -> Vec<RefSpec> {
    let mut v = Vec::new();
    let mut add = |target: &str, kind: &str, group: &str, path: &str| {
        v.push(RefSpec {
            target_kind: target.to_string(),
            spec: FieldSpec::new(kind, group, path, false),
        });
    };
    for kind in [
        "Deployment",
        "ReplicationController",
        "ReplicaSet",
        "StatefulSet",
    ] {
        add(
            kind,
            "HorizontalPodAutoscaler",
            "",
            "spec/scaleTargetRef/name",
        );
    }
    for (kind, base) in POD_TEMPLATE_KINDS {
        for c in ["containers", "initContainers"] {
            add(
                "ConfigMap",
                kind,
                "",
                &format!("{base}/{c}/env/valueFrom/configMapKeyRef/name"),
            );
            add(
                "ConfigMap",
                kind,
                "",
                &format!("{base}/{c}/envFrom/configMapRef/name"),
            );
            add(
                "Secret",
                kind,
                "",
                &format!("{base}/{c}/env/valueFrom/secretKeyRef/name"),
            );
            add(
                "Secret",
                kind,
                "",
                &format!("{base}/{c}/envFrom/secretRef/name"),
            );
        }
        add(
            "ConfigMap",
            kind,
            "",
            &format!("{base}/volumes/configMap/name"),
        );
        add(
            "ConfigMap",
            kind,
            "",
            &format!("{base}/volumes/projected/sources/configMap/name"),
        );
        add(
            "Secret",
            kind,
            "",
            &format!("{base}/volumes/secret/secretName"),
        );
        add(
            "Secret",
            kind,
            "",
            &format!("{base}/volumes/projected/sources/secret/name"),
        );
        add("Secret", kind, "", &format!("{base}/imagePullSecrets/name"));
        add(
            "ServiceAccount",
            kind,
            "",
            &format!("{base}/serviceAccountName"),
        );
        add(
            "PersistentVolumeClaim",
            kind,
            "",
            &format!("{base}/volumes/persistentVolumeClaim/claimName"),
        );
        add(
            "PriorityClass",
            kind,
            "",
            &format!("{base}/priorityClassName"),
        );
    }
    add("ConfigMap", "Node", "", "spec/configSource/configMap");
    for k in ["Role", "ClusterRole"] {
        add("ConfigMap", k, "", "rules/resourceNames");
        add("Secret", k, "", "rules/resourceNames");
    }
    add(
        "ConfigMap",
        "Ingress",
        "",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
    );
    add("Secret", "Ingress", "", "spec/tls/secretName");
    add(
        "Secret",
        "Ingress",
        "",
        "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
    );
    add(
        "Secret",
        "Ingress",
        "",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
    );
    add(
        "Secret",
        "Ingress",
        "",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
    );
    add("Secret", "ServiceAccount", "", "imagePullSecrets/name");
    add("Secret", "ServiceAccount", "", "secrets/name");
    for p in [
        "parameters/secretName",
        "parameters/adminSecretName",
        "parameters/userSecretName",
        "parameters/secretRef",
    ] {
        add("Secret", "StorageClass", "", p);
    }
    add(
        "Secret",
        "PersistentVolume",
        "",
        "spec/azureFile/secretName",
    );
    add("Service", "StatefulSet", "apps", "spec/serviceName");
    add(
        "Service",
        "Ingress",
        "",
        "spec/rules/http/paths/backend/serviceName",
    );
    add("Service", "Ingress", "", "spec/backend/serviceName");
    add(
        "Service",
        "Ingress",
        "",
        "spec/rules/http/paths/backend/service/name",
    );
    add("Service", "Ingress", "", "spec/defaultBackend/service/name");
    add(
        "Service",
        "APIService",
        "apiregistration.k8s.io",
        "spec/service/name",
    );
    add(
        "Service",
        "ValidatingWebhookConfiguration",
        "",
        "webhooks/clientConfig/service/name",
    );
    add(
        "Service",
        "MutatingWebhookConfiguration",
        "",
        "webhooks/clientConfig/service/name",
    );
    add("Service", "HTTPRoute", "", "spec/rules/backendRefs/name");
    add(
        "Role",
        "RoleBinding",
        "rbac.authorization.k8s.io",
        "roleRef/name",
    );
    add(
        "ClusterRole",
        "RoleBinding",
        "rbac.authorization.k8s.io",
        "roleRef/name",
    );
    add(
        "ClusterRole",
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        "roleRef/name",
    );
    add(
        "PersistentVolume",
        "PersistentVolumeClaim",
        "",
        "spec/volumeName",
    );
    add(
        "StorageClass",
        "PersistentVolume",
        "",
        "spec/storageClassName",
    );
    add(
        "StorageClass",
        "PersistentVolumeClaim",
        "",
        "spec/storageClassName",
    );
    add(
        "StorageClass",
        "StatefulSet",
        "",
        "spec/volumeClaimTemplates/spec/storageClassName",
    );
    add("IngressClass", "Ingress", "", "spec/ingressClassName");
    add(
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io",
        "spec/policyName",
    );
    v
}

/// Renames of one kind, by old name.
type ByName<'r> = HashMap<&'r str, Vec<&'r Rename>>;

/// Updates every reference to the renamed resources across `res` (built-in
/// name references plus those of `configurations`).
pub fn propagate(res: &mut ResMap, renames: &[Rename], config: &TransformerConfig) {
    if renames.is_empty() {
        return;
    }
    let mut specs = ref_specs();
    specs.extend(config.name_reference.iter().map(|(kind, spec)| RefSpec {
        target_kind: kind.clone(),
        spec: spec.clone(),
    }));
    let mut by_kind: HashMap<&str, ByName> = HashMap::new();
    for r in renames {
        by_kind
            .entry(r.kind.as_str())
            .or_default()
            .entry(r.old_name.as_str())
            .or_default()
            .push(r);
    }
    let specs: Vec<(&RefSpec, Vec<String>, &ByName)> = specs
        .iter()
        .filter_map(|rs| {
            by_kind
                .get(rs.target_kind.as_str())
                .map(|names| (rs, rs.spec.segments(), names))
        })
        .collect();
    let empty = ByName::new();
    let service_accounts = by_kind.get("ServiceAccount").unwrap_or(&empty);
    for r in res.items.iter_mut() {
        let referrer_ns = r.namespace().to_string();
        let referrer_cluster = r.is_cluster_scoped();
        for (rs, segments, names) in &specs {
            if !rs.spec.applies_to(r) {
                continue;
            }
            if rs.spec.path == "roleRef/name"
                && r.obj.pointer("/roleRef/kind").and_then(Value::as_str)
                    != Some(rs.target_kind.as_str())
            {
                continue;
            }
            visit(&mut r.obj, segments, false, &mut |v| {
                rename_value(v, names, &referrer_ns, referrer_cluster)
            });
        }
        if matches!(r.kind(), "RoleBinding" | "ClusterRoleBinding") && !service_accounts.is_empty()
        {
            if let Some(Value::Array(subjects)) = r.obj.get_mut("subjects") {
                for s in subjects {
                    rename_subject(s, service_accounts);
                }
            }
        }
    }
}

fn pick<'r>(
    names: &ByName<'r>,
    name: &str,
    ns: &str,
    referrer_cluster: bool,
) -> Option<&'r Rename> {
    let candidates = names.get(name)?;
    if candidates.len() == 1 {
        return candidates.first().copied();
    }
    candidates
        .iter()
        .find(|x| referrer_cluster || x.namespaces.iter().any(|n| ns_equal(n, ns)))
        .copied()
}

fn rename_value(v: &mut Value, names: &ByName, ns: &str, referrer_cluster: bool) {
    match v {
        Value::String(s) => {
            if let Some(r) = pick(names, s, ns, referrer_cluster) {
                *s = r.new_name.clone();
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Value::String(s) = item {
                    if let Some(r) = pick(names, s, ns, referrer_cluster) {
                        *s = r.new_name.clone();
                    }
                }
            }
        }
        _ => {}
    }
}

/// RoleBinding subjects follow a renamed or moved ServiceAccount (matched by
/// name, as kustomize does, whatever the subject's kind).
fn rename_subject(s: &mut Value, names: &ByName) {
    let Some(name) = s.get("name").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    let ns = s
        .get("namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    let found = names.get(name.as_str()).and_then(|candidates| {
        candidates.iter().find(|r| match &ns {
            Some(n) => r.namespaces.iter().any(|x| x == n),
            None => true,
        })
    });
    if let (Some(r), Value::Object(m)) = (found, s) {
        m.insert("name".into(), Value::String(r.new_name.clone()));
        if !r.new_namespace.is_empty() {
            m.insert("namespace".into(), Value::String(r.new_namespace.clone()));
        }
    }
}
