//! Informatization objects (IO) of e-government: what is recorded about them
//! and which changes are allowed (003 §4–§9, 001 §2 item 23, §3).

use chrono::NaiveDate;

use crate::error::{DomainError, text_field};
use crate::vocabulary;

vocabulary! {
    /// Kinds of informatization object (001 §2 item 23; 003 §4).
    pub enum ObjectKind {
        /// A state electronic information resource.
        StateElectronicInformationResource = "STATE_ELECTRONIC_INFORMATION_RESOURCE" { kk: "Мемлекеттік электрондық ақпараттық ресурс", ru: "Государственный электронный информационный ресурс", en: "State electronic information resource" },
        /// An information system.
        InformationSystem = "INFORMATION_SYSTEM" { kk: "Ақпараттық жүйе", ru: "Информационная система", en: "Information system" },
        /// Software of a state body.
        StateBodySoftware = "STATE_BODY_SOFTWARE" { kk: "Мемлекеттік органның бағдарламалық қамтылымы", ru: "Программное обеспечение государственного органа", en: "State body software" },
        /// A state body's internet resource.
        InternetResource = "INTERNET_RESOURCE" { kk: "Интернет-ресурс", ru: "Интернет-ресурс", en: "Internet resource" },
        /// An object of the e-government ICT infrastructure.
        IctInfrastructureObject = "ICT_INFRASTRUCTURE_OBJECT" { kk: "АКТ инфрақұрылымы объектісі", ru: "Объект информационно-коммуникационной инфраструктуры", en: "ICT infrastructure object" },
        /// A service software product.
        ServiceSoftwareProduct = "SERVICE_SOFTWARE_PRODUCT" { kk: "Сервистік бағдарламалық өнім", ru: "Сервисный программный продукт", en: "Service software product" },
    }
}

vocabulary! {
    /// Stages of an object's life cycle (003 §4.2; 000 §2 items 4-1, 4-2).
    pub enum LifeCycleStage {
        /// Being created.
        Creation = "CREATION" { kk: "Құру", ru: "Создание", en: "Creation" },
        /// Pilot operation.
        PilotOperation = "PILOT_OPERATION" { kk: "Тәжірибелік пайдалану", ru: "Опытная эксплуатация", en: "Pilot operation" },
        /// Industrial (production) operation.
        IndustrialOperation = "INDUSTRIAL_OPERATION" { kk: "Өнеркәсіптік пайдалану", ru: "Промышленная эксплуатация", en: "Industrial operation" },
        /// Development (further development while in operation).
        Development = "DEVELOPMENT" { kk: "Дамыту", ru: "Развитие", en: "Development" },
        /// Industrial operation terminated.
        Decommissioned = "DECOMMISSIONED" { kk: "Өнеркәсіптік пайдалану тоқтатылды", ru: "Промышленная эксплуатация прекращена", en: "Decommissioned" },
    }
}

vocabulary! {
    /// Where an object stands in the integrator's verification (003 §7–§8).
    pub enum RegistrationStatus {
        /// Being recorded by its owner; not yet submitted.
        Draft = "DRAFT" { kk: "Жоба", ru: "Черновик", en: "Draft" },
        /// Submitted complete; the integrator is verifying it (5 working days).
        Submitted = "SUBMITTED" { kk: "Тексеруде", ru: "На проверке", en: "Under review" },
        /// Returned by the integrator with remarks to correct.
        Returned = "RETURNED" { kk: "Пысықтауға қайтарылды", ru: "Возвращено на доработку", en: "Returned with remarks" },
        /// Verified; the accounting code is assigned.
        Registered = "REGISTERED" { kk: "Тіркелді", ru: "Зарегистрирован", en: "Registered" },
    }
}

