//! Sprig's key and certificate generators: `genPrivateKey`, `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (and their `…WithKey` forms) and `buildCustomCert`. Keys are RSA-2048,
//! ECDSA P-256 or Ed25519 in the PEM forms Go's x509 package writes; certificates are X.509 v3
//! DER written here, signed with the RustCrypto implementations.

use super::super::{CallCtx, FuncMap, Param};
use super::encoding::{base64_decode, base64_encode};
use super::keygen::rsa_key;
use super::random::rng;
use crate::template::value::{Entries, FuncError, Value};
use crate::template::KeySource;
use p256::ecdsa::signature::Signer;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rand::RngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use std::net::IpAddr;

/// Steps a key generation is charged, before it runs: an RSA key costs what a few million
/// template steps do, so `range` over `genPrivateKey` ends within the chart's step limit.
fn key_cost(kind: &str) -> u64 {
    match kind {
        "rsa" => 2_500_000,
        _ => 10_000,
    }
}

/// [`Key::generate`], its cost charged to the chart first.
fn generate_charged(ctx: &mut CallCtx<'_>, kind: &str) -> Result<Option<Key>, FuncError> {
    ctx.charge_steps(key_cost(kind))?;
    Ok(Key::generate(kind, ctx.key_source()))
}

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Int, Str};
    map.add("genPrivateKey", &[Str], None, |ctx, a| {
        Ok(Value::str(
            match generate_charged(ctx, a[0].as_str().unwrap_or(""))? {
                Some(key) => key.to_pem(),
                None => format!("Unknown type {}", a[0].as_str().unwrap_or("")),
            },
        ))
    });
    map.add("genCA", &[Str, Int], None, |ctx, a| {
        let key = generate_charged(ctx, "rsa")?
            .ok_or_else(|| FuncError::new("error generating rsa key"))?;
        ca(&a[0], &a[1], key)
    });
    map.add("genCAWithKey", &[Str, Int, Str], None, |_, a| {
        ca(&a[0], &a[1], parse_key(&a[2])?)
    });
    map.add(
        "genSelfSignedCert",
        &[Str, Any, Any, Int],
        None,
        |ctx, a| {
            let key = generate_charged(ctx, "rsa")?
                .ok_or_else(|| FuncError::new("error generating rsa key"))?;
            leaf(a, key, None)
        },
    );
    map.add(
        "genSelfSignedCertWithKey",
        &[Str, Any, Any, Int, Str],
        None,
        |_, a| leaf(a, parse_key(&a[4])?, None),
    );
    map.add(
        "genSignedCert",
        &[Str, Any, Any, Int, Any],
        None,
        |ctx, a| {
            let key = generate_charged(ctx, "rsa")?
                .ok_or_else(|| FuncError::new("error generating rsa key"))?;
            leaf(a, key, Some(&a[4]))
        },
    );
    map.add(
        "genSignedCertWithKey",
        &[Str, Any, Any, Int, Any, Str],
        None,
        |_, a| leaf(a, parse_key(&a[5])?, Some(&a[4])),
    );
    map.add("buildCustomCert", &[Str, Str], None, |_, a| {
        let decode = |v: &Value| {
            base64_decode(v.as_str().unwrap_or(""))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let cert = decode(&a[0]).map_err(FuncError::new)?;
        let key = decode(&a[1]).map_err(FuncError::new)?;
        if pem_block(&cert, "CERTIFICATE").is_none() {
            return Err(FuncError::new("unable to decode certificate"));
        }
        parse_key(&Value::str(key.as_str()))
            .map_err(|_| FuncError::new("unable to decode private key"))?;
        Ok(cert_value(cert, key))
    });
}

enum Key {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ecdsa(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

fn random_32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rng().fill_bytes(&mut bytes);
    bytes
}

impl Key {
    fn generate(kind: &str, keys: KeySource) -> Option<Key> {
        Some(match kind {
            "rsa" => Key::Rsa(Box::new(rsa_key(2048, keys)?)),
            "ecdsa" => Key::Ecdsa(p256::ecdsa::SigningKey::from_slice(&random_32()).ok()?),
            "ed25519" => Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&random_32())),
            _ => return None,
        })
    }

    fn to_pem(&self) -> String {
        match self {
            Key::Rsa(k) => k
                .to_pkcs1_der()
                .map(|d| pem("RSA PRIVATE KEY", d.as_bytes()))
                .unwrap_or_default(),
            Key::Ecdsa(k) => p256::SecretKey::from(k)
                .to_sec1_der()
                .map(|d| pem("EC PRIVATE KEY", &d))
                .unwrap_or_default(),
            Key::Ed25519(k) => k
                .to_pkcs8_der()
                .map(|d| pem("PRIVATE KEY", d.as_bytes()))
                .unwrap_or_default(),
        }
    }

    fn public_key_der(&self) -> Vec<u8> {
        let der = match self {
            Key::Rsa(k) => rsa::RsaPublicKey::from(k.as_ref()).to_public_key_der(),
            Key::Ecdsa(k) => k.verifying_key().to_public_key_der(),
            Key::Ed25519(k) => k.verifying_key().to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The AlgorithmIdentifier of this key's signatures.
    fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            Key::Rsa(_) => seq(&[oid(&[1, 2, 840, 113_549, 1, 1, 11]), vec![0x05, 0x00]]),
            Key::Ecdsa(_) => seq(&[oid(&[1, 2, 840, 10_045, 4, 3, 2])]),
            Key::Ed25519(_) => seq(&[oid(&[1, 3, 101, 112])]),
        }
    }

    fn sign(&self, data: &[u8]) -> Vec<u8> {
        match self {
            Key::Rsa(k) => {
                let signer =
                    rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(k.as_ref().clone());
                let sig: rsa::pkcs1v15::Signature = signer.sign(data);
                rsa::signature::SignatureEncoding::to_vec(&sig)
            }
            Key::Ecdsa(k) => {
                let sig: p256::ecdsa::Signature = k.sign(data);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Ed25519(k) => k.sign(data).to_bytes().to_vec(),
        }
    }
}

