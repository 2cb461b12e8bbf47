//! The application's clock. Deadlines, overdue flags and reminders read the
//! time from here, never from `Utc::now()` directly, so that a test (or a
//! configured `clock.fixed_now`) can move time and watch them change.

use std::sync::RwLock;

use chrono::{DateTime, Duration, Utc};

/// The current time: the system clock, optionally shifted or frozen.
#[derive(Debug, Default)]
pub struct Clock {
    /// `None` = system time; `Some(t)` = frozen at `t`.
    fixed: RwLock<Option<DateTime<Utc>>>,
    /// Added to the system time when not frozen.
    offset: RwLock<Duration>,
}

impl Clock {
    /// A clock frozen at `now` when given, else the system clock.
    pub fn new(fixed: Option<DateTime<Utc>>) -> Clock {
        Clock {
            fixed: RwLock::new(fixed),
            offset: RwLock::new(Duration::zero()),
        }
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        let fixed = self.fixed.read().map(|f| *f).unwrap_or(None);
        match fixed {
            Some(t) => t,
            None => {
                Utc::now()
                    + self
                        .offset
                        .read()
                        .map(|o| *o)
                        .unwrap_or_else(|_| Duration::zero())
            }
        }
    }

    /// Freezes the clock at `t` (tests).
    pub fn set(&self, t: DateTime<Utc>) {
        if let Ok(mut f) = self.fixed.write() {
            *f = Some(t);
        }
    }

    /// Moves the clock by `by` (tests).
    pub fn advance(&self, by: Duration) {
        if let Ok(mut f) = self.fixed.write()
            && let Some(t) = f.as_mut()
        {
            *t += by;
            return;
        }
        if let Ok(mut o) = self.offset.write() {
            *o += by;
        }
    }
}
