//! Planned maintenance windows of services (000 §12).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MaintenanceWindows {
    Table,
    Id,
    ServiceId,
    StartsAt,
    EndsAt,
    DescriptionKk,
    DescriptionRu,
    DescriptionEn,
    Impact,
    OffHoursReason,
    OutsideDefaultWindow,
    AnnouncedBy,
    AnnouncedAt,
    CancelledAt,
    CancelledBy,
    CancelReason,
}

#[derive(DeriveIden)]
enum Services {
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
                .table(MaintenanceWindows::Table)
                .col(pk_uuid(MaintenanceWindows::Id))
                .col(uuid(MaintenanceWindows::ServiceId))
                .col(timestamp_with_time_zone(MaintenanceWindows::StartsAt))
                .col(timestamp_with_time_zone(MaintenanceWindows::EndsAt))
                .col(text(MaintenanceWindows::DescriptionKk))
                .col(text(MaintenanceWindows::DescriptionRu))
                .col(text_null(MaintenanceWindows::DescriptionEn))
                .col(string_len(MaintenanceWindows::Impact, 20))
                .col(text_null(MaintenanceWindows::OffHoursReason))
                .col(boolean(MaintenanceWindows::OutsideDefaultWindow))
                .col(uuid(MaintenanceWindows::AnnouncedBy))
                .col(timestamp_with_time_zone(MaintenanceWindows::AnnouncedAt))
                .col(timestamp_with_time_zone_null(
                    MaintenanceWindows::CancelledAt,
                ))
                .col(uuid_null(MaintenanceWindows::CancelledBy))
                .col(text_null(MaintenanceWindows::CancelReason))
                .foreign_key(&mut fk(
                    MaintenanceWindows::Table,
                    MaintenanceWindows::ServiceId,
                    Services::Table,
                    Services::Id,
                ))
                .foreign_key(&mut fk(
                    MaintenanceWindows::Table,
                    MaintenanceWindows::AnnouncedBy,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    MaintenanceWindows::Table,
                    MaintenanceWindows::CancelledBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_mw_service", MaintenanceWindows::ServiceId),
            ("idx_mw_starts_at", MaintenanceWindows::StartsAt),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(MaintenanceWindows::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MaintenanceWindows::Table).to_owned())
            .await
    }
}
