//! Go's `path/filepath.Match` on `/`-separated paths: `*` and `?` never cross a `/`, `[...]`
//! classes with ranges and `^` negation, `\` escapes. Used by `--show-only` and `.helmignore`.

/// A malformed pattern (Go's `ErrBadPattern`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Whether `name` matches `pattern` entirely.
pub fn matches(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, BadPattern> {
    let (mut pi, mut ni) = (0, 0);
    // Backtracking point for the latest `*`: (pattern index after it, name index it may extend to).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi + 1, ni));
                    pi += 1;
                    continue;
                }
                c => {
                    if ni < n.len() {
                        let (ok, width) = match_one(&p[pi..], n[ni])?;
                        if ok {
                            pi += width;
                            ni += 1;
                            continue;
                        }
                    } else if c == '[' || c == '\\' {
                        // Validate the rest of the pattern even when the name is exhausted.
                        match_one(&p[pi..], 'a')?;
                    }
                }
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Mismatch: let the last star swallow one more non-separator character.
        match star {
            Some((after, from)) if from < n.len() && n[from] != '/' => {
                star = Some((after, from + 1));
                pi = after;
                ni = from + 1;
            }
            _ => {
                validate_rest(&p[pi.min(p.len())..])?;
                return Ok(false);
            }
        }
    }
}

fn validate_rest(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        if p[i] == '*' {
            i += 1;
            continue;
        }
        let (_, width) = match_one(&p[i..], 'a')?;
        i += width;
    }
    Ok(())
}

