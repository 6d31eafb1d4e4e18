//! The duration grammar of `#[secondaries(resync = "...", periodic = "...")]`.

use std::time::Duration;

/// Parses `500ms`, `45s`, `30m`, `1h`, `2h30m`, `1d`: numbers each followed by a unit. Zero is
/// not a duration: a zero resync would reconcile in a loop.
pub fn parse(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit] {
            "ms" => {
                total = total.checked_add(Duration::from_millis(number))?;
                rest = &rest[unit..];
                continue;
            }
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => return None,
        };
        total = total.checked_add(Duration::from_secs(number.checked_mul(seconds)?))?;
        rest = &rest[unit..];
    }
    (!total.is_zero()).then_some(total)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::parse;

    #[test]
    fn durations() {
        assert_eq!(parse("2h30m"), Some(Duration::from_secs(9000)));
        assert_eq!(parse("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse("1d"), Some(Duration::from_secs(86400)));
        assert_eq!(parse("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse("0s"), None);
        assert_eq!(parse("30"), None);
        assert_eq!(parse("30 minutes"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("99999999999999999999h"), None);
    }
}
