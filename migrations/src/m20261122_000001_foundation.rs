//! Organizations, users and their sessions, informatization objects with
//! their life-cycle stages, relations and version history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Bin,
    NameKk,
    NameRu,
    Kind,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    FullName,
    PasswordHash,
    Role,
    OrganizationId,
    Language,
    Active,
    FailedLogins,
    LockedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    CreatedAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum InformatizationObjects {
    Table,
    Id,
    OrganizationId,
    Kind,
    NameKk,
    NameRu,
    ShortName,
    Purpose,
    Stage,
    StageStartedOn,
    RegistrationStatus,
    AccountingCode,
    ContainsPersonalData,
    Exclusion,
    Version,
    ArchivedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ObjectStages {
    Table,
    Id,
    ObjectId,
    Stage,
    StartedOn,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ObjectRelations {
    Table,
    Id,
    ObjectId,
    TargetId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ObjectVersions {
    Table,
    Id,
    ObjectId,
    Version,
    Action,
    ActorId,
    ChangedAt,
    Changes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organizations::Table)
                .col(pk_uuid(Organizations::Id))
                .col(string_len_uniq(Organizations::Bin, 12))
                .col(text(Organizations::NameKk))
                .col(text(Organizations::NameRu))
                .col(string_len(Organizations::Kind, 40))
                .col(timestamp_with_time_zone(Organizations::CreatedAt))
                .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(string_len_uniq(Users::Email, 254))
                .col(text(Users::FullName))
                .col(text_null(Users::PasswordHash))
                .col(string_len(Users::Role, 20))
                .col(uuid_null(Users::OrganizationId))
                .col(string_len(Users::Language, 2))
                .col(boolean(Users::Active))
                .col(integer(Users::FailedLogins).default(0))
                .col(timestamp_with_time_zone_null(Users::LockedUntil))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_users_organization")
                .table(Users::Table)
                .col(Users::OrganizationId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(pk_uuid(RefreshTokens::Id))
                .col(uuid(RefreshTokens::UserId))
                .col(uuid(RefreshTokens::FamilyId))
                .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                .foreign_key(&mut fk(
                    RefreshTokens::Table,
                    RefreshTokens::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_family")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::FamilyId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(InformatizationObjects::Table)
                .col(pk_uuid(InformatizationObjects::Id))
                .col(uuid(InformatizationObjects::OrganizationId))
                .col(string_len(InformatizationObjects::Kind, 60))
                .col(text(InformatizationObjects::NameKk))
                .col(text(InformatizationObjects::NameRu))
                .col(string_len(InformatizationObjects::ShortName, 100))
                .col(text(InformatizationObjects::Purpose))
                .col(string_len(InformatizationObjects::Stage, 40))
                .col(date(InformatizationObjects::StageStartedOn))
                .col(string_len(InformatizationObjects::RegistrationStatus, 20))
                .col(string_len_null(InformatizationObjects::AccountingCode, 20).unique_key())
                .col(boolean(InformatizationObjects::ContainsPersonalData))
                .col(string_len_null(InformatizationObjects::Exclusion, 40))
                .col(integer(InformatizationObjects::Version))
                .col(timestamp_with_time_zone_null(
                    InformatizationObjects::ArchivedAt,
                ))
                .col(uuid(InformatizationObjects::CreatedBy))
                .col(timestamp_with_time_zone(InformatizationObjects::CreatedAt))
                .col(timestamp_with_time_zone(InformatizationObjects::UpdatedAt))
                .foreign_key(&mut fk(
                    InformatizationObjects::Table,
                    InformatizationObjects::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .foreign_key(&mut fk(
                    InformatizationObjects::Table,
                    InformatizationObjects::CreatedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            (
                "ix_objects_organization",
                InformatizationObjects::OrganizationId,
            ),
            (
                "ix_objects_status",
                InformatizationObjects::RegistrationStatus,
            ),
            ("ix_objects_stage", InformatizationObjects::Stage),
            ("ix_objects_kind", InformatizationObjects::Kind),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(InformatizationObjects::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(ObjectStages::Table)
                .col(pk_uuid(ObjectStages::Id))
                .col(uuid(ObjectStages::ObjectId))
                .col(string_len(ObjectStages::Stage, 40))
                .col(date(ObjectStages::StartedOn))
                .col(uuid(ObjectStages::RecordedBy))
                .col(timestamp_with_time_zone(ObjectStages::RecordedAt))
                .foreign_key(&mut fk(
                    ObjectStages::Table,
                    ObjectStages::ObjectId,
                    InformatizationObjects::Table,
                    InformatizationObjects::Id,
                ))
                .foreign_key(&mut fk(
                    ObjectStages::Table,
                    ObjectStages::RecordedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_object_stages_object")
                .table(ObjectStages::Table)
                .col(ObjectStages::ObjectId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ObjectRelations::Table)
                .col(pk_uuid(ObjectRelations::Id))
                .col(uuid(ObjectRelations::ObjectId))
                .col(uuid(ObjectRelations::TargetId))
                .col(string_len(ObjectRelations::Kind, 20))
                .col(timestamp_with_time_zone(ObjectRelations::CreatedAt))
                .foreign_key(&mut fk(
                    ObjectRelations::Table,
                    ObjectRelations::ObjectId,
                    InformatizationObjects::Table,
                    InformatizationObjects::Id,
                ))
                .foreign_key(&mut fk(
                    ObjectRelations::Table,
                    ObjectRelations::TargetId,
                    InformatizationObjects::Table,
                    InformatizationObjects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_object_relations")
                .table(ObjectRelations::Table)
                .col(ObjectRelations::ObjectId)
                .col(ObjectRelations::TargetId)
                .col(ObjectRelations::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_object_relations_target")
                .table(ObjectRelations::Table)
                .col(ObjectRelations::TargetId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ObjectVersions::Table)
                .col(pk_uuid(ObjectVersions::Id))
                .col(uuid(ObjectVersions::ObjectId))
                .col(integer(ObjectVersions::Version))
                .col(string_len(ObjectVersions::Action, 40))
                .col(uuid(ObjectVersions::ActorId))
                .col(timestamp_with_time_zone(ObjectVersions::ChangedAt))
                .col(json(ObjectVersions::Changes))
                .foreign_key(&mut fk(
                    ObjectVersions::Table,
                    ObjectVersions::ObjectId,
                    InformatizationObjects::Table,
                    InformatizationObjects::Id,
                ))
                .foreign_key(&mut fk(
                    ObjectVersions::Table,
                    ObjectVersions::ActorId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_object_versions")
                .table(ObjectVersions::Table)
                .col(ObjectVersions::ObjectId)
                .col(ObjectVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ObjectVersions::Table.into_iden(),
            ObjectRelations::Table.into_iden(),
            ObjectStages::Table.into_iden(),
            InformatizationObjects::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Users::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
