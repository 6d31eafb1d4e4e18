//! Ages as kubectl prints them, for the `primary-all` server's Table and the kubectl plugin.

use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// The age of an object created at `created`, at `now`, as kubectl's `AGE` column shows it
/// (`HumanDuration` of `k8s.io/apimachinery`): `45s`, `3m20s`, `2h5m`, `3d4h`, `400d`, `2y10d`.
///
/// ```
/// use k8s_openapi::jiff::Timestamp;
/// use kube_secondary::client::age::age;
///
/// let now: Timestamp = "2026-05-01T12:00:00Z".parse().unwrap();
/// assert_eq!(age("2026-05-01T11:56:40Z".parse().unwrap(), now), "3m20s");
/// assert_eq!(age("2026-04-28T08:00:00Z".parse().unwrap(), now), "3d4h");
/// ```
pub fn age(created: Timestamp, now: Timestamp) -> String {
    human(now.duration_since(created))
}

fn human(duration: SignedDuration) -> String {
    let seconds = duration.as_secs();
    // Clocks of machines differ: a second in the future is now, more is invalid.
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 2 * 60 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_rest(minutes, "m", seconds % 60, "s");
    }
    if minutes < 3 * 60 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return with_rest(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 8 * 24 {
        return with_rest(days, "d", hours % 24, "h");
    }
    if hours < 2 * 365 * 24 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 8 * 365 * 24 {
        return with_rest(years, "y", days % 365, "d");
    }
    format!("{years}y")
}

/// `3m20s`, or `3m` when the rest is zero.
fn with_rest(whole: i64, unit: &str, rest: i64, rest_unit: &str) -> String {
    if rest == 0 {
        format!("{whole}{unit}")
    } else {
        format!("{whole}{unit}{rest}{rest_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ago(seconds: i64) -> String {
        human(SignedDuration::from_secs(seconds))
    }

    #[test]
    fn each_range_as_kubectl_prints_it() {
        const MINUTE: i64 = 60;
        const HOUR: i64 = 60 * MINUTE;
        const DAY: i64 = 24 * HOUR;
        assert_eq!(ago(-5), "<invalid>");
        assert_eq!(ago(-1), "0s");
        assert_eq!(ago(0), "0s");
        assert_eq!(ago(119), "119s");
        assert_eq!(ago(2 * MINUTE), "2m");
        assert_eq!(ago(9 * MINUTE + 59), "9m59s");
        assert_eq!(ago(10 * MINUTE + 30), "10m");
        assert_eq!(ago(179 * MINUTE), "179m");
        assert_eq!(ago(3 * HOUR), "3h");
        assert_eq!(ago(7 * HOUR + 59 * MINUTE), "7h59m");
        assert_eq!(ago(47 * HOUR), "47h");
        assert_eq!(ago(2 * DAY), "2d");
        assert_eq!(ago(7 * DAY + 23 * HOUR), "7d23h");
        assert_eq!(ago(8 * DAY), "8d");
        assert_eq!(ago(729 * DAY), "729d");
        assert_eq!(ago(730 * DAY), "2y");
        assert_eq!(ago(3 * 365 * DAY + 10 * DAY), "3y10d");
        assert_eq!(ago(9 * 365 * DAY), "9y");
    }
}
