//! RSA key generation, the cost behind Sprig's `genPrivateKey "rsa"` (4096 bits), `genCA`,
//! `genSelfSignedCert` and `genSignedCert` (2048 bits): ours (`go::rsa_keygen`) against the
//! `rsa` crate's `RsaPrivateKey::new`, which pkglens used before. A key's cost varies with how
//! many candidates its primes take, so each figure is a mean over many keys. The machine may
//! be shared, so the time measured is the CPU time of the benchmark's thread, not wall time.
//!
//! `KEYGEN_FIXED=BITS:COUNT[:THREADS]` instead makes `COUNT` keys of `BITS` bits from the
//! seeds 0..COUNT, their primes searched for on `THREADS` threads (1 by default), and prints a
//! digest of their moduli: the same work every run, for a stable
//! comparison of instruction counts (`valgrind --tool=callgrind`) across versions.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, Criterion};
use nix::sys::resource::{getrusage, UsageWho};
use pkglens::go::rsa_keygen::generate_key;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_chacha_03::rand_core::SeedableRng as _;
use rand_chacha_03::ChaCha20Rng;
use std::hint::black_box;
use std::time::Duration;

/// CPU time (user and system) of the calling thread, as criterion's measurement.
struct ThreadCpu;

fn thread_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_THREAD).expect("getrusage");
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    micros(usage.user_time()) + micros(usage.system_time())
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn keygen(c: &mut Criterion<ThreadCpu>) {
    let mut group = c.benchmark_group("rsa_keygen");
    for (bits, samples, seconds) in [(2048, 60, 20), (4096, 20, 60)] {
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(seconds));
        let mut rng = StdRng::seed_from_u64(1);
        group.bench_function(format!("pkglens_{bits}"), |b| {
            b.iter(|| black_box(generate_key(&mut rng, bits, 1).ok()))
        });
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        group.bench_function(format!("rsa_crate_{bits}"), |b| {
            b.iter(|| black_box(rsa::RsaPrivateKey::new(&mut rng, bits).ok()))
        });
    }
    group.finish();
}

/// The fixed set of keys `spec` (`BITS:COUNT[:THREADS]`) names, and a digest of their moduli
/// (the same for any number of threads).
fn fixed_keys(spec: &str) {
    let mut fields = spec.split(':').map(str::parse::<usize>);
    let (Some(Ok(bits)), Some(Ok(count)), threads) = (fields.next(), fields.next(), fields.next())
    else {
        panic!("KEYGEN_FIXED=BITS:COUNT[:THREADS]")
    };
    let threads = threads.and_then(Result::ok).unwrap_or(1);
    let mut digest = 0u64;
    for seed in 0..count as u64 {
        let key = generate_key(&mut StdRng::seed_from_u64(seed), bits, threads).expect("key");
        let n = rsa::traits::PublicKeyParts::n(&key).to_bytes_le();
        digest = n.chunks(8).fold(digest, |d, chunk| {
            let mut limb = [0u8; 8];
            limb[..chunk.len()].copy_from_slice(chunk);
            d.rotate_left(7) ^ u64::from_le_bytes(limb)
        });
    }
    println!("{count} keys of {bits} bits, moduli digest {digest:016x}");
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = keygen
}

fn main() {
    match std::env::var("KEYGEN_FIXED") {
        Ok(spec) => fixed_keys(&spec),
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
