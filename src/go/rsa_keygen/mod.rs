//! RSA key generation with the rules of Go 1.25's `crypto/rsa.GenerateKey`
//! (`crypto/internal/fips140/rsa/keygen.go`), which Sprig's `genPrivateKey "rsa"`, `genCA`,
//! `genSelfSignedCert` and `genSignedCert` call:
//!
//! - `p` has `⌈bits/2⌉` bits and `q` `⌊bits/2⌋`, each drawn afresh from random bytes with its
//!   top two bits set (so `n` has exactly `bits` bits) and its low bit set (ours searches on
//!   several threads at once, each candidate from a generator of its own, so that the prime
//!   found does not depend on the threads);
//! - a candidate is prime when no small prime divides it and it passes Miller–Rabin with
//!   random bases, as many rounds as BoringSSL's table gives for its size (the trial division
//!   goes further than Go's, and a base-2 round comes first: both only turn composites away
//!   sooner);
//! - `e` is 65537; a pair with `gcd(e, (p−1)(q−1)) ≠ 1` is drawn again, and
//!   `d = e⁻¹ mod (p−1)(q−1)`;
//! - FIPS 186-5's checks `|p − q| > 2^(bits/2 − 100)` and `d > 2^(bits/2)`, which fail with
//!   negligible probability, end in an error as Go's do.
//!
//! The arithmetic is ours ([`super::bigmod`]: Montgomery multiplication over fixed-width
//! limbs), the key is the `rsa` crate's, so its PKCS#1 encoding serves as before.

mod sieve;

use super::bigmod::{be_bytes, bit_len, limbs_from_be, Modulus, Scratch};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use rsa::traits::PrivateKeyParts;
use rsa::{BigUint, RsaPrivateKey};
use sieve::Sieve;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Go's public exponent.
const E: u64 = 65537;

