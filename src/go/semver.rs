//! Semantic versions and version constraints with the rules of Masterminds/semver v3, which Sprig's
//! `semver`/`semverCompare` and Helm's `kubeVersion` checks use. Its quirks are kept on purpose:
//! partial versions (`1.2`), a leading `v`, `x`/`*` wildcards, hyphen ranges, and pre-releases only
//! matching constraints that name a pre-release themselves.

use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

/// A parsed version, keeping the text it came from (`Original`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

/// The error texts are Masterminds' own, as they surface in template errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    #[error("invalid semantic version")]
    InvalidVersion,
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    #[error("improper constraint: {0}")]
    ImproperConstraint(String),
}

const VERSION_PATTERN: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
// Constraint versions also allow the wildcards x, X and * (and, as upstream's character class
// is written, a literal `|`).
const CONSTRAINT_VERSION_PATTERN: &str = r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
// Order matters: the regex engine takes the first alternative that lets the whole pattern match,
// as Go's does, and the empty operator sits where upstream put it.
const OPERATORS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
// Go's `\s` is ASCII whitespace only.
const WS: &str = r"[\t\n\f\r ]";

struct Patterns {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let cv = CONSTRAINT_VERSION_PATTERN;
        let ops = OPERATORS;
        let compile = |p: String| Regex::new(&p).expect("static semver pattern");
        Patterns {
            version: compile(format!("^{VERSION_PATTERN}$")),
            constraint: compile(format!("^{WS}*({ops}){WS}*({cv}){WS}*$")),
            range: compile(format!("{WS}*({cv}){WS}+-{WS}+({cv}){WS}*")),
            find: compile(format!("({ops}){WS}*({cv})")),
            valid: compile(format!(
                "^({WS}*({ops}){WS}*({cv}){WS}*)((?:{WS}+|,{WS}*)({ops}){WS}*({cv}){WS}*)*$"
            )),
        }
    })
}

