//! Autovacuum of the objects table sooner than PostgreSQL's default (issue 6).
//!
//! Every analyst list counts the live objects with an index-only scan of
//! `ix_objects_live`, which is index-only only for the heap pages the
//! visibility map marks all-visible. Any update clears its page's mark, and
//! by default autovacuum waits for 20 % of the rows to be dead before it sets
//! the marks again. Measured on 20,000 objects (PostgreSQL 15) after the
//! first `serve` of a seeded database had written 2,355 update reminders:
//! the count took 14.4 ms with 15,871 heap fetches, and 1.7 ms with none
//! after a vacuum. At 2 % (plus 50 rows) the table is vacuumed after about
//! 450 changes, in the background, within a minute; after bulk inserts too.
//! SQLite has no vacuum of this kind: nothing to do there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE informatization_objects SET (\
                     autovacuum_vacuum_scale_factor = 0.02, \
                     autovacuum_vacuum_insert_scale_factor = 0.02, \
                     autovacuum_analyze_scale_factor = 0.02)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE informatization_objects RESET (\
                     autovacuum_vacuum_scale_factor, \
                     autovacuum_vacuum_insert_scale_factor, \
                     autovacuum_analyze_scale_factor)",
                )
                .await?;
        }
        Ok(())
    }
}
