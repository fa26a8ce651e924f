//! Arithmetic modulo an odd number of fixed width, in Montgomery form: the part of Go's
//! `crypto/internal/fips140/bigmod` that key generation's Miller–Rabin tests and RSA signing
//! run on.
//!
//! Numbers are little-endian `u64` limbs, as many as the modulus has; products go through
//! `u128`. A product is computed in full (schoolbook, or for a square each cross product once,
//! doubled) and then reduced limb by limb (Montgomery's REDC), so every result is fully
//! reduced and two numbers are equal exactly when their limbs are. Both go row by row, two
//! rows at a time. (Interleaving the two, column by column, measured 1.5× slower here: its
//! accumulators spill out of registers, and the compiler turns their carries into extra
//! moves and flag materialisations.)
//!
//! Unlike Go's, these routines are not constant-time: the sliding-window exponentiation skips
//! work on zero bits. Key generation only tests random candidates with them; the signatures
//! they make are of the keys a template generated or was given for its own output, signed
//! in a process nobody times, as the `rsa` crate's unblinded signatures before them were.

/// An odd modulus `m` > 1 with what Montgomery multiplication needs. With `n` limbs,
/// `R = 2^(64·n)`, and `x` in Montgomery form is `x·R mod m`.
#[derive(Debug, Clone)]
pub(crate) struct Modulus {
    limbs: Vec<u64>,
    /// `-m⁻¹ mod 2⁶⁴`.
    neg_inv: u64,
    /// `R mod m`: 1 in Montgomery form.
    one: Vec<u64>,
    /// `R² mod m`, which turns a number into Montgomery form.
    r2: Vec<u64>,
    /// `m − R mod m`: −1 in Montgomery form.
    minus_one: Vec<u64>,
}

