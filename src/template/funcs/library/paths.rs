//! Sprig's path functions: Go's `path` package (slash-separated) and `filepath` (the `os…`
//! forms, identical on the Unix systems Helm runs on).

use super::super::{FuncMap, Param};
use crate::template::value::Value;

pub(super) fn register(map: &mut FuncMap) {
    use Param::Str;
    for name in ["base", "osBase"] {
        map.add(name, &[Str], None, |_, a| Ok(Value::str(base(text(&a[0])))));
    }
    for name in ["dir", "osDir"] {
        map.add(name, &[Str], None, |_, a| Ok(Value::str(dir(text(&a[0])))));
    }
    for name in ["clean", "osClean"] {
        map.add(name, &[Str], None, |_, a| {
            Ok(Value::str(clean(text(&a[0]))))
        });
    }
    for name in ["ext", "osExt"] {
        map.add(name, &[Str], None, |_, a| Ok(Value::str(ext(text(&a[0])))));
    }
    for name in ["isAbs", "osIsAbs"] {
        map.add(name, &[Str], None, |_, a| {
            Ok(Value::Bool(text(&a[0]).starts_with('/')))
        });
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Go's `path.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`.
pub(crate) fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`.
pub(crate) fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => return "",
            '.' => return &p[i..],
            _ => {}
        }
    }
    ""
}

/// Go's `path.Clean`: lexical processing of `.`, `..` and repeated slashes.
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_like_go() {
        assert_eq!(base("a/b/c.txt"), "c.txt");
        assert_eq!(base(""), ".");
        assert_eq!(base("/"), "/");
        assert_eq!(base("a/b/"), "b");
        assert_eq!(base("C:\\dir\\f.txt"), "C:\\dir\\f.txt");
        assert_eq!(dir("a/b/c"), "a/b");
        assert_eq!(dir("file"), ".");
        assert_eq!(dir("/a"), "/");
        assert_eq!(dir(""), ".");
        assert_eq!(ext("a.tar.gz"), ".gz");
        assert_eq!(ext("noext"), "");
        assert_eq!(ext("a.b/c"), "");
        assert_eq!(ext(".hidden"), ".hidden");
        assert_eq!(clean("a//b/../c/."), "a/c");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../x"), "../../x");
        assert_eq!(clean("a/./b//"), "a/b");
    }
}
