//! Access decisions remembered for a short while, so a burst of requests by one caller costs
//! one review per question; bounded so that many callers cannot grow it without limit.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Decisions by question, each kept for `ttl`.
#[derive(Debug)]
pub struct DecisionCache<K> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, bool)>>,
}

impl<K: Hash + Eq> DecisionCache<K> {
    /// Keeps up to `capacity` decisions, each for `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The decision on `question` made less than the TTL before `now`.
    pub fn get(&self, question: &K, now: Instant) -> Option<bool> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (decided, allowed) = entries.get(question)?;
        (now.duration_since(*decided) < self.ttl).then_some(*allowed)
    }

    /// Remembers `allowed` for `question`, decided at `now`. When full, expired decisions go
    /// first, then the oldest.
    pub fn insert(&self, question: K, allowed: bool, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&question) {
            entries.retain(|_, (decided, _)| now.duration_since(*decided) < self.ttl);
            if entries.len() >= self.capacity {
                let oldest = entries.iter().min_by_key(|(_, (decided, _))| *decided);
                let oldest = oldest.map(|(_, (decided, _))| *decided);
                entries.retain(|_, (decided, _)| Some(*decided) != oldest);
            }
        }
        entries.insert(question, (now, allowed));
    }

    /// How many decisions are kept.
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(10);

    #[test]
    fn a_decision_is_kept_for_the_ttl() {
        let cache = DecisionCache::new(TTL, 100);
        let start = Instant::now();
        assert_eq!(cache.get(&"alice gets orders", start), None);
        cache.insert("alice gets orders", true, start);
        cache.insert("bob gets orders", false, start);
        assert_eq!(
            cache.get(&"alice gets orders", start + Duration::from_secs(9)),
            Some(true)
        );
        assert_eq!(
            cache.get(&"bob gets orders", start + Duration::from_secs(9)),
            Some(false)
        );
        assert_eq!(cache.get(&"alice gets orders", start + TTL), None);
    }

    #[test]
    fn a_full_cache_drops_expired_then_oldest_decisions() {
        let cache = DecisionCache::new(TTL, 2);
        let start = Instant::now();
        cache.insert(1, true, start);
        cache.insert(2, true, start + Duration::from_secs(5));
        cache.insert(3, true, start + Duration::from_secs(6));
        assert_eq!(cache.len(), 2);
        let later = start + Duration::from_secs(6);
        assert_eq!(cache.get(&1, later), None, "the oldest went");
        assert_eq!(cache.get(&2, later), Some(true));

        cache.insert(4, false, start + Duration::from_secs(15));
        assert_eq!(cache.len(), 2, "2 expired and went; 3 stays");
        assert_eq!(cache.get(&3, start + Duration::from_secs(15)), Some(true));
    }
}
