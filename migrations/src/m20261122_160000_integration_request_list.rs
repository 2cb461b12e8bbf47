//! Lists of integration requests (issue 6): a folded search column and
//! indexes for the filters and sort columns.
//!
//! `search_text` holds the ServiceID, the organizations' and objects' names
//! and the purpose in Unicode lower case, written by the repository when a
//! request is filed (here for existing rows): SQLite's `lower()` folds only
//! ASCII, so a case-insensitive Cyrillic filter behaves alike on both
//! databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntegrationRequests {
    Table,
    SearchText,
    CreatedAt,
    DueAt,
    ServiceId,
    ConsumerOrganizationId,
    State,
}

const COLUMNS: [&str; 7] = [
    "service_key",
    "object_name",
    "owner_organization_name",
    "consumer_organization_name",
    "consumer_object_name",
    "consumer_short_name",
    "purpose",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IntegrationRequests::Table)
                    .add_column(
                        ColumnDef::new(IntegrationRequests::SearchText)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT id, {} FROM integration_requests",
                    COLUMNS.join(", ")
                ),
            ))
            .await?;
        for row in rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let mut parts = Vec::with_capacity(COLUMNS.len());
            for c in COLUMNS {
                parts.push(row.try_get::<String>("", c)?);
            }
            let sql = match backend {
                sea_orm_migration::sea_orm::DbBackend::Postgres => {
                    "UPDATE integration_requests SET search_text = $1 WHERE id = $2"
                }
                _ => "UPDATE integration_requests SET search_text = ? WHERE id = ?",
            };
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    Value::from(parts.join("\n").to_lowercase()),
                    Value::from(id),
                ],
            ))
            .await?;
        }
        for (name, col) in [
            ("idx_ir_created_at", IntegrationRequests::CreatedAt),
            ("idx_ir_due_at", IntegrationRequests::DueAt),
            ("idx_ir_service", IntegrationRequests::ServiceId),
            (
                "idx_ir_consumer_organization",
                IntegrationRequests::ConsumerOrganizationId,
            ),
            ("idx_ir_state", IntegrationRequests::State),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(IntegrationRequests::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "idx_ir_created_at",
            "idx_ir_due_at",
            "idx_ir_service",
            "idx_ir_consumer_organization",
            "idx_ir_state",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(IntegrationRequests::Table)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(IntegrationRequests::Table)
                    .drop_column(IntegrationRequests::SearchText)
                    .to_owned(),
            )
            .await
    }
}
