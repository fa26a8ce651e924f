//! Go's `time` package as Sprig's date functions use it: reference-layout formatting and parsing
//! (`2006-01-02T15:04:05Z07:00`), `time.Duration` printing and parsing, and time zones.
//!
//! Zones come from the IANA database compiled into `chrono-tz` (Go reads the same database from
//! the system). `Local` is UTC: pkglens renders the same bytes on every machine, as Helm does in
//! the UTC containers CI and the conformance expectations run in.

use chrono::{Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Where a time is seen from: its zone rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Utc,
    /// A zone with a fixed offset and name, as Go fabricates for parsed offsets/abbreviations.
    Fixed {
        name: String,
        offset: i32,
    },
    Zone(Tz),
}

impl Location {
    /// `time.LoadLocation`: `""`/`UTC` → UTC, `Local` → UTC (see module docs), else IANA names.
    pub fn load(name: &str) -> Option<Location> {
        match name {
            "" | "UTC" | "Local" => Some(Location::Utc),
            _ => name.parse::<Tz>().ok().map(Location::Zone),
        }
    }

    /// The zone's offset from UTC (seconds east) and abbreviation at a Unix instant.
    fn offset_at(&self, unix: i64) -> (i32, String) {
        match self {
            Location::Utc => (0, "UTC".into()),
            Location::Fixed { name, offset } => (*offset, name.clone()),
            Location::Zone(tz) => match tz.timestamp_opt(unix, 0).single() {
                Some(dt) => {
                    let offset = dt.offset();
                    let abbrev = offset.abbreviation().unwrap_or("").to_string();
                    (offset.fix().local_minus_utc(), abbrev)
                }
                None => (0, "UTC".into()),
            },
        }
    }
}

/// An instant and the location it is shown in (Go's `time.Time` without the monotonic clock).
#[derive(Debug, Clone, PartialEq)]
pub struct GoTime {
    pub unix: i64,
    pub nanos: u32,
    pub location: Location,
}

/// Civil fields of a time in its location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    /// 1-based day of the year.
    pub yday: u32,
}

pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Seconds since 1970-01-01T00:00:00Z for a UTC civil date and time (proleptic Gregorian).
pub fn unix_seconds(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> i64 {
    days_from_civil(year, month, day) * SECONDS_PER_DAY
        + i64::from(hour) * 3_600
        + i64::from(minute) * 60
        + i64::from(second)
}

// Both conversions count in 400-year eras of 146 097 days starting on March 1st, so that
// the leap day falls at the end of each year (H. Hinnant's well-known formulation).

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a count of days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl GoTime {
    /// Go's zero `time.Time` (0001-01-01 00:00:00 UTC), what Sprig's `toDate` returns on failure.
    pub fn zero() -> GoTime {
        GoTime {
            unix: days_from_civil(1, 1, 1) * SECONDS_PER_DAY,
            nanos: 0,
            location: Location::Utc,
        }
    }

    pub fn from_unix(unix: i64, location: Location) -> GoTime {
        GoTime {
            unix,
            nanos: 0,
            location,
        }
    }

    pub fn in_location(&self, location: Location) -> GoTime {
        GoTime {
            location,
            ..self.clone()
        }
    }

    /// Nanoseconds since the Unix epoch (saturating).
    pub fn unix_nanos(&self) -> i128 {
        self.unix as i128 * NANOS_PER_SECOND as i128 + self.nanos as i128
    }

    /// `t.Add(d)` for a duration in nanoseconds.
    pub fn add_nanos(&self, d: i64) -> GoTime {
        let total = self.unix_nanos() + d as i128;
        let unix = total.div_euclid(NANOS_PER_SECOND as i128);
        let nanos = total.rem_euclid(NANOS_PER_SECOND as i128);
        GoTime {
            unix: unix.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            nanos: nanos as u32,
            location: self.location.clone(),
        }
    }

    pub fn offset(&self) -> (i32, String) {
        self.location.offset_at(self.unix)
    }

    pub fn civil(&self) -> Civil {
        let (offset, _) = self.offset();
        let local = self.unix + offset as i64;
        let days = local.div_euclid(SECONDS_PER_DAY);
        let secs = local.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// `t.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let (offset, abbrev) = self.offset();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, chunk, suffix) = next_chunk(rest);
            out.push_str(prefix);
            let Some(chunk) = chunk else { break };
            rest = suffix;
            match chunk {
                Chunk::LongMonth => out.push_str(MONTH_NAMES[c.month as usize - 1]),
                Chunk::Month => out.push_str(&MONTH_NAMES[c.month as usize - 1][..3]),
                Chunk::NumMonth => out.push_str(&c.month.to_string()),
                Chunk::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
                Chunk::LongWeekDay => out.push_str(DAY_NAMES[c.weekday as usize]),
                Chunk::WeekDay => out.push_str(&DAY_NAMES[c.weekday as usize][..3]),
                Chunk::Day => out.push_str(&c.day.to_string()),
                Chunk::UnderDay => out.push_str(&format!("{:>2}", c.day)),
                Chunk::ZeroDay => out.push_str(&format!("{:02}", c.day)),
                Chunk::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
                Chunk::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
                Chunk::Hour => out.push_str(&format!("{:02}", c.hour)),
                Chunk::Hour12 => out.push_str(&hour12(c.hour).to_string()),
                Chunk::ZeroHour12 => out.push_str(&format!("{:02}", hour12(c.hour))),
                Chunk::Minute => out.push_str(&c.minute.to_string()),
                Chunk::ZeroMinute => out.push_str(&format!("{:02}", c.minute)),
                Chunk::Second => out.push_str(&c.second.to_string()),
                Chunk::ZeroSecond => out.push_str(&format!("{:02}", c.second)),
                Chunk::LongYear => out.push_str(&format_year(c.year)),
                Chunk::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
                Chunk::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
                Chunk::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
                Chunk::TzName => {
                    if abbrev.is_empty() {
                        out.push_str(&format_offset(offset, OffsetStyle::Hhmm, false));
                    } else {
                        out.push_str(&abbrev);
                    }
                }
                Chunk::Offset { style, iso } => out.push_str(&format_offset(offset, style, iso)),
                Chunk::Frac { digits, trim, sep } => {
                    let frac = format!("{:09}", self.nanos);
                    let mut part = frac[..digits.min(9)].to_string();
                    if trim {
                        while part.ends_with('0') {
                            part.pop();
                        }
                        if !part.is_empty() {
                            out.push(sep);
                            out.push_str(&part);
                        }
                    } else {
                        out.push(sep);
                        out.push_str(&part);
                    }
                }
            }
        }
        out
    }

    /// Go's `t.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    pub fn go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// `time.ParseInLocation(layout, value, loc)`; the error reads like Go's.
    pub fn parse(layout: &str, value: &str, default_location: &Location) -> Result<GoTime, String> {
        let original = value;
        let fail = |reason: &str| Err(format!("parsing time {original:?}{reason}"));
        let (mut year, mut month, mut day) = (1i64, 1u32, 1u32);
        let (mut hour, mut minute, mut second, mut nanos) = (0u32, 0u32, 0u32, 0u32);
        let mut pm: Option<bool> = None;
        let mut zone_offset: Option<i32> = None;
        let mut zone_name: Option<String> = None;
        let mut yday: Option<u32> = None;
        let mut rest_layout = layout;
        let mut value = value;
        loop {
            let (prefix, chunk, suffix) = next_chunk(rest_layout);
            let Some(after_prefix) = value.strip_prefix(prefix) else {
                return fail(&format!(
                    " as {layout:?}: cannot parse {value:?} as {prefix:?}"
                ));
            };
            value = after_prefix;
            let Some(chunk) = chunk else {
                if !value.is_empty() {
                    return fail(&format!(": extra text: {value:?}"));
                }
                break;
            };
            // The layout's text of the element being read, which Go's error names.
            let element = &rest_layout[prefix.len()..rest_layout.len() - suffix.len()];
            rest_layout = suffix;
            let bad = |what: &str| format!("parsing time {original:?}: {what} out of range");
            let cannot = |v: &str| {
                format!(
                    "parsing time {original:?} as {layout:?}: cannot parse {v:?} as {element:?}"
                )
            };
            match chunk {
                Chunk::LongYear => {
                    let (n, r) = take_digits(value, 4, 4).ok_or_else(|| cannot(value))?;
                    year = n as i64;
                    value = r;
                }
                Chunk::Year => {
                    let (n, r) = take_digits(value, 2, 2).ok_or_else(|| cannot(value))?;
                    year = if n >= 69 {
                        1900 + n as i64
                    } else {
                        2000 + n as i64
                    };
                    value = r;
                }
                Chunk::LongMonth | Chunk::Month => {
                    let long = chunk == Chunk::LongMonth;
                    let found = MONTH_NAMES.iter().enumerate().find_map(|(i, name)| {
                        let name = if long { *name } else { &name[..3] };
                        prefix_fold(value, name).map(|r| (i as u32 + 1, r))
                    });
                    let (m, r) = found.ok_or_else(|| cannot(value))?;
                    month = m;
                    value = r;
                }
                Chunk::NumMonth | Chunk::ZeroMonth => {
                    let min = if chunk == Chunk::ZeroMonth { 2 } else { 1 };
                    let (n, r) = take_digits(value, min, 2).ok_or_else(|| cannot(value))?;
                    if !(1..=12).contains(&n) {
                        return Err(bad("month"));
                    }
                    month = n;
                    value = r;
                }
                Chunk::LongWeekDay | Chunk::WeekDay => {
                    let long = chunk == Chunk::LongWeekDay;
                    let found = DAY_NAMES.iter().find_map(|name| {
                        let name = if long { *name } else { &name[..3] };
                        prefix_fold(value, name)
                    });
                    value = found.ok_or_else(|| cannot(value))?;
                }
                Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                    if chunk == Chunk::UnderDay {
                        value = value.strip_prefix(' ').unwrap_or(value);
                    }
                    let min = if chunk == Chunk::ZeroDay { 2 } else { 1 };
                    let (n, r) = take_digits(value, min, 2).ok_or_else(|| cannot(value))?;
                    day = n;
                    value = r;
                }
                Chunk::UnderYearDay | Chunk::ZeroYearDay => {
                    let trimmed = value.trim_start_matches(' ');
                    let (n, r) = take_digits(trimmed, 1, 3).ok_or_else(|| cannot(value))?;
                    yday = Some(n);
                    value = r;
                }
                Chunk::Hour => {
                    let (n, r) = take_digits(value, 2, 2).ok_or_else(|| cannot(value))?;
                    if n >= 24 {
                        return Err(bad("hour"));
                    }
                    hour = n;
                    value = r;
                }
                Chunk::Hour12 | Chunk::ZeroHour12 => {
                    let min = if chunk == Chunk::ZeroHour12 { 2 } else { 1 };
                    let (n, r) = take_digits(value, min, 2).ok_or_else(|| cannot(value))?;
                    if n > 12 {
                        return Err(bad("hour"));
                    }
                    hour = n;
                    value = r;
                }
                Chunk::Minute | Chunk::ZeroMinute => {
                    let min = if chunk == Chunk::ZeroMinute { 2 } else { 1 };
                    let (n, r) = take_digits(value, min, 2).ok_or_else(|| cannot(value))?;
                    if n >= 60 {
                        return Err(bad("minute"));
                    }
                    minute = n;
                    value = r;
                }
                Chunk::Second | Chunk::ZeroSecond => {
                    let min = if chunk == Chunk::ZeroSecond { 2 } else { 1 };
                    let (n, r) = take_digits(value, min, 2).ok_or_else(|| cannot(value))?;
                    if n >= 60 {
                        return Err(bad("second"));
                    }
                    second = n;
                    value = r;
                    // A fractional second may follow even when the layout has none.
                    if let Some(after) = value.strip_prefix(['.', ',']) {
                        let next_is_frac = matches!(next_chunk(rest_layout), (p, Some(Chunk::Frac { .. }), _) if p.is_empty());
                        if !next_is_frac && after.starts_with(|c: char| c.is_ascii_digit()) {
                            let n = after.bytes().take_while(u8::is_ascii_digit).count();
                            nanos = parse_nanos(&after[..n]);
                            value = &after[n..];
                        }
                    }
                }
                Chunk::PM | Chunk::Pm => {
                    let head: String = value.chars().take(2).collect();
                    pm = match head.to_ascii_uppercase().as_str() {
                        "PM" => Some(true),
                        "AM" => Some(false),
                        _ => return Err(cannot(value)),
                    };
                    value = &value[head.len()..];
                }
                Chunk::TzName => {
                    if let Some(r) = value.strip_prefix("UTC") {
                        zone_offset = Some(0);
                        zone_name = Some("UTC".into());
                        value = r;
                    } else {
                        let n = value.bytes().take_while(u8::is_ascii_uppercase).count();
                        if n < 3 {
                            return Err(cannot(value));
                        }
                        zone_name = Some(value[..n].to_string());
                        value = &value[n..];
                    }
                }
                Chunk::Offset { style, iso } => {
                    if iso {
                        if let Some(r) = value.strip_prefix('Z') {
                            zone_offset = Some(0);
                            zone_name = Some("UTC".into());
                            value = r;
                            continue;
                        }
                    }
                    let (off, r) = parse_offset(value, style).ok_or_else(|| cannot(value))?;
                    zone_offset = Some(off);
                    value = r;
                }
                Chunk::Frac { digits, trim, .. } => {
                    let Some(after) = value.strip_prefix(['.', ',']) else {
                        if trim {
                            continue;
                        }
                        return Err(cannot(value));
                    };
                    let n = after.bytes().take_while(u8::is_ascii_digit).count();
                    if (!trim && n != digits) || n == 0 {
                        return Err(cannot(value));
                    }
                    nanos = parse_nanos(&after[..n]);
                    value = &after[n..];
                }
            }
        }
        if let Some(pm) = pm {
            if pm && hour < 12 {
                hour += 12;
            } else if !pm && hour == 12 {
                hour = 0;
            }
        }
        if let Some(yd) = yday {
            let total = if is_leap(year) { 366 } else { 365 };
            if yd < 1 || yd > total {
                return Err(format!(
                    "parsing time {original:?}: day-of-year out of range"
                ));
            }
            let (_, m, d) = civil_from_days(days_from_civil(year, 1, 1) + yd as i64 - 1);
            month = m;
            day = d;
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(format!("parsing time {original:?}: day out of range"));
        }
        let local = days_from_civil(year, month, day) * SECONDS_PER_DAY
            + (hour * 3600 + minute * 60 + second) as i64;
        let location;
        let unix;
        if let Some(offset) = zone_offset {
            unix = local - offset as i64;
            let (default_offset, _) = default_location.offset_at(unix);
            location = if offset == default_offset {
                default_location.clone()
            } else if offset == 0 && zone_name.as_deref() == Some("UTC") {
                Location::Utc
            } else {
                Location::Fixed {
                    name: zone_name.unwrap_or_default(),
                    offset,
                }
            };
        } else if let Some(name) = zone_name {
            let (default_offset, default_abbrev) = default_location.offset_at(local);
            if name == default_abbrev {
                unix = local - default_offset as i64;
                location = default_location.clone();
            } else if name == "UTC" || name == "GMT" {
                unix = local;
                location = Location::Utc;
            } else {
                unix = local;
                location = Location::Fixed { name, offset: 0 };
            }
        } else {
            let (guess, _) = default_location.offset_at(local);
            let (offset, _) = default_location.offset_at(local - guess as i64);
            unix = local - offset as i64;
            location = default_location.clone();
        }
        Ok(GoTime {
            unix,
            nanos,
            location,
        })
    }
}

