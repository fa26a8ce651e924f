//! Sprig's `urlParse` and `urlJoin`, on a port of the parts of Go's `net/url` they use.

use super::super::{CallCtx, FuncMap, Param};
use crate::template::value::{Entries, FuncError, Value};

pub(super) fn register(map: &mut FuncMap) {
    map.add("urlParse", &[Param::Str], None, url_parse);
    map.add("urlJoin", &[Param::Map], None, url_join);
}

/// The fields of a Go `url.URL` that Sprig reads or writes.
#[derive(Debug, Default, PartialEq)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    raw_query: String,
    force_query: bool,
    fragment: String,
}

fn url_parse(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let raw = a[0].as_str().unwrap_or("");
    let url = parse(raw).map_err(|e| {
        FuncError::new(format!(
            "unable to parse url: parse {}: {e}",
            crate::go::strconv::quote(raw)
        ))
    })?;
    let mut dict = Entries::new();
    let hostname = hostname(&url.host);
    let userinfo = url.user.as_ref().map(user_string).unwrap_or_default();
    for (k, v) in [
        ("scheme", url.scheme),
        ("host", url.host),
        ("hostname", hostname),
        ("path", url.path),
        ("query", url.raw_query),
        ("opaque", url.opaque),
        ("fragment", url.fragment),
        ("userinfo", userinfo),
    ] {
        dict.insert(k.into(), Value::str(v));
    }
    Ok(Value::map(dict))
}

fn url_join(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let entries = match &a[0] {
        Value::Map(m) => m.snapshot(),
        _ => Entries::new(),
    };
    let field = |key: &str| -> Result<String, FuncError> {
        match entries.get(key) {
            None => Ok(String::new()),
            Some(s @ (Value::Str(_) | Value::RawStr(_))) => {
                Ok(s.as_str().unwrap_or_default().into())
            }
            Some(other) => Err(FuncError::new(format!(
                "unable to parse {key} key, must be of type string, but {} found",
                other.type_name()
            ))),
        }
    };
    let mut url = Url {
        scheme: field("scheme")?,
        host: field("host")?,
        path: field("path")?,
        raw_query: field("query")?,
        opaque: field("opaque")?,
        fragment: field("fragment")?,
        ..Url::default()
    };
    let userinfo = field("userinfo")?;
    if !userinfo.is_empty() {
        let parsed = parse(&format!("proto://{userinfo}@host"))
            .map_err(|e| FuncError::new(format!("unable to parse userinfo in dict: {e}")))?;
        url.user = parsed.user;
    }
    Ok(Value::str(to_string(&url)))
}

fn parse(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = fragment {
        url.fragment = unescape(f)?;
    }
    let mut rest = rest;
    if let Some((scheme, after)) = split_scheme(rest)? {
        url.scheme = scheme.to_ascii_lowercase();
        rest = after;
    }
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let first_segment = rest.split('/').next().unwrap_or("");
        if first_segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let (user, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        if let Some(user) = user {
            url.user = Some(match user.split_once(':') {
                Some((name, password)) => (unescape(name)?, Some(unescape(password)?)),
                None => (unescape(user)?, None),
            });
        }
        url.host = parse_host(host)?;
        rest = path;
    }
    url.path = unescape(rest)?;
    Ok(url)
}

/// Go's `getScheme`: letters first, then letters, digits, `+`, `-`, `.` up to a colon.
fn split_scheme(raw: &str) -> Result<Option<(&str, &str)>, String> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme".into()),
            ':' => return Ok(Some((&raw[..i], &raw[i + 1..]))),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

fn parse_host(host: &str) -> Result<String, String> {
    if let Some(inner) = host.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &inner[close + 1..];
        if !port.is_empty() && !valid_port(port) {
            return Err(format!(
                "invalid port {} after host",
                crate::go::strconv::quote(port)
            ));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(port) {
            return Err(format!(
                "invalid port {} after host",
                crate::go::strconv::quote(port)
            ));
        }
    }
    unescape(host)
}

