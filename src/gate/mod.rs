//! CI gates (`scan --fail-on`): policy rules checked against each ScanResult, each failure
//! naming the package, the rule, the image and the template or file it came from.
//!
//! Rules: `problems` (any problem, advisories included), `advisories` (advisory problems
//! only), `unpinned` (an image without a digest), `latest` (`:latest`, or neither tag nor
//! digest), `missing` (an image no `--image-store` holds; images only Helm tests use left out),
//! `registry` (an image outside the allowed registries). `candidates` is no rule of its own:
//! it applies the image rules to `candidate_images` too. An image's digest is the record's:
//! written in its reference, or filled from an image store.

pub mod sarif;

use crate::image_ref;
use crate::records::problem::{ProblemKind, Severity};
use crate::records::{ScanResult, SourceFormat};
use crate::verify::{Held, ImageStores};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use thiserror::Error;

/// The names `--fail-on` takes, in the order help lists them ([`Gate::ALL`]'s names).
pub const GATE_NAMES: [&str; Gate::ALL.len()] = {
    let mut names = [""; Gate::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Gate::ALL[i].name();
        i += 1;
    }
    names
};

/// One `--fail-on` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gate {
    /// A rule packages are checked against.
    Rule(Rule),
    /// Apply the image rules to candidate images too.
    Candidates,
}

/// A rule a package can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Every package is read and rendered without any problem.
    Problems,
    /// No package has an advisory problem.
    Advisories,
    /// Every image is pinned by a digest.
    Unpinned,
    /// No image uses the `latest` tag or leaves both tag and digest out.
    Latest,
    /// Every image is in the image stores.
    Missing,
    /// Every image comes from an allowed registry.
    Registry,
}

impl Gate {
    /// Every gate, in the order help lists them.
    pub const ALL: [Gate; 7] = [
        Gate::Rule(Rule::Problems),
        Gate::Rule(Rule::Advisories),
        Gate::Rule(Rule::Unpinned),
        Gate::Rule(Rule::Latest),
        Gate::Rule(Rule::Missing),
        Gate::Rule(Rule::Registry),
        Gate::Candidates,
    ];

    /// The gate's `--fail-on` name (the one place each name is spelled).
    pub const fn name(self) -> &'static str {
        match self {
            Gate::Rule(rule) => rule.name(),
            Gate::Candidates => "candidates",
        }
    }
}

impl Rule {
    /// The rule's name, as `--fail-on` and SARIF's `ruleId` write it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Problems => "problems",
            Self::Advisories => "advisories",
            Self::Unpinned => "unpinned",
            Self::Latest => "latest",
            Self::Missing => "missing",
            Self::Registry => "registry",
        }
    }

    /// What the rule asks for, in one sentence (SARIF's rule description).
    pub fn description(self) -> &'static str {
        match self {
            Self::Problems => "Every package is read and rendered without any problem",
            Self::Advisories => "No package has an advisory problem",
            Self::Unpinned => "Every image is pinned by a digest",
            Self::Latest => "No image uses the latest tag or leaves both tag and digest out",
            Self::Missing => "Every image is in the image stores",
            Self::Registry => "Every image comes from an allowed registry",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a policy cannot be built from the gates and flags given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GateError {
    /// A `--fail-on` name no gate has.
    #[error("unknown gate {0:?} (known: {names})", names = GATE_NAMES.join(", "))]
    UnknownGate(String),
    /// The `registry` gate without `--allowed-registries`.
    #[error("the registry gate needs --allowed-registries")]
    NoAllowedRegistries,
    /// `--allowed-registries` without the `registry` gate.
    #[error("--allowed-registries is given but the registry gate is not (--fail-on registry)")]
    RegistriesWithoutGate,
    /// An `--allowed-registries` entry that names no registry (`host[/prefix]`).
    #[error("invalid allowed registry {0:?}")]
    InvalidRegistry(String),
    /// The `missing` gate without `--image-store`.
    #[error("the missing gate needs --image-store")]
    NoImageStores,
}

impl FromStr for Gate {
    type Err = GateError;

    fn from_str(name: &str) -> Result<Self, GateError> {
        Gate::ALL
            .into_iter()
            .find(|gate| gate.name() == name)
            .ok_or_else(|| GateError::UnknownGate(name.to_string()))
    }
}

/// An allowed registry: a host (`docker.io`, `registry.example.com:5000`), optionally with a
/// repository prefix (`ghcr.io/acme`) that an image's repository must fall under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct AllowedRegistry {
    host: String,
    prefix: Option<String>,
}

