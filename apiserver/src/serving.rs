//! How hard the server is to starve, and how it stops: the timeouts and limits of every
//! connection, the connection cap, certificate reloading, the shutdown sequence and how long a
//! failing watch may go before its kind is stale. The defaults are `k8s.io/apiserver`'s where
//! it has one (32 s to send headers, 90 s idle, 1 MiB of headers, 250 streams per connection).

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// The serving settings; in a YAML config, the `serving:` section, durations in seconds.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Serving {
    /// How long a client may take to finish its TLS handshake.
    #[serde(deserialize_with = "seconds")]
    pub handshake_timeout: Duration,
    /// How long a new connection may go without a complete request (and an HTTP/1.1
    /// connection between requests), as Go's `ReadHeaderTimeout`.
    #[serde(deserialize_with = "seconds")]
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in flight once it has sent one,
    /// as Go's `IdleTimeout`.
    #[serde(deserialize_with = "seconds")]
    pub idle_timeout: Duration,
    /// How often an HTTP/2 connection is pinged, so a peer that is gone is noticed.
    #[serde(deserialize_with = "seconds")]
    pub keepalive_interval: Duration,
    /// How long a ping may go unanswered before the connection is closed.
    #[serde(deserialize_with = "seconds")]
    pub keepalive_timeout: Duration,
    /// Concurrent requests (streams) on one HTTP/2 connection.
    pub max_concurrent_streams: u32,
    /// The size of a request's headers, as Go's `MaxHeaderBytes`: a user in many groups needs
    /// room for them.
    pub max_header_bytes: u32,
    /// Headers per HTTP/1.1 request.
    pub max_headers: usize,
    /// Connections open at once; more wait to be accepted until one closes.
    pub max_connections: usize,
    /// How often the serving certificate and key files are read for a new pair.
    #[serde(deserialize_with = "seconds")]
    pub cert_reload_interval: Duration,
    /// On shutdown, how long `/readyz` fails while requests are still served, so load
    /// balancers and the aggregator stop sending new ones first.
    #[serde(deserialize_with = "seconds")]
    pub shutdown_delay: Duration,
    /// Then how long in-flight requests may take to finish.
    #[serde(deserialize_with = "seconds")]
    pub drain_timeout: Duration,
    /// How long a kind's watch may keep failing before its kind is stale: an `error` on the
    /// kind in answers and `/readyz` failing.
    #[serde(deserialize_with = "seconds")]
    pub stale_after: Duration,
}

impl Default for Serving {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(32),
            idle_timeout: Duration::from_secs(90),
            keepalive_interval: Duration::from_secs(30),
            keepalive_timeout: Duration::from_secs(20),
            max_concurrent_streams: 250,
            max_header_bytes: 1 << 20,
            max_headers: 4096,
            max_connections: 2048,
            cert_reload_interval: Duration::from_secs(10),
            shutdown_delay: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(20),
            stale_after: Duration::from_secs(30),
        }
    }
}

/// A duration written as a number of seconds (`32`, `0.5`).
fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let seconds = f64::deserialize(deserializer)?;
    Duration::try_from_secs_f64(seconds).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_left_out_keep_their_defaults() {
        let serving: Serving =
            serde_yaml::from_str("header_read_timeout: 2\nidle_timeout: 0.5\n").unwrap();
        assert_eq!(serving.header_read_timeout, Duration::from_secs(2));
        assert_eq!(serving.idle_timeout, Duration::from_millis(500));
        assert_eq!(serving.max_header_bytes, 1 << 20);
        assert_eq!(
            serving.handshake_timeout,
            Serving::default().handshake_timeout
        );
    }

    #[test]
    fn negative_durations_and_unknown_keys_are_refused() {
        assert!(serde_yaml::from_str::<Serving>("idle_timeout: -1\n").is_err());
        assert!(serde_yaml::from_str::<Serving>("idle: 1\n").is_err());
    }
}
