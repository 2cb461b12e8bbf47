//! Working days of the Republic of Kazakhstan.
//!
//! Every deadline of the portal is in working days (domain digest, "Working
//! days"; e.g. 003 §8: the integrator has 5 working days). A day is a day off
//! when it is
//!
//! * a Saturday or Sunday (five-day working week, Labour Code of RK No. 414-V
//!   of 23.11.2015, art. 84), unless a transfer order made it a working day
//!   ([`CalendarEntryKind::WorkingWeekend`]);
//! * a public holiday: national and state holidays are non-working days (Law
//!   of RK No. 267-II of 13.12.2001 «О праздниках в Республике Казахстан»,
//!   art. 5), and the first day of Kurban Ait and Orthodox Christmas
//!   (7 January) are days off (Labour Code art. 84 para 5);
//! * a weekday made a day off by the yearly transfer act (Labour Code art. 85
//!   para 3: to use working time rationally around holidays the authorized
//!   body for labour may move days off to other working days; since 2024 this
//!   is an order of the Minister of Labour and Social Protection of the
//!   Population, before that a Government decree);
//! * a **substitute day off**: "при совпадении выходного и праздничного дней
//!   выходным днем является следующий после праздничного рабочий день" (Law
//!   «О праздниках», art. 5). The rule is for national and state holidays
//!   only: the religious days off of Labour Code art. 84 para 5 are not
//!   "праздничные дни" and get no substitute (MTSZN statement of 07.06.2024
//!   on Kurban Ait 16.06.2024: "переносу подлежат только праздничные дни,
//!   выпадающие на выходные дни").
//!
//! Substitutes are derived, never stored: the admin edits holidays and
//! transfers ([`CalendarEntry`]), and [`WorkingCalendar::new`] computes the
//! substitutes. Only the five-day week is modelled (the portal's
//! participants are state bodies on a five-day week); the six-day week has
//! different substitutes (e.g. 2026: 22 March → 24 March only).

mod almaty;
mod import;
mod kz;

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::text::LocalizedText;

pub use almaty::{
    ALMATY_UNIFICATION_LOCAL_DATE, ALMATY_UNIFICATION_UTC, almaty_offset, local_date,
    local_midnight_utc,
};
pub use import::{ImportError, Location, export_csv, parse_import};
pub use kz::kazakhstan_2024_2027;

/// The legal basis shown for every derived substitute day off.
pub const SUBSTITUTION_BASIS: &str = "Закон РК от 13.12.2001 № 267-II «О праздниках в Республике Казахстан», ст. 5: при совпадении выходного и праздничного дней выходным днем является следующий после праздничного рабочий день";

/// The years a calendar entry may fall in. Bounds the search for substitutes
/// and keeps date arithmetic far from chrono's limits.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// What a calendar entry does to its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CalendarEntryKind {
    /// A national or state holiday (Law «О праздниках», art. 5: a non-working
    /// day), or with `religious` the first day of Kurban Ait or Orthodox
    /// Christmas (Labour Code art. 84 para 5: a day off). Only non-religious
    /// holidays on a Saturday or Sunday get a substitute day off.
    PublicHoliday {
        /// A religious day off: no substitute when it falls on a weekend.
        religious: bool,
    },
    /// A weekday made a day off by a yearly transfer act (Labour Code art. 85
    /// para 3).
    TransferredDayOff,
    /// A Saturday or Sunday made a working day by a yearly transfer act
    /// (Labour Code art. 85 para 3).
    WorkingWeekend,
}

impl CalendarEntryKind {
    /// The `kind` column of the import format: `holiday`,
    /// `religious_holiday`, `transferred_day_off` or `working_weekend`.
    pub fn import_code(self) -> &'static str {
        match self {
            Self::PublicHoliday { religious: false } => "holiday",
            Self::PublicHoliday { religious: true } => "religious_holiday",
            Self::TransferredDayOff => "transferred_day_off",
            Self::WorkingWeekend => "working_weekend",
        }
    }

    /// Parses the `kind` column of the import format (exact, lower case).
    pub fn from_import_code(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(Self::PublicHoliday { religious: false }),
            "religious_holiday" => Some(Self::PublicHoliday { religious: true }),
            "transferred_day_off" => Some(Self::TransferredDayOff),
            "working_weekend" => Some(Self::WorkingWeekend),
            _ => None,
        }
    }
}

