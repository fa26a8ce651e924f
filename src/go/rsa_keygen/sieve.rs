//! Trial division of prime candidates by the small odd primes, before any Miller–Rabin test.
//! Go divides by the first 74 odd primes at once (a modular inverse of their product); the
//! rule is the same, a candidate with a small factor is not tested further, over more primes:
//! the fewer composites reach the exponentiations, the faster a prime is found, and which
//! primes are found does not change.
//!
//! How far to go depends on the candidate's width: a division costs in proportion to the
//! limbs, an exponentiation to their cube, so wider candidates are divided by more primes
//! ([`bound`]).
//!
//! The primes are grouped so each group's product is as large as a sum of the candidate's
//! limbs times numbers below it can be and still fit in 128 bits (2⁵⁹ for 32 limbs). A
//! candidate's residue modulo a product is `Σ limbᵢ·(2^(64·i) mod product)`, summed in `u128`
//! and reduced once; each prime of the group then divides that residue when multiplying it by
//! the prime's inverse modulo 2⁶⁴ lands at or below `(2⁶⁴−1)/p`.

/// The sieve for candidates of a given width: groups of small primes, with the powers of 2⁶⁴
/// modulo each group's product.
#[derive(Debug)]
pub(crate) struct Sieve {
    limbs: usize,
    groups: Vec<Group>,
    /// `2^(64·i) mod product` for each limb `i`, `limbs` of them per group, group after group.
    powers: Vec<u64>,
}

#[derive(Debug)]
struct Group {
    product: u64,
    primes: Vec<SmallPrime>,
}

#[derive(Debug)]
struct SmallPrime {
    /// `p⁻¹ mod 2⁶⁴`.
    inverse: u64,
    /// `(2⁶⁴−1)/p`.
    limit: u64,
}

/// The primes tried for candidates of `limbs` limbs: all odd primes below this. Including a
/// prime `p` pays while an exponentiation (∝ limbs³) costs more than `p` divisions (∝ limbs),
/// so the bound grows with the square of the width. The constant is measured: 2¹⁶ for the
/// 16 limbs of RSA-2048's primes and 2¹⁸ for the 32 of RSA-4096's cost the fewest
/// instructions (callgrind, seeded key sets), one power of two either way costs 1–10% more.
/// The floor is the bound all widths had before; the cap keeps the tables small (under 2 MB).
pub(crate) fn bound(limbs: usize) -> u32 {
    let scaled = (limbs * limbs).saturating_mul(1 << 8);
    scaled.clamp(1 << 14, 1 << 18) as u32
}

impl Sieve {
    /// The sieve for candidates of `limbs` 64-bit limbs.
    pub(crate) fn new(limbs: usize) -> Sieve {
        // A sum of `limbs` products limb·power, each below 2⁶⁴·product, fits in u128 (and a
        // product in u64: one limb alone would allow 2⁶⁴ + 1).
        let max_product = (u128::MAX / (limbs.max(1) as u128 * u128::from(u64::MAX)))
            .min(u128::from(u64::MAX)) as u64;
        let mut groups: Vec<Group> = Vec::new();
        for p in odd_primes_below(bound(limbs)) {
            let p64 = u64::from(p);
            let prime = SmallPrime {
                inverse: inverse_mod_2_64(p64),
                limit: u64::MAX / p64,
            };
            match groups.last_mut() {
                Some(group)
                    if u128::from(group.product) * u128::from(p64) <= u128::from(max_product) =>
                {
                    group.product *= p64;
                    group.primes.push(prime);
                }
                _ => groups.push(Group {
                    product: p64,
                    primes: vec![prime],
                }),
            }
        }
        let mut powers = Vec::with_capacity(groups.len() * limbs);
        for group in &groups {
            let product = u128::from(group.product);
            let mut power = 1u128 % product;
            for _ in 0..limbs {
                powers.push(power as u64);
                power = (power << 64) % product;
            }
        }
        Sieve {
            limbs,
            groups,
            powers,
        }
    }

    /// Whether one of the small primes divides `candidate` (little-endian limbs, as many as
    /// the sieve was made for). Meant for candidates above every small prime (2⁶³ and up),
    /// which a divisor then proves composite.
    pub(crate) fn has_small_factor(&self, candidate: &[u64]) -> bool {
        let candidate = &candidate[..self.limbs.min(candidate.len())];
        let powers = self.powers.chunks_exact(self.limbs);
        self.groups.iter().zip(powers).any(|(group, powers)| {
            let sum: u128 = candidate
                .iter()
                .zip(powers)
                .map(|(&limb, &power)| u128::from(limb) * u128::from(power))
                .sum();
            let residue = (sum % u128::from(group.product)) as u64;
            group
                .primes
                .iter()
                .any(|p| residue.wrapping_mul(p.inverse) <= p.limit)
        })
    }
}

