//! Integration tests of `archportal_domain::calendar`: the official 2024–2027
//! calendars, substitution, deadlines in Asia/Almaty, the import parser, and
//! property tests.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a failed test")]

use archportal_domain::Lang;
use archportal_domain::calendar::{
    CalendarEntry, CalendarEntryKind, CalendarError, DayKind, ImportError, Location,
    WorkingCalendar, almaty_offset, export_csv, kazakhstan_2024_2027, local_date, parse_import,
};
use archportal_domain::text::LocalizedText;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
}

fn kz() -> WorkingCalendar {
    WorkingCalendar::new(kazakhstan_2024_2027()).unwrap()
}

fn month_counts(cal: &WorkingCalendar, year: i32) -> Vec<i64> {
    (1..=12)
        .map(|m| {
            let last_of_previous = d(year, m, 1).pred_opt().unwrap();
            let last = if m == 12 {
                d(year, 12, 31)
            } else {
                d(year, m + 1, 1).pred_opt().unwrap()
            };
            cal.working_days_between(last_of_previous, last)
        })
        .collect()
}

fn year_count(cal: &WorkingCalendar, year: i32) -> i64 {
    cal.working_days_between(d(year - 1, 12, 31), d(year, 12, 31))
}

fn entry(date: NaiveDate, kind: CalendarEntryKind) -> CalendarEntry {
    CalendarEntry {
        date,
        kind,
        name: LocalizedText::new("атау", "название", "name"),
        basis: "test".into(),
    }
}

// ---- official calendars ---------------------------------------------------

#[test]
fn calendar_2024_matches_the_ministry_balance_with_the_kurban_ait_correction() {
    let cal = kz();
    // MTSZN balance of working time 2024, five-day week: 21 21 17 22 20 19
    // 22 21 21 22 21 21 = 248, drawn up with Kurban Ait on Monday 17 June.
    // DUMK moved it to Sunday 16 June and MTSZN confirmed 17 June a working
    // day (07.06.2024), so June has 20 and the year 249.
    assert_eq!(
        month_counts(&cal, 2024),
        vec![21, 21, 17, 22, 20, 20, 22, 21, 21, 22, 21, 21]
    );
    assert_eq!(year_count(&cal, 2024), 249);
    assert!(cal.is_working_day(d(2024, 6, 17)));
    assert!(
        !cal.is_working_day(d(2024, 3, 25)),
        "Nauryz Sat 23 → Mon 25"
    );
    assert!(
        !cal.is_working_day(d(2024, 7, 8)),
        "Capital Day Sat 6 → Mon 8"
    );
    assert!(cal.is_working_day(d(2024, 5, 4)), "working Saturday");
    assert!(!cal.is_working_day(d(2024, 5, 8)), "transferred day off");
    assert!(
        cal.is_working_day(d(2024, 1, 8)),
        "7 Jan Sunday: religious, no substitute"
    );
}

#[test]
fn calendar_2025_matches_the_published_calendar() {
    let cal = kz();
    // 246 working days (eGov calendar 2025); January 11 days off → 20.
    assert_eq!(year_count(&cal, 2025), 246);
    assert_eq!(month_counts(&cal, 2025)[0], 20);
    for off in [
        d(2025, 1, 3),
        d(2025, 3, 10),
        d(2025, 3, 24),
        d(2025, 3, 25),
        d(2025, 6, 6),
        d(2025, 7, 7),
        d(2025, 9, 1),
        d(2025, 10, 27),
        d(2025, 12, 16),
    ] {
        assert!(!cal.is_working_day(off), "{off} is a day off");
    }
    assert!(cal.is_working_day(d(2025, 1, 5)), "Sunday 5 Jan worked");
    assert!(cal.is_working_day(d(2025, 1, 6)));
    assert!(cal.is_working_day(d(2025, 1, 8)));
}