/// One row of the holiday calendar that admins maintain (domain digest:
/// "computed from a calendar that admins can update, not hard-coded").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// The date the entry applies to.
    pub date: NaiveDate,
    /// What it does to the date.
    pub kind: CalendarEntryKind,
    /// The holiday's or transfer's name, for the UI.
    pub name: LocalizedText,
    /// The legal source: law and article, or order/decree number and date.
    pub basis: String,
}

/// Why a calendar cannot be built from a list of entries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Two entries share a date; one date has one meaning.
    #[error("two calendar entries on {date}")]
    DuplicateDate {
        /// The shared date.
        date: NaiveDate,
    },
    /// A working-weekend entry on a Monday–Friday (Labour Code art. 85 para 3
    /// moves days off; a weekday is already a working day).
    #[error("{date} is a {weekday}: a working weekend must be a Saturday or Sunday")]
    WorkingWeekendOnWeekday {
        /// The entry's date.
        date: NaiveDate,
        /// Its day of the week.
        weekday: Weekday,
    },
    /// A transferred day off on a Saturday or Sunday (already a day off).
    #[error("{date} is a {weekday}: a transferred day off must be a Monday to Friday")]
    TransferredDayOffOnWeekend {
        /// The entry's date.
        date: NaiveDate,
        /// Its day of the week.
        weekday: Weekday,
    },
    /// An entry outside [`SUPPORTED_YEARS`].
    #[error("{date} is outside the supported years 1900..=2999")]
    DateOutOfRange {
        /// The entry's date.
        date: NaiveDate,
    },
}

/// What a day is in the working calendar, with the reason a day is off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Working,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A Saturday or Sunday worked by a transfer act.
    WorkingWeekend {
        /// The entry's name.
        name: LocalizedText,
        /// The transfer act.
        basis: String,
    },
    /// A public holiday or religious day off (a day off even on a weekday).
    PublicHoliday {
        /// The holiday's name.
        name: LocalizedText,
        /// A religious day off (no substitute).
        religious: bool,
        /// The legal source.
        basis: String,
    },
    /// A weekday made a day off by a transfer act.
    TransferredDayOff {
        /// The entry's name.
        name: LocalizedText,
        /// The transfer act.
        basis: String,
    },
    /// The day off that replaces a holiday which fell on a Saturday or Sunday
    /// (Law «О праздниках», art. 5).
    SubstituteDayOff {
        /// The weekend date of the holiday it replaces.
        holiday_date: NaiveDate,
        /// The name of that holiday.
        holiday_name: LocalizedText,
        /// [`SUBSTITUTION_BASIS`].
        basis: String,
    },
}

/// A date and what it is in the working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    /// The date.
    pub date: NaiveDate,
    /// What it is, and why if it is a day off.
    pub kind: DayKind,
}

