//! Helm: charts loaded from files, values computed and templates rendered exactly as
//! `helm template` (helm v4.1.4) does, offline.

pub mod chart;
#[cfg(feature = "internals")]
pub mod dependencies;
#[cfg(not(feature = "internals"))]
pub(crate) mod dependencies;
#[cfg(feature = "internals")]
pub mod helmignore;
#[cfg(not(feature = "internals"))]
pub(crate) mod helmignore;
pub mod loader;
pub mod manifests;
#[cfg(feature = "internals")]
pub mod objects;
#[cfg(not(feature = "internals"))]
pub(crate) mod objects;
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

/// Why helm will not install a chart it loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// The release name is not a DNS-1123 subdomain of at most 53 characters.
    #[error("release name {0:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53")]
    ReleaseName(String),
    /// A chart whose type is not `application` (a library chart).
    #[error("{0} charts are not installable")]
    NotInstallable(String),
    /// Chart.yaml declares dependencies `charts/` does not hold.
    #[error("an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {0}")]
    MissingDependencies(dependencies::MissingDependencies),
}
