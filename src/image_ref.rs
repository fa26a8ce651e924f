//! Docker/OCI image references, parsed and normalised as Docker does
//! (`github.com/distribution/reference`: `ParseNormalizedNamed`).
//!
//! `[registry[:port]/]path[/path...][:tag][@algorithm:hex]`. The first path component is a
//! registry when it holds a `.` or a `:`, is `localhost`, or has upper-case letters;
//! otherwise the registry is Docker Hub (`docker.io`), whose one-component repositories are
//! official images under `library/`.

use thiserror::Error;

/// Docker Hub, as references name it after normalisation.
const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's legacy host, normalised to [`DOCKER_HUB`].
const DOCKER_HUB_LEGACY: &str = "index.docker.io";
/// Longest repository name (registry included) Docker accepts.
const MAX_NAME_LENGTH: usize = 255;
/// Longest tag Docker accepts.
const MAX_TAG_LENGTH: usize = 128;

/// A reference split into its normalised parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (with port), `docker.io` when the reference names none.
    pub registry: String,
    /// The path inside the registry; Docker Hub's official images under `library/`.
    pub repository: String,
    /// The tag as written, if any.
    pub tag: Option<String>,
    /// `sha256:<64 hex>`: the only digest form the records carry.
    pub digest: Option<String>,
}

/// Why a reference is refused; the offending string is kept for the problem's detail.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid image reference {reference:?}: {reason}")]
pub struct InvalidImageRef {
    /// The refused reference.
    pub reference: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Parses `reference` as Docker would, normalising Docker Hub names.
pub fn parse(reference: &str) -> Result<ImageRef, InvalidImageRef> {
    parse_parts(reference).map_err(|reason| InvalidImageRef {
        reference: reference.to_string(),
        reason,
    })
}

fn parse_parts(reference: &str) -> Result<ImageRef, String> {
    if reference.is_empty() {
        return Err("empty reference".into());
    }
    if let Some(c) = reference
        .chars()
        .find(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!("contains the character {c:?}"));
    }
    let (name_and_tag, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(parse_digest(digest)?)),
        None => (reference, None),
    };
    // A tag follows the last ':' that comes after the last '/' (a port comes before a '/').
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => {
            let colon = last_slash + i;
            let tag = &name_and_tag[colon + 1..];
            if !is_tag(tag) {
                return Err(format!("invalid tag {tag:?}"));
            }
            (&name_and_tag[..colon], Some(tag.to_string()))
        }
        None => (name_and_tag, None),
    };
    if name.is_empty() {
        return Err("no repository name".into());
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(format!(
            "repository name longer than {MAX_NAME_LENGTH} characters"
        ));
    }
    if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("a 64-character hexadecimal string is an image id, not a name".into());
    }
    let (registry, remainder) = split_registry(name);
    if remainder.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("repository name must be lowercase".into());
    }
    let registry_ok = match registry {
        Some(host) => is_host_and_port(host) || is_path_component(host),
        None => true,
    };
    if !registry_ok || !remainder.split('/').all(is_path_component) {
        return Err("invalid repository name".into());
    }
    let registry = match registry {
        None | Some(DOCKER_HUB_LEGACY) => DOCKER_HUB,
        Some(host) => host,
    };
    let repository = if registry == DOCKER_HUB && !remainder.contains('/') {
        format!("library/{remainder}")
    } else {
        remainder.to_string()
    };
    Ok(ImageRef {
        registry: registry.to_string(),
        repository,
        tag,
        digest,
    })
}

/// Splits off the registry host when the first component names one.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest)) if names_registry(first) => (Some(first), rest),
        _ => (None, name),
    }
}

/// Whether the first component of a name is a registry host (Docker's rule): it holds a `.`
/// or a `:`, is `localhost`, or has upper-case letters.
pub(crate) fn names_registry(first: &str) -> bool {
    first.contains(['.', ':'])
        || first == "localhost"
        || first.chars().any(|c| c.is_ascii_uppercase())
}

/// `algorithm:hex`; only sha256 (64 lower-case hex digits) is accepted, since the records
/// carry sha256 digests only.
fn parse_digest(digest: &str) -> Result<String, String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!("digest {digest:?} has no algorithm"));
    };
    if algorithm != "sha256" {
        return Err(format!("unsupported digest algorithm {algorithm:?}"));
    }
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!(
            "digest {digest:?} is not 64 lower-case hexadecimal digits"
        ));
    }
    Ok(digest.to_string())
}

/// `[\w][\w.-]{0,127}`
fn is_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    tag.len() <= MAX_TAG_LENGTH
        && chars.next().is_some_and(word)
        && chars.all(|c| word(c) || c == '.' || c == '-')
}