impl Modulus {
    /// The modulus with these little-endian limbs (zero top limbs ignored); None when it is
    /// even or 1.
    pub(crate) fn new(limbs: &[u64]) -> Option<Modulus> {
        let len = limbs.iter().rposition(|&l| l != 0)? + 1;
        let limbs = limbs[..len].to_vec();
        if limbs[0] & 1 == 0 || (len == 1 && limbs[0] == 1) {
            return None;
        }
        // Newton's iteration doubles the correct low bits of the inverse each step: an odd
        // number is its own inverse modulo 8 (3 bits), so five steps reach 96 ≥ 64.
        let m0 = limbs[0];
        let mut inv = m0;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
        }
        let mut modulus = Modulus {
            neg_inv: inv.wrapping_neg(),
            one: Vec::new(),
            r2: Vec::new(),
            minus_one: Vec::new(),
            limbs,
        };
        modulus.one = modulus.r_mod_m();
        modulus.r2 = modulus.r_squared();
        modulus.minus_one = modulus.limbs.clone();
        sub_assign(&mut modulus.minus_one, &modulus.one);
        Some(modulus)
    }

    /// The number of limbs every operand and result has.
    pub(crate) fn len(&self) -> usize {
        self.limbs.len()
    }

    /// `R mod m`: from `2^(bits−1)`, which is below `m`, by doublings.
    fn r_mod_m(&self) -> Vec<u64> {
        let n = self.len();
        let bits = bit_len(&self.limbs);
        let mut x = vec![0u64; n];
        x[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
        for _ in bits - 1..64 * n {
            self.double(&mut x);
        }
        x
    }

    /// `R² mod m`, the Montgomery form of `R`. Doubling the Montgomery form of 1 `t` times
    /// gives that of `2^t`, and a Montgomery square turns that of `2^k` into that of `2^(2k)`;
    /// `64·n` is `t·2^s` with `t` = the odd part of `n`.
    fn r_squared(&self) -> Vec<u64> {
        let n = self.len();
        let s = 6 + n.trailing_zeros();
        let t = n >> n.trailing_zeros();
        let mut x = self.one.clone();
        for _ in 0..t {
            self.double(&mut x);
        }
        let mut scratch = Scratch::new(n);
        let mut y = vec![0u64; n];
        for _ in 0..s {
            self.square(&mut y, &x, &mut scratch);
            std::mem::swap(&mut x, &mut y);
        }
        x
    }

    /// `x ← 2x mod m`, for `x` < `m`.
    fn double(&self, x: &mut [u64]) {
        let mut carry = 0u64;
        for limb in x.iter_mut() {
            let next = *limb >> 63;
            *limb = (*limb << 1) | carry;
            carry = next;
        }
        if carry != 0 || !less(x, &self.limbs) {
            sub_assign(x, &self.limbs);
        }
    }

    /// 1 in Montgomery form.
    pub(crate) fn one(&self) -> &[u64] {
        &self.one
    }

    /// Whether `x` (Montgomery form) is `m − 1`.
    pub(crate) fn is_minus_one(&self, x: &[u64]) -> bool {
        x == self.minus_one.as_slice()
    }

    /// The Montgomery form of `x` (`len()` limbs, below `m`).
    pub(crate) fn to_montgomery(&self, x: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; self.len()];
        self.mul(&mut out, x, &self.r2, &mut Scratch::new(self.len()));
        out
    }

    /// The Montgomery form of `x`, a number of any length (below `m` or not): Horner's rule
    /// over its `len()`-limb chunks from the top, where taking a chunk in multiplies what is
    /// there by `R` (a Montgomery product with `R²`). A chunk is below `R`, and a Montgomery
    /// product of a number below `R` with one below `m` is fully reduced all the same.
    pub(crate) fn to_montgomery_wide(&self, x: &[u64]) -> Vec<u64> {
        let n = self.len();
        let mut scratch = Scratch::new(n);
        let mut acc = vec![0u64; n];
        let mut chunk = vec![0u64; n];
        let mut shifted = vec![0u64; n];
        for limbs in x.chunks(n).rev() {
            self.mul(&mut shifted, &acc, &self.r2, &mut scratch);
            chunk.fill(0);
            chunk[..limbs.len()].copy_from_slice(limbs);
            self.mul(&mut acc, &chunk, &self.r2, &mut scratch);
            self.add_mod(&mut acc, &shifted);
        }
        acc
    }

    /// `a ← a + b mod m`, for `a`, `b` < `m`.
    fn add_mod(&self, a: &mut [u64], b: &[u64]) {
        if add_assign(a, b) || !less(a, &self.limbs) {
            sub_assign(a, &self.limbs);
        }
    }

    /// `a − b mod m`, for `a`, `b` < `m` (in Montgomery form or not alike).
    pub(crate) fn sub(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut out = a.to_vec();
        if less(a, b) {
            // a − b + m, computed as a + (m − b) so no step leaves the range.
            let mut m_minus_b = self.limbs.clone();
            sub_assign(&mut m_minus_b, b);
            self.add_mod(&mut out, &m_minus_b);
        } else {
            sub_assign(&mut out, b);
        }
        out
    }

    /// The number whose Montgomery form is `x`.
    pub(crate) fn out_of_montgomery(&self, x: &[u64]) -> Vec<u64> {
        let mut one = vec![0u64; self.len()];
        one[0] = 1;
        let mut out = vec![0u64; self.len()];
        self.mul(&mut out, x, &one, &mut Scratch::new(self.len()));
        out
    }

    /// `out ← a·b/R mod m`, all in Montgomery form.
    pub(crate) fn mul(&self, out: &mut [u64], a: &[u64], b: &[u64], scratch: &mut Scratch) {
        // The usual widths (the primes of 2048- and 4096-bit keys) get code of their own,
        // their loops unrolled.
        match self.len() {
            16 => self.mul_width(16, out, a, b, &mut scratch.wide),
            32 => self.mul_width(32, out, a, b, &mut scratch.wide),
            n => self.mul_width(n, out, a, b, &mut scratch.wide),
        }
    }

    /// `out ← a²/R mod m`, in Montgomery form.
    pub(crate) fn square(&self, out: &mut [u64], a: &[u64], scratch: &mut Scratch) {
        match self.len() {
            16 => self.square_width(16, out, a, &mut scratch.wide),
            32 => self.square_width(32, out, a, &mut scratch.wide),
            n => self.square_width(n, out, a, &mut scratch.wide),
        }
    }

    #[inline(always)]
    fn mul_width(&self, n: usize, out: &mut [u64], a: &[u64], b: &[u64], t: &mut [u64]) {
        mul_wide(n, t, a, b);
        reduce(n, &self.limbs, self.neg_inv, out, t);
    }

    #[inline(always)]
    fn square_width(&self, n: usize, out: &mut [u64], a: &[u64], t: &mut [u64]) {
        square_wide(n, t, a);
        reduce(n, &self.limbs, self.neg_inv, out, t);
    }

    /// `2^exponent` in Montgomery form: a base whose powers need no multiplications, only
    /// squarings and, for each set bit, a doubling.
    pub(crate) fn pow_of_two(&self, exponent: &[u64]) -> Vec<u64> {
        let n = self.len();
        let mut scratch = Scratch::new(n);
        let mut acc = self.one.clone();
        let mut tmp = vec![0u64; n];
        for i in (0..bit_len(exponent)).rev() {
            self.square(&mut tmp, &acc, &mut scratch);
            std::mem::swap(&mut acc, &mut tmp);
            if bit(exponent, i) {
                self.double(&mut acc);
            }
        }
        acc
    }

    /// `base^exponent` with `base` and the result in Montgomery form and `exponent` as
    /// little-endian limbs, by left-to-right sliding windows over a table of odd powers.
    pub(crate) fn pow(&self, base: &[u64], exponent: &[u64]) -> Vec<u64> {
        let n = self.len();
        let bits = bit_len(exponent);
        if bits == 0 {
            return self.one.clone();
        }
        let window = window_bits(bits);
        let mut scratch = Scratch::new(n);
        // odd[k] = base^(2k+1).
        let mut odd = vec![base.to_vec()];
        let mut base_squared = vec![0u64; n];
        self.square(&mut base_squared, base, &mut scratch);
        for k in 1..1usize << (window - 1) {
            let mut next = vec![0u64; n];
            self.mul(&mut next, &odd[k - 1], &base_squared, &mut scratch);
            odd.push(next);
        }
        let mut acc: Option<Vec<u64>> = None;
        let mut tmp = vec![0u64; n];
        let mut i = bits;
        while i > 0 {
            let top = i - 1;
            if !bit(exponent, top) {
                if let Some(a) = acc.as_mut() {
                    self.square(&mut tmp, a, &mut scratch);
                    std::mem::swap(a, &mut tmp);
                }
                i -= 1;
                continue;
            }
            // The longest window [low, top] of at most `window` bits ending in a 1 bit.
            let mut low = top.saturating_sub(window - 1);
            while !bit(exponent, low) {
                low += 1;
            }
            let value = (low..=top)
                .rev()
                .fold(0usize, |v, b| (v << 1) | usize::from(bit(exponent, b)));
            match acc.as_mut() {
                None => acc = Some(odd[value >> 1].clone()),
                Some(a) => {
                    for _ in low..=top {
                        self.square(&mut tmp, a, &mut scratch);
                        std::mem::swap(a, &mut tmp);
                    }
                    self.mul(&mut tmp, a, &odd[value >> 1], &mut scratch);
                    std::mem::swap(a, &mut tmp);
                }
            }
            i = low;
        }
        acc.unwrap_or_else(|| self.one.clone())
    }
}

