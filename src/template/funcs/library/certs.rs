//! Sprig's key and certificate generators: `genPrivateKey`, `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (and their `…WithKey` forms) and `buildCustomCert`. Keys are RSA (4096 bits
//! from `genPrivateKey`, 2048 for certificates, as Sprig makes them), ECDSA P-256 or Ed25519
//! in the PEM forms Go's x509 package writes; certificates are X.509 v3 DER written here,
//! signed with our port of Go's RSA PKCS#1 v1.5 signatures
//! ([`crate::go::rsa_sign`]) and the RustCrypto ECDSA and Ed25519 implementations.

use super::super::{CallCtx, FuncMap, Param};
use super::keygen::rsa_key;
use super::random::rng;
use crate::go::base64;
use crate::go::rsa_sign::sign_pkcs1v15_sha256;
use crate::template::value::{Entries, FuncError, Value};
use crate::template::KeySource;
use p256::ecdsa::signature::Signer;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rand::RngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// The kinds of key Sprig generates, with the RSA size it uses for each purpose.
#[derive(Clone, Copy, Debug, PartialEq)]
enum KeyKind {
    Rsa(usize),
    Ecdsa,
    Ed25519,
}

impl KeyKind {
    /// The key `genCA`, `genSelfSignedCert` and `genSignedCert` make for a certificate.
    const CERTIFICATE: KeyKind = KeyKind::Rsa(2048);

    /// `genPrivateKey`'s type argument as Sprig reads it: an empty type is RSA too, and its
    /// RSA keys are 4096 bits (Sprig's crypto.go `generatePrivateKey`).
    fn of_private_key_type(name: &str) -> Option<KeyKind> {
        match name {
            "" | "rsa" => Some(KeyKind::Rsa(4096)),
            "ecdsa" => Some(KeyKind::Ecdsa),
            "ed25519" => Some(KeyKind::Ed25519),
            _ => None,
        }
    }

    /// Steps a generation is charged before it runs, about what the same CPU time buys in
    /// template steps (a 2048-bit key ~30 ms, a 4096-bit one ~13 times that), so `range`
    /// over `genPrivateKey` ends within the chart's step limit.
    fn cost(self) -> u64 {
        match self {
            KeyKind::Rsa(bits) if bits <= 2048 => 600_000,
            KeyKind::Rsa(_) => 8_000_000,
            KeyKind::Ecdsa | KeyKind::Ed25519 => 10_000,
        }
    }
}

/// Steps one signature with an RSA-2048 key is charged, about 1 ms of CPU (as
/// [`KeyKind::cost`] counts).
const RSA_2048_SIGNATURE_STEPS: f64 = 20_000.0;

/// Bytes of an RSA-2048 key's PEM text.
const RSA_2048_PEM_BYTES: f64 = 1_700.0;

/// Steps a `…WithKey` call is charged before it parses its key and signs with it. An RSA
/// private-key operation costs about the cube of the key's size, and the PEM text is the only
/// measure of that size before parsing: a key of 64k bits (54 KB of PEM) would take seconds a
/// signature, inside `range`. Keys of other kinds are far shorter, and charged next to nothing.
fn signing_cost(pem: &Value) -> u64 {
    let size = pem.as_str().map_or(0, str::len) as f64 / RSA_2048_PEM_BYTES;
    // `as` saturates: a size past any budget is charged all of it.
    (RSA_2048_SIGNATURE_STEPS * size.powi(3)) as u64
}

/// [`parse_key`] for a signature, its cost charged to the chart first.
fn parse_signing_key(ctx: &mut CallCtx<'_>, pem: &Value) -> Result<Key, FuncError> {
    ctx.charge_steps(signing_cost(pem))?;
    parse_key(pem)
}

