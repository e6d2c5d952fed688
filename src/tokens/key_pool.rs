//! Signing keys made ahead of need, so an instance's first token never waits
//! for an RSA key generation on the request path (0.1–1 s each, several
//! seconds when a burst of new instances arrives at once).
//!
//! Why primes and not keys: an RSA-2048 key is two 1024-bit primes, and the
//! prime searches are all of its cost. The pool keeps primes, and every pair
//! of distinct primes is a key of its own (its own modulus, so its own `kid`
//! and JWKS): P primes give P·(P−1)/2 keys, and turning a pair into a key is
//! one modular inverse (about a millisecond). A burst of 200 new instances
//! costs about 20 prime searches instead of 400.
//!
//! The price, in the default [`Sharing::Pairs`]: two instances' moduli may
//! share a prime, and anyone holding both *public* keys can factor them (a
//! gcd). Tokens of one instance still never verify against another's JWKS;
//! but a mock reachable by people who should not mint its tokens wants
//! [`Sharing::None`] (`--independent-signing-keys`): each prime in one key
//! only, as a real key generation makes them, at the old cost.
//!
//! One background thread per kind of sharing (started by `clerk-mock serve`
//! once it listens, or by the first [`take`]) keeps [`Sharing::target`] keys
//! ready; [`take`] hands one out (and wakes the thread to replace what it
//! took); when none is ready, a burst larger than the pool degrades, never
//! fails: with pairs, the taker finds one prime inline and pairs it with a
//! pooled one; without, it generates a whole key. Every pair
//! is used once, so instances keep keys of their own. `--signing-key` skips
//! all this.
//!
//! ```
//! use clerk_mock::tokens::key_pool;
//! key_pool::start(key_pool::Sharing::Pairs); // at server start-up; idempotent
//! let pem = key_pool::take(key_pool::Sharing::Pairs).unwrap(); // a ready key, or one made now
//! assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
//! assert_ne!(key_pool::take(key_pool::Sharing::Pairs).unwrap(), pem, "never the same key twice");
//! ```

use std::sync::{Condvar, LazyLock, Mutex, Once};

use num_bigint_dig::RandPrime;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::LineEnding;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey};

use crate::error::ApiError;

/// The public exponent of every key (what `RsaPrivateKey::new` uses too).
const EXPONENT: u32 = 65_537;
/// Each prime's size: two of them make an RSA-2048 modulus.
const PRIME_BITS: usize = 1024;

/// Whether two keys from the pool may share a prime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Every unused pair of primes is a key: cheap keys, moduli that may
    /// share a factor (fine for tokens that only tests verify).
    Pairs,
    /// Each prime goes into one key only: independent keys, two prime
    /// searches each.
    None,
}

impl Sharing {
    /// Keys kept ready. With pairs, 17 primes give 136 keys (the prime
    /// searches of the 8 independent keys this pool used to keep), which
    /// covers a burst of 200 new instances while the thread adds more; with
    /// independent keys, enough for a few instances at once, few enough
    /// that a short-lived process does not spend seconds making them.
    pub fn target(self) -> usize {
        match self {
            Sharing::Pairs => 128,
            Sharing::None => 8,
        }
    }
}

/// The primes found so far and the pairs of them not yet handed out.
struct Stock {
    sharing: Sharing,
    primes: Vec<BigUint>,
    /// Indexes into `primes`; each pair becomes one key, once.
    pairs: Vec<(usize, usize)>,
    /// With [`Sharing::None`]: a prime waiting for its partner.
    unpaired: Option<usize>,
}

impl Stock {
    fn new(sharing: Sharing) -> Stock {
        Stock { sharing, primes: Vec::new(), pairs: Vec::new(), unpaired: None }
    }

    /// Adds a prime and the pairs it makes: with every earlier prime, or
    /// with the one waiting for a partner.
    fn add(&mut self, prime: BigUint) {
        if self.primes.contains(&prime) {
            return;
        }
        let new = self.primes.len();
        self.primes.push(prime);
        match self.sharing {
            Sharing::Pairs => self.pairs.extend((0..new).map(|earlier| (earlier, new))),
            Sharing::None => match self.unpaired.take() {
                Some(partner) => self.pairs.push((partner, new)),
                None => self.unpaired = Some(new),
            },
        }
    }

