//! The closed vocabularies as GraphQL enums, and their trilingual labels.

use archportal_domain::{object, organization, user};
use async_graphql::{Enum, Object, SimpleObject};

use crate::graphql::CtxExt;

mirror!(
    /// Kind of owner organization.
    OrganizationKind = "archportal_domain::organization::OrganizationKind" { StateBody, LocalExecutiveBody, StateLegalEntity, QuasiPublicEntity }
);
mirror!(
    /// Role of a portal user.
    Role = "archportal_domain::user::Role" { Owner, Integrator, Operator, Analyst, Admin }
);
mirror!(
    /// Kind of informatization object.
    ObjectKind = "archportal_domain::object::ObjectKind" {
        StateElectronicInformationResource, InformationSystem, StateBodySoftware, InternetResource,
        IctInfrastructureObject, ServiceSoftwareProduct
    }
);
mirror!(
    /// Stage of an object's life cycle.
    LifeCycleStage = "archportal_domain::object::LifeCycleStage" { Creation, PilotOperation, IndustrialOperation, Development, Decommissioned }
);
mirror!(
    /// Verification status of an object.
    RegistrationStatus = "archportal_domain::object::RegistrationStatus" { Draft, Submitted, Returned, Registered }
);
mirror!(
    /// 001 §3 exclusion from gateway integration.
    IntegrationExclusion = "archportal_domain::object::IntegrationExclusion" {
        CertificationAuthority, StateSecrets, OfficialUseOnly, GovernmentAnalyticsPlatform, OpenDataRest
    }
);
mirror!(
    /// How one object relates to another.
    RelationKind = "archportal_domain::object::RelationKind" { PartOf, Uses }
);
mirror!(
    /// A kind of technical document (003 Annex 1, items 1–14).
    DocumentKind = "archportal_domain::document::DocumentKind" {
        SecurityDocumentation, SecurityTestProtocols, BalanceSheetRecord, DecommissioningRecord,
        ProcurementData, OperationalDocuments, TechnicalWorkingDesign, TestProgrammeAndProtocols,
        CommissioningAct, DocumentationApprovals, TermsOfReference, Contracts, InventoryList,
        GeneralInformation
    }
);
mirror!(
    /// Where an account request stands (003 §6).
    AccountRequestStatus = "archportal_domain::account_request::AccountRequestStatus" { Pending, Approved, Rejected }
);
mirror!(
    /// The integrator's decision on a submission (003 §8).
    ReviewDecision = "archportal_domain::review::ReviewDecision" { Registered, Returned }
);
mirror!(
    /// What a submission asks the integrator to verify.
    SubmissionKind = "archportal_domain::review::SubmissionKind" { Initial, ChangeSet }
);

/// A language of the portal.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "archportal_domain::Lang")]
pub enum Language {
    /// Kazakh.
    Kk,
    /// Russian.
    Ru,
    /// English.
    En,
}

/// Which vocabulary to list.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum VocabularyName {
    /// Organization kinds.
    OrganizationKind,
    /// User roles.
    Role,
    /// Object kinds.
    ObjectKind,
    /// Life-cycle stages.
    LifeCycleStage,
    /// Registration statuses.
    RegistrationStatus,
    /// 001 §3 exclusions.
    IntegrationExclusion,
    /// Relation kinds.
    RelationKind,
}

/// One value of a vocabulary with its names.
#[derive(SimpleObject)]
pub struct VocabularyEntry {
    /// The enum value.
    pub code: &'static str,
    /// Name in Kazakh.
    pub name_kk: &'static str,
    /// Name in Russian.
    pub name_ru: &'static str,
    /// Name in English.
    pub name_en: &'static str,
    /// Name in the caller's language.
    pub name: &'static str,
}

/// Vocabulary queries.
#[derive(Default)]
pub struct VocabularyQuery;

fn entries<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> archportal_domain::text::Label,
    lang: archportal_domain::Lang,
) -> Vec<VocabularyEntry> {
    all.iter()
        .map(|v| {
            let l = label(*v);
            VocabularyEntry {
                code: code(*v),
                name_kk: l.kk,
                name_ru: l.ru,
                name_en: l.en,
                name: l.get(lang),
            }
        })
        .collect()
}

#[Object]
impl VocabularyQuery {
    /// The values of a vocabulary with their names in kk, ru and en (public).
    async fn vocabulary(
        &self,
        ctx: &async_graphql::Context<'_>,
        name: VocabularyName,
    ) -> Vec<VocabularyEntry> {
        let lang = ctx.req().lang;
        match name {
            VocabularyName::OrganizationKind => entries(
                organization::OrganizationKind::ALL,
                |v| v.code(),
                |v| v.label(),
                lang,
            ),
            VocabularyName::Role => entries(user::Role::ALL, |v| v.code(), |v| v.label(), lang),
            VocabularyName::ObjectKind => {
                entries(object::ObjectKind::ALL, |v| v.code(), |v| v.label(), lang)
            }
            VocabularyName::LifeCycleStage => entries(
                object::LifeCycleStage::ALL,
                |v| v.code(),
                |v| v.label(),
                lang,
            ),
            VocabularyName::RegistrationStatus => entries(
                object::RegistrationStatus::ALL,
                |v| v.code(),
                |v| v.label(),
                lang,
            ),
            VocabularyName::IntegrationExclusion => entries(
                object::IntegrationExclusion::ALL,
                |v| v.code(),
                |v| v.label(),
                lang,
            ),
            VocabularyName::RelationKind => {
                entries(object::RelationKind::ALL, |v| v.code(), |v| v.label(), lang)
            }
        }
    }
}