/// [`Key::generate`], its cost charged to the chart first.
fn generate_charged(ctx: &mut CallCtx<'_>, kind: KeyKind) -> Result<Option<Key>, FuncError> {
    ctx.charge_steps(kind.cost())?;
    Ok(Key::generate(kind, ctx.key_source()))
}

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Int, Str};
    map.add("genPrivateKey", &[Str], None, |ctx, a| {
        Ok(Value::str(
            match KeyKind::of_private_key_type(a[0].as_str().unwrap_or("")) {
                Some(kind) => generate_charged(ctx, kind)?
                    .map(|key| key.to_pem())
                    .unwrap_or_else(|| "failed to generate private key".to_string()),
                None => format!("Unknown type {}", a[0].as_str().unwrap_or("")),
            },
        ))
    });
    map.add("genCA", &[Str, Int], None, |ctx, a| {
        let key = generate_charged(ctx, KeyKind::CERTIFICATE)?
            .ok_or_else(|| FuncError::new("error generating rsa key"))?;
        ca(&a[0], &a[1], key)
    });
    map.add("genCAWithKey", &[Str, Int, Str], None, |ctx, a| {
        ca(&a[0], &a[1], parse_signing_key(ctx, &a[2])?)
    });
    map.add(
        "genSelfSignedCert",
        &[Str, Any, Any, Int],
        None,
        |ctx, a| {
            let key = generate_charged(ctx, KeyKind::CERTIFICATE)?
                .ok_or_else(|| FuncError::new("error generating rsa key"))?;
            leaf(a, key, None)
        },
    );
    map.add(
        "genSelfSignedCertWithKey",
        &[Str, Any, Any, Int, Str],
        None,
        |ctx, a| leaf(a, parse_signing_key(ctx, &a[4])?, None),
    );
    map.add(
        "genSignedCert",
        &[Str, Any, Any, Int, Any],
        None,
        |ctx, a| {
            let key = generate_charged(ctx, KeyKind::CERTIFICATE)?
                .ok_or_else(|| FuncError::new("error generating rsa key"))?;
            leaf(a, key, Some(&a[4]))
        },
    );
    map.add(
        "genSignedCertWithKey",
        &[Str, Any, Any, Int, Any, Str],
        None,
        |ctx, a| leaf(a, parse_signing_key(ctx, &a[5])?, Some(&a[4])),
    );
    map.add("buildCustomCert", &[Str, Str], None, |_, a| {
        let decode = |v: &Value| {
            base64::decode(v.as_str().unwrap_or(""))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|e| e.to_string())
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
    fn generate(kind: KeyKind, keys: KeySource) -> Option<Key> {
        Some(match kind {
            KeyKind::Rsa(bits) => Key::Rsa(Box::new(rsa_key(bits, keys)?)),
            KeyKind::Ecdsa => Key::Ecdsa(p256::ecdsa::SigningKey::from_slice(&random_32()).ok()?),
            KeyKind::Ed25519 => Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&random_32())),
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

    /// The signature of `data`. An RSA key under 1024 bits, or whose parts disagree (its
    /// signature does not verify), fails as Go's `x509.CreateCertificate` does,
    /// under Sprig's `getCertAndKey` prefix.
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, FuncError> {
        Ok(match self {
            Key::Rsa(k) => sign_pkcs1v15_sha256(k, data)
                .map_err(|e| FuncError::new(format!("error creating certificate: {e}")))?,
            Key::Ecdsa(k) => {
                let sig: p256::ecdsa::Signature = k.sign(data);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Ed25519(k) => k.sign(data).to_bytes().to_vec(),
        })
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
    let body = base64::encode(der);
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
    base64::decode(&body).ok()
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

/// A string the way Go's asn1 marshals an untagged one: a PrintableString when every byte is
/// in PrintableString's set (without `*` and `&`), else a UTF8String.
fn directory_string(s: &str) -> Vec<u8> {
    let printable = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

/// The DER of a `pkix.Name` holding only a common name (an empty SEQUENCE without one).
fn name(common_name: &str) -> Vec<u8> {
    if common_name.is_empty() {
        return seq(&[]);
    }
    seq(&[tlv(
        0x31,
        &seq(&[oid(&[2, 5, 4, 3]), directory_string(common_name)]),
    )])
}

/// A KeyUsage BIT STRING as Go's `buildExtensions` writes it: the usage bits in ASN.1 order,
/// one byte (two when a bit past the eighth is set), the trailing zero bits declared unused.
fn key_usage_bits(bits: [u8; 2]) -> Vec<u8> {
    let used = if bits[1] != 0 { &bits[..] } else { &bits[..1] };
    let unused = used
        .last()
        .map_or(0, |&b| if b == 0 { 0 } else { b.trailing_zeros() as u8 });
    let mut content = vec![unused];
    content.extend_from_slice(used);
    tlv(0x03, &content)
}

/// One DER element: its tag, its whole encoding and its content.
struct Tlv<'a> {
    tag: u8,
    raw: &'a [u8],
    content: &'a [u8],
}

/// Reads the DER element at the start of `input`, returning it and what follows.
fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        (
            bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize),
            2 + count,
        )
    };
    let end = header.checked_add(len)?;
    let raw = input.get(..end)?;
    Some((
        Tlv {
            tag,
            raw,
            content: &raw[header..],
        },
        &input[end..],
    ))
}

/// The elements of a constructed value's content, in order.
fn read_all(mut content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut items = Vec::new();
    while !content.is_empty() {
        let (item, rest) = read_tlv(content)?;
        items.push(item);
        content = rest;
    }
    Some(items)
}

/// What a signed certificate takes from its parent, as Go's `CreateCertificate` does: the
/// parent's raw subject (the issuer) and its Subject Key Identifier (the authority key id).
struct Parent {
    subject: Vec<u8>,
    key_id: Option<Vec<u8>>,
}

impl Parent {
    /// Reads a DER certificate's subject and Subject Key Identifier extension.
    fn from_der(der: &[u8]) -> Option<Parent> {
        let (cert, _) = read_tlv(der)?;
        let tbs = read_all(read_all(cert.content)?.first()?.content)?;
        // version [0] is optional; then serial, signature, issuer, validity, subject.
        let skip = usize::from(tbs.first()?.tag == 0xa0);
        let subject = tbs.get(skip + 4)?.raw.to_vec();
        let key_id = tbs
            .iter()
            .find(|t| t.tag == 0xa3)
            .and_then(|exts| read_all(read_all(exts.content)?.first()?.content))
            .and_then(|exts| {
                exts.iter().find_map(|ext| {
                    let parts = read_all(ext.content)?;
                    if parts.first()?.raw != oid(&[2, 5, 29, 14]).as_slice() {
                        return None;
                    }
                    let (id, _) = read_tlv(parts.last()?.content)?;
                    Some(id.content.to_vec())
                })
            });
        Some(Parent { subject, key_id })
    }
}

/// X.509 times: UTCTime through 2049, GeneralizedTime after.
fn time(unix: i64) -> Vec<u8> {
    let t = crate::go::time::GoTime::from_unix(unix, crate::go::time::Location::Utc);
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

/// Builds and signs a certificate for `key`'s public key as Go's `x509.CreateCertificate` does
/// for Sprig's templates, signed by `issuer` (self-signed when None).
fn build_cert(
    spec: &CertSpec<'_>,
    key: &Key,
    issuer: Option<(&Parent, &Key)>,
) -> Result<Vec<u8>, FuncError> {
    let now = super::dates::now().unix;
    let mut serial = [0u8; 16];
    rng().fill_bytes(&mut serial);
    let subject = name(spec.common_name);
    let (issuer_name, signer, parent_key_id) = match issuer {
        Some((parent, signer)) => (parent.subject.clone(), signer, parent.key_id.as_deref()),
        None => (subject.clone(), key, None),
    };
    let spki = key.public_key_der();
    // digitalSignature | keyEncipherment, and keyCertSign for a CA (bits in ASN.1 order).
    let key_usage = if spec.is_ca { 0xa4 } else { 0xa0 };
    let mut extensions = vec![
        extension(&[2, 5, 29, 15], true, key_usage_bits([key_usage, 0])),
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
    if spec.is_ca {
        // Go 1.25: the first 160 bits of the SHA-256 of the subjectPublicKey bits.
        let digest = Sha256::digest(public_key_bits(&spki));
        extensions.push(extension(&[2, 5, 29, 14], false, tlv(0x04, &digest[..20])));
    }
    // The parent's key id, unless the certificate is self-signed (issuer equals subject).
    if let Some(id) = parent_key_id.filter(|id| !id.is_empty() && issuer_name != subject) {
        extensions.push(extension(&[2, 5, 29, 35], false, seq(&[tlv(0x80, id)])));
    }
    if !spec.ips.is_empty() || !spec.dns.is_empty() {
        let mut names: Vec<Vec<u8>> = spec.dns.iter().map(|d| tlv(0x82, d.as_bytes())).collect();
        for ip in &spec.ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(tlv(0x87, &bytes));
        }
        // RFC 5280 4.2.1.6: critical when the subject is empty.
        let critical = spec.common_name.is_empty();
        extensions.push(extension(&[2, 5, 29, 17], critical, seq(&names)));
    }
    let tbs = seq(&[
        tlv(0xa0, &integer(&[2])),
        integer(&serial),
        signer.signature_algorithm(),
        issuer_name,
        seq(&[time(now), time(now + spec.days * 86_400)]),
        subject,
        spki,
        tlv(0xa3, &seq(&extensions)),
    ]);
    let signature = signer.sign(&tbs)?;
    let mut bits = vec![0u8];
    bits.extend(signature);
    Ok(seq(&[tbs, signer.signature_algorithm(), tlv(0x03, &bits)]))
}

/// The subjectPublicKey bits of a SubjectPublicKeyInfo (what a key identifier hashes).
fn public_key_bits(spki: &[u8]) -> &[u8] {
    read_tlv(spki)
        .and_then(|(info, _)| read_all(info.content))
        .and_then(|parts| parts.get(1).map(|bits| bits.content))
        .and_then(|bits| bits.get(1..))
        .unwrap_or_default()
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
    let der = build_cert(&spec, &key, None)?;
    Ok(cert_value(pem("CERTIFICATE", &der), key.to_pem()))
}

fn string_items(v: &Value) -> Vec<String> {
    match v.clone().collection_view() {
        Value::List(l) => l.items().iter().map(super::strval_text).collect(),
        _ => Vec::new(),
    }
}

/// `genSelfSignedCert…`/`genSignedCert…`: CN, IPs, DNS names, days, then the CA (signed forms).
/// The CA is read first, as Sprig does: its certificate, then its key, then the IPs.
fn leaf(a: &[Value], key: Key, ca_value: Option<&Value>) -> Result<Value, FuncError> {
    let issuer = match ca_value {
        None => None,
        Some(ca) => {
            let field = |name: &str| match ca {
                Value::Map(m) => m.get(name).and_then(|v| v.as_str().map(String::from)),
                _ => None,
            };
            let der = field("Cert")
                .and_then(|c| pem_block(&c, "CERTIFICATE"))
                .ok_or_else(|| FuncError::new("unable to decode certificate"))?;
            let parent = Parent::from_der(&der).ok_or_else(|| {
                FuncError::new("error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate")
            })?;
            let ca_key = parse_key(&Value::str(field("Key").unwrap_or_default()))
                .map_err(|e| FuncError::new(format!("error {e}")))?;
            Some((parent, ca_key))
        }
    };
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
    let der = build_cert(
        &spec,
        &key,
        issuer.as_ref().map(|(parent, signer)| (parent, signer)),
    )?;
    Ok(cert_value(pem("CERTIFICATE", &der), key.to_pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_pem() {
        for kind in [KeyKind::Ecdsa, KeyKind::Ed25519] {
            let key = Key::generate(kind, KeySource::Fresh).unwrap();
            let text = key.to_pem();
            let again = parse_key(&Value::str(text.as_str())).unwrap();
            assert_eq!(again.to_pem(), text, "{kind:?}");
        }
        assert!(Key::generate(KeyKind::Ecdsa, KeySource::Fresh)
            .unwrap()
            .to_pem()
            .starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(Key::generate(KeyKind::Ed25519, KeySource::Fresh)
            .unwrap()
            .to_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    }

    /// Sprig's `genPrivateKey` makes RSA-4096 for "rsa" and for an empty type (helm v4.1.4
    /// prints a 3243-byte PEM for both); certificates carry RSA-2048; other names are unknown.
    #[test]
    fn private_key_types_as_sprig_reads_them() {
        assert_eq!(
            KeyKind::of_private_key_type("rsa"),
            Some(KeyKind::Rsa(4096))
        );
        assert_eq!(KeyKind::of_private_key_type(""), Some(KeyKind::Rsa(4096)));
        assert_eq!(KeyKind::of_private_key_type("ecdsa"), Some(KeyKind::Ecdsa));
        assert_eq!(
            KeyKind::of_private_key_type("ed25519"),
            Some(KeyKind::Ed25519)
        );
        assert_eq!(KeyKind::of_private_key_type("RSA"), None);
        assert_eq!(KeyKind::of_private_key_type("foo"), None);
        assert_eq!(KeyKind::CERTIFICATE, KeyKind::Rsa(2048));
        let Some(Key::Rsa(key)) = Key::generate(KeyKind::Rsa(4096), KeySource::Pooled) else {
            panic!("no RSA key");
        };
        assert_eq!(rsa::traits::PublicKeyParts::size(key.as_ref()), 512);
    }

    /// The extensions of a DER certificate as (OID DER, critical, value).
    fn extensions(der: &[u8]) -> Vec<(Vec<u8>, bool, Vec<u8>)> {
        let (cert, _) = read_tlv(der).unwrap();
        let tbs = read_all(read_all(cert.content).unwrap()[0].content).unwrap();
        let exts = tbs.iter().find(|t| t.tag == 0xa3).unwrap();
        let list = read_all(exts.content).unwrap();
        read_all(list[0].content)
            .unwrap()
            .iter()
            .map(|ext| {
                let parts = read_all(ext.content).unwrap();
                let critical = parts.len() == 3 && parts[1].content == [0xff];
                let value = parts.last().unwrap().content.to_vec();
                (parts[0].raw.to_vec(), critical, value)
            })
            .collect()
    }

    #[test]
    fn a_ca_and_its_signed_certificate_carry_go_s_extensions() {
        let ca_key = Key::generate(KeyKind::Ed25519, KeySource::Fresh).unwrap();
        let ca_spec = CertSpec {
            common_name: "my-ca",
            ips: Vec::new(),
            dns: Vec::new(),
            days: 1,
            is_ca: true,
        };
        let ca_der = build_cert(&ca_spec, &ca_key, None).unwrap();
        let spki = ca_key.public_key_der();
        let ski = Sha256::digest(public_key_bits(&spki))[..20].to_vec();
        let ca_exts = extensions(&ca_der);
        let ids: Vec<_> = ca_exts.iter().map(|e| e.0.clone()).collect();
        assert_eq!(
            ids,
            [15, 37, 19, 14].map(|n| oid(&[2, 5, 29, n])).to_vec(),
            "key usage, ext key usage, basic constraints, subject key id"
        );
        assert_eq!(
            ca_exts[0],
            (oid(&[2, 5, 29, 15]), true, vec![0x03, 0x02, 0x02, 0xa4])
        );
        assert_eq!(ca_exts[2].2, vec![0x30, 0x03, 0x01, 0x01, 0xff]);
        assert_eq!(ca_exts[3].2, tlv(0x04, &ski));

        let parent = Parent::from_der(&ca_der).unwrap();
        assert_eq!(parent.subject, name("my-ca"));
        assert_eq!(parent.subject[..2], [0x30, 0x10], "PrintableString CN");
        assert_eq!(parent.key_id.as_deref(), Some(&ski[..]));
        let leaf_key = Key::generate(KeyKind::Ecdsa, KeySource::Fresh).unwrap();
        let leaf_spec = CertSpec {
            common_name: "",
            ips: vec!["10.0.0.1".parse().unwrap()],
            dns: vec!["a.example".into()],
            days: 1,
            is_ca: false,
        };
        let leaf_der = build_cert(&leaf_spec, &leaf_key, Some((&parent, &ca_key))).unwrap();
        let leaf_exts = extensions(&leaf_der);
        assert_eq!(leaf_exts[0].2, vec![0x03, 0x02, 0x05, 0xa0]);
        assert_eq!(leaf_exts[2].2, vec![0x30, 0x00]);
        assert_eq!(leaf_exts[3].0, oid(&[2, 5, 29, 35]));
        assert_eq!(leaf_exts[3].2, seq(&[tlv(0x80, &ski)]));
        assert_eq!(leaf_exts[4].0, oid(&[2, 5, 29, 17]));
        assert!(leaf_exts[4].1, "SAN is critical under an empty subject");
        assert_eq!(leaf_exts.len(), 5);
        assert!(Parent::from_der(&leaf_der).unwrap().key_id.is_none());
    }

    /// A key Go refuses to sign with ends the call with Go's error (helm v4.1.4's for a
    /// 512-bit `genCAWithKey` key), not a signature or a panic.
    #[test]
    fn an_rsa_key_that_cannot_sign_is_an_error() {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
        let key = crate::go::rsa_keygen::generate_key(&mut rng, 512, 1).unwrap();
        let spec = CertSpec {
            common_name: "short",
            ips: Vec::new(),
            dns: Vec::new(),
            days: 1,
            is_ca: true,
        };
        let error = build_cert(&spec, &Key::Rsa(Box::new(key)), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "error creating certificate: crypto/rsa: 512-bit keys are insecure \
             (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
        );
    }

    #[test]
    fn names_are_printable_strings_when_they_can_be() {
        assert_eq!(directory_string("a-b.c")[0], 0x13);
        assert_eq!(directory_string("a*b")[0], 0x0c);
        assert_eq!(directory_string("日本")[0], 0x0c);
    }

    #[test]
    fn key_usage_declares_its_trailing_zero_bits_unused() {
        assert_eq!(key_usage_bits([0xa0, 0]), [0x03, 0x02, 0x05, 0xa0]);
        assert_eq!(key_usage_bits([0xa4, 0]), [0x03, 0x02, 0x02, 0xa4]);
        assert_eq!(key_usage_bits([0x80, 0x80]), [0x03, 0x03, 0x07, 0x80, 0x80]);
    }
}
