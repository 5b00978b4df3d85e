//! Decisions recorded under an `Idempotency-Key` header, so that a request sent again
//! (a retry after a timeout, a reload, Back and Forward, a second tab) is answered with
//! the decision that was recorded instead of being recorded a second time.
//!
//! The key is scoped to the rule set. One request at a time holds a key's slot: the
//! first decides and records (to the end, also when its client has gone or its answer
//! comes after the deadline, so that the slot always says what the log holds); one sent
//! while it runs waits for it, until its own deadline; one sent later gets the same
//! answer. A key sent with another body is refused (422): a key names one case.
//!
//! The service remembers at most [`KEEP`] keys and [`BUDGET`] bytes of answers, in
//! memory only, forgetting the oldest first — never a key whose request is still
//! running. After a restart a key is new again (the log is not searched). Keys are never
//! logged.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;

/// How many keys are remembered at most.
pub const KEEP: usize = 10_000;
/// How many bytes of answers are remembered at most.
pub const BUDGET: usize = 32 * 1024 * 1024;

/// The answer given to the first request with a key, and the body it came with.
#[derive(Debug, Clone)]
pub struct Stored {
    /// SHA-256 of the request body.
    pub body: [u8; 32],
    /// The decision as answered (JSON).
    pub answer: Bytes,
}

/// One slot per key: `None` until a request with it has been recorded.
pub type Slot = Arc<tokio::sync::Mutex<Option<Stored>>>;

#[derive(Debug, Default)]
struct State {
    slots: HashMap<String, (Slot, usize)>,
    order: VecDeque<String>,
    bytes: usize,
}

/// The keys seen lately, oldest first.
#[derive(Debug, Default)]
pub struct Recorded {
    inner: Mutex<State>,
}

impl Recorded {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The slot of `key` in rule set `id`, made when it is new.
    pub fn slot(&self, id: &str, key: &str) -> Slot {
        let name = slot_name(id, key);
        let mut state = self.state();
        if let Some((slot, _)) = state.slots.get(&name) {
            return Arc::clone(slot);
        }
        let slot = Slot::default();
        state.slots.insert(name.clone(), (Arc::clone(&slot), 0));
        state.order.push_back(name);
        forget_oldest(&mut state);
        slot
    }

    /// Counts the answer now stored in the slot of `key` against the budget.
    pub fn stored(&self, id: &str, key: &str, bytes: usize) {
        let name = slot_name(id, key);
        let mut state = self.state();
        if let Some((_, size)) = state.slots.get_mut(&name) {
            let old = std::mem::replace(size, bytes);
            state.bytes = state.bytes - old + bytes;
        }
        forget_oldest(&mut state);
    }
}

/// A key is scoped to its rule set.
fn slot_name(id: &str, key: &str) -> String {
    format!("{id}\n{key}")
}

/// Forgets the oldest keys while there are too many or their answers take too much;
/// a key whose slot is in use (a request is running with it) is kept.
fn forget_oldest(state: &mut State) {
    let mut tries = state.order.len();
    while (state.order.len() > KEEP || state.bytes > BUDGET) && tries > 0 {
        tries -= 1;
        let Some(name) = state.order.pop_front() else {
            break;
        };
        let in_use = state
            .slots
            .get(&name)
            .is_some_and(|(slot, _)| Arc::strong_count(slot) > 1);
        if in_use {
            state.order.push_back(name);
        } else if let Some((_, size)) = state.slots.remove(&name) {
            state.bytes -= size;
        }
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
    fn the_oldest_keys_are_forgotten_first_but_not_while_in_use() {
        let r = Recorded::default();
        let first = r.slot("x", "0");
        assert!(Arc::ptr_eq(&first, &r.slot("x", "0")));
        assert!(
            !Arc::ptr_eq(&first, &r.slot("y", "0")),
            "scoped to the rule set"
        );
        for i in 1..=KEEP {
            drop(r.slot("x", &i.to_string()));
        }
        // Still held by a running request: kept.
        assert!(Arc::ptr_eq(&first, &r.slot("x", "0")));
        drop(first);
        for i in KEEP + 1..=2 * KEEP {
            drop(r.slot("x", &i.to_string()));
        }
        let again = r.slot("x", "0");
        assert!(again.try_lock().is_ok_and(|s| s.is_none()), "forgotten");
    }

    #[test]
    fn answers_are_remembered_within_the_budget() {
        let r = Recorded::default();
        for i in 0..100 {
            drop(r.slot("x", &i.to_string()));
            r.stored("x", &i.to_string(), BUDGET / 10);
        }
        let state = r.state();
        assert!(state.bytes <= BUDGET, "{}", state.bytes);
        assert!(state.slots.len() <= 10);
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("wb1-0123abcd"));
        for bad in ["", "met spatie", "é", &"a".repeat(201)] {
            assert!(!valid_key(bad), "{bad}");
        }
    }
}
