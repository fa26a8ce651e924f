//! The records' RFC 3339 timestamps (UTC), from seconds since the epoch; the calendar
//! arithmetic is Go's `time`'s (`go::time`).

use crate::go::time::civil_from_days;

/// Formats seconds since the epoch as RFC 3339 in UTC, e.g. `2026-08-22T22:31:00Z`. RFC 3339
/// years have four digits: instants outside years 0000-9999 (a hostile archive's mtime) are
/// clamped to the nearest one there is.
pub fn rfc3339(seconds: i64) -> String {
    let seconds = seconds.clamp(FIRST_INSTANT, LAST_INSTANT);
    let days = seconds.div_euclid(86_400);
    let secs_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs_of_day / 3_600,
        secs_of_day % 3_600 / 60,
        secs_of_day % 60
    )
}

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const FIRST_INSTANT: i64 = -62_167_219_200;
const LAST_INSTANT: i64 = 253_402_300_799;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::time::unix_seconds;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(1 << 62), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MIN), "0000-01-01T00:00:00Z");
        assert_eq!(unix_seconds(0, 1, 1, 0, 0, 0), FIRST_INSTANT);
        assert_eq!(unix_seconds(9999, 12, 31, 23, 59, 59), LAST_INSTANT);
    }
}
