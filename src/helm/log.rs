//! The lines helm logs on stderr: Go's `log/slog` text handler without the time, as helm v4
//! sets it up (internal/logging/logging.go), e.g. `level=WARN msg="this chart is deprecated"`.
//! Go's standard `log.Printf` goes through the same handler at level INFO.

/// A log line's level, as slog prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// What Go's `log.Printf` writes (helm's coalesce warnings, among others).
    Info,
    /// `slog.Warn`.
    Warn,
    /// `slog.Error`.
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// The lines a render logs, in order, for its caller to print (`render` prints them on
/// stderr; a scan keeps its own problems instead).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Log {
    lines: Vec<String>,
}

impl Log {
    /// Adds one line.
    pub(crate) fn push(&mut self, level: Level, msg: &str, attrs: &[(&str, &str)]) {
        self.lines.push(line(level, msg, attrs));
    }

    /// What Go's `log.Printf` logs: level INFO.
    pub(crate) fn printf(&mut self, msg: &str) {
        self.push(Level::Info, msg, &[]);
    }

    /// The lines logged, in order.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// One line as slog's text handler writes it (without its newline): `level`, `msg`, then
/// each attribute, values quoted only when they must be.
pub fn line(level: Level, msg: &str, attrs: &[(&str, &str)]) -> String {
    let mut out = format!("level={} msg={}", level.name(), text_value(msg));
    for (key, value) in attrs {
        out.push_str(&format!(" {}={}", text_value(key), text_value(value)));
    }
    out
}

/// slog's `needsQuoting`: empty text, spaces, `=`, `"`, control characters and anything
/// unprintable are quoted with Go's `strconv.Quote`; other text goes as it is.
fn text_value(text: &str) -> std::borrow::Cow<'_, str> {
    let needs_quoting = text.is_empty()
        || text.chars().any(|c| {
            if c.is_ascii() {
                c == ' ' || c == '=' || c == '"' || (c.is_ascii_control() && c != '\x7f')
            } else {
                // A valid U+FFFD decodes as utf8.RuneError, which slog quotes too.
                c == char::REPLACEMENT_CHARACTER
                    || crate::go::unicode::is_go_space(c)
                    || !crate::go::strconv::is_print(c)
            }
        });
    if needs_quoting {
        crate::go::strconv::quote(text).into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_like_slog_text() {
        // As helm v4.1.4 prints them.
        assert_eq!(
            line(Level::Warn, "this chart is deprecated", &[]),
            r#"level=WARN msg="this chart is deprecated""#
        );
        assert_eq!(
            line(
                Level::Info,
                "warning: cannot overwrite table with non table for m.child.obj (map[x:1])",
                &[]
            ),
            r#"level=INFO msg="warning: cannot overwrite table with non table for m.child.obj (map[x:1])""#
        );
        assert_eq!(
            line(
                Level::Info,
                "skipping unknown hooks",
                &[("hookTypes", "nope")]
            ),
            "level=INFO msg=\"skipping unknown hooks\" hookTypes=nope"
        );
        assert_eq!(
            line(Level::Info, "x", &[("path", "a\u{fffd}b")]),
            "level=INFO msg=x path=\"a\u{fffd}b\""
        );
        assert_eq!(
            line(Level::Error, "x", &[("a", "")]),
            "level=ERROR msg=x a=\"\""
        );
        assert_eq!(line(Level::Info, "a\\b", &[]), "level=INFO msg=a\\b");
    }
}
