//! Semantic versions and range constraints as Masterminds/semver v3 reads them (Helm's
//! `IsCompatibleRange` for dependencies and kubeVersion checks).

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
}

impl Version {
    /// Lenient parse, as `semver.NewVersion`: optional `v`, minor and patch may be omitted.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let (core, _build) = match text.split_once('+') {
            Some((c, b)) if is_dotted_ident(b) => (c, Some(b)),
            Some(_) => return None,
            None => (text, None),
        };
        let (core, pre) = match core.split_once('-') {
            Some((c, p)) if is_dotted_ident(p) => (c, p.to_string()),
            Some(_) => return None,
            None => (core, String::new()),
        };
        let mut parts = core.split('.');
        let mut number = |required: bool| -> Option<u64> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
                Some(_) => None,
                None if required => None,
                None => Some(0),
            }
        };
        let major = number(true)?;
        let minor = number(false)?;
        let patch = number(false)?;
        if parts.next().is_some() {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre,
        })
    }

    fn cmp_core(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

fn is_dotted_ident(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut pa = a.split('.');
    let mut pb = b.split('.');
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    _ => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_core(other)
            .then_with(|| cmp_pre(&self.pre, &other.pre))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A constraint's version with the parts written as `x`/`*` (or left out) marked as wildcards.
#[derive(Debug, Clone)]
struct Partial {
    version: Version,
    /// How many leading parts were given as numbers (0 = `*`, 1 = `1.x`, 2 = `1.2.x`, 3 = full).
    fixed: usize,
}

fn parse_partial(text: &str) -> Option<Partial> {
    let text = text.strip_prefix('v').unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let (core, pre) = match text.split_once('-') {
        Some((c, p)) => (c, p.split('+').next().unwrap_or("").to_string()),
        None => (text.split('+').next().unwrap_or(""), String::new()),
    };
    let mut nums = [0u64; 3];
    let mut fixed = 0;
    let mut wild = false;
    for (i, part) in core.split('.').enumerate() {
        if i >= 3 {
            return None;
        }
        if matches!(part, "x" | "X" | "*") {
            wild = true;
            continue;
        }
        if wild || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums[i] = part.parse().ok()?;
        fixed = i + 1;
    }
    Some(Partial {
        version: Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre,
        },
        fixed,
    })
}

/// The first version above everything a partial covers (`1.2.x` → `1.3.0`).
fn bump(p: &Partial) -> Option<Version> {
    let v = &p.version;
    let next = match p.fixed {
        0 => return None,
        1 => (v.major + 1, 0, 0),
        2 => (v.major, v.minor + 1, 0),
        _ => (v.major, v.minor, v.patch + 1),
    };
    Some(Version {
        major: next.0,
        minor: next.1,
        patch: next.2,
        pre: String::new(),
    })
}

fn base(p: &Partial) -> Version {
    Version {
        pre: p.version.pre.clone(),
        ..p.version.clone()
    }
}

fn check_one(op: &str, p: &Partial, v: &Version) -> bool {
    let lo = base(p);
    let hi = bump(p);
    let below_hi = |v: &Version| hi.as_ref().is_none_or(|h| v.cmp_core(h) == Ordering::Less);
    match op {
        "" | "=" => {
            if p.fixed == 3 {
                v == &lo
            } else {
                v >= &lo && below_hi(v)
            }
        }
        "!=" => {
            if p.fixed == 3 {
                v != &lo
            } else {
                !(v >= &lo && below_hi(v))
            }
        }
        ">" => {
            if p.fixed == 3 {
                v > &lo
            } else {
                hi.is_some_and(|h| v >= &h)
            }
        }
        ">=" | "=>" => v >= &lo,
        "<" => v < &lo,
        "<=" | "=<" => {
            if p.fixed == 3 {
                v <= &lo
            } else {
                below_hi(v)
            }
        }
        "~" | "~>" => {
            let upper = match p.fixed {
                0 => return true,
                1 => (lo.major + 1, 0),
                _ => (lo.major, lo.minor + 1),
            };
            v >= &lo && (v.major, v.minor) < upper
        }
        "^" => {
            if v < &lo {
                return false;
            }
            let upper = if lo.major > 0 || p.fixed <= 1 {
                (lo.major + 1, 0, 0)
            } else if lo.minor > 0 || p.fixed == 2 {
                (0, lo.minor + 1, 0)
            } else {
                (0, 0, lo.patch + 1)
            };
            (v.major, v.minor, v.patch) < upper
        }
        _ => false,
    }
}

const OPERATORS: [&str; 12] = [
    "!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^", "",
];

/// Whether `version` satisfies `constraint` (Helm's `IsCompatibleRange`); an unparsable
/// constraint or version is not compatible.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = Version::parse(version) else {
        return false;
    };
    let constraint = constraint.trim();
    if constraint.is_empty() {
        return false;
    }
    constraint.split("||").any(|alternative| {
        let Some(terms) = parse_terms(alternative) else {
            return false;
        };
        // A prerelease only satisfies a range that names a prerelease itself.
        if !v.pre.is_empty() && !terms.iter().any(|(_, p)| !p.version.pre.is_empty()) {
            return false;
        }
        terms.iter().all(|(op, p)| check_one(op, p, &v))
    })
}

fn parse_terms(alternative: &str) -> Option<Vec<(&'static str, Partial)>> {
    let tokens: Vec<&str> = alternative
        .split([',', ' '])
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return None;
    }
    let mut terms = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        // Hyphen range `1.2 - 1.4.5`.
        if tokens.get(i + 1) == Some(&"-") {
            let lo = parse_partial(tokens[i])?;
            let hi = parse_partial(tokens.get(i + 2)?)?;
            terms.push((">=", lo));
            terms.push(("<=", hi));
            i += 3;
            continue;
        }
        let mut token = tokens[i];
        let mut op = OPERATORS
            .iter()
            .find(|o| token.starts_with(**o))
            .copied()
            .unwrap_or("");
        // An operator written apart from its version (`>= 1.2`).
        if token == op && !op.is_empty() {
            i += 1;
            token = tokens.get(i)?;
        } else {
            token = &token[op.len()..];
        }
        if op.is_empty() && token.is_empty() {
            op = "";
        }
        terms.push((op, parse_partial(token.trim())?));
        i += 1;
    }
    Some(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_masterminds() {
        assert!(is_compatible_range("0.1.0", "0.1.0"));
        assert!(!is_compatible_range("0.2.0", "0.1.0"));
        assert!(is_compatible_range("~0.1", "0.1.0"));
        assert!(is_compatible_range("^1.2.0", "1.9.0"));
        assert!(!is_compatible_range("^0.2.3", "0.3.0"));
        assert!(is_compatible_range("16.x.x", "16.7.27"));
        assert!(is_compatible_range(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(is_compatible_range(">= 1.0.0, < 2.0.0", "1.5.0"));
        assert!(is_compatible_range("*", "3.0.0"));
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(is_compatible_range("1.2 - 1.4.5", "1.3.0"));
        assert!(!is_compatible_range(">=1.0.0", "1.5.0-rc.1"));
        assert!(is_compatible_range(">=1.0.0-0", "1.5.0-rc.1"));
        assert!(is_compatible_range("<1.5.0", "v1.4.2"));
    }

    #[test]
    fn lenient_versions() {
        assert!(Version::parse("1").is_some());
        assert!(Version::parse("v1.2.3-rc.1+b").is_some());
        assert!(Version::parse("1.2.3.4").is_none());
        assert!(Version::parse("abc").is_none());
    }
}
