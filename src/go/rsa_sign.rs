//! RSASSA-PKCS1-v1_5 signatures over SHA-256, as Go 1.25's `crypto/rsa.SignPKCS1v15`
//! (`crypto/internal/fips140/rsa/pkcs1v15.go`, and `rsa.go`'s `decrypt`) makes them for
//! `x509.CreateCertificate`:
//!
//! - the message's SHA-256 digest, behind its DigestInfo prefix, padded to the modulus's
//!   length as `0x00 0x01 0xff… 0x00 T`;
//! - raised to `d` by the Chinese remainder theorem: `m₁ = c^dP mod p`, `m₂ = c^dQ mod q`,
//!   and Garner's `m = m₂ + q·(qInv·(m₁ − m₂) mod p)`;
//! - then checked, as Go's `decrypt(…, withCheck)` does against faults: `m^e mod n` must give
//!   the padded digest back, or the signature is refused with Go's verification error.
//!
//! A PKCS#1 v1.5 signature is a function of the key and the message, so these are the bytes
//! the `rsa` crate gave before (tests compare); the exponentiations run on our own Montgomery
//! arithmetic ([`super::bigmod`]), several times faster than the crate's. The key's CRT values
//! are the ones the `rsa` crate precomputed when it made or read the key; a key without them
//! (primes that share a factor) is signed as the crate signs it, by `c^d mod n`.

use super::bigmod::{add_assign, be_bytes, limbs_from_be, product, Modulus, Scratch};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey};
use sha2::{Digest, Sha256};

/// The DER prefix of a SHA-256 DigestInfo, the digest's 32 bytes to follow.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Why a message could not be signed.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SignError {
    /// The modulus is too short for the padding and the DigestInfo.
    #[error("crypto/rsa: message too long for RSA key size")]
    MessageTooLong,
    /// The signature did not verify: the key's parts do not agree with one another.
    #[error("crypto/rsa: verification error")]
    Verification,
    /// A modulus of the key is even or 1, so there is no arithmetic modulo it.
    #[error("crypto/rsa: invalid modulus")]
    InvalidModulus,
    /// The modulus has fewer than 1024 bits, which Go 1.24 and later refuse to sign with
    /// (unless `GODEBUG=rsa1024min=0`, which Helm does not set).
    #[error(
        "crypto/rsa: {0}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
    )]
    InsecureKeySize(usize),
}

/// Go's fewest modulus bits for a signature (`crypto/rsa.checkKeySize`).
const MIN_KEY_BITS: usize = 1024;

/// The PKCS#1 v1.5 signature of `message`'s SHA-256 digest with `key`, as many bytes as the
/// modulus has: `crypto/rsa.SignPKCS1v15`, which refuses keys under 1024 bits first.
pub fn sign_pkcs1v15_sha256(key: &RsaPrivateKey, message: &[u8]) -> Result<Vec<u8>, SignError> {
    let bits = key.n().bits();
    if bits < MIN_KEY_BITS {
        return Err(SignError::InsecureKeySize(bits));
    }
    sign_any_size(key, message)
}

/// [`sign_pkcs1v15_sha256`] without the minimum key size: `crypto/internal/fips140/rsa`'s.
fn sign_any_size(key: &RsaPrivateKey, message: &[u8]) -> Result<Vec<u8>, SignError> {
    let size = key.size();
    let digest = Sha256::digest(message);
    let t_len = SHA256_DIGEST_INFO.len() + digest.len();
    // At least eight bytes of 0xff padding between 0x00 0x01 and 0x00 T.
    if size < t_len + 11 {
        return Err(SignError::MessageTooLong);
    }
    let mut em = vec![0xffu8; size];
    em[0] = 0;
    em[1] = 1;
    em[size - t_len - 1] = 0;
    em[size - t_len..size - digest.len()].copy_from_slice(&SHA256_DIGEST_INFO);
    em[size - digest.len()..].copy_from_slice(&digest);
    let c = limbs_from_be(&em);

    let n = Modulus::new(&limbs(key.n())).ok_or(SignError::InvalidModulus)?;
    let m = match crt_parts(key) {
        Some(parts) => parts.raise(&c),
        None => n.out_of_montgomery(&n.pow(&n.to_montgomery_wide(&c), &limbs(key.d()))),
    };
    let mut m_wide = m.clone();
    m_wide.resize(n.len(), 0);
    let check = n.out_of_montgomery(&n.pow(&n.to_montgomery(&m_wide), &limbs(key.e())));
    if be_bytes(&check, size) != em {
        return Err(SignError::Verification);
    }
    Ok(be_bytes(&m, size))
}

