//! The verification workflow (003 §6–§9): account requests and activation
//! links, reviews with their decisions and remarks, the per-year accounting
//! code counter, the update duty on objects, the notification outbox with
//! every delivery attempt, and the hash-chained audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccountRequests {
    Table,
    Id,
    Bin,
    OrgNameKk,
    OrgNameRu,
    OrgKind,
    FullName,
    Position,
    Email,
    Phone,
    Basis,
    Language,
    Status,
    ReceivedAt,
    DueAt,
    DecidedAt,
    DecidedBy,
    Reason,
    UserId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum ActivationTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    ObjectId,
    Kind,
    ObjectVersion,
    SubmittedAt,
    SubmittedBy,
    DueAt,
    ReviewerId,
    TakenAt,
    DecidedAt,
    DecidedBy,
    Decision,
    Remarks,
    AccountingCode,
}

#[derive(DeriveIden)]
enum AccountingSequences {
    Table,
    Year,
    LastValue,
}

#[derive(DeriveIden)]
enum InformatizationObjects {
    Table,
    UpdateDueAt,
    UpdateRemarks,
    RegisteredData,
    RegisteredAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    IdempotencyKey,
    Event,
    Recipient,
    Language,
    Subject,
    Body,
    CreatedAt,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    SentAt,
}

#[derive(DeriveIden)]
enum OutboxAttempts {
    Table,
    Id,
    OutboxId,
    AttemptedAt,
    Ok,
    Error,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorId,
    Action,
    TargetType,
    TargetId,
    RequestId,
    Details,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AccountRequests::Table)
                .col(pk_uuid(AccountRequests::Id))
                .col(string_len(AccountRequests::Bin, 12))
                .col(text(AccountRequests::OrgNameKk))
                .col(text(AccountRequests::OrgNameRu))
                .col(string_len(AccountRequests::OrgKind, 40))
                .col(text(AccountRequests::FullName))
                .col(text(AccountRequests::Position))
                .col(string_len(AccountRequests::Email, 254))
                .col(string_len(AccountRequests::Phone, 40))
                .col(text(AccountRequests::Basis))
                .col(string_len(AccountRequests::Language, 2))
                .col(string_len(AccountRequests::Status, 20))
                .col(timestamp_with_time_zone(AccountRequests::ReceivedAt))
                .col(timestamp_with_time_zone(AccountRequests::DueAt))
                .col(timestamp_with_time_zone_null(AccountRequests::DecidedAt))
                .col(uuid_null(AccountRequests::DecidedBy))
                .col(text_null(AccountRequests::Reason))
                .col(uuid_null(AccountRequests::UserId))
                .col(uuid_null(AccountRequests::OrganizationId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_account_requests_status_due")
                .table(AccountRequests::Table)
                .col(AccountRequests::Status)
                .col(AccountRequests::DueAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ActivationTokens::Table)
                .col(pk_uuid(ActivationTokens::Id))
                .col(uuid(ActivationTokens::UserId))
                .col(string_len_uniq(ActivationTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(ActivationTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(ActivationTokens::UsedAt))
                .col(timestamp_with_time_zone(ActivationTokens::CreatedAt))
                .foreign_key(&mut fk(
                    ActivationTokens::Table,
                    ActivationTokens::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Reviews::Table)
                .col(pk_uuid(Reviews::Id))
                .col(uuid(Reviews::ObjectId))
                .col(string_len(Reviews::Kind, 20))
                .col(integer(Reviews::ObjectVersion))
                .col(timestamp_with_time_zone(Reviews::SubmittedAt))
                .col(uuid(Reviews::SubmittedBy))
                .col(timestamp_with_time_zone(Reviews::DueAt))
                .col(uuid_null(Reviews::ReviewerId))
                .col(timestamp_with_time_zone_null(Reviews::TakenAt))
                .col(timestamp_with_time_zone_null(Reviews::DecidedAt))
                .col(uuid_null(Reviews::DecidedBy))
                .col(string_len_null(Reviews::Decision, 20))
                .col(text_null(Reviews::Remarks))
                .col(string_len_null(Reviews::AccountingCode, 20))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_reviews_object")
                .table(Reviews::Table)
                .col(Reviews::ObjectId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_reviews_open_due")
                .table(Reviews::Table)
                .col(Reviews::DecidedAt)
                .col(Reviews::DueAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AccountingSequences::Table)
                .col(integer(AccountingSequences::Year).primary_key())
                .col(integer(AccountingSequences::LastValue))
                .to_owned(),
        )
        .await?;

        // SQLite alters one column per statement.
        for col in [
            timestamp_with_time_zone_null(InformatizationObjects::UpdateDueAt),
            text_null(InformatizationObjects::UpdateRemarks),
            text_null(InformatizationObjects::RegisteredData),
            timestamp_with_time_zone_null(InformatizationObjects::RegisteredAt),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(InformatizationObjects::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(pk_uuid(Outbox::Id))
                .col(string_len_uniq(Outbox::IdempotencyKey, 300))
                .col(string_len(Outbox::Event, 60))
                .col(string_len(Outbox::Recipient, 254))
                .col(string_len(Outbox::Language, 2))
                .col(text(Outbox::Subject))
                .col(text(Outbox::Body))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(string_len(Outbox::Status, 20))
                .col(integer(Outbox::Attempts))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_pending")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutboxAttempts::Table)
                .col(pk_uuid(OutboxAttempts::Id))
                .col(uuid(OutboxAttempts::OutboxId))
                .col(timestamp_with_time_zone(OutboxAttempts::AttemptedAt))
                .col(boolean(OutboxAttempts::Ok))
                .col(text_null(OutboxAttempts::Error))
                .foreign_key(&mut fk(
                    OutboxAttempts::Table,
                    OutboxAttempts::OutboxId,
                    Outbox::Table,
                    Outbox::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_integer(AuditLog::Seq).primary_key())
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(uuid_null(AuditLog::ActorId))
                .col(string_len(AuditLog::Action, 80))
                .col(string_len(AuditLog::TargetType, 60))
                .col(string_len(AuditLog::TargetId, 80))
                .col(string_len(AuditLog::RequestId, 80))
                .col(text(AuditLog::Details))
                .col(string_len(AuditLog::PrevHash, 64))
                .col(string_len(AuditLog::Hash, 64))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string_len(AuditHead::Hash, 64))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                .values_panic([1.into(), 0i64.into(), "0".repeat(64).into()])
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditHead::Table.into_iden(),
            AuditLog::Table.into_iden(),
            OutboxAttempts::Table.into_iden(),
            Outbox::Table.into_iden(),
            AccountingSequences::Table.into_iden(),
            Reviews::Table.into_iden(),
            ActivationTokens::Table.into_iden(),
            AccountRequests::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for col in [
            InformatizationObjects::UpdateDueAt,
            InformatizationObjects::UpdateRemarks,
            InformatizationObjects::RegisteredData,
            InformatizationObjects::RegisteredAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(InformatizationObjects::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