#[test]
fn calendar_2026_matches_the_published_calendar_without_30_august() {
    let cal = kz();
    // Published: 246 working days including the substitute 31 Aug; after
    // the new Constitution 30 Aug is no holiday, so 31 Aug is worked: 247.
    assert_eq!(
        month_counts(&cal, 2026)[0],
        19,
        "MTSZN: January 19 working days"
    );
    assert_eq!(year_count(&cal, 2026), 247);
    assert!(cal.is_working_day(d(2026, 8, 31)));
    for off in [
        d(2026, 1, 1),
        d(2026, 1, 2),
        d(2026, 1, 7),
        d(2026, 3, 9),
        d(2026, 3, 23),
        d(2026, 3, 24),
        d(2026, 3, 25),
        d(2026, 5, 1),
        d(2026, 5, 7),
        d(2026, 5, 11),
        d(2026, 5, 27),
        d(2026, 7, 6),
        d(2026, 10, 26),
        d(2026, 12, 16),
    ] {
        assert!(!cal.is_working_day(off), "{off} is a day off");
    }
    assert!(cal.is_working_day(d(2026, 3, 26)));
    assert!(cal.is_working_day(d(2026, 1, 5)));
    assert!(cal.is_working_day(d(2026, 5, 12)));
}

#[test]
fn calendar_2027_applies_the_rules_to_the_known_holidays() {
    let cal = kz();
    for off in [
        d(2027, 1, 1),
        d(2027, 1, 4), // for Saturday 2 January
        d(2027, 1, 7),
        d(2027, 3, 8),
        d(2027, 3, 15), // Constitution Day, new date
        d(2027, 3, 22),
        d(2027, 3, 23),
        d(2027, 3, 24), // for Sunday 21 March
        d(2027, 5, 3),  // for Saturday 1 May
        d(2027, 5, 7),
        d(2027, 5, 10), // for Sunday 9 May
        d(2027, 7, 6),
        d(2027, 10, 25),
        d(2027, 12, 16),
    ] {
        assert!(!cal.is_working_day(off), "{off} is a day off");
    }
    assert!(cal.is_working_day(d(2027, 1, 5)));
    assert!(cal.is_working_day(d(2027, 3, 25)));
    assert!(
        cal.is_working_day(d(2027, 8, 30)),
        "30 August is no longer a holiday"
    );
    // Computed, not an official figure (none published yet).
    assert_eq!(year_count(&cal, 2027), 247);
}

#[test]
fn every_seed_row_has_three_names_and_a_basis() {
    for e in kazakhstan_2024_2027() {
        assert!(!e.name.kk.is_empty() && !e.name.ru.is_empty() && !e.name.en.is_empty());
        assert!(!e.basis.is_empty(), "{}", e.date);
        assert!((2024..=2027).contains(&e.date.year()));
    }
}

// ---- substitution ---------------------------------------------------------

#[test]
fn substitutes_are_labelled_with_the_holiday_they_replace() {
    let cal = kz();
    let info = cal.day_info(d(2026, 3, 25));
    match info.kind {
        DayKind::SubstituteDayOff {
            holiday_date,
            holiday_name,
            ..
        } => {
            assert_eq!(holiday_date, d(2026, 3, 22));
            assert_eq!(holiday_name.get(Lang::Ru), "Наурыз мейрамы");
        }
        other => panic!("expected a substitute, got {other:?}"),
    }
    assert!(!info_is_working(&cal, d(2026, 3, 25)));
    let year: Vec<_> = cal
        .entries_for_year(2026)
        .into_iter()
        .filter(|day| matches!(day.kind, DayKind::SubstituteDayOff { .. }))
        .map(|day| day.date)
        .collect();
    assert_eq!(
        year,
        vec![
            d(2026, 3, 9),
            d(2026, 3, 24),
            d(2026, 3, 25),
            d(2026, 5, 11),
            d(2026, 10, 26)
        ]
    );
}

fn info_is_working(cal: &WorkingCalendar, date: NaiveDate) -> bool {
    cal.day_info(date).is_working()
}

#[test]
fn religious_days_off_get_no_substitute() {
    let cal = kz();
    assert!(matches!(
        cal.day_info(d(2024, 6, 16)).kind,
        DayKind::PublicHoliday {
            religious: true,
            ..
        }
    ));
    assert!(cal.is_working_day(d(2024, 6, 17)));
    assert!(
        cal.substitutes()
            .all(|(_, holiday)| holiday != d(2024, 6, 16))
    );
    assert!(
        cal.substitutes()
            .all(|(_, holiday)| holiday != d(2024, 1, 7))
    );
}

