//! Go's `fmt` for template values: `Sprint`, `Sprintln`, `Sprintf` with every verb, flag,
//! width, precision and argument index, including Go's error forms (`%!d(string=x)`,
//! `%!s(MISSING)`, `%!(EXTRA int=1)`). Numbers and quoted strings are spelled by Go's
//! `strconv` (`crate::go::strconv`), as Go's `fmt` spells them.

use super::exec::MAX_CALL_RESULT_BYTES;
use super::value::{go_runes, go_text, Value};
use crate::go::strconv;

/// Go's `fmt.Sprint`: operands separated by a space when neither side is a string.
pub fn sprint(args: &[Value]) -> Value {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::Str(_) | Value::RawStr(_));
        if i > 0 && !is_string && !prev_string {
            p.put_char(' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    Value::go_string(p.out)
}

/// Go's `fmt.Sprintln`: operands always separated by a space, then a newline.
pub fn sprintln(args: &[Value]) -> Value {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.put_char(' ');
        }
        p.print_arg(arg, 'v');
    }
    p.put_char('\n');
    Value::go_string(p.out)
}

/// Go's `%v` of one value (what an action prints, apart from `<no value>` for nil), as the
/// bytes Go prints: a string that is not UTF-8 inside a list prints as it is.
pub fn format_value_bytes(v: &Value) -> Vec<u8> {
    let mut p = Printer::default();
    p.print_arg(v, 'v');
    p.out
}

