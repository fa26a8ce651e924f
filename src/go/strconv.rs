//! Go's `strconv` (`ftoa.go`, `atof.go`, `atoi.go`, `quote.go`): the one place floats and
//! integers are formatted and parsed and strings quoted for `fmt`, `encoding/json`, go-yaml,
//! the template parser, Sprig's conversions (spf13/cast) and kustomize.
//!
//! Digits come from Rust's float formatting, which is exact and shortest-round-trip as Go's
//! Ryū is (and rounds half to even on exact ties, as Go's decimal rounding does); the layout
//! around the digits is Go's.

use super::utf8::go_runes;

/// Why a number does not parse: Go's `ErrSyntax` or `ErrRange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NumError {
    /// Not a number in the accepted syntax.
    #[error("invalid syntax")]
    Syntax,
    /// A number, but beyond what the type holds.
    #[error("value out of range")]
    Range,
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)`: `fmt` is one of `b e E f g G x X`; `prec` -1
/// asks for the fewest digits that read back as `f`.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    format_bits(f, fmt, prec, false)
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 32)`: the shortest digits are those that read back
/// as the float32 (`0.1`, not `0.10000000149011612`).
pub fn format_float32(f: f32, fmt: char, prec: i32) -> String {
    format_bits(f64::from(f), fmt, prec, true)
}

fn format_bits(f: f64, fmt: char, prec: i32, float32: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let abs = f.abs();
    let shortest = prec < 0;
    let digits = match fmt {
        'b' => {
            let (mant, exp) = if float32 {
                split_bits32(abs as f32)
            } else {
                split_bits(abs)
            };
            out.push_str(&format!("{mant}p{exp:+}"));
            return out;
        }
        // The same value has the same hexadecimal form at either size.
        'x' | 'X' => {
            push_hex(&mut out, abs, prec, fmt == 'X');
            return out;
        }
        _ if !matches!(fmt, 'e' | 'E' | 'f' | 'g' | 'G') => return format!("%{fmt}"),
        _ if shortest && float32 => Digits::from_exponent_text(&format!("{:e}", abs as f32)),
        _ if shortest => Digits::shortest(abs),
        'e' | 'E' => Digits::significant(abs, prec as usize + 1),
        'f' => Digits::fixed(abs, prec as usize),
        _ => Digits::significant(abs, prec.max(1) as usize),
    };
    let nd = digits.d.len() as i32;
    match fmt {
        'e' | 'E' => {
            let prec = if shortest { (nd - 1).max(0) } else { prec };
            digits.push_exponent_form(&mut out, prec, fmt);
        }
        'f' => {
            let prec = if shortest {
                (nd - digits.dp).max(0)
            } else {
                prec
            };
            digits.push_fixed_form(&mut out, prec);
        }
        _ => {
            let mut prec = if shortest { nd } else { prec.max(1) };
            // %e when the exponent is below -4 or reaches the precision (6 for shortest).
            let mut eprec = prec;
            if eprec > nd && nd >= digits.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digits.dp - 1;
            if exp < -4 || exp >= eprec {
                prec = prec.min(nd);
                let e = if fmt == 'G' { 'E' } else { 'e' };
                digits.push_exponent_form(&mut out, prec - 1, e);
            } else {
                if prec > digits.dp {
                    prec = nd;
                }
                digits.push_fixed_form(&mut out, (prec - digits.dp).max(0));
            }
        }
    }
    out
}

/// Decimal digits without trailing zeros (none at all for zero) and the decimal point's
/// place: the value is 0.d₁d₂… × 10^dp (Go's `decimalSlice`).
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

impl Digits {
    /// The shortest digits that read back as `abs`.
    fn shortest(abs: f64) -> Digits {
        Digits::from_exponent_text(&format!("{abs:e}"))
    }

    /// `abs` rounded to `n` (at least 1) significant digits.
    fn significant(abs: f64, n: usize) -> Digits {
        Digits::from_exponent_text(&format!("{abs:.*e}", n.saturating_sub(1)))
    }

    /// `abs` rounded to `prec` digits after the point.
    fn fixed(abs: f64, prec: usize) -> Digits {
        let text = format!("{abs:.prec$}");
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let lead = all.iter().take_while(|&&b| b == b'0').count();
        Digits::trimmed(all[lead..].to_vec(), int.len() as i32 - lead as i32)
    }

