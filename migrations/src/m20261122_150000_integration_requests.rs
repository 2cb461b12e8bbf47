//! Integration requests (000 §6, 001 §45) and their step history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntegrationRequests {
    Table,
    Id,
    ServiceId,
    ConsumerObjectId,
    ConsumerOrganizationId,
    InitiatorId,
    OwnerOrganizationName,
    ServiceKey,
    ObjectName,
    BasisLink,
    ConsumerOrganizationName,
    ConsumerObjectName,
    ConsumerShortName,
    SystemAddress,
    Purpose,
    ConsumerNonState,
    State,
    DueAt,
    RowVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IntegrationRequestSteps {
    Table,
    Id,
    RequestId,
    State,
    Party,
    EnteredAt,
    DueAt,
    ActorId,
    Note,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IntegrationRequests::Table)
                .col(pk_uuid(IntegrationRequests::Id))
                .col(uuid(IntegrationRequests::ServiceId))
                .col(uuid(IntegrationRequests::ConsumerObjectId))
                .col(uuid(IntegrationRequests::ConsumerOrganizationId))
                .col(uuid(IntegrationRequests::InitiatorId))
                .col(text(IntegrationRequests::OwnerOrganizationName))
                .col(string_len(IntegrationRequests::ServiceKey, 200))
                .col(text(IntegrationRequests::ObjectName))
                .col(text(IntegrationRequests::BasisLink))
                .col(text(IntegrationRequests::ConsumerOrganizationName))
                .col(text(IntegrationRequests::ConsumerObjectName))
                .col(text(IntegrationRequests::ConsumerShortName))
                .col(text(IntegrationRequests::SystemAddress))
                .col(text(IntegrationRequests::Purpose))
                .col(boolean(IntegrationRequests::ConsumerNonState))
                .col(string_len(IntegrationRequests::State, 40))
                .col(timestamp_with_time_zone_null(IntegrationRequests::DueAt))
                .col(integer(IntegrationRequests::RowVersion))
                .col(timestamp_with_time_zone(IntegrationRequests::CreatedAt))
                .col(timestamp_with_time_zone(IntegrationRequests::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IntegrationRequestSteps::Table)
                .col(pk_uuid(IntegrationRequestSteps::Id))
                .col(uuid(IntegrationRequestSteps::RequestId))
                .col(string_len(IntegrationRequestSteps::State, 40))
                .col(string_len_null(IntegrationRequestSteps::Party, 40))
                .col(timestamp_with_time_zone(IntegrationRequestSteps::EnteredAt))
                .col(timestamp_with_time_zone_null(
                    IntegrationRequestSteps::DueAt,
                ))
                .col(uuid(IntegrationRequestSteps::ActorId))
                .col(text_null(IntegrationRequestSteps::Note))
                .col(timestamp_with_time_zone_null(
                    IntegrationRequestSteps::CompletedAt,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            IntegrationRequestSteps::Table,
                            IntegrationRequestSteps::RequestId,
                        )
                        .to(IntegrationRequests::Table, IntegrationRequests::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_integration_request_steps_request")
                .table(IntegrationRequestSteps::Table)
                .col(IntegrationRequestSteps::RequestId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(IntegrationRequestSteps::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(IntegrationRequests::Table).to_owned())
            .await?;
        Ok(())
    }
}
