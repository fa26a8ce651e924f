//! Sprig's random functions: random strings, integers, bytes, UUIDs and `shuffle`.
//!
//! One generator serves the whole process (a scan's pooled RSA keys have one per size). When
//! `SOURCE_DATE_EPOCH` is set it is seeded from that value, so a scan renders the same "random"
//! passwords and UUIDs every time; otherwise it is seeded from the operating system, and
//! outputs are shaped exactly like Sprig's.

use super::super::{FuncMap, Param};
use super::{too_large, MAX_BUILT_ITEMS};
use crate::go::base64;
use crate::poison::IgnorePoison;
use crate::template::value::{FuncError, Value};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use std::sync::{Mutex, MutexGuard, OnceLock};

const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const NUMERIC: &[u8] = b"0123456789";

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Int, Str};
    map.add("randAlphaNum", &[Int], None, |_, a| {
        random_string(&a[0], Some(ALPHANUMERIC))
    });
    map.add("randAlpha", &[Int], None, |_, a| {
        random_string(&a[0], Some(ALPHA))
    });
    map.add("randNumeric", &[Int], None, |_, a| {
        random_string(&a[0], Some(NUMERIC))
    });
    map.add("randAscii", &[Int], None, |_, a| random_string(&a[0], None));
    map.add("randInt", &[Int, Int], None, |_, a| {
        let (min, max) = (a[0].as_int().unwrap_or(0), a[1].as_int().unwrap_or(0));
        let span = max.wrapping_sub(min);
        if span <= 0 {
            return Err(FuncError::new("invalid argument to Intn"));
        }
        Ok(Value::Int(rng().random_range(0..span) + min))
    });
    map.add("randBytes", &[Int], None, |_, a| {
        // Sprig makes the buffer with the count as it is: Go panics on a negative length.
        if a[0].as_int().is_some_and(|n| n < 0) {
            return Err(FuncError::new("runtime error: makeslice: len out of range"));
        }
        let count = checked_count(&a[0])?;
        let mut buf = vec![0u8; count];
        rng().fill_bytes(&mut buf);
        Ok(Value::str(base64::encode(&buf)))
    });
    map.add("uuidv4", &[], None, |_, _| Ok(Value::str(uuid_v4())));
    map.add("shuffle", &[Str], None, |_, a| {
        let mut chars: Vec<char> = a[0].as_str().unwrap_or("").chars().collect();
        let mut rng = rng();
        for i in (1..chars.len()).rev() {
            let j = rng.random_range(0..=i);
            chars.swap(i, j);
        }
        Ok(Value::str(chars.into_iter().collect::<String>()))
    });
}

/// A new generator: seeded from `SOURCE_DATE_EPOCH` and `stream` (one of several independent
/// generators a seeded process keeps) when that variable is set, from the operating system
/// otherwise.
pub(crate) fn seeded_generator(stream: u64) -> StdRng {
    crate::epoch::source_date_epoch_if_valid().map_or_else(StdRng::from_os_rng, |epoch| {
        // Stream 0 is the epoch's own seed, as the shared generator always had.
        StdRng::seed_from_u64(epoch.cast_unsigned() ^ stream.rotate_left(32))
    })
}

/// The shared generator (see the module docs).
pub(crate) fn rng() -> MutexGuard<'static, StdRng> {
    static RNG: OnceLock<Mutex<StdRng>> = OnceLock::new();
    RNG.get_or_init(|| Mutex::new(seeded_generator(0)))
        .lock()
        .ignore_poison()
}

fn checked_count(v: &Value) -> Result<usize, FuncError> {
    let count = v.as_int().unwrap_or(0).max(0) as usize;
    if count > MAX_BUILT_ITEMS {
        return Err(too_large("random"));
    }
    Ok(count)
}

/// goutils' `CryptoRandom*`: `count` characters from `alphabet` (printable ASCII when None);
/// a negative count yields "" (goutils returns an error that Sprig drops).
fn random_string(count: &Value, alphabet: Option<&[u8]>) -> Result<Value, FuncError> {
    let count = checked_count(count)?;
    let mut rng = rng();
    let text: String = (0..count)
        .map(|_| match alphabet {
            Some(chars) => chars[rng.random_range(0..chars.len())] as char,
            None => rng.random_range(32u8..=126) as char,
        })
        .collect();
    Ok(Value::str(text))
}

/// A random (version 4, RFC 4122 variant) UUID in its 8-4-4-4-12 form.
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::TemplateSet;

    #[test]
    fn a_negative_count_fails_only_where_sprig_makes_a_slice_of_it() {
        let render = |text: &str| {
            let mut set = TemplateSet::default();
            set.add_file("t", text).unwrap();
            set.execute("t", &Value::Nil)
                .map(|out| String::from_utf8(out).unwrap())
                .map_err(|e| e.to_string())
        };
        let err = render("{{ randBytes -1 }}").unwrap_err();
        assert!(err.contains("makeslice: len out of range"), "{err}");
        // goutils refuses a negative count with an error Sprig drops.
        assert_eq!(render("{{ randAlpha -1 }}").unwrap(), "");
        assert_eq!(render("{{ randBytes 0 }}").unwrap(), "");
    }

    #[test]
    fn uuids_are_version_4() {
        let id = uuid_v4();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(uuid_v4(), id);
    }

    #[test]
    fn random_strings_use_their_alphabet() {
        let Value::Str(s) = random_string(&Value::Int(40), Some(NUMERIC)).unwrap() else {
            panic!()
        };
        assert_eq!(s.len(), 40);
        assert!(s.bytes().all(|b| b.is_ascii_digit()));
        let Value::Str(s) = random_string(&Value::Int(-1), Some(ALPHA)).unwrap() else {
            panic!()
        };
        assert!(s.is_empty());
    }
}
