//! The flags `helm template` shares with `helm install` that only matter against a cluster or a
//! chart repository: accepted, so that a command line written for helm runs, and checked as helm
//! checks their values; offline they change nothing, or are refused when they would need the
//! network (helm pkg/cmd/install.go `addInstallFlags`, pkg/cmd/flags.go).

use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub struct InstallFlags {
    /// Accepted (no effect offline): create the release namespace.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub create_namespace: Option<bool>,
    /// Accepted (no effect offline): force resource updates by replacement.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub force_replace: Option<bool>,
    /// Deprecated in helm for --force-replace; accepted.
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub force: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub force_conflicts: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub server_side: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub replace: Option<bool>,
    /// Accepted (no effect offline); checked as a Go duration.
    #[arg(long, value_parser = go_duration)]
    pub timeout: Option<String>,
    /// Accepted (no effect offline): `watcher` (the default when given alone), `hookOnly`,
    /// `legacy`.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher", value_parser = wait_strategy)]
    pub wait: Option<String>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub wait_for_jobs: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long)]
    pub description: Option<String>,
    /// Accepted: a local chart has no versions to choose from.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub devel: Option<bool>,
    /// Accepted when the chart's dependencies are all in `charts/`; downloading is refused.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub dependency_update: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub disable_openapi_validation: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub rollback_on_failure: Option<bool>,
    /// Deprecated in helm for --rollback-on-failure; accepted.
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub atomic: Option<bool>,
    /// Accepted: `helm template` prints no notes.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub render_subchart_notes: Option<bool>,
    /// Accepted: `helm template` prints no notes.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub hide_notes: Option<bool>,
    /// Release labels (key=value, comma-separated): no effect offline but helm's reserved
    /// names are refused as helm refuses them.
    #[arg(short = 'l', long, value_delimiter = ',', value_parser = label)]
    pub labels: Vec<String>,
    /// Accepted: DNS lookups stay off offline (`getHostByName` gives "").
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub enable_dns: Option<bool>,
    /// Accepted (no effect offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub take_ownership: Option<bool>,
    /// Accepted: a local chart is used as it is.
    #[arg(long)]
    pub version: Option<String>,
    /// Verify the chart against its `.prov` file (helm refuses it on a chart folder).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub verify: Option<bool>,
    /// Accepted with --verify's keyring.
    #[arg(long)]
    pub keyring: Option<String>,
    /// A chart repository URL: refused, pkglens renders offline.
    #[arg(long)]
    pub repo: Option<String>,
    /// Accepted (chart repository credentials and TLS: no effect offline).
    #[arg(long)]
    pub username: Option<String>,
    #[arg(long, hide = true)]
    pub password: Option<String>,
    #[arg(long, hide = true)]
    pub cert_file: Option<String>,
    #[arg(long, hide = true)]
    pub key_file: Option<String>,
    #[arg(long, hide = true)]
    pub ca_file: Option<String>,
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub insecure_skip_tls_verify: Option<bool>,
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub plain_http: Option<bool>,
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    pub pass_credentials: Option<bool>,
}

impl InstallFlags {
    /// What cobra prints on stderr for each deprecated flag given, in helm's words.
    pub fn deprecation_notices(&self) -> Vec<&'static str> {
        let mut notices = Vec::new();
        if self.force.is_some() {
            notices.push("Flag --force has been deprecated, use --force-replace instead");
        }
        if self.atomic.is_some() {
            notices.push("Flag --atomic has been deprecated, use --rollback-on-failure instead");
        }
        notices
    }

    /// The names of `--labels`.
    pub fn label_names(&self) -> Vec<String> {
        self.labels
            .iter()
            .map(|pair| {
                pair.split_once('=')
                    .map_or(pair.as_str(), |(k, _)| k)
                    .to_string()
            })
            .collect()
    }
}

/// Go's `strconv.ParseBool`.
pub fn go_parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `--flag=VALUE` of a boolean flag, as pflag reads it.
fn go_bool(text: &str) -> Result<bool, String> {
    go_parse_bool(text)
        .ok_or_else(|| format!("strconv.ParseBool: parsing {text:?}: invalid syntax"))
}

/// `--timeout`: a Go duration.
fn go_duration(text: &str) -> Result<String, String> {
    pkglens::helm::install::check_duration(text).map(|()| text.to_string())
}

/// helm's `waitValue.Set`: its three strategies, or the deprecated booleans.
fn wait_strategy(text: &str) -> Result<String, String> {
    match text {
        "watcher" | "hookOnly" | "legacy" | "true" | "false" => Ok(text.to_string()),
        _ => Err(format!(
            "invalid wait input {text:?}. Valid inputs are watcher, hookOnly, and legacy"
        )),
    }
}

/// pflag's `stringToString` item: `key=value`.
fn label(text: &str) -> Result<String, String> {
    if text.contains('=') {
        Ok(text.to_string())
    } else {
        Err(format!("{text} must be formatted as key=value"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_as_helm_checks_them() {
        // helm v4.1.4's messages (after `invalid argument "V" for "--FLAG" flag: `).
        assert_eq!(
            wait_strategy("foo").unwrap_err(),
            r#"invalid wait input "foo". Valid inputs are watcher, hookOnly, and legacy"#
        );
        assert_eq!(label("a").unwrap_err(), "a must be formatted as key=value");
        assert_eq!(go_bool("T"), Ok(true));
        assert!(go_bool("yes").is_err());
        assert_eq!(
            go_duration("5x").unwrap_err(),
            r#"time: unknown unit "x" in duration "5x""#
        );
        assert!(go_duration("1h30m").is_ok());
    }
}
