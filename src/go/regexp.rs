//! Go's regular expression syntax (RE2, as `regexp.Compile` parses it with Perl flags), read by
//! Go's rules and written out as a pattern the `regex` crate reads the same way.
//!
//! Both engines implement RE2 semantics, but their parsers differ: Go takes `-` after a class
//! escape as a literal (`[\w-\.]`), treats an unparsable `{` as a literal, reads `\Q...\E`,
//! octal escapes and `\<` (a literal `<`), while the crate refuses some of those or reads them
//! differently (`[a&&b]` is an intersection, `\<` a word start). Go's `\d`, `\w`, `\s` and `\b`
//! are ASCII-only. Patterns Go refuses (backreferences, look-arounds, `\C`, `a**`) fail with
//! Go's error text: `error parsing regexp: CODE: `EXPR``.

use std::fmt;

/// A pattern Go's `regexp/syntax` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub code: &'static str,
    pub expr: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

const INVALID_CHAR_CLASS_RANGE: &str = "invalid character class range";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const MISSING_BRACKET: &str = "missing closing ]";
const MISSING_PAREN: &str = "missing closing )";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const UNEXPECTED_PAREN: &str = "unexpected )";

/// Go's limit on counted repetition (`{1001}` fails, as does `(a{100}){11}`).
const MAX_REPEAT: u32 = 1000;

fn error(code: &'static str, expr: &str) -> SyntaxError {
    SyntaxError {
        code,
        expr: expr.to_string(),
    }
}

/// A compiled pattern: the `regex` crate's engine, which reports the memory it holds.
pub use regex_automata::meta::Regex;

/// The most memory a pattern's compiled automata may take, as `regex::Regex::new` allows.
const COMPILED_SIZE_LIMIT: usize = 10 << 20;

/// The most memory one search cache's lazy DFA may take for its transitions. Smaller than
/// `regex`'s 2 MiB: it only makes a search on a huge pattern give way to a slower engine, and
/// it bounds what each cached pattern can grow to ([`Regex::memory_usage`] leaves it out).
pub const LAZY_DFA_CAPACITY: usize = 256 << 10;

/// Compiles a Go pattern, with the settings of `regex::Regex::new`; the error is Go's
/// `regexp.Compile` error text.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern).map_err(|e| e.to_string())?;
    let config = Regex::config()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(COMPILED_SIZE_LIMIT))
        .hybrid_cache_capacity(LAZY_DFA_CAPACITY);
    Regex::builder()
        .configure(config)
        .syntax(regex_automata::util::syntax::Config::new().utf8(true))
        .build(&translated)
        .map_err(|e| match (e.size_limit(), e.syntax_error()) {
            // Only the size limit can refuse a translated pattern; Go words its own limit so.
            (Some(_), _) => format!("error parsing regexp: expression too large: `{pattern}`"),
            (None, Some(syntax)) => format!("error parsing regexp: {syntax}: `{pattern}`"),
            (None, None) => format!("error parsing regexp: {e}: `{pattern}`"),
        })
}

/// Go's regexp syntax in the crate's syntax, or Go's parse error.
pub fn translate(pattern: &str) -> Result<String, SyntaxError> {
    Translator {
        whole: pattern,
        out: String::with_capacity(pattern.len() + 16),
        frames: vec![Frame::default()],
    }
    .run()
}

/// What a group has parsed so far, for Go's repetition checks.
#[derive(Default)]
struct Frame {
    /// Whether the group (or its current alternative) has an item a repetition can apply to.
    has_item: bool,
    /// Repetition weight of the last item (see [`Translator::repeat`]).
    last_need: u32,
    /// The largest repetition weight in the group so far.
    need: u32,
}

struct Translator<'a> {
    whole: &'a str,
    out: String,
    frames: Vec<Frame>,
}