impl DayInfo {
    /// Whether the day is a working day.
    pub fn is_working(&self) -> bool {
        matches!(self.kind, DayKind::Working | DayKind::WorkingWeekend { .. })
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Number of Monday–Friday dates up to and including `date`, counted from a
/// fixed origin: only differences are meaningful.
fn weekdays_through(date: NaiveDate) -> i64 {
    let day = i64::from(date.num_days_from_ce());
    let from_monday = i64::from(date.weekday().num_days_from_monday());
    let week = (day - from_monday).div_euclid(7);
    week * 5 + (from_monday + 1).min(5)
}

/// The checks on one entry alone: supported year, a working weekend on a
/// Saturday/Sunday, a transferred day off on a Monday–Friday.
pub(crate) fn check_entry(date: NaiveDate, kind: CalendarEntryKind) -> Result<(), CalendarError> {
    if !SUPPORTED_YEARS.contains(&date.year()) {
        return Err(CalendarError::DateOutOfRange { date });
    }
    match kind {
        CalendarEntryKind::WorkingWeekend if !is_weekend(date) => {
            Err(CalendarError::WorkingWeekendOnWeekday {
                date,
                weekday: date.weekday(),
            })
        }
        CalendarEntryKind::TransferredDayOff if is_weekend(date) => {
            Err(CalendarError::TransferredDayOffOnWeekend {
                date,
                weekday: date.weekday(),
            })
        }
        _ => Ok(()),
    }
}

/// The working-day calendar of the Republic of Kazakhstan: weekends,
/// holidays, transfers and the derived substitute days off.
///
/// Built only by [`WorkingCalendar::new`], so it is always consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    entries: BTreeMap<NaiveDate, CalendarEntry>,
    /// Substitute day off → the weekend holiday it replaces.
    substitutes: BTreeMap<NaiveDate, NaiveDate>,
    /// −1 for a day off that is a weekday, +1 for a working weekend.
    adjustments: BTreeMap<NaiveDate, i64>,
}

impl WorkingCalendar {
    /// Builds the calendar and derives the substitute days off.
    ///
    /// Rejects two entries on one date, a [`CalendarEntryKind::WorkingWeekend`]
    /// on a weekday, a [`CalendarEntryKind::TransferredDayOff`] on a weekend,
    /// and dates outside [`SUPPORTED_YEARS`].
    ///
    /// Substitution (Law «О праздниках», art. 5): taking the non-religious
    /// holidays that fall on a Saturday or Sunday in date order, each gets the
    /// first later day that is a Monday–Friday and is not itself a holiday, a
    /// transferred day off or the substitute of an earlier holiday. So
    /// Nauryz 2026 (Sat 21, Sun 22, Mon 23 March) gives Tue 24 and Wed 25.
    /// A working weekend never receives a substitute: the transfer act made it
    /// a working day in exchange for a specific weekday, and its own rows
    /// already account for the holidays around it.
    pub fn new(entries: Vec<CalendarEntry>) -> Result<Self, CalendarError> {
        let mut map = BTreeMap::new();
        for entry in entries {
            check_entry(entry.date, entry.kind)?;
            let date = entry.date;
            if map.insert(date, entry).is_some() {
                return Err(CalendarError::DuplicateDate { date });
            }
        }

        let mut substitutes = BTreeMap::new();
        for (date, entry) in &map {
            if entry.kind != (CalendarEntryKind::PublicHoliday { religious: false })
                || !is_weekend(*date)
            {
                continue;
            }
            // Dates are within SUPPORTED_YEARS, so the search stays far
            // below NaiveDate::MAX; `succ_opt` cannot fail here.
            let mut candidate = *date;
            while let Some(next) = candidate.succ_opt() {
                candidate = next;
                if !is_weekend(candidate)
                    && !map.contains_key(&candidate)
                    && !substitutes.contains_key(&candidate)
                {
                    substitutes.insert(candidate, *date);
                    break;
                }
            }
        }

        let mut adjustments = BTreeMap::new();
        for (date, entry) in &map {
            match entry.kind {
                CalendarEntryKind::WorkingWeekend => {
                    adjustments.insert(*date, 1);
                }
                CalendarEntryKind::PublicHoliday { .. } | CalendarEntryKind::TransferredDayOff => {
                    if !is_weekend(*date) {
                        adjustments.insert(*date, -1);
                    }
                }
            }
        }
        for date in substitutes.keys() {
            adjustments.insert(*date, -1);
        }

        Ok(Self {
            entries: map,
            substitutes,
            adjustments,
        })
    }

    /// The stored entries, in date order (substitutes are not entries).
    pub fn entries(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.entries.values()
    }

