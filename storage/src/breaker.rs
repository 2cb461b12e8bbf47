//! The database circuit breaker (issue 7 item 2: "requests fail fast with a
//! typed `UNAVAILABLE` error, no hang beyond the request timeout").
//!
//! After `threshold` consecutive connection-class failures (a pool acquire
//! timeout, a refused or broken connection, a failed probe) the breaker
//! *opens*: requests that need the database are answered `UNAVAILABLE` at
//! once without touching the pool, and requests caught on a connection that
//! hangs are answered too instead of waiting out the request timeout. While
//! open, a probe on its own connection runs every `probe_interval`; the
//! breaker is *half-open* while that probe is in flight, and *closes* when
//! the database answers it (or any statement succeeds).
//!
//! The state machine takes the time as an argument (tests drive it with
//! made-up instants); [`Breaker`] wraps it for the server with a watch
//! channel that in-flight requests wait on.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// How the breaker behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Consecutive connection-class failures that open the breaker; 0 turns
    /// the breaker off (it never opens).
    pub threshold: u32,
    /// How often the probe pings the database (while open, and while closed
    /// so that an outage without traffic is noticed too).
    pub probe_interval: Duration,
    /// How long a probe waits for the database's answer.
    pub probe_timeout: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            threshold: 3,
            probe_interval: Duration::from_millis(500),
            probe_timeout: Duration::from_secs(1),
        }
    }
}

/// Where the breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Requests go to the database.
    Closed,
    /// The database is taken for down: requests are refused at once.
    Open,
    /// A probe is testing the database; requests are still refused.
    HalfOpen,
}

impl BreakerState {
    /// The name `/readyz` reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// Whether requests must be refused.
    pub fn refuses(self) -> bool {
        self != BreakerState::Closed
    }
}

/// The pure state machine: no clock of its own, no locking.
#[derive(Debug, Clone)]
pub struct Machine {
    settings: BreakerSettings,
    state: BreakerState,
    consecutive: u32,
    /// When the breaker last opened (or a probe last failed).
    since: Option<Instant>,
}

