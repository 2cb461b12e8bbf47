//! Seed data: the working-day calendar of Kazakhstan for 2024–2027.
//!
//! Only holidays and transfer-act rows are stored; substitute days off are
//! derived by [`super::WorkingCalendar::new`]. The computed days off of each
//! year were checked against the published calendars named above each block.
//! Rows are a `const` table so that a mistyped date fails the build.

use chrono::NaiveDate;

use super::almaty::const_date;
use super::{CalendarEntry, CalendarEntryKind};
use crate::text::LocalizedText;

/// A name in Kazakh, Russian and English.
type Name = (&'static str, &'static str, &'static str);

const NEW_YEAR: Name = ("Жаңа жыл", "Новый год", "New Year");
const CHRISTMAS: Name = (
    "Православиелік Рождество",
    "Православное Рождество",
    "Orthodox Christmas",
);
const WOMEN: Name = (
    "Халықаралық әйелдер күні",
    "Международный женский день",
    "International Women's Day",
);
const NAURYZ: Name = ("Наурыз мейрамы", "Наурыз мейрамы", "Nauryz Meiramy");
const UNITY: Name = (
    "Қазақстан халқының бірлігі мерекесі",
    "Праздник единства народа Казахстана",
    "Unity Day of the People of Kazakhstan",
);
const DEFENDER: Name = (
    "Отан қорғаушы күні",
    "День защитника Отечества",
    "Defender of the Fatherland Day",
);
const VICTORY: Name = ("Жеңіс күні", "День Победы", "Victory Day");
const CAPITAL: Name = ("Астана күні", "День столицы", "Capital Day");
const CONSTITUTION: Name = (
    "Қазақстан Республикасының Конституциясы күні",
    "День Конституции Республики Казахстан",
    "Constitution Day",
);
const REPUBLIC: Name = ("Республика күні", "День Республики", "Republic Day");
const INDEPENDENCE: Name = ("Тәуелсіздік күні", "День Независимости", "Independence Day");
const KURBAN: Name = (
    "Құрбан айттың бірінші күні",
    "Первый день Курбан айта",
    "Kurban Ait (first day)",
);

/// National holiday (25 October, Republic Day).
const LAW_NATIONAL: &str = "Закон РК от 13.12.2001 № 267-II «О праздниках в Республике Казахстан», ст. 2 (национальный праздник), ст. 5 (нерабочий день)";
/// State holidays.
const LAW_STATE: &str = "Закон РК от 13.12.2001 № 267-II «О праздниках в Республике Казахстан», ст. 3 (государственный праздник), ст. 5 (нерабочий день)";
/// Orthodox Christmas, a religious day off.
const LC_CHRISTMAS: &str = "Трудовой кодекс РК от 23.11.2015 № 414-V, п. 5 ст. 84 (7 января — православное Рождество, выходной день, без переноса)";

const HOLIDAY: CalendarEntryKind = CalendarEntryKind::PublicHoliday { religious: false };
const RELIGIOUS: CalendarEntryKind = CalendarEntryKind::PublicHoliday { religious: true };
const TRANSFER_OFF: CalendarEntryKind = CalendarEntryKind::TransferredDayOff;
const WORKED: CalendarEntryKind = CalendarEntryKind::WorkingWeekend;

/// One seed row.
struct Row {
    date: NaiveDate,
    kind: CalendarEntryKind,
    name: Name,
    basis: &'static str,
}

const fn row(
    (year, month, day): (i32, u32, u32),
    kind: CalendarEntryKind,
    name: Name,
    basis: &'static str,
) -> Row {
    Row {
        date: const_date(year, month, day),
        kind,
        name,
        basis,
    }
}

const ROWS: &[Row] = &[
    // ---- 2024 ----------------------------------------------------------
    // Sources: MTSZN «Баланс рабочего времени и Производственный календарь на
    // 2024 год» (help.inbuh.kz/6801: 248 working days, 5-day week, monthly
    // 21/21/17/22/20/19/22/21/21/22/21/21, drawn up with Kurban Ait on
    // 17 June); order of the acting Minister of Labour and Social Protection
    // of 17.04.2024 «О переносе дня отдыха в 2024 году» (mail.kz, zakon.kz:
    // Sat 4 May → Wed 8 May); DUMK announcement of 07.06.2024 moving Kurban
    // Ait to Sunday 16 June, after which MTSZN confirmed 17 June a working
    // day (alau.kz, tengrinews.kz). Final 2024: June 20, year 249.
    row((2024, 1, 1), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2024, 1, 2), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2024, 1, 7), RELIGIOUS, CHRISTMAS, LC_CHRISTMAS),
    row((2024, 3, 8), HOLIDAY, WOMEN, LAW_STATE),
    row((2024, 3, 21), HOLIDAY, NAURYZ, LAW_STATE),
    row((2024, 3, 22), HOLIDAY, NAURYZ, LAW_STATE),
    row((2024, 3, 23), HOLIDAY, NAURYZ, LAW_STATE),
    row((2024, 5, 1), HOLIDAY, UNITY, LAW_STATE),
    row(
        (2024, 5, 4),
        WORKED,
        (
            "Жұмыс күні (демалыс күні 8 мамырға ауыстырылды)",
            "Рабочий день (день отдыха перенесён на 8 мая)",
            "Working day (day off moved to 8 May)",
        ),
        "Приказ и.о. Министра труда и социальной защиты населения РК от 17.04.2024 «О переносе дня отдыха в 2024 году» (п. 3 ст. 85 Трудового кодекса РК): с субботы 4 мая на среду 8 мая 2024 года",
    ),
    row((2024, 5, 7), HOLIDAY, DEFENDER, LAW_STATE),
    row(
        (2024, 5, 8),
        TRANSFER_OFF,
        (
            "Ауыстырылған демалыс күні (4 мамыр сенбіден)",
            "Перенесённый день отдыха (с субботы 4 мая)",
            "Transferred day off (from Saturday 4 May)",
        ),
        "Приказ и.о. Министра труда и социальной защиты населения РК от 17.04.2024 «О переносе дня отдыха в 2024 году» (п. 3 ст. 85 Трудового кодекса РК): с субботы 4 мая на среду 8 мая 2024 года",
    ),
    row((2024, 5, 9), HOLIDAY, VICTORY, LAW_STATE),
    row(
        (2024, 6, 16),
        RELIGIOUS,
        KURBAN,
        "Трудовой кодекс РК, п. 5 ст. 84; дата — ДУМК, 07.06.2024 (16 июня, воскресенье; 17 июня — рабочий день, сообщение МТСЗН от 07.06.2024)",
    ),
    row((2024, 7, 6), HOLIDAY, CAPITAL, LAW_STATE),
    row((2024, 8, 30), HOLIDAY, CONSTITUTION, LAW_STATE),
    row((2024, 10, 25), HOLIDAY, REPUBLIC, LAW_NATIONAL),
    row((2024, 12, 16), HOLIDAY, INDEPENDENCE, LAW_STATE),
    // ---- 2025 ----------------------------------------------------------
    // Sources: eGov calendar of holidays for 2025 as reprinted by
    // pobipb.kz «Календарь выходных и праздничных дней на 2025 год» (246
    // working days, substitutes 10 Mar, 24–25 Mar, 7 Jul, 1 Sep, 27 Oct;
    // Kurban Ait 6 June); order of the Minister of Labour and Social
    // Protection «О переносе дня отдыха в 2025 году» (announced Nov 2024,
    // energy-city.kz, kursiv.media 2024-12-23, azattyq-ruhy.kz: day off moved
    // from Sunday 5 January to Friday 3 January; its number and date were
    // not found).
    row((2025, 1, 1), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2025, 1, 2), HOLIDAY, NEW_YEAR, LAW_STATE),
    row(
        (2025, 1, 3),
        TRANSFER_OFF,
        (
            "Ауыстырылған демалыс күні (5 қаңтар жексенбіден)",
            "Перенесённый день отдыха (с воскресенья 5 января)",
            "Transferred day off (from Sunday 5 January)",
        ),
        "Приказ Министра труда и социальной защиты населения РК «О переносе дня отдыха в 2025 году» (п. 3 ст. 85 Трудового кодекса РК; ноябрь 2024, номер не установлен): с воскресенья 5 января на пятницу 3 января 2025 года",
    ),
    row(
        (2025, 1, 5),
        WORKED,
        (
            "Жұмыс күні (демалыс күні 3 қаңтарға ауыстырылды)",
            "Рабочий день (день отдыха перенесён на 3 января)",
            "Working day (day off moved to 3 January)",
        ),
        "Приказ Министра труда и социальной защиты населения РК «О переносе дня отдыха в 2025 году» (п. 3 ст. 85 Трудового кодекса РК; ноябрь 2024, номер не установлен): с воскресенья 5 января на пятницу 3 января 2025 года",
    ),
    row((2025, 1, 7), RELIGIOUS, CHRISTMAS, LC_CHRISTMAS),
    row((2025, 3, 8), HOLIDAY, WOMEN, LAW_STATE),
    row((2025, 3, 21), HOLIDAY, NAURYZ, LAW_STATE),
    row((2025, 3, 22), HOLIDAY, NAURYZ, LAW_STATE),
    row((2025, 3, 23), HOLIDAY, NAURYZ, LAW_STATE),
    row((2025, 5, 1), HOLIDAY, UNITY, LAW_STATE),
    row((2025, 5, 7), HOLIDAY, DEFENDER, LAW_STATE),
    row((2025, 5, 9), HOLIDAY, VICTORY, LAW_STATE),
    row(
        (2025, 6, 6),
        RELIGIOUS,
        KURBAN,
        "Трудовой кодекс РК, п. 5 ст. 84; дата — производственный календарь МТСЗН на 2025 год по данным ДУМК (6 июня)",
    ),
    row((2025, 7, 6), HOLIDAY, CAPITAL, LAW_STATE),
    row((2025, 8, 30), HOLIDAY, CONSTITUTION, LAW_STATE),
    row((2025, 10, 25), HOLIDAY, REPUBLIC, LAW_NATIONAL),
    row((2025, 12, 16), HOLIDAY, INDEPENDENCE, LAW_STATE),
    // ---- 2026 ----------------------------------------------------------
    // Sources: MTSZN production calendar for 2026 and the eGov calendar
    // (inform.kz 2026-01-02, news.mail.ru/El.kz 2025-12-10, alau.kz: 246
    // working days with substitutes 9 Mar, 24–25 Mar, 11 May, 31 Aug,
    // 26 Oct; January 19 working days); DUMK calendar of 06.11.2025
    // (Kurban Ait 27 May). No transfer act for 2026 was found: the published
    // calendar has substitutes only, so no transfer rows.
    //
    // 30 August 2026 is NOT a holiday: the Constitution adopted at the
    // republican referendum of 15.03.2026 (in force 01.07.2026) makes the day
    // of its adoption Constitution Day (art. 94 para 2), and MTSZN stated on
    // 18.03.2026 that 30 August is no longer a holiday from this year
    // (taspanews.kz). So Monday 31 August 2026 is a working day, and 2026
    // has 247 working days instead of the 246 first published.
    row((2026, 1, 1), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2026, 1, 2), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2026, 1, 7), RELIGIOUS, CHRISTMAS, LC_CHRISTMAS),
    row((2026, 3, 8), HOLIDAY, WOMEN, LAW_STATE),
    row((2026, 3, 21), HOLIDAY, NAURYZ, LAW_STATE),
    row((2026, 3, 22), HOLIDAY, NAURYZ, LAW_STATE),
    row((2026, 3, 23), HOLIDAY, NAURYZ, LAW_STATE),
    row((2026, 5, 1), HOLIDAY, UNITY, LAW_STATE),
    row((2026, 5, 7), HOLIDAY, DEFENDER, LAW_STATE),
    row((2026, 5, 9), HOLIDAY, VICTORY, LAW_STATE),
    row(
        (2026, 5, 27),
        RELIGIOUS,
        KURBAN,
        "Трудовой кодекс РК, п. 5 ст. 84; дата — календарь ДУМК от 06.11.2025 и производственный календарь МТСЗН на 2026 год (27 мая)",
    ),
    row((2026, 7, 6), HOLIDAY, CAPITAL, LAW_STATE),
    row((2026, 10, 25), HOLIDAY, REPUBLIC, LAW_NATIONAL),
    row((2026, 12, 16), HOLIDAY, INDEPENDENCE, LAW_STATE),
    // ---- 2027 ----------------------------------------------------------
    // Sources: the Law «О праздниках» list, with Constitution Day on
    // 15 March instead of 30 August (Constitution of RK adopted 15.03.2026,
    // art. 94 para 2; the President's address at its signing in March 2026
    // and MTSZN on 18.03.2026: celebrated from 2027). No production calendar and no
    // transfer act for 2027 were found (as of the stored sources, spring
    // 2026): no transfer rows; add them by import when published.
    // Kurban Ait 2027 is PROVISIONAL (see its basis).
    row((2027, 1, 1), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2027, 1, 2), HOLIDAY, NEW_YEAR, LAW_STATE),
    row((2027, 1, 7), RELIGIOUS, CHRISTMAS, LC_CHRISTMAS),
    row((2027, 3, 8), HOLIDAY, WOMEN, LAW_STATE),
    row(
        (2027, 3, 15),
        HOLIDAY,
        CONSTITUTION,
        "Конституция РК, принятая на республиканском референдуме 15.03.2026, п. 2 ст. 94 (день принятия Конституции — государственный праздник, День Конституции); МТСЗН, 18.03.2026: отмечается с 2027 года; Закон РК № 267-II, ст. 5 (нерабочий день)",
    ),
    row((2027, 3, 21), HOLIDAY, NAURYZ, LAW_STATE),
    row((2027, 3, 22), HOLIDAY, NAURYZ, LAW_STATE),
    row((2027, 3, 23), HOLIDAY, NAURYZ, LAW_STATE),
    row((2027, 5, 1), HOLIDAY, UNITY, LAW_STATE),
    row((2027, 5, 7), HOLIDAY, DEFENDER, LAW_STATE),
    row((2027, 5, 9), HOLIDAY, VICTORY, LAW_STATE),
    row(
        (2027, 5, 16),
        RELIGIOUS,
        KURBAN,
        "ПРЕДВАРИТЕЛЬНО: Трудовой кодекс РК, п. 5 ст. 84; дата — астрономическая оценка 10 зуль-хиджа 1448 г. х. (воскресенье 16 мая), календарь ДУМК на 2027 год не найден; заменить после публикации",
    ),
    row((2027, 7, 6), HOLIDAY, CAPITAL, LAW_STATE),
    row((2027, 10, 25), HOLIDAY, REPUBLIC, LAW_NATIONAL),
    row((2027, 12, 16), HOLIDAY, INDEPENDENCE, LAW_STATE),
];

/// The calendar entries of Kazakhstan for 2024–2027: every public holiday
/// and religious day off (Law of RK No. 267-II «О праздниках в Республике
/// Казахстан»; Labour Code art. 84 para 5) and the transfer-act rows found
/// for those years (2024: order of 17.04.2024; 2025: order on 3/5 January;
/// 2026 and 2027: none found). Each entry's `basis` names its source; the
/// comments in this file name the calendars each year was checked against.
pub fn kazakhstan_2024_2027() -> Vec<CalendarEntry> {
    ROWS.iter()
        .map(|row| CalendarEntry {
            date: row.date,
            kind: row.kind,
            name: LocalizedText::new(row.name.0, row.name.1, row.name.2),
            basis: row.basis.to_owned(),
        })
        .collect()
}
