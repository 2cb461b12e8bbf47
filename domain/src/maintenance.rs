//! Planned maintenance of a service (000 §12): announced by the owner or the
//! operator at least 3 working days ahead, inside the default window (21:00
//! to 06:00 Asia/Almaty, or a day off) unless a reason for working hours is
//! given. Instants are UTC; the rules are evaluated in Asia/Almaty local time.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use crate::DomainError;
use crate::calendar::{WorkingCalendar, local_date, local_midnight_utc};
use crate::error::text_field;

/// Working days between the announcement and the start.
pub const NOTICE_WORKING_DAYS: u32 = 3;
/// Longest window, in hours.
pub const MAX_HOURS: i64 = 72;
/// The default window's working-day daytime, local hours [06:00, 21:00).
pub const DAY_START_HOUR: i64 = 6;
/// When the default (night) window opens.
pub const DAY_END_HOUR: i64 = 21;
/// Longest free text.
pub const MAX_TEXT: usize = 2000;

/// What users of the service lose during the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Impact {
    /// The service does not answer.
    FullOutage,
    /// The service answers, slower or partly.
    Degraded,
}

impl Impact {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Impact::FullOutage => "FULL_OUTAGE",
            Impact::Degraded => "DEGRADED",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Impact> {
        match code {
            "FULL_OUTAGE" => Some(Impact::FullOutage),
            "DEGRADED" => Some(Impact::Degraded),
            _ => None,
        }
    }

    /// Label in (kk, ru, en).
    pub fn label(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Impact::FullOutage => ("толық тоқтау", "полная недоступность", "full outage"),
            Impact::Degraded => ("ішінара қолжетімділік", "частичная деградация", "degraded"),
        }
    }
}

/// What the rules decided about a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The reason for working hours (trimmed), when given.
    pub off_hours_reason: Option<String>,
    /// Whether the window leaves the default window (allowed with a reason; flagged).
    pub outside_default_window: bool,
}

/// Who may announce or cancel a window of a service owned by
/// `service_organization`: an owner of that organization, or the operator.
pub fn check_may_manage(
    actor: &crate::access::Actor,
    service_organization: uuid::Uuid,
) -> Result<(), DomainError> {
    use crate::user::Role;
    match actor.role {
        Role::Operator => Ok(()),
        Role::Owner if actor.organization_id == Some(service_organization) => Ok(()),
        _ => Err(DomainError::forbidden(
            "техникалық жұмыстарды сервис иесі немесе оператор жариялайды",
            "о плановых работах объявляет владелец сервиса или оператор",
            "only the service's owner or the operator announces maintenance",
        )),
    }
}

/// Whether a window starting at `starts_at` may still be cancelled at `now`.
pub fn check_cancellable(
    starts_at: DateTime<Utc>,
    cancelled: bool,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if cancelled {
        return Err(DomainError::state(
            "терезе бұрын болдырылмаған",
            "окно уже отменено",
            "the window is already cancelled",
        ));
    }
    if starts_at <= now {
        return Err(DomainError::state(
            "басталған терезені болдырмау мүмкін емес",
            "начавшееся окно отменить нельзя",
            "a window that has started cannot be cancelled",
        ));
    }
    Ok(())
}

/// The Asia/Almaty wall-clock time of `instant`.
pub fn local_time(instant: DateTime<Utc>) -> NaiveDateTime {
    instant
        .with_timezone(&crate::calendar::almaty_offset(instant))
        .naive_local()
}

