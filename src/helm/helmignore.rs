//! `.helmignore` rules as Helm's `pkg/ignore` applies them when it loads a chart directory.

use super::pathmatch;

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    must_dir: bool,
    /// How the pattern is compared: against the whole path, or only the last element.
    whole_path: bool,
}

/// A `.helmignore` line Helm refuses, worded as Helm's `pkg/ignore`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A `**` pattern.
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    /// A pattern Go's `filepath.Match` refuses.
    #[error("syntax error in pattern")]
    Syntax,
}

/// The parsed rules of one `.helmignore`, plus Helm's default (`templates/.?*`).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parses `.helmignore` text; errors read like Helm's.
    pub fn parse(text: &str) -> Result<Rules, RuleError> {
        let mut rules = Rules::default();
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// The rule Helm always adds: hidden files directly in `templates/`.
    pub fn with_defaults(mut self) -> Rules {
        // The default cannot fail to parse.
        let _ = self.add("templates/.?*");
        self
    }

    fn add(&mut self, line: &str) -> Result<(), RuleError> {
        let mut rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(RuleError::DoubleStar);
        }
        if pathmatch::matches(rule, "abc").is_err() {
            return Err(RuleError::Syntax);
        }
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let must_dir = rule.ends_with('/');
        if must_dir {
            rule = &rule[..rule.len() - 1];
        }
        let (pattern, whole_path) = match rule.strip_prefix('/') {
            Some(rooted) => (rooted, true),
            None => (rule, rule.contains('/')),
        };
        self.rules.push(Rule {
            pattern: pattern.to_string(),
            negate,
            must_dir,
            whole_path,
        });
        Ok(())
    }

    fn rule_matches(rule: &Rule, path: &str) -> bool {
        let subject = if rule.whole_path {
            path
        } else {
            path.rsplit('/').next().unwrap_or(path)
        };
        pathmatch::matches(&rule.pattern, subject).unwrap_or(false)
    }

    /// Helm's `Rules.Ignore` for one path (a directory when `is_dir`), including its quirk that
    /// a negated rule ignores everything it does not match.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.rules {
            if rule.negate {
                if rule.must_dir && !is_dir {
                    return true;
                }
                if !Self::rule_matches(rule, path) {
                    return true;
                }
                continue;
            }
            if rule.must_dir && !is_dir {
                continue;
            }
            if Self::rule_matches(rule, path) {
                return true;
            }
        }
        false
    }

    /// Whether a file is left out: it or one of its parent directories is ignored.
    pub fn ignores_file(&self, path: &str) -> bool {
        let mut end = 0;
        while let Some(pos) = path[end..].find('/') {
            let dir = &path[..end + pos];
            if self.ignore(dir, true) {
                return true;
            }
            end += pos + 1;
        }
        self.ignore(path, false)
    }
}

#[cfg(test)]
mod tests {
    use super::Rules;

    #[test]
    fn rules_follow_helm() {
        let rules = Rules::parse("# comment\n*.tmp\n/top.txt\nsecret/\ndocs/*.md\n")
            .unwrap()
            .with_defaults();
        assert!(rules.ignores_file("a/b/x.tmp"));
        assert!(rules.ignores_file("top.txt"));
        assert!(!rules.ignores_file("a/top.txt"));
        assert!(rules.ignores_file("secret/key"));
        assert!(!rules.ignores_file("secret"));
        assert!(rules.ignores_file("docs/a.md"));
        assert!(rules.ignores_file("templates/.hidden"));
        assert!(!rules.ignores_file("templates/a.yaml"));
        assert!(Rules::parse("a/**/b").is_err());
    }
}
