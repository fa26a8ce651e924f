//! Name references (kustomize's nameReference configuration, run as its
//! `FixBackReferences` does): once every transformer of the whole build has
//! run and hashes are appended, each field naming another resource takes
//! that resource's final name, the referral being found by the ids it had
//! before it was renamed, narrowed by kind, namespace and by the prefixes and
//! suffixes both resources received.
//!
//! Ports kustomize `api/filters/nameref/nameref.go`,
//! `api/internal/accumulator/namereferencetransformer.go`, the candidate
//! subset of `api/resmap/reswrangler.go` and the default configuration of
//! `api/internal/konfig/builtinpluginconsts/namereference.go`.
//!
//! Every candidate examined (for each referrer, and again for each name it holds) is a step
//! of the input's work budget: referrers times resources stay bounded.

use super::fieldspec::{visit, FieldSpec, TransformerConfig};
use super::resource::{Gvk, ResId, ResMap, Resource};
use super::KustomizeError;
use crate::budget::{self, LimitExceeded};
use serde_json::Value;

/// The workloads whose pod template names ConfigMaps, Secrets and the rest,
/// with the path of the pod spec.
const POD_SPEC_PATHS: &[(&str, &str)] = &[
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

/// Which of the workloads above each kind of reference covers.
const CONFIG_AND_SECRET_REFERRERS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
];
const ACCOUNT_CLAIM_PRIORITY_REFERRERS: &[&str] = &[
    "Pod",
    "StatefulSet",
    "Deployment",
    "ReplicationController",
    "CronJob",
    "Job",
    "DaemonSet",
];

