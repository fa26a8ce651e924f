//! Sprig's password and encryption functions: `bcrypt`, `htpasswd`, `derivePassword` (the
//! Master Password algorithm) and `encryptAES`/`decryptAES` (AES-256-CBC, PKCS#7 padding, the
//! IV in front, base64).

use super::super::{FuncMap, Param};
use super::random::rng;
use crate::go::base64;
use crate::template::value::{FuncError, Value};
use crate::template::KeySource;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes256;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const BCRYPT_COST: u32 = 10;
/// The cheapest cost bcrypt takes: a scan's placeholder hashes (see [`bcrypt`]).
const BCRYPT_PLACEHOLDER_COST: u32 = 4;
/// Steps one bcrypt hash at [`BCRYPT_COST`] is charged (it costs tens of milliseconds).
const BCRYPT_STEPS: u64 = 500_000;
/// Steps one `derivePassword` is charged: its scrypt (N=32768, r=8, p=2) takes about two and
/// a half bcrypt hashes' time, and 32 MiB.
const DERIVE_PASSWORD_STEPS: u64 = 5 * BCRYPT_STEPS / 2;
const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";
const AES_BLOCK: usize = 16;

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Int, Str};
    map.add("bcrypt", &[Str], None, |ctx, a| {
        ctx.charge_steps(BCRYPT_STEPS)?;
        Ok(Value::str(bcrypt(text(&a[0]), ctx.key_source())))
    });
    map.add("htpasswd", &[Str, Str], None, |ctx, a| {
        let (user, password) = (text(&a[0]), text(&a[1]));
        if !user.contains(':') {
            ctx.charge_steps(BCRYPT_STEPS)?;
        }
        Ok(Value::str(if user.contains(':') {
            format!("invalid username: {user}")
        } else {
            format!("{user}:{}", bcrypt(password, ctx.key_source()))
        }))
    });
    map.add(
        "derivePassword",
        &[Int, Str, Str, Str, Str],
        None,
        |ctx, a| {
            // A kind with no templates fails before any key is derived.
            if password_templates(text(&a[1])).is_some() {
                ctx.charge_steps(DERIVE_PASSWORD_STEPS)?;
            }
            let counter = a[0].as_int().unwrap_or(0) as u32;
            Ok(Value::str(derive_password(
                counter,
                text(&a[1]),
                text(&a[2]),
                text(&a[3]),
                text(&a[4]),
            )))
        },
    );
    map.add("encryptAES", &[Str, Str], None, |_, a| {
        Ok(Value::str(encrypt_aes(
            text(&a[0]),
            a[1].string_bytes().unwrap_or_default(),
        )))
    });
    map.add("decryptAES", &[Str, Str], None, |_, a| {
        decrypt_aes(text(&a[0]), text(&a[1]))
            .map(Value::go_string)
            .map_err(FuncError::new)
    });
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// `golang.org/x/crypto/bcrypt.GenerateFromPassword` at the default cost: a `$2a$10$` hash.
///
/// A scan ([`KeySource::Pooled`]) keeps no secret it renders, so it does not spend the default
/// cost's 1,024 key-schedule rounds (tens of milliseconds a hash): it hashes at the lowest
/// cost and labels the result `$2a$10$`. With its random salt, such a hash reads to a template
/// exactly as a real one does (same form and length, different every call), and the images a
/// chart renders cannot depend on which it got.
fn bcrypt(password: &str, source: KeySource) -> String {
    let mut salt = [0u8; 16];
    rng().fill_bytes(&mut salt);
    // bcrypt reads at most 72 bytes of the password.
    let bytes = &password.as_bytes()[..password.len().min(72)];
    let cost = match source {
        KeySource::Fresh => BCRYPT_COST,
        KeySource::Pooled => BCRYPT_PLACEHOLDER_COST,
    };
    match bcrypt::hash_with_salt(bytes, cost, salt) {
        Ok(parts) => {
            let hash = parts.format_for_version(bcrypt::Version::TwoA);
            // The cost field (`$NN$` after the version) names the default cost in both cases.
            hash.replacen(&format!("${cost:02}$"), &format!("${BCRYPT_COST:02}$"), 1)
        }
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(class: char) -> &'static [u8] {
    match class {
        'V' => b"AEIOU",
        'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        'v' => b"aeiou",
        'c' => b"bcdfghjklmnpqrstvwxyz",
        'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        'n' => b"0123456789",
        'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword`: scrypt(N=32768, r=8, p=2) master key, HMAC-SHA256 site seed,
/// characters picked by template.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|params| {
            scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut seed_input = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    seed_input.extend_from_slice(&(site.len() as u32).to_be_bytes());
    seed_input.extend_from_slice(site.as_bytes());
    seed_input.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&seed_input);
    let seed = mac.finalize().into_bytes();
    let template = templates[seed[0] as usize % templates.len()];
    template
        .chars()
        .enumerate()
        .map(|(i, class)| {
            let chars = template_characters(class);
            chars[seed[i + 1] as usize % chars.len()] as char
        })
        .collect()
}

/// The key Sprig makes of a password: its bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let n = bytes.len().min(32);
    key[..n].copy_from_slice(&bytes[..n]);
    Aes256::new(&key.into())
}

