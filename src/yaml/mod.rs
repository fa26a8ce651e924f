//! YAML loading shared by every stage (values, Chart.yaml, manifests, kustomizations).
