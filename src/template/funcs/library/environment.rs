//! What Sprig's `TxtFuncMap` (sprig `functions.go`) holds that Helm's chart templates lack:
//! `env` and `expandenv` (Go's `os.Getenv`, `os.ExpandEnv`), which Helm deletes, and Sprig's
//! own `fromJson`, which Helm replaces. Helm executes `--name-template` with exactly this map
//! (pkg/action/install.go `TemplateName`), so these read the process environment.

use super::super::{FuncMap, Param};
use crate::template::value::Value;

pub(super) fn register(map: &mut FuncMap) {
    map.add("env", &[Param::Str], None, |_, a| {
        Ok(Value::go_string(getenv(text(&a[0]))))
    });
    map.add("expandenv", &[Param::Str], None, |_, a| {
        Ok(Value::go_string(expand(text(&a[0]).as_bytes(), getenv)))
    });
    // Sprig's `fromJson` is its `mustFromJson` with the error dropped: any JSON value, nil on
    // an error (Helm's returns a map, an error under `Error`).
    map.add("fromJson", &[Param::Str], None, |_, a| {
        Ok(serde_json::from_str::<serde_json::Value>(text(&a[0]))
            .map(|j| Value::from_json(&j))
            .unwrap_or(Value::Nil))
    });
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Go's `os.Getenv`: the variable's bytes, empty when it is unset.
fn getenv(name: &str) -> Vec<u8> {
    std::env::var_os(name)
        .map(|v| v.into_encoded_bytes())
        .unwrap_or_default()
}

/// Go's `os.Expand`: `$name` and `${name}` replaced by `mapping(name)`. A `$` ending the text,
/// or followed by neither a name nor `{`, stays; a bad `${…` (`${}`, or no closing brace) is
/// dropped: `${}` whole, and of an unclosed one just `${`.
fn expand(s: &[u8], mapping: impl Fn(&str) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut copied = 0;
    let mut j = 0;
    while j < s.len() {
        if s[j] == b'$' && j + 1 < s.len() {
            out.extend_from_slice(&s[copied..j]);
            let (name, width) = shell_name(&s[j + 1..]);
            match name {
                Some(name) => out.extend(mapping(&String::from_utf8_lossy(name))),
                // Valid syntax without a name: the dollar stays.
                None if width == 0 => out.push(b'$'),
                None => {}
            }
            j += width;
            copied = j + 1;
        }
        j += 1;
    }
    out.extend_from_slice(&s[copied..]);
    out
}

/// Go's `getShellName`: the name at the start of `s` (which is not empty) and the bytes it
/// takes; `None` with a width for bad `${…}` syntax, with zero when no name starts there.
fn shell_name(s: &[u8]) -> (Option<&[u8]>, usize) {
    if s[0] == b'{' {
        if s.len() > 2 && is_shell_special(s[1]) && s[2] == b'}' {
            return (Some(&s[1..2]), 3);
        }
        return match s.iter().position(|&c| c == b'}') {
            Some(1) => (None, 2),
            Some(close) => (Some(&s[1..close]), close + 1),
            None => (None, 1),
        };
    }
    if is_shell_special(s[0]) {
        return (Some(&s[..1]), 1);
    }
    let len = s
        .iter()
        .take_while(|&&c| c == b'_' || c.is_ascii_alphanumeric())
        .count();
    if len == 0 {
        (None, 0)
    } else {
        (Some(&s[..len]), len)
    }
}

fn is_shell_special(c: u8) -> bool {
    matches!(
        c,
        b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-' | b'0'..=b'9'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(s: &str) -> String {
        let mapping = |name: &str| match name {
            "FOO" => b"ab".to_vec(),
            "BAR" => b"cd".to_vec(),
            "1" => b"one".to_vec(),
            _ => Vec::new(),
        };
        String::from_utf8(expand(s.as_bytes(), mapping)).unwrap()
    }

    #[test]
    fn expand_follows_go_os_expand() {
        // helm v4.1.4 `--name-template` with FOO=ab BAR=cd printed these (through expandenv).
        assert_eq!(expanded("$FOO${BAR}"), "abcd");
        assert_eq!(expanded("a$"), "a$");
        assert_eq!(expanded("${}b${c"), "bc");
        assert_eq!(expanded("$-$FOO_"), "");
        assert_eq!(expanded("${FOO"), "FOO");
        // Go's rules helm's probes did not reach: special one-character names, a `$` before
        // a character that starts no name, `${1}`.
        assert_eq!(expanded("$1x${1}"), "onexone");
        assert_eq!(expanded("$ $.x$"), "$ $.x$");
        assert_eq!(expanded("no dollar"), "no dollar");
        assert_eq!(expanded("$FOO-é"), "ab-é");
    }
}