#[test]
fn day_info_explains_each_kind_of_day() {
    let cal = kz();
    assert_eq!(cal.day_info(d(2025, 1, 6)).kind, DayKind::Working);
    assert_eq!(cal.day_info(d(2025, 1, 11)).kind, DayKind::Weekend);
    assert!(matches!(
        cal.day_info(d(2025, 1, 5)).kind,
        DayKind::WorkingWeekend { .. }
    ));
    assert!(matches!(
        cal.day_info(d(2025, 1, 3)).kind,
        DayKind::TransferredDayOff { .. }
    ));
    assert!(matches!(
        cal.day_info(d(2025, 3, 8)).kind,
        DayKind::PublicHoliday {
            religious: false,
            ..
        }
    ));
    assert!(cal.day_info(d(2025, 1, 5)).is_working());
    assert!(!cal.day_info(d(2025, 3, 8)).is_working());
}

#[test]
fn new_rejects_inconsistent_entries() {
    let dup = WorkingCalendar::new(vec![
        entry(
            d(2024, 1, 1),
            CalendarEntryKind::PublicHoliday { religious: false },
        ),
        entry(d(2024, 1, 1), CalendarEntryKind::TransferredDayOff),
    ]);
    assert_eq!(
        dup.unwrap_err(),
        CalendarError::DuplicateDate {
            date: d(2024, 1, 1)
        }
    );
    let weekday = WorkingCalendar::new(vec![entry(
        d(2024, 5, 6),
        CalendarEntryKind::WorkingWeekend,
    )]);
    assert!(matches!(
        weekday.unwrap_err(),
        CalendarError::WorkingWeekendOnWeekday { .. }
    ));
    let weekend = WorkingCalendar::new(vec![entry(
        d(2024, 5, 5),
        CalendarEntryKind::TransferredDayOff,
    )]);
    assert!(matches!(
        weekend.unwrap_err(),
        CalendarError::TransferredDayOffOnWeekend { .. }
    ));
}

// ---- queries ----------------------------------------------------------------

#[test]
fn add_and_count_working_days() {
    let cal = kz();
    // 003 §8: 5 working days from Wednesday 2024-03-20 skip Nauryz
    // (21, 22 Mar), the weekend and the substitute for 23 Mar (25 Mar):
    // 26, 27, 28, 29 Mar and 1 Apr.
    assert_eq!(cal.add_working_days(d(2024, 3, 20), 5), d(2024, 4, 1));
    assert_eq!(cal.working_days_between(d(2024, 3, 20), d(2024, 4, 1)), 5);
    assert_eq!(cal.working_days_between(d(2024, 4, 1), d(2024, 3, 20)), -5);
    assert_eq!(cal.add_working_days(d(2024, 3, 20), 0), d(2024, 3, 20));
    assert_eq!(cal.next_working_day(d(2025, 12, 31)), d(2026, 1, 5));
    assert_eq!(
        cal.next_working_day(d(2025, 1, 2)),
        d(2025, 1, 5),
        "working Sunday"
    );
}

// ---- deadlines --------------------------------------------------------------

#[test]
fn deadline_end_across_the_2024_time_zone_change() {
    let cal = kz();
    // Tue 27 Feb 2024 10:00 at UTC+6; 2 working days: 28, 29 Feb → ends at
    // local midnight 1 March, which is already UTC+5.
    let received = utc(2024, 2, 27, 4, 0);
    assert_eq!(almaty_offset(received).local_minus_utc(), 6 * 3600);
    assert_eq!(cal.deadline_end(received, 2), utc(2024, 2, 29, 19, 0));
    assert_eq!(cal.deadline_end(received, 3), utc(2024, 3, 1, 19, 0));
    // 23:30 in the repeated hour (UTC+5) is still 29 Feb.
    let repeated = utc(2024, 2, 29, 18, 30);
    assert_eq!(local_date(repeated), d(2024, 2, 29));
    assert_eq!(cal.deadline_end(repeated, 1), utc(2024, 3, 1, 19, 0));
    // 00:00 on 1 March (UTC+5): next working day is Monday 4 March.
    assert_eq!(
        cal.deadline_end(utc(2024, 2, 29, 19, 0), 1),
        utc(2024, 3, 4, 19, 0)
    );
    // Before the change, local midnight is 18:00 UTC.
    assert_eq!(
        cal.deadline_end(utc(2024, 1, 10, 3, 0), 1),
        utc(2024, 1, 11, 18, 0)
    );
    // n = 0: the rest of the day of receipt.
    assert_eq!(
        cal.deadline_end(utc(2025, 6, 5, 12, 0), 0),
        utc(2025, 6, 5, 19, 0)
    );
}