impl Translator<'_> {
    fn frame(&mut self) -> &mut Frame {
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Writes a repeatable item.
    fn item(&mut self, text: &str, need: u32) {
        self.out.push_str(text);
        let frame = self.frame();
        frame.has_item = true;
        frame.last_need = need;
        frame.need = frame.need.max(need);
    }

    fn literal(&mut self, c: char) {
        let text = literal_text(c);
        self.item(&text, 0);
    }

    fn run(mut self) -> Result<String, SyntaxError> {
        let whole = self.whole;
        let mut rest = whole;
        // Where the previous token began, when it was a repetition operator.
        let mut last_repeat: Option<&str> = None;
        while let Some(c) = rest.chars().next() {
            let mut repeat = None;
            match c {
                '(' if rest.starts_with("(?") => rest = self.perl_flags(rest)?,
                '(' => {
                    self.open("(");
                    rest = &rest[1..];
                }
                '|' => {
                    self.out.push('|');
                    self.frame().has_item = false;
                    rest = &rest[1..];
                }
                ')' => {
                    if self.frames.len() < 2 {
                        return Err(error(UNEXPECTED_PAREN, whole));
                    }
                    self.close();
                    rest = &rest[1..];
                }
                '^' | '$' | '.' => {
                    // Anchors are grouped: Go lets them take a repetition (`^*`), the crate not.
                    let text = if c == '.' {
                        ".".into()
                    } else {
                        format!("(?:{c})")
                    };
                    self.item(&text, 0);
                    rest = &rest[1..];
                }
                '[' => rest = self.class(rest)?,
                '*' | '+' | '?' => {
                    let after = self.repeat(rest, 1, false, last_repeat, (0, 0))?;
                    repeat = Some(rest);
                    rest = after;
                }
                '{' => match parse_repeat(rest) {
                    Some((min, max, after)) => {
                        let size = &rest[..rest.len() - after.len()];
                        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || min > m) {
                            return Err(error(INVALID_REPEAT_SIZE, size));
                        }
                        let bounds = (min, max.unwrap_or(u32::MAX));
                        let after = self.repeat(rest, size.len(), true, last_repeat, bounds)?;
                        repeat = Some(rest);
                        rest = after;
                    }
                    None => {
                        self.literal('{');
                        rest = &rest[1..];
                    }
                },
                '\\' => rest = self.escape(rest)?,
                _ => {
                    self.literal(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
            last_repeat = repeat;
        }
        if self.frames.len() != 1 {
            return Err(error(MISSING_PAREN, whole));
        }
        Ok(self.out)
    }

    fn open(&mut self, text: &str) {
        self.out.push_str(text);
        self.frames.push(Frame::default());
    }

    /// Closes a group: it becomes the last item of the enclosing one.
    fn close(&mut self) {
        let inner = self.frames.pop().unwrap_or_default();
        self.out.push(')');
        let frame = self.frame();
        frame.has_item = true;
        frame.last_need = inner.need;
        frame.need = frame.need.max(inner.need);
    }

    /// A repetition operator at the start of `rest` (`op_len` bytes, then an optional `?`):
    /// Go's checks, then the operator as written. `bounds` are a counted repetition's
    /// (min, max), max `u32::MAX` when open.
    fn repeat<'r>(
        &mut self,
        rest: &'r str,
        op_len: usize,
        counted: bool,
        last_repeat: Option<&str>,
        bounds: (u32, u32),
    ) -> Result<&'r str, SyntaxError> {
        let mut after = &rest[op_len..];
        if let Some(stripped) = after.strip_prefix('?') {
            after = stripped;
        }
        let op = &rest[..rest.len() - after.len()];
        if let Some(previous) = last_repeat {
            return Err(error(
                INVALID_REPEAT_OP,
                &previous[..previous.len() - after.len()],
            ));
        }
        let frame = self.frame();
        if !frame.has_item {
            return Err(error(MISSING_REPEAT_ARGUMENT, op));
        }
        if counted {
            let (min, max) = bounds;
            // Go's repeatIsValid: the product of nested counts stays within 1000 copies.
            let m = if max == u32::MAX { min } else { max };
            let need = if m == 0 {
                0
            } else {
                m.max(frame.last_need.saturating_mul(m))
            };
            if (min >= 2 || max >= 2) && need > MAX_REPEAT {
                return Err(error(INVALID_REPEAT_SIZE, op));
            }
            frame.last_need = need;
            frame.need = frame.need.max(need);
        }
        self.out.push_str(op);
        Ok(after)
    }

    /// `(?...`: a named group, a non-capturing group or a flag change.
    fn perl_flags<'r>(&mut self, rest: &'r str) -> Result<&'r str, SyntaxError> {
        let named = if rest.len() > 4 && rest.starts_with("(?P<") {
            Some(4)
        } else if rest.len() > 3 && rest.starts_with("(?<") {
            Some(3)
        } else {
            None
        };
        if let Some(begin) = named {
            let Some(end) = rest.find('>') else {
                return Err(error(INVALID_NAMED_CAPTURE, rest));
            };
            let name = &rest[begin..end];
            let valid =
                !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
            if !valid {
                return Err(error(INVALID_NAMED_CAPTURE, &rest[..=end]));
            }
            self.open(&format!("(?P<{name}>"));
            return Ok(&rest[end + 1..]);
        }
        let mut t = &rest[2..];
        let mut negated = false;
        let mut saw_flag = false;
        let mut flags = String::new();
        while let Some(c) = t.chars().next() {
            t = &t[c.len_utf8()..];
            match c {
                'i' | 'm' | 's' | 'U' => {
                    flags.push(c);
                    saw_flag = true;
                }
                '-' if !negated => {
                    negated = true;
                    flags.push('-');
                    saw_flag = false;
                }
                ':' | ')' if !negated || saw_flag => {
                    if c == ':' {
                        self.open(&format!("(?{flags}:"));
                    } else if !flags.is_empty() {
                        // A flag change is no item: a repetition after it applies to what
                        // came before, so it is written without disturbing the last item.
                        self.out.push_str(&format!("(?{flags})"));
                    }
                    return Ok(t);
                }
                _ => break,
            }
        }
        Err(error(INVALID_PERL_OP, &rest[..rest.len() - t.len()]))
    }

    /// A backslash sequence outside a class.
    fn escape<'r>(&mut self, rest: &'r str) -> Result<&'r str, SyntaxError> {
        let next = rest[1..].chars().next();
        match next {
            Some('A') => self.item("(?:\\A)", 0),
            Some('z') => self.item("(?:\\z)", 0),
            Some('b') => self.item("(?-u:\\b)", 0),
            Some('B') => self.item("(?-u:\\B)", 0),
            Some('C') => return Err(error(INVALID_ESCAPE, &rest[..2])),
            Some('Q') => {
                let (literal, after) = match rest[2..].find("\\E") {
                    Some(i) => (&rest[2..2 + i], &rest[2 + i + 2..]),
                    None => (&rest[2..], ""),
                };
                for c in literal.chars() {
                    self.literal(c);
                }
                return Ok(after);
            }
            _ => {
                if let Some((class, after)) = unicode_class(rest)? {
                    self.item(&class, 0);
                    return Ok(after);
                }
                if let Some(class) = perl_class(rest) {
                    self.item(class.outside, 0);
                    return Ok(&rest[2..]);
                }
                let (c, after) = parse_escape(rest)?;
                self.literal(c);
                return Ok(after);
            }
        }
        Ok(&rest[2..])
    }

    /// A bracketed class, each member written out so the crate reads it as Go does.
    fn class<'r>(&mut self, whole_class: &'r str) -> Result<&'r str, SyntaxError> {
        let mut t = &whole_class[1..];
        let mut text = String::from("[");
        if let Some(stripped) = t.strip_prefix('^') {
            text.push('^');
            t = stripped;
        }
        let mut first = true;
        loop {
            match t.chars().next() {
                None => return Err(error(MISSING_BRACKET, whole_class)),
                Some(']') if !first => break,
                _ => {}
            }
            first = false;
            if t.starts_with("[:") {
                if let Some(end) = t[2..].find(":]") {
                    let name = &t[..end + 4];
                    let bare = name[2..name.len() - 2].trim_start_matches('^');
                    if !POSIX_CLASSES.contains(&bare) {
                        return Err(error(INVALID_CHAR_CLASS_RANGE, name));
                    }
                    text.push_str(&format!("[{name}]"));
                    t = &t[name.len()..];
                    continue;
                }
            }
            if let Some((class, after)) = unicode_class(t)? {
                text.push_str(&class);
                t = after;
                continue;
            }
            if let Some(class) = perl_class(t) {
                text.push_str(class.inside);
                t = &t[2..];
                continue;
            }
            let range_start = t;
            let (lo, after) = class_char(t, whole_class)?;
            t = after;
            let mut hi = lo;
            let mut chars = t.chars();
            if chars.next() == Some('-') && chars.next().is_some_and(|c| c != ']') {
                let (h, after) = class_char(&t[1..], whole_class)?;
                t = after;
                hi = h;
                if hi < lo {
                    let range = &range_start[..range_start.len() - t.len()];
                    return Err(error(INVALID_CHAR_CLASS_RANGE, range));
                }
            }
            text.push_str(&class_literal(lo));
            if hi != lo {
                text.push('-');
                text.push_str(&class_literal(hi));
            }
        }
        text.push(']');
        self.item(&text, 0);
        Ok(&t[1..])
    }
}