impl AllowedRegistry {
    /// Reads an entry as image references name registries: `index.docker.io` is `docker.io`,
    /// and a one-word prefix on Docker Hub is an official image's (`docker.io/nginx` is
    /// `docker.io/library/nginx`).
    fn parse(entry: &str) -> Result<Self, GateError> {
        let invalid = || GateError::InvalidRegistry(entry.to_string());
        let trimmed = entry.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(invalid());
        }
        let (host, prefix) = match trimmed.split_once('/') {
            Some((host, prefix)) => (host, Some(prefix)),
            None => (trimmed, None),
        };
        // Parse `host/prefix` (or `host/x` for a bare host) as a reference whose first
        // component is forced to be a registry, so Docker's normalisation applies.
        let probe = format!("{host}/{}", prefix.unwrap_or("x"));
        let parsed = image_ref::parse(&probe).map_err(|_| invalid())?;
        if !image_ref::names_registry(host) || parsed.tag.is_some() || parsed.digest.is_some() {
            return Err(invalid());
        }
        Ok(Self {
            host: parsed.registry,
            prefix: prefix.map(|_| parsed.repository),
        })
    }

    fn allows(&self, registry: &str, repository: &str) -> bool {
        registry == self.host
            && self.prefix.as_deref().is_none_or(|prefix| {
                repository == prefix
                    || repository
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

/// The rules to check and what they need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    rules: BTreeSet<Rule>,
    candidates: bool,
    allowed_registries: Vec<AllowedRegistry>,
    /// The images of `--image-store`, for the `missing` rule.
    stores: Option<Arc<ImageStores>>,
}

impl Policy {
    /// The policy of `--fail-on` names, `--allowed-registries` entries and the loaded
    /// `--image-store`s.
    pub fn new(
        gates: &[Gate],
        allowed_registries: &[String],
        stores: Option<Arc<ImageStores>>,
    ) -> Result<Self, GateError> {
        let rules: BTreeSet<Rule> = gates
            .iter()
            .filter_map(|gate| match gate {
                Gate::Rule(rule) => Some(*rule),
                Gate::Candidates => None,
            })
            .collect();
        match (
            rules.contains(&Rule::Registry),
            allowed_registries.is_empty(),
        ) {
            (true, true) => return Err(GateError::NoAllowedRegistries),
            (false, false) => return Err(GateError::RegistriesWithoutGate),
            _ => {}
        }
        if rules.contains(&Rule::Missing) && stores.is_none() {
            return Err(GateError::NoImageStores);
        }
        let allowed_registries = allowed_registries
            .iter()
            .map(|entry| AllowedRegistry::parse(entry))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            rules,
            candidates: gates.contains(&Gate::Candidates),
            allowed_registries,
            stores,
        })
    }

    /// The rules checked, in a stable order.
    pub fn rules(&self) -> Vec<Rule> {
        self.rules.iter().copied().collect()
    }

    /// Every failure of `result`, in a stable order: its problems first, then each image (in
    /// the record's order, candidates after) with each rule it breaks, once per file using it.
    pub fn check(&self, result: &ScanResult) -> Vec<Failure> {
        let package = package_name(result);
        let input = match &result.source.entry {
            Some(entry) => format!("{}#{entry}", result.source.path),
            None => result.source.path.clone(),
        };
        let mut failures = Vec::new();
        let problem_rule = if self.rules.contains(&Rule::Problems) {
            Some(Rule::Problems)
        } else {
            self.rules
                .contains(&Rule::Advisories)
                .then_some(Rule::Advisories)
        };
        if let Some(rule) = problem_rule {
            for problem in &result.problems {
                if rule == Rule::Advisories && problem.severity() != Severity::Advisory {
                    continue;
                }
                failures.push(Failure {
                    package: package.clone(),
                    input: input.clone(),
                    rule,
                    image: None,
                    file: None,
                    location: result.source.path.clone(),
                    message: format!("{}: {}", problem.title, problem.detail),
                });
            }
        }
        let images = result.images.iter().map(|image| Checked {
            reference: &image.reference,
            digest: image.digest.as_deref(),
            only_in_tests: image.only_in_tests(),
            files: image.used_by.iter().map(|u| u.source.as_str()).collect(),
        });
        let candidates = result
            .candidate_images
            .iter()
            .filter(|_| self.candidates)
            .map(|image| Checked {
                reference: &image.reference,
                digest: image.digest.as_deref(),
                only_in_tests: image.only_in_tests(),
                files: image.found_in.iter().map(|f| f.source.as_str()).collect(),
            });
        for image in images.chain(candidates) {
            let Ok(parsed) = image_ref::parse(image.reference) else {
                continue; // already a problem of the package
            };
            let reference = image.reference;
            let mut distinct: Vec<&str> = Vec::new();
            for file in image.files.iter().copied() {
                if !distinct.contains(&file) {
                    distinct.push(file);
                }
            }
            for rule in self.rules.iter().copied() {
                let Some(message) = self.image_failure(rule, &image, &parsed) else {
                    continue;
                };
                for file in &distinct {
                    failures.push(Failure {
                        package: package.clone(),
                        input: input.clone(),
                        rule,
                        image: Some(reference.to_string()),
                        file: Some(file.to_string()),
                        location: location_of(result, file),
                        message: message.clone(),
                    });
                }
            }
        }
        failures
    }

    /// Why `checked` (parsed as `image`) breaks `rule`, when it does (only the image rules can).
    fn image_failure(
        &self,
        rule: Rule,
        checked: &Checked<'_>,
        image: &image_ref::ImageRef,
    ) -> Option<String> {
        let reference = checked.reference;
        match rule {
            Rule::Problems | Rule::Advisories => None,
            Rule::Unpinned => checked
                .digest
                .is_none()
                .then(|| format!("image {reference} is not pinned by a digest")),
            Rule::Missing => {
                let stores = self.stores.as_deref()?;
                (!checked.only_in_tests && stores.holds(image) == Held::No)
                    .then(|| format!("image {reference} is in none of the image stores"))
            }
            Rule::Latest => match (&image.tag, &image.digest) {
                (Some(tag), _) if tag == "latest" => {
                    Some(format!("image {reference} uses the latest tag"))
                }
                (None, None) => Some(format!(
                    "image {reference} has neither tag nor digest (it means :latest)"
                )),
                _ => None,
            },
            Rule::Registry => {
                let allowed = self
                    .allowed_registries
                    .iter()
                    .any(|a| a.allows(&image.registry, &image.repository));
                (!allowed).then(|| {
                    format!(
                        "image {reference} comes from {}/{}, outside the allowed registries",
                        image.registry, image.repository
                    )
                })
            }
        }
    }
}

