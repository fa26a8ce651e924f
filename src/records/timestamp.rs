//! Calendar arithmetic for the records' RFC 3339 timestamps (UTC), without a date crate:
//! the only needs are "civil date ↔ seconds since the epoch" in the proleptic Gregorian calendar.

/// Seconds since 1970-01-01T00:00:00Z for a UTC civil date and time.
pub fn unix_seconds(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> i64 {
    days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3_600
        + i64::from(minute) * 60
        + i64::from(second)
}

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

// Both conversions count in 400-year eras of 146 097 days starting on March 1st, so that
// the leap day falls at the end of each year (H. Hinnant's well-known formulation).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(unix_seconds(2023, 11, 14, 22, 13, 20), 1_700_000_000);
        assert_eq!(unix_seconds(2000, 2, 29, 0, 0, 0), 951_782_400);
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m as u32, d as u32), days);
        }
    }
}
