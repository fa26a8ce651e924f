//! `SOURCE_DATE_EPOCH`, as reproducible builds define it: whole seconds since the Unix epoch.
//! When it is set, a run's timestamps and `now` are that instant and its random functions are
//! seeded from it, so the same inputs give the same output.

use thiserror::Error;

/// The environment variable.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// `SOURCE_DATE_EPOCH` holds something other than a number of seconds.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("SOURCE_DATE_EPOCH={0:?} is not a number of seconds")]
pub struct InvalidEpoch(pub String);

/// The instant `SOURCE_DATE_EPOCH` names; `None` when it is unset or blank.
pub fn source_date_epoch() -> Result<Option<i64>, InvalidEpoch> {
    parse(&std::env::var(SOURCE_DATE_EPOCH).unwrap_or_default())
}

/// The instant, for the engines below the command line, which refuses an invalid value
/// before any render starts: here one reads as unset.
pub(crate) fn source_date_epoch_if_valid() -> Option<i64> {
    source_date_epoch().ok().flatten()
}

fn parse(value: &str) -> Result<Option<i64>, InvalidEpoch> {
    match value.trim() {
        "" => Ok(None),
        seconds => seconds
            .parse()
            .map(Some)
            .map_err(|_| InvalidEpoch(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_either_side_of_the_epoch_are_instants() {
        assert_eq!(parse("1700000000"), Ok(Some(1_700_000_000)));
        assert_eq!(parse(" 0\n"), Ok(Some(0)));
        assert_eq!(parse("-86400"), Ok(Some(-86_400)));
    }

    #[test]
    fn blank_is_unset_and_anything_else_is_refused() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("  "), Ok(None));
        for bad in ["1.5", "yesterday", "1e9", "99999999999999999999"] {
            assert_eq!(parse(bad), Err(InvalidEpoch(bad.to_string())));
        }
        assert_eq!(
            InvalidEpoch("x".into()).to_string(),
            r#"SOURCE_DATE_EPOCH="x" is not a number of seconds"#
        );
    }
}