/// The double-width buffer a product is formed in before its reduction.
#[derive(Debug)]
pub(crate) struct Scratch {
    wide: Vec<u64>,
}

impl Scratch {
    pub(crate) fn new(limbs: usize) -> Scratch {
        Scratch {
            wide: vec![0u64; 2 * limbs],
        }
    }
}

/// The window width for an exponent of `bits` bits: wider windows cost a larger table of odd
/// powers and save multiplications, the balance OpenSSL's `BN_window_bits_for_exponent_size`
/// strikes.
fn window_bits(bits: usize) -> usize {
    match bits {
        672.. => 6,
        240.. => 5,
        80.. => 4,
        24.. => 3,
        _ => 1,
    }
}

/// `t + a·b + carry` as its low and high limbs (it always fits in 128 bits).
#[inline(always)]
fn mac(t: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let s = u128::from(a) * u128::from(b) + u128::from(t) + u128::from(carry);
    (s as u64, (s >> 64) as u64)
}

/// `t[j] += x0·y0[j] + x1·y1[j]` for every `j` (all three slices as long), where `c0` and
/// `c1` are the carries the two rows bring in; returns the carries they take out.
///
/// Two rows side by side have two independent carry chains, and each limb of `t` is loaded
/// and stored once for two products: 15% fewer instructions than one row at a time here.
/// The limbs go eight at a time so the compiler unrolls the loop.
#[inline(always)]
fn add_two_rows(
    t: &mut [u64],
    (x0, y0): (u64, &[u64]),
    (x1, y1): (u64, &[u64]),
    (mut c0, mut c1): (u64, u64),
) -> (u64, u64) {
    const UNROLL: usize = 8;
    let mut t_chunks = t.chunks_exact_mut(UNROLL);
    let mut y0_chunks = y0.chunks_exact(UNROLL);
    let mut y1_chunks = y1.chunks_exact(UNROLL);
    for ((t, y0), y1) in (&mut t_chunks).zip(&mut y0_chunks).zip(&mut y1_chunks) {
        for k in 0..UNROLL {
            let (s, carry) = mac(t[k], x0, y0[k], c0);
            c0 = carry;
            (t[k], c1) = mac(s, x1, y1[k], c1);
        }
    }
    let rest = t_chunks.into_remainder().iter_mut();
    for ((t, &y0), &y1) in rest.zip(y0_chunks.remainder()).zip(y1_chunks.remainder()) {
        let (s, carry) = mac(*t, x0, y0, c0);
        c0 = carry;
        (*t, c1) = mac(s, x1, y1, c1);
    }
    (c0, c1)
}