    /// The primes of an unused pair, the newest first.
    fn take_pair(&mut self) -> Option<Pair> {
        let (p, q) = self.pairs.pop()?;
        Some(Pair::Ready(self.primes[p].clone(), self.primes[q].clone()))
    }

    /// With every pair used and pairs allowed: the newest prime (and its
    /// index), for a partner the caller finds now.
    fn add_later(&self) -> Option<Pair> {
        match self.sharing {
            Sharing::Pairs => self.primes.last().map(|p| Pair::WithNewPrime(self.primes.len() - 1, p.clone())),
            Sharing::None => None,
        }
    }

    /// Adds the prime found for the prime at `partner`, without the pair
    /// the caller is making into a key.
    fn add_paired_with(&mut self, partner: usize, prime: BigUint) {
        let new = self.primes.len();
        self.add(prime);
        self.pairs.retain(|&pair| pair != (partner, new));
    }
}

/// What [`take`] gets from the stock.
enum Pair {
    Ready(BigUint, BigUint),
    /// A pooled prime's index and value.
    WithNewPrime(usize, BigUint),
}

struct Pool {
    stock: Mutex<Stock>,
    wanted: Condvar,
    started: Once,
}

/// One pool per kind of sharing, so one process can serve both (the tests
/// start servers of each kind side by side).
static POOLS: LazyLock<[Pool; 2]> = LazyLock::new(|| [Pool::new(Sharing::Pairs), Pool::new(Sharing::None)]);

impl Pool {
    fn new(sharing: Sharing) -> Pool {
        Pool {
            stock: Mutex::new(Stock::new(sharing)),
            wanted: Condvar::new(),
            started: Once::new(),
        }
    }

    fn of(sharing: Sharing) -> &'static Pool {
        &POOLS[match sharing {
            Sharing::Pairs => 0,
            Sharing::None => 1,
        }]
    }
}

/// Starts the filler thread of this kind of sharing (once per process).
pub fn start(sharing: Sharing) {
    let pool = Pool::of(sharing);
    pool.started.call_once(|| {
        let spawned = std::thread::Builder::new().name("signing-keys".into()).spawn(move || fill(pool));
        if let Err(e) = spawned {
            tracing::warn!("cannot start the signing-key pool ({e}); keys are generated on first use");
        }
    });
}

/// A key no one else got: from the pool, else generated now. Starts the
/// pool if the server did not (an in-process server), so later instances
/// find keys ready.
pub fn take(sharing: Sharing) -> Result<String, ApiError> {
    start(sharing);
    let pool = Pool::of(sharing);
    let pair = pool.stock.lock().ok().and_then(|mut stock| stock.take_pair().or_else(|| stock.add_later()));
    pool.wanted.notify_one();
    let key = match pair {
        Some(Pair::Ready(p, q)) => key_of_pair(p, q)?,
        // Every pair is used: one prime found now pairs with a pooled one
        // (half a key generation) and leaves its other pairs for the next.
        Some(Pair::WithNewPrime(partner, p)) => {
            let q = key_prime();
            if let Ok(mut stock) = pool.stock.lock() {
                stock.add_paired_with(partner, q.clone());
            }
            key_of_pair(p, q)?
        }
        None => return generate_pem(),
    };
    pem_of(&key)
}

/// Adds primes until the target's keys are ready, then sleeps until a key
/// is taken. Searches outside the lock, so [`take`] never waits for one.
fn fill(pool: &'static Pool) {
    loop {
        match pool.stock.lock() {
            Ok(mut stock) => {
                while stock.pairs.len() >= stock.sharing.target() {
                    stock = match pool.wanted.wait(stock) {
                        Ok(s) => s,
                        Err(_) => return,
                    };
                }
            }
            Err(_) => return,
        }
        let prime = key_prime();
        match pool.stock.lock() {
            Ok(mut stock) => stock.add(prime),
            Err(_) => return,
        }
    }
}