#[test]
fn deadline_end_doc_example() {
    let cal = kz();
    assert_eq!(
        cal.deadline_end(utc(2025, 3, 7, 5, 0), 5),
        utc(2025, 3, 17, 19, 0)
    );
}

// ---- import -----------------------------------------------------------------

const HEADER: &str = "date,kind,name_kk,name_ru,name_en,basis";

#[test]
fn csv_import_with_quoting() {
    let text = format!(
        "{HEADER}\r\n2024-05-04,working_weekend,\"Жұмыс күні, сенбі\",\"Рабочий день \"\"сб\"\"\",,\"Приказ от 17.04.2024,\nп. 1\"\r\n2024-06-16,religious_holiday,Құрбан айт,Курбан айт,Kurban Ait,ТК РК ст. 84\n\n"
    );
    let entries = parse_import(&text).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].kind, CalendarEntryKind::WorkingWeekend);
    assert_eq!(entries[0].name.kk, "Жұмыс күні, сенбі");
    assert_eq!(entries[0].name.ru, "Рабочий день \"сб\"");
    assert_eq!(entries[0].name.get(Lang::En), "Рабочий день \"сб\"");
    assert_eq!(entries[0].basis, "Приказ от 17.04.2024,\nп. 1");
    assert_eq!(
        entries[1].kind,
        CalendarEntryKind::PublicHoliday { religious: true }
    );
}

#[test]
fn json_import() {
    let text = r#"  [
      {"date": "2027-03-15", "kind": "holiday", "name_kk": "Конституция күні",
       "name_ru": "День Конституции", "name_en": "Constitution Day", "basis": "Конституция, ст. 94"},
      {"date": "2027-01-08", "kind": "transferred_day_off", "name_kk": "Демалыс",
       "name_ru": "Перенос", "basis": "Приказ"}
    ]"#;
    let entries = parse_import(text).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].kind, CalendarEntryKind::TransferredDayOff);
    assert_eq!(entries[1].name.en, "");
}

#[test]
fn seed_exports_and_reimports_unchanged() {
    let seed = kazakhstan_2024_2027();
    assert_eq!(parse_import(&export_csv(&seed)).unwrap(), seed);
}

