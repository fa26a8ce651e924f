//! Sprig's math and conversion functions. Integer math converts every argument with spf13/cast
//! (floats truncate, strings parse with Go's base prefixes, garbage is 0) and wraps on overflow
//! like Go's int64; the `…f` forms compute in decimal as shopspring/decimal does, so
//! `addf 0.1 0.2` is 0.3.

use super::super::{CallCtx, FuncMap, Param};
use super::go_format;
use crate::go::strconv;
use crate::template::value::{FuncError, Value};

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Int, Str};
    map.add("add1", &[Any], None, |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    map.add("add", &[], Some(Any), |_, a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |sum, v| sum.wrapping_add(to_int64(v))),
        ))
    });
    map.add("sub", &[Any, Any], None, |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    map.add("mul", &[Any], Some(Any), |_, a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |p, v| p.wrapping_mul(to_int64(v))),
        ))
    });
    map.add("div", &[Any, Any], None, |_, a| {
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    });
    map.add("mod", &[Any, Any], None, |_, a| {
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    });
    for name in ["max", "biggest"] {
        map.add(name, &[Any], Some(Any), |_, a| {
            Ok(Value::Int64(
                a.iter().map(to_int64).fold(i64::MIN, i64::max),
            ))
        });
    }
    map.add("min", &[Any], Some(Any), |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(i64::MAX, i64::min),
        ))
    });
    map.add("maxf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_max),
        ))
    });
    map.add("minf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_min),
        ))
    });
    map.add("add1f", &[Any], None, |_, a| {
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    });
    map.add("addf", &[], Some(Any), |_, a| {
        decimal_op(&Value::Float(0.0), a, Op::Add)
    });
    map.add("subf", &[Any], Some(Any), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Sub)
    });
    map.add("mulf", &[Any], Some(Any), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Mul)
    });
    map.add("divf", &[Any], Some(Any), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Div)
    });
    map.add("floor", &[Any], None, |_, a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    map.add("ceil", &[Any], None, |_, a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    map.add("round", &[Any, Int], Some(Any), round);
    map.add("int", &[Any], None, |_, a| Ok(Value::Int(to_int64(&a[0]))));
    map.add("int64", &[Any], None, |_, a| {
        Ok(Value::Int64(to_int64(&a[0])))
    });
    map.add("float64", &[Any], None, |_, a| {
        Ok(Value::Float(to_float64(&a[0])))
    });
    map.add("atoi", &[Str], None, |_, a| {
        // Go's strconv.Atoi, its error ignored: base 10, out of range as the nearest bound.
        Ok(Value::Int(strconv::parse_int_value(
            a[0].as_str().unwrap_or(""),
            10,
        )))
    });
    map.add("toDecimal", &[Any], None, |_, a| {
        Ok(Value::Int64(
            strconv::parse_int(&go_format(&a[0]), 8).unwrap_or(0),
        ))
    });
}

fn divide_by_zero() -> FuncError {
    FuncError::new("runtime error: integer divide by zero")
}

/// Go's `math.Max`/`math.Min` (NaN wins).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// Go's conversion of a float64 to int64 on amd64: out-of-range values become MinInt64.
fn float_to_i64(f: f64) -> i64 {
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// cast's `trimZeroDecimal`: "2.0" → "2", so whole-number strings parse as integers.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.char_indices().rev() {
        match c {
            '.' if found_zero => return &s[..i],
            '.' => return s,
            '0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// spf13/cast `ToInt64`.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(n) | Value::Int64(n) => *n,
        Value::Float(f) => float_to_i64(*f),
        Value::Str(s) => strconv::parse_int(trim_zero_decimal(s), 0).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// spf13/cast `ToInt` (same as `ToInt64` on 64-bit platforms).
pub(crate) fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// spf13/cast `ToFloat64`.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(n) | Value::Int64(n) => *n as f64,
        Value::Float(f) => *f,
        Value::Str(s) => strconv::parse_float(s).unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal number `mantissa × 10^-scale`, exact for the sizes templates use.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Digits kept after the point by a division (shopspring/decimal's `DivisionPrecision`).
const DIVISION_PRECISION: u32 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let negative = mantissa.starts_with('-');
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let mut m: i128 = digits.parse().ok()?;
        if negative {
            m = -m;
        }
        // value = digits × 10^(exponent - (len - 1))
        let shift = exponent - (digits.len() as i32 - 1);
        if shift >= 0 {
            let factor = 10i128.checked_pow(shift as u32)?;
            Some(Decimal {
                mantissa: m.checked_mul(factor)?,
                scale: 0,
            })
        } else {
            Some(Decimal {
                mantissa: m,
                scale: (-shift) as u32,
            })
        }
    }

    fn rescale(self, scale: u32) -> Option<Decimal> {
        let factor = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(factor)?,
            scale,
        })
    }

    fn apply(self, other: Decimal, op: Op) -> Option<Decimal> {
        match op {
            Op::Add | Op::Sub => {
                let scale = self.scale.max(other.scale);
                let (a, b) = (self.rescale(scale)?, other.rescale(scale)?);
                let mantissa = match op {
                    Op::Add => a.mantissa.checked_add(b.mantissa)?,
                    _ => a.mantissa.checked_sub(b.mantissa)?,
                };
                Some(Decimal { mantissa, scale })
            }
            Op::Mul => Some(Decimal {
                mantissa: self.mantissa.checked_mul(other.mantissa)?,
                scale: self.scale.checked_add(other.scale)?,
            }),
            Op::Div => {
                // Quotient rounded half away from zero to DIVISION_PRECISION places:
                // a/b = ma/mb × 10^(sb - sa), so R = ma × 10^(P + sb - sa) / mb, computed with
                // one extra digit to round on.
                let e = DIVISION_PRECISION as i64 + other.scale as i64 - self.scale as i64 + 1;
                let num = if e >= 0 {
                    self.mantissa.checked_mul(10i128.checked_pow(e as u32)?)?
                } else {
                    self.mantissa / 10i128.checked_pow((-e) as u32)?
                };
                let q = num.checked_div(other.mantissa)?;
                let (whole, digit) = (q / 10, q % 10);
                let mantissa = match digit {
                    d if d >= 5 => whole + 1,
                    d if d <= -5 => whole - 1,
                    _ => whole,
                };
                Some(Decimal {
                    mantissa,
                    scale: DIVISION_PRECISION,
                })
            }
        }
    }

    fn to_f64(self) -> f64 {
        let text = format!("{}e-{}", self.mantissa, self.scale);
        text.parse().unwrap_or(0.0)
    }
}

fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<Value, FuncError> {
    let mut acc = to_float64(first);
    let mut exact = Decimal::from_f64(acc);
    for v in rest {
        let x = to_float64(v);
        if matches!(op, Op::Div) && x == 0.0 {
            return Err(FuncError::new("decimal division by 0"));
        }
        exact = exact
            .zip(Decimal::from_f64(x))
            .and_then(|(a, b)| a.apply(b, op));
        acc = match op {
            Op::Add => acc + x,
            Op::Sub => acc - x,
            Op::Mul => acc * x,
            Op::Div => acc / x,
        };
    }
    Ok(Value::Float(exact.map_or(acc, Decimal::to_f64)))
}

/// Sprig's `round`: rounds up when the fractional part reaches `roundOn` (default .5), else
/// down, working on `val × 10^places` (so `round -2.4 0` is -3, as in Sprig).
fn round(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let value = to_float64(&a[0]);
    let places = a[1].as_int().unwrap_or(0) as f64;
    let round_on = a.get(2).map_or(0.5, to_float64);
    let pow = 10f64.powf(places);
    let digit = pow * value;
    let frac = digit - digit.trunc();
    let rounded = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(first: f64, rest: &[f64], op: Op) -> f64 {
        let rest: Vec<Value> = rest.iter().map(|&f| Value::Float(f)).collect();
        match decimal_op(&Value::Float(first), &rest, op) {
            Ok(Value::Float(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn converts_like_cast() {
        assert_eq!(to_int64(&Value::str("3")), 3);
        assert_eq!(to_int64(&Value::str("1.5")), 0);
        assert_eq!(to_int64(&Value::str("2.0")), 2);
        assert_eq!(to_int64(&Value::str("0x10")), 16);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("0b101")), 5);
        assert_eq!(to_int64(&Value::str("abc")), 0);
        assert_eq!(to_int64(&Value::str(" 5")), 0);
        assert_eq!(to_int64(&Value::str("9223372036854775808")), 0);
        assert_eq!(to_int64(&Value::Float(-2.7)), -2);
        assert_eq!(to_int64(&Value::Float(1.2345678901234567e19)), i64::MIN);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_float64(&Value::str("3.5")), 3.5);
        assert_eq!(to_float64(&Value::str("abc")), 0.0);
        assert_eq!(to_int64(&Value::str("1_000")), 1000);
        assert_eq!(to_float64(&Value::str("1e400")), 0.0);
        assert_eq!(to_float64(&Value::str("0x1p-2")), 0.25);
    }

    #[test]
    fn decimal_math_is_exact() {
        assert_eq!(dec(0.0, &[0.1, 0.2], Op::Add), 0.3);
        assert_eq!(dec(0.0, &[1.1, 2.2], Op::Add), 3.3);
        assert_eq!(dec(10.0, &[3.3, 1.1], Op::Sub), 5.6);
        assert_eq!(dec(1.1, &[3.0], Op::Mul), 3.3);
        assert_eq!(dec(10.0, &[4.0], Op::Div), 2.5);
        assert_eq!(dec(1.0, &[3.0], Op::Div), 0.3333333333333333);
        assert_eq!(dec(100.0, &[2.0, 5.0], Op::Div), 10.0);
        assert_eq!(dec(1000.0, &[1000.0], Op::Mul), 1e6);
    }
}
