//! Local time of Asia/Almaty without a time-zone database.
//!
//! 002 §12: time is recorded in local time (Asia/Almaty). Kazakhstan has had
//! no daylight saving time since 2005. Until 1 March 2024 Almaty kept UTC+6;
//! Government decree No. 20 of 19 January 2024, amending decree No. 1749 of
//! 23 November 2000 «О порядке исчисления времени на территории Республики
//! Казахстан», applied the 5th time zone (UTC+5) to the whole country from
//! 00:00 on 1 March 2024, the clocks going back one hour in the night of
//! 29 February to 1 March. So 2024-03-01 00:00 at UTC+6 (= 2024-02-29
//! 18:00 UTC) became 2024-02-29 23:00 at UTC+5, and local 29 February 2024
//! lasted 25 hours.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

/// Builds a constant date; an invalid literal fails the build (const eval).
pub(crate) const fn const_date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

const fn const_offset_hours(hours: i32) -> FixedOffset {
    match FixedOffset::east_opt(hours * 3600) {
        Some(offset) => offset,
        None => panic!("invalid constant offset"),
    }
}

/// The instant Kazakhstan switched to one time zone: 2024-02-29 18:00 UTC
/// (decree No. 20 of 19.01.2024, "00:00 on 1 March 2024" at the old UTC+6).
pub const ALMATY_UNIFICATION_UTC: DateTime<Utc> = {
    match const_date(2024, 2, 29).and_hms_opt(18, 0, 0) {
        Some(naive) => naive.and_utc(),
        None => panic!("invalid constant time"),
    }
};

/// The first local date whose midnight is at UTC+5: 1 March 2024 (decree
/// No. 20 of 19.01.2024).
pub const ALMATY_UNIFICATION_LOCAL_DATE: NaiveDate = const_date(2024, 3, 1);

/// UTC+6, Almaty's offset before the unification.
const UTC_PLUS_6: FixedOffset = const_offset_hours(6);
/// UTC+5, the single national offset from 1 March 2024.
const UTC_PLUS_5: FixedOffset = const_offset_hours(5);

/// The UTC offset of Asia/Almaty at `instant`: UTC+6 before
/// [`ALMATY_UNIFICATION_UTC`], UTC+5 from it on (Government decree No. 20 of
/// 19.01.2024). Instants before 2005 are also given UTC+6, ignoring the
/// daylight saving time Kazakhstan kept until then.
pub fn almaty_offset(instant: DateTime<Utc>) -> FixedOffset {
    if instant < ALMATY_UNIFICATION_UTC {
        UTC_PLUS_6
    } else {
        UTC_PLUS_5
    }
}

/// The Asia/Almaty calendar date of `instant` (002 §12: local time). Saturates
/// at the ends of chrono's range.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    let offset = TimeDelta::seconds(i64::from(almaty_offset(instant).local_minus_utc()));
    match instant.naive_utc().checked_add_signed(offset) {
        Some(local) => local.date(),
        None => NaiveDate::MAX,
    }
}

/// The instant local `date` begins in Asia/Almaty (00:00 local). For
/// 1 March 2024 this is 2024-02-29 19:00 UTC, the first time the clocks
/// showed that date after being set back (decree No. 20 of 19.01.2024).
/// Saturates at the ends of chrono's range.
pub fn local_midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    let offset = if date >= ALMATY_UNIFICATION_LOCAL_DATE {
        UTC_PLUS_5
    } else {
        UTC_PLUS_6
    };
    let offset = TimeDelta::seconds(i64::from(offset.local_minus_utc()));
    match date.and_time(NaiveTime::MIN).checked_sub_signed(offset) {
        Some(utc) => utc.and_utc(),
        None => DateTime::<Utc>::MIN_UTC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn offset_changes_at_unification() {
        assert_eq!(
            almaty_offset(utc(2024, 2, 29, 17, 59)).local_minus_utc(),
            6 * 3600
        );
        assert_eq!(
            almaty_offset(utc(2024, 2, 29, 18, 0)).local_minus_utc(),
            5 * 3600
        );
    }

    #[test]
    fn local_date_across_the_repeated_hour() {
        // 17:30 UTC = 23:30 at +6, still 29 Feb.
        assert_eq!(
            local_date(utc(2024, 2, 29, 17, 30)),
            const_date(2024, 2, 29)
        );
        // 18:30 UTC = 23:30 at +5: the repeated hour, still 29 Feb.
        assert_eq!(
            local_date(utc(2024, 2, 29, 18, 30)),
            const_date(2024, 2, 29)
        );
        // 19:00 UTC = 00:00 at +5 on 1 March.
        assert_eq!(local_date(utc(2024, 2, 29, 19, 0)), const_date(2024, 3, 1));
        assert_eq!(local_date(utc(2023, 12, 31, 18, 0)), const_date(2024, 1, 1));
        assert_eq!(local_date(utc(2024, 12, 31, 19, 0)), const_date(2025, 1, 1));
    }

    #[test]
    fn midnights() {
        assert_eq!(
            local_midnight_utc(const_date(2024, 2, 29)),
            utc(2024, 2, 28, 18, 0)
        );
        assert_eq!(
            local_midnight_utc(const_date(2024, 3, 1)),
            utc(2024, 2, 29, 19, 0)
        );
        assert_eq!(
            local_midnight_utc(const_date(2025, 1, 1)),
            utc(2024, 12, 31, 19, 0)
        );
    }

    #[test]
    fn extremes_saturate() {
        assert_eq!(local_date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
        assert_eq!(local_midnight_utc(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC);
    }
}