/// A 1024-bit prime `p` with `p − 1` coprime to the exponent (else no
/// private exponent exists). `gen_prime` sets the top two bits, so any two
/// such primes multiply to exactly 2048 bits.
fn key_prime() -> BigUint {
    let exponent = BigUint::from(EXPONENT);
    loop {
        let prime: BigUint = rsa::rand_core::OsRng.gen_prime(PRIME_BITS);
        if (&prime - 1u32) % &exponent != BigUint::from(0u32) {
            return prime;
        }
    }
}

/// The RSA-2048 key of two distinct primes (modulus, private exponent and
/// CRT values; `from_p_q` validates it).
fn key_of_pair(p: BigUint, q: BigUint) -> Result<RsaPrivateKey, ApiError> {
    let key = RsaPrivateKey::from_p_q(p, q, BigUint::from(EXPONENT)).map_err(generation_failed)?;
    if key.n().bits() != 2 * PRIME_BITS {
        return Err(ApiError::internal(format!("a pooled signing key has {} bits, not {}", key.n().bits(), 2 * PRIME_BITS)));
    }
    Ok(key)
}

fn pem_of(key: &RsaPrivateKey) -> Result<String, ApiError> {
    key.to_pkcs1_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| ApiError::internal(format!("encoding a signing key failed: {e}")))
}

fn generation_failed(e: rsa::Error) -> ApiError {
    ApiError::internal(format!("generating a signing key failed: {e}"))
}

/// A fresh RSA-2048 key as a PKCS#1 PEM, from two fresh primes (0.1–1 s;
/// never under the store lock).
pub fn generate_pem() -> Result<String, ApiError> {
    pem_of(&RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2 * PRIME_BITS).map_err(generation_failed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock(sharing: Sharing) -> Stock {
        Stock::new(sharing)
    }

    #[test]
    fn sharing_pairs_makes_a_key_of_every_pair_of_primes_once() {
        let mut s = stock(Sharing::Pairs);
        for p in [3u32, 5, 7, 11] {
            s.add(BigUint::from(p));
        }
        assert_eq!(s.pairs.len(), 4 * 3 / 2);
        let mut seen = std::collections::HashSet::new();
        while let Some(Pair::Ready(p, q)) = s.take_pair() {
            assert_ne!(p, q);
            assert!(seen.insert(&p * &q), "the modulus {} came twice", &p * &q);
        }
        assert_eq!(seen.len(), 6);
    }

    #[test]
    fn sharing_none_puts_each_prime_in_one_key() {
        let mut s = stock(Sharing::None);
        for p in [3u32, 5, 7, 11, 13] {
            s.add(BigUint::from(p));
        }
        assert_eq!(s.pairs, vec![(0, 1), (2, 3)]);
        assert_eq!(s.unpaired, Some(4), "the fifth prime waits for a partner");
    }

    #[test]
    fn with_every_pair_used_a_new_prime_pairs_with_the_newest_and_leaves_the_rest() {
        let mut s = stock(Sharing::Pairs);
        for p in [3u32, 5, 7] {
            s.add(BigUint::from(p));
        }
        while s.take_pair().is_some() {}
        let Some(Pair::WithNewPrime(partner, prime)) = s.add_later() else { panic!("pairs are allowed") };
        assert_eq!((partner, prime), (2, BigUint::from(7u32)));
        s.add_paired_with(partner, BigUint::from(11u32));
        assert_eq!(s.pairs, vec![(0, 3), (1, 3)], "7 × 11 is the caller's key, not the stock's");
        assert!(stock(Sharing::None).add_later().is_none());
    }

    #[test]
    fn a_prime_found_twice_adds_no_pair() {
        let mut s = stock(Sharing::Pairs);
        s.add(BigUint::from(3u32));
        s.add(BigUint::from(3u32));
        assert!(s.pairs.is_empty());
    }

    #[test]
    fn a_pair_of_pool_primes_is_a_valid_rsa_2048_key_that_signs_and_verifies() {
        let key = key_of_pair(key_prime(), key_prime()).unwrap();
        assert_eq!(key.n().bits(), 2048);
        let signing = crate::tokens::keys::SigningKey::from_pem(&pem_of(&key).unwrap()).unwrap();
        let jwt = signing.sign(&serde_json::json!({"sub": "user_1", "exp": 4102444800u64})).unwrap();
        assert_eq!(signing.verify(&jwt, true).unwrap()["sub"], "user_1");
    }
}
