//! Primaries refused a child because another object controls its name, woken when that name
//! becomes free: the object is deleted, or no controller claims it any longer.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Mutex;

use crate::cache::name::Name;

/// Which primaries wait for which objects (`Key` names an object of one kind).
pub(crate) struct Waiting<Key> {
    names: Mutex<HashMap<Key, HashSet<Name>>>,
}

impl<Key> Default for Waiting<Key> {
    fn default() -> Self {
        Self {
            names: Mutex::default(),
        }
    }
}

impl<Key: Eq + Hash> Waiting<Key> {
    /// `primary` waits for the object `name` to be free.
    pub(crate) fn wait(&self, name: Key, primary: Name) {
        let mut names = self.names.lock().expect("waiting lock poisoned");
        names.entry(name).or_default().insert(primary);
    }

    /// The primaries that wait for `name`, which is free now; they wait no more.
    pub(crate) fn freed(&self, name: &Key) -> Vec<Name> {
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
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::runtime::reflector::ObjectRef;

    use super::*;

    fn key(name: &str) -> (&'static str, String) {
        ("ConfigMap", name.to_string())
    }

    fn primary(name: &str) -> Name {
        Name::of(&ObjectRef::<ConfigMap>::new(name).within("ns"))
    }

    #[test]
    fn a_freed_name_wakes_each_waiting_primary_once() {
        let waiting = Waiting::default();
        waiting.wait(key("cfg"), primary("db"));
        waiting.wait(key("cfg"), primary("db"));
        waiting.wait(key("cfg"), primary("db2"));
        assert!(waiting.freed(&key("other")).is_empty());
        let mut woken: Vec<_> = waiting
            .freed(&key("cfg"))
            .iter()
            .map(|name| name.parts().1.to_string())
            .collect();
        woken.sort();
        assert_eq!(woken, ["db", "db2"]);
        assert!(waiting.freed(&key("cfg")).is_empty());
        assert!(waiting.is_empty());
    }
}
