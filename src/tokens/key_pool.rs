//! Signing keys made ahead of need, so an instance's first token never waits
//! for an RSA key generation on the request path (0.1–1 s each, several
//! seconds when a burst of new instances arrives at once).
//!
//! One background thread per process (started by `clerk-mock serve` once
//! it listens, or by the first [`take`]) keeps [`TARGET`] fresh PKCS#1 PEMs
//! ready; [`take`] hands one out (and wakes the thread to replace it), or
//! generates inline when the pool is empty (a burst larger than the pool
//! degrades to today's behaviour, never fails). Every key is used once, so
//! instances keep keys of their own. `--signing-key` skips all this.
//!
//! ```
//! use clerk_mock::tokens::key_pool;
//! key_pool::start();                   // at server start-up; idempotent
//! let pem = key_pool::take().unwrap(); // a ready key, or one made now
//! assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
//! assert_ne!(key_pool::take().unwrap(), pem, "never the same key twice");
//! ```

use std::sync::{Condvar, LazyLock, Mutex, Once};

use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::LineEnding;
use rsa::RsaPrivateKey;

use crate::error::ApiError;

/// Keys kept ready: enough for a suite that opens a few instances at once,
/// few enough that a short-lived process does not spend seconds making them.
pub const TARGET: usize = 8;

struct Pool {
    ready: Mutex<Vec<String>>,
    wanted: Condvar,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| Pool { ready: Mutex::new(Vec::new()), wanted: Condvar::new() });
static STARTED: Once = Once::new();

/// Starts the filler thread (once per process).
pub fn start() {
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new().name("signing-keys".into()).spawn(fill);
        if let Err(e) = spawned {
            tracing::warn!("cannot start the signing-key pool ({e}); keys are generated on first use");
        }
    });
}

/// A key no one else got: from the pool, else generated now. Starts the
/// pool if the server did not (an in-process server), so later instances
/// find keys ready.
pub fn take() -> Result<String, ApiError> {
    start();
    let pooled = POOL.ready.lock().ok().and_then(|mut ready| ready.pop());
    POOL.wanted.notify_one();
    match pooled {
        Some(pem) => Ok(pem),
        None => generate_pem(),
    }
}

/// How many keys are ready now (for tests and the benchmark's log).
pub fn ready() -> usize {
    POOL.ready.lock().map(|r| r.len()).unwrap_or(0)
}

/// Tops the pool up to [`TARGET`], then sleeps until a key is taken.
fn fill() {
    loop {
        let missing = match POOL.ready.lock() {
            Ok(mut ready) => {
                while ready.len() >= TARGET {
                    ready = match POOL.wanted.wait(ready) {
                        Ok(r) => r,
                        Err(_) => return,
                    };
                }
                TARGET - ready.len()
            }
            Err(_) => return,
        };
        for _ in 0..missing {
            match generate_pem() {
                Ok(pem) => match POOL.ready.lock() {
                    Ok(mut ready) => ready.push(pem),
                    Err(_) => return,
                },
                Err(e) => {
                    tracing::warn!("the signing-key pool stops: {}", e.errors.first().map(|i| i.message.as_str()).unwrap_or("key generation failed"));
                    return;
                }
            }
        }
    }
}

/// A fresh RSA-2048 key as a PKCS#1 PEM (0.1–1 s; never under the store lock).
pub fn generate_pem() -> Result<String, ApiError> {
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| ApiError::internal(format!("generating a signing key failed: {e}")))?;
    key.to_pkcs1_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| ApiError::internal(format!("encoding a signing key failed: {e}")))
}
