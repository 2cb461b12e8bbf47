//! Index updates through the outbox (issue 4): each change to a service or an
//! informatization object writes a row here in the same transaction; the
//! dispatcher drains them in batches into the search index and retries with
//! backoff while the index is down, so the index catches up after an outage.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IndexOutbox {
    Table,
    Id,
    DocKind,
    EntityId,
    DocId,
    CreatedAt,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    DoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IndexOutbox::Table)
                .col(pk_uuid(IndexOutbox::Id))
                .col(string_len(IndexOutbox::DocKind, 20))
                .col(uuid(IndexOutbox::EntityId))
                .col(string_len(IndexOutbox::DocId, 200))
                .col(timestamp_with_time_zone(IndexOutbox::CreatedAt))
                .col(string_len(IndexOutbox::Status, 20))
                .col(integer(IndexOutbox::Attempts))
                .col(timestamp_with_time_zone(IndexOutbox::NextAttemptAt))
                .col(text_null(IndexOutbox::LastError))
                .col(timestamp_with_time_zone_null(IndexOutbox::DoneAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_index_outbox_pending")
                .table(IndexOutbox::Table)
                .col(IndexOutbox::Status)
                .col(IndexOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IndexOutbox::Table).to_owned())
            .await?;
        Ok(())
    }
}
