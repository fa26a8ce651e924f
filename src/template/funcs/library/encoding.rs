//! Sprig's encodings and digests: base64/base32 through Go's strict decoders (`go::base64`:
//! their error text is what a failed `b64dec` returns; what they decode is a Go string of any
//! bytes), SHA-1/256/512 and Adler-32.

use super::super::{FuncMap, Param};
use crate::go::base64;
use crate::template::value::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

pub(super) fn register(map: &mut FuncMap) {
    use Param::Str;
    map.add("b64enc", &[Str], None, |_, a| {
        Ok(Value::str(base64::encode(bytes(&a[0]))))
    });
    map.add("b64dec", &[Str], None, |_, a| {
        Ok(decoded(base64::decode(text(&a[0]))))
    });
    map.add("b32enc", &[Str], None, |_, a| {
        Ok(Value::str(base64::base32_encode(bytes(&a[0]))))
    });
    map.add("b32dec", &[Str], None, |_, a| {
        Ok(decoded(base64::base32_decode(text(&a[0]))))
    });
    map.add("sha1sum", &[Str], None, |_, a| {
        Ok(Value::str(hex::encode(Sha1::digest(bytes(&a[0])))))
    });
    map.add("sha256sum", &[Str], None, |_, a| {
        Ok(Value::str(hex::encode(Sha256::digest(bytes(&a[0])))))
    });
    map.add("sha512sum", &[Str], None, |_, a| {
        Ok(Value::str(hex::encode(Sha512::digest(bytes(&a[0])))))
    });
    map.add("adler32sum", &[Str], None, |_, a| {
        Ok(Value::str(adler32(bytes(&a[0])).to_string()))
    });
}

/// What Sprig's decoders return: the bytes as a Go string, or Go's error text in their place.
fn decoded(result: Result<Vec<u8>, base64::CorruptInput>) -> Value {
    match result {
        Ok(bytes) => Value::go_string(bytes),
        Err(e) => Value::str(e.to_string()),
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A string argument's bytes: what Go encodes and digests.
fn bytes(v: &Value) -> &[u8] {
    v.string_bytes().unwrap_or_default()
}

/// Adler-32 (zlib's checksum), as Go's `hash/adler32` computes it.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += byte as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_zlib() {
        assert_eq!(adler32(b"hello"), 103_547_413);
        assert_eq!(adler32(b""), 1);
    }
}
