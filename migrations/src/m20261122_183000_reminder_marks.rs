//! Which deadline reminders were written, recorded on the rows they are
//! about, so that the periodic deadline scan reads only what may still need
//! a reminder instead of every open review, step and update duty.
//!
//! Reviews and integration-request steps get `soon_reminded_at` and
//! `passed_reminded_at` (when the "one working day left" and "deadline
//! passed" reminders were written). Objects get
//! `update_soon_reminded_for` and `update_passed_reminded_for`: the
//! `update_due_at` value the reminder was written for, so that a new update
//! duty with a new due time is reminded again. Rows reminded before this
//! migration have the columns empty and are planned once more; the outbox's
//! idempotency keys keep that from sending a second mail.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reviews {
    Table,
    SoonRemindedAt,
    PassedRemindedAt,
}

#[derive(DeriveIden)]
enum IntegrationRequestSteps {
    Table,
    CompletedAt,
    DueAt,
    SoonRemindedAt,
    PassedRemindedAt,
}

#[derive(DeriveIden)]
enum InformatizationObjects {
    Table,
    UpdateDueAt,
    UpdateSoonRemindedFor,
    UpdatePassedRemindedFor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for (table, col) in [
            (
                Reviews::Table.into_iden(),
                timestamp_with_time_zone_null(Reviews::SoonRemindedAt),
            ),
            (
                Reviews::Table.into_iden(),
                timestamp_with_time_zone_null(Reviews::PassedRemindedAt),
            ),
            (
                IntegrationRequestSteps::Table.into_iden(),
                timestamp_with_time_zone_null(IntegrationRequestSteps::SoonRemindedAt),
            ),
            (
                IntegrationRequestSteps::Table.into_iden(),
                timestamp_with_time_zone_null(IntegrationRequestSteps::PassedRemindedAt),
            ),
            (
                InformatizationObjects::Table.into_iden(),
                timestamp_with_time_zone_null(InformatizationObjects::UpdateSoonRemindedFor),
            ),
            (
                InformatizationObjects::Table.into_iden(),
                timestamp_with_time_zone_null(InformatizationObjects::UpdatePassedRemindedFor),
            ),
        ] {
            let mut col = col;
            m.alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
                .await?;
        }
        // The scan's candidate queries: open steps by due time, and objects
        // with an update duty by its due time (reviews already have
        // `ix_reviews_open_due`).
        m.create_index(
            Index::create()
                .name("ix_steps_open_due")
                .table(IntegrationRequestSteps::Table)
                .col(IntegrationRequestSteps::CompletedAt)
                .col(IntegrationRequestSteps::DueAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_objects_update_due")
                .table(InformatizationObjects::Table)
                .col(InformatizationObjects::UpdateDueAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            (
                "ix_objects_update_due",
                InformatizationObjects::Table.into_iden(),
            ),
            (
                "ix_steps_open_due",
                IntegrationRequestSteps::Table.into_iden(),
            ),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        for (table, col) in [
            (
                Reviews::Table.into_iden(),
                Reviews::SoonRemindedAt.into_iden(),
            ),
            (
                Reviews::Table.into_iden(),
                Reviews::PassedRemindedAt.into_iden(),
            ),
            (
                IntegrationRequestSteps::Table.into_iden(),
                IntegrationRequestSteps::SoonRemindedAt.into_iden(),
            ),
            (
                IntegrationRequestSteps::Table.into_iden(),
                IntegrationRequestSteps::PassedRemindedAt.into_iden(),
            ),
            (
                InformatizationObjects::Table.into_iden(),
                InformatizationObjects::UpdateSoonRemindedFor.into_iden(),
            ),
            (
                InformatizationObjects::Table.into_iden(),
                InformatizationObjects::UpdatePassedRemindedFor.into_iden(),
            ),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