/// `[a-z0-9]+` runs joined by one separator: `.`, `_`, `__` or one or more `-`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// A DNS-like host (letters of either case, digits, inner hyphens, dot-separated) or a
/// bracketed IPv6 address, with an optional numeric port.
fn is_host_and_port(registry: &str) -> bool {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((address, after)) = rest.split_once(']') else {
            return false;
        };
        if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return false,
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        }
    };
    let host_ok = host.is_empty() && registry.starts_with('[')
        || host.split('.').all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d";

    fn ok(reference: &str, registry: &str, repository: &str, tag: Option<&str>) {
        let parsed = parse(reference).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.registry, registry, "registry of {reference}");
        assert_eq!(parsed.repository, repository, "repository of {reference}");
        assert_eq!(parsed.tag.as_deref(), tag, "tag of {reference}");
    }

    fn bad(reference: &str) {
        let err = parse(reference).expect_err(reference);
        assert_eq!(err.reference, reference);
    }

    #[test]
    fn official_image_without_tag() {
        ok("nginx", "docker.io", "library/nginx", None);
    }
    #[test]
    fn official_image_with_tag() {
        ok("nginx:1.25", "docker.io", "library/nginx", Some("1.25"));
    }
    #[test]
    fn official_image_alpine_tag() {
        ok("redis:alpine", "docker.io", "library/redis", Some("alpine"));
    }
    #[test]
    fn hub_user_image() {
        ok(
            "bitnami/redis:7.2",
            "docker.io",
            "bitnami/redis",
            Some("7.2"),
        );
    }
    #[test]
    fn explicit_docker_io_official() {
        ok("docker.io/nginx", "docker.io", "library/nginx", None);
    }
    #[test]
    fn explicit_docker_io_library() {
        ok(
            "docker.io/library/nginx:1",
            "docker.io",
            "library/nginx",
            Some("1"),
        );
    }
    #[test]
    fn legacy_hub_host_is_normalised() {
        ok("index.docker.io/nginx", "docker.io", "library/nginx", None);
    }
    #[test]
    fn quay_registry() {
        ok(
            "quay.io/jetstack/cert-manager-controller:v1.14.0",
            "quay.io",
            "jetstack/cert-manager-controller",
            Some("v1.14.0"),
        );
    }
    #[test]
    fn ghcr_nested_path() {
        ok("ghcr.io/a/b/c/d:1", "ghcr.io", "a/b/c/d", Some("1"));
    }
    #[test]
    fn gcr_style_artifact_registry() {
        ok(
            "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v0.10.6",
            "us-central1-docker.pkg.dev",
            "online-boutique-ci/microservices-demo/frontend",
            Some("v0.10.6"),
        );
    }
    #[test]
    fn registry_k8s_io() {
        ok(
            "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0",
            "registry.k8s.io",
            "kube-state-metrics/kube-state-metrics",
            Some("v2.13.0"),
        );
    }
    #[test]
    fn localhost_registry() {
        ok("localhost/app", "localhost", "app", None);
    }
    #[test]
    fn localhost_with_port() {
        ok(
            "localhost:5000/app:dev",
            "localhost:5000",
            "app",
            Some("dev"),
        );
    }
    #[test]
    fn host_with_port_and_nested_path() {
        ok(
            "registry.example.com:8443/team/app:1.0",
            "registry.example.com:8443",
            "team/app",
            Some("1.0"),
        );
    }
    #[test]
    fn host_with_port_no_tag() {
        ok("myregistry:5000/app", "myregistry:5000", "app", None);
    }
    #[test]
    fn ip_registry_with_port() {
        ok("10.0.0.1:5000/app:1", "10.0.0.1:5000", "app", Some("1"));
    }
    #[test]
    fn ipv6_registry() {
        ok("[::1]:5000/app:1", "[::1]:5000", "app", Some("1"));
    }
    #[test]
    fn upper_case_first_component_is_a_registry() {
        ok("MyRegistry/app", "MyRegistry", "app", None);
    }
    #[test]
    fn lower_case_first_component_is_a_path() {
        ok("team/app", "docker.io", "team/app", None);
    }
    #[test]
    fn localhost_alone_is_a_name_with_tag() {
        ok(
            "localhost:5000",
            "docker.io",
            "library/localhost",
            Some("5000"),
        );
    }
    #[test]
    fn separators_in_path() {
        ok("x/a.b_c__d-e---f", "docker.io", "x/a.b_c__d-e---f", None);
    }
    #[test]
    fn dot_in_first_component_makes_it_a_registry() {
        ok("a.b/c", "a.b", "c", None);
    }
    #[test]
    fn tag_with_dots_dashes_underscores() {
        ok(
            "app:v1.2.3-rc_1",
            "docker.io",
            "library/app",
            Some("v1.2.3-rc_1"),
        );
    }
    #[test]
    fn tag_starting_with_underscore() {
        ok("app:_x", "docker.io", "library/app", Some("_x"));
    }
    #[test]
    fn tag_upper_case_allowed() {
        ok("app:Latest", "docker.io", "library/app", Some("Latest"));
    }
    #[test]
    fn digest_only() {
        let parsed = parse(&format!("busybox@{DIGEST}")).unwrap();
        assert_eq!(parsed.repository, "library/busybox");
        assert_eq!(parsed.tag, None);
        assert_eq!(parsed.digest.as_deref(), Some(DIGEST));
    }
    #[test]
    fn tag_and_digest() {
        let parsed = parse(&format!("busybox:1.38.0@{DIGEST}")).unwrap();
        assert_eq!(parsed.tag.as_deref(), Some("1.38.0"));
        assert_eq!(parsed.digest.as_deref(), Some(DIGEST));
    }
    #[test]
    fn registry_port_tag_and_digest() {
        let parsed = parse(&format!("reg:5000/a/b:t@{DIGEST}")).unwrap();
        assert_eq!(parsed.registry, "reg:5000");
        assert_eq!(parsed.repository, "a/b");
        assert_eq!(parsed.tag.as_deref(), Some("t"));
        assert_eq!(parsed.digest.as_deref(), Some(DIGEST));
    }
    #[test]
    fn registry_port_digest_no_tag() {
        let parsed = parse(&format!("reg:5000/a@{DIGEST}")).unwrap();
        assert_eq!(parsed.registry, "reg:5000");
        assert_eq!(parsed.tag, None);
    }
    #[test]
    fn longest_tag_accepted() {
        ok(
            &format!("app:{}", "a".repeat(128)),
            "docker.io",
            "library/app",
            Some(&"a".repeat(128)),
        );
    }

    #[test]
    fn empty_is_invalid() {
        bad("");
    }
    #[test]
    fn upper_case_repository_is_invalid() {
        bad("Nginx");
        let err = parse("docker.io/Library/nginx").unwrap_err();
        assert!(err.reason.contains("lowercase"), "{}", err.reason);
    }
    #[test]
    fn spaces_are_invalid() {
        bad("nginx latest");
        bad(" nginx");
        bad("nginx\t");
    }
    #[test]
    fn bad_digest_hex_is_invalid() {
        bad("nginx@sha256:abc");
        bad(&format!(
            "nginx@{}",
            DIGEST.to_uppercase().replace("SHA256", "sha256")
        ));
    }
    #[test]
    fn digest_without_algorithm_is_invalid() {
        bad("nginx@0123");
    }
    #[test]
    fn other_digest_algorithms_are_refused() {
        bad(&format!("nginx@sha512:{}", "a".repeat(128)));
    }
    #[test]
    fn empty_tag_is_invalid() {
        bad("nginx:");
    }
    #[test]
    fn tag_starting_with_dot_or_dash_is_invalid() {
        bad("nginx:.x");
        bad("nginx:-x");
    }
    #[test]
    fn too_long_tag_is_invalid() {
        bad(&format!("app:{}", "a".repeat(129)));
    }
    #[test]
    fn double_slash_is_invalid() {
        bad("a//b");
    }
    #[test]
    fn trailing_slash_is_invalid() {
        bad("a/b/");
    }
    #[test]
    fn leading_separator_is_invalid() {
        bad("-app");
        bad("_app");
        bad("a/.b");
    }
    #[test]
    fn bad_separators_are_invalid() {
        bad("a___b");
        bad("a..b");
        bad("a._b");
    }
    #[test]
    fn template_leftovers_are_invalid() {
        bad("{{ .Values.image }}");
        bad("repo/app:{{.Chart.AppVersion}}");
    }
    #[test]
    fn only_registry_is_invalid() {
        bad("quay.io/");
    }
    #[test]
    fn bad_port_is_invalid() {
        bad("reg:port/app");
        bad("reg:/app");
    }
    #[test]
    fn image_id_is_invalid() {
        bad(&"a".repeat(64));
    }
    #[test]
    fn too_long_name_is_invalid() {
        bad(&format!("a/{}", "b".repeat(260)));
    }
    #[test]
    fn only_tag_is_invalid() {
        bad(":latest");
        bad(&format!("@{DIGEST}"));
    }
    #[test]
    fn two_at_signs_are_invalid() {
        bad(&format!("a@{DIGEST}@{DIGEST}"));
    }
    #[test]
    fn unicode_is_invalid() {
        bad("ngïnx");
    }
}
