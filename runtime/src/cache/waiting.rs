//! Primaries refused a child because another object controls its name, woken when that name
//! becomes free: the object is deleted, or no controller claims it any longer.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Mutex;

/// A primary by namespace and name.
pub(crate) type PrimaryName = (Option<String>, String);

/// Which primaries wait for which names (`Name` identifies an object of one kind).
pub(crate) struct Waiting<Name> {
    names: Mutex<HashMap<Name, HashSet<PrimaryName>>>,
}

impl<Name> Default for Waiting<Name> {
    fn default() -> Self {
        Self {
            names: Mutex::default(),
        }
    }
}

impl<Name: Eq + Hash> Waiting<Name> {
    /// `primary` waits for the object `name` to be free.
    pub(crate) fn wait(&self, name: Name, primary: PrimaryName) {
        let mut names = self.names.lock().expect("waiting lock poisoned");
        names.entry(name).or_default().insert(primary);
    }

    /// The primaries that wait for `name`, which is free now; they wait no more.
    pub(crate) fn freed(&self, name: &Name) -> Vec<PrimaryName> {
        let mut names = self.names.lock().expect("waiting lock poisoned");
        names.remove(name).into_iter().flatten().collect()
    }

    /// Whether any primary waits for a name (a cheap check on every event).
    pub(crate) fn is_empty(&self) -> bool {
        self.names.lock().expect("waiting lock poisoned").is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> (&'static str, String) {
        ("ConfigMap", name.to_string())
    }

    #[test]
    fn a_freed_name_wakes_each_waiting_primary_once() {
        let waiting = Waiting::default();
        waiting.wait(key("cfg"), (Some("ns".into()), "db".into()));
        waiting.wait(key("cfg"), (Some("ns".into()), "db".into()));
        waiting.wait(key("cfg"), (Some("ns".into()), "db2".into()));
        assert!(waiting.freed(&key("other")).is_empty());
        let mut woken = waiting.freed(&key("cfg"));
        woken.sort();
        assert_eq!(
            woken,
            vec![
                (Some("ns".into()), "db".into()),
                (Some("ns".into()), "db2".into())
            ]
        );
        assert!(waiting.freed(&key("cfg")).is_empty());
        assert!(waiting.is_empty());
    }
}