/// Whether some instant of `[starts_at, ends_at)` falls in the daytime
/// (06:00–21:00 Almaty) of a working day.
pub fn touches_working_hours(
    calendar: &WorkingCalendar,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> bool {
    let mut day = local_date(starts_at);
    let last = local_date(ends_at);
    while day <= last {
        if calendar.is_working_day(day) {
            let midnight = local_midnight_utc(day);
            let open = midnight + TimeDelta::hours(DAY_START_HOUR);
            let close = midnight + TimeDelta::hours(DAY_END_HOUR);
            if starts_at < close && ends_at > open {
                return true;
            }
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    false
}

/// Checks a window announced at `announced_at`.
pub fn check_window(
    calendar: &WorkingCalendar,
    announced_at: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    off_hours_reason: Option<&str>,
) -> Result<Checked, DomainError> {
    let earliest = calendar
        .checked_add_working_days(local_date(announced_at), NOTICE_WORKING_DAYS)
        .ok_or_else(|| {
            DomainError::invalid(
                "startsAt",
                "күнтізбе бұл күнге жетпейді",
                "календарь не покрывает эту дату",
                "the calendar does not cover this date",
            )
        })?;
    if local_date(starts_at) < earliest {
        return Err(DomainError::InvalidInput {
            field: "startsAt".into(),
            reason: crate::LocalizedText::new(
                format!("кемінде 3 жұмыс күні бұрын хабарлау керек: ең ерте {earliest}"),
                format!("объявить нужно не менее чем за 3 рабочих дня: не раньше {earliest}"),
                format!("announce at least 3 working days ahead: {earliest} at the earliest"),
            ),
        });
    }
    if ends_at <= starts_at {
        return Err(DomainError::invalid(
            "endsAt",
            "аяқталуы басталуынан кейін болуы керек",
            "окончание должно быть позже начала",
            "the end must be after the start",
        ));
    }
    if ends_at - starts_at > TimeDelta::hours(MAX_HOURS) {
        return Err(DomainError::invalid(
            "endsAt",
            "терезе 72 сағаттан аспауы керек",
            "окно не может быть длиннее 72 часов",
            "a window lasts at most 72 hours",
        ));
    }
    let reason = off_hours_reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| text_field("offHoursReason", r, MAX_TEXT))
        .transpose()?;
    let outside = touches_working_hours(calendar, starts_at, ends_at);
    if outside && reason.is_none() {
        return Err(DomainError::invalid(
            "offHoursReason",
            "терезе жұмыс уақытына түседі (жұмыс күндері 06:00–21:00, Алматы): себебін көрсетіңіз",
            "окно попадает на рабочее время (06:00–21:00 рабочего дня, Алматы): укажите причину",
            "the window falls in working hours (06:00–21:00 on a working day, Almaty): give a reason",
        ));
    }
    Ok(Checked {
        off_hours_reason: reason,
        outside_default_window: outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::kazakhstan_2024_2027;
    use chrono::NaiveDate;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(kazakhstan_2024_2027()).unwrap()
    }

    fn at(d: NaiveDate, h: i64) -> DateTime<Utc> {
        local_midnight_utc(d) + TimeDelta::hours(h)
    }

    /// A working day followed by a working day (so nights are plain nights).
    fn working_pair(c: &WorkingCalendar, from: NaiveDate) -> NaiveDate {
        let mut d = from;
        while !(c.is_working_day(d) && c.is_working_day(d.succ_opt().unwrap())) {
            d = d.succ_opt().unwrap();
        }
        d
    }

    #[test]
    fn night_window_three_working_days_ahead_is_accepted() {
        let c = cal();
        let now = at(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 10);
        let day = working_pair(&c, c.add_working_days(local_date(now), 3));
        let ok = check_window(&c, now, at(day, 22), at(day, 29), None).unwrap();
        assert!(!ok.outside_default_window);
    }

    #[test]
    fn two_working_days_ahead_is_refused() {
        let c = cal();
        let now = at(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 10);
        let day = c.add_working_days(local_date(now), 2);
        let e = check_window(&c, now, at(day, 22), at(day, 23), None).unwrap_err();
        assert_eq!(e.field(), Some("startsAt"));
    }

    #[test]
    fn daytime_needs_a_reason_and_a_day_off_does_not() {
        let c = cal();
        let now = at(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 10);
        let day = working_pair(&c, c.add_working_days(local_date(now), 3));
        let e = check_window(&c, now, at(day, 10), at(day, 12), None).unwrap_err();
        assert_eq!(e.field(), Some("offHoursReason"));
        let e = check_window(&c, now, at(day, 20), at(day, 22), Some("  ")).unwrap_err();
        assert_eq!(e.field(), Some("offHoursReason"));
        let ok = check_window(&c, now, at(day, 10), at(day, 12), Some("авария")).unwrap();
        assert!(ok.outside_default_window);
        let mut off = day;
        while c.is_working_day(off) {
            off = off.succ_opt().unwrap();
        }
        let ok = check_window(&c, now, at(off, 8), at(off, 18), None).unwrap();
        assert!(!ok.outside_default_window);
    }

    #[test]
    fn end_after_start_and_at_most_72_hours() {
        let c = cal();
        let now = at(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 10);
        let day = working_pair(&c, c.add_working_days(local_date(now), 3));
        let e = check_window(&c, now, at(day, 23), at(day, 22), None).unwrap_err();
        assert_eq!(e.field(), Some("endsAt"));
        let e = check_window(&c, now, at(day, 22), at(day, 22 + 73), Some("x")).unwrap_err();
        assert_eq!(e.field(), Some("endsAt"));
    }
}