vocabulary! {
    /// Objects not integrated through the e-government gateways (001 §3).
    pub enum IntegrationExclusion {
        /// Services of certification authorities.
        CertificationAuthority = "CERTIFICATION_AUTHORITY" { kk: "Куәландырушы орталықтың сервистері", ru: "Сервисы удостоверяющих центров", en: "Certification authority services" },
        /// Objects processing state secrets.
        StateSecrets = "STATE_SECRETS" { kk: "Мемлекеттік құпиялар", ru: "Государственные секреты", en: "State secrets" },
        /// Objects processing data marked "for official use".
        OfficialUseOnly = "OFFICIAL_USE_ONLY" { kk: "Қызмет бабында пайдалану үшін", ru: "Для служебного пользования", en: "For official use only" },
        /// Objects of the Government's analytical data platform.
        GovernmentAnalyticsPlatform = "GOVERNMENT_ANALYTICS_PLATFORM" { kk: "Үкіметтің деректерді талдау платформасы", ru: "Аналитическая платформа данных Правительства", en: "Government analytical data platform" },
        /// Open-data services over OpenAPI/REST.
        OpenDataRest = "OPEN_DATA_REST" { kk: "Ашық деректер сервистері (REST)", ru: "Сервисы открытых данных (REST)", en: "Open-data REST services" },
    }
}

vocabulary! {
    /// How one object relates to another.
    pub enum RelationKind {
        /// This object is a component of the other.
        PartOf = "PART_OF" { kk: "Құрамдас бөлігі", ru: "Входит в состав", en: "Part of" },
        /// This object uses (consumes) the other.
        Uses = "USES" { kk: "Пайдаланады", ru: "Использует", en: "Uses" },
    }
}

impl LifeCycleStage {
    /// The stages an object may move to from this one. Pilot operation may be
    /// skipped; development returns to industrial operation; a decommissioned
    /// object is final.
    pub fn next_stages(self) -> &'static [LifeCycleStage] {
        use LifeCycleStage::*;
        match self {
            Creation => &[PilotOperation, IndustrialOperation, Decommissioned],
            PilotOperation => &[IndustrialOperation, Decommissioned],
            IndustrialOperation => &[Development, Decommissioned],
            Development => &[IndustrialOperation, Decommissioned],
            Decommissioned => &[],
        }
    }
}

/// Checks a move from the current stage (begun on `since`) to `next`, begun on `on`.
pub fn check_stage_change(
    current: LifeCycleStage,
    since: NaiveDate,
    next: LifeCycleStage,
    on: NaiveDate,
) -> Result<(), DomainError> {
    if !current.next_stages().contains(&next) {
        return Err(DomainError::InvalidInput {
            field: "stage".into(),
            reason: crate::LocalizedText::new(
                format!(
                    "«{}» кезеңінен «{}» кезеңіне өтуге болмайды",
                    current.label().kk,
                    next.label().kk
                ),
                format!(
                    "переход из стадии «{}» в «{}» недопустим",
                    current.label().ru,
                    next.label().ru
                ),
                format!(
                    "cannot move from stage {} to {}",
                    current.label().en,
                    next.label().en
                ),
            ),
        });
    }
    if on < since {
        return Err(DomainError::invalid(
            "stageStartedOn",
            "жаңа кезең алдыңғысынан ерте басталмайды",
            "новая стадия не может начаться раньше предыдущей",
            "a stage cannot begin before the previous one",
        ));
    }
    Ok(())
}

/// Longest full name of an object.
pub const MAX_NAME: usize = 1000;
/// Longest short name.
pub const MAX_SHORT_NAME: usize = 100;
/// Longest purpose/description.
pub const MAX_PURPOSE: usize = 10_000;

/// The descriptive data of an object, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectData {
    /// Kind of object.
    pub kind: ObjectKind,
    /// Full name in Kazakh, without abbreviations.
    pub name_kk: String,
    /// Full name in Russian, without abbreviations.
    pub name_ru: String,
    /// Short name (abbreviation).
    pub short_name: String,
    /// Purpose and description.
    pub purpose: String,
    /// Whether the object processes personal data (001 §45-7).
    pub contains_personal_data: bool,
    /// The 001 §3 exclusion it falls under, if any.
    pub exclusion: Option<IntegrationExclusion>,
}

/// Raw descriptive fields as a client sends them.
#[derive(Debug, Clone, Default)]
pub struct ObjectPatch {
    /// New kind.
    pub kind: Option<ObjectKind>,
    /// New full name in Kazakh.
    pub name_kk: Option<String>,
    /// New full name in Russian.
    pub name_ru: Option<String>,
    /// New short name.
    pub short_name: Option<String>,
    /// New purpose.
    pub purpose: Option<String>,
    /// New personal-data flag.
    pub contains_personal_data: Option<bool>,
    /// New exclusion: `Some(None)` clears it.
    pub exclusion: Option<Option<IntegrationExclusion>>,
}

