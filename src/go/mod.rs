//! Ports of the Go libraries the renderers share, at the bottom of the house: nothing here
//! imports anything above it. Helm's template functions, kustomize's output and Helm's version
//! checks all call these, as Go's own `fmt`, `encoding/json` and go-yaml call one `strconv`.
//!
//! - [`base64`]: `encoding/base64` and `encoding/base32` (standard encodings, Go's decoders);
//! - `bigmod`: `crypto/internal/fips140/bigmod`, Montgomery arithmetic for the RSA modules;
//! - [`json`]: `encoding/json` output;
//! - [`os`]: `os` path errors;
//! - [`regexp`]: `regexp/syntax` (RE2 as Go parses it) onto the `regex` crate;
//! - [`rsa_keygen`]: `crypto/rsa`'s key generation, over our own Montgomery arithmetic;
//! - [`rsa_sign`]: `crypto/rsa`'s PKCS#1 v1.5 signatures, over the same;
//! - [`semver`]: Masterminds/semver v3 (Sprig's and Helm's version rules);
//! - [`strconv`]: formatting and parsing floats and integers, quoting strings;
//! - [`strings`]: `strings` over byte strings;
//! - [`time`]: `time` layouts, durations and zones;
//! - [`utf8`]: `unicode/utf8` decoding of byte strings.

pub mod base64;
mod bigmod;
pub mod json;
pub mod os;
pub mod regexp;
pub mod rsa_keygen;
pub mod rsa_sign;
pub mod semver;
pub mod strconv;
pub mod strings;
pub mod time;
pub mod unicode;
pub mod utf8;
