//! How many objects each organization has, live and archived, kept by
//! triggers on `informatization_objects` (issue 6).
//!
//! Every analyst list shows `totalCount`. Without a filter beyond the
//! organization and archiving, that count was an index-only scan of every
//! live object: on PostgreSQL with 20,000 objects it took 2.8–3.1 ms of the
//! 6.0–6.8 ms the database spent on a nested page of 50, and it grows with
//! the registry. With this table it is a sum over one row per organization.
//!
//! The table is derived: the triggers are its only writers, backups leave it
//! out, and a restore rebuilds it as the objects are inserted. There is no
//! foreign key to `organizations`, so that it never orders the restore. The
//! migration fills it from the objects already there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, uuid};
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveIden)]
enum ObjectCounts {
    Table,
    OrganizationId,
    Live,
    Archived,
}

/// What `object_counts` must hold, counted from the objects themselves: one
/// row (`organization_id`, `live`, `archived`) per organization that has
/// objects. The migration fills the table with it; the tests and the crash
/// harness compare the table with it.
pub const RECOUNT: &str = "SELECT organization_id, \
     SUM(CASE WHEN archived_at IS NULL THEN 1 ELSE 0 END) AS live, \
     SUM(CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END) AS archived \
     FROM informatization_objects GROUP BY organization_id";

/// One function for the three PostgreSQL triggers: an old row leaves its
/// bucket, a new row joins its own (the upsert creates an organization's
/// row with its first object).
const PG_FUNCTION: &str = "CREATE FUNCTION object_counts_apply() RETURNS trigger \
     LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP IN ('UPDATE', 'DELETE') THEN \
         UPDATE object_counts SET \
           live = live - (OLD.archived_at IS NULL)::int, \
           archived = archived - (OLD.archived_at IS NOT NULL)::int \
         WHERE organization_id = OLD.organization_id; \
       END IF; \
       IF TG_OP IN ('INSERT', 'UPDATE') THEN \
         INSERT INTO object_counts AS c (organization_id, live, archived) \
         VALUES (NEW.organization_id, (NEW.archived_at IS NULL)::int, \
                 (NEW.archived_at IS NOT NULL)::int) \
         ON CONFLICT (organization_id) DO UPDATE SET \
           live = c.live + EXCLUDED.live, archived = c.archived + EXCLUDED.archived; \
       END IF; \
       RETURN NULL; \
     END $$";

const PG_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER object_counts_insert_delete AFTER INSERT OR DELETE \
     ON informatization_objects FOR EACH ROW EXECUTE FUNCTION object_counts_apply()",
    // Only a change of bucket: most updates touch neither column.
    "CREATE TRIGGER object_counts_update AFTER UPDATE OF archived_at, organization_id \
     ON informatization_objects FOR EACH ROW \
     WHEN ((OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL) \
           OR OLD.organization_id <> NEW.organization_id) \
     EXECUTE FUNCTION object_counts_apply()",
];

const SQLITE_JOIN: &str = "INSERT INTO object_counts (organization_id, live, archived) \
     VALUES (NEW.organization_id, NEW.archived_at IS NULL, NEW.archived_at IS NOT NULL) \
     ON CONFLICT (organization_id) DO UPDATE SET \
     live = live + excluded.live, archived = archived + excluded.archived;";
const SQLITE_LEAVE: &str = "UPDATE object_counts SET \
     live = live - (OLD.archived_at IS NULL), \
     archived = archived - (OLD.archived_at IS NOT NULL) \
     WHERE organization_id = OLD.organization_id;";

fn sqlite_triggers() -> [String; 3] {
    [
        format!(
            "CREATE TRIGGER object_counts_insert AFTER INSERT ON informatization_objects \
             BEGIN {SQLITE_JOIN} END"
        ),
        format!(
            "CREATE TRIGGER object_counts_delete AFTER DELETE ON informatization_objects \
             BEGIN {SQLITE_LEAVE} END"
        ),
        format!(
            "CREATE TRIGGER object_counts_update AFTER UPDATE OF archived_at, organization_id \
             ON informatization_objects \
             WHEN (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL) \
               OR OLD.organization_id <> NEW.organization_id \
             BEGIN {SQLITE_LEAVE} {SQLITE_JOIN} END"
        ),
    ]
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ObjectCounts::Table)
                    .col(uuid(ObjectCounts::OrganizationId).primary_key())
                    .col(big_integer(ObjectCounts::Live).default(0))
                    .col(big_integer(ObjectCounts::Archived).default(0))
                    .to_owned(),
            )
            .await?;
        let c = manager.get_connection();
        // Filled before the triggers exist, in the migration's transaction,
        // before the service starts: no object is counted twice.
        c.execute_unprepared(&format!(
            "INSERT INTO object_counts (organization_id, live, archived) {RECOUNT}"
        ))
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            c.execute_unprepared(PG_FUNCTION).await?;
            for t in PG_TRIGGERS {
                c.execute_unprepared(t).await?;
            }
        } else {
            for t in sqlite_triggers() {
                c.execute_unprepared(&t).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            for t in ["object_counts_insert_delete", "object_counts_update"] {
                c.execute_unprepared(&format!("DROP TRIGGER {t} ON informatization_objects"))
                    .await?;
            }
            c.execute_unprepared("DROP FUNCTION object_counts_apply()")
                .await?;
        } else {
            for t in [
                "object_counts_insert",
                "object_counts_delete",
                "object_counts_update",
            ] {
                c.execute_unprepared(&format!("DROP TRIGGER {t}")).await?;
            }
        }
        manager
            .drop_table(Table::drop().table(ObjectCounts::Table).to_owned())
            .await
    }
}
