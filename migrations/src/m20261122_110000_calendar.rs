//! The working-day calendar's rows: public holidays, day-off transfers and
//! working weekends with their names and legal basis (domain digest,
//! "Working days": a calendar that admins can update). Substitute days off
//! are derived by the domain, never stored.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarEntries {
    Table,
    Date,
    Kind,
    NameKk,
    NameRu,
    NameEn,
    Basis,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CalendarEntries::Table)
                .col(date(CalendarEntries::Date).primary_key())
                .col(string_len(CalendarEntries::Kind, 40))
                .col(text(CalendarEntries::NameKk))
                .col(text(CalendarEntries::NameRu))
                .col(text(CalendarEntries::NameEn))
                .col(text(CalendarEntries::Basis))
                .col(timestamp_with_time_zone(CalendarEntries::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CalendarEntries::Table).to_owned())
            .await
    }
}