fn format_year(year: i64) -> String {
    if year < 0 {
        format!("-{:04}", -year)
    } else {
        format!("{year:04}")
    }
}

fn hour12(hour: u32) -> u32 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

fn parse_nanos(digits: &str) -> u32 {
    let mut padded: String = digits.chars().take(9).collect();
    while padded.len() < 9 {
        padded.push('0');
    }
    padded.parse().unwrap_or(0)
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn prefix_fold<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &s[word.len()..])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetStyle {
    /// -07
    Hh,
    /// -0700
    Hhmm,
    /// -07:00
    HhColonMm,
    /// -070000
    Hhmmss,
    /// -07:00:00
    HhColonMmColonSs,
}

fn format_offset(offset: i32, style: OffsetStyle, iso: bool) -> String {
    if iso && offset == 0 {
        return "Z".into();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    match style {
        OffsetStyle::Hh => format!("{sign}{h:02}"),
        OffsetStyle::Hhmm => format!("{sign}{h:02}{m:02}"),
        OffsetStyle::HhColonMm => format!("{sign}{h:02}:{m:02}"),
        OffsetStyle::Hhmmss => format!("{sign}{h:02}{m:02}{s:02}"),
        OffsetStyle::HhColonMmColonSs => format!("{sign}{h:02}:{m:02}:{s:02}"),
    }
}

fn parse_offset(s: &str, style: OffsetStyle) -> Option<(i32, &str)> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let b = &s[1..];
    let two = |t: &str, at: usize| -> Option<i32> {
        let part = t.get(at..at + 2)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let colon = |t: &str, at: usize| t.as_bytes().get(at) == Some(&b':');
    let (h, m, sec, used) = match style {
        OffsetStyle::Hh => (two(b, 0)?, 0, 0, 2),
        OffsetStyle::Hhmm => (two(b, 0)?, two(b, 2)?, 0, 4),
        OffsetStyle::HhColonMm => {
            if !colon(b, 2) {
                return None;
            }
            (two(b, 0)?, two(b, 3)?, 0, 5)
        }
        OffsetStyle::Hhmmss => (two(b, 0)?, two(b, 2)?, two(b, 4)?, 6),
        OffsetStyle::HhColonMmColonSs => {
            if !colon(b, 2) || !colon(b, 5) {
                return None;
            }
            (two(b, 0)?, two(b, 3)?, two(b, 6)?, 8)
        }
    };
    if h > 24 || m >= 60 || sec >= 60 {
        return None;
    }
    Some((sign * (h * 3600 + m * 60 + sec), &b[used..]))
}

/// One element of a Go reference layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TzName,
    Offset {
        style: OffsetStyle,
        iso: bool,
    },
    Frac {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// Go's `nextStdChunk`: the literal text before the first layout element, the element, and the
/// rest of the layout.
fn next_chunk(layout: &str) -> (&str, Option<Chunk>, &str) {
    let b = layout.as_bytes();
    let starts = |i: usize, s: &str| layout.get(i..).is_some_and(|t| t.starts_with(s));
    let lower_after = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_lowercase());
    let mut i = 0;
    while i < b.len() {
        let found: Option<(Chunk, usize)> = match b[i] {
            b'J' if starts(i, "January") => Some((Chunk::LongMonth, 7)),
            b'J' if starts(i, "Jan") && !lower_after(i + 3) => Some((Chunk::Month, 3)),
            b'M' if starts(i, "Monday") => Some((Chunk::LongWeekDay, 6)),
            b'M' if starts(i, "Mon") && !lower_after(i + 3) => Some((Chunk::WeekDay, 3)),
            b'M' if starts(i, "MST") => Some((Chunk::TzName, 3)),
            b'0' if b.get(i + 1).is_some_and(|c| (b'1'..=b'6').contains(c)) => {
                let chunk = match b[i + 1] {
                    b'1' => Chunk::ZeroMonth,
                    b'2' => Chunk::ZeroDay,
                    b'3' => Chunk::ZeroHour12,
                    b'4' => Chunk::ZeroMinute,
                    b'5' => Chunk::ZeroSecond,
                    _ => Chunk::Year,
                };
                Some((chunk, 2))
            }
            b'0' if starts(i, "002") => Some((Chunk::ZeroYearDay, 3)),
            b'1' if b.get(i + 1) == Some(&b'5') => Some((Chunk::Hour, 2)),
            b'1' => Some((Chunk::NumMonth, 1)),
            b'2' if starts(i, "2006") => Some((Chunk::LongYear, 4)),
            b'2' => Some((Chunk::Day, 1)),
            b'_' if starts(i, "_2006") => {
                return (&layout[..i + 1], Some(Chunk::LongYear), &layout[i + 5..]);
            }
            b'_' if starts(i, "_2") => Some((Chunk::UnderDay, 2)),
            b'_' if starts(i, "__2") => Some((Chunk::UnderYearDay, 3)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if b.get(i + 1) == Some(&b'M') => Some((Chunk::PM, 2)),
            b'p' if b.get(i + 1) == Some(&b'm') => Some((Chunk::Pm, 2)),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let forms = [
                    ("070000", OffsetStyle::Hhmmss),
                    ("07:00:00", OffsetStyle::HhColonMmColonSs),
                    ("0700", OffsetStyle::Hhmm),
                    ("07:00", OffsetStyle::HhColonMm),
                    ("07", OffsetStyle::Hh),
                ];
                forms
                    .iter()
                    .find(|(form, _)| starts(i + 1, form))
                    .map(|(form, style)| (Chunk::Offset { style: *style, iso }, form.len() + 1))
            }
            c @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0') | Some(b'9')) => {
                let digit = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == digit {
                    j += 1;
                }
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    let chunk = Chunk::Frac {
                        digits: j - i - 1,
                        trim: digit == b'9',
                        sep: c as char,
                    };
                    Some((chunk, j - i))
                }
            }
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return (&layout[..i], Some(chunk), &layout[i + len..]);
        }
        i += 1;
    }
    (layout, None, "")
}

