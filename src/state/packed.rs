//! The stored form of an object: a JSON value packed into bytes, with
//! object keys interned process-wide.
//!
//! Why not plain JSON bytes: in a stored user more than half of the JSON is
//! keys (`"primary_web3_wallet_id":`, `"verification_attempts_remaining":`,
//! …), the same sixty in every user. Here a key the interner knows is one
//! byte (two past 128 keys), short strings and small integers carry their
//! length or value in their tag byte, and `null`/`true`/`false` are one byte,
//! so a user packs to well under half its JSON size — and decodes faster,
//! since nothing is scanned for quotes or escapes.
//!
//! Exactness: every `Value` comes back equal and in the same key order;
//! integers stay integers (u64 and i64 in full), decimals keep their f64 bits.
//!
//! The interner only grows: it holds keys of at most [`MAX_KEY`] bytes, and
//! at most [`MAX_KEYS`] of them (keys in user metadata are free-form); other
//! keys are written inline. Packed bytes therefore only mean something in
//! the process that wrote them, so they are never persisted: dumps and
//! `--data-dir` files are JSON made from the decoded values.
//!
//! ```
//! use clerk_mock::state::packed;
//! let user = serde_json::json!({"id": "user_1", "banned": false, "n": -3, "f": 0.5, "tags": ["a"], "x": null});
//! let bytes = packed::pack(&user);
//! assert!(bytes.len() < serde_json::to_vec(&user).unwrap().len());
//! assert_eq!(packed::unpack(&bytes), user);
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use parking_lot::RwLock;
use serde_json::{Map, Number, Value};

/// Keys longer than this are written inline, never interned.
pub const MAX_KEY: usize = 64;
/// The interner stops taking keys past this many.
pub const MAX_KEYS: usize = 1 << 16;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
/// A u64 as a varint.
const UINT: u8 = 3;
/// A negative i64 `n` as the varint of `!n`.
const NINT: u8 = 4;
/// An f64, 8 bytes little-endian.
const FLOAT: u8 = 5;
/// A string: varint length, then UTF-8.
const STR: u8 = 6;
/// An array: varint count, then the items.
const ARR: u8 = 7;
/// An object: varint count, then (key, value) pairs; a key is the varint
/// `id << 1` of an interned key, or `len << 1 | 1` and the key's UTF-8.
const OBJ: u8 = 8;
/// `SHORT_STR + len`: a string shorter than 64 bytes.
const SHORT_STR: u8 = 0x40;
/// `SMALL_UINT + n`: an integer below 128.
const SMALL_UINT: u8 = 0x80;

#[derive(Default)]
struct Keys {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

static KEYS: LazyLock<RwLock<Keys>> = LazyLock::new(Default::default);

/// `value` packed.
pub fn pack(value: &Value) -> Box<[u8]> {
    let mut out = Vec::with_capacity(256);
    let mut unknown = Vec::new();
    {
        let keys = KEYS.read();
        write(value, &keys, &mut unknown, &mut out);
    }
    if !unknown.is_empty() {
        // Interned for the next objects; this one keeps them inline.
        let mut keys = KEYS.write();
        for key in unknown {
            if keys.names.len() < MAX_KEYS && !keys.ids.contains_key(key) {
                let id = keys.names.len() as u32;
                keys.names.push(key.into());
                keys.ids.insert(key.into(), id);
            }
        }
    }
    out.into_boxed_slice()
}

/// The value `pack` was given.
pub fn unpack(bytes: &[u8]) -> Value {
    let keys = KEYS.read();
    let mut reader = Reader { bytes, at: 0, keys: &keys };
    reader.value()
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn write<'v>(value: &'v Value, keys: &Keys, unknown: &mut Vec<&'v str>, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if u < 0x80 {
                    out.push(SMALL_UINT + u as u8);
                } else {
                    out.push(UINT);
                    varint(u, out);
                }
            } else if let Some(i) = n.as_i64() {
                out.push(NINT);
                varint(!i as u64, out);
            } else {
                out.push(FLOAT);
                out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_le_bytes());
            }
        }
        Value::String(s) => {
            if s.len() < 0x40 {
                out.push(SHORT_STR + s.len() as u8);
            } else {
                out.push(STR);
                varint(s.len() as u64, out);
            }
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            out.push(ARR);
            varint(items.len() as u64, out);
            for item in items {
                write(item, keys, unknown, out);
            }
        }
        Value::Object(map) => {
            out.push(OBJ);
            varint(map.len() as u64, out);
            for (key, item) in map {
                match keys.ids.get(key.as_str()) {
                    Some(id) => varint(u64::from(*id) << 1, out),
                    None => {
                        if key.len() <= MAX_KEY && keys.names.len() < MAX_KEYS {
                            unknown.push(key);
                        }
                        varint((key.len() as u64) << 1 | 1, out);
                        out.extend_from_slice(key.as_bytes());
                    }
                }
                write(item, keys, unknown, out);
            }
        }
    }
}