/// A two-prime key's moduli and CRT values.
struct CrtParts {
    p: Modulus,
    q: Modulus,
    /// `q`'s limbs, for Garner's product.
    q_limbs: Vec<u64>,
    d_p: Vec<u64>,
    d_q: Vec<u64>,
    /// `q⁻¹ mod p` in Montgomery form modulo `p`.
    q_inv: Vec<u64>,
}

/// The key's CRT parts, when it has two primes, both odd, and the `rsa` crate's CRT values.
fn crt_parts(key: &RsaPrivateKey) -> Option<CrtParts> {
    let [p, q] = key.primes() else {
        return None;
    };
    let q_inv = key.qinv()?.to_biguint()?;
    let (p, q_limbs) = (Modulus::new(&limbs(p))?, limbs(q));
    Some(CrtParts {
        q_inv: p.to_montgomery_wide(&limbs(&q_inv)),
        q: Modulus::new(&q_limbs)?,
        p,
        q_limbs,
        d_p: limbs(key.dp()?),
        d_q: limbs(key.dq()?),
    })
}

impl CrtParts {
    /// `c^d mod n` from `c^dP mod p` and `c^dQ mod q`.
    fn raise(&self, c: &[u64]) -> Vec<u64> {
        let m1 = self.p.pow(&self.p.to_montgomery_wide(c), &self.d_p);
        let m2 = self
            .q
            .out_of_montgomery(&self.q.pow(&self.q.to_montgomery_wide(c), &self.d_q));
        // h = qInv·(m₁ − m₂) mod p, in Montgomery form modulo p until the product.
        let difference = self.p.sub(&m1, &self.p.to_montgomery_wide(&m2));
        let mut h = vec![0u64; self.p.len()];
        let mut scratch = Scratch::new(self.p.len());
        self.p.mul(&mut h, &difference, &self.q_inv, &mut scratch);
        // m = m₂ + h·q < p·q, so the sum carries out of no limb.
        let mut m = product(&self.p.out_of_montgomery(&h), &self.q_limbs);
        add_assign(&mut m, &m2);
        m
    }
}

