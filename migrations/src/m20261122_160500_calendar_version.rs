//! A version number of the working-day calendar, bumped in the same
//! transaction as every calendar change, so that each server process can
//! cheaply notice that another one changed the calendar and reload its
//! cached copy (deadline computations never use a stale calendar for longer
//! than one dispatcher interval).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarVersion {
    Table,
    Id,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CalendarVersion::Table)
                .col(integer(CalendarVersion::Id).primary_key())
                .col(big_integer(CalendarVersion::Version))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(CalendarVersion::Table)
                .columns([CalendarVersion::Id, CalendarVersion::Version])
                .values_panic([1.into(), 1_i64.into()])
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CalendarVersion::Table).to_owned())
            .await
    }
}