/// A single character (possibly escaped) inside a class.
fn class_char<'r>(t: &'r str, whole_class: &str) -> Result<(char, &'r str), SyntaxError> {
    match t.chars().next() {
        None => Err(error(MISSING_BRACKET, whole_class)),
        Some('\\') => parse_escape(t),
        Some(c) => Ok((c, &t[c.len_utf8()..])),
    }
}

/// Go's parseEscape: the character a backslash sequence stands for.
fn parse_escape(s: &str) -> Result<(char, &str), SyntaxError> {
    let t = &s[1..];
    let Some(c) = t.chars().next() else {
        return Err(error(TRAILING_BACKSLASH, ""));
    };
    let mut t = &t[c.len_utf8()..];
    let invalid = |t: &str| Err(error(INVALID_ESCAPE, &s[..s.len() - t.len()]));
    let octal_digit = |t: &str| {
        t.as_bytes()
            .first()
            .is_some_and(|b| (b'0'..=b'7').contains(b))
    };
    match c {
        '1'..='7' if !octal_digit(t) => invalid(t),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                if !octal_digit(t) {
                    break;
                }
                r = r * 8 + (t.as_bytes()[0] - b'0') as u32;
                t = &t[1..];
            }
            Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t))
        }
        'x' => {
            let Some(first) = t.chars().next() else {
                return invalid(t);
            };
            t = &t[first.len_utf8()..];
            if first == '{' {
                let mut r: u32 = 0;
                let mut digits = 0;
                loop {
                    let Some(d) = t.chars().next() else {
                        return invalid(t);
                    };
                    t = &t[d.len_utf8()..];
                    if d == '}' {
                        break;
                    }
                    let Some(v) = d.to_digit(16) else {
                        return invalid(t);
                    };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return invalid(t);
                    }
                    digits += 1;
                }
                if digits == 0 {
                    return invalid(t);
                }
                // Surrogates are code points Go accepts here but Rust has no `char` for.
                return Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t));
            }
            let Some(second) = t.chars().next() else {
                return invalid(t);
            };
            t = &t[second.len_utf8()..];
            match (first.to_digit(16), second.to_digit(16)) {
                (Some(x), Some(y)) => Ok((char::from_u32(x * 16 + y).unwrap_or('\u{FFFD}'), t)),
                _ => invalid(t),
            }
        }
        'a' => Ok(('\u{7}', t)),
        'f' => Ok(('\u{c}', t)),
        'n' => Ok(('\n', t)),
        'r' => Ok(('\r', t)),
        't' => Ok(('\t', t)),
        'v' => Ok(('\u{b}', t)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, t)),
        _ => invalid(t),
    }
}

