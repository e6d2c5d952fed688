//! RFC 3339 timestamps (`2024-05-01T12:00:00Z`, `…+02:00`, fractions) to unix
//! milliseconds, for Clerk's `created_at` / `legal_accepted_at` request fields.
//!
//! ```
//! use clerk_mock::resources::rfc3339::parse_ms;
//! assert_eq!(parse_ms("1970-01-02T00:00:00Z"), Some(86_400_000));
//! assert_eq!(parse_ms("2024-02-29T01:00:00.5+01:00"), Some(1_709_164_800_500));
//! assert_eq!(parse_ms("yesterday"), None);
//! ```

/// Unix ms of an RFC 3339 date-time, or `None` when it is not one.
pub fn parse_ms(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = t.split_at_checked(10)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let mut d = date.split('-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (clock, offset_minutes) = split_offset(rest)?;
    let (hms, fraction) = match clock.split_once('.') {
        Some((h, f)) => (h, f),
        None => (clock, ""),
    };
    let mut parts = hms.split(':');
    let hour: i64 = parts.next()?.parse().ok()?;
    let minute: i64 = parts.next()?.parse().ok()?;
    let second: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 || hms.len() != 8 {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{:0<3}", &fraction[..fraction.len().min(3)]).parse().ok()?;
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let at = rest.rfind(['+', '-'])?;
    let (clock, offset) = rest.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let (h, m) = offset[1..].split_once(':')?;
    Some((clock, sign * (h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_fractions_are_applied() {
        assert_eq!(parse_ms("2000-01-01T00:00:00Z"), Some(946_684_800_000));
        assert_eq!(parse_ms("2000-01-01T01:00:00+01:00"), Some(946_684_800_000));
        assert_eq!(parse_ms("1999-12-31T23:00:00.123-01:00"), Some(946_684_800_123));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(parse_ms("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_ms("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_ms("2024-01-01T25:00:00Z"), None);
        assert_eq!(parse_ms("2024-01-01"), None);
    }
}
