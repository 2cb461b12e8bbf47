//! The optional second sign-in factor (issue 5): a TOTP secret per user,
//! kept encrypted, with the last accepted time step (each code works once),
//! a pending enrolment not yet confirmed, and hashed single-use recovery codes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserTotp {
    Table,
    UserId,
    Secret,
    EnabledAt,
    LastStep,
    PendingSecret,
    PendingAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
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
                .table(UserTotp::Table)
                .col(pk_uuid(UserTotp::UserId))
                .col(text_null(UserTotp::Secret))
                .col(timestamp_with_time_zone_null(UserTotp::EnabledAt))
                .col(big_integer_null(UserTotp::LastStep))
                .col(text_null(UserTotp::PendingSecret))
                .col(timestamp_with_time_zone_null(UserTotp::PendingAt))
                .col(timestamp_with_time_zone(UserTotp::UpdatedAt))
                .foreign_key(&mut fk(
                    UserTotp::Table,
                    UserTotp::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(pk_uuid(RecoveryCodes::Id))
                .col(uuid(RecoveryCodes::UserId))
                .col(string_len(RecoveryCodes::CodeHash, 64))
                .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                .foreign_key(&mut fk(
                    RecoveryCodes::Table,
                    RecoveryCodes::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recovery_codes_user")
                .table(RecoveryCodes::Table)
                .col(RecoveryCodes::UserId)
                .col(RecoveryCodes::CodeHash)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(UserTotp::Table).to_owned())
            .await
    }
}