/// Go's `time.Duration.String()` for a duration in nanoseconds.
pub fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < NANOS_PER_SECOND as u64 {
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&fraction(u, scale));
        out.push_str(unit);
    } else {
        let secs = u / NANOS_PER_SECOND as u64;
        let frac_nanos = u % NANOS_PER_SECOND as u64;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&fraction(
            s * NANOS_PER_SECOND as u64 + frac_nanos,
            NANOS_PER_SECOND as u64,
        ));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `value / scale` with the remainder as trimmed decimals.
fn fraction(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let rem = value % scale;
    if rem == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let mut digits = format!("{rem:0width$}");
    while digits.ends_with('0') {
        digits.pop();
    }
    format!("{whole}.{digits}")
}

/// Go's `time.ParseDuration`, in nanoseconds; errors read like Go's.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let quoted = format!("{text:?}");
    let invalid = || format!("time: invalid duration {quoted}");
    let mut s = text;
    let neg = s.starts_with('-');
    s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(after) = s.strip_prefix('.') {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &after[..n];
            s = &after[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {quoted}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {quoted}")),
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut value = whole.checked_mul(scale).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let mut frac_value: u128 = 0;
            let mut divisor: u128 = 1;
            for d in frac_part.bytes().take(30) {
                frac_value = frac_value * 10 + (d - b'0') as u128;
                divisor *= 10;
            }
            value += frac_value * scale / divisor;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(invalid());
        }
    }
    let total = total as i128;
    Ok(if neg { (-total) as i64 } else { total as i64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(unix_seconds(2023, 11, 14, 22, 13, 20), 1_700_000_000);
        assert_eq!(unix_seconds(2000, 2, 29, 0, 0, 0), 951_782_400);
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    fn utc(layout: &str, value: &str) -> GoTime {
        GoTime::parse(layout, value, &Location::Utc).expect("parse")
    }

    #[test]
    fn formats_every_layout_element() {
        let t = utc("2006-01-02T15:04:05", "2021-12-31T23:59:58");
        assert_eq!(
            t.format("06 1 01 Jan January 2 02 _2 Mon Monday 15 3 03 4 04 5 05 PM pm .000"),
            "21 12 12 Dec December 31 31 31 Fri Friday 23 11 11 59 59 58 58 PM pm .000"
        );
        let t = utc("2006-01-02 15:04", "2020-03-04 13:05");
        assert_eq!(t.format("Mon Jan 2 3:04PM 2006"), "Wed Mar 4 1:05PM 2020");
        assert_eq!(t.format("Jan _2"), "Mar  4");
        assert_eq!(t.civil().yday, 64);
    }

    #[test]
    fn zones_and_offsets() {
        let tokyo = Location::load("Asia/Tokyo").unwrap();
        let t = GoTime::from_unix(1_700_000_000, tokyo);
        assert_eq!(
            t.format("2006-01-02 15:04 MST -0700"),
            "2023-11-15 07:13 JST +0900"
        );
        let ny = Location::load("America/New_York").unwrap();
        assert_eq!(
            GoTime::from_unix(1_688_000_000, ny.clone()).format("2006-01-02 15:04 MST"),
            "2023-06-28 20:53 EDT"
        );
        assert_eq!(
            GoTime::from_unix(1_700_000_000, ny).format("2006-01-02 15:04 MST"),
            "2023-11-14 17:13 EST"
        );
        assert_eq!(
            GoTime::from_unix(1_700_000_000, Location::Utc).format("2006-01-02T15:04:05Z07:00"),
            "2023-11-14T22:13:20Z"
        );
        assert!(Location::load("Mars/Base").is_none());
    }

    #[test]
    fn parses_offsets_into_instants() {
        let t = utc("2006-01-02T15:04:05Z07:00", "2020-06-01T10:00:00+02:00");
        assert_eq!(t.unix, 1_590_998_400);
        assert_eq!(
            t.in_location(Location::Utc)
                .format("2006-01-02 15:04 -0700"),
            "2020-06-01 08:00 +0000"
        );
        assert_eq!(
            utc("2006-01-02T15:04:05Z07:00", "2001-09-09T01:46:40Z").unix,
            1_000_000_000
        );
    }

    #[test]
    fn rejects_bad_dates() {
        let err = GoTime::parse("2006-01-02", "2020-13-45", &Location::Utc).unwrap_err();
        assert_eq!(err, "parsing time \"2020-13-45\": month out of range");
        // Go names the layout element it could not read (helm v4.1.4's mustToDate errors).
        let cannot =
            |layout: &str, value: &str| GoTime::parse(layout, value, &Location::Utc).unwrap_err();
        assert_eq!(
            cannot("2006-01-02", "2024-1-05"),
            r#"parsing time "2024-1-05" as "2006-01-02": cannot parse "1-05" as "01""#
        );
        assert_eq!(
            cannot("Jan 2 2006", "Foo 2 2024"),
            r#"parsing time "Foo 2 2024" as "Jan 2 2006": cannot parse "Foo 2 2024" as "Jan""#
        );
        assert_eq!(
            cannot("2006", "x"),
            r#"parsing time "x" as "2006": cannot parse "x" as "2006""#
        );
        assert!(GoTime::parse("2006-01-02", "2021-02-29", &Location::Utc).is_err());
        assert_eq!(utc("2006-01-02", "2020-02-29").format("Jan 2"), "Feb 29");
        assert_eq!(GoTime::zero().unix, -62_135_596_800);
    }

    #[test]
    fn durations_print_and_parse_like_go() {
        assert_eq!(format_duration(95 * NANOS_PER_SECOND), "1m35s");
        assert_eq!(format_duration(3725 * NANOS_PER_SECOND), "1h2m5s");
        assert_eq!(format_duration(90061 * NANOS_PER_SECOND), "25h1m1s");
        assert_eq!(format_duration(-61 * NANOS_PER_SECOND), "-1m1s");
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("500ms"), Ok(500_000_000));
        assert_eq!(
            parse_duration("2d"),
            Err("time: unknown unit \"d\" in duration \"2d\"".into())
        );
        assert_eq!(
            parse_duration("2 days"),
            Err("time: unknown unit \" days\" in duration \"2 days\"".into())
        );
        assert!(parse_duration("abc").is_err());
    }
}
