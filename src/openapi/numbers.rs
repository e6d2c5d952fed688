//! JSON numbers that would not survive being stored.
//!
//! `serde_json` (without `arbitrary_precision`) keeps a number as an `i64`,
//! a `u64` or an `f64`. Anything else is silently rounded: `2^64` becomes
//! `18446744073709551616.0` and `0.1000000000000000000001` becomes `0.1`. A
//! mock that stored that and echoed it back would answer with a number the
//! client never sent, so such a number is refused instead (422,
//! `form_param_format_invalid`), naming where it is. Bounds a schema sets
//! (`format: int64`, `int32`, `minimum`) are the validator's job; this
//! module only answers "does this number come back as sent?".
//!
//! ```
//! use clerk_mock::openapi::numbers::{inexact_numbers, is_exact};
//! assert!(is_exact("9223372036854775807") && is_exact("18446744073709551615") && is_exact("0.1"));
//! assert!(!is_exact("18446744073709551616") && !is_exact("0.1000000000000000000001"));
//! let found = inexact_numbers(br#"{"amount": 1e-400, "items": [1, 36893488147419103232]}"#);
//! assert_eq!(found, vec![("amount".to_string(), "1e-400".to_string()), ("items.1".to_string(), "36893488147419103232".to_string())]);
//! ```

/// Whether a JSON number lexeme parses to a value that prints back as the
/// same number: an integer that fits `i64` or `u64`, or a decimal whose
/// value is exactly the `f64` it becomes. Not a JSON number → `false`.
pub fn is_exact(lexeme: &str) -> bool {
    let Some(decimal) = Decimal::parse(lexeme) else { return false };
    if decimal.integer_syntax {
        return lexeme.parse::<i64>().is_ok() || lexeme.parse::<u64>().is_ok();
    }
    match lexeme.parse::<f64>() {
        Ok(f) if f.is_finite() => Decimal::parse(&format!("{f:e}")).is_some_and(|stored| stored.same_value(&decimal)),
        _ => false,
    }
}

/// Every number of a (valid) JSON text that [`is_exact`] refuses, with its
/// dotted path as the validator names parameters (`items.1`, `amount`).
pub fn inexact_numbers(json: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(json);
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // One frame per open container: its path segment so far and, for an
    // array, the index of the next element.
    let mut path: Vec<Segment> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                path.push(Segment::Key(String::new()));
                i += 1;
            }
            b'[' => {
                path.push(Segment::Index(0));
                i += 1;
            }
            b'}' | b']' => {
                path.pop();
                i += 1;
            }
            b',' => {
                if let Some(Segment::Index(n)) = path.last_mut() {
                    *n += 1;
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                let after = bytes[end..].iter().position(|b| !b.is_ascii_whitespace()).map(|p| end + p);
                let is_key = matches!(path.last(), Some(Segment::Key(_))) && after.is_some_and(|a| bytes[a] == b':');
                if is_key {
                    let key = serde_json::from_str::<String>(&text[i..end]).unwrap_or_default();
                    if let Some(Segment::Key(k)) = path.last_mut() {
                        *k = key;
                    }
                }
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(bytes.len(), |p| i + p);
                let lexeme = &text[i..end];
                if !is_exact(lexeme) {
                    found.push((dotted(&path), lexeme.to_string()));
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    found
}

enum Segment {
    Key(String),
    Index(usize),
}

fn dotted(path: &[Segment]) -> String {
    path.iter()
        .map(|s| match s {
            Segment::Key(k) => k.clone(),
            Segment::Index(n) => n.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The index just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A decimal number as sign, significant digits and exponent:
/// value = ±0.d₁d₂… × 10^exponent. Zero has no digits.
#[derive(Debug, PartialEq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
    /// Written without a fraction or an exponent (`42`, not `42.0`).
    integer_syntax: bool,
}

impl Decimal {
    /// Parses JSON number syntax (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`),
    /// also Rust's `{:e}` output (`1.5e-7`), which is a subset of it.
    fn parse(lexeme: &str) -> Option<Decimal> {
        let (negative, rest) = match lexeme.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, lexeme),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (whole, fraction) = match mantissa.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (mantissa, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || (whole.len() > 1 && whole.starts_with('0')) || fraction.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        let exp_value: i64 = match exp {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if !all_digits(digits) {
                    return None;
                }
                // Exponents beyond any f64 saturate; they are inexact anyway.
                let magnitude: i64 = digits.parse().unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
                if e.starts_with('-') { -magnitude } else { magnitude }
            }
        };
        let fraction = fraction.unwrap_or("");
        let all = format!("{whole}{fraction}");
        let leading = all.len() - all.trim_start_matches('0').len();
        let significant = all.trim_matches('0');
        let exponent = whole.len() as i64 - leading as i64 + exp_value;
        Some(Decimal {
            negative: negative && !significant.is_empty(),
            digits: significant.to_string(),
            exponent: if significant.is_empty() { 0 } else { exponent },
            integer_syntax: fraction.is_empty() && exp.is_none(),
        })
    }

    fn same_value(&self, other: &Decimal) -> bool {
        self.negative == other.negative && self.digits == other.digits && self.exponent == other.exponent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_fit_when_an_i64_or_u64_holds_them() {
        for ok in ["0", "-1", "9223372036854775807", "-9223372036854775808", "18446744073709551615"] {
            assert!(is_exact(ok), "{ok}");
        }
        for bad in ["18446744073709551616", "-9223372036854775809", "100000000000000000000000"] {
            assert!(!is_exact(bad), "{bad}");
        }
    }

    #[test]
    fn decimals_fit_when_the_double_is_the_same_value() {
        for ok in ["0.1", "1.5", "1e2", "1E+2", "-0.0", "2.5e-3", "123456.789", "0.30000000000000004", "1.7976931348623157e308"] {
            assert!(is_exact(ok), "{ok}");
        }
        for bad in ["0.1000000000000000000001", "1e-400", "1e400", "3.141592653589793238462643383279", "9007199254740993.0"] {
            assert!(!is_exact(bad), "{bad}");
        }
    }

    #[test]
    fn what_is_not_a_json_number_is_not_exact() {
        for bad in ["", "+1", "01", "1.", ".5", "NaN", "inf", "1e", "--1", "0x10"] {
            assert!(!is_exact(bad), "{bad:?}");
        }
    }

    #[test]
    fn paths_name_keys_and_indexes_and_skip_strings() {
        let text = br#"{"a\"b": "1e999", "list": [0, {"deep": [7, 18446744073709551616]}], "z": 1e-999}"#;
        assert_eq!(
            inexact_numbers(text),
            vec![("list.1.deep.1".to_string(), "18446744073709551616".to_string()), ("z".to_string(), "1e-999".to_string())]
        );
        assert!(inexact_numbers(br#"[1, 2.5, {"k": -3}]"#).is_empty());
    }
}
