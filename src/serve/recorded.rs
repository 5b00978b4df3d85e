//! Decisions recorded under an `Idempotency-Key` header, so that a request sent again
//! (a retry after a timeout, a reload, Back and Forward, a second tab) is answered with
//! the decision that was recorded instead of being recorded a second time.
//!
//! The key is scoped to the rule set. The first request with a key decides and records;
//! one sent while it runs waits for it; one sent later gets the same answer. A key sent
//! with another body is refused (422): a key names one case. The service remembers the
//! last [`KEEP`] keys in memory only: after a restart a key is new again (the log is
//! not searched). Keys are never logged.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::sync::OnceCell;

/// How many keys are remembered; the oldest is forgotten first.
pub const KEEP: usize = 10_000;

/// The answer given to the first request with a key, and the body it came with.
#[derive(Debug, Clone)]
pub struct Stored {
    /// SHA-256 of the request body.
    pub body: [u8; 32],
    /// The decision as answered (JSON).
    pub answer: Bytes,
}

/// One slot per key: empty until the first request with it has been recorded.
pub type Slot = Arc<OnceCell<Stored>>;

/// The keys seen lately, oldest first.
#[derive(Debug, Default)]
pub struct Recorded {
    inner: Mutex<(HashMap<String, Slot>, VecDeque<String>)>,
}

impl Recorded {
    /// The slot of `key` in rule set `id`, made when it is new.
    pub fn slot(&self, id: &str, key: &str) -> Slot {
        let name = format!("{id}\n{key}");
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (slots, order) = &mut *guard;
        if let Some(slot) = slots.get(&name) {
            return Arc::clone(slot);
        }
        let slot = Slot::default();
        slots.insert(name.clone(), Arc::clone(&slot));
        order.push_back(name);
        while order.len() > KEEP {
            if let Some(old) = order.pop_front() {
                slots.remove(&old);
            }
        }
        slot
    }
}

/// A key as the header may carry it: 1 to 200 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_keys_are_forgotten_first() {
        let r = Recorded::default();
        let first = r.slot("x", "0");
        assert!(Arc::ptr_eq(&first, &r.slot("x", "0")));
        assert!(
            !Arc::ptr_eq(&first, &r.slot("y", "0")),
            "scoped to the rule set"
        );
        for i in 1..=KEEP {
            r.slot("x", &i.to_string());
        }
        assert!(!Arc::ptr_eq(&first, &r.slot("x", "0")), "forgotten");
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("wb1-0123abcd"));
        for bad in ["", "met spatie", "é", &"a".repeat(201)] {
            assert!(!valid_key(bad), "{bad}");
        }
    }
}
