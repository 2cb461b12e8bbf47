//! Analysts' queries: a normalized search column on objects and indexes for
//! the sortable columns.
//!
//! `search_text` holds the names and short name in Unicode lower case,
//! written by the repository on every change. SQLite's `lower()` folds only
//! ASCII, so the folding happens in Rust (here for existing rows, in
//! `storage::object` afterwards) and a case-insensitive search for Cyrillic
//! behaves the same on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InformatizationObjects {
    Table,
    SearchText,
    UpdatedAt,
    RegisteredAt,
    NameRu,
    StageStartedOn,
}

/// The folded text the search column holds for these names.
fn fold(name_kk: &str, name_ru: &str, short_name: &str) -> String {
    format!("{name_kk}\n{name_ru}\n{short_name}").to_lowercase()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InformatizationObjects::Table)
                    .add_column(
                        ColumnDef::new(InformatizationObjects::SearchText)
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
                "SELECT id, name_kk, name_ru, short_name FROM informatization_objects",
            ))
            .await?;
        for row in rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let kk: String = row.try_get("", "name_kk")?;
            let ru: String = row.try_get("", "name_ru")?;
            let short: String = row.try_get("", "short_name")?;
            let sql = match backend {
                sea_orm_migration::sea_orm::DbBackend::Postgres => {
                    "UPDATE informatization_objects SET search_text = $1 WHERE id = $2"
                }
                _ => "UPDATE informatization_objects SET search_text = ? WHERE id = ?",
            };
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [Value::from(fold(&kk, &ru, &short)), Value::from(id)],
            ))
            .await?;
        }
        for (name, col) in [
            ("idx_objects_updated_at", InformatizationObjects::UpdatedAt),
            (
                "idx_objects_registered_at",
                InformatizationObjects::RegisteredAt,
            ),
            ("idx_objects_name_ru", InformatizationObjects::NameRu),
            (
                "idx_objects_stage_started_on",
                InformatizationObjects::StageStartedOn,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(InformatizationObjects::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "idx_objects_updated_at",
            "idx_objects_registered_at",
            "idx_objects_name_ru",
            "idx_objects_stage_started_on",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(InformatizationObjects::Table)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(InformatizationObjects::Table)
                    .drop_column(InformatizationObjects::SearchText)
                    .to_owned(),
            )
            .await
    }
}