/// Reads what `write` wrote; the bytes are always ours, so a malformed
/// byte is a bug and panics.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    keys: &'a Keys,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    fn varint(&mut self) -> u64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    fn text(&mut self, len: usize) -> String {
        let raw = &self.bytes[self.at..self.at + len];
        self.at += len;
        std::str::from_utf8(raw).expect("packed strings are UTF-8").to_string()
    }

    fn value(&mut self) -> Value {
        match self.byte() {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            UINT => Value::Number(self.varint().into()),
            NINT => Value::Number((!(self.varint() as i64)).into()),
            FLOAT => {
                let raw: [u8; 8] = self.bytes[self.at..self.at + 8].try_into().expect("eight bytes");
                self.at += 8;
                Value::Number(Number::from_f64(f64::from_le_bytes(raw)).expect("a stored f64 is finite"))
            }
            STR => {
                let len = self.varint() as usize;
                Value::String(self.text(len))
            }
            ARR => {
                let n = self.varint() as usize;
                Value::Array((0..n).map(|_| self.value()).collect())
            }
            OBJ => {
                let n = self.varint() as usize;
                let mut map = Map::with_capacity(n);
                for _ in 0..n {
                    let key = self.varint();
                    let key = if key & 1 == 0 { self.keys.names[(key >> 1) as usize].to_string() } else { self.text((key >> 1) as usize) };
                    let item = self.value();
                    map.insert(key, item);
                }
                Value::Object(map)
            }
            tag if tag >= SMALL_UINT => Value::Number(u64::from(tag - SMALL_UINT).into()),
            tag if tag >= SHORT_STR => Value::String(self.text((tag - SHORT_STR) as usize)),
            tag => panic!("unknown packed tag {tag}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    use serde_json::json;

    fn random(rng: &mut StdRng, depth: u32) -> Value {
        match rng.random_range(0..if depth > 3 { 7 } else { 9 }) {
            0 => Value::Null,
            1 => Value::Bool(rng.random()),
            2 => json!(rng.random::<u64>() >> rng.random_range(0..64)),
            3 => json!(-((rng.random::<u64>() >> rng.random_range(1..64)) as i64) - 1),
            4 => json!(rng.random::<f64>() * 10f64.powi(rng.random_range(-300..300))),
            5 | 6 => Value::String(["", "a", "é中😀", "\"\\\n", &"x".repeat(rng.random_range(0..200))][rng.random_range(0..5)].to_string()),
            7 => Value::Array((0..rng.random_range(0..5)).map(|_| random(rng, depth + 1)).collect()),
            _ => Value::Object(
                (0..rng.random_range(0..6))
                    .map(|i| {
                        let key = match rng.random_range(0..3) {
                            0 => format!("k{i}"),
                            1 => format!("key_{}", rng.random_range(0..1000)),
                            _ => "long".repeat(rng.random_range(10..30)),
                        };
                        (key, random(rng, depth + 1))
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn every_value_comes_back_equal_with_its_key_order() {
        for seed in 0..300 {
            let mut rng = StdRng::seed_from_u64(seed);
            let value = random(&mut rng, 0);
            let back = unpack(&pack(&value));
            assert_eq!(back, value, "seed {seed}");
            assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&value).unwrap(), "seed {seed}: same order, same number forms");
        }
    }

    #[test]
    fn edge_numbers_keep_their_kind() {
        let value = json!([0, 127, 128, u64::MAX, -1, i64::MIN, 0.0, -0.0, 1.5, 1e300, 5e-324]);
        let back = unpack(&pack(&value));
        assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&value).unwrap());
        assert!(back[0].is_u64() && back[6].is_f64() && back[5].is_i64());
    }

    #[test]
    fn a_key_seen_once_is_a_byte_or_two_the_next_time() {
        let value = json!({"a_key_only_this_test_uses": 1});
        let first = pack(&value);
        let second = pack(&value);
        assert!(second.len() < first.len() && second.len() <= 5, "{first:?} → {second:?}");
        assert_eq!(unpack(&first), unpack(&second));
    }
}