/// Go's `{min}`, `{min,}` or `{min,max}` at the start of `s`: (min, max, rest), max `None`
/// when open (`{min}` is `{min,min}`). `None` when `s` does not have that form (then `{` is a
/// literal). Numbers too big to read are `u32::MAX`.
fn parse_repeat(s: &str) -> Option<(u32, Option<u32>, &str)> {
    let s = s.strip_prefix('{')?;
    let (min, s) = parse_int(s)?;
    let (max, s) = match s.strip_prefix(',') {
        None => (Some(min), s),
        Some(s) if s.starts_with('}') => (None, s),
        Some(s) => {
            let (max, s) = parse_int(s)?;
            (Some(max), s)
        }
    };
    Some((min, max, s.strip_prefix('}')?))
}

/// A decimal number without leading zeros (`u32::MAX` when too big to read).
fn parse_int(s: &str) -> Option<(u32, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits >= 2 && s.starts_with('0')) {
        return None;
    }
    let value = s[..digits].parse::<u32>().unwrap_or(u32::MAX);
    Some((value, &s[digits..]))
}

struct PerlClass {
    outside: &'static str,
    inside: &'static str,
}

/// Go's ASCII `\d`, `\s`, `\w` and their negations.
fn perl_class(s: &str) -> Option<PerlClass> {
    let (outside, inside) = match s.get(..2)? {
        "\\d" => ("[0-9]", "0-9"),
        "\\D" => ("[^0-9]", "[^0-9]"),
        "\\s" => ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r "),
        "\\S" => ("[^\\t\\n\\f\\r ]", "[^\\t\\n\\f\\r ]"),
        "\\w" => ("[0-9A-Za-z_]", "0-9A-Za-z_"),
        "\\W" => ("[^0-9A-Za-z_]", "[^0-9A-Za-z_]"),
        _ => return None,
    };
    Some(PerlClass { outside, inside })
}

