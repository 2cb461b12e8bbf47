//! The working-day calendar: public queries (`isWorkingDay`,
//! `addWorkingDays`, `calendar`) and the admins' changes. Every deadline of
//! the portal is computed from this calendar (domain digest, "Working days").

use archportal_domain::calendar::{CalendarEntry, CalendarEntryKind, DayKind};
use archportal_domain::text::LocalizedText;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use crate::error::{ApiError, ApiResult};
use crate::graphql::{CtxExt, Date};

/// The kind of a calendar entry (as in the import format).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum CalendarEntryKindInput {
    /// A national or state holiday (substituted when on a weekend).
    Holiday,
    /// A religious day off (no substitute).
    ReligiousHoliday,
    /// A weekday made a day off by a transfer act.
    TransferredDayOff,
    /// A weekend day made a working day by a transfer act.
    WorkingWeekend,
}

impl From<CalendarEntryKindInput> for CalendarEntryKind {
    fn from(k: CalendarEntryKindInput) -> Self {
        match k {
            CalendarEntryKindInput::Holiday => {
                CalendarEntryKind::PublicHoliday { religious: false }
            }
            CalendarEntryKindInput::ReligiousHoliday => {
                CalendarEntryKind::PublicHoliday { religious: true }
            }
            CalendarEntryKindInput::TransferredDayOff => CalendarEntryKind::TransferredDayOff,
            CalendarEntryKindInput::WorkingWeekend => CalendarEntryKind::WorkingWeekend,
        }
    }
}

/// What a listed day is.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum CalendarDayKind {
    /// A holiday or religious day off.
    PublicHoliday,
    /// A weekday made a day off by a transfer act.
    TransferredDayOff,
    /// A weekend day worked by a transfer act.
    WorkingWeekend,
    /// The day off replacing a holiday that fell on a weekend (Law «О праздниках», art. 5).
    SubstituteDayOff,
}

/// A day of the calendar that is not an ordinary weekday or weekend.
#[derive(SimpleObject)]
pub struct CalendarDay {
    /// The date.
    pub date: Date,
    /// What it is.
    pub kind: CalendarDayKind,
    /// Whether it is a working day.
    pub working: bool,
    /// Whether it is a religious day off.
    pub religious: bool,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
    /// The legal basis.
    pub basis: String,
    /// For a substitute day off: the weekend holiday it replaces.
    pub substitute_for: Option<Date>,
}

fn day(info: archportal_domain::calendar::DayInfo) -> Option<CalendarDay> {
    let working = info.is_working();
    let (kind, name, religious, basis, substitute_for) = match info.kind {
        DayKind::Working | DayKind::Weekend => return None,
        DayKind::PublicHoliday {
            name,
            religious,
            basis,
        } => (CalendarDayKind::PublicHoliday, name, religious, basis, None),
        DayKind::TransferredDayOff { name, basis } => {
            (CalendarDayKind::TransferredDayOff, name, false, basis, None)
        }
        DayKind::WorkingWeekend { name, basis } => {
            (CalendarDayKind::WorkingWeekend, name, false, basis, None)
        }
        DayKind::SubstituteDayOff {
            holiday_date,
            holiday_name,
            basis,
        } => (
            CalendarDayKind::SubstituteDayOff,
            holiday_name,
            false,
            basis,
            Some(Date(holiday_date)),
        ),
    };
    Some(CalendarDay {
        date: Date(info.date),
        kind,
        working,
        religious,
        name_kk: name.kk,
        name_ru: name.ru,
        name_en: name.en,
        basis,
        substitute_for,
    })
}

/// Calendar queries (public: other tooling depends on these names).
#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// Whether `date` (Asia/Almaty) is a working day of the Republic of Kazakhstan.
    async fn is_working_day(&self, ctx: &Context<'_>, date: Date) -> bool {
        ctx.state().calendar().is_working_day(date.0)
    }

    /// The `days`-th working day after `from` (`from` itself for 0): the
    /// last day of a period "within `days` working days" of `from`.
    async fn add_working_days(&self, ctx: &Context<'_>, from: Date, days: i32) -> ApiResult<Date> {
        let n = u32::try_from(days).map_err(|_| {
            ApiError::new(
                "INVALID_INPUT",
                "күндер саны теріс болмауы керек",
                "число дней не может быть отрицательным",
                "days must not be negative",
            )
            .on("days")
        })?;
        ctx.state()
            .calendar()
            .checked_add_working_days(from.0, n)
            .map(Date)
            .ok_or_else(|| {
                ApiError::new(
                    "INVALID_INPUT",
                    "нәтиже күнтізбе шегінен тыс",
                    "результат за пределами календаря",
                    "the result is out of range",
                )
                .on("days")
            })
    }

    /// Every day of `year` off or worked by exception, with its reason and
    /// basis, including derived substitute days off.
    async fn calendar(&self, ctx: &Context<'_>, year: i32) -> Vec<CalendarDay> {
        ctx.state()
            .calendar()
            .entries_for_year(year)
            .into_iter()
            .filter_map(day)
            .collect()
    }
}

/// A calendar entry to add or replace.
#[derive(InputObject)]
pub struct CalendarEntryInput {
    /// The date.
    pub date: Date,
    /// What it does to the date.
    pub kind: CalendarEntryKindInput,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English (may be empty).
    #[graphql(default)]
    pub name_en: String,
    /// The legal basis (law and article, or order number and date).
    pub basis: String,
}

/// The result of a calendar change.
#[derive(SimpleObject)]
pub struct CalendarChangePayload {
    /// The days of the changed date's year, as now in force.
    pub days: Vec<CalendarDay>,
}

/// Calendar changes (ADMIN).
#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Adds an entry or replaces the entry on its date (ADMIN); refused when
    /// the calendar would be inconsistent.
    async fn set_calendar_entry(
        &self,
        ctx: &Context<'_>,
        input: CalendarEntryInput,
    ) -> ApiResult<CalendarChangePayload> {
        ctx.actor()?.check_admin()?;
        let text = |field: &str, v: &str| archportal_domain::error::text_field(field, v, 300);
        let entry = CalendarEntry {
            date: input.date.0,
            kind: input.kind.into(),
            name: LocalizedText::new(
                text("nameKk", &input.name_kk)?,
                text("nameRu", &input.name_ru)?,
                input.name_en.trim(),
            ),
            basis: archportal_domain::error::text_field("basis", &input.basis, 1000)?,
        };
        let state = ctx.state();
        let (calendar, version) = archportal_storage::calendar::change(
            &state.db,
            &ctx.op(),
            "calendar.set",
            vec![entry],
            vec![],
        )
        .await?;
        let year = chrono::Datelike::year(&input.date.0);
        let days = calendar
            .entries_for_year(year)
            .into_iter()
            .filter_map(day)
            .collect();
        state.set_calendar(calendar, version);
        Ok(CalendarChangePayload { days })
    }

    /// Removes the entry on `date` (ADMIN).
    async fn remove_calendar_entry(
        &self,
        ctx: &Context<'_>,
        date: Date,
    ) -> ApiResult<CalendarChangePayload> {
        ctx.actor()?.check_admin()?;
        let state = ctx.state();
        let (calendar, version) = archportal_storage::calendar::change(
            &state.db,
            &ctx.op(),
            "calendar.remove",
            vec![],
            vec![date.0],
        )
        .await?;
        let year = chrono::Datelike::year(&date.0);
        let days = calendar
            .entries_for_year(year)
            .into_iter()
            .filter_map(day)
            .collect();
        state.set_calendar(calendar, version);
        Ok(CalendarChangePayload { days })
    }
}