/// One changed field in an object's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// The field, as the API names it.
    pub field: String,
    /// The value before (absent for a new object or an empty optional).
    pub from: Option<String>,
    /// The value after.
    pub to: Option<String>,
}

impl ObjectData {
    /// Validates a new object's fields.
    pub fn parse(
        kind: ObjectKind,
        name_kk: &str,
        name_ru: &str,
        short_name: &str,
        purpose: &str,
        contains_personal_data: bool,
        exclusion: Option<IntegrationExclusion>,
    ) -> Result<ObjectData, DomainError> {
        Ok(ObjectData {
            kind,
            name_kk: text_field("nameKk", name_kk, MAX_NAME)?,
            name_ru: text_field("nameRu", name_ru, MAX_NAME)?,
            short_name: text_field("shortName", short_name, MAX_SHORT_NAME)?,
            purpose: text_field("purpose", purpose, MAX_PURPOSE)?,
            contains_personal_data,
            exclusion,
        })
    }

    /// Applies a patch, validating every field it sets.
    pub fn apply(&self, patch: &ObjectPatch) -> Result<ObjectData, DomainError> {
        ObjectData::parse(
            patch.kind.unwrap_or(self.kind),
            patch.name_kk.as_deref().unwrap_or(&self.name_kk),
            patch.name_ru.as_deref().unwrap_or(&self.name_ru),
            patch.short_name.as_deref().unwrap_or(&self.short_name),
            patch.purpose.as_deref().unwrap_or(&self.purpose),
            patch
                .contains_personal_data
                .unwrap_or(self.contains_personal_data),
            patch.exclusion.unwrap_or(self.exclusion),
        )
    }