const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go's general categories (`unicode.Categories`), spelled as [`canonical_name`] spells them.
const CATEGORIES: [&str; 38] = [
    "C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
    "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm",
    "So", "Z", "Zl", "Zp", "Zs", "Lc",
];

/// Go's `unicode.CategoryAliases` (canonical spelling → category).
const CATEGORY_ALIASES: [(&str, &str); 42] = [
    ("Casedletter", "LC"),
    ("Closepunctuation", "Pe"),
    ("Combiningmark", "M"),
    ("Connectorpunctuation", "Pc"),
    ("Control", "Cc"),
    ("Cntrl", "Cc"),
    ("Currencysymbol", "Sc"),
    ("Dashpunctuation", "Pd"),
    ("Decimalnumber", "Nd"),
    ("Digit", "Nd"),
    ("Enclosingmark", "Me"),
    ("Finalpunctuation", "Pf"),
    ("Format", "Cf"),
    ("Initialpunctuation", "Pi"),
    ("Letter", "L"),
    ("Letternumber", "Nl"),
    ("Lineseparator", "Zl"),
    ("Lowercaseletter", "Ll"),
    ("Mark", "M"),
    ("Mathsymbol", "Sm"),
    ("Modifierletter", "Lm"),
    ("Modifiersymbol", "Sk"),
    ("Nonspacingmark", "Mn"),
    ("Number", "N"),
    ("Openpunctuation", "Ps"),
    ("Other", "C"),
    ("Otherletter", "Lo"),
    ("Othernumber", "No"),
    ("Otherpunctuation", "Po"),
    ("Othersymbol", "So"),
    ("Paragraphseparator", "Zp"),
    ("Privateuse", "Co"),
    ("Punctuation", "P"),
    ("Punct", "P"),
    ("Separator", "Z"),
    ("Spaceseparator", "Zs"),
    ("Spacingmark", "Mc"),
    ("Surrogate", "Cs"),
    ("Symbol", "S"),
    ("Titlecaseletter", "Lt"),
    ("Unassigned", "Cn"),
    ("Uppercaseletter", "Lu"),
];

