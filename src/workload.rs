//! Pod-bearing objects → their containers and images.

use crate::objects::{KubeObject, ObjectIdentity};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kinds whose objects carry a pod template, as the contract lists them.
pub const POD_BEARING_KINDS: [&str; 8] = [
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
];

/// The kinds that become PackageComponents (when they are not hooks).
pub const COMPONENT_KINDS: [&str; 3] = ["Deployment", "DaemonSet", "StatefulSet"];

/// Which list of the pod spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerType {
    /// `containers`.
    Container,
    /// `initContainers`.
    Init,
    /// `ephemeralContainers`.
    Ephemeral,
}

impl ContainerType {
    /// The pod spec field, in the order the records list them.
    const FIELDS: [(&'static str, ContainerType); 3] = [
        ("containers", ContainerType::Container),
        ("initContainers", ContainerType::Init),
        ("ephemeralContainers", ContainerType::Ephemeral),
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    /// The image exactly as written.
    pub image: String,
    pub container_type: ContainerType,
}

/// One pod-bearing object and its containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub object: ObjectIdentity,
    pub containers: Vec<Container>,
}

impl Workload {
    /// Whether the workload is a PackageComponent: a non-hook Deployment, DaemonSet or StatefulSet.
    pub fn is_component(&self) -> bool {
        self.object.hook.is_none() && COMPONENT_KINDS.contains(&self.object.kind.as_str())
    }
}

/// The workload of `object` when its kind carries a pod template; `None` otherwise.
pub fn workload_of(object: &KubeObject) -> Option<Workload> {
    let value = &object.value;
    let kind = value.get("kind")?.as_str()?;
    if !POD_BEARING_KINDS.contains(&kind) {
        return None;
    }
    let pod_spec = match kind {
        "Pod" => value.get("spec"),
        "CronJob" => value.pointer("/spec/jobTemplate/spec/template/spec"),
        _ => value.pointer("/spec/template/spec"),
    };
    Some(Workload {
        object: object.identity(),
        containers: pod_spec.map(containers_of).unwrap_or_default(),
    })
}

/// Containers, then init containers, then ephemeral containers; entries without a string
/// `image` name no image and are left out.
fn containers_of(pod_spec: &Value) -> Vec<Container> {
    let mut found = Vec::new();
    for (field, container_type) in ContainerType::FIELDS {
        let Some(list) = pod_spec.get(field).and_then(Value::as_array) else {
            continue;
        };
        for container in list {
            let Some(image) = container.get("image").and_then(Value::as_str) else {
                continue;
            };
            found.push(Container {
                name: container
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                image: image.to_string(),
                container_type,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> KubeObject {
        KubeObject {
            source: "app/deploy.yaml".into(),
            value,
        }
    }

    #[test]
    fn deployment_lists_all_container_kinds_in_order() {
        let w = workload_of(&object(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod"},
            "spec": {"template": {"spec": {
                "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
                "initContainers": [{"name": "init", "image": "alpine:3"}],
                "containers": [{"name": "app", "image": "nginx:1"}, {"name": "noimage"}]
            }}}
        })))
        .unwrap();
        assert_eq!(w.object.name, "web");
        assert_eq!(w.object.namespace.as_deref(), Some("prod"));
        assert!(w.is_component());
        let images: Vec<_> = w
            .containers
            .iter()
            .map(|c| (c.image.as_str(), c.container_type))
            .collect();
        assert_eq!(
            images,
            [
                ("nginx:1", ContainerType::Container),
                ("alpine:3", ContainerType::Init),
                ("busybox", ContainerType::Ephemeral)
            ]
        );
    }

    #[test]
    fn cronjob_and_pod_specs_are_found() {
        let cron = workload_of(&object(json!({"kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "x", "image": "x:1"}]}}}}}})))
        .unwrap();
        assert_eq!(cron.containers[0].image, "x:1");
        assert!(!cron.is_component());
        let pod = workload_of(&object(json!({"kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "y", "image": "y:1"}]}})))
        .unwrap();
        assert_eq!(pod.containers[0].image, "y:1");
    }

    #[test]
    fn hooks_are_not_components_and_other_kinds_are_ignored() {
        let hook = workload_of(&object(json!({"kind": "Deployment",
            "metadata": {"name": "h", "annotations": {"helm.sh/hook": "pre-install"}}})))
        .unwrap();
        assert_eq!(hook.object.hook.as_deref(), Some("pre-install"));
        assert!(!hook.is_component());
        assert!(workload_of(&object(
            json!({"kind": "Service", "metadata": {"name": "s"}})
        ))
        .is_none());
    }
}