impl Version {
    /// `semver.NewVersion`: lenient about missing minor/patch and a leading `v`.
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        let caps = patterns()
            .version
            .captures(text)
            .ok_or(SemverError::InvalidVersion)?;
        let segment = |i: usize| -> Result<u64, SemverError> {
            match caps.get(i) {
                None => Ok(0),
                Some(m) => m
                    .as_str()
                    .trim_start_matches('.')
                    .parse::<u64>()
                    .map_err(|_| SemverError::InvalidVersion),
            }
        };
        let pre = caps.get(5).map_or("", |m| m.as_str()).to_string();
        let metadata = caps.get(8).map_or("", |m| m.as_str()).to_string();
        for part in pre.split('.').filter(|_| !pre.is_empty()) {
            if part.len() > 1 && part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SemverError::SegmentStartsZero);
            }
        }
        Ok(Version {
            major: segment(1)?,
            minor: segment(2)?,
            patch: segment(3)?,
            pre,
            metadata,
            original: text.to_string(),
        })
    }

    /// Precedence order; build metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        let core =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if core != Ordering::Equal {
            return core;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_prerelease(&self.pre, &other.pre),
        }
    }

    pub fn inc_major(&self) -> Version {
        Version::bumped(self.major + 1, 0, 0)
    }

    pub fn inc_minor(&self) -> Version {
        Version::bumped(self.major, self.minor + 1, 0)
    }

    /// A pre-release version's patch bump is its release (1.2.3-rc1 → 1.2.3).
    pub fn inc_patch(&self) -> Version {
        if self.pre.is_empty() {
            Version::bumped(self.major, self.minor, self.patch + 1)
        } else {
            Version::bumped(self.major, self.minor, self.patch)
        }
    }

    fn bumped(major: u64, minor: u64, patch: u64) -> Version {
        let original = format!("{major}.{minor}.{patch}");
        Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let a_parts: Vec<&str> = a.split('.').collect();
    let b_parts: Vec<&str> = b.split('.').collect();
    for i in 0..a_parts.len().max(b_parts.len()) {
        let ord = compare_pre_part(
            a_parts.get(i).copied().unwrap_or(""),
            b_parts.get(i).copied().unwrap_or(""),
        );
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    // A missing part sorts below a numeric one and above an alphanumeric one, as upstream has it.
    if b.is_empty() {
        return if a.parse::<u64>().is_ok() {
            Ordering::Greater
        } else {
            Ordering::Less
        };
    }
    if a.is_empty() {
        return if b.parse::<u64>().is_ok() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Constraint {
    op: Op,
    version: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// `||`-separated groups of constraints that must all hold.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
}

fn is_wildcard(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// Rewrites `A - B` ranges into `>= A, <= B`, one occurrence at a time as upstream does.
fn rewrite_ranges(text: &str) -> String {
    let mut out = text.to_string();
    for caps in patterns().range.captures_iter(text) {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let low = caps.get(1).map_or("", |m| m.as_str());
        let high = caps.get(11).map_or("", |m| m.as_str());
        out = out.replacen(whole, &format!(">= {low}, <= {high}"), 1);
    }
    out
}

impl Constraints {
    /// `semver.NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraints, SemverError> {
        let rewritten = rewrite_ranges(text);
        let mut groups = Vec::new();
        for group in rewritten.split("||") {
            if !patterns().valid.is_match(group) {
                return Err(SemverError::ImproperConstraint(group.to_string()));
            }
            let found: Vec<&str> = patterns()
                .find
                .find_iter(group)
                .map(|m| m.as_str())
                .collect();
            let items = if found.is_empty() { vec![group] } else { found };
            groups.push(
                items
                    .into_iter()
                    .map(parse_constraint)
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(Constraints { groups })
    }

    /// True when every constraint of at least one group holds.
    pub fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|group| group.iter().all(|c| c.check(v)))
    }
}

fn parse_constraint(text: &str) -> Result<Constraint, SemverError> {
    if text.is_empty() {
        return Ok(Constraint {
            op: Op::TildeOrEqual,
            version: Version::bumped(0, 0, 0),
            dirty: true,
            minor_dirty: false,
            patch_dirty: false,
        });
    }
    let caps = patterns()
        .constraint
        .captures(text)
        .ok_or_else(|| SemverError::ImproperConstraint(text.to_string()))?;
    let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let op = match group(1) {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (major, minor, patch, pre) = (group(3), group(4), group(5), group(6));
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let version_text = if is_wildcard(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if is_wildcard(minor.trim_start_matches('.')) || minor.is_empty() {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{pre}")
    } else if is_wildcard(patch.trim_start_matches('.')) || patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        group(2).to_string()
    };
    let version = Version::parse(&version_text)
        .map_err(|_| SemverError::ImproperConstraint(text.to_string()))?;
    Ok(Constraint {
        op,
        version,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        let c = &self.version;
        // A pre-release only satisfies constraints that mention a pre-release themselves.
        if !v.pre.is_empty() && c.pre.is_empty() {
            return false;
        }
        match self.op {
            Op::TildeOrEqual if self.dirty => self.tilde(v),
            Op::TildeOrEqual => v.compare(c) == Ordering::Equal,
            Op::NotEqual => self.not_equal(v),
            Op::Greater => self.greater(v),
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => self.less_equal(v),
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.version;
        if self.dirty {
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            } else if self.minor_dirty {
                return false;
            } else if c.patch != v.patch && !self.patch_dirty {
                return true;
            } else if self.patch_dirty {
                if !v.pre.is_empty() || !c.pre.is_empty() {
                    return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                }
                return false;
            }
        }
        v.compare(c) != Ordering::Equal
    }

    fn greater(&self, v: &Version) -> bool {
        let c = &self.version;
        if !self.dirty {
            return v.compare(c) == Ordering::Greater;
        }
        if v.major != c.major {
            return v.major > c.major;
        }
        if self.minor_dirty {
            return false;
        }
        if self.patch_dirty {
            return v.minor > c.minor;
        }
        v.compare(c) == Ordering::Greater
    }

    fn less_equal(&self, v: &Version) -> bool {
        let c = &self.version;
        if !self.dirty {
            return v.compare(c) != Ordering::Greater;
        }
        if v.major > c.major {
            return false;
        }
        !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        // ~0.0.0 accepts everything, like >=0.0.0.
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn satisfies(constraint: &str, version: &str) -> bool {
        let c = Constraints::parse(constraint).expect("constraint");
        let v = Version::parse(version).expect("version");
        c.check(&v)
    }

    #[test]
    fn parses_partial_and_prefixed_versions() {
        let v = Version::parse("1.2.3-beta.1+build.5").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 3));
        assert_eq!(v.pre, "beta.1");
        assert_eq!(v.metadata, "build.5");
        assert_eq!(Version::parse("v1.33.0").unwrap().to_string(), "1.33.0");
        assert_eq!(Version::parse("1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(Version::parse("v3").unwrap().to_string(), "3.0.0");
        assert_eq!(Version::parse("01.2.3").unwrap().to_string(), "1.2.3");
        for bad in ["not-a-version", "1.2.3.4", "", "1.2.3-"] {
            assert_eq!(
                Version::parse(bad),
                Err(SemverError::InvalidVersion),
                "{bad}"
            );
        }
    }

    #[test]
    fn orders_prereleases_like_masterminds() {
        let lt = |a: &str, b: &str| {
            Version::parse(a)
                .unwrap()
                .compare(&Version::parse(b).unwrap())
        };
        assert_eq!(lt("1.0.0-alpha.10", "1.0.0-alpha.9"), Ordering::Greater);
        assert_eq!(lt("1.0.0-alpha", "1.0.0-alpha.1"), Ordering::Less);
        assert_eq!(lt("1.0.0-2", "1.0.0-10"), Ordering::Less);
        assert_eq!(lt("1.0.0+a", "1.0.0+b"), Ordering::Equal);
        assert_eq!(lt("1.2.3-alpha", "1.2.3"), Ordering::Less);
    }

    #[test]
    fn increments() {
        let v = Version::parse("1.2.3").unwrap();
        assert_eq!(v.inc_major().to_string(), "2.0.0");
        assert_eq!(v.inc_minor().to_string(), "1.3.0");
        assert_eq!(v.inc_patch().to_string(), "1.2.4");
        assert_eq!(
            Version::parse("1.2.3-rc1").unwrap().inc_patch().to_string(),
            "1.2.3"
        );
    }

    #[test]
    fn checks_constraints() {
        let cases = [
            (">=1.2.0", "1.2.0", true),
            (">1.2.0", "1.2.0", false),
            ("<1.2.0", "1.1.9", true),
            ("<=1.2", "1.2.5", true),
            ("=1.2.3", "1.2.3", true),
            ("1.2.3", "v1.2.3", true),
            ("!=1.2.3", "1.2.4", true),
            ("~1.2", "1.2.9", true),
            ("~1.2", "1.3.0", false),
            ("~1", "1.9.0", true),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("^1.2", "1.9.0", true),
            ("^1.2", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("1.x", "1.7.3", true),
            ("1.2.x", "1.3.0", false),
            ("*", "5.0.0", true),
            ("*", "1.0.0-rc1", false),
            ("1.X", "1.0.0", true),
            (">=1.2.0, <2.0.0", "1.5.0", true),
            (">=1.2.0 <2.0.0", "2.0.0", false),
            ("<1.0.0 || >=2.0.0", "2.1.0", true),
            ("<1.0.0 || >=2.0.0", "1.5.0", false),
            ("1.1 - 2", "2.5.0", true),
            ("1.1 - 2", "3.0.0", false),
            (">=1.20.0", "v1.33.0-gke.100", false),
            (">=1.20.0-0", "v1.33.0-gke.100", true),
            (">=1.21-0", "v1.33.0", true),
            ("<1.22-0", "v1.21.14-eks-18ef993", true),
            (">=1.2.3-beta.1", "1.2.3-beta.2", true),
            (">=1.2.3-beta.1", "1.2.4-beta.1", true),
            ("<2.0.0", "2.0.0-rc1", false),
            (">= 1.2.3", "1.2.3", true),
            ("=>1.2.3", "1.2.3", true),
            ("v1.2", "1.2.7", true),
            ("1.2.3+build", "1.2.3", true),
            ("~>1.2", "1.2.5", true),
            (">1.2", "1.2.5", false),
            (">1", "1.9.0", false),
            ("<=1", "1.9.0", true),
            (">=1.19-0", "1.18.2", false),
            (">=4.5", "4.5.6", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(satisfies(c, v), want, "{c} against {v}");
        }
    }

    #[test]
    fn rejects_bad_constraints() {
        assert_eq!(
            Constraints::parse("bogus").unwrap_err().to_string(),
            "improper constraint: bogus"
        );
    }
}