fn encrypt_aes(password: &str, plaintext: &[u8]) -> String {
    if plaintext.is_empty() {
        return String::new();
    }
    let cipher = aes_key(password);
    let mut content = plaintext.to_vec();
    let padding = AES_BLOCK - content.len() % AES_BLOCK;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let mut out = vec![0u8; AES_BLOCK];
    rng().fill_bytes(&mut out);
    let mut previous: [u8; AES_BLOCK] = [0; AES_BLOCK];
    previous.copy_from_slice(&out);
    for chunk in content.chunks(AES_BLOCK) {
        let mut block = [0u8; AES_BLOCK];
        for i in 0..AES_BLOCK {
            block[i] = chunk[i] ^ previous[i];
        }
        let mut ga = block.into();
        cipher.encrypt_block(&mut ga);
        previous.copy_from_slice(&ga);
        out.extend_from_slice(&ga);
    }
    base64::encode(&out)
}

fn decrypt_aes(password: &str, encoded: &str) -> Result<Vec<u8>, String> {
    if encoded.is_empty() {
        return Ok(Vec::new());
    }
    let data = base64::decode(encoded).map_err(|e| e.to_string())?;
    if data.len() < AES_BLOCK {
        return Err(format!(
            "runtime error: slice bounds out of range [:{AES_BLOCK}] with capacity {}",
            data.len()
        ));
    }
    let (iv, body) = data.split_at(AES_BLOCK);
    if body.len() % AES_BLOCK != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let cipher = aes_key(password);
    let mut previous = iv.to_vec();
    let mut plain = Vec::with_capacity(body.len());
    for chunk in body.chunks(AES_BLOCK) {
        let mut block = [0u8; AES_BLOCK];
        block.copy_from_slice(chunk);
        let mut ga = block.into();
        cipher.decrypt_block(&mut ga);
        plain.extend(ga.iter().zip(&previous).map(|(b, p)| b ^ p));
        previous = chunk.to_vec();
    }
    let Some(&pad) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let keep = plain.len().checked_sub(pad as usize).ok_or_else(|| {
        format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - pad as i64
        )
    })?;
    plain.truncate(keep);
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_master_passwords() {
        assert_eq!(
            derive_password(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(derive_password(3, "pin", "secret", "alice", "host"), "5855");
        assert_eq!(
            derive_password(2, "name", "pw", "u", "s"),
            "cannot find password template name"
        );
    }

    #[test]
    fn aes_round_trips() {
        let sealed = encrypt_aes("secretkey", b"plaintext");
        assert_eq!(base64::decode(&sealed).unwrap().len(), 32);
        assert_eq!(decrypt_aes("secretkey", &sealed).unwrap(), b"plaintext");
        assert_eq!(encrypt_aes("k", b""), "");
        assert_eq!(
            decrypt_aes("k", "YWJj").unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
    }

    #[test]
    fn bcrypt_hashes_verify() {
        let hash = bcrypt("secret", KeySource::Fresh);
        assert!(hash.starts_with("$2a$10$"));
        assert_eq!(hash.len(), 60);
        assert!(bcrypt::verify("secret", &hash).unwrap());
    }

    #[test]
    fn a_scans_bcrypt_hashes_have_the_default_form_at_the_lowest_cost() {
        let hash = bcrypt("secret", KeySource::Pooled);
        assert!(hash.starts_with("$2a$10$"), "{hash}");
        assert_eq!(hash.len(), 60);
        assert!(!bcrypt::verify("secret", &hash).unwrap());
        let at_lowest_cost = format!("$2a$04${}", &hash[7..]);
        assert!(bcrypt::verify("secret", &at_lowest_cost).unwrap());
        assert_ne!(bcrypt("secret", KeySource::Pooled), hash);
    }
}
