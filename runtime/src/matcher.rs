//! Placeholder until the matcher lands.

/// Where and how a cached object differs from the desired one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift(String);

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `drift` for typed objects.
pub fn drift_of<K: serde::Serialize>(desired: &K, cached: &K, manager: &str) -> Option<Drift> {
    let _ = (desired, cached, manager);
    Some(Drift("placeholder".into()))
}