    /// Rust's `1.2345e3` form.
    fn from_exponent_text(text: &str) -> Digits {
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let d = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        Digits::trimmed(d, exponent + 1)
    }

    fn trimmed(mut d: Vec<u8>, dp: i32) -> Digits {
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            return Digits { d, dp: 0 };
        }
        Digits { d, dp }
    }

    fn digit(&self, i: i32) -> char {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.d.get(i))
            .map_or('0', |&b| b as char)
    }

    /// Go's `fmtE`: `d.ddddde±dd`, `prec` digits after the point, at least two exponent digits.
    fn push_exponent_form(&self, out: &mut String, prec: i32, e: char) {
        out.push(self.digit(0));
        if prec > 0 {
            out.push('.');
            for i in 1..=prec {
                out.push(self.digit(i));
            }
        }
        out.push(e);
        let exp = if self.d.is_empty() { 0 } else { self.dp - 1 };
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    }

    /// Go's `fmtF`: `ddd.dddd`, `prec` digits after the point.
    fn push_fixed_form(&self, out: &mut String, prec: i32) {
        if self.dp > 0 {
            for i in 0..self.dp {
                out.push(self.digit(i));
            }
        } else {
            out.push('0');
        }
        if prec > 0 {
            out.push('.');
            for i in 0..prec {
                out.push(self.digit(self.dp + i));
            }
        }
    }
}

/// A float64's significand and the binary exponent of its last bit (Go's `fmtB` parts):
/// the value is `mant × 2^exp`.
fn split_bits(abs: f64) -> (u64, i32) {
    let bits = abs.to_bits();
    let mant = bits & ((1 << 52) - 1);
    match ((bits >> 52) & 0x7ff) as i32 {
        0 => (mant, -1074),
        exp => (mant | (1 << 52), exp - 1075),
    }
}

/// [`split_bits`] of a float32.
fn split_bits32(abs: f32) -> (u64, i32) {
    let bits = abs.to_bits();
    let mant = u64::from(bits & ((1 << 23) - 1));
    match ((bits >> 23) & 0xff) as i32 {
        0 => (mant, -149),
        exp => (mant | (1 << 23), exp - 150),
    }
}