/// `t += x·y` for `t` and `y` as long; returns the carry out.
#[inline(always)]
fn add_row(t: &mut [u64], x: u64, y: &[u64]) -> u64 {
    let mut carry = 0u64;
    for (t, &y) in t.iter_mut().zip(y) {
        (*t, carry) = mac(*t, x, y, carry);
    }
    carry
}

/// `t ← a·b` for `n`-limb `a` and `b` (`t`: `2·n` limbs), two rows `a[i]·b` at a time.
#[inline(always)]
fn mul_wide(n: usize, t: &mut [u64], a: &[u64], b: &[u64]) {
    let (t, a, b) = (&mut t[..2 * n], &a[..n], &b[..n]);
    t.fill(0);
    let mut i = 0;
    while i + 1 < n {
        // Rows a[i]·b from column i and a[i+1]·b from column i+1; the columns from i+n+1
        // on are still zero.
        let row = &mut t[i..];
        let (s, c0) = mac(row[0], a[i], b[0], 0);
        row[0] = s;
        let (c0, c1) = add_two_rows(
            &mut row[1..n],
            (a[i], &b[1..]),
            (a[i + 1], &b[..n - 1]),
            (c0, 0),
        );
        let (s, c1) = mac(row[n], a[i + 1], b[n - 1], c1);
        let (s, overflow) = s.overflowing_add(c0);
        row[n] = s;
        // The product so far is below 2^(64·(i+2+n)), so this carry fits.
        row[n + 1] = c1 + u64::from(overflow);
        i += 2;
    }
    if i < n {
        t[i + n] = add_row(&mut t[i..i + n], a[i], b);
    }
}

