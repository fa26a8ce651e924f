//! Trial division of prime candidates by the small odd primes, before any Miller–Rabin test.
//! Go divides by the first 74 odd primes at once (a modular inverse of their product); the
//! rule is the same, a candidate with a small factor is not tested further, over more primes:
//! the fewer composites reach the exponentiations, the faster a prime is found, and which
//! primes are found does not change.
//!
//! The primes are grouped so each group's product fits in 32 bits. A candidate's residue
//! modulo a product is `Σ limbᵢ·(2^(64·i) mod product)`, summed in `u128` and reduced once;
//! each prime of the group then divides that residue when multiplying it by the prime's
//! inverse modulo 2³² lands at or below `(2³²−1)/p`.

/// The primes tried: all odd primes below this.
const LIMIT: u32 = 1 << 14;

/// The groups of small primes, with the powers of 2⁶⁴ for candidates of a given width.
#[derive(Debug)]
pub(crate) struct Sieve {
    groups: Vec<Group>,
}

#[derive(Debug)]
struct Group {
    product: u32,
    /// `2^(64·i) mod product` for each limb `i` of a candidate.
    powers: Vec<u64>,
    primes: Vec<SmallPrime>,
}

#[derive(Debug)]
struct SmallPrime {
    /// `p⁻¹ mod 2³²`.
    inverse: u32,
    /// `(2³²−1)/p`.
    limit: u32,
}

impl Sieve {
    /// The sieve for candidates of `limbs` 64-bit limbs.
    pub(crate) fn new(limbs: usize) -> Sieve {
        let mut groups: Vec<Group> = Vec::new();
        let mut current = Group {
            product: 1,
            powers: Vec::new(),
            primes: Vec::new(),
        };
        for p in odd_primes_below(LIMIT) {
            if u64::from(current.product) * u64::from(p) > u64::from(u32::MAX) {
                groups.push(std::mem::replace(
                    &mut current,
                    Group {
                        product: 1,
                        powers: Vec::new(),
                        primes: Vec::new(),
                    },
                ));
            }
            current.product *= p;
            current.primes.push(SmallPrime {
                inverse: inverse_mod_2_32(p),
                limit: u32::MAX / p,
            });
        }
        groups.push(current);
        for group in &mut groups {
            let product = u128::from(group.product);
            let mut power = 1u128 % product;
            group.powers = (0..limbs)
                .map(|_| {
                    let this = power as u64;
                    power = (power << 64) % product;
                    this
                })
                .collect();
        }
        Sieve { groups }
    }

    /// Whether one of the small primes divides `candidate` (little-endian limbs, as many as
    /// the sieve was made for). Meant for candidates above every small prime (2¹⁴), which a
    /// divisor then proves composite.
    pub(crate) fn has_small_factor(&self, candidate: &[u64]) -> bool {
        self.groups.iter().any(|group| {
            let sum: u128 = candidate
                .iter()
                .zip(&group.powers)
                .map(|(&limb, &power)| u128::from(limb) * u128::from(power))
                .sum();
            let residue = (sum % u128::from(group.product)) as u32;
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

/// `p⁻¹ mod 2³²` for odd `p`, by Newton's iteration (each step doubles the correct bits).
fn inverse_mod_2_32(p: u32) -> u32 {
    let mut inv = p;
    for _ in 0..4 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(p.wrapping_mul(inv)));
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_primes_are_the_odd_primes() {
        let primes = odd_primes_below(60);
        assert_eq!(
            primes,
            [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59]
        );
        assert_eq!(odd_primes_below(LIMIT).len(), 1899);
        for p in primes {
            assert_eq!(p.wrapping_mul(inverse_mod_2_32(p)), 1);
        }
    }

    #[test]
    fn finds_a_small_factor_in_any_limb() {
        let sieve = Sieve::new(3);
        // 2^128 + 1 = 59649589127497217 · 5704689200685129054721: no factor below 2^14.
        assert!(!sieve.has_small_factor(&[1, 0, 1]));
        // 2^64 + 1 = 274177 · 67280421310721: none either.
        assert!(!sieve.has_small_factor(&[1, 1, 0]));
        // 2^128 − 1 = 3 · 5 · 17 · 257 · 641 · 65537 · …
        assert!(sieve.has_small_factor(&[u64::MAX, u64::MAX, 0]));
        // 16381 (the largest prime below 2^14) · 2^128 + 16381.
        assert!(sieve.has_small_factor(&[16381, 0, 16381]));
        // 16411 (the smallest prime above 2^14) times 2^128 + 1's largest factor is free of
        // small factors but not prime: that is for Miller–Rabin.
        let big: u128 = 5_704_689_200_685_129_054_721 * 16411;
        assert!(!sieve.has_small_factor(&[big as u64, (big >> 64) as u64, 0]));
    }
}