/// A prime-search thread's stack: the search recurses nowhere.
const SEARCH_STACK: usize = 256 * 1024;

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum KeygenError {
    /// Fewer than 128 bits were asked for.
    #[error("rsa: key too small")]
    TooSmall,
    /// `p·q` came out with other than the bits asked for (the top bits make it impossible).
    #[error("rsa: internal error: modulus size incorrect")]
    ModulusSize,
    /// `|p − q|` ≤ `2^(bits/2 − 100)` (FIPS 186-5, A.1.3).
    #[error("crypto/rsa: p and q are too close")]
    PrimesTooClose,
    /// `d` ≤ `2^(bits/2)` (FIPS 186-5, A.1.1).
    #[error("crypto/rsa: d is too small")]
    ExponentTooSmall,
    /// The `rsa` crate refused the components.
    #[error("crypto/rsa: {0}")]
    Key(#[from] rsa::Error),
}

/// A new RSA key of `bits` bits (at least 128) from `rng`'s bytes, its primes searched for
/// on up to `threads` threads. The key depends on `rng` alone, never on the number of threads
/// or their speeds ([`random_prime`]), so a seeded render stays reproducible on any machine.
pub fn generate_key<R: RngCore + ?Sized>(
    rng: &mut R,
    bits: usize,
    threads: usize,
) -> Result<RsaPrivateKey, KeygenError> {
    if bits < 128 {
        return Err(KeygenError::TooSmall);
    }
    let (p_bits, q_bits) = (bits.div_ceil(2), bits / 2);
    // One sieve per width for the whole key: p and q share it when their limbs are as many
    // (always for RSA-2048 and RSA-4096), and a pair drawn again reuses it.
    let p_sieve = Sieve::new(p_bits.div_ceil(64));
    let q_sieve =
        (q_bits.div_ceil(64) != p_bits.div_ceil(64)).then(|| Sieve::new(q_bits.div_ceil(64)));
    let q_sieve = q_sieve.as_ref().unwrap_or(&p_sieve);
    loop {
        let p = random_prime(rng, p_bits, &p_sieve, threads);
        let q = random_prime(rng, q_bits, q_sieve, threads);
        // 65537 is prime, so it shares a factor with (p−1)(q−1) exactly when it divides one.
        if rem_small(&p, E) == 1 || rem_small(&q, E) == 1 {
            continue;
        }
        let (p, q) = (to_biguint(&p), to_biguint(&q));
        let n = &p * &q;
        if n.bits() != bits {
            return Err(KeygenError::ModulusSize);
        }
        let half = BigUint::from(1u8) << (bits / 2);
        let distance = if p > q { &p - &q } else { &q - &p };
        if distance <= BigUint::from(1u8) << (bits / 2).saturating_sub(100) {
            return Err(KeygenError::PrimesTooClose);
        }
        let key = RsaPrivateKey::from_primes(vec![p, q], BigUint::from(E))?;
        if *key.d() <= half {
            return Err(KeygenError::ExponentTooSmall);
        }
        return Ok(key);
    }
}

/// A random prime of exactly `bits` bits (at least 64), its two top bits set (FIPS 186-5,
/// Appendix A.1.3), searched for on up to `threads` threads. Candidates are numbered 0, 1, …
/// and candidate `k` is drawn (and tested, the Miller–Rabin bases too) from its own generator,
/// seeded from a seed `rng` gives and `k`; the threads take numbers in turn, and the prime
/// with the lowest number wins. Every number below it is taken and tested whatever the
/// timing, so the prime depends on `rng` alone; the threads waste at most the candidates
/// they hold when it is found. `sieve` is made for candidates of `bits.div_ceil(64)` limbs.
fn random_prime<R: RngCore + ?Sized>(
    rng: &mut R,
    bits: usize,
    sieve: &Sieve,
    threads: usize,
) -> Vec<u64> {
    let mut seed = <StdRng as SeedableRng>::Seed::default();
    rng.fill_bytes(&mut seed);
    let next_number = AtomicUsize::new(0);
    let lowest_prime = AtomicUsize::new(usize::MAX);
    let search = || -> Option<(usize, Vec<u64>)> {
        loop {
            let number = next_number.fetch_add(1, Ordering::Relaxed);
            if number >= lowest_prime.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(prime) = tested_candidate(&mut candidate_rng(seed, number), bits, sieve) {
                lowest_prime.fetch_min(number, Ordering::Relaxed);
                return Some((number, prime));
            }
        }
    };
    let found = std::thread::scope(|scope| {
        // A thread that cannot be started leaves its share to the others.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("rsa-prime-search".into())
                    .stack_size(SEARCH_STACK)
                    .spawn_scoped(scope, search)
                    .ok()
            })
            .collect();
        let mut found: Vec<_> = search().into_iter().collect();
        for helper in helpers {
            match helper.join() {
                Ok(helper_found) => found.extend(helper_found),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        found
    });
    // The current thread searches until a prime is known, so one always is.
    found
        .into_iter()
        .min_by_key(|(number, _)| *number)
        .map(|(_, prime)| prime)
        .unwrap_or_default()
}

/// The generator of candidate number `number` of a prime search seeded with `seed`.
fn candidate_rng(mut seed: <StdRng as SeedableRng>::Seed, number: usize) -> StdRng {
    for (byte, number_byte) in seed.iter_mut().zip(number.to_le_bytes()) {
        *byte ^= number_byte;
    }
    StdRng::from_seed(seed)
}

/// One candidate for [`random_prime`], drawn from `rng` and tested: the candidate when it
/// is probably prime.
fn tested_candidate<R: RngCore + ?Sized>(
    rng: &mut R,
    bits: usize,
    sieve: &Sieve,
) -> Option<Vec<u64>> {
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    let excess = bytes.len() * 8 - bits;
    rng.fill_bytes(&mut bytes);
    bytes[0] >>= excess;
    if excess < 7 {
        bytes[0] |= 0b1100_0000 >> excess;
    } else {
        bytes[0] |= 0b0000_0001;
        bytes[1] |= 0b1000_0000;
    }
    let last = bytes.len() - 1;
    bytes[last] |= 1;
    let candidate = limbs_from_be(&bytes);
    let prime = !sieve.has_small_factor(&candidate) && miller_rabin(rng, &candidate);
    prime.then_some(candidate)
}

/// The Miller–Rabin test of FIPS 186-5, Appendix B.3.1: whether `w` (little-endian limbs)
/// is probably prime, with bases drawn from `rng` as Go draws them: `bit_len(w)` random bits,
/// redrawn while not in [2, w−2]. Even numbers and 1 are not.
fn miller_rabin<R: RngCore + ?Sized>(rng: &mut R, w: &[u64]) -> bool {
    let Some(modulus) = Modulus::new(w) else {
        return false;
    };
    let w = &w[..modulus.len()];
    let bits = bit_len(w);
    if bits <= 2 {
        // 3, the one odd number below 4 but 1, has no base to try.
        return true;
    }
    // w − 1 = m·2^a with m odd.
    let mut w_minus_1 = w.to_vec();
    w_minus_1[0] -= 1;
    let a = trailing_zeros(&w_minus_1);
    let m = shift_right(&w_minus_1, a);
    let mut scratch = Scratch::new(modulus.len());
    // First a round of our own with base 2, whose powers cost only squarings: it turns away
    // most composites the sieve let through, more cheaply than a random base. A prime passes.
    if !passes(&modulus, modulus.pow_of_two(&m), a, &mut scratch) {
        return false;
    }
    let mut rounds = rounds(bits);
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    let excess = bytes.len() * 8 - bits;
    while rounds > 0 {
        rng.fill_bytes(&mut bytes);
        bytes[0] >>= excess;
        let mut base = limbs_from_be(&bytes);
        base.resize(modulus.len(), 0);
        if !in_base_range(&base, &w_minus_1) {
            continue;
        }
        let z = modulus.pow(&modulus.to_montgomery(&base), &m);
        if !passes(&modulus, z, a, &mut scratch) {
            return false;
        }
        rounds -= 1;
    }
    true
}

/// Whether a base passes one Miller–Rabin round, given `z` = `base^m` (Montgomery form) where
/// `w − 1 = m·2^a`: `z` is 1 or −1, or becomes −1 within `a − 1` squarings.
fn passes(modulus: &Modulus, mut z: Vec<u64>, a: usize, scratch: &mut Scratch) -> bool {
    if z == modulus.one() || modulus.is_minus_one(&z) {
        return true;
    }
    let mut next = vec![0u64; modulus.len()];
    for _ in 1..a {
        modulus.square(&mut next, &z, scratch);
        std::mem::swap(&mut z, &mut next);
        if modulus.is_minus_one(&z) {
            return true;
        }
        if z == modulus.one() {
            // Squaring 1 never gives −1 later.
            return false;
        }
    }
    false
}

/// Go's (BoringSSL's) number of Miller–Rabin rounds for a random candidate of `bits` bits.
fn rounds(bits: usize) -> usize {
    match bits {
        3747.. => 3,
        1345.. => 4,
        476.. => 5,
        400.. => 6,
        347.. => 7,
        308.. => 8,
        55.. => 27,
        _ => 34,
    }
}

/// Whether 1 < `b` < `w` − 1, given `w` − 1 (Miller–Rabin has it already).
fn in_base_range(b: &[u64], w_minus_1: &[u64]) -> bool {
    let above_one = b[0] > 1 || b[1..].iter().any(|&l| l != 0);
    above_one && b.iter().rev().cmp(w_minus_1.iter().rev()).is_lt()
}

/// `x mod d` for a small `d`.
fn rem_small(x: &[u64], d: u64) -> u64 {
    x.iter().rev().fold(0u64, |r, &limb| {
        ((u128::from(r) << 64 | u128::from(limb)) % u128::from(d)) as u64
    })
}

fn trailing_zeros(x: &[u64]) -> usize {
    x.iter()
        .position(|&l| l != 0)
        .map_or(0, |i| 64 * i + x[i].trailing_zeros() as usize)
}

fn shift_right(x: &[u64], shift: usize) -> Vec<u64> {
    let (limbs, bits) = (shift / 64, shift % 64);
    let rest = &x[limbs.min(x.len())..];
    (0..rest.len())
        .map(|i| {
            let lo = rest[i] >> bits;
            let hi = match (bits, rest.get(i + 1)) {
                (1.., Some(&next)) => next << (64 - bits),
                _ => 0,
            };
            lo | hi
        })
        .collect()
}

fn to_biguint(limbs: &[u64]) -> BigUint {
    BigUint::from_bytes_be(&be_bytes(limbs, 8 * limbs.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint_dig::prime::probably_prime;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rsa::traits::PublicKeyParts;

    fn limbs_of(x: &BigUint) -> Vec<u64> {
        limbs_from_be(&x.to_bytes_be())
    }

    fn parse(decimal: &str) -> Vec<u64> {
        limbs_of(&BigUint::parse_bytes(decimal.as_bytes(), 10).unwrap())
    }

    fn mersenne(k: usize) -> Vec<u64> {
        limbs_of(&((BigUint::from(1u8) << k) - 1u8))
    }

    #[test]
    fn miller_rabin_accepts_primes() {
        let mut rng = StdRng::seed_from_u64(7);
        for p in [
            5u64,
            7,
            13,
            65537,
            2_147_483_647,
            18_446_744_073_709_551_557,
        ] {
            assert!(miller_rabin(&mut rng, &[p]), "{p}");
        }
        for k in [61, 89, 107, 127, 521, 607, 1279, 2203] {
            assert!(miller_rabin(&mut rng, &mersenne(k)), "2^{k} − 1");
        }
        // 2^255 − 19 and 2^64 − 59 (the largest prime below 2^64) spread over limbs.
        let p25519 = limbs_of(&((BigUint::from(1u8) << 255) - 19u8));
        assert!(miller_rabin(&mut rng, &p25519));
        assert!(miller_rabin(&mut rng, &[u64::MAX - 58, 0, 0]));
        assert!(miller_rabin(&mut rng, &[3]));
    }

    #[test]
    fn miller_rabin_rejects_composites() {
        let mut rng = StdRng::seed_from_u64(8);
        // Carmichael numbers (Fermat liars for every coprime base), strong pseudoprimes to
        // base 2 and to bases 2, 3, 5, 7, and products of two large primes.
        let composites = [
            "561",
            "1105",
            "1729",
            "2047",
            "41041",
            "825265",
            "3215031751",
            "321197185",
            "5394826801",
            "232250619601",
            "9746347772161",
            "3825123056546413051",
            "318665857834031151167461",
        ];
        for c in composites {
            assert!(!miller_rabin(&mut rng, &parse(c)), "{c}");
        }
        for (a, b) in [(61, 89), (89, 127), (521, 607)] {
            let product = (BigUint::from(1u8) << a) - 1u8;
            let product = product * ((BigUint::from(1u8) << b) - 1u8);
            assert!(!miller_rabin(&mut rng, &limbs_of(&product)), "M{a}·M{b}");
        }
        // A prime's square, and even numbers and 1.
        let square = (BigUint::from(1u8) << 127) - 1u8;
        assert!(!miller_rabin(&mut rng, &limbs_of(&(&square * &square))));
        assert!(!miller_rabin(&mut rng, &[1]));
        assert!(!miller_rabin(&mut rng, &[4, 1]));
        assert!(!miller_rabin(&mut rng, &[0, 0]));
    }

    #[test]
    fn random_primes_follow_gos_shape() {
        let mut rng = StdRng::seed_from_u64(9);
        for bits in [64usize, 65, 71, 100, 512, 1024, 1025] {
            let sieve = Sieve::new(bits.div_ceil(64));
            let p = to_biguint(&random_prime(&mut rng, bits, &sieve, 2));
            assert_eq!(p.bits(), bits);
            // The top two bits are set.
            assert_eq!(&p >> (bits - 2), BigUint::from(3u8), "{bits}");
            assert!(probably_prime(&p, 20), "{bits}");
        }
    }

    /// The prime `random_prime` must find, searched one candidate at a time: the first
    /// prime among candidates 0, 1, … drawn from their own generators.
    fn lowest_numbered_prime(seed: u64, bits: usize) -> Vec<u64> {
        let mut search_seed = [0u8; 32];
        StdRng::seed_from_u64(seed).fill_bytes(&mut search_seed);
        let sieve = Sieve::new(bits.div_ceil(64));
        (0..)
            .find_map(|number| {
                tested_candidate(&mut candidate_rng(search_seed, number), bits, &sieve)
            })
            .unwrap()
    }

    #[test]
    fn the_prime_found_is_the_same_on_any_number_of_threads() {
        for (seed, bits) in [(1, 512), (2, 512), (3, 1024), (4, 1025)] {
            let expected = lowest_numbered_prime(seed, bits);
            let sieve = Sieve::new(bits.div_ceil(64));
            // Threads take numbers in another order each run; the prime must not change.
            for threads in [1, 2, 3, 4, 4, 8] {
                let mut rng = StdRng::seed_from_u64(seed);
                let prime = random_prime(&mut rng, bits, &sieve, threads);
                assert_eq!(prime, expected, "seed {seed}, {threads} threads");
            }
        }
    }

    #[test]
    fn candidates_draw_from_generators_of_their_own() {
        let seed = [7u8; 32];
        let draw = |number| candidate_rng(seed, number).next_u64();
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(0), draw(1));
        assert_ne!(draw(1), draw(256));
    }

    fn check_key(key: &RsaPrivateKey, bits: usize) {
        assert!(key.validate().is_ok());
        assert_eq!(key.n().bits(), bits);
        assert_eq!(*key.e(), BigUint::from(E));
        let [p, q] = key.primes() else {
            panic!("two primes")
        };
        assert_eq!(p.bits(), bits.div_ceil(2));
        assert_eq!(q.bits(), bits / 2);
        assert!(probably_prime(p, 20) && probably_prime(q, 20));
        // d is the inverse of e modulo φ(n), below φ(n), as Go computes it.
        let phi = (p - 1u8) * (q - 1u8);
        assert!(*key.d() < phi);
        assert_eq!((key.d() * key.e()) % &phi, BigUint::from(1u8));
    }

    #[test]
    fn keys_are_valid_and_of_the_size_asked() {
        let mut rng = StdRng::seed_from_u64(10);
        for bits in [128, 1031, 2048, 2048, 2048] {
            check_key(&generate_key(&mut rng, bits, 1).unwrap(), bits);
        }
        assert!(matches!(
            generate_key(&mut rng, 127, 1),
            Err(KeygenError::TooSmall)
        ));
    }

    #[test]
    fn a_4096_bit_key() {
        let mut rng = StdRng::seed_from_u64(11);
        check_key(&generate_key(&mut rng, 4096, 2).unwrap(), 4096);
    }

    #[test]
    fn same_seed_same_key_other_seed_other_key() {
        let a = generate_key(&mut StdRng::seed_from_u64(12), 1024, 1).unwrap();
        let b = generate_key(&mut StdRng::seed_from_u64(12), 1024, 3).unwrap();
        let c = generate_key(&mut StdRng::seed_from_u64(13), 1024, 1).unwrap();
        assert_eq!(a.n(), b.n());
        assert_ne!(a.n(), c.n());
    }

    #[test]
    fn rounds_follow_boringssl_table() {
        assert_eq!(rounds(1024), 5);
        assert_eq!(rounds(2048), 4);
        assert_eq!(rounds(4096), 3);
        assert_eq!(rounds(64), 27);
        assert_eq!(rounds(54), 34);
    }

    #[test]
    fn limb_helpers() {
        assert_eq!(shift_right(&[0, 1 << 3], 67), [1]);
        assert_eq!(shift_right(&[0b1100, 1], 2), [(1 << 62) | 0b11, 0]);
        assert_eq!(trailing_zeros(&[0, 8]), 67);
        assert_eq!(rem_small(&[5, 1], 7), (((1u128 << 64) + 5) % 7) as u64);
        assert!(in_base_range(&[2, 0], &[4, 0]));
        assert!(!in_base_range(&[1, 0], &[4, 0]));
        assert!(!in_base_range(&[4, 0], &[4, 0]));
        assert!(in_base_range(&[3, 0], &[4, 0]));
    }
}