/// kustomize's default name references: (the named kind, the field naming it).
fn builtin_references() -> Vec<(Gvk, FieldSpec)> {
    let mut v: Vec<(Gvk, FieldSpec)> = Vec::new();
    let mut add = |target: Gvk, kind: &str, group: &str, version: &str, path: &str| {
        let mut spec = FieldSpec::new(kind, group, path, false);
        spec.version = version.to_string();
        v.push((target, spec));
    };
    for kind in [
        "Deployment",
        "ReplicationController",
        "ReplicaSet",
        "StatefulSet",
    ] {
        add(
            Gvk::new("", "", kind),
            "HorizontalPodAutoscaler",
            "",
            "",
            "spec/scaleTargetRef/name",
        );
    }
    let pod_spec = |kind: &str| {
        POD_SPEC_PATHS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("spec", |(_, p)| *p)
    };
    // A core Pod is selected with its version, as kustomize's config does.
    let pod_version = |kind: &str| if kind == "Pod" { "v1" } else { "" };
    let config_map = Gvk::new("", "v1", "ConfigMap");
    for kind in CONFIG_AND_SECRET_REFERRERS {
        let base = pod_spec(kind);
        for tail in [
            "volumes/configMap/name",
            "containers/env/valueFrom/configMapKeyRef/name",
            "initContainers/env/valueFrom/configMapKeyRef/name",
            "containers/envFrom/configMapRef/name",
            "initContainers/envFrom/configMapRef/name",
            "volumes/projected/sources/configMap/name",
        ] {
            add(
                config_map.clone(),
                kind,
                "",
                pod_version(kind),
                &format!("{base}/{tail}"),
            );
        }
    }
    add(
        config_map.clone(),
        "Node",
        "",
        "",
        "spec/configSource/configMap",
    );
    for kind in ["Role", "ClusterRole"] {
        add(config_map.clone(), kind, "", "", "rules/resourceNames");
    }
    add(
        config_map,
        "Ingress",
        "",
        "",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
    );
    let secret = Gvk::new("", "v1", "Secret");
    for kind in CONFIG_AND_SECRET_REFERRERS {
        let base = pod_spec(kind);
        for tail in [
            "volumes/secret/secretName",
            "containers/env/valueFrom/secretKeyRef/name",
            "initContainers/env/valueFrom/secretKeyRef/name",
            "containers/envFrom/secretRef/name",
            "initContainers/envFrom/secretRef/name",
            "imagePullSecrets/name",
            "volumes/projected/sources/secret/name",
        ] {
            add(
                secret.clone(),
                kind,
                "",
                pod_version(kind),
                &format!("{base}/{tail}"),
            );
        }
    }
    for path in [
        "spec/tls/secretName",
        "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
    ] {
        add(secret.clone(), "Ingress", "", "", path);
    }
    add(
        secret.clone(),
        "ServiceAccount",
        "",
        "",
        "imagePullSecrets/name",
    );
    for path in [
        "parameters/secretName",
        "parameters/adminSecretName",
        "parameters/userSecretName",
        "parameters/secretRef",
    ] {
        add(secret.clone(), "StorageClass", "", "", path);
    }
    for kind in ["Role", "ClusterRole"] {
        add(secret.clone(), kind, "", "", "rules/resourceNames");
    }
    add(
        secret.clone(),
        "Service",
        "serving.knative.dev",
        "v1",
        "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
    );
    add(
        secret,
        "PersistentVolume",
        "",
        "",
        "spec/azureFile/secretName",
    );
    let service = Gvk::new("", "v1", "Service");
    add(
        service.clone(),
        "StatefulSet",
        "apps",
        "",
        "spec/serviceName",
    );
    for path in [
        "spec/rules/http/paths/backend/serviceName",
        "spec/backend/serviceName",
        "spec/rules/http/paths/backend/service/name",
        "spec/defaultBackend/service/name",
    ] {
        add(service.clone(), "Ingress", "", "", path);
    }
    add(
        service.clone(),
        "APIService",
        "apiregistration.k8s.io",
        "",
        "spec/service/name",
    );
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        // The whole `service` mapping: its namespace follows too.
        add(
            service.clone(),
            kind,
            "admissionregistration.k8s.io",
            "",
            "webhooks/clientConfig/service",
        );
    }
    let rbac = "rbac.authorization.k8s.io";
    add(
        Gvk::new(rbac, "", "Role"),
        "RoleBinding",
        rbac,
        "",
        "roleRef/name",
    );
    for kind in ["RoleBinding", "ClusterRoleBinding"] {
        add(
            Gvk::new(rbac, "", "ClusterRole"),
            kind,
            rbac,
            "",
            "roleRef/name",
        );
    }
    let account = Gvk::new("", "v1", "ServiceAccount");
    for kind in ["RoleBinding", "ClusterRoleBinding"] {
        add(account.clone(), kind, rbac, "", "subjects");
    }
    let claim = Gvk::new("", "v1", "PersistentVolumeClaim");
    let priority = Gvk::new("scheduling.k8s.io", "v1", "PriorityClass");
    for kind in ACCOUNT_CLAIM_PRIORITY_REFERRERS {
        let base = pod_spec(kind);
        add(
            account.clone(),
            kind,
            "",
            "",
            &format!("{base}/serviceAccountName"),
        );
        add(
            claim.clone(),
            kind,
            "",
            "",
            &format!("{base}/volumes/persistentVolumeClaim/claimName"),
        );
        add(
            priority.clone(),
            kind,
            "",
            "",
            &format!("{base}/priorityClassName"),
        );
    }
    let volume = Gvk::new("", "v1", "PersistentVolume");
    add(
        volume.clone(),
        "PersistentVolumeClaim",
        "",
        "",
        "spec/volumeName",
    );
    add(volume, "ClusterRole", "", "", "rules/resourceNames");
    let storage = Gvk::new("storage.k8s.io", "v1", "StorageClass");
    for (kind, path) in [
        ("PersistentVolume", "spec/storageClassName"),
        ("PersistentVolumeClaim", "spec/storageClassName"),
        (
            "StatefulSet",
            "spec/volumeClaimTemplates/spec/storageClassName",
        ),
    ] {
        add(storage.clone(), kind, "", "", path);
    }
    // kustomize v5.6.0 gives IngressClass the group "networking.k8s.io/v1",
    // which no resource has: an Ingress's class name never follows a rename.
    add(
        Gvk::new("networking.k8s.io/v1", "v1", "IngressClass"),
        "Ingress",
        "",
        "",
        "spec/ingressClassName",
    );
    let admission = "admissionregistration.k8s.io";
    add(
        Gvk::new(admission, "", "ValidatingAdmissionPolicy"),
        "ValidatingAdmissionPolicyBinding",
        admission,
        "",
        "spec/policyName",
    );
    v
}

