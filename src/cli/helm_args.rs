//! The `helm template` options shared by `scan` and `render`.

use clap::Args;
use pkglens::helm::values::{merge_user_values, ValueOptions, Values, ValuesError};
use pkglens::helm::ReadFileError;
use pkglens::input;
use pkglens::unpack::Limits;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone, Default)]
pub struct HelmArgs {
    /// Values file (repeatable or comma-separated; later files win).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<PathBuf>,
    /// Set values on the command line (key1=val1,key2=val2).
    #[arg(long = "set", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Set string values on the command line.
    #[arg(long = "set-string", allow_hyphen_values = true)]
    pub set_string: Vec<String>,
    /// Set values from files (key=path).
    #[arg(long = "set-file", allow_hyphen_values = true)]
    pub set_file: Vec<String>,
    /// Set JSON values on the command line (key=json).
    #[arg(long = "set-json", allow_hyphen_values = true)]
    pub set_json: Vec<String>,
    /// Set literal string values on the command line.
    #[arg(long = "set-literal", allow_hyphen_values = true)]
    pub set_literal: Vec<String>,
    /// Namespace of the release.
    #[arg(
        short = 'n',
        long = "namespace",
        default_value = "default",
        overrides_with = "namespace"
    )]
    pub namespace: String,
    /// Kubernetes version reported by .Capabilities.KubeVersion.
    #[arg(long = "kube-version", overrides_with = "kube_version")]
    pub kube_version: Option<String>,
    /// Extra API versions reported by .Capabilities.APIVersions (repeatable).
    #[arg(short = 'a', long = "api-versions")]
    pub api_versions: Vec<String>,
}

impl HelmArgs {
    /// The user's values, merged as `helm template` merges them; the error is helm's message.
    pub fn merged_values(&self) -> Result<Values, ValuesError> {
        let mut opts = ValueOptions {
            json_values: self.set_json.clone(),
            values: self.set.clone(),
            string_values: self.set_string.clone(),
            file_values: self.set_file.clone(),
            literal_values: self.set_literal.clone(),
            ..ValueOptions::default()
        };
        // A values file is bounded as any file of an input is (`-f /dev/zero` ends).
        let limit = Limits::default().max_file_size;
        let read = |path: &Path, shown: &str| {
            input::read_named_file(path, limit)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|e| ReadFileError::read_file(shown, &e))
        };
        for path in &self.values {
            let shown = path.display().to_string();
            let text = read(path, &shown).map_err(ValuesError::Open)?;
            opts.value_files.push((shown, text));
        }
        merge_user_values(&opts, &|path| read(Path::new(path), path))
    }
}