/// Go's `%v` of one value as text (for messages and Sprig's string conversions), bytes
/// that are not UTF-8 read as U+FFFD (see [`go_text`]).
pub fn format_value(v: &Value) -> String {
    go_text(&format_value_bytes(v)).into_owned()
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> Value {
    let mut p = Printer::default();
    p.do_printf(format, args);
    Value::go_string(p.out)
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    out: Vec<u8>,
    f: Flags,
    depth: usize,
}

/// Beyond this nesting a (possibly self-referencing) map or list is not printed further.
const MAX_DEPTH: usize = 100;

impl Printer {
    /// Whether the text is past what one call may return: a list or map stops printing
    /// there, so a value sharing itself many times over (`list $l $l` in a loop) ends in
    /// bounded time, and the caller refuses the oversized text (the executor any call result
    /// or action past the limit).
    fn full(&self) -> bool {
        self.out.len() > MAX_CALL_RESULT_BYTES
    }

    fn put(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn put_char(&mut self, c: char) {
        self.put(c.encode_utf8(&mut [0; 4]));
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let bytes = format.as_bytes();
        let end = bytes.len();
        let mut cursor = ArgCursor {
            args,
            num: 0,
            reordered: false,
            good: true,
        };
        let mut i = 0;
        while i < end {
            cursor.good = true;
            let last = i;
            while i < end && bytes[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.put(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match bytes[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            let mut after_index;
            (i, after_index) = cursor.index(format, i);
            if i < end && bytes[i] == b'*' {
                i += 1;
                match cursor.int_arg() {
                    None => {
                        self.put("%!(BADWIDTH)");
                        self.f.wid = None;
                    }
                    Some(n) if n < 0 => {
                        self.f.minus = true;
                        self.f.zero = false;
                        self.f.wid = Some(n.unsigned_abs() as usize);
                    }
                    Some(n) => self.f.wid = Some(n as usize),
                }
                after_index = false;
            } else {
                let (n, present, next) = parse_num(bytes, i);
                i = next;
                self.f.wid = if present { Some(n) } else { None };
                if after_index && present {
                    cursor.good = false;
                }
            }
            if i + 1 < end && bytes[i] == b'.' {
                i += 1;
                if after_index {
                    cursor.good = false;
                }
                (i, after_index) = cursor.index(format, i);
                if i < end && bytes[i] == b'*' {
                    i += 1;
                    // A negative precision is as bad as a missing one (Go drops it too).
                    let n = cursor.int_arg();
                    self.f.prec = n.and_then(|n| usize::try_from(n).ok());
                    if self.f.prec.is_none() {
                        self.put("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (n, present, next) = parse_num(bytes, i);
                    i = next;
                    self.f.prec = Some(if present { n } else { 0 });
                }
            }
            if !after_index {
                (i, _) = cursor.index(format, i);
            }
            if i >= end {
                self.put("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('?');
            i += verb.len_utf8();
            if verb == '%' {
                self.put_char('%');
            } else if !cursor.good {
                self.put(&format!("%!{verb}(BADINDEX)"));
            } else if cursor.num >= args.len() {
                self.put(&format!("%!{verb}(MISSING)"));
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&args[cursor.num], verb);
                cursor.num += 1;
            }
        }
        if !cursor.reordered && cursor.num < args.len() {
            self.f = Flags::default();
            self.put("%!(EXTRA ");
            for (k, arg) in args[cursor.num..].iter().enumerate() {
                if k > 0 {
                    self.put(", ");
                }
                self.type_and_value(arg);
            }
            self.put_char(')');
        }
    }

    fn print_arg(&mut self, arg: &Value, verb: char) {
        if let Value::Nil = arg {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(arg, verb),
            }
            return;
        }
        if verb == 'T' {
            let t = arg.type_name().to_string();
            self.fmt_s(&t);
            return;
        }
        self.print_value(arg, verb);
    }

    fn print_value(&mut self, v: &Value, verb: char) {
        match v {
            Value::Nil => {
                if self.f.sharp_v {
                    self.put("interface {}(nil)");
                } else {
                    self.put("<nil>");
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(v, verb),
            },
            Value::Int(n) | Value::Int64(n) => self.fmt_integer(*n, v, verb),
            Value::Float(x) => match verb {
                'v' => self.fmt_float(*x, 'g', None),
                'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(*x, verb, None),
                'f' | 'e' | 'E' | 'F' => self.fmt_float(*x, verb, Some(6)),
                _ => self.bad_verb(v, verb),
            },
            Value::Str(s) => self.fmt_string(s.as_bytes(), v, verb),
            Value::RawStr(r) => self.fmt_string(r.bytes(), v, verb),
            Value::Bytes(b) => self.fmt_bytes(b, v, verb),
            Value::List(l) => {
                if self.depth >= MAX_DEPTH {
                    self.put("[...]");
                    return;
                }
                self.depth += 1;
                if self.f.sharp_v && l.is_nil() {
                    self.put(l.type_name());
                    self.put("(nil)");
                } else if self.f.sharp_v {
                    self.put(l.type_name());
                    self.put_char('{');
                    for (i, item) in l.items().iter().enumerate() {
                        if self.full() {
                            break;
                        }
                        if i > 0 {
                            self.put(", ");
                        }
                        self.print_value(item, verb);
                    }
                    self.put_char('}');
                } else {
                    self.put_char('[');
                    for (i, item) in l.items().iter().enumerate() {
                        if self.full() {
                            break;
                        }
                        if i > 0 {
                            self.put_char(' ');
                        }
                        self.print_value(item, verb);
                    }
                    self.put_char(']');
                }
                self.depth -= 1;
            }
            Value::Map(m) => {
                if self.depth >= MAX_DEPTH {
                    self.put("map[...]");
                    return;
                }
                self.depth += 1;
                let entries = m.snapshot();
                if self.f.sharp_v {
                    self.put(m.type_name());
                    self.put_char('{');
                } else {
                    self.put("map[");
                }
                for (i, (k, val)) in entries.iter().enumerate() {
                    if self.full() {
                        break;
                    }
                    if i > 0 {
                        self.put(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k.as_bytes(), &Value::Str(k.clone()), verb);
                    self.put_char(':');
                    self.print_value(val, verb);
                }
                self.put_char(if self.f.sharp_v { '}' } else { ']' });
                self.depth -= 1;
            }
            Value::Object(o) => {
                if let Some(s) = o.go_stringer() {
                    if matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') && !self.f.sharp_v {
                        self.fmt_string(s.as_bytes(), v, verb);
                        return;
                    }
                }
                let s = o.go_format();
                self.pad(&s);
            }
        }
    }

    fn bad_verb(&mut self, v: &Value, verb: char) {
        self.put("%!");
        self.put_char(verb);
        self.put_char('(');
        self.type_and_value(v);
        self.put_char(')');
    }

    /// An argument as Go's `%!verb(...)` and `%!(EXTRA ...)` notes show it: `type=value`, or
    /// `<nil>`.
    fn type_and_value(&mut self, arg: &Value) {
        if arg.is_nil() {
            self.put("<nil>");
        } else {
            self.put(arg.type_name());
            self.put_char('=');
            self.print_arg(arg, 'v');
        }
    }

    /// Pads `s` to the width (counted in runes), with zeros when the `0` flag asks for them.
    fn pad(&mut self, s: &str) {
        self.pad_bytes(s.as_bytes());
    }

    /// Pads a Go string's bytes to the width, counting runes as Go does (an invalid byte is
    /// one rune).
    fn pad_bytes(&mut self, s: &[u8]) {
        let Some(wid) = self.f.wid else {
            self.out.extend_from_slice(s);
            return;
        };
        let n = go_runes(s).count();
        if n >= wid {
            self.out.extend_from_slice(s);
            return;
        }
        let fill = if self.f.zero { '0' } else { ' ' };
        let padding: String = std::iter::repeat_n(fill, wid - n).collect();
        if self.f.minus {
            self.out.extend_from_slice(s);
            self.put(&padding);
        } else {
            self.put(&padding);
            self.out.extend_from_slice(s);
        }
    }

    /// The first `precision` runes.
    fn truncate<'s>(&self, s: &'s [u8]) -> &'s [u8] {
        let Some(p) = self.f.prec else {
            return s;
        };
        let mut end = 0;
        for rune in go_runes(s).take(p) {
            end += match rune {
                Ok(c) => c.len_utf8(),
                Err(_) => 1,
            };
        }
        &s[..end]
    }

    fn fmt_s(&mut self, s: &str) {
        self.fmt_s_bytes(s.as_bytes());
    }

    fn fmt_s_bytes(&mut self, s: &[u8]) {
        let t = self.truncate(s);
        self.pad_bytes(t);
    }

    /// A string's verbs, over its bytes as Go holds them.
    fn fmt_string(&mut self, s: &[u8], v: &Value, verb: char) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s_bytes(s),
            'x' => self.fmt_sx(s, false),
            'X' => self.fmt_sx(s, true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], v: &Value, verb: char) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    let items: Vec<String> = b.iter().map(|x| format!("0x{x:x}")).collect();
                    self.put(&format!("[]byte{{{}}}", items.join(", ")));
                } else {
                    let items: Vec<String> = b.iter().map(|x| x.to_string()).collect();
                    self.put_char('[');
                    self.put(&items.join(" "));
                    self.put_char(']');
                }
            }
            's' => self.fmt_s_bytes(b),
            'x' => self.fmt_sx(b, false),
            'X' => self.fmt_sx(b, true),
            'q' => self.fmt_q(b),
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_sx(&mut self, b: &[u8], upper: bool) {
        let b = match self.f.prec {
            Some(p) if p < b.len() => &b[..p],
            _ => b,
        };
        let mut s = String::new();
        for (i, byte) in b.iter().enumerate() {
            if self.f.space && i > 0 {
                s.push(' ');
            }
            if self.f.sharp && (self.f.space || i == 0) {
                s.push_str(if upper { "0X" } else { "0x" });
            }
            if upper {
                s.push_str(&format!("{byte:02X}"));
            } else {
                s.push_str(&format!("{byte:02x}"));
            }
        }
        self.pad(&s);
    }

    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        let q = match std::str::from_utf8(s) {
            Ok(text) if self.f.sharp && strconv::can_backquote(text) => format!("`{text}`"),
            _ => strconv::quote_bytes(s, self.f.plus),
        };
        self.pad(&q);
    }

    fn fmt_integer(&mut self, n: i64, v: &Value, verb: char) {
        let (base, upper) = match verb {
            'v' | 'd' => (10, false),
            'b' => (2, false),
            'o' | 'O' => (8, false),
            'x' => (16, false),
            'X' => (16, true),
            'c' => {
                let c = u32::try_from(n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                let s = c.to_string();
                self.pad(&s);
                return;
            }
            'q' => {
                let c = u32::try_from(n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                let s = strconv::quote_rune(c, self.f.plus);
                self.pad(&s);
                return;
            }
            'U' => {
                let mut s = format!("U+{:04X}", n as u64);
                if self.f.sharp {
                    if let Some(c) = u32::try_from(n).ok().and_then(char::from_u32) {
                        if strconv::is_print(c) {
                            s.push_str(&format!(" '{c}'"));
                        }
                    }
                }
                self.pad(&s);
                return;
            }
            _ => return self.bad_verb(v, verb),
        };
        let negative = n < 0;
        let u = n.unsigned_abs();
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let zero = std::mem::replace(&mut self.f.zero, false);
                self.pad("");
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus {
            if let Some(w) = self.f.wid {
                prec = w;
                if negative || self.f.plus || self.f.space {
                    prec = prec.saturating_sub(1);
                }
            }
        }
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        if digits.len() < prec {
            digits = "0".repeat(prec - digits.len()) + &digits;
        }
        let mut prefix = String::new();
        if self.f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix = "0o".to_string() + &prefix;
        }
        let sign = if negative {
            "-"
        } else if self.f.plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let s = format!("{sign}{prefix}{digits}");
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(&s);
        self.f.zero = zero;
    }

    fn fmt_float(&mut self, x: f64, verb: char, default_prec: Option<usize>) {
        let prec = self.f.prec.or(default_prec);
        let fmt = if verb == 'F' { 'f' } else { verb };
        let mut num = strconv::format_float(x.abs(), fmt, prec.map_or(-1, |p| p as i32));
        if self.f.sharp && verb != 'b' {
            num = sharp_float(&num, verb, prec);
        }
        let sign = if x.is_sign_negative() && !x.is_nan() {
            '-'
        } else {
            '+'
        };
        let sign_str = if sign == '-' {
            "-"
        } else if self.f.plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        if x.is_infinite() || x.is_nan() {
            let zero = std::mem::replace(&mut self.f.zero, false);
            let s = if x.is_nan() {
                format!(
                    "{}NaN",
                    if self.f.plus {
                        "+"
                    } else if self.f.space {
                        " "
                    } else {
                        ""
                    }
                )
            } else {
                format!(
                    "{}Inf",
                    if sign == '-' {
                        "-"
                    } else if self.f.space && !self.f.plus {
                        " "
                    } else {
                        "+"
                    }
                )
            };
            self.pad(&s);
            self.f.zero = zero;
            return;
        }
        if self.f.zero && !self.f.minus {
            if let Some(w) = self.f.wid {
                let len = sign_str.len() + num.len();
                if w > len {
                    self.put(sign_str);
                    self.put(&"0".repeat(w - len));
                    self.put(&num);
                    return;
                }
            }
        }
        let s = format!("{sign_str}{num}");
        self.pad(&s);
    }
}

/// `%#g`-style forms keep a decimal point (and for `g`, trailing zeros up to the precision).
fn sharp_float(num: &str, verb: char, prec: Option<usize>) -> String {
    let (mant, exp) = match num.find(['e', 'E', 'p', 'P']) {
        Some(i) => (&num[..i], &num[i..]),
        None => (num, ""),
    };
    let mut mant = mant.to_string();
    if !mant.contains('.') {
        mant.push('.');
    }
    if matches!(verb, 'g' | 'G' | 'v') {
        let want = prec.unwrap_or(6);
        let digits = mant.chars().filter(|c| c.is_ascii_digit()).count();
        let lead_zeros = mant
            .chars()
            .take_while(|c| *c == '0' || *c == '.')
            .filter(|c| *c == '0')
            .count();
        let significant = digits - lead_zeros.min(digits.saturating_sub(1));
        if significant < want {
            mant.push_str(&"0".repeat(want - significant));
        }
    }
    mant + exp
}

fn parse_num(bytes: &[u8], mut i: usize) -> (usize, bool, usize) {
    let start = i;
    let mut n = 0usize;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (0, false, bytes.len());
        }
        n = n * 10 + (bytes[i] - b'0') as usize;
        i += 1;
    }
    (n, i > start, i)
}

/// Printf's walk over its arguments (Go's `argNum`, `reordered` and `goodArgNum`).
struct ArgCursor<'a> {
    args: &'a [Value],
    /// The argument the next verb, `*` width or `*` precision uses.
    num: usize,
    /// An explicit `[n]` index was seen (no EXTRA complaint then).
    reordered: bool,
    /// The current verb's argument index is valid.
    good: bool,
}