/// What the pass reads of a possible referral (resources' ids do not change
/// while references are fixed).
struct Referral {
    id: ResId,
    prev_ids: Vec<ResId>,
    org_namespace: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Referral {
    fn of(r: &Resource) -> Self {
        Referral {
            id: r.id(),
            prev_ids: r.prev_res_ids(),
            org_namespace: r.org_id().effective_namespace(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
        }
    }

    /// The `kind.version.group/name.namespace` kustomize names it by.
    fn display(&self) -> String {
        self.id.display()
    }
}

/// kustomize's `FixBackReferences`: every field the name references (ours
/// and those of `configurations` and CRDs) name is updated in every resource.
pub fn fix_back_references(
    res: &mut ResMap,
    config: &TransformerConfig,
) -> Result<(), KustomizeError> {
    let mut refs = builtin_references();
    refs.extend(config.name_reference.iter().cloned());
    let referrals: Vec<Referral> = res.items.iter().map(Referral::of).collect();
    for (i, r) in res.items.iter_mut().enumerate() {
        let org = r.org_id();
        let filters: Vec<&(Gvk, FieldSpec)> = refs
            .iter()
            .filter(|(_, spec)| org.is_selected(&spec.gvk()))
            .collect();
        if filters.is_empty() {
            continue;
        }
        let candidates = candidates_for(r, &referrals)?;
        for (target, spec) in filters {
            let mut f = Filter {
                referrer: &referrals[i],
                role_ref: role_ref_gvk(r, &spec.path),
                target,
                candidates: &candidates,
                error: None,
                limit: None,
            };
            visit(&mut r.obj, &spec.segments(), false, &mut |v| f.set(v));
            if let Some(limit) = f.limit {
                return Err(KustomizeError::Limit(limit));
            }
            if let Some(e) = f.error {
                let id = r.id().display();
                return Err(KustomizeError::build(format!(
                    "updating name reference in '{0}' field of '{id}': considering field '{0}' of object {id}: {e}",
                    spec.path
                )));
            }
        }
    }
    Ok(())
}

/// kustomize's `SubsetThatCouldBeReferencedByResource`: a namespaced
/// referrer sees cluster-scoped resources, those of its namespace, and for a
/// RoleBinding those of its ServiceAccount subjects' namespaces.
fn candidates_for<'a>(
    referrer: &Resource,
    all: &'a [Referral],
) -> Result<Vec<&'a Referral>, KustomizeError> {
    budget::charge_work(all.len() as u64).map_err(KustomizeError::Limit)?;
    let id = referrer.id();
    if id.is_cluster_scoped() {
        return Ok(all.iter().collect());
    }
    let subject_namespaces = role_binding_namespaces(referrer)?;
    let ns = id.effective_namespace();
    Ok(all
        .iter()
        .filter(|c| {
            c.id.is_cluster_scoped()
                || c.id.effective_namespace() == ns
                || subject_namespaces.contains(&c.id.namespace)
        })
        .collect())
}

/// The namespaces of a RoleBinding's ServiceAccount subjects; one present but
/// not a string is kustomize's "namespace is blank" error.
fn role_binding_namespaces(r: &Resource) -> Result<Vec<String>, KustomizeError> {
    if r.kind() != "RoleBinding" {
        return Ok(Vec::new());
    }
    let Some(Value::Array(subjects)) = r.obj.get("subjects") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for s in subjects {
        let (Some(ns), Some(kind)) = (s.get("namespace"), s.get("kind")) else {
            continue;
        };
        if kind.as_str() != Some("ServiceAccount") {
            continue;
        }
        match ns.as_str() {
            Some(n) => out.push(n.to_string()),
            None => {
                return Err(KustomizeError::build(format!(
                    "Invalid Input: namespace is blank for resource \"{}\"",
                    r.id().display()
                )))
            }
        }
    }
    Ok(out)
}

/// For a `roleRef/name` field, the group and kind the roleRef names (only
/// referrals once of that kind qualify).
fn role_ref_gvk(r: &Resource, path: &str) -> Option<Gvk> {
    if !path.ends_with("roleRef/name") {
        return None;
    }
    let role_ref = r.obj.get("roleRef")?;
    let group = role_ref.get("apiGroup")?.as_str()?;
    let kind = role_ref.get("kind")?.as_str()?;
    Some(Gvk::new(group, "", kind))
}

/// One name-reference field spec applied to one referrer.
struct Filter<'a> {
    referrer: &'a Referral,
    role_ref: Option<Gvk>,
    target: &'a Gvk,
    candidates: &'a [&'a Referral],
    error: Option<String>,
    /// The work budget ran out: nothing more is examined.
    limit: Option<LimitExceeded>,
}

