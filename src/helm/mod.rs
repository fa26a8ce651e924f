//! Helm: charts loaded from files, values computed and templates rendered exactly as
//! `helm template` (helm v4.1.4) does, offline.

pub mod chart;
pub mod chart_dir;
#[cfg(feature = "internals")]
pub mod dependencies;
#[cfg(not(feature = "internals"))]
pub(crate) mod dependencies;
#[cfg(feature = "internals")]
pub mod helmignore;
#[cfg(not(feature = "internals"))]
pub(crate) mod helmignore;
pub mod install;
pub mod loader;
pub mod log;
pub mod manifests;
#[cfg(feature = "internals")]
pub mod objects;
#[cfg(not(feature = "internals"))]
pub(crate) mod objects;
pub mod output_dir;
#[cfg(feature = "internals")]
pub mod pathmatch;
#[cfg(not(feature = "internals"))]
pub(crate) mod pathmatch;
pub mod render;
#[cfg(feature = "internals")]
pub mod schema;
#[cfg(not(feature = "internals"))]
pub(crate) mod schema;
#[cfg(feature = "internals")]
pub mod semver;
#[cfg(not(feature = "internals"))]
pub(crate) mod semver;
#[cfg(feature = "internals")]
pub mod strvals;
#[cfg(not(feature = "internals"))]
pub(crate) mod strvals;
pub mod values;

/// A file or folder the system refused, as Go words it (`--output-dir`).
pub use crate::go::os::PathError;
/// The YAML error a values file, Chart.yaml or requirements.yaml failed with.
pub use crate::yaml::YamlError;
pub use dependencies::{DependencyError, MissingDependencies};
pub use helmignore::RuleError;
pub use objects::{KubeVersionError, DEFAULT_KUBE_VERSION};
pub use schema::SchemaViolations;
pub use strvals::{ReadFileError, StrvalsError};

use crate::budget::{LimitExceeded, LimitKind};

/// Why a chart could not be rendered; `Display` is helm's message (without `Error: `).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HelmError {
    /// The chart's files could not be loaded (bad Chart.yaml, values.yaml, archive, subchart).
    #[error("{0}")]
    Load(loader::LoadError),
    /// A safety limit on subchart archives (nesting, entries, sizes) was exceeded: helm has
    /// none of its own beyond one archive's size, so this is pkglens refusing unbounded work.
    #[error("{0}")]
    Limit(LimitExceeded),
    /// The values given could not be read, or do not coalesce or meet the chart's schemas.
    #[error("{0}")]
    Values(values::ValuesError),
    /// `--kube-version` is not a version.
    #[error("{0}")]
    KubeVersion(objects::KubeVersionError),
    /// The chart cannot be installed as loaded (release name, chart type, missing dependencies).
    #[error("{0}")]
    Chart(ChartError),
    /// Dependency processing failed (or built too many charts).
    #[error("chart dependencies processing failed: {0}")]
    Dependencies(dependencies::DependencyError),
    /// Rendering failed (or a check helm makes while rendering, as `kubeVersion`); helm adds
    /// its hint about `--debug`.
    #[error("{0}\n\nUse --debug flag to render out invalid YAML")]
    Render(render::RenderError),
    /// A rendered template is not valid YAML. `manifest` holds every rendered file as helm
    /// prints them with `--debug` (`---\n# Source: NAME\nCONTENT\n`, empty ones left out).
    #[error("{message}\n\nUse --debug flag to render out invalid YAML")]
    InvalidYaml {
        /// The YAML parser's message.
        message: String,
        /// Every rendered file, as `--debug` prints them.
        manifest: String,
    },
    /// `--show-only` named a template that produced no output.
    #[error("could not find template {0} in chart")]
    ShowOnly(String),
}

impl HelmError {
    /// The line helm's install logs on stderr (`log/slog`'s text form) before it returns
    /// this error, for the errors it logs.
    pub fn install_log(&self) -> Option<String> {
        let (msg, detail) = match self {
            HelmError::Chart(ChartError::ReleaseName(name)) => {
                ("release name check failed", release_name_problem(name))
            }
            HelmError::Dependencies(error) => {
                ("chart dependencies processing failed", error.to_string())
            }
            _ => return None,
        };
        Some(log::line(log::Level::Error, msg, &[("error", &detail)]))
    }

    /// The safety limit that stopped loading or rendering, when the error knows it hit one.
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            HelmError::Limit(limit) => Some(limit.kind),
            HelmError::Dependencies(dependencies::DependencyError::Limit(limit)) => {
                Some(limit.kind)
            }
            HelmError::Render(error) => error.limit(),
            HelmError::Load(error) => error.limit(),
            HelmError::Values(error) => error.limit().map(|limit| limit.kind),
            _ => None,
        }
    }
}

/// helm's `availableName` on a name `ValidateReleaseName` refuses.
fn release_name_problem(name: &str) -> String {
    format!(
        "release name {}: invalid release name, must match regex \
         ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ \
         and the length must not be longer than 53",
        crate::go::strconv::quote(name)
    )
}

/// Why helm will not install a chart it loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// The release name is not a DNS-1123 subdomain of at most 53 characters.
    #[error("release name check failed: {}", release_name_problem(.0))]
    ReleaseName(String),
    /// A chart whose type is not `application` (a library chart).
    #[error("{0} charts are not installable")]
    NotInstallable(String),
    /// `--labels` names a label helm's release storage keeps for itself.
    #[error("user supplied labels contains system reserved label name. System labels: [{}]", render::SYSTEM_LABELS.join(" "))]
    ReservedLabels,
    /// Chart.yaml declares dependencies `charts/` does not hold.
    #[error("an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {0}")]
    MissingDependencies(dependencies::MissingDependencies),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_helm_logs_first() {
        // Both lines as helm v4.1.4 `template My_Rel CHART` prints them on stderr.
        let err = HelmError::Chart(ChartError::ReleaseName("My_Rel".into()));
        let rule = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
        assert_eq!(
            err.install_log().as_deref(),
            Some(
                format!(
                    r#"level=ERROR msg="release name check failed" error="release name \"My_Rel\": invalid release name, must match regex {} and the length must not be longer than 53""#,
                    rule.replace('\\', r"\\")
                )
                .as_str()
            )
        );
        assert_eq!(
            err.to_string(),
            format!(
                r#"release name check failed: release name "My_Rel": invalid release name, must match regex {rule} and the length must not be longer than 53"#
            )
        );
        let library = HelmError::Chart(ChartError::NotInstallable("library".into()));
        assert_eq!(library.install_log(), None);
    }
}