/// Go's one-word script names (`unicode.Scripts`, Unicode 15): Go looks a name up in its
/// canonical spelling, which no script name of several words (`Old_Italic`) or with an inner
/// capital (`SignWriting`) has, so only these are found.
const SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Carian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dogra",
    "Duployan",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Inherited",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kharoshthi",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Medefaidrin",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nandinagari",
    "Newa",
    "Nko",
    "Nushu",
    "Ogham",
    "Oriya",
    "Osage",
    "Osmanya",
    "Palmyrene",
    "Phoenician",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "Sinhala",
    "Sogdian",
    "Soyombo",
    "Sundanese",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Toto",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Yezidi",
    "Yi",
];

/// Go's canonicalName: `_`, `-` and spaces dropped, the first letter upper case, the rest lower.
fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().filter(|c| !matches!(c, '_' | '-' | ' ')) {
        if out.is_empty() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The crate's class for a Unicode class name Go knows (`\p{NAME}`, not negated).
fn unicode_table(name: &str) -> Option<String> {
    let name = canonical_name(name);
    let class = match name.as_str() {
        "Any" => "[\\x00-\\x{10FFFF}]".to_string(),
        "Assigned" => "\\P{gc=Cn}".to_string(),
        "Ascii" => "[\\x00-\\x7F]".to_string(),
        "Lc" => "\\p{gc=LC}".to_string(),
        n if CATEGORIES.contains(&n) => format!("\\p{{gc={n}}}"),
        n if SCRIPTS.contains(&n) => format!("\\p{{sc={n}}}"),
        n => {
            let (_, gc) = CATEGORY_ALIASES.iter().find(|(alias, _)| *alias == n)?;
            format!("\\p{{gc={gc}}}")
        }
    };
    Some(class)
}

/// `\pL`, `\p{Greek}`, `\P{^Lu}` at the start of `s`, as the crate's class; Go's error for a
/// name it does not know (Go knows its categories and scripts, spelled as Unicode spells them).
fn unicode_class(s: &str) -> Result<Option<(String, &str)>, SyntaxError> {
    let negated = match s.get(..2) {
        Some("\\p") => false,
        Some("\\P") => true,
        _ => return Ok(None),
    };
    let t = &s[2..];
    let Some(c) = t.chars().next() else {
        return Err(error(INVALID_CHAR_CLASS_RANGE, s));
    };
    let (seq, name, rest) = if c == '{' {
        let Some(end) = s.find('}') else {
            return Err(error(INVALID_CHAR_CLASS_RANGE, s));
        };
        (&s[..=end], &s[3..end], &s[end + 1..])
    } else {
        let end = 2 + c.len_utf8();
        (&s[..end], &s[2..end], &s[end..])
    };
    let (negated, name) = match name.strip_prefix('^') {
        Some(bare) => (!negated, bare),
        None => (negated, name),
    };
    let Some(class) = unicode_table(name) else {
        return Err(error(INVALID_CHAR_CLASS_RANGE, seq));
    };
    let class = if negated {
        format!("[^{class}]")
    } else {
        class
    };
    Ok(Some((class, rest)))
}

/// A literal character outside a class, escaped where the crate gives it a meaning.
fn literal_text(c: char) -> String {
    if c.is_ascii_punctuation() || c == ' ' {
        regex::escape(c.encode_utf8(&mut [0; 4]))
    } else if c.is_control() {
        format!("\\x{{{:X}}}", c as u32)
    } else {
        c.to_string()
    }
}

/// A literal character inside a class: everything but letters and digits escaped, so the
/// crate reads no range, set operation or nested class.
fn class_literal(c: char) -> String {
    if c.is_alphanumeric() && c.is_ascii() || !c.is_ascii() && !c.is_control() {
        c.to_string()
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (pattern, text, Go's leftmost-first match or None).
    const MATCHES: &[(&str, &str, Option<&str>)] = &[
        // `-` after a class escape or at either end of a class is a literal.
        (r"^[\w-\.]+$", "a-b.c_d", Some("a-b.c_d")),
        (r"[\d-z]+", "1-z", Some("1-z")),
        (r"[a-]+", "a-a", Some("a-a")),
        (r"[-a]+", "-a", Some("-a")),
        (r"[\s-]+", " - ", Some(" - ")),
        // Set operators and nested brackets of the crate's syntax are literals in Go.
        (r"[a&&b]+", "&a&b", Some("&a&b")),
        (r"[a~~b]+", "~a", Some("~a")),
        (r"[[a]+", "[a[", Some("[a[")),
        (r"[]a]+", "]a", Some("]a")),
        (r"[^]a]", "]ab", Some("b")),
        // \Q...\E quotes; an unterminated \Q runs to the end.
        (r"\Qa.b*\E+", "a.b**", Some("a.b**")),
        (r"x\Q(y", "x(y", Some("x(y")),
        // Octal and hex escapes; escaped punctuation is the character.
        (r"\101\x42\x{43}", "ABC", Some("ABC")),
        (r"\0", "\0", Some("\0")),
        (r"\<\>\_", "<>_", Some("<>_")),
        // An unparsable `{` is a literal.
        (r"a{", "a{", Some("a{")),
        (r"a{,2}", "a{,2}", Some("a{,2}")),
        (r"x{2}{", "xx{", Some("xx{")),
        (r"a{01}", "a{01}", Some("a{01}")),
        // Counted repetition.
        (r"a{2,3}", "aaaa", Some("aaa")),
        (r"a{2,}?", "aaaa", Some("aa")),
        // Anchors may be repeated.
        (r"^*a", "a", Some("a")),
        (r"\b+a", "a", Some("a")),
        // ASCII Perl classes and word boundaries.
        (r"\d+", "٣12", Some("12")),
        (r"\w+", "éab", Some("ab")),
        (r"\bb", "éb", Some("b")),
        (r"[[:alpha:]]+", "ab1", Some("ab")),
        (r"[[:^digit:]]+", "ab1", Some("ab")),
        (r"\pL+", "ab1", Some("ab")),
        (r"\p{Greek}+", "aαβ", Some("αβ")),
        (r"\p{^Greek}+", "αab", Some("ab")),
        (r"\p{greek}+", "aαβ", Some("αβ")),
        (r"\p{Uppercase_Letter}", "aA", Some("A")),
        (r"\p{L_u}", "aA", Some("A")),
        (r"\pl", "1a", Some("a")),
        (r"\p{ascii}+", "αab", Some("ab")),
        (r"\p{Assigned}", "a", Some("a")),
        (r"\P{Any}", "a", None),
        (r"\PL+", "a12", Some("12")),
        (r"[\p{Lu}\d]+", "aB1c", Some("B1")),
        // Flags Go accepts.
        (r"(?i)abc", "xABC", Some("ABC")),
        (r"(?i:a)b", "Ab", Some("Ab")),
        (r"(?s).+", "a\nb", Some("a\nb")),
        (r"(?m)^b", "a\nb", Some("b")),
        (r"(?U)a+", "aaa", Some("a")),
        (r"(?U)a+?", "aaa", Some("aaa")),
        (r"(?i-s:a.)", "A\n", None),
        (r"(?)a", "a", Some("a")),
        // Named groups, both spellings.
        (r"(?P<x>a)(?<y>b)", "ab", Some("ab")),
        // Alternation and empty alternatives.
        (r"a|", "b", Some("")),
        (r"(|a)+", "a", Some("")),
    ];

    /// (pattern, Go's error).
    const ERRORS: &[(&str, &str)] = &[
        (r"\1", "invalid escape sequence: `\\1`"),
        (r"(a)\1", "invalid escape sequence: `\\1`"),
        (r"\C", "invalid escape sequence: `\\C`"),
        (r"\Z", "invalid escape sequence: `\\Z`"),
        (r"\8", "invalid escape sequence: `\\8`"),
        (r"\xZ1", "invalid escape sequence: `\\xZ1`"),
        (r"\x{}", "invalid escape sequence: `\\x{}`"),
        (r"\x{110000}", "invalid escape sequence: `\\x{110000`"),
        (r"a\", "trailing backslash at end of expression: ``"),
        (r"a(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
        (r"a(?!b)", "invalid or unsupported Perl syntax: `(?!`"),
        (r"(?<=a)b", "invalid named capture: `(?<=a)b`"),
        (r"(?x)a", "invalid or unsupported Perl syntax: `(?x`"),
        (r"(?i-)a", "invalid or unsupported Perl syntax: `(?i-)`"),
        (r"(?--i)a", "invalid or unsupported Perl syntax: `(?--`"),
        (r"(?P<>a)", "invalid named capture: `(?P<>`"),
        (r"(?P<a-b>a)", "invalid named capture: `(?P<a-b>`"),
        (r"(?P<a", "invalid named capture: `(?P<a`"),
        (r"a**", "invalid nested repetition operator: `**`"),
        (r"a*+", "invalid nested repetition operator: `*+`"),
        (r"a??+", "invalid nested repetition operator: `??+`"),
        (r"a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        (r"*a", "missing argument to repetition operator: `*`"),
        (r"a|*", "missing argument to repetition operator: `*`"),
        (r"(+)", "missing argument to repetition operator: `+`"),
        (r"(?:??)", "missing argument to repetition operator: `??`"),
        (r"{2}", "missing argument to repetition operator: `{2}`"),
        (r"a{1001}", "invalid repeat count: `{1001}`"),
        (r"a{2,1}", "invalid repeat count: `{2,1}`"),
        (r"a{99999999999}", "invalid repeat count: `{99999999999}`"),
        (r"(a{100}){11}", "invalid repeat count: `{11}`"),
        (r"a)", "unexpected ): `a)`"),
        (r"(a", "missing closing ): `(a`"),
        (r"[a", "missing closing ]: `[a`"),
        (r"[]", "missing closing ]: `[]`"),
        (r"a[\d", "missing closing ]: `[\\d`"),
        (r"[z-a]", "invalid character class range: `z-a`"),
        (r"[[:foo:]]", "invalid character class range: `[:foo:]`"),
        (r"\p{Foo}", "invalid character class range: `\\p{Foo}`"),
        (
            r"\p{Old_Italic}",
            "invalid character class range: `\\p{Old_Italic}`",
        ),
        (r"\p{Latn}", "invalid character class range: `\\p{Latn}`"),
        (r"\p{Greek", "invalid character class range: `\\p{Greek`"),
        (r"[\b]", "invalid escape sequence: `\\b`"),
        (r"[\Q]", "invalid escape sequence: `\\Q`"),
    ];

    #[test]
    fn go_patterns_match_as_in_go() {
        for (pattern, text, want) in MATCHES {
            let re = compile(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert_eq!(
                re.find(*text).map(|m| &text[m.range()]),
                *want,
                "{pattern} on {text:?} (as {:?})",
                translate(pattern)
            );
        }
    }

    #[test]
    fn go_refuses_with_its_error_text() {
        for (pattern, want) in ERRORS {
            match translate(pattern) {
                Ok(t) => panic!("{pattern} was accepted as {t}"),
                Err(e) => assert_eq!(e.to_string(), format!("error parsing regexp: {want}")),
            }
        }
    }
}
