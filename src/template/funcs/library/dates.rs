//! Sprig's date functions over Go's `time.Time`. `now` is the `SOURCE_DATE_EPOCH` instant when
//! that variable is set, so scans are reproducible.

use super::super::{FuncMap, Param};
use crate::go::time::{format_duration, parse_duration, GoTime, Location};
use crate::template::value::{FuncError, Object, Value};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Str};
    map.add("now", &[], None, |_, _| Ok(time_value(now())));
    map.add("date", &[Str, Any], None, |_, a| {
        Ok(Value::str(date_in_zone(text(&a[0]), &a[1], "Local")))
    });
    for name in ["dateInZone", "date_in_zone"] {
        map.add(name, &[Str, Any, Str], None, |_, a| {
            Ok(Value::str(date_in_zone(text(&a[0]), &a[1], text(&a[2]))))
        });
    }
    map.add("htmlDate", &[Any], None, |_, a| {
        Ok(Value::str(date_in_zone("2006-01-02", &a[0], "Local")))
    });
    map.add("htmlDateInZone", &[Any, Str], None, |_, a| {
        Ok(Value::str(date_in_zone("2006-01-02", &a[0], text(&a[1]))))
    });
    for name in ["dateModify", "date_modify"] {
        map.add(name, &[Str, Any], None, |_, a| {
            let t = time_arg(&a[1])?;
            Ok(time_value(match parse_duration(text(&a[0])) {
                Ok(d) => t.add_nanos(d),
                Err(_) => t,
            }))
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        map.add(name, &[Str, Any], None, |_, a| {
            let t = time_arg(&a[1])?;
            let d = parse_duration(text(&a[0])).map_err(FuncError::new)?;
            Ok(time_value(t.add_nanos(d)))
        });
    }
    map.add("ago", &[Any], None, |_, a| {
        let then = instant_of(&a[0]).unwrap_or_else(now);
        Ok(Value::str(format_duration(round_to_second(since(&then)))))
    });
    map.add("duration", &[Any], None, |_, a| {
        let seconds = match &a[0] {
            // Go's ParseInt, its error ignored: out of range as the nearest bound.
            Value::Str(s) => crate::go::strconv::parse_int_value(s, 10),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::str(format_duration(
            seconds.wrapping_mul(1_000_000_000),
        )))
    });
    map.add("durationRound", &[Any], None, |_, a| {
        let d = match &a[0] {
            Value::Str(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(n) => *n,
            Value::Object(_) => time_arg(&a[0]).map(|t| since(&t)).unwrap_or(0),
            _ => 0,
        };
        Ok(Value::str(duration_round(d)))
    });
    map.add("toDate", &[Str, Str], None, |_, a| {
        Ok(time_value(
            GoTime::parse(text(&a[0]), text(&a[1]), &Location::Utc)
                .unwrap_or_else(|_| GoTime::zero()),
        ))
    });
    map.add("mustToDate", &[Str, Str], None, |_, a| {
        GoTime::parse(text(&a[0]), text(&a[1]), &Location::Utc)
            .map(time_value)
            .map_err(FuncError::new)
    });
    map.add("unixEpoch", &[Any], None, |_, a| {
        Ok(Value::str(time_arg(&a[0])?.unix.to_string()))
    });
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// The current time, or `SOURCE_DATE_EPOCH` when set (reproducible renders).
pub(crate) fn now() -> GoTime {
    if let Some(epoch) = crate::epoch::source_date_epoch_if_valid() {
        return GoTime::from_unix(epoch, Location::Utc);
    }
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    GoTime {
        unix: elapsed.as_secs() as i64,
        nanos: elapsed.subsec_nanos(),
        location: Location::Utc,
    }
}

fn since(t: &GoTime) -> i64 {
    let d = now().unix_nanos() - t.unix_nanos();
    d.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// `Duration.Round(time.Second)`: halves away from zero.
fn round_to_second(d: i64) -> i64 {
    const SECOND: i64 = 1_000_000_000;
    let r = d % SECOND;
    if d < 0 {
        if -r + -r < SECOND {
            d - r
        } else {
            (d - r).saturating_sub(SECOND)
        }
    } else if r + r < SECOND {
        d - r
    } else {
        (d - r).saturating_add(SECOND)
    }
}

/// Sprig's `durationRound`: the largest whole unit, years of 365 days and months of 30.
fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    const HOUR: u64 = 3_600_000_000_000;
    let units = [
        (HOUR * 24 * 365, "y"),
        (HOUR * 24 * 30, "mo"),
        (HOUR * 24, "d"),
        (HOUR, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
    ];
    for (size, suffix) in units {
        if u > size {
            return format!("{}{suffix}", u / size);
        }
    }
    "0s".into()
}

/// The instant Sprig's date functions read from an `interface {}`: a time, or Unix seconds
/// given as `int`/`int64`; anything else is "now".
fn instant_of(v: &Value) -> Option<GoTime> {
    match v {
        Value::Int(n) | Value::Int64(n) => Some(GoTime::from_unix(*n, Location::Utc)),
        Value::Object(_) => time_arg(v).ok(),
        _ => None,
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let t = instant_of(date).unwrap_or_else(now);
    let location = Location::load(zone).unwrap_or(Location::Utc);
    t.in_location(location).format(layout)
}

/// A `time.Time` argument, with Go's errors for other values.
fn time_arg(v: &Value) -> Result<GoTime, FuncError> {
    match v {
        Value::Object(o) => o
            .as_any()
            .and_then(|any| any.downcast_ref::<TimeValue>())
            .map(|t| t.0.clone())
            .ok_or_else(|| {
                FuncError::new(format!(
                    "wrong type for value; expected time.Time; got {}",
                    o.type_name()
                ))
            }),
        Value::Nil => Err(FuncError::new("cannot assign nil to time.Time")),
        s @ (Value::Str(_) | Value::RawStr(_)) => Err(FuncError::new(format!(
            "can't handle {} for arg of type time.Time",
            crate::go::strconv::quote_bytes(s.string_bytes().unwrap_or_default(), false)
        ))),
        other => Err(FuncError::new(format!(
            "wrong type for value; expected time.Time; got {}",
            other.type_name()
        ))),
    }
}

pub(super) fn time_value(t: GoTime) -> Value {
    Value::Object(Arc::new(TimeValue(t)))
}

/// Go's `time.Time` as a template value.
#[derive(Debug)]
pub(crate) struct TimeValue(pub GoTime);

impl Object for TimeValue {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn method_arity(&self, name: &str) -> Option<usize> {
        match name {
            "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "Weekday"
            | "YearDay" | "Unix" | "UnixMilli" | "UnixNano" | "String" | "UTC" | "Local"
            | "IsZero" => Some(0),
            "Format" | "After" | "Before" | "Equal" | "Add" | "Sub" | "In" => Some(1),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let t = &self.0;
        let c = t.civil();
        let arg = || args.first().cloned().unwrap_or(Value::Nil);
        Ok(match name {
            "Year" => Value::Int(c.year),
            "Month" => Value::str(crate::go::time::MONTH_NAMES[c.month as usize - 1]),
            "Day" => Value::Int(c.day as i64),
            "Hour" => Value::Int(c.hour as i64),
            "Minute" => Value::Int(c.minute as i64),
            "Second" => Value::Int(c.second as i64),
            "Nanosecond" => Value::Int(t.nanos as i64),
            "Weekday" => Value::str(crate::go::time::DAY_NAMES[c.weekday as usize]),
            "YearDay" => Value::Int(c.yday as i64),
            "Unix" => Value::Int64(t.unix),
            "UnixMilli" => Value::Int64((t.unix_nanos() / 1_000_000) as i64),
            "UnixNano" => {
                Value::Int64(t.unix_nanos().clamp(i64::MIN as i128, i64::MAX as i128) as i64)
            }
            "String" => Value::str(t.go_string()),
            "UTC" | "Local" => time_value(t.in_location(Location::Utc)),
            "IsZero" => Value::Bool(t.unix_nanos() == GoTime::zero().unix_nanos()),
            "Format" => Value::str(t.format(arg().as_str().unwrap_or(""))),
            "After" => Value::Bool(t.unix_nanos() > time_arg(&arg())?.unix_nanos()),
            "Before" => Value::Bool(t.unix_nanos() < time_arg(&arg())?.unix_nanos()),
            "Equal" => Value::Bool(t.unix_nanos() == time_arg(&arg())?.unix_nanos()),
            "Add" => time_value(t.add_nanos(arg().as_int().unwrap_or(0))),
            "Sub" => {
                let d = t.unix_nanos() - time_arg(&arg())?.unix_nanos();
                Value::str(format_duration(
                    d.clamp(i64::MIN as i128, i64::MAX as i128) as i64
                ))
            }
            "In" => time_value(t.clone()),
            _ => {
                return Err(FuncError::new(format!(
                    "can't evaluate field {name} in type time.Time"
                )))
            }
        })
    }

    fn go_format(&self) -> String {
        self.0.go_string()
    }

    fn go_stringer(&self) -> Option<String> {
        Some(self.0.go_string())
    }

    fn json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(
            self.0.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_durations_like_sprig() {
        let h = 3_600_000_000_000i64;
        assert_eq!(
            duration_round(2 * h + 10 * 60_000_000_000 + 5_000_000_000),
            "2h"
        );
        assert_eq!(duration_round(26 * h), "1d");
        assert_eq!(duration_round(800 * h), "1mo");
        assert_eq!(duration_round(9000 * h), "1y");
        assert_eq!(duration_round(h), "60m");
        assert_eq!(duration_round(1_000_000_000), "0s");
        assert_eq!(duration_round(61_000_000_000), "1m");
        assert_eq!(duration_round(24 * h), "24h");
        assert_eq!(duration_round(-(3 * h + 5 * 60_000_000_000)), "3h");
    }

    #[test]
    fn zones_fall_back_to_utc() {
        assert_eq!(
            date_in_zone("15:04 MST", &Value::Int(0), "Mars/Base"),
            "00:00 UTC"
        );
        assert_eq!(
            date_in_zone("2006-01-02", &Value::Int(1_700_000_000), "Asia/Tokyo"),
            "2023-11-15"
        );
        assert_eq!(
            date_in_zone(
                "2006-01-02",
                &Value::Int(1_699_999_999),
                "Pacific/Kiritimati"
            ),
            "2023-11-15"
        );
    }
}