/// One image the image rules check, as its record has it.
struct Checked<'a> {
    reference: &'a str,
    /// Written in the reference, or filled from an image store.
    digest: Option<&'a str>,
    only_in_tests: bool,
    /// The templates or files using it.
    files: Vec<&'a str>,
}

/// The package as a failure names it: its title, or the input path when it has none.
fn package_name(result: &ScanResult) -> String {
    match &result.package {
        Some(package) => package.title.clone(),
        None => result.source.path.clone(),
    }
}

/// The file a reader opens for a package file named `file` (`<root>/templates/x.yaml`, the
/// package root's name first): its path on disk when the input is a folder, otherwise the
/// input (an archive or a single manifest) itself.
fn location_of(result: &ScanResult, file: &str) -> String {
    if result.source.format != SourceFormat::Dir {
        return result.source.path.clone();
    }
    let Some((_, inside)) = file.split_once('/') else {
        return result.source.path.clone();
    };
    let mut path = PathBuf::from(&result.source.path);
    if let Some(entry) = &result.source.entry {
        path.push(entry);
    }
    path.push(inside);
    path.to_string_lossy().into_owned()
}

/// One rule one package breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The package's title (the input path when it has none).
    pub package: String,
    /// The input the package came from (`path#entry` for a package inside it).
    pub input: String,
    /// The rule broken.
    pub rule: Rule,
    /// The image reference as written, for the image rules.
    pub image: Option<String>,
    /// The template or file the image came from (as the records' `source` names it).
    pub file: Option<String>,
    /// The file to look at: the template on disk for a folder input, else the input.
    pub location: String,
    /// What is wrong, specifically.
    pub message: String,
}

impl fmt::Display for Failure {
    /// The one line a failure prints: package, rule, image, and the file it came from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {} in {}",
            self.package,
            self.rule,
            self.image.as_deref().unwrap_or("-"),
            self.location
        )?;
        // Inside an archive or a manifest stream, the file in it as well.
        let on_disk = |file: &str| {
            file.split_once('/')
                .is_some_and(|(_, inside)| Path::new(&self.location).ends_with(inside))
        };
        if let Some(file) = self.file.as_deref().filter(|f| !on_disk(f)) {
            write!(f, " ({file})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Whether `result` names an input path that does not exist or cannot be read.
pub fn input_unreadable(result: &ScanResult) -> bool {
    result
        .problems
        .iter()
        .any(|p| p.kind() == Some(ProblemKind::InputUnreadable))
}
