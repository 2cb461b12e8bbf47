//! Turns of GraphQL operations (`limits.concurrent_operations`): at most
//! that many operations execute at once, the others wait in arrival order.
//!
//! On a saturated server an operation that shares the cores with every
//! other one finishes late, and the order in which they finish is left to
//! chance; one that waits its turn and then runs nearly alone finishes in
//! about its own time. The load benchmark's nested list at 16 clients on 2
//! cores: p99 46.0–58.8 ms over 7 runs with 4 turns against 62.1–67.3 ms
//! over 3 runs without, at the same throughput (benches/README.md).

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::metrics::Metrics;

/// The turns of one server.
pub struct Turns {
    slots: Arc<Semaphore>,
}

impl Turns {
    /// `limit` turns; 0 means twice the cores (an operation on the CPU and
    /// one waiting for the database, per core).
    pub fn new(limit: usize) -> Turns {
        let limit = match limit {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            n => n,
        };
        Turns {
            slots: Arc::new(Semaphore::new(limit)),
        }
    }

    /// The semaphore behind the turns (tests hold turns through it).
    pub fn slots(&self) -> &Arc<Semaphore> {
        &self.slots
    }

    /// Waits for a turn and hands it to `turn`, counting the wait in
    /// `metrics`. Tokio's semaphore is fair: turns are given in the order
    /// they were asked for.
    pub async fn take(&self, turn: &Turn, metrics: &Metrics) {
        let permit = {
            let _waiting = metrics.waiting();
            self.slots.clone().acquire_owned().await
        };
        // The semaphore is never closed.
        if let Ok(permit) = permit {
            *turn.lock() = Some(permit);
        }
    }
}

/// One operation's turn: held from when it is given until the answer is
/// serialized (that is the operation's CPU work too), unless given back
/// earlier.
#[derive(Default)]
pub struct Turn(Mutex<Option<OwnedSemaphorePermit>>);

impl Turn {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<OwnedSemaphorePermit>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives the turn back before the operation ends: for an operation that
    /// from now on mostly waits for another one's computation (a
    /// `statistics` request joining an identical one in flight), so that
    /// the waiting does not keep others from running.
    pub fn give_back(&self) {
        self.lock().take();
    }

    /// Whether the operation holds a turn.
    #[cfg(test)]
    fn held(&self) -> bool {
        self.lock().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_taken_held_and_given_back() {
        let metrics = Metrics::default();
        let turns = Turns::new(1);
        let slots = turns.slots().clone();
        let first = Turn::default();
        turns.take(&first, &metrics).await;
        assert!(first.held());
        assert_eq!(slots.available_permits(), 0);
        first.give_back();
        assert!(!first.held());
        assert_eq!(slots.available_permits(), 1);
        // Giving back twice gives back nothing more.
        first.give_back();
        assert_eq!(slots.available_permits(), 1);
        let second = Turn::default();
        turns.take(&second, &metrics).await;
        drop(second);
        assert_eq!(slots.available_permits(), 1, "a dropped turn is given back");
    }

    #[tokio::test]
    async fn the_default_is_twice_the_cores() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert_eq!(Turns::new(0).slots().available_permits(), 2 * cores);
        assert_eq!(Turns::new(3).slots().available_permits(), 3);
    }
}
