//! The service registry: gateway services and their approved consumers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
    ServiceId,
    NameKk,
    NameRu,
    NameEn,
    Description,
    ObjectId,
    OrganizationId,
    Gateway,
    Protocol,
    Interaction,
    Status,
    Version,
    PersonalData,
    TestAddress,
    ProductionAddress,
    RowVersion,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceSpecifications {
    Table,
    ServiceId,
    Format,
    Content,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceConsumers {
    Table,
    Id,
    ServiceId,
    OrganizationId,
    ObjectId,
    Since,
}

#[derive(DeriveIden)]
enum InformatizationObjects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
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
                .table(Services::Table)
                .col(pk_uuid(Services::Id))
                .col(string_len_uniq(Services::ServiceId, 100))
                .col(text(Services::NameKk))
                .col(text(Services::NameRu))
                .col(text_null(Services::NameEn))
                .col(text(Services::Description))
                .col(uuid(Services::ObjectId))
                .col(uuid(Services::OrganizationId))
                .col(string_len(Services::Gateway, 10))
                .col(string_len(Services::Protocol, 10))
                .col(string_len(Services::Interaction, 20))
                .col(string_len(Services::Status, 20))
                .col(string_len(Services::Version, 40))
                .col(boolean(Services::PersonalData))
                .col(text_null(Services::TestAddress))
                .col(text_null(Services::ProductionAddress))
                .col(integer(Services::RowVersion))
                .col(uuid(Services::CreatedBy))
                .col(timestamp_with_time_zone(Services::CreatedAt))
                .col(timestamp_with_time_zone(Services::UpdatedAt))
                .foreign_key(&mut fk(
                    Services::Table,
                    Services::ObjectId,
                    InformatizationObjects::Table,
                    InformatizationObjects::Id,
                ))
                .foreign_key(&mut fk(
                    Services::Table,
                    Services::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .foreign_key(&mut fk(
                    Services::Table,
                    Services::CreatedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_services_organization", Services::OrganizationId),
            ("ix_services_object", Services::ObjectId),
            ("ix_services_gateway", Services::Gateway),
            ("ix_services_status", Services::Status),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Services::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(ServiceSpecifications::Table)
                .col(pk_uuid(ServiceSpecifications::ServiceId))
                .col(string_len(ServiceSpecifications::Format, 10))
                .col(text(ServiceSpecifications::Content))
                .col(timestamp_with_time_zone(ServiceSpecifications::UpdatedAt))
                .foreign_key(&mut fk(
                    ServiceSpecifications::Table,
                    ServiceSpecifications::ServiceId,
                    Services::Table,
                    Services::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ServiceConsumers::Table)
                .col(pk_uuid(ServiceConsumers::Id))
                .col(uuid(ServiceConsumers::ServiceId))
                .col(uuid(ServiceConsumers::OrganizationId))
                .col(uuid(ServiceConsumers::ObjectId))
                .col(timestamp_with_time_zone(ServiceConsumers::Since))
                .foreign_key(&mut fk(
                    ServiceConsumers::Table,
                    ServiceConsumers::ServiceId,
                    Services::Table,
                    Services::Id,
                ))
                .foreign_key(&mut fk(
                    ServiceConsumers::Table,
                    ServiceConsumers::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .foreign_key(&mut fk(
                    ServiceConsumers::Table,
                    ServiceConsumers::ObjectId,
                    InformatizationObjects::Table,
                    InformatizationObjects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_service_consumers")
                .table(ServiceConsumers::Table)
                .col(ServiceConsumers::ServiceId)
                .col(ServiceConsumers::ObjectId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ServiceConsumers::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ServiceSpecifications::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Services::Table).to_owned())
            .await?;
        Ok(())
    }
}
