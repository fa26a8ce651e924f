//! What helm's install action settles from the command line before it loads the chart: the
//! release name and the chart argument (helm pkg/action/install.go `NameAndChart`).

use crate::template::value::Value;
use crate::template::{Limits, TemplateError, TemplateSet};

/// The release name `helm template` uses when none is given (pkg/cmd/template.go).
pub const DEFAULT_RELEASE_NAME: &str = "release-name";

/// What the command line says about the release name.
#[derive(Debug, Clone, Copy, Default)]
pub struct NameFlags<'a> {
    /// `-g/--generate-name`.
    pub generate_name: bool,
    /// `--name-template` (empty: not given).
    pub name_template: &'a str,
}

/// Why the arguments give no release name and chart; `Display` is helm's message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NameError {
    /// More than `[NAME] CHART`.
    #[error("expected at most two arguments, unexpected arguments: {}", .0.join(", "))]
    TooManyArguments(Vec<String>),
    /// A NAME beside `-g`.
    #[error("cannot set --generate-name and also specify a name")]
    GenerateNameAndName,
    /// A NAME beside `--name-template`.
    #[error("cannot set --name-template and also specify a name")]
    NameTemplateAndName,
    /// `--name-template` did not parse or execute (Go's own text, the template named
    /// `name-template`).
    #[error("{0}")]
    NameTemplate(TemplateError),
}

/// helm's `NameAndChart` for `helm template` (whose release name defaults to
/// [`DEFAULT_RELEASE_NAME`], so `-g` alone changes nothing): `[NAME] CHART` → (name, chart).
pub fn name_and_chart(
    args: &[String],
    flags: NameFlags<'_>,
) -> Result<(String, String), NameError> {
    match args {
        [_, _, rest @ ..] if !rest.is_empty() => Err(NameError::TooManyArguments(rest.to_vec())),
        [_, _, ..] if flags.generate_name => Err(NameError::GenerateNameAndName),
        [_, _, ..] if !flags.name_template.is_empty() => Err(NameError::NameTemplateAndName),
        [name, chart, ..] => Ok((name.clone(), chart.clone())),
        [chart] if !flags.name_template.is_empty() => {
            Ok((name_from_template(flags.name_template)?, chart.clone()))
        }
        [chart] => Ok((DEFAULT_RELEASE_NAME.to_string(), chart.clone())),
        // The command line requires the chart argument.
        [] => Ok((DEFAULT_RELEASE_NAME.to_string(), String::new())),
    }
}

/// `--kube-version`, which helm template parses before anything else.
pub fn check_kube_version(text: &str) -> Result<(), super::KubeVersionError> {
    super::objects::KubeVersion::parse(text).map(|_| ())
}

/// `--timeout`: Go's `time.ParseDuration`, whose message helm prints.
pub fn check_duration(text: &str) -> Result<(), String> {
    crate::go::time::parse_duration(text).map(|_| ())
}

/// helm's `TemplateName`: the template executed with no data and Sprig's functions only,
/// `<no value>` left in (the release-name check refuses it later).
fn name_from_template(text: &str) -> Result<String, NameError> {
    const NAME: &str = "name-template";
    let mut set = TemplateSet::with_funcs(Limits::default(), crate::template::funcs::sprig_funcs());
    set.add_file(NAME, text).map_err(NameError::NameTemplate)?;
    let out = set
        .execute_plain(NAME, &Value::Nil)
        .map_err(NameError::NameTemplate)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn template(text: &str) -> Result<(String, String), String> {
        let flags = NameFlags {
            generate_name: false,
            name_template: text,
        };
        name_and_chart(&args(&["./c"]), flags).map_err(|e| e.to_string())
    }

    #[test]
    fn name_and_chart_checks_in_helms_order() {
        // Messages of helm v4.1.4 `template` on these command lines.
        let both = NameFlags {
            generate_name: true,
            name_template: "abc",
        };
        assert_eq!(
            name_and_chart(&args(&["a", "b", "c", "d"]), both)
                .unwrap_err()
                .to_string(),
            "expected at most two arguments, unexpected arguments: c, d"
        );
        assert_eq!(
            name_and_chart(&args(&["rel", "./c"]), both)
                .unwrap_err()
                .to_string(),
            "cannot set --generate-name and also specify a name"
        );
        let template_only = NameFlags {
            generate_name: false,
            name_template: "abc",
        };
        assert_eq!(
            name_and_chart(&args(&["rel", "./c"]), template_only)
                .unwrap_err()
                .to_string(),
            "cannot set --name-template and also specify a name"
        );
        // The template wins over -g; -g alone keeps helm template's default name.
        assert_eq!(name_and_chart(&args(&["./c"]), both).unwrap().0, "abc");
        let generate = NameFlags {
            generate_name: true,
            name_template: "",
        };
        assert_eq!(
            name_and_chart(&args(&["./c"]), generate).unwrap().0,
            "release-name"
        );
    }

    #[test]
    fn name_templates_read_the_environment() {
        // helm v4.1.4: `env` and `expandenv` are Sprig's, over the process environment.
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(template("{{ env \"PATH\" }}").unwrap().0, path);
        assert_eq!(
            template("{{ expandenv \"<$PATH|${PATH}>\" }}").unwrap().0,
            format!("<{path}|{path}>")
        );
        assert_eq!(
            template("{{ env \"PKGLENS_SURELY_UNSET_VARIABLE\" }}x")
                .unwrap()
                .0,
            "x"
        );
        assert_eq!(
            template("{{ env 1 }}").unwrap_err(),
            "template: name-template:1:7: executing \"name-template\" at <1>: expected string; found 1"
        );
    }

    #[test]
    fn name_templates_have_sprig_and_no_data() {
        assert_eq!(
            template("foo-{{ upper \"x\" | lower }}").unwrap().0,
            "foo-x"
        );
        assert_eq!(template("{{ repeat 3 \"a\" }}").unwrap().0, "aaa");
        // Nothing erases `<no value>`: the name check refuses it later, as in helm.
        assert_eq!(template("{{.}}x").unwrap().0, "<no value>x");
        assert_eq!(template("{{.Foo}}").unwrap().0, "<no value>");
        assert_eq!(template("").unwrap().0, "release-name");
        assert_eq!(
            template("{{toYaml 1}}").unwrap_err(),
            "template: name-template:1: function \"toYaml\" not defined"
        );
        assert_eq!(
            template("{{include \"x\" .}}").unwrap_err(),
            "template: name-template:1: function \"include\" not defined"
        );
        assert_eq!(
            template("{{ x").unwrap_err(),
            "template: name-template:1: function \"x\" not defined"
        );
        // Sprig's fromJson, not Helm's: any JSON value, nil on an error.
        assert_eq!(template("{{ fromJson \"[1]\" }}").unwrap().0, "[1]");
        assert_eq!(template("{{ fromJson \"x\" }}").unwrap().0, "<no value>");
        assert_eq!(
            template("{{ fail \"boom\" }}").unwrap_err(),
            "template: name-template:1:3: executing \"name-template\" at <fail \"boom\">: error calling fail: boom"
        );
    }
}