/// The little-endian limbs of a number.
fn limbs(x: &BigUint) -> Vec<u64> {
    limbs_from_be(&x.to_bytes_be())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::rsa_keygen::generate_key;
    use num_bigint_dig::ModInverse;
    use rand::rngs::StdRng;
    use rand::{Rng, RngCore, SeedableRng};
    use rsa::pkcs1v15::SigningKey;
    use rsa::signature::{SignatureEncoding, Signer};

    /// The `rsa` crate's signature, what certificates carried before.
    fn crate_signature(key: &RsaPrivateKey, message: &[u8]) -> Option<Vec<u8>> {
        let signer = SigningKey::<Sha256>::new(key.clone());
        signer.try_sign(message).ok().map(|s| s.to_vec())
    }

    fn random_message(rng: &mut StdRng) -> Vec<u8> {
        let mut message = vec![0u8; rng.random_range(0..300)];
        rng.fill_bytes(&mut message);
        message
    }

    fn assert_signs_as_the_crate(key: &RsaPrivateKey, rng: &mut StdRng, messages: usize) {
        for _ in 0..messages {
            let message = random_message(rng);
            let ours = sign_any_size(key, &message).unwrap();
            assert_eq!(ours.len(), key.size());
            assert_eq!(
                Some(ours),
                crate_signature(key, &message),
                "{} bits",
                key.n().bits()
            );
        }
    }

    /// Keys of the sizes Sprig makes (2048 and 4096 bits) and of odd sizes, whose primes
    /// differ in length and whose modulus fills its top limb or byte partly.
    #[test]
    fn signatures_are_the_rsa_crate_s() {
        let mut rng = StdRng::seed_from_u64(1);
        for bits in [
            512, 520, 1000, 1024, 1031, 1032, 1088, 1536, 2047, 2048, 2048, 2056,
        ] {
            let key = generate_key(&mut rng, bits, 2).unwrap();
            assert_signs_as_the_crate(&key, &mut rng, 12);
        }
        let key = generate_key(&mut rng, 4096, 2).unwrap();
        assert_signs_as_the_crate(&key, &mut rng, 4);
    }

    /// PEM keys may list the smaller prime first, so that `qInv` is taken modulo the smaller
    /// one; and a key without CRT values is signed by `c^d mod n`.
    #[test]
    fn keys_read_with_their_primes_swapped_or_without_crt_values() {
        let mut rng = StdRng::seed_from_u64(2);
        for bits in [768, 1025, 2048] {
            let key = generate_key(&mut rng, bits, 2).unwrap();
            let [p, q] = key.primes() else {
                panic!("two primes")
            };
            let swapped = RsaPrivateKey::from_components(
                key.n().clone(),
                key.e().clone(),
                key.d().clone(),
                vec![q.clone(), p.clone()],
            )
            .unwrap();
            assert_signs_as_the_crate(&swapped, &mut rng, 6);
            let mut plain = key.clone();
            plain.clear_precomputed();
            assert!(plain.qinv().is_none());
            assert_signs_as_the_crate(&plain, &mut rng, 3);
        }
    }

    /// A "prime" that is not one passes the `rsa` crate's checks (`n = p·q`,
    /// `d·e ≡ 1 mod p−1`) but gives signatures that do not verify: refused, as the crate
    /// refused them, rather than sent out wrong.
    #[test]
    fn a_signature_that_does_not_verify_is_refused() {
        let mut rng = StdRng::seed_from_u64(3);
        let key = loop {
            // p (520 bits) above q (512): the crate's CRT adds p to m₁ − m₂ while it is
            // negative, which takes 2^(bits(q) − bits(p)) additions.
            let halves = generate_key(&mut rng, 520, 1).unwrap();
            let p = &halves.primes()[0] * &halves.primes()[1];
            let q = generate_key(&mut rng, 1024, 1).unwrap().primes()[0].clone();
            let e = BigUint::from(65537u32);
            let phi = (&p - 1u8) * (&q - 1u8);
            let Some(d) = (&e).mod_inverse(&phi).and_then(|d| d.to_biguint()) else {
                continue;
            };
            break RsaPrivateKey::from_components(&p * &q, e, d, vec![p, q]).unwrap();
        };
        let message = random_message(&mut rng);
        assert_eq!(
            sign_pkcs1v15_sha256(&key, &message),
            Err(SignError::Verification)
        );
        assert!(crate_signature(&key, &message).is_none());
    }

    /// A PEM key may list a first prime far below the second: the `rsa` crate's CRT then
    /// adds `p` to `m₁ − m₂` about `q/p` times (for ever, in effect); ours reduces `m₂` mod
    /// `p` first. The signature verifies.
    #[test]
    fn a_first_prime_far_below_the_second() {
        let mut rng = StdRng::seed_from_u64(6);
        let small = generate_key(&mut rng, 512, 1).unwrap();
        let big = generate_key(&mut rng, 1536, 1).unwrap();
        let (p, q) = (small.primes()[1].clone(), big.primes()[0].clone());
        let e = BigUint::from(65537u32);
        let phi = (&p - 1u8) * (&q - 1u8);
        let d = (&e).mod_inverse(&phi).and_then(|d| d.to_biguint()).unwrap();
        let key = RsaPrivateKey::from_components(&p * &q, e, d, vec![p, q]).unwrap();
        let signature = sign_pkcs1v15_sha256(&key, b"tbs").unwrap();
        let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.to_public_key());
        let signature = rsa::pkcs1v15::Signature::try_from(&signature[..]).unwrap();
        assert!(rsa::signature::Verifier::verify(&verifier, b"tbs", &signature).is_ok());
    }

    #[test]
    fn keys_under_1024_bits_are_refused_as_go_refuses_them() {
        let mut rng = StdRng::seed_from_u64(5);
        let key = generate_key(&mut rng, 1023, 1).unwrap();
        let error = sign_pkcs1v15_sha256(&key, b"tbs").unwrap_err();
        assert_eq!(error, SignError::InsecureKeySize(1023));
        assert_eq!(
            error.to_string(),
            "crypto/rsa: 1023-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
        );
        assert!(sign_any_size(&key, b"tbs").is_ok());
        let key = generate_key(&mut rng, 1024, 1).unwrap();
        assert!(sign_pkcs1v15_sha256(&key, b"tbs").is_ok());
    }

    /// A 496-bit modulus holds the padding and DigestInfo with the eight bytes of 0xff
    /// PKCS#1 asks for; a shorter one does not.
    #[test]
    fn a_modulus_too_short_for_the_digest_is_refused() {
        let mut rng = StdRng::seed_from_u64(4);
        let key = generate_key(&mut rng, 488, 1).unwrap();
        assert_eq!(sign_any_size(&key, b"tbs"), Err(SignError::MessageTooLong));
        assert!(crate_signature(&key, b"tbs").is_none());
        let key = generate_key(&mut rng, 496, 1).unwrap();
        assert_signs_as_the_crate(&key, &mut rng, 4);
    }
}
