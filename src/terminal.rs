//! Text from an input on its way to a terminal: control characters made visible, so a hostile
//! chart name, `fail` text or file name cannot forge table rows, retitle the terminal or move
//! the cursor. The rule follows kubectl's printers (ESC as `^[`, CR as `\r`) and `ls`'s
//! escaping of the rest: other C0 controls and DEL in caret notation (`^G`, `^?`), line feeds
//! and tabs as `\n` and `\t`, C1 controls and the Unicode bidirectional overrides (which
//! reorder what the eye reads) as `\u{…}`.

use std::borrow::Cow;

/// `text` with every control character escaped, for one line of a table or message.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, false)
}

/// [`escape`] for messages of several lines (a renderer's error text): line feeds stay.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_with(text, true)
}

fn escape_with(text: &str, keep_line_feeds: bool) -> Cow<'_, str> {
    let needs_escape = |c: char| needs_escape(c) && !(keep_line_feeds && c == '\n');
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            push_escaped(&mut escaped, c);
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The explicit directional embeddings, overrides and isolates (and the marks): invisible
/// characters that make a terminal show text in another order than it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{7f}' => out.push_str("^?"),
        // C0 controls in caret notation: ESC is `^[`, BEL is `^G`.
        '\0'..='\u{1f}' => {
            out.push('^');
            out.push(char::from(b'@' + c as u8));
        }
        _ => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(escape("web-1.0 ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_and_line_breaks_become_visible() {
        assert_eq!(escape("a\x1b]0;pwned\x07b"), "a^[]0;pwned^Gb");
        assert_eq!(escape("row\nforged\r\t"), "row\\nforged\\r\\t");
        assert_eq!(escape("\0\x7f"), "^@^?");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
    }

    #[test]
    fn messages_keep_their_lines() {
        assert_eq!(
            escape_lines("first\nsecond \x1b[2J\r"),
            "first\nsecond ^[[2J\\r"
        );
    }
}