#[test]
fn csv_import_errors_name_line_and_field() {
    let row =
        |s: &str| format!("{HEADER}\n2024-01-01,holiday,Жаңа жыл,Новый год,New Year,Закон\n{s}\n");
    let cases: Vec<(String, ImportError)> = vec![
        (
            row("2024-13-01,holiday,a,b,c,d"),
            ImportError::MalformedDate {
                at: Location::Line(3),
                value: "2024-13-01".into(),
            },
        ),
        (
            row("2024-01-03,day_off,a,b,c,d"),
            ImportError::UnknownKind {
                at: Location::Line(3),
                value: "day_off".into(),
            },
        ),
        (
            row("2024-01-03,holiday,a,,c,d"),
            ImportError::MissingName {
                at: Location::Line(3),
                field: "name_ru",
            },
        ),
        (
            row("2024-01-03,holiday,,b,c,d"),
            ImportError::MissingName {
                at: Location::Line(3),
                field: "name_kk",
            },
        ),
        (
            row("2024-01-03,holiday,a,b,c,"),
            ImportError::MissingField {
                at: Location::Line(3),
                field: "basis",
            },
        ),
        (
            row("2024-01-01,holiday,a,b,c,d"),
            ImportError::DuplicateDate {
                at: Location::Line(3),
                date: d(2024, 1, 1),
                first: Location::Line(2),
            },
        ),
        (
            row("2024-01-03,holiday,a,b"),
            ImportError::FieldCount { line: 3, found: 4 },
        ),
        (
            row("2024-01-03,holiday,a\"x,b,c,d"),
            ImportError::StrayQuote { line: 3 },
        ),
        (
            row("2024-01-03,holiday,\"a,b,c,d"),
            ImportError::UnterminatedQuote { line: 3 },
        ),
        (
            "date,kind,name,basis\n".to_owned(),
            ImportError::BadHeader {
                found: "date,kind,name,basis".into(),
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_import(&text), Err(expected), "{text}");
    }
    // A multi-line quoted field: the next record's line is counted right.
    let text = format!("{HEADER}\n2024-01-01,holiday,a,b,c,\"x\ny\"\n2024-02-30,holiday,a,b,c,d\n");
    assert_eq!(
        parse_import(&text),
        Err(ImportError::MalformedDate {
            at: Location::Line(4),
            value: "2024-02-30".into()
        })
    );
    let weekday_worked = row("2024-01-03,working_weekend,a,b,c,d");
    let err = parse_import(&weekday_worked).unwrap_err();
    assert!(matches!(
        err,
        ImportError::InvalidEntry {
            at: Location::Line(3),
            field: "kind",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "line 3: field `kind`: 2024-01-03 is a Wed: a working weekend must be a Saturday or Sunday"
    );
    assert_eq!(parse_import("  \n "), Err(ImportError::Empty));
}

#[test]
fn json_import_errors_name_index_and_field() {
    let ok = r#"{"date":"2024-01-01","kind":"holiday","name_kk":"a","name_ru":"b","name_en":"c","basis":"d"}"#;
    let cases: Vec<(String, ImportError)> = vec![
        (
            format!(r#"[{ok}, {{"date":"01.01.2024","kind":"holiday","name_kk":"a","name_ru":"b","name_en":"c","basis":"d"}}]"#),
            ImportError::MalformedDate { at: Location::Index(1), value: "01.01.2024".into() },
        ),
        (
            format!(r#"[{ok}, {{"date":"2024-01-02","kind":"feast","name_kk":"a","name_ru":"b","name_en":"c","basis":"d"}}]"#),
            ImportError::UnknownKind { at: Location::Index(1), value: "feast".into() },
        ),
        (
            format!(r#"[{ok}, {{"date":"2024-01-02","kind":"holiday","name_ru":"b","basis":"d"}}]"#),
            ImportError::MissingName { at: Location::Index(1), field: "name_kk" },
        ),
        (
            format!("[{ok}, {ok}]"),
            ImportError::DuplicateDate {
                at: Location::Index(1),
                date: d(2024, 1, 1),
                first: Location::Index(0),
            },
        ),
        (
            format!(r#"[{ok}, 5]"#),
            ImportError::NotAnObject { at: Location::Index(1) },
        ),
        (
            r#"[{"date":"2024-01-01","kind":"holiday","name_kk":"a","name_ru":"b","basis":"d","note":"x"}]"#.to_owned(),
            ImportError::UnknownField { at: Location::Index(0), field: "note".into() },
        ),
        (
            r#"[{"date":20240101,"kind":"holiday","name_kk":"a","name_ru":"b","basis":"d"}]"#.to_owned(),
            ImportError::NotAString { at: Location::Index(0), field: "date" },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_import(&text), Err(expected), "{text}");
    }
    assert!(matches!(parse_import("[{"), Err(ImportError::Json { .. })));
}

// ---- property tests -----------------------------------------------------------

fn date_in(lo: NaiveDate, hi: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    let span = (hi - lo).num_days();
    (0..=span).prop_map(move |k| lo + chrono::Days::new(u64::try_from(k).unwrap()))
}

fn seed_range() -> impl Strategy<Value = NaiveDate> {
    date_in(d(2023, 10, 1), d(2028, 3, 31))
}

/// Random calendars: holidays of every kind scattered over 2024–2025.
fn random_calendar() -> impl Strategy<Value = WorkingCalendar> {
    prop::collection::vec((date_in(d(2024, 1, 1), d(2025, 12, 31)), 0..4_u8), 0..80).prop_map(
        |rows| {
            let mut seen = std::collections::BTreeSet::new();
            let entries = rows
                .into_iter()
                .filter(|(date, _)| seen.insert(*date))
                .filter_map(|(date, k)| {
                    let weekend = date.weekday().number_from_monday() >= 6;
                    let kind = match k {
                        0 => CalendarEntryKind::PublicHoliday { religious: false },
                        1 => CalendarEntryKind::PublicHoliday { religious: true },
                        2 if !weekend => CalendarEntryKind::TransferredDayOff,
                        3 if weekend => CalendarEntryKind::WorkingWeekend,
                        _ => return None,
                    };
                    Some(entry(date, kind))
                })
                .collect();
            WorkingCalendar::new(entries).unwrap()
        },
    )
}

fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
    prop_oneof![Just(kz()), random_calendar()]
}

proptest! {
    #[test]
    fn add_then_count_round_trips(cal in any_calendar(), s in seed_range(), n in 0_u32..600) {
        let end = cal.add_working_days(s, n);
        prop_assert_eq!(cal.working_days_between(s, end), i64::from(n));
        prop_assert_eq!(cal.working_days_between(end, s), -i64::from(n));
    }

    #[test]
    fn add_lands_on_a_working_day(cal in any_calendar(), s in seed_range(), n in 1_u32..400) {
        let end = cal.add_working_days(s, n);
        prop_assert!(end > s);
        prop_assert!(cal.is_working_day(end), "{} is a day off", end);
        prop_assert!(cal.day_info(end).is_working());
    }

    #[test]
    fn between_is_additive(cal in any_calendar(), a in seed_range(), b in seed_range(), c in seed_range()) {
        prop_assert_eq!(
            cal.working_days_between(a, b) + cal.working_days_between(b, c),
            cal.working_days_between(a, c)
        );
    }

    #[test]
    fn add_is_strictly_monotonic_in_n(cal in any_calendar(), s in seed_range(), n in 0_u32..400) {
        prop_assert!(cal.add_working_days(s, n) < cal.add_working_days(s, n + 1));
    }

    #[test]
    fn between_agrees_with_day_by_day_count(cal in any_calendar(), a in seed_range(), len in 0_u64..120) {
        let b = a + chrono::Days::new(len);
        let mut count = 0;
        let mut day = a;
        while day < b {
            day = day.succ_opt().unwrap();
            count += i64::from(cal.is_working_day(day));
        }
        prop_assert_eq!(cal.working_days_between(a, b), count);
    }

    #[test]
    fn next_working_day_skips_only_days_off(cal in any_calendar(), s in seed_range()) {
        let next = cal.next_working_day(s);
        let mut day = s.succ_opt().unwrap();
        while day < next {
            prop_assert!(!cal.is_working_day(day));
            day = day.succ_opt().unwrap();
        }
        prop_assert!(cal.is_working_day(next));
    }

    #[test]
    fn deadline_end_is_the_local_midnight_after_the_last_day(
        secs in 1_700_000_000_i64..1_830_000_000,
        n in 0_u32..30,
    ) {
        let cal = kz();
        let received = DateTime::from_timestamp(secs, 0).unwrap();
        let end = cal.deadline_end(received, n);
        prop_assert!(end > received);
        let last_instant = end - chrono::TimeDelta::nanoseconds(1);
        let last_day = local_date(last_instant);
        prop_assert_eq!(last_day, cal.add_working_days(local_date(received), n));
        prop_assert_eq!(local_date(end), last_day.succ_opt().unwrap());
    }

    #[test]
    fn csv_export_round_trips_arbitrary_names(
        names in prop::collection::vec(
            ("[a-zA-Zа-яәғқңөұүһі0-9 ,\"\n]{0,12}", "[a-zA-Zа-я ,\"]{0,12}"),
            1..20,
        ),
    ) {
        let entries: Vec<CalendarEntry> = names
            .into_iter()
            .enumerate()
            .map(|(i, (kk, basis))| CalendarEntry {
                date: d(2024, 1, 1) + chrono::Days::new(u64::try_from(i).unwrap()),
                kind: CalendarEntryKind::PublicHoliday { religious: i % 2 == 0 },
                name: LocalizedText::new(format!("k{}k", kk.trim()), format!("r{kk}r"), kk.trim()),
                basis: format!("b{basis}b"),
            })
            .collect();
        prop_assert_eq!(parse_import(&export_csv(&entries)).unwrap(), entries);
    }
}