/// The odd primes below `limit`, by Eratosthenes' sieve.
fn odd_primes_below(limit: u32) -> Vec<u32> {
    let limit = limit as usize;
    let mut composite = vec![false; limit];
    let mut primes = Vec::new();
    for i in (3..limit).step_by(2) {
        if composite[i] {
            continue;
        }
        primes.push(i as u32);
        for multiple in (i * i..limit).step_by(2 * i) {
            composite[multiple] = true;
        }
    }
    primes
}

/// `p⁻¹ mod 2⁶⁴` for odd `p`, by Newton's iteration: an odd number is its own inverse modulo
/// 8, and each step doubles the correct bits (3 → 96 in five).
fn inverse_mod_2_64(p: u64) -> u64 {
    let mut inv = p;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p.wrapping_mul(inv)));
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngCore, SeedableRng};

    #[test]
    fn small_primes_are_the_odd_primes() {
        let primes = odd_primes_below(60);
        assert_eq!(
            primes,
            [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59]
        );
        assert_eq!(odd_primes_below(1 << 14).len(), 1899);
        for p in odd_primes_below(1 << 18) {
            let p = u64::from(p);
            assert_eq!(p.wrapping_mul(inverse_mod_2_64(p)), 1);
        }
    }

    #[test]
    fn wider_candidates_are_divided_by_more_primes() {
        assert_eq!(bound(1), 1 << 14);
        assert_eq!(bound(16), 1 << 16);
        assert_eq!(bound(32), 1 << 18);
        assert_eq!(bound(64), 1 << 18);
        assert!((1..100).all(|limbs| bound(limbs) <= bound(limbs + 1)));
    }

    /// Whether an odd prime below the sieve's bound divides `x`, one prime at a time.
    fn divisible_by_a_small_prime(x: &[u64], limbs: usize) -> bool {
        odd_primes_below(bound(limbs)).into_iter().any(|p| {
            let p = u128::from(p);
            x.iter()
                .rev()
                .fold(0u128, |r, &l| ((r << 64) | u128::from(l)) % p)
                == 0
        })
    }

    #[test]
    fn one_limb_groups_still_share_primes() {
        // 3·5·7·…·53 is the first group's product for one limb (below 2⁶⁴).
        let sieve = Sieve::new(1);
        assert_eq!(sieve.groups[0].product, 16_294_579_238_595_022_365);
        assert_eq!(sieve.groups[0].primes.len(), 15);
    }

    #[test]
    fn agrees_with_one_division_at_a_time() {
        let mut rng = StdRng::seed_from_u64(3);
        for limbs in [1, 2, 3, 16, 17, 32, 64] {
            let sieve = Sieve::new(limbs);
            // Each group's sum is largest when every limb is all ones.
            let mut cases = vec![vec![u64::MAX; limbs]];
            cases.extend((0..40).map(|_| (0..limbs).map(|_| rng.next_u64() | 1).collect()));
            for x in cases {
                let want = divisible_by_a_small_prime(&x, limbs);
                assert_eq!(sieve.has_small_factor(&x), want, "{limbs} limbs: {x:x?}");
            }
            // Multiples of each prime, the first group's last and the next group's first
            // among them, are found whatever else they are made of.
            let primes = odd_primes_below(bound(limbs));
            for &p in primes.iter().take(40).chain(primes.last()) {
                let mut x: Vec<u64> = (0..limbs).map(|_| rng.next_u64()).collect();
                x[limbs - 1] >>= 20;
                let mut carry = 0u128;
                for limb in x.iter_mut() {
                    let v = u128::from(*limb) * u128::from(p) + carry;
                    *limb = v as u64;
                    carry = v >> 64;
                }
                assert!(sieve.has_small_factor(&x), "{limbs} limbs: {p} · …");
            }
        }
    }

    #[test]
    fn finds_a_small_factor_in_any_limb() {
        let sieve = Sieve::new(3);
        // 2^128 + 1 = 59649589127497217 · 5704689200685129054721: no factor below the bound.
        assert!(!sieve.has_small_factor(&[1, 0, 1]));
        // 2^64 + 1 = 274177 · 67280421310721: none either.
        assert!(!sieve.has_small_factor(&[1, 1, 0]));
        // 2^128 − 1 = 3 · 5 · 17 · 257 · 641 · 65537 · …
        assert!(sieve.has_small_factor(&[u64::MAX, u64::MAX, 0]));
        // The largest prime below the bound, times 2^128 + 1.
        let primes = odd_primes_below(bound(3));
        let largest = u64::from(*primes.last().unwrap());
        assert!(sieve.has_small_factor(&[largest, 0, largest]));
        // The smallest prime above the bound times 2^128 + 1's largest factor is free of
        // small factors but not prime: that is for Miller–Rabin.
        let above = (u128::from(largest) + 2..)
            .step_by(2)
            .find(|&n| {
                (3..n)
                    .step_by(2)
                    .take_while(|d| d * d <= n)
                    .all(|d| n % d != 0)
            })
            .unwrap();
        assert!(above > u128::from(bound(3)));
        let big: u128 = 5_704_689_200_685_129_054_721 * above;
        assert!(!sieve.has_small_factor(&[big as u64, (big >> 64) as u64, 0]));
    }
}