/// Matches one name character against the pattern element at the start of `p`; returns whether
/// it matched and how many pattern characters the element spans.
fn match_one(p: &[char], c: char) -> Result<(bool, usize), BadPattern> {
    match p[0] {
        '?' => Ok((c != '/', 1)),
        '\\' => match p.get(1) {
            Some(&e) => Ok((e == c, 2)),
            None => Err(BadPattern),
        },
        '[' => {
            let mut i = 1;
            let negate = p.get(i) == Some(&'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            let mut first = true;
            loop {
                match p.get(i) {
                    None => return Err(BadPattern),
                    Some(']') if !first => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                first = false;
                let (lo, next) = class_char(p, i)?;
                i = next;
                let mut hi = lo;
                if p.get(i) == Some(&'-') {
                    let (h, next) = class_char(p, i + 1)?;
                    hi = h;
                    i = next;
                }
                if lo <= c && c <= hi {
                    matched = true;
                }
            }
            Ok((matched != negate && c != '/', i))
        }
        other => Ok((other == c, 1)),
    }
}

fn class_char(p: &[char], i: usize) -> Result<(char, usize), BadPattern> {
    match p.get(i) {
        None | Some('-') | Some(']') => Err(BadPattern),
        Some('\\') => p.get(i + 1).map(|&c| (c, i + 2)).ok_or(BadPattern),
        Some(&c) => Ok((c, i + 1)),
    }
}

/// gobwas/glob with `/` as separator, as `.Files.Glob` matches: `*` stays within a path
/// element, `**` crosses elements, `?`, `[abc]`/`[!a-z]` classes, `{a,b}` alternatives, `\`
/// escapes. `None` for a malformed pattern.
pub fn glob_matches(pattern: &str, name: &str) -> Option<bool> {
    let tokens = glob_tokens(&pattern.chars().collect::<Vec<_>>())?;
    let n: Vec<char> = name.chars().collect();
    Some(glob_from(&tokens, &n))
}

#[derive(Debug, Clone)]
enum GlobToken {
    Char(char),
    Any,
    Star,
    SuperStar,
    Class(Vec<(char, char)>, bool),
    Alternatives(Vec<Vec<GlobToken>>),
}

fn glob_tokens(p: &[char]) -> Option<Vec<GlobToken>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '*' if p.get(i + 1) == Some(&'*') => {
                out.push(GlobToken::SuperStar);
                i += 2;
            }
            '*' => {
                out.push(GlobToken::Star);
                i += 1;
            }
            '?' => {
                out.push(GlobToken::Any);
                i += 1;
            }
            '\\' => {
                out.push(GlobToken::Char(*p.get(i + 1)?));
                i += 2;
            }
            '[' => {
                let end = i + 1 + p[i + 1..].iter().position(|&c| c == ']')?;
                let mut body = &p[i + 1..end];
                let negate = body.first() == Some(&'!');
                if negate {
                    body = &body[1..];
                }
                let mut ranges = Vec::new();
                let mut j = 0;
                while j < body.len() {
                    if body.get(j + 1) == Some(&'-') && j + 2 < body.len() {
                        ranges.push((body[j], body[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((body[j], body[j]));
                        j += 1;
                    }
                }
                out.push(GlobToken::Class(ranges, negate));
                i = end + 1;
            }
            '{' => {
                let mut depth = 0;
                let mut end = None;
                let mut parts = Vec::new();
                let mut start = i + 1;
                for (j, &c) in p.iter().enumerate().skip(i) {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                parts.push(glob_tokens(&p[start..j])?);
                                end = Some(j);
                                break;
                            }
                        }
                        ',' if depth == 1 => {
                            parts.push(glob_tokens(&p[start..j])?);
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
                out.push(GlobToken::Alternatives(parts));
                i = end? + 1;
            }
            c => {
                out.push(GlobToken::Char(c));
                i += 1;
            }
        }
    }
    Some(out)
}

fn glob_from(tokens: &[GlobToken], n: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return n.is_empty();
    };
    match first {
        GlobToken::Char(c) => n.first() == Some(c) && glob_from(rest, &n[1..]),
        GlobToken::Any => n.first().is_some_and(|&c| c != '/') && glob_from(rest, &n[1..]),
        GlobToken::Class(ranges, negate) => {
            n.first().is_some_and(|&c| {
                c != '/' && ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negate
            }) && glob_from(rest, &n[1..])
        }
        GlobToken::Star => (0..=n.len())
            .take_while(|&k| k == 0 || n[k - 1] != '/')
            .any(|k| glob_from(rest, &n[k..])),
        GlobToken::SuperStar => (0..=n.len()).any(|k| glob_from(rest, &n[k..])),
        GlobToken::Alternatives(parts) => parts.iter().any(|alt| {
            let mut joined = alt.clone();
            joined.extend_from_slice(rest);
            glob_from(&joined, n)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn go_match_semantics() {
        assert!(matches("templates/*.yaml", "templates/a.yaml").unwrap());
        assert!(!matches("templates/*.yaml", "templates/x/a.yaml").unwrap());
        assert!(matches("charts/*/templates/a.yaml", "charts/sub/templates/a.yaml").unwrap());
        assert!(matches("a?c", "abc").unwrap());
        assert!(matches("[a-c]x", "bx").unwrap());
        assert!(!matches("[^a-c]x", "bx").unwrap());
        assert!(matches("\\*", "*").unwrap());
        assert!(matches("*", "").unwrap());
        assert!(matches("a*b*c", "aXXbYYc").unwrap());
        assert!(matches("[", "x").is_err());
    }

    #[test]
    fn gobwas_glob_semantics() {
        use super::glob_matches;
        assert_eq!(glob_matches("cfg/*.conf", "cfg/a.conf"), Some(true));
        assert_eq!(glob_matches("cfg/*.conf", "cfg/deep/d.conf"), Some(false));
        assert_eq!(glob_matches("cfg/**.conf", "cfg/deep/d.conf"), Some(true));
        assert_eq!(glob_matches("**", "x/a"), Some(true));
        assert_eq!(glob_matches("c/{a,b}.txt", "c/b.txt"), Some(true));
        assert_eq!(glob_matches("[!a]x", "bx"), Some(true));
    }
}
