//! sea-orm entities: the database rows. They never leave this crate as API
//! types; repositories convert them to and from domain types.

pub mod organization {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organizations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub bin: String,
        pub name_kk: String,
        pub name_ru: String,
        pub kind: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub email: String,
        pub full_name: String,
        pub password_hash: Option<String>,
        pub role: String,
        pub organization_id: Option<Uuid>,
        pub language: String,
        pub active: bool,
        pub failed_logins: i32,
        pub locked_until: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod refresh_token {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refresh_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub family_id: Uuid,
        pub token_hash: String,
        pub expires_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod object {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "informatization_objects")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub organization_id: Uuid,
        pub kind: String,
        pub name_kk: String,
        pub name_ru: String,
        pub short_name: String,
        pub purpose: String,
        pub stage: String,
        pub stage_started_on: Date,
        pub registration_status: String,
        pub accounting_code: Option<String>,
        pub contains_personal_data: bool,
        pub exclusion: Option<String>,
        pub version: i32,
        pub archived_at: Option<DateTimeUtc>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub update_due_at: Option<DateTimeUtc>,
        pub update_remarks: Option<String>,
        pub registered_data: Option<String>,
        pub registered_at: Option<DateTimeUtc>,
        /// Names and short name in Unicode lower case, for text filters.
        pub search_text: String,
        /// The `update_due_at` the "one working day left" reminder was written for.
        pub update_soon_reminded_for: Option<DateTimeUtc>,
        /// The `update_due_at` the "deadline passed" reminder was written for.
        pub update_passed_reminded_for: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod object_stage {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "object_stages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub object_id: Uuid,
        pub stage: String,
        pub started_on: Date,
        pub recorded_by: Uuid,
        pub recorded_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod object_relation {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "object_relations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub object_id: Uuid,
        pub target_id: Uuid,
        pub kind: String,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod object_version {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "object_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub object_id: Uuid,
        pub version: i32,
        pub action: String,
        pub actor_id: Uuid,
        pub changed_at: DateTimeUtc,
        pub changes: Json,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod service {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "services")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub service_id: String,
        pub name_kk: String,
        pub name_ru: String,
        pub name_en: Option<String>,
        pub description: String,
        pub object_id: Uuid,
        pub organization_id: Uuid,
        pub gateway: String,
        pub protocol: String,
        pub interaction: String,
        pub status: String,
        pub version: String,
        pub personal_data: bool,
        pub test_address: Option<String>,
        pub production_address: Option<String>,
        pub row_version: i32,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod service_consumer {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_consumers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub service_id: Uuid,
        pub organization_id: Uuid,
        pub object_id: Uuid,
        pub since: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod service_specification {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_specifications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub service_id: Uuid,
        pub format: String,
        pub content: String,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod calendar_entry {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub date: Date,
        pub kind: String,
        pub name_kk: String,
        pub name_ru: String,
        pub name_en: String,
        pub basis: String,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod calendar_version {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_version")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub version: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod account_request {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub bin: String,
        pub org_name_kk: String,
        pub org_name_ru: String,
        pub org_kind: String,
        pub full_name: String,
        pub position: String,
        pub email: String,
        pub phone: String,
        pub basis: String,
        pub language: String,
        pub status: String,
        pub received_at: DateTimeUtc,
        pub due_at: DateTimeUtc,
        pub decided_at: Option<DateTimeUtc>,
        pub decided_by: Option<Uuid>,
        pub reason: Option<String>,
        pub user_id: Option<Uuid>,
        pub organization_id: Option<Uuid>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod activation_token {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "activation_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub token_hash: String,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod review {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reviews")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub object_id: Uuid,
        pub kind: String,
        pub object_version: i32,
        pub submitted_at: DateTimeUtc,
        pub submitted_by: Uuid,
        pub due_at: DateTimeUtc,
        pub reviewer_id: Option<Uuid>,
        pub taken_at: Option<DateTimeUtc>,
        pub decided_at: Option<DateTimeUtc>,
        pub decided_by: Option<Uuid>,
        pub decision: Option<String>,
        pub remarks: Option<String>,
        pub accounting_code: Option<String>,
        /// When the "one working day left" reminder was written.
        pub soon_reminded_at: Option<DateTimeUtc>,
        /// When the "deadline passed" reminder was written.
        pub passed_reminded_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod outbox {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub idempotency_key: String,
        pub event: String,
        pub recipient: String,
        pub language: String,
        pub subject: String,
        pub body: String,
        pub created_at: DateTimeUtc,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub last_error: Option<String>,
        pub sent_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod outbox_attempt {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_attempts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub outbox_id: Uuid,
        pub attempted_at: DateTimeUtc,
        pub ok: bool,
        pub error: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit_log {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub at: DateTimeUtc,
        pub actor_id: Option<Uuid>,
        pub action: String,
        pub target_type: String,
        pub target_id: String,
        pub request_id: String,
        pub details: String,
        pub prev_hash: String,
        pub hash: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod index_outbox {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "index_outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub doc_kind: String,
        pub entity_id: Uuid,
        pub doc_id: String,
        pub created_at: DateTimeUtc,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub last_error: Option<String>,
        pub done_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod integration_request {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "integration_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub service_id: Uuid,
        pub consumer_object_id: Uuid,
        pub consumer_organization_id: Uuid,
        pub initiator_id: Uuid,
        pub owner_organization_name: String,
        pub service_key: String,
        pub object_name: String,
        pub basis_link: String,
        pub consumer_organization_name: String,
        pub consumer_object_name: String,
        pub consumer_short_name: String,
        pub system_address: String,
        pub purpose: String,
        pub consumer_non_state: bool,
        pub state: String,
        pub due_at: Option<DateTimeUtc>,
        pub row_version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub search_text: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod integration_request_step {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "integration_request_steps")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub request_id: Uuid,
        pub state: String,
        pub party: Option<String>,
        pub entered_at: DateTimeUtc,
        pub due_at: Option<DateTimeUtc>,
        pub actor_id: Uuid,
        pub note: Option<String>,
        pub completed_at: Option<DateTimeUtc>,
        /// When the "one working day left" reminder was written.
        pub soon_reminded_at: Option<DateTimeUtc>,
        /// When the "deadline passed" reminder was written.
        pub passed_reminded_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod document {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub object_id: Uuid,
        pub kind: String,
        pub version: i32,
        pub pdf_sha256: String,
        pub pdf_size: i64,
        pub pdf_file_name: String,
        pub pdf_media_type: String,
        pub docx_sha256: String,
        pub docx_size: i64,
        pub docx_file_name: String,
        pub docx_media_type: String,
        pub pdfa_report: Json,
        pub docx_report: Json,
        pub pdf_text: String,
        pub docx_text: String,
        pub text_similarity: f64,
        pub accepted_with_findings: bool,
        pub uploaded_by: Uuid,
        pub uploaded_at: DateTimeUtc,
        pub superseded_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod maintenance_window {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "maintenance_windows")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub service_id: Uuid,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub description_kk: String,
        pub description_ru: String,
        pub description_en: Option<String>,
        pub impact: String,
        pub off_hours_reason: Option<String>,
        pub outside_default_window: bool,
        pub announced_by: Uuid,
        pub announced_at: DateTimeUtc,
        pub cancelled_at: Option<DateTimeUtc>,
        pub cancelled_by: Option<Uuid>,
        pub cancel_reason: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user_totp {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_totp")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub secret: Option<String>,
        pub enabled_at: Option<DateTimeUtc>,
        pub last_step: Option<i64>,
        pub pending_secret: Option<String>,
        pub pending_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod recovery_code {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "recovery_codes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub code_hash: String,
        pub created_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
