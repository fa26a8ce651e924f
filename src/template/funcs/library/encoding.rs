//! Sprig's encodings and digests: base64/base32 with Go's strict decoders (their error text is
//! what a failed `b64dec` returns; what they decode is a Go string of any bytes), SHA-1/256/512 and Adler-32.

use super::super::{FuncMap, Param};
use crate::template::value::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

pub(super) fn register(map: &mut FuncMap) {
    use Param::Str;
    map.add("b64enc", &[Str], None, |_, a| {
        Ok(Value::str(base64_encode(bytes(&a[0]))))
    });
    map.add("b64dec", &[Str], None, |_, a| {
        Ok(match base64_decode(text(&a[0])) {
            Ok(bytes) => Value::go_string(bytes),
            Err(e) => Value::str(e),
        })
    });
    map.add("b32enc", &[Str], None, |_, a| {
        Ok(Value::str(base32_encode(bytes(&a[0]))))
    });
    map.add("b32dec", &[Str], None, |_, a| {
        Ok(match base32_decode(text(&a[0])) {
            Ok(bytes) => Value::go_string(bytes),
            Err(e) => Value::str(e),
        })
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

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A string argument's bytes: what Go encodes and digests.
fn bytes(v: &Value) -> &[u8] {
    v.string_bytes().unwrap_or_default()
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Standard base64 with `=` padding.
pub fn base64_encode(data: &[u8]) -> String {
    encode_groups(data, BASE64, 6)
}

fn base32_encode(data: &[u8]) -> String {
    encode_groups(data, BASE32, 5)
}

/// Packs `bits`-bit symbols from `data`, padding to whole quanta (4 chars for base64, 8 for
/// base32) with `=`.
fn encode_groups(data: &[u8], alphabet: &[u8], bits: u32) -> String {
    let quantum = if bits == 6 { 4 } else { 8 };
    let mut out = String::new();
    let (mut buffer, mut count) = (0u64, 0u32);
    for &byte in data {
        buffer = (buffer << 8) | byte as u64;
        count += 8;
        while count >= bits {
            count -= bits;
            out.push(alphabet[((buffer >> count) & ((1 << bits) - 1)) as usize] as char);
        }
    }
    if count > 0 {
        out.push(alphabet[((buffer << (bits - count)) & ((1 << bits) - 1)) as usize] as char);
    }
    while !out.len().is_multiple_of(quantum) {
        out.push('=');
    }
    out
}

fn corrupt(kind: &str, offset: usize) -> String {
    format!("illegal {kind} data at input byte {offset}")
}

/// Go's `base64.StdEncoding.DecodeString`, reporting errors at the byte offsets Go reports.
pub(crate) fn base64_decode(input: &str) -> Result<Vec<u8>, String> {
    decode_groups(input.as_bytes(), BASE64, 6, "base64")
}

fn base32_decode(input: &str) -> Result<Vec<u8>, String> {
    decode_groups(input.as_bytes(), BASE32, 5, "base32")
}

/// Go's quantum-by-quantum decoder: newlines are skipped, padding must complete a quantum and
/// end the input, and leftover bits must be zero.
fn decode_groups(src: &[u8], alphabet: &[u8], bits: u32, kind: &str) -> Result<Vec<u8>, String> {
    let quantum = if bits == 6 { 4 } else { 8 };
    let value_of = |c: u8| alphabet.iter().position(|&a| a == c).map(|p| p as u64);
    let mut out = Vec::new();
    let mut si = 0;
    while si < src.len() {
        let mut symbols = Vec::with_capacity(quantum);
        let mut padded = false;
        while symbols.len() < quantum {
            if si == src.len() {
                if symbols.is_empty() {
                    return Ok(out);
                }
                return Err(corrupt(kind, si - symbols.len()));
            }
            let c = src[si];
            si += 1;
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if let Some(v) = value_of(c) {
                symbols.push(v);
                continue;
            }
            if c != b'=' {
                return Err(corrupt(kind, si - 1));
            }
            // Padding: it may only complete a quantum that holds enough data symbols.
            let valid_data = if bits == 6 {
                [2, 3].as_slice()
            } else {
                [2, 4, 5, 7].as_slice()
            };
            if !valid_data.contains(&symbols.len()) {
                return Err(corrupt(kind, si - 1));
            }
            let mut pads = 1;
            while symbols.len() + pads < quantum {
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return Err(corrupt(kind, src.len()));
                }
                if src[si] != b'=' {
                    return Err(corrupt(kind, si - 1));
                }
                si += 1;
                pads += 1;
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                return Err(corrupt(kind, si));
            }
            padded = true;
            break;
        }
        let total_bits = symbols.len() as u32 * bits;
        let mut buffer = 0u64;
        for &s in &symbols {
            buffer = (buffer << bits) | s;
        }
        let bytes = total_bits / 8;
        let leftover = total_bits % 8;
        if leftover > 0 && buffer & ((1 << leftover) - 1) != 0 {
            return Err(corrupt(kind, si - 1));
        }
        let buffer = buffer >> leftover;
        for i in (0..bytes).rev() {
            out.push((buffer >> (i * 8)) as u8);
        }
        if padded {
            break;
        }
    }
    Ok(out)
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
    fn base64_round_trips_and_reports_go_offsets() {
        assert_eq!(base64_encode(b"hello world"), "aGVsbG8gd29ybGQ=");
        assert_eq!(base64_encode("héllo?>".as_bytes()), "aMOpbGxvPz4=");
        assert_eq!(base64_decode("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(
            base64_decode("not base64!").unwrap_err(),
            "illegal base64 data at input byte 3"
        );
        assert_eq!(
            base64_decode("aGk").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            base64_decode("_-8=").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode("").unwrap(), b"");
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(base32_encode(b"a"), "ME======");
        assert_eq!(base32_decode("NBSWY3DP").unwrap(), b"hello");
        assert_eq!(base32_decode("ME======").unwrap(), b"a");
        assert_eq!(
            base32_decode("1").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
    }

    #[test]
    fn adler32_matches_zlib() {
        assert_eq!(adler32(b"hello"), 103_547_413);
        assert_eq!(adler32(b""), 1);
    }
}