/// Reads a PEM private key as Go's `pemBlockForKey` counterparts accept them.
fn parse_key(v: &Value) -> Result<Key, FuncError> {
    let text = v.as_str().unwrap_or("");
    let fail = |e: &str| FuncError::new(format!("parsing private key: {e}"));
    if let Some(der) = pem_block(text, "RSA PRIVATE KEY") {
        return rsa::RsaPrivateKey::from_pkcs1_der(&der)
            .map(|k| Key::Rsa(Box::new(k)))
            .map_err(|e| fail(&e.to_string()));
    }
    if let Some(der) = pem_block(text, "EC PRIVATE KEY") {
        return p256::SecretKey::from_sec1_der(&der)
            .map(|k| Key::Ecdsa(k.into()))
            .map_err(|e| fail(&e.to_string()));
    }
    if let Some(der) = pem_block(text, "PRIVATE KEY") {
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(&der) {
            return Ok(Key::Ed25519(k));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(&der) {
            return Ok(Key::Ecdsa(k.into()));
        }
        return rsa::RsaPrivateKey::from_pkcs8_der(&der)
            .map(|k| Key::Rsa(Box::new(k)))
            .map_err(|e| fail(&e.to_string()));
    }
    Err(fail("no PEM data in input"))
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn pem_block(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64_decode(&body).ok()
}

// DER building blocks.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut stack = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            stack.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        body.extend(stack.iter().rev());
    }
    tlv(0x06, &body)
}

fn integer(bytes: &[u8]) -> Vec<u8> {
    let mut body: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    if body.first().is_none_or(|&b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    tlv(0x02, &body)
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0c, s.as_bytes())
}

fn name(common_name: &str) -> Vec<u8> {
    if common_name.is_empty() {
        return seq(&[]);
    }
    seq(&[tlv(0x31, &seq(&[oid(&[2, 5, 4, 3]), utf8(common_name)]))])
}

/// X.509 times: UTCTime through 2049, GeneralizedTime after.
fn time(unix: i64) -> Vec<u8> {
    let t = super::gotime::GoTime::from_unix(unix, super::gotime::Location::Utc);
    let year = t.civil().year;
    if (1950..2050).contains(&year) {
        tlv(0x17, t.format("060102150405Z").as_bytes())
    } else {
        tlv(0x18, t.format("20060102150405Z").as_bytes())
    }
}

fn extension(id: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

struct CertSpec<'a> {
    common_name: &'a str,
    ips: Vec<IpAddr>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

/// Builds and signs a certificate for `key`'s public key, signed by `issuer` (itself when None).
fn build_cert(spec: &CertSpec<'_>, key: &Key, issuer: Option<(&str, &Key)>) -> Vec<u8> {
    let now = super::dates::now().unix;
    let mut serial = [0u8; 16];
    rng().fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    let (issuer_name, signer) = issuer.unwrap_or((spec.common_name, key));
    let mut key_usage = 0xa0u8; // digitalSignature | keyEncipherment
    if spec.is_ca {
        key_usage |= 0x04; // keyCertSign
    }
    let mut extensions = vec![
        extension(&[2, 5, 29, 15], true, tlv(0x03, &[0x05, key_usage])),
        extension(
            &[2, 5, 29, 37],
            false,
            seq(&[
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]),
            ]),
        ),
        extension(
            &[2, 5, 29, 19],
            true,
            if spec.is_ca {
                seq(&[vec![0x01, 0x01, 0xff]])
            } else {
                seq(&[])
            },
        ),
    ];
    if !spec.ips.is_empty() || !spec.dns.is_empty() {
        let mut names: Vec<Vec<u8>> = spec.dns.iter().map(|d| tlv(0x82, d.as_bytes())).collect();
        for ip in &spec.ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            names.push(tlv(0x87, &bytes));
        }
        extensions.push(extension(&[2, 5, 29, 17], false, seq(&names)));
    }
    let tbs = seq(&[
        tlv(0xa0, &integer(&[2])),
        integer(&serial),
        signer.signature_algorithm(),
        name(issuer_name),
        seq(&[time(now), time(now + spec.days * 86_400)]),
        name(spec.common_name),
        key.public_key_der(),
        tlv(0xa3, &seq(&extensions)),
    ]);
    let signature = signer.sign(&tbs);
    let mut bits = vec![0u8];
    bits.extend(signature);
    seq(&[tbs, signer.signature_algorithm(), tlv(0x03, &bits)])
}