/// Go's `fmtX`: `0x1.hhhp±dd`, rounded half to even at `prec` hex digits (all digits, trailing
/// zeros dropped, when `prec` is -1).
fn push_hex(out: &mut String, abs: f64, prec: i32, upper: bool) {
    let (mut mant, exp) = split_bits(abs);
    // The exponent of bit 60, where the leading 1 (if any) goes.
    let mut exp = if mant == 0 { 0 } else { exp + 52 };
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = prec as u32 * 4;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.push('0');
    out.push(if upper { 'X' } else { 'x' });
    out.push(if mant >> 60 & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    let count = if prec < 0 && mant != 0 {
        (16 - mant.trailing_zeros() / 4) as i32
    } else {
        prec.max(0)
    };
    if count > 0 {
        out.push('.');
        for _ in 0..count {
            out.push(hex[(mant >> 60) as usize & 15] as char);
            mant <<= 4;
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1.8p3`) floats as in Go
/// source, `_` between digits, `inf`/`infinity`/`nan` in any case. Overflow is
/// [`NumError::Range`] (Go's ±Inf with `ErrRange`); underflow reads as zero.
pub fn parse_float(s: &str) -> Result<f64, NumError> {
    if let Some(f) = special_float(s) {
        return Ok(f);
    }
    let b = s.as_bytes();
    let mut i = 0;
    let negative = match b.first() {
        Some(b'+') => {
            i = 1;
            false
        }
        Some(b'-') => {
            i = 1;
            true
        }
        _ => false,
    };
    let hex = b.len() >= i + 2 && b[i] == b'0' && b[i + 1] | 0x20 == b'x';
    if hex {
        i += 2;
    }
    let mantissa_start = i;
    let (mut underscores, mut saw_dot, mut saw_digits) = (false, false, false);
    while i < b.len() {
        match b[i] {
            b'_' => underscores = true,
            b'.' if !saw_dot => saw_dot = true,
            c if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return Err(NumError::Syntax);
    }
    let mantissa = &s[mantissa_start..i];
    let mut exponent = 0i64;
    if i < b.len() && b[i] | 0x20 == if hex { b'p' } else { b'e' } {
        i += 1;
        let sign = match b.get(i) {
            Some(b'+') => {
                i += 1;
                1
            }
            Some(b'-') => {
                i += 1;
                -1
            }
            _ => 1,
        };
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(NumError::Syntax);
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            } else if exponent < 100_000 {
                exponent = exponent * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        exponent *= sign;
    } else if hex {
        // A hexadecimal mantissa needs its binary exponent.
        return Err(NumError::Syntax);
    }
    if i != b.len() || (underscores && !underscores_ok(s)) {
        return Err(NumError::Syntax);
    }
    let magnitude = if hex {
        hex_float(mantissa, exponent)
    } else {
        // The syntax is checked: Rust's parser reads the same digits, exactly rounded.
        let digits: String = s[mantissa_start..].chars().filter(|&c| c != '_').collect();
        digits.parse::<f64>().map_err(|_| NumError::Syntax)?
    };
    if magnitude.is_infinite() {
        return Err(NumError::Range);
    }
    Ok(if negative { -magnitude } else { magnitude })
}

/// Go's `special`: `±inf`, `±infinity` and `nan` (no sign) in any case, the whole text.
fn special_float(s: &str) -> Option<f64> {
    let (sign, body) = match s.as_bytes().first()? {
        b'+' => (1.0, &s[1..]),
        b'-' => (-1.0, &s[1..]),
        _ => (1.0, s),
    };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(sign * f64::INFINITY);
    }
    (s.eq_ignore_ascii_case("nan")).then_some(f64::NAN)
}

/// A hexadecimal mantissa (digits, an optional point, `_`) times 2^`exponent`, rounded half to
/// even as Go's `atofHex` rounds it.
fn hex_float(mantissa: &str, exponent: i64) -> f64 {
    let (mut mant, mut exp, mut truncated, mut after_dot) = (0u64, exponent, false, false);
    for c in mantissa.chars() {
        let Some(d) = c.to_digit(16) else {
            after_dot |= c == '.';
            continue;
        };
        if mant >> 60 == 0 {
            mant = mant << 4 | u64::from(d);
            if after_dot {
                exp -= 4;
            }
        } else {
            truncated |= d != 0;
            if !after_dot {
                exp += 4;
            }
        }
    }
    compose_float(mant, exp, truncated)
}

/// `mant × 2^exp` (plus less than one unit of `mant` when `truncated`) as the nearest float64,
/// ties to even; beyond the largest float it is infinite.
fn compose_float(mant: u64, exp: i64, truncated: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let shift = mant.leading_zeros();
    let (mant, exp) = (mant << shift, exp - i64::from(shift));
    // The leading bit's weight is 2^(exp + 63).
    if exp + 63 > 1023 {
        return f64::INFINITY;
    }
    // Bits dropped below the 53 kept (fewer kept for subnormals, whose last bit is 2^-1074).
    let drop = if exp + 63 >= -1022 { 11 } else { -1074 - exp };
    if drop > 64 {
        return 0.0;
    }
    let (mut kept, rest, half) = if drop == 64 {
        (0, mant, 1u64 << 63)
    } else {
        (mant >> drop, mant & ((1 << drop) - 1), 1u64 << (drop - 1))
    };
    if rest > half || (rest == half && (truncated || kept & 1 == 1)) {
        kept += 1;
    }
    let mut low = exp + drop;
    if kept == 1 << 53 {
        kept >>= 1;
        low += 1;
    }
    if kept < 1 << 52 {
        // Subnormal (a carry into bit 52 makes it the smallest normal, the same bits).
        return f64::from_bits(kept);
    }
    let biased = low + 52 + 1023;
    if biased >= 2047 {
        return f64::INFINITY;
    }
    f64::from_bits((biased as u64) << 52 | (kept & ((1 << 52) - 1)))
}

/// Go's `underscoreOK`: `_` only between digits, or between a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let b = b
        .strip_prefix(b"+")
        .or_else(|| b.strip_prefix(b"-"))
        .unwrap_or(b);
    // What came last: '^' the start, '0' a digit or base prefix, '_' an underscore, '!' other.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1] | 0x20 == b'x';
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, base, 64)`: no sign; `base` 0 reads Go's prefixes (`0x`, `0o`,
/// `0b`, a leading `0` for octal) and allows `_` between digits.
pub fn parse_uint(s: &str, base: u32) -> Result<u64, NumError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(NumError::Syntax);
    }
    let (radix, digits) = match base {
        0 if b[0] == b'0' => match b.get(1).map(|c| c | 0x20) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        },
        0 => (10, b),
        2..=36 => (base, b),
        _ => return Err(NumError::Syntax),
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        let d = match c {
            b'_' if base == 0 => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u32::from(c - b'0'),
            _ if c.is_ascii_alphabetic() => u32::from((c | 0x20) - b'a') + 10,
            _ => return Err(NumError::Syntax),
        };
        if d >= radix {
            return Err(NumError::Syntax);
        }
        n = n
            .checked_mul(u64::from(radix))
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(NumError::Range)?;
    }
    if underscores && !underscores_ok(s) {
        return Err(NumError::Syntax);
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`: an optional sign, then [`parse_uint`]'s digits.
pub fn parse_int(s: &str, base: u32) -> Result<i64, NumError> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let magnitude = match parse_uint(body, base) {
        Err(NumError::Range) => u64::MAX,
        other => other?,
    };
    if negative {
        0i64.checked_sub_unsigned(magnitude).ok_or(NumError::Range)
    } else {
        i64::try_from(magnitude).map_err(|_| NumError::Range)
    }
}

/// The number Go's `ParseInt` returns beside its error, for callers that ignore the error
/// (Sprig's `atoi` and `duration`): the value, the nearest bound when out of range, or 0
/// when `s` is no number.
pub fn parse_int_value(s: &str, base: u32) -> i64 {
    match parse_int(s, base) {
        Ok(n) => n,
        Err(NumError::Range) if s.starts_with('-') => i64::MIN,
        Err(NumError::Range) => i64::MAX,
        Err(NumError::Syntax) => 0,
    }
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_bytes(s.as_bytes(), false)
}

/// Go's `strconv.Quote` (or `QuoteToASCII`) of a Go string's bytes: a byte that is not UTF-8
/// is written `\xNN`.
pub fn quote_bytes(s: &[u8], ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for rune in go_runes(s) {
        match rune {
            Ok(c) => push_escaped(&mut out, c, '"', ascii_only),
            Err(b) => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (or `QuoteRuneToASCII`).
pub fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// Go's `appendEscapedRune`.
fn push_escaped(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        c if c == quote || c == '\\' => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) && (c.is_ascii() || !ascii_only) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.IsPrint` (`unicode.IsPrint`): letters, marks, numbers, punctuation, symbols
/// and the ASCII space; not controls, format characters, other spaces, private use, surrogates
/// or unassigned code points.
pub fn is_print(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as Category};
    c == ' '
        || !matches!(
            get_general_category(c),
            Category::Control
                | Category::Format
                | Category::LineSeparator
                | Category::ParagraphSeparator
                | Category::SpaceSeparator
                | Category::PrivateUse
                | Category::Surrogate
                | Category::Unassigned
        )
}

/// Go's `strconv.CanBackquote`: one line, no backquote, no control character but tab, no BOM.
pub fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        if c.len_utf8() > 1 {
            return c != '\u{FEFF}';
        }
        (c >= ' ' || c == '\t') && c != '`' && c != '\u{7f}'
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_forms() {
        let cases: &[(f64, char, &str)] = &[
            (1.0, 'e', "1e+00"),
            (1.0, 'f', "1"),
            (1.0, 'g', "1"),
            (-1.0, 'g', "-1"),
            (20.0, 'g', "20"),
            (1234567.8, 'g', "1.2345678e+06"),
            (200000.0, 'g', "200000"),
            (2000000.0, 'g', "2e+06"),
            (1e21, 'g', "1e+21"),
            (1e-5, 'g', "1e-05"),
            (0.0001, 'g', "0.0001"),
            (400.0, 'g', "400"),
            (40.0, 'g', "40"),
            (123456789012.0, 'g', "1.23456789012e+11"),
            (1e23, 'e', "1e+23"),
            (1e23, 'f', "100000000000000000000000"),
            (1e23, 'g', "1e+23"),
            (0.000001, 'f', "0.000001"),
            (0.0, 'e', "0e+00"),
            (0.0, 'f', "0"),
            (0.0, 'g', "0"),
            (-0.0, 'g', "-0"),
            (5e-324, 'g', "5e-324"),
            (1.7976931348623157e308, 'g', "1.7976931348623157e+308"),
            (1e100, 'G', "1E+100"),
            (1e-7, 'g', "1e-07"),
            (1234.5, 'e', "1.2345e+03"),
            (1e20, 'f', "100000000000000000000"),
            (1e100, 'E', "1E+100"),
        ];
        for &(f, fmt, want) in cases {
            assert_eq!(format_float(f, fmt, -1), want, "{f} {fmt}");
        }
    }

    #[test]
    fn fixed_precisions() {
        let cases: &[(f64, char, i32, &str)] = &[
            (1.0, 'e', 5, "1.00000e+00"),
            (1.0, 'f', 5, "1.00000"),
            (1.0, 'g', 5, "1"),
            (12.0, 'e', 5, "1.20000e+01"),
            (123456700.0, 'e', 5, "1.23457e+08"),
            (1.2345e6, 'e', 5, "1.23450e+06"),
            (1e23, 'e', 17, "9.99999999999999916e+22"),
            (1e23, 'f', 17, "99999999999999991611392.00000000000000000"),
            (1e23, 'g', 17, "9.9999999999999992e+22"),
            (1e23, 'g', 3, "1e+23"),
            (0.0, 'e', 5, "0.00000e+00"),
            (0.0, 'f', 5, "0.00000"),
            (0.0, 'g', 5, "0"),
            (32.0, 'g', 0, "3e+01"),
            (100.0, 'x', -1, "0x1.9p+06"),
            (1.0, 'x', 0, "0x1p+00"),
            (3.5, 'x', -1, "0x1.cp+01"),
            (1.5, 'x', 0, "0x1p+01"),
            (2.5, 'x', 0, "0x1p+01"),
            (3.0, 'X', 3, "0X1.800P+01"),
            (0.0, 'x', 2, "0x0.00p+00"),
            (5e-324, 'x', -1, "0x1p-1074"),
            (1.0, 'b', -1, "4503599627370496p-52"),
            (0.0, 'b', -1, "0p-1074"),
            (-3.0, 'b', -1, "-6755399441055744p-51"),
            // Ties round to even, on the exact binary value.
            (0.5, 'f', 0, "0"),
            (1.5, 'f', 0, "2"),
            (2.5, 'f', 0, "2"),
            (0.375, 'f', 2, "0.38"),
            (0.05, 'f', 1, "0.1"),
            (2.5, 'e', 0, "2e+00"),
            (1234.5678, 'e', 6, "1.234568e+03"),
            (1234.5, 'g', 2, "1.2e+03"),
            (1234.5, 'g', 10, "1234.5"),
            (3.14259, 'g', 3, "3.14"),
            (0.000001234, 'g', -1, "1.234e-06"),
            (-1.5, 'f', 3, "-1.500"),
            (1234.5, 'e', 6, "1.234500e+03"),
            (1.23456, 'f', 2, "1.23"),
            (2.0, 'f', 1, "2.0"),
        ];
        for &(f, fmt, prec, want) in cases {
            assert_eq!(format_float(f, fmt, prec), want, "{f} {fmt} {prec}");
        }
        assert_eq!(format_float(f64::NAN, 'g', -1), "NaN");
        assert_eq!(format_float(f64::INFINITY, 'f', 2), "+Inf");
        assert_eq!(format_float(f64::NEG_INFINITY, 'e', -1), "-Inf");
        assert_eq!(format_float(1.0, 'z', -1), "%z");
    }

    #[test]
    fn float32_shortest() {
        let cases: &[(f32, char, i32, &str)] = &[
            (0.1, 'g', -1, "0.1"),
            (1e7, 'g', -1, "1e+07"),
            (16777216.0, 'f', -1, "16777216"),
            (3.4028235e38, 'g', -1, "3.4028235e+38"),
            (1e-45, 'g', -1, "1e-45"),
            (0.1, 'f', 10, "0.1000000015"),
            (1.0, 'b', -1, "8388608p-23"),
            (1e-45, 'b', -1, "1p-149"),
            (1.5, 'x', -1, "0x1.8p+00"),
        ];
        for &(f, fmt, prec, want) in cases {
            assert_eq!(format_float32(f, fmt, prec), want, "{f} {fmt} {prec}");
        }
        assert_eq!(
            format_float(f64::from(0.1f32), 'g', -1),
            "0.10000000149011612"
        );
    }

    #[test]
    fn parses_floats_as_go() {
        let ok: &[(&str, f64)] = &[
            ("1", 1.0),
            ("+1", 1.0),
            ("-1", -1.0),
            ("1e23", 1e23),
            ("1E23", 1e23),
            ("100000000000000000000000", 1e23),
            ("1e-100", 1e-100),
            ("123456789e-5", 1234.56789),
            (".5", 0.5),
            ("5.", 5.0),
            ("1.e2", 100.0),
            ("0x1p0", 1.0),
            ("0x1.8p3", 12.0),
            ("-0x2p-1", -1.0),
            ("0X.8P1", 1.0),
            ("0x1fffffffffffffp0", 9007199254740991.0),
            // 2^53 + 1 rounds to even; a set bit past the tie rounds up.
            ("0x20000000000001p0", 9007199254740992.0),
            ("0x20000000000003p0", 9007199254740996.0),
            ("0x200000000000010000000001p-40", 9007199254740994.0),
            ("0x1p-1074", 5e-324),
            ("0x1p-1075", 0.0),
            ("0x1.8p-1075", 5e-324),
            ("0x1.fffffffffffff8p-1023", 2.2250738585072014e-308),
            ("1e-400", 0.0),
            ("1_23.50_0_0e+1_2", 1.235e14),
            ("0x_1_2.3_4_5p+1_2", 74565.0),
            ("inf", f64::INFINITY),
            ("-Inf", f64::NEG_INFINITY),
            ("+INFINITY", f64::INFINITY),
            ("1.7976931348623157e308", f64::MAX),
        ];
        for &(text, want) in ok {
            assert_eq!(parse_float(text), Ok(want), "{text}");
        }
        assert!(parse_float("NaN").is_ok_and(f64::is_nan));
        assert!(parse_float("nan").is_ok_and(f64::is_nan));
        let syntax = [
            "", " 1", "1 ", "+", "-", ".", "e1", "1e", "1e+", "0x", "0x1", "0x1.8", "0x1e3", "1p3",
            "1.2.3", "infx", "+nan", "-nan", "info", "in", "_1", "1__2", "1_", "1_.5", "1._5",
            "1e_1", "1e1_", "0b101", "1,5", "١",
        ];
        for text in syntax {
            assert_eq!(parse_float(text), Err(NumError::Syntax), "{text:?}");
        }
        for text in ["1e309", "-1e309", "0x1p1024", "1.7976931348623159e308"] {
            assert_eq!(parse_float(text), Err(NumError::Range), "{text}");
        }
    }

    #[test]
    fn parses_integers_as_go() {
        let ok: &[(&str, u32, i64)] = &[
            ("0", 0, 0),
            ("-0", 0, 0),
            ("12345", 0, 12345),
            ("+12345", 0, 12345),
            ("-12345", 10, -12345),
            ("012", 0, 10),
            ("0o17", 0, 15),
            ("0O17", 0, 15),
            ("0x1F", 0, 31),
            ("0b101", 0, 5),
            ("-0x10", 0, -16),
            ("1_000", 0, 1000),
            ("0x_1F", 0, 31),
            ("0_7", 0, 7),
            ("9223372036854775807", 0, i64::MAX),
            ("-9223372036854775808", 0, i64::MIN),
            ("zz", 36, 1295),
            ("777", 8, 511),
        ];
        for &(text, base, want) in ok {
            assert_eq!(parse_int(text, base), Ok(want), "{text} base {base}");
        }
        let syntax: &[(&str, u32)] = &[
            ("", 0),
            ("+", 0),
            ("--1", 0),
            ("0x", 0),
            ("0b", 0),
            ("08", 0),
            ("0b2", 0),
            ("1_000", 10),
            ("_1", 0),
            ("1__0", 0),
            ("1_", 0),
            ("0x_", 0),
            ("1.0", 0),
            ("12a", 10),
            ("8", 8),
        ];
        for &(text, base) in syntax {
            assert_eq!(parse_int(text, base), Err(NumError::Syntax), "{text:?}");
        }
        for text in [
            "9223372036854775808",
            "-9223372036854775809",
            "0x10000000000000000",
        ] {
            assert_eq!(parse_int(text, 0), Err(NumError::Range), "{text}");
        }
        assert_eq!(parse_int_value("9223372036854775808", 10), i64::MAX);
        assert_eq!(parse_int_value("-99999999999999999999", 10), i64::MIN);
        assert_eq!(parse_int_value("0x10000000000000000", 0), i64::MAX);
        assert_eq!(parse_int_value("12x", 10), 0);
        assert_eq!(parse_int_value("-42", 10), -42);
        assert_eq!(parse_uint("18446744073709551615", 0), Ok(u64::MAX));
        assert_eq!(parse_uint("18446744073709551616", 0), Err(NumError::Range));
        assert_eq!(parse_uint("+1", 0), Err(NumError::Syntax));
        assert_eq!(parse_uint("-0", 0), Err(NumError::Syntax));
    }

    #[test]
    fn quotes_as_go() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "\u{7}\u{8}\u{c}\r\n\t\u{b}",
                r#""\a\b\f\r\n\t\v""#,
                r#""\a\b\f\r\n\t\v""#,
            ),
            ("\\", r#""\\""#, r#""\\""#),
            ("abc\u{ff}def", "\"abc\u{ff}def\"", r#""abc\u00ffdef""#),
            ("\u{263a}", "\"\u{263a}\"", r#""\u263a""#),
            ("\u{10ffff}", r#""\U0010ffff""#, r#""\U0010ffff""#),
            ("\u{4}", r#""\x04""#, r#""\x04""#),
            ("\u{7f}", r#""\x7f""#, r#""\x7f""#),
            ("\u{a0}", r#""\u00a0""#, r#""\u00a0""#),
            ("\u{feff}", r#""\ufeff""#, r#""\ufeff""#),
            ("\"'", r#""\"'""#, r#""\"'""#),
            ("\u{1F600}", "\"\u{1F600}\"", r#""\U0001f600""#),
        ];
        for &(input, quoted, ascii) in cases {
            assert_eq!(quote(input), quoted, "{input:?}");
            assert_eq!(quote_bytes(input.as_bytes(), true), ascii, "{input:?}");
        }
        assert_eq!(quote_bytes(b"a\xffb\xe2\x98", false), r#""a\xffb\xe2\x98""#);
        assert_eq!(quote_rune('\'', false), r"'\''");
        assert_eq!(quote_rune('"', false), "'\"'");
        assert_eq!(quote_rune('\u{263a}', false), "'\u{263a}'");
        assert_eq!(quote_rune('\u{263a}', true), r"'\u263a'");
        assert_eq!(quote_rune('\n', false), r"'\n'");
    }

    #[test]
    fn printable_runes() {
        for c in [
            ' ',
            'a',
            '~',
            '\u{e9}',
            '\u{263a}',
            '\u{1F600}',
            '\u{300}',
            '\u{fffd}',
        ] {
            assert!(is_print(c), "{c:?}");
        }
        for c in [
            '\t',
            '\u{7f}',
            '\u{85}',
            '\u{a0}',
            '\u{ad}',
            '\u{200b}',
            '\u{2028}',
            '\u{3000}',
            '\u{feff}',
            '\u{e000}',
            '\u{fdd0}',
            '\u{10ffff}',
            '\u{e0001}',
        ] {
            assert!(!is_print(c), "{c:?}");
        }
    }

    #[test]
    fn backquote_rules() {
        assert!(can_backquote("abc\tdef ☺"));
        assert!(can_backquote("\u{85}"));
        assert!(!can_backquote("a`b"));
        assert!(!can_backquote("a\nb"));
        assert!(!can_backquote("\u{7f}"));
        assert!(!can_backquote("\u{feff}"));
    }
}
