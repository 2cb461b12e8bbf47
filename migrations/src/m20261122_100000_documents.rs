//! Technical documentation of informatization objects (003 §7, Annex 1):
//! one row per uploaded version of a document kind, holding the PDF/A-1 copy
//! and the DOCX draft by their SHA-256 (the blobs live in the blob store),
//! the conformance reports, the extracted texts and their similarity.
//!
//! The blob garbage collector keeps every blob a row names: the indexes on
//! `pdf_sha256` and `docx_sha256` answer "is this digest referenced?".

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    ObjectId,
    Kind,
    Version,
    PdfSha256,
    PdfSize,
    PdfFileName,
    PdfMediaType,
    DocxSha256,
    DocxSize,
    DocxFileName,
    DocxMediaType,
    PdfaReport,
    DocxReport,
    PdfText,
    DocxText,
    TextSimilarity,
    AcceptedWithFindings,
    UploadedBy,
    UploadedAt,
    SupersededAt,
}

#[derive(DeriveIden)]
enum InformatizationObjects {
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
                .table(Documents::Table)
                .col(pk_uuid(Documents::Id))
                .col(uuid(Documents::ObjectId))
                .col(string_len(Documents::Kind, 40))
                .col(integer(Documents::Version))
                .col(string_len(Documents::PdfSha256, 64))
                .col(big_integer(Documents::PdfSize))
                .col(string_len(Documents::PdfFileName, 255))
                .col(string_len(Documents::PdfMediaType, 100))
                .col(string_len(Documents::DocxSha256, 64))
                .col(big_integer(Documents::DocxSize))
                .col(string_len(Documents::DocxFileName, 255))
                .col(string_len(Documents::DocxMediaType, 100))
                .col(json(Documents::PdfaReport))
                .col(json(Documents::DocxReport))
                .col(text(Documents::PdfText))
                .col(text(Documents::DocxText))
                .col(double(Documents::TextSimilarity))
                .col(boolean(Documents::AcceptedWithFindings))
                .col(uuid(Documents::UploadedBy))
                .col(timestamp_with_time_zone(Documents::UploadedAt))
                .col(timestamp_with_time_zone_null(Documents::SupersededAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Documents::Table, Documents::ObjectId)
                        .to(InformatizationObjects::Table, InformatizationObjects::Id)
                        .on_delete(ForeignKeyAction::Restrict)
                        .on_update(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Documents::Table, Documents::UploadedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Restrict)
                        .on_update(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_documents_object_kind_version")
                .table(Documents::Table)
                .col(Documents::ObjectId)
                .col(Documents::Kind)
                .col(Documents::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_documents_pdf_sha256", Documents::PdfSha256),
            ("ix_documents_docx_sha256", Documents::DocxSha256),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Documents::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Documents::Table).to_owned())
            .await?;
        Ok(())
    }
}