impl Filter<'_> {
    fn set(&mut self, v: &mut Value) {
        if self.error.is_some() || self.limit.is_some() {
            return;
        }
        let names = match v {
            Value::Array(items) => items.len(),
            _ => 1,
        };
        let work = (names as u64).saturating_mul(self.candidates.len() as u64);
        if let Err(limit) = budget::charge_work(work) {
            self.limit = Some(limit);
            return;
        }
        let result = match v {
            Value::String(_) => self.set_scalar(v),
            Value::Object(_) => self.set_mapping(v),
            Value::Array(items) => items.iter_mut().try_for_each(|item| match item {
                Value::String(_) => self.set_scalar(item),
                Value::Object(_) => self.set_mapping(item),
                _ => Ok(()),
            }),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.error = Some(e);
        }
    }

    fn set_scalar(&self, v: &mut Value) -> Result<(), String> {
        let Value::String(old) = v else {
            return Ok(());
        };
        let referral = self.select(old, self.candidates.to_vec(), |rs| {
            rs.iter().all(|r| r.id.name == rs[0].id.name)
        })?;
        if let Some(r) = referral {
            if r.id.name != *old {
                *v = Value::String(r.id.name.clone());
            }
        }
        Ok(())
    }

    /// A mapping with `name` (and maybe `namespace`): both follow the referral.
    fn set_mapping(&self, v: &mut Value) -> Result<(), String> {
        let Value::Object(m) = v else {
            return Ok(());
        };
        let Some(old) = m.get("name").map(node_text) else {
            return Err("path config error; no 'name' field in node".into());
        };
        let candidates = match m.get("namespace") {
            None => self.candidates.to_vec(),
            Some(ns) => {
                let ns = node_text(ns);
                let by_org: Vec<&Referral> = self
                    .candidates
                    .iter()
                    .copied()
                    .filter(|c| c.org_namespace == ns)
                    .collect();
                if by_org.is_empty() {
                    self.candidates
                        .iter()
                        .copied()
                        .filter(|c| c.id.effective_namespace() == ns)
                        .collect()
                } else {
                    by_org
                }
            }
        };
        let Some(r) = self.select(&old, candidates, |rs| {
            rs.iter()
                .all(|r| r.id.name == rs[0].id.name && r.id.namespace == rs[0].id.namespace)
        })?
        else {
            return Ok(());
        };
        if r.id.name == old && r.id.namespace.is_empty() {
            return Ok(());
        }
        m.insert("name".into(), Value::String(r.id.name.clone()));
        if !r.id.namespace.is_empty() {
            m.insert("namespace".into(), Value::String(r.id.namespace.clone()));
        }
        Ok(())
    }

    /// kustomize's `selectReferral`: the candidates once named `old_name`
    /// as the target kind, narrowed step by step until one is left.
    fn select<'c>(
        &self,
        old_name: &str,
        mut candidates: Vec<&'c Referral>,
        identical: impl Fn(&[&Referral]) -> bool,
    ) -> Result<Option<&'c Referral>, String> {
        candidates.retain(|c| c.prev_ids.iter().any(|id| id.name == old_name));
        candidates.retain(|c| c.prev_ids.iter().any(|id| id.is_selected(self.target)));
        if let Some(role_ref) = &self.role_ref {
            candidates.retain(|c| c.prev_ids.iter().any(|id| id.is_selected(role_ref)));
        }
        let referrer = &self.referrer.id;
        if !referrer.is_cluster_scoped() {
            let ns = referrer.effective_namespace();
            candidates.retain(|c| {
                c.id.is_cluster_scoped()
                    || c.id.kind == "ServiceAccount"
                    || c.id.effective_namespace() == ns
            });
        }
        if let [one] = candidates.as_slice() {
            return Ok(Some(one));
        }
        candidates.retain(|c| self.same_affixes(c, true));
        if candidates.len() > 1 {
            candidates.retain(|c| self.same_affixes(c, false));
        }
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many if identical(many) => Ok(Some(many[0])),
            many => Err(format!(
                "found multiple possible referrals: {}",
                many.iter()
                    .map(|c| c.display())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// kustomize's `PrefixesSuffixesEquals`: the prefixes (and suffixes) of
    /// the two end the same way; with `allow_empty`, a side without any passes.
    fn same_affixes(&self, c: &Referral, allow_empty: bool) -> bool {
        let fits = |a: &[String], b: &[String]| {
            (allow_empty && (a.is_empty() || b.is_empty())) || same_ending(a, b)
        };
        fits(&c.prefixes, &self.referrer.prefixes) && fits(&c.suffixes, &self.referrer.suffixes)
    }
}

/// Whether the shorter list is the tail of the longer (two empty lists agree,
/// one empty and one not do not).
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

/// A scalar node's text (a name written as a number still names).
fn node_text(v: &Value) -> String {
    super::resource::scalar_string(v)
}

#[cfg(test)]
mod tests {
    use super::same_ending;

    #[test]
    fn affix_lists_agree_when_one_ends_the_other() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&s(&["a", "b", "c"]), &s(&["b", "c"])));
        assert!(!same_ending(&s(&["a", "b", "c"]), &s(&["a", "b"])));
        assert!(same_ending(&s(&[]), &s(&[])));
        assert!(!same_ending(&s(&[]), &s(&["a"])));
    }
}