fn valid_port(port: &str) -> bool {
    port.strip_prefix(':')
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

fn hostname(host: &str) -> String {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or("").to_string();
    }
    match host.rfind(':') {
        Some(i) if valid_port(&host[i..]) => host[..i].to_string(),
        _ => host.to_string(),
    }
}

fn unescape(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            let Some(hex) = hex else {
                let bad: String = s[i..].chars().take(3).collect();
                return Err(format!(
                    "invalid URL escape {}",
                    crate::go::strconv::quote(&bad)
                ));
            };
            out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    match mode {
        Mode::Host => !matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        ),
        Mode::Path => !matches!(
            c,
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@'
        ),
        Mode::UserPassword => !matches!(c, b'$' | b'&' | b'+' | b',' | b';' | b'='),
        Mode::Fragment => !matches!(
            c,
            b'$' | b'&'
                | b'+'
                | b','
                | b'/'
                | b':'
                | b';'
                | b'='
                | b'?'
                | b'@'
                | b'!'
                | b'('
                | b')'
                | b'*'
        ),
    }
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

fn user_string((name, password): &(String, Option<String>)) -> String {
    let mut out = escape(name, Mode::UserPassword);
    if let Some(p) = password {
        out.push(':');
        out.push_str(&escape(p, Mode::UserPassword));
    }
    out
}

/// Go's `URL.String()`.
fn to_string(u: &Url) -> String {
    let mut out = String::new();
    if !u.scheme.is_empty() {
        out.push_str(&u.scheme);
        out.push(':');
    }
    if !u.opaque.is_empty() {
        out.push_str(&u.opaque);
    } else {
        if !u.scheme.is_empty() || !u.host.is_empty() || u.user.is_some() {
            if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                out.push_str("//");
            }
            if let Some(user) = &u.user {
                out.push_str(&user_string(user));
                out.push('@');
            }
            out.push_str(&escape(&u.host, Mode::Host));
        }
        let path = escape(&u.path, Mode::Path);
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            out.push('/');
        }
        if out.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
            out.push_str("./");
        }
        out.push_str(&path);
    }
    if u.force_query || !u.raw_query.is_empty() {
        out.push('?');
        out.push_str(&u.raw_query);
    }
    if !u.fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&u.fragment, Mode::Fragment));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_net_url() {
        let u = parse("https://user:pw@example.com:8443/a/b?x=1&y=2#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "example.com:8443");
        assert_eq!(hostname(&u.host), "example.com");
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.raw_query, "x=1&y=2");
        assert_eq!(u.fragment, "frag");
        assert_eq!(user_string(u.user.as_ref().unwrap()), "user:pw");
        let m = parse("mailto:joe@example.com").unwrap();
        assert_eq!(m.opaque, "joe@example.com");
        assert_eq!(parse("/just/a/path?q").unwrap().raw_query, "q");
        assert_eq!(parse("http://h/a%20b").unwrap().path, "/a b");
        assert_eq!(parse("http://[::1").unwrap_err(), "missing ']' in host");
        assert!(parse("http://a b.com/\x7f").is_err());
    }

    #[test]
    fn joins_like_net_url() {
        let u = Url {
            scheme: "https".into(),
            host: "example.com:8443".into(),
            path: "/a b".into(),
            raw_query: "x=1".into(),
            fragment: "top".into(),
            ..Url::default()
        };
        assert_eq!(to_string(&u), "https://example.com:8443/a%20b?x=1#top");
        assert_eq!(
            to_string(&Url {
                path: "a:b".into(),
                ..Url::default()
            }),
            "./a:b"
        );
        assert_eq!(
            to_string(&parse("https://u@h.io:1/p?q=1#f").unwrap()),
            "https://u@h.io:1/p?q=1#f"
        );
        assert_eq!(to_string(&Url::default()), "");
    }
}