fn cert_value(cert: String, key: String) -> Value {
    let mut entries = Entries::new();
    entries.insert("Cert".into(), Value::str(cert));
    entries.insert("Key".into(), Value::str(key));
    Value::map(entries)
}

fn ca(cn: &Value, days: &Value, key: Key) -> Result<Value, FuncError> {
    let spec = CertSpec {
        common_name: cn.as_str().unwrap_or(""),
        ips: Vec::new(),
        dns: Vec::new(),
        days: days.as_int().unwrap_or(0),
        is_ca: true,
    };
    let der = build_cert(&spec, &key, None);
    Ok(cert_value(pem("CERTIFICATE", &der), key.to_pem()))
}

fn string_items(v: &Value) -> Vec<String> {
    match v.clone().collection_view() {
        Value::List(l) => l.items().iter().map(super::strval).collect(),
        _ => Vec::new(),
    }
}

/// `genSelfSignedCert…`/`genSignedCert…`: CN, IPs, DNS names, days, then the CA (signed forms).
fn leaf(a: &[Value], key: Key, ca_value: Option<&Value>) -> Result<Value, FuncError> {
    let mut ips = Vec::new();
    for ip in string_items(&a[1]) {
        ips.push(
            ip.parse::<IpAddr>()
                .map_err(|_| FuncError::new(format!("error parsing ip: {ip}")))?,
        );
    }
    let spec = CertSpec {
        common_name: a[0].as_str().unwrap_or(""),
        ips,
        dns: string_items(&a[2]),
        days: a[3].as_int().unwrap_or(0),
        is_ca: false,
    };
    let der = match ca_value {
        None => build_cert(&spec, &key, None),
        Some(ca) => {
            let field = |name: &str| match ca {
                Value::Map(m) => m.get(name).and_then(|v| v.as_str().map(String::from)),
                _ => None,
            };
            let ca_key = parse_key(&Value::str(field("Key").unwrap_or_default()))?;
            let ca_cert = field("Cert").and_then(|c| pem_block(&c, "CERTIFICATE"));
            if ca_cert.is_none() {
                return Err(FuncError::new("error parsing certificate: decoding failed"));
            }
            let issuer = issuer_common_name(ca).unwrap_or_default();
            build_cert(&spec, &key, Some((&issuer, &ca_key)))
        }
    };
    Ok(cert_value(pem("CERTIFICATE", &der), key.to_pem()))
}

/// The CA's common name, read back from the subject of its certificate.
fn issuer_common_name(ca: &Value) -> Option<String> {
    let Value::Map(m) = ca else { return None };
    let der = pem_block(m.get("Cert")?.as_str()?, "CERTIFICATE")?;
    // The first UTF8String after the CN OID (2.5.4.3) is the issuer's CN in our certificates.
    let cn_oid = [0x06, 0x03, 0x55, 0x04, 0x03, 0x0c];
    let at = der.windows(cn_oid.len()).position(|w| w == cn_oid)? + cn_oid.len();
    let len = *der.get(at)? as usize;
    der.get(at + 1..at + 1 + len)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_pem() {
        for kind in ["ecdsa", "ed25519"] {
            let key = Key::generate(kind, KeySource::Fresh).unwrap();
            let text = key.to_pem();
            let again = parse_key(&Value::str(text.as_str())).unwrap();
            assert_eq!(again.to_pem(), text, "{kind}");
        }
        assert!(Key::generate("ecdsa", KeySource::Fresh)
            .unwrap()
            .to_pem()
            .starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(Key::generate("ed25519", KeySource::Fresh)
            .unwrap()
            .to_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(Key::generate("foo", KeySource::Fresh).is_none());
    }

    #[test]
    fn certificates_are_der_sequences() {
        let key = Key::generate("ecdsa", KeySource::Fresh).unwrap();
        let spec = CertSpec {
            common_name: "x",
            ips: vec!["10.0.0.1".parse().unwrap()],
            dns: vec!["x.io".into()],
            days: 1,
            is_ca: true,
        };
        let der = build_cert(&spec, &key, None);
        assert_eq!(der[0], 0x30);
        let ca = cert_value(pem("CERTIFICATE", &der), key.to_pem());
        assert_eq!(issuer_common_name(&ca).as_deref(), Some("x"));
    }
}