/// `t ← a²` for an `n`-limb `a`: each cross product once (two rows at a time), doubled,
/// then the squares of the limbs added.
#[inline(always)]
fn square_wide(n: usize, t: &mut [u64], a: &[u64]) {
    let (t, a) = (&mut t[..2 * n], &a[..n]);
    t.fill(0);
    // Row i is a[i]·a[i+1..], from column 2i+1; row i+1 starts two columns further on.
    let mut i = 0;
    while i + 2 < n {
        let y = &a[i + 1..];
        let len = y.len();
        let row = &mut t[2 * i + 1..];
        let (s, c0) = mac(row[0], a[i], y[0], 0);
        row[0] = s;
        let (s, c0) = mac(row[1], a[i], y[1], c0);
        row[1] = s;
        let (c0, c1) = add_two_rows(
            &mut row[2..len],
            (a[i], &y[2..]),
            (a[i + 1], &y[1..len - 1]),
            (c0, 0),
        );
        let (s, c1) = mac(row[len], a[i + 1], y[len - 1], c1);
        let (s, overflow) = s.overflowing_add(c0);
        row[len] = s;
        row[len + 1] = c1 + u64::from(overflow);
        i += 2;
    }
    if i + 1 < n {
        t[i + n] = add_row(&mut t[2 * i + 1..i + n], a[i], &a[i + 1..]);
    }
    let mut shifted = 0u64;
    for limb in t.iter_mut() {
        let next = *limb >> 63;
        *limb = (*limb << 1) | shifted;
        shifted = next;
    }
    let mut carry = 0u64;
    for (i, &ai) in a.iter().enumerate() {
        let sq = u128::from(ai) * u128::from(ai);
        let lo = u128::from(t[2 * i]) + u128::from(sq as u64) + u128::from(carry);
        t[2 * i] = lo as u64;
        let hi = u128::from(t[2 * i + 1]) + (sq >> 64) + (lo >> 64);
        t[2 * i + 1] = hi as u64;
        carry = (hi >> 64) as u64;
    }
}

/// Montgomery reduction: `out ← t/R mod m` for an `n`-limb `m` and `t` < `m·R` (`2·n` limbs,
/// clobbered), `neg_inv` = `-m⁻¹ mod 2⁶⁴`. Each row adds the multiple `q·m` that clears the
/// lowest limb left, two rows at a time; the sum stays below `2·m·R`, so one subtraction at
/// the end fully reduces it.
#[inline(always)]
fn reduce(n: usize, m: &[u64], neg_inv: u64, out: &mut [u64], t: &mut [u64]) {
    let (m, out, t) = (&m[..n], &mut out[..n], &mut t[..2 * n]);
    // The carry out of the highest column the rows so far reached, for the next column.
    let mut top = 0u64;
    let mut i = 0;
    while i + 1 < n {
        let row = &mut t[i..];
        let q0 = row[0].wrapping_mul(neg_inv);
        let (_, c0) = mac(row[0], q0, m[0], 0);
        let (s, c0) = mac(row[1], q0, m[1], c0);
        // The second row's multiple clears column i+1 as the first row left it.
        let q1 = s.wrapping_mul(neg_inv);
        let (_, c1) = mac(s, q1, m[0], 0);
        let (c0, c1) = add_two_rows(&mut row[2..n], (q0, &m[2..]), (q1, &m[1..n - 1]), (c0, c1));
        let (s, c1) = mac(row[n], q1, m[n - 1], c1);
        let (s, overflow0) = s.overflowing_add(c0);
        let (s, overflow1) = s.overflowing_add(top);
        row[n] = s;
        let next =
            u128::from(row[n + 1]) + u128::from(c1) + u128::from(overflow0) + u128::from(overflow1);
        row[n + 1] = next as u64;
        top = (next >> 64) as u64;
        i += 2;
    }
    if i < n {
        let q = t[i].wrapping_mul(neg_inv);
        let carry = add_row(&mut t[i..i + n], q, m);
        let s = u128::from(t[i + n]) + u128::from(carry) + u128::from(top);
        t[i + n] = s as u64;
        top = (s >> 64) as u64;
    }
    out.copy_from_slice(&t[n..]);
    if top != 0 || !less(out, m) {
        sub_assign(out, m);
    }
}