impl ArgCursor<'_> {
    /// Go's `argNumber`: an explicit `[n]` at `i` selects argument n; returns the position after
    /// it and whether one was there.
    fn index(&mut self, format: &str, i: usize) -> (usize, bool) {
        let bytes = format.as_bytes();
        if i >= bytes.len() || bytes[i] != b'[' {
            return (i, false);
        }
        self.reordered = true;
        let rest = &bytes[i..];
        let (index, wid, ok) = if rest.len() < 3 {
            (0, 1, false)
        } else {
            match rest.iter().position(|&b| b == b']') {
                Some(close) => {
                    let (n, present, next) = parse_num(rest, 1);
                    if !present || next != close {
                        (0, close + 1, false)
                    } else {
                        (n as i64 - 1, close + 1, true)
                    }
                }
                None => (0, 1, false),
            }
        };
        if ok && index >= 0 && (index as usize) < self.args.len() {
            self.num = index as usize;
            return (i + wid, true);
        }
        self.good = false;
        (i + wid, ok)
    }

    /// Go's `intFromArg`: the argument for a `*` width or precision, None when it is missing, not
    /// an integer or too large.
    fn int_arg(&mut self) -> Option<i64> {
        let arg = self.args.get(self.num)?;
        self.num += 1;
        arg.as_int()
            .filter(|n| (-1_000_000..=1_000_000).contains(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::{Map, Value};

    fn f(format: &str, args: &[Value]) -> String {
        sprintf(format, args)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn shortest_floats_as_go() {
        let got: Vec<String> = [100000.0, 1e6, 0.0001, 1e-5, 2.00000005e7, -1.5e6, 2.5, 1.0]
            .iter()
            .map(|x| format_value(&Value::Float(*x)))
            .collect();
        assert_eq!(
            got,
            [
                "100000",
                "1e+06",
                "0.0001",
                "1e-05",
                "2.00000005e+07",
                "-1.5e+06",
                "2.5",
                "1"
            ]
        );
    }

    #[test]
    fn verbs_and_flags() {
        let i = |n| Value::Int(n);
        // As helm v4.1.4 prints them: a negative `*` precision is reported and dropped.
        assert_eq!(
            f(
                "%.*d|%.*s|%*.*f|%.*x",
                &[
                    i(-5),
                    i(1),
                    i(-1),
                    Value::str("abc"),
                    i(8),
                    i(-2),
                    Value::Float(1.25),
                    i(-1),
                    i(255)
                ]
            ),
            "%!(BADPREC)1|%!(BADPREC)abc|%!(BADPREC)1.250000|%!(BADPREC)ff"
        );
        assert_eq!(
            f(
                "%5d|%-5d|%05d|%+d|% d|%x",
                &[i(42), i(42), i(42), i(42), i(42), i(-255)]
            ),
            "   42|42   |00042|+42| 42|-ff"
        );
        assert_eq!(
            f("%o %O %#o %b %08b", &[i(8), i(8), i(8), i(5), i(5)]),
            "10 0o10 010 101 00000101"
        );
        assert_eq!(
            f(
                "%e %E %f %g %g %G",
                &[
                    Value::Float(1234.5678),
                    Value::Float(0.000012),
                    Value::Float(1.0),
                    Value::Float(1e8),
                    Value::Float(1e-5),
                    Value::Float(1e-10)
                ]
            ),
            "1.234568e+03 1.200000E-05 1.000000 1e+08 1e-05 1E-10"
        );
        assert_eq!(
            f(
                "%.2f|%8.3f|%-8.2f|%08.3f|%.0f|%.3g",
                &[
                    Value::Float(3.14259),
                    Value::Float(3.14259),
                    Value::Float(3.14259),
                    Value::Float(-3.14259),
                    Value::Float(2.5),
                    Value::Float(3.14259)
                ]
            ),
            "3.14|   3.143|3.14    |-003.143|2|3.14"
        );
        assert_eq!(
            f(
                "%.2g|%.10g|%g|%G",
                &[
                    Value::Float(1234.5),
                    Value::Float(1234.5),
                    Value::Float(0.000001234),
                    Value::Float(1e-7)
                ]
            ),
            "1.2e+03|1234.5|1.234e-06|1E-07"
        );
        assert_eq!(f("%x", &[Value::Float(3.5)]), "0x1.cp+01");
    }

    #[test]
    fn go_error_forms() {
        assert_eq!(
            f(
                "%d|%s|%t|%d",
                &[
                    Value::from("x"),
                    Value::Int(5),
                    Value::Int(1),
                    Value::Bool(true)
                ]
            ),
            "%!d(string=x)|%!s(int=5)|%!t(int=1)|%!d(bool=true)"
        );
        assert_eq!(
            f("%s and %s", &[Value::from("one")]),
            "one and %!s(MISSING)"
        );
        assert_eq!(
            f("%d", &[Value::Int(1), Value::Int(2), Value::from("x")]),
            "1%!(EXTRA int=2, string=x)"
        );
        assert_eq!(f("%", &[]), "%!(NOVERB)");
        assert_eq!(f("%!", &[]), "%!!(MISSING)");
        assert_eq!(
            f("%[2]s %[1]s %s", &[Value::from("a"), Value::from("b")]),
            "b a b"
        );
    }

    #[test]
    fn composite_values() {
        let m = Map::default();
        m.insert("b", Value::Float(2.0));
        m.insert("a", Value::list(vec![Value::Int(1), Value::from("x")]));
        let v = Value::list(vec![Value::Map(m.clone()), Value::Nil, Value::Bool(true)]);
        assert_eq!(format_value(&v), "[map[a:[1 x] b:2] <nil> true]");
        assert_eq!(
            f("%#v", &[Value::Map(m)]),
            "map[string]interface {}{\"a\":[]interface {}{1, \"x\"}, \"b\":2}"
        );
        assert_eq!(
            sprint(&[
                Value::Int(1),
                Value::Int(2),
                Value::from("a"),
                Value::Int(3)
            ])
            .as_str(),
            Some("1 2a3")
        );
    }
}