impl Machine {
    /// A closed breaker.
    pub fn new(settings: BreakerSettings) -> Machine {
        Machine {
            settings,
            state: BreakerState::Closed,
            consecutive: 0,
            since: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Consecutive failures counted so far.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive
    }

    /// How long the breaker has been refusing requests at `now`.
    pub fn open_for(&self, now: Instant) -> Option<Duration> {
        match self.state {
            BreakerState::Closed => None,
            _ => self.since.map(|s| now.saturating_duration_since(s)),
        }
    }

    /// A connection-class failure at `now`; returns whether it opened the breaker.
    pub fn failure(&mut self, now: Instant) -> bool {
        self.consecutive = self.consecutive.saturating_add(1);
        match self.state {
            BreakerState::Closed
                if self.settings.threshold > 0 && self.consecutive >= self.settings.threshold =>
            {
                self.state = BreakerState::Open;
                self.since = Some(now);
                true
            }
            BreakerState::Closed | BreakerState::Open => false,
            // The probe failed: open again (still refusing since it opened).
            BreakerState::HalfOpen => {
                self.state = BreakerState::Open;
                false
            }
        }
    }

    /// The database answered; returns whether that closed the breaker.
    pub fn success(&mut self) -> bool {
        self.consecutive = 0;
        let was = self.state;
        self.state = BreakerState::Closed;
        self.since = None;
        was != BreakerState::Closed
    }

    /// Moves an open breaker to half-open for a probe; returns whether it did.
    pub fn begin_probe(&mut self) -> bool {
        if self.state == BreakerState::Open {
            self.state = BreakerState::HalfOpen;
            true
        } else {
            false
        }
    }
}

/// The breaker the server shares: the machine behind a lock, and a watch
/// channel that tells in-flight requests when it opens.
#[derive(Debug)]
pub struct Breaker {
    settings: BreakerSettings,
    machine: Mutex<Machine>,
    changes: watch::Sender<BreakerState>,
}

impl Breaker {
    /// A closed breaker with these settings.
    pub fn new(settings: BreakerSettings) -> Breaker {
        Breaker {
            settings,
            machine: Mutex::new(Machine::new(settings)),
            changes: watch::Sender::new(BreakerState::Closed),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> BreakerSettings {
        self.settings
    }

    /// Reads the machine without publishing anything.
    fn peek<T>(&self, f: impl FnOnce(&Machine) -> T) -> T {
        let m = match self.machine.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&m)
    }

    /// Changes the machine and publishes its state. Callers must not hold a
    /// `Ref` from [`Breaker::subscribe`]'s receiver (publishing takes the
    /// channel's write lock).
    fn with<T>(&self, f: impl FnOnce(&mut Machine) -> T) -> T {
        let mut m = match self.machine.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let out = f(&mut m);
        self.changes.send_if_modified(|s| {
            let changed = *s != m.state;
            *s = m.state;
            changed
        });
        out
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        *self.changes.borrow()
    }

    /// Whether a request may use the database now.
    pub fn allows(&self) -> bool {
        !self.state().refuses()
    }

    /// How long the breaker has been refusing requests.
    pub fn open_for(&self, now: Instant) -> Option<Duration> {
        self.peek(|m| m.open_for(now))
    }

    /// Records a connection-class failure.
    pub fn record_failure(&self, now: Instant) {
        if self.with(|m| m.failure(now)) {
            tracing::warn!(
                threshold = self.settings.threshold,
                "database circuit breaker opened: requests answer UNAVAILABLE until the database answers a probe"
            );
        }
    }

    /// Records that the database answered.
    pub fn record_success(&self) {
        // Most calls find the breaker closed with no failures: skip the lock's
        // write side effects then.
        if self.state() == BreakerState::Closed && self.peek(|m| m.consecutive) == 0 {
            return;
        }
        if self.with(Machine::success) {
            tracing::info!("database circuit breaker closed: the database answers again");
        }
    }

    /// Moves an open breaker to half-open before a probe.
    pub fn begin_probe(&self) -> bool {
        self.with(Machine::begin_probe)
    }

    /// A receiver that sees every change of state (in-flight requests wait
    /// on it to be answered when the breaker opens).
    pub fn subscribe(&self) -> watch::Receiver<BreakerState> {
        self.changes.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(threshold: u32) -> BreakerSettings {
        BreakerSettings {
            threshold,
            ..BreakerSettings::default()
        }
    }

    #[test]
    fn opens_after_the_threshold_of_consecutive_failures() {
        let t0 = Instant::now();
        let mut m = Machine::new(settings(3));
        assert!(!m.failure(t0));
        assert!(!m.failure(t0 + Duration::from_millis(10)));
        assert_eq!(m.state(), BreakerState::Closed);
        assert!(
            m.failure(t0 + Duration::from_millis(20)),
            "third failure opens"
        );
        assert_eq!(m.state(), BreakerState::Open);
        assert_eq!(
            m.open_for(t0 + Duration::from_millis(1020)),
            Some(Duration::from_secs(1))
        );
        // Further failures keep it open and do not move its opening time.
        assert!(!m.failure(t0 + Duration::from_secs(5)));
        assert_eq!(
            m.open_for(t0 + Duration::from_secs(6)),
            Some(Duration::from_millis(5980))
        );
    }

    #[test]
    fn a_success_between_failures_resets_the_count() {
        let t0 = Instant::now();
        let mut m = Machine::new(settings(3));
        m.failure(t0);
        m.failure(t0);
        assert!(!m.success(), "closed already: no transition");
        m.failure(t0);
        m.failure(t0);
        assert_eq!(m.state(), BreakerState::Closed);
        assert_eq!(m.consecutive_failures(), 2);
    }

    #[test]
    fn a_probe_half_opens_then_closes_or_reopens() {
        let t0 = Instant::now();
        let mut m = Machine::new(settings(1));
        assert!(!m.begin_probe(), "nothing to probe while closed");
        assert!(m.failure(t0));
        assert!(m.begin_probe());
        assert_eq!(m.state(), BreakerState::HalfOpen);
        assert!(m.state().refuses(), "half-open still refuses requests");
        // The probe fails: open again, still counted from the first opening.
        assert!(!m.failure(t0 + Duration::from_secs(2)));
        assert_eq!(m.state(), BreakerState::Open);
        assert_eq!(
            m.open_for(t0 + Duration::from_secs(3)),
            Some(Duration::from_secs(3))
        );
        // The next probe succeeds: closed, count reset.
        assert!(m.begin_probe());
        assert!(m.success());
        assert_eq!(m.state(), BreakerState::Closed);
        assert_eq!(m.open_for(t0 + Duration::from_secs(4)), None);
        assert_eq!(m.consecutive_failures(), 0);
    }

    #[test]
    fn threshold_zero_never_opens() {
        let t0 = Instant::now();
        let mut m = Machine::new(settings(0));
        for k in 0..100 {
            assert!(!m.failure(t0 + Duration::from_millis(k)));
        }
        assert_eq!(m.state(), BreakerState::Closed);
    }

    #[tokio::test]
    async fn waiters_see_the_breaker_open() {
        let b = Breaker::new(settings(2));
        let mut rx = b.subscribe();
        let t0 = Instant::now();
        b.record_failure(t0);
        assert!(b.allows());
        b.record_failure(t0);
        assert!(!b.allows());
        let seen = tokio::time::timeout(Duration::from_secs(1), rx.wait_for(|s| s.refuses()))
            .await
            .map(|r| r.map(|s| *s));
        assert!(matches!(seen, Ok(Ok(BreakerState::Open))), "{seen:?}");
        b.record_success();
        assert_eq!(b.state(), BreakerState::Closed);
    }
}