    /// The derived substitute days off, in date order, each with the date of
    /// the weekend holiday it replaces.
    pub fn substitutes(&self) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
        self.substitutes
            .iter()
            .map(|(sub, holiday)| (*sub, *holiday))
    }

    /// Whether `date` is a working day (five-day week).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.adjustments.get(&date) {
            Some(adjustment) => *adjustment > 0,
            None => !is_weekend(date),
        }
    }

    /// What `date` is, and why it is a day off if it is one.
    pub fn day_info(&self, date: NaiveDate) -> DayInfo {
        let kind = if let Some(entry) = self.entries.get(&date) {
            Self::entry_kind(entry)
        } else if let Some(holiday_date) = self.substitutes.get(&date) {
            self.substitute_kind(*holiday_date)
        } else if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Working
        };
        DayInfo { date, kind }
    }

    fn entry_kind(entry: &CalendarEntry) -> DayKind {
        let name = entry.name.clone();
        let basis = entry.basis.clone();
        match entry.kind {
            CalendarEntryKind::PublicHoliday { religious } => DayKind::PublicHoliday {
                name,
                religious,
                basis,
            },
            CalendarEntryKind::TransferredDayOff => DayKind::TransferredDayOff { name, basis },
            CalendarEntryKind::WorkingWeekend => DayKind::WorkingWeekend { name, basis },
        }
    }

    fn substitute_kind(&self, holiday_date: NaiveDate) -> DayKind {
        let holiday_name = self
            .entries
            .get(&holiday_date)
            .map(|entry| entry.name.clone())
            .unwrap_or_else(|| LocalizedText::new("", "", ""));
        DayKind::SubstituteDayOff {
            holiday_date,
            holiday_name,
            basis: SUBSTITUTION_BASIS.to_owned(),
        }
    }

    /// Every day of `year` that is not an ordinary working weekday or
    /// ordinary weekend: holidays (also those on weekends), transfers,
    /// working weekends and substitute days off, in date order. For a UI
    /// calendar.
    pub fn entries_for_year(&self, year: i32) -> Vec<DayInfo> {
        let mut days: BTreeMap<NaiveDate, DayKind> = BTreeMap::new();
        for (date, entry) in &self.entries {
            if date.year() == year {
                days.insert(*date, Self::entry_kind(entry));
            }
        }
        for (date, holiday_date) in &self.substitutes {
            if date.year() == year {
                days.insert(*date, self.substitute_kind(*holiday_date));
            }
        }
        days.into_iter()
            .map(|(date, kind)| DayInfo { date, kind })
            .collect()
    }

    /// The number of working days `d` with `a < d <= b`; negative (minus the
    /// count for `b < d <= a`) when `b < a`. So
    /// `working_days_between(s, add_working_days(s, n)) == n`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.working_days_between(b, a);
        }
        let plain = weekdays_through(b) - weekdays_through(a);
        let adjusted: i64 = self
            .adjustments
            .range((Bound::Excluded(a), Bound::Included(b)))
            .map(|(_, adjustment)| *adjustment)
            .sum();
        plain + adjusted
    }

    /// The `n`-th working day strictly after `start`; `start` itself for
    /// `n == 0`. `None` past chrono's last date.
    pub fn checked_add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return Some(start);
        }
        let target = i64::from(n);
        // Find an upper bound: a span holding at least `n` working days.
        let mut span = (target / 5 + 2) * 7;
        loop {
            let end = start.checked_add_days(Days::new(u64::try_from(span).ok()?))?;
            if self.working_days_between(start, end) >= target {
                break;
            }
            span = span.checked_mul(2)?;
        }
        // Smallest offset in (0, span] with `target` working days: the count
        // grows by one exactly on working days, so that day is working.
        let (mut low, mut high) = (0_i64, span);
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            let date = start.checked_add_days(Days::new(u64::try_from(mid).ok()?))?;
            if self.working_days_between(start, date) >= target {
                high = mid;
            } else {
                low = mid;
            }
        }
        start.checked_add_days(Days::new(u64::try_from(high).ok()?))
    }

    /// The `n`-th working day strictly after `start` ("within `n` working
    /// days" ends on it); `start` for `n == 0`. Saturates at
    /// `NaiveDate::MAX` (unreachable for real deadlines).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        self.checked_add_working_days(start, n)
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        self.add_working_days(date, 1)
    }

    /// When "within `n` working days of receipt" ends: the end of the `n`-th
    /// working day after the Asia/Almaty date of `received_at` (002 §12:
    /// local time), as the exclusive instant 24:00 local, i.e. the start of
    /// the next local day. Something done at `t` is on time iff
    /// `t < deadline_end(received_at, n)`. With `n == 0` the period is the
    /// rest of the day of receipt. Example (003 §8, 5 working days): received
    /// Friday 2025-03-07 10:00 local → the period ends at 24:00 local on
    /// Monday 2025-03-17 (2025-03-17T19:00Z), because Monday 10 March is the
    /// day off for Saturday 8 March.
    pub fn deadline_end(&self, received_at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let last_day = self.add_working_days(local_date(received_at), n);
        match last_day.succ_opt() {
            Some(next) => local_midnight_utc(next),
            None => DateTime::<Utc>::MAX_UTC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn holiday(date: NaiveDate, religious: bool) -> CalendarEntry {
        CalendarEntry {
            date,
            kind: CalendarEntryKind::PublicHoliday { religious },
            name: LocalizedText::new("k", "r", "e"),
            basis: "test".into(),
        }
    }

    #[test]
    fn weekdays_through_counts_monday_to_friday() {
        let mut date = d(2023, 12, 25);
        let mut previous = weekdays_through(date);
        for _ in 0..400 {
            date = date.succ_opt().unwrap();
            let now = weekdays_through(date);
            assert_eq!(now - previous, i64::from(!is_weekend(date)), "{date}");
            previous = now;
        }
    }

    #[test]
    fn import_codes_round_trip() {
        for kind in [
            CalendarEntryKind::PublicHoliday { religious: false },
            CalendarEntryKind::PublicHoliday { religious: true },
            CalendarEntryKind::TransferredDayOff,
            CalendarEntryKind::WorkingWeekend,
        ] {
            assert_eq!(
                CalendarEntryKind::from_import_code(kind.import_code()),
                Some(kind)
            );
        }
        assert_eq!(CalendarEntryKind::from_import_code("Holiday"), None);
    }

    #[test]
    fn substitute_skips_days_off_and_taken_substitutes() {
        // Sat 2 Jan 2027 holiday, Mon 4 Jan a holiday too → Tue 5 Jan.
        let cal = WorkingCalendar::new(vec![
            holiday(d(2027, 1, 2), false),
            holiday(d(2027, 1, 3), false),
            holiday(d(2027, 1, 4), false),
        ])
        .unwrap();
        let subs: Vec<_> = cal.substitutes().collect();
        assert_eq!(
            subs,
            vec![
                (d(2027, 1, 5), d(2027, 1, 2)),
                (d(2027, 1, 6), d(2027, 1, 3))
            ]
        );
    }

    #[test]
    fn out_of_range_entry_is_rejected() {
        let err = WorkingCalendar::new(vec![holiday(d(1899, 12, 31), false)]).unwrap_err();
        assert!(matches!(err, CalendarError::DateOutOfRange { .. }));
    }

    #[test]
    fn huge_n_saturates_instead_of_panicking() {
        let cal = WorkingCalendar::new(vec![]).unwrap();
        assert_eq!(cal.checked_add_working_days(d(2024, 1, 1), u32::MAX), None);
        assert_eq!(
            cal.add_working_days(d(2024, 1, 1), u32::MAX),
            NaiveDate::MAX
        );
        assert_eq!(
            cal.deadline_end(DateTime::<Utc>::MAX_UTC, 1),
            DateTime::<Utc>::MAX_UTC
        );
    }
}