    fn fields(&self) -> [(&'static str, Option<String>); 7] {
        [
            ("kind", Some(self.kind.code().to_owned())),
            ("nameKk", Some(self.name_kk.clone())),
            ("nameRu", Some(self.name_ru.clone())),
            ("shortName", Some(self.short_name.clone())),
            ("purpose", Some(self.purpose.clone())),
            (
                "containsPersonalData",
                Some(self.contains_personal_data.to_string()),
            ),
            ("exclusion", self.exclusion.map(|e| e.code().to_owned())),
        ]
    }

    /// The fields that differ between `self` (before) and `after`.
    pub fn diff(&self, after: &ObjectData) -> Vec<FieldChange> {
        self.fields()
            .into_iter()
            .zip(after.fields())
            .filter(|((_, a), (_, b))| a != b)
            .map(|((field, from), (_, to))| FieldChange {
                field: field.to_owned(),
                from,
                to,
            })
            .collect()
    }

    /// Every field as a change from nothing: the first version's record.
    pub fn as_created(&self) -> Vec<FieldChange> {
        self.fields()
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .map(|(field, to)| FieldChange {
                field: field.to_owned(),
                from: None,
                to,
            })
            .collect()
    }
}

/// Whether the owner may change an object now: not while the integrator
/// reviews it (003 §8), and never once archived.
pub fn check_editable(status: RegistrationStatus, archived: bool) -> Result<(), DomainError> {
    if archived {
        return Err(DomainError::state(
            "объект мұрағатта: өзгертуге болмайды",
            "объект в архиве: изменения невозможны",
            "the object is archived and cannot be changed",
        ));
    }
    if status == RegistrationStatus::Submitted {
        return Err(DomainError::state(
            "объект интегратордың тексеруінде: тексеру аяқталғанша өзгертуге болмайды",
            "объект на проверке у интегратора: изменения невозможны до её завершения",
            "the object is under the integrator's review and cannot be changed until it ends",
        ));
    }
    Ok(())
}

/// Checks a new relation `from → to` given the existing `part_of` edges
/// (child, parent): no self-relation, and no cycle of "part of".
pub fn check_relation<Id: PartialEq + Copy>(
    from: Id,
    to: Id,
    kind: RelationKind,
    part_of_edges: &[(Id, Id)],
) -> Result<(), DomainError> {
    if from == to {
        return Err(DomainError::invalid(
            "relations",
            "объект өзіне қатысты бола алмайды",
            "объект не может ссылаться на себя",
            "an object cannot relate to itself",
        ));
    }
    if kind == RelationKind::PartOf {
        // Walk up from `to`: reaching `from` would close a cycle.
        let mut frontier = vec![to];
        let mut steps = 0usize;
        while let Some(node) = frontier.pop() {
            steps += 1;
            if node == from || steps > part_of_edges.len() + 1 {
                return Err(DomainError::invalid(
                    "relations",
                    "«құрамдас бөлігі» байланысы циклді құрайды",
                    "связь «входит в состав» образует цикл",
                    "the part-of relation would form a cycle",
                ));
            }
            frontier.extend(
                part_of_edges
                    .iter()
                    .filter(|(child, _)| *child == node)
                    .map(|(_, parent)| *parent),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> ObjectData {
        ObjectData::parse(
            ObjectKind::InformationSystem,
            "Электрондық үкімет порталы",
            "Портал электронного правительства",
            "ЭҮП",
            "Мемлекеттік қызметтер көрсету",
            true,
            None,
        )
        .unwrap()
    }

    #[test]
    fn stage_machine() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        use LifeCycleStage::*;
        assert!(
            check_stage_change(Creation, d("2025-01-01"), PilotOperation, d("2025-03-01")).is_ok()
        );
        assert!(
            check_stage_change(
                Creation,
                d("2025-01-01"),
                IndustrialOperation,
                d("2025-01-01")
            )
            .is_ok()
        );
        assert!(
            check_stage_change(Creation, d("2025-01-01"), Development, d("2025-03-01")).is_err()
        );
        assert!(
            check_stage_change(
                PilotOperation,
                d("2025-03-01"),
                IndustrialOperation,
                d("2025-02-01")
            )
            .is_err()
        );
        assert!(
            check_stage_change(
                Decommissioned,
                d("2025-03-01"),
                IndustrialOperation,
                d("2025-04-01")
            )
            .is_err()
        );
        for stage in LifeCycleStage::ALL {
            assert!(
                !stage.next_stages().contains(stage),
                "{stage} may move to itself"
            );
        }
    }

    #[test]
    fn patch_and_diff() {
        let before = data();
        let patch = ObjectPatch {
            short_name: Some(" ЭҮП-2 ".into()),
            exclusion: Some(Some(IntegrationExclusion::OfficialUseOnly)),
            ..Default::default()
        };
        let after = before.apply(&patch).unwrap();
        let diff = before.diff(&after);
        assert_eq!(diff.len(), 2);
        assert_eq!(
            diff[0],
            FieldChange {
                field: "shortName".into(),
                from: Some("ЭҮП".into()),
                to: Some("ЭҮП-2".into())
            }
        );
        assert_eq!(diff[1].field, "exclusion");
        assert!(
            before
                .apply(&ObjectPatch {
                    name_ru: Some("  ".into()),
                    ..Default::default()
                })
                .is_err()
        );
        assert_eq!(before.as_created().len(), 6);
    }

    #[test]
    fn editability() {
        assert!(check_editable(RegistrationStatus::Draft, false).is_ok());
        assert!(check_editable(RegistrationStatus::Registered, false).is_ok());
        assert!(check_editable(RegistrationStatus::Submitted, false).is_err());
        assert!(check_editable(RegistrationStatus::Draft, true).is_err());
    }

    #[test]
    fn relations_refuse_self_and_cycles() {
        let edges = [(2, 1), (3, 2)]; // 3 ⊂ 2 ⊂ 1
        assert!(check_relation(1, 1, RelationKind::Uses, &edges).is_err());
        assert!(check_relation(1, 3, RelationKind::PartOf, &edges).is_err());
        assert!(check_relation(4, 3, RelationKind::PartOf, &edges).is_ok());
        assert!(check_relation(1, 3, RelationKind::Uses, &edges).is_ok());
    }

    #[test]
    fn vocabulary_codes_round_trip() {
        for kind in ObjectKind::ALL {
            assert_eq!(ObjectKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(LifeCycleStage::from_code("PILOT"), None);
    }
}
