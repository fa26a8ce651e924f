//! Go's `encoding/base64` and `encoding/base32` with their standard encodings: `=` padding,
//! and Go's decoders (line breaks skipped, padding only at the end; the bits left over past the
//! last byte are dropped, whatever they are, as only Go's `Strict` mode checks them), whose
//! error texts (`illegal base64 data at input byte 3`) Sprig's `b64dec` returns. Helm's
//! `.Files.AsSecrets`, kustomize's Secret generator and go-yaml's `!!binary` use them too.

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `base64.StdEncoding.EncodeToString`: the standard alphabet, `=` padding.
pub fn encode(data: &[u8]) -> String {
    encode_groups(data, BASE64, 6)
}

/// `base32.StdEncoding.EncodeToString`.
pub fn base32_encode(data: &[u8]) -> String {
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

/// Go's `CorruptInputError`: where the input stops being valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal {encoding} data at input byte {offset}")]
pub struct CorruptInput {
    /// `base64` or `base32`.
    pub encoding: &'static str,
    /// The byte offset Go reports.
    pub offset: usize,
}

fn corrupt(encoding: &'static str, offset: usize) -> CorruptInput {
    CorruptInput { encoding, offset }
}

/// `base64.StdEncoding.DecodeString`, failing with Go's error text at the byte offset Go
/// reports.
pub fn decode(input: &str) -> Result<Vec<u8>, CorruptInput> {
    decode_groups(input.as_bytes(), BASE64, 6, "base64")
}

/// `base32.StdEncoding.DecodeString`, with Go's error text.
pub fn base32_decode(input: &str) -> Result<Vec<u8>, CorruptInput> {
    decode_groups(input.as_bytes(), BASE32, 5, "base32")
}

/// Go's quantum-by-quantum decoder: newlines are skipped, padding must complete a quantum and
/// end the input.
fn decode_groups(
    src: &[u8],
    alphabet: &[u8],
    bits: u32,
    kind: &'static str,
) -> Result<Vec<u8>, CorruptInput> {
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
        let buffer = buffer >> (total_bits % 8);
        for i in (0..bytes).rev() {
            out.push((buffer >> (i * 8)) as u8);
        }
        if padded {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_reports_go_offsets() {
        assert_eq!(encode(b"hello world"), "aGVsbG8gd29ybGQ=");
        assert_eq!(encode("héllo?>".as_bytes()), "aMOpbGxvPz4=");
        assert_eq!(decode("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(
            decode("not base64!").unwrap_err().to_string(),
            "illegal base64 data at input byte 3"
        );
        assert_eq!(
            decode("aGk").unwrap_err().to_string(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            decode("_-8=").unwrap_err().to_string(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(decode("YQ==").unwrap(), b"a");
        assert_eq!(decode("").unwrap(), b"");
    }

    #[test]
    fn base64_std_decoding_rules() {
        // Go's StdEncoding: line breaks anywhere, padding ends the input, leftover bits ignored.
        let ok: &[(&str, &[u8])] = &[
            ("YW\nJj\r\nZA==", b"abcd"),
            ("YWJj\n", b"abc"),
            ("YR==", b"a"),
            ("YWI=", b"ab"),
            ("YWJ=", b"ab"),
            ("YQ=\n=", b"a"),
            ("\n\n", b""),
        ];
        for &(input, want) in ok {
            assert_eq!(decode(input).as_deref(), Ok(want), "{input:?}");
        }
        let bad: &[(&str, usize)] = &[
            ("!!!!", 0),
            ("====", 0),
            ("x===", 1),
            ("=AAA", 0),
            ("A=AA", 1),
            ("AA=A", 2),
            ("AA==A", 4),
            ("AAA=AAAA", 4),
            ("AAAAA", 4),
            ("AAAAAA", 4),
            ("A=", 1),
            ("A==", 1),
            ("AA=", 3),
            ("AAAAAA=", 7),
            ("YWJjZA=====", 8),
            ("A!\n", 1),
            ("A=\n", 1),
            ("YQ== ", 4),
            ("YWJj ZA==", 4),
            ("YQ", 0),
            ("_-8=", 0),
        ];
        for &(input, offset) in bad {
            assert_eq!(
                decode(input),
                Err(CorruptInput {
                    encoding: "base64",
                    offset
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(base32_encode(b"a"), "ME======");
        assert_eq!(base32_decode("NBSWY3DP").unwrap(), b"hello");
        assert_eq!(base32_decode("ME======").unwrap(), b"a");
        assert_eq!(
            base32_decode("1").unwrap_err().to_string(),
            "illegal base32 data at input byte 0"
        );
    }
}