/// Whether `a` < `b`, both of the same length.
fn less(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a ← a + b` modulo `2^(64·len)`, for `b` no longer than `a`; whether it carried out.
pub(crate) fn add_assign(a: &mut [u64], b: &[u64]) -> bool {
    let mut carry = false;
    for (i, x) in a.iter_mut().enumerate() {
        let (s1, c1) = x.overflowing_add(b.get(i).copied().unwrap_or(0));
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 || c2;
    }
    carry
}

/// `a ← a − b` modulo `2^(64·len)`.
fn sub_assign(a: &mut [u64], b: &[u64]) {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *x = d2;
        borrow = b1 || b2;
    }
}

/// The number of significant bits of little-endian limbs.
pub(crate) fn bit_len(x: &[u64]) -> usize {
    x.iter()
        .rposition(|&l| l != 0)
        .map_or(0, |i| 64 * i + 64 - x[i].leading_zeros() as usize)
}

/// `a·b` in full, `a.len() + b.len()` limbs.
pub(crate) fn product(a: &[u64], b: &[u64]) -> Vec<u64> {
    let n = a.len().max(b.len());
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    let len = a.len() + b.len();
    a.resize(n, 0);
    b.resize(n, 0);
    let mut t = vec![0u64; 2 * n];
    mul_wide(n, &mut t, &a, &b);
    t.truncate(len);
    t
}

/// Little-endian limbs of big-endian bytes.
pub(crate) fn limbs_from_be(bytes: &[u8]) -> Vec<u64> {
    bytes
        .rchunks(8)
        .map(|chunk| chunk.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
        .collect()
}

/// The `len` big-endian bytes of little-endian limbs, zeros in front (the limbs' value must
/// fit).
pub(crate) fn be_bytes(limbs: &[u64], len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    let le = limbs.iter().flat_map(|limb| limb.to_le_bytes());
    for (byte, value) in bytes.iter_mut().rev().zip(le) {
        *byte = value;
    }
    bytes
}

/// Bit `i` of little-endian limbs.
fn bit(x: &[u64], i: usize) -> bool {
    (x[i / 64] >> (i % 64)) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, RngCore, SeedableRng};
    use rsa::BigUint;

    fn big(limbs: &[u64]) -> BigUint {
        let bytes: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        BigUint::from_bytes_be(&bytes)
    }

    fn random_limbs(rng: &mut StdRng, n: usize) -> Vec<u64> {
        (0..n).map(|_| rng.next_u64()).collect()
    }

    /// A random odd modulus of `n` limbs, its top limb sometimes short, and a random number
    /// below it.
    fn random_case(rng: &mut StdRng, n: usize) -> (Modulus, Vec<u64>) {
        let mut m = random_limbs(rng, n);
        m[n - 1] >>= rng.random_range(0..63);
        m[n - 1] |= 1 << 63 >> rng.random_range(0..63);
        m[0] |= 1;
        let modulus = Modulus::new(&m).unwrap();
        let x = big(&random_limbs(rng, n)) % big(&m);
        (modulus, limbs_of(&x, n))
    }

    fn limbs_of(x: &BigUint, n: usize) -> Vec<u64> {
        let mut bytes = x.to_bytes_le();
        bytes.resize(8 * n, 0);
        bytes
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    const SIZES: [usize; 8] = [1, 2, 3, 5, 16, 17, 32, 64];

    #[test]
    fn montgomery_constants() {
        let mut rng = StdRng::seed_from_u64(1);
        for n in SIZES {
            let (modulus, _) = random_case(&mut rng, n);
            let m = big(&modulus.limbs);
            let r = BigUint::from(1u8) << (64 * n);
            assert_eq!(big(modulus.one()), &r % &m);
            assert_eq!(big(&modulus.r2), (&r * &r) % &m);
            assert_eq!(modulus.limbs[0].wrapping_mul(modulus.neg_inv), u64::MAX);
            let mut one = vec![0u64; n];
            one[0] = 1;
            assert_eq!(modulus.to_montgomery(&one), modulus.one());
        }
        assert!(Modulus::new(&[10, 3]).is_none());
        assert!(Modulus::new(&[1, 0]).is_none());
        assert!(Modulus::new(&[0, 0]).is_none());
        assert_eq!(Modulus::new(&[3, 0, 0]).unwrap().len(), 1);
    }

    #[test]
    fn products_and_squares_match_bigint_arithmetic() {
        let mut rng = StdRng::seed_from_u64(2);
        for n in SIZES {
            for _ in 0..20 {
                let (modulus, a) = random_case(&mut rng, n);
                let b = limbs_of(&(big(&random_limbs(&mut rng, n)) % big(&modulus.limbs)), n);
                let m = big(&modulus.limbs);
                let (am, bm) = (modulus.to_montgomery(&a), modulus.to_montgomery(&b));
                let mut scratch = Scratch::new(n);
                let mut out = vec![0u64; n];
                modulus.mul(&mut out, &am, &bm, &mut scratch);
                assert_eq!(
                    big(&modulus.out_of_montgomery(&out)),
                    big(&a) * big(&b) % &m
                );
                modulus.square(&mut out, &am, &mut scratch);
                assert_eq!(
                    big(&modulus.out_of_montgomery(&out)),
                    big(&a) * big(&a) % &m
                );
            }
        }
    }

    /// Operands at the top of the range make every carry of the two-row loops run: products
    /// and squares of `m − 1` and `m − 2`, for moduli of all-one limbs and of a lone top bit.
    #[test]
    fn carries_of_the_largest_operands() {
        for n in SIZES {
            let mut top_bit = vec![0u64; n];
            top_bit[0] = 1;
            top_bit[n - 1] |= 1 << 63;
            for m in [vec![u64::MAX; n], top_bit] {
                let modulus = Modulus::new(&m).unwrap();
                let big_m = big(&m);
                let a = limbs_of(&(&big_m - 1u8), n);
                let b = limbs_of(&(&big_m - 2u8), n);
                let (am, bm) = (modulus.to_montgomery(&a), modulus.to_montgomery(&b));
                let mut scratch = Scratch::new(n);
                let mut out = vec![0u64; n];
                for (x, y, xm, ym) in [(&a, &b, &am, &bm), (&b, &b, &bm, &bm)] {
                    modulus.mul(&mut out, xm, ym, &mut scratch);
                    let want = big(x) * big(y) % &big_m;
                    assert_eq!(big(&modulus.out_of_montgomery(&out)), want, "n = {n}");
                    modulus.square(&mut out, xm, &mut scratch);
                    let want = big(x) * big(x) % &big_m;
                    assert_eq!(big(&modulus.out_of_montgomery(&out)), want, "n = {n}");
                }
                // The unreduced product of all-one limbs, before any Montgomery reduction.
                let ones = vec![u64::MAX; n];
                let mut wide = vec![0u64; 2 * n];
                mul_wide(n, &mut wide, &ones, &ones);
                assert_eq!(big(&wide), big(&ones) * big(&ones));
                square_wide(n, &mut wide, &ones);
                assert_eq!(big(&wide), big(&ones) * big(&ones));
            }
        }
    }

    #[test]
    fn extreme_operands() {
        // m = 2^(64n) − 1 − 2^63·… : all-ones limbs (odd), operands m − 1.
        for n in SIZES {
            let m = vec![u64::MAX; n];
            let modulus = Modulus::new(&m).unwrap();
            let mut a = m.clone();
            a[0] -= 1;
            let am = modulus.to_montgomery(&a);
            let mut out = vec![0u64; n];
            let mut scratch = Scratch::new(n);
            modulus.square(&mut out, &am, &mut scratch);
            // (−1)² = 1
            assert_eq!(out, modulus.one());
            assert!(modulus.is_minus_one(&am));
        }
    }

    #[test]
    fn powers_match_bigint_modpow() {
        let mut rng = StdRng::seed_from_u64(3);
        for n in SIZES {
            for _ in 0..6 {
                let (modulus, a) = random_case(&mut rng, n);
                let m = big(&modulus.limbs);
                let am = modulus.to_montgomery(&a);
                let exponent_limbs = rng.random_range(1..=n);
                let mut exponent = random_limbs(&mut rng, exponent_limbs);
                exponent[exponent_limbs - 1] >>= rng.random_range(0..64);
                let got = modulus.out_of_montgomery(&modulus.pow(&am, &exponent));
                assert_eq!(big(&got), big(&a).modpow(&big(&exponent), &m));
            }
            let (modulus, a) = random_case(&mut rng, n);
            let am = modulus.to_montgomery(&a);
            for e in [0u64, 1, 2, 3, 0b1000_0001, 0xffff_ffff_ffff_ffff] {
                let got = modulus.out_of_montgomery(&modulus.pow(&am, &[e, 0]));
                let m = big(&modulus.limbs);
                assert_eq!(big(&got), big(&a).modpow(&BigUint::from(e), &m), "e = {e}");
            }
        }
    }

    #[test]
    fn powers_of_two_match_bigint_modpow() {
        let mut rng = StdRng::seed_from_u64(4);
        for n in SIZES {
            let (modulus, _) = random_case(&mut rng, n);
            let m = big(&modulus.limbs);
            for exponent in [vec![0u64], vec![1], vec![64], random_limbs(&mut rng, n)] {
                let got = modulus.out_of_montgomery(&modulus.pow_of_two(&exponent));
                assert_eq!(big(&got), BigUint::from(2u8).modpow(&big(&exponent), &m));
            }
        }
    }

    #[test]
    fn wide_numbers_reduce_into_montgomery_form() {
        let mut rng = StdRng::seed_from_u64(5);
        for n in SIZES {
            let (modulus, _) = random_case(&mut rng, n);
            let m = big(&modulus.limbs);
            for len in [0, 1, n - 1, n, n + 1, 2 * n, 3 * n + 1] {
                let x = random_limbs(&mut rng, len);
                let got = modulus.out_of_montgomery(&modulus.to_montgomery_wide(&x));
                assert_eq!(big(&got), big(&x) % &m, "n = {n}, {len} limbs");
            }
            // All-one limbs carry through every addition.
            let ones = vec![u64::MAX; 2 * n];
            let got = modulus.out_of_montgomery(&modulus.to_montgomery_wide(&ones));
            assert_eq!(big(&got), big(&ones) % &m);
        }
    }

    #[test]
    fn differences_wrap_around_the_modulus() {
        let mut rng = StdRng::seed_from_u64(6);
        for n in SIZES {
            let (modulus, a) = random_case(&mut rng, n);
            let b = limbs_of(&(big(&random_limbs(&mut rng, n)) % big(&modulus.limbs)), n);
            let m = big(&modulus.limbs);
            assert_eq!(big(&modulus.sub(&a, &b)), (&m + big(&a) - big(&b)) % &m);
            assert_eq!(big(&modulus.sub(&b, &a)), (&m + big(&b) - big(&a)) % &m);
            assert_eq!(big(&modulus.sub(&a, &a)), BigUint::from(0u8));
        }
    }

    #[test]
    fn full_products_of_unequal_lengths() {
        let mut rng = StdRng::seed_from_u64(7);
        for (a_len, b_len) in [(1, 1), (3, 5), (16, 15), (17, 32), (0, 4), (9, 1)] {
            let a = random_limbs(&mut rng, a_len);
            let b = random_limbs(&mut rng, b_len);
            let got = product(&a, &b);
            assert_eq!(got.len(), a_len + b_len);
            assert_eq!(big(&got), big(&a) * big(&b));
        }
    }

    #[test]
    fn byte_conversions() {
        assert_eq!(
            limbs_from_be(&[1, 2, 3, 4, 5, 6, 7, 8, 9]),
            [0x0203040506070809, 1]
        );
        assert_eq!(
            be_bytes(&[0x0203040506070809, 1], 9),
            [1, 2, 3, 4, 5, 6, 7, 8, 9]
        );
        assert_eq!(be_bytes(&[0x0102, 0], 4), [0, 0, 1, 2]);
        assert_eq!(be_bytes(&[], 2), [0, 0]);
    }

    #[test]
    fn window_widths_grow_with_the_exponent() {
        assert_eq!(window_bits(1), 1);
        assert_eq!(window_bits(64), 3);
        assert_eq!(window_bits(1023), 6);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1, 1 << 5]), 70);
    }
}
