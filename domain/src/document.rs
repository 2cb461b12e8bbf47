//! The technical documentation of an informatization object: the 14 kinds of
//! Annex 1 to order 003 (as amended by order No. 257/НҚ of 30.04.2024), their
//! sub-documents and standards, and which kinds a submission needs at each
//! life-cycle stage. 003 §7: every document is placed as a PDF/A-1 copy that
//! fully shows the original together with its DOCX draft.

use crate::object::LifeCycleStage;
use crate::text::Label;
use crate::vocabulary;

vocabulary! {
    /// A kind of document recorded on the portal (003 Annex 1, items 1–14).
    pub enum DocumentKind {
        /// 1) Information-security technical documentation (Government decree No. 832 of 20.12.2016).
        SecurityDocumentation = "SECURITY_DOCUMENTATION" { kk: "Ақпараттық қауіпсіздік жөніндегі техникалық құжаттама", ru: "Техническая документация по информационной безопасности", en: "Information-security technical documentation" },
        /// 2) Protocols of testing for compliance with information-security requirements (order No. 111/НҚ of 03.06.2019).
        SecurityTestProtocols = "SECURITY_TEST_PROTOCOLS" { kk: "Ақпараттық қауіпсіздік талаптарына сәйкестікке сынақ хаттамалары", ru: "Протоколы испытаний на соответствие требованиям информационной безопасности", en: "Information-security compliance test protocols" },
        /// 3) Document confirming the object was put on the balance sheet.
        BalanceSheetRecord = "BALANCE_SHEET_RECORD" { kk: "Бухгалтерлік есепке қою фактісін растайтын құжат", ru: "Документ, подтверждающий постановку на бухгалтерский учет", en: "Balance-sheet (accounting) record" },
        /// 4) Document confirming termination of industrial operation.
        DecommissioningRecord = "DECOMMISSIONING_RECORD" { kk: "Өнеркәсіптік пайдаланудың тоқтатылғанын растайтын құжат", ru: "Документ, подтверждающий прекращение промышленной эксплуатации", en: "Record of termination of industrial operation" },
        /// 5) Data on state procurement contracts for informatization goods, works and services.
        ProcurementData = "PROCUREMENT_DATA" { kk: "Мемлекеттік сатып алу шарттарын жасасу туралы мәліметтер", ru: "Сведения о заключении договоров государственных закупок", en: "State procurement contract data" },
        /// 6) Operational documents: user guide and administrator guide.
        OperationalDocuments = "OPERATIONAL_DOCUMENTS" { kk: "Пайдалану құжаттары", ru: "Эксплуатационная документация", en: "Operational documents" },
        /// 7) Technical working design: specification, program description, explanatory note.
        TechnicalWorkingDesign = "TECHNICAL_WORKING_DESIGN" { kk: "Техно-жұмыс жобасы", ru: "Технорабочий проект", en: "Technical working design" },
        /// 8) Test programme and methodology, test protocols (GOST 34.603-92).
        TestProgrammeAndProtocols = "TEST_PROGRAMME_AND_PROTOCOLS" { kk: "Сынақ бағдарламасы мен әдістемесі, сынақ хаттамалары", ru: "Программа и методика испытаний, протоколы испытаний", en: "Test programme, methodology and protocols" },
        /// 9) Act of putting into pilot or industrial operation.
        CommissioningAct = "COMMISSIONING_ACT" { kk: "Тәжірибелік, өнеркәсіптік пайдалануға беру актісі", ru: "Акт ввода в опытную, промышленную эксплуатацию", en: "Act of putting into pilot or industrial operation" },
        /// 10) Data on approval of, and changes to, technical and design documentation.
        DocumentationApprovals = "DOCUMENTATION_APPROVALS" { kk: "Техникалық және жобалық құжаттаманы бекіту және өзгерістер енгізу туралы мәліметтер", ru: "Сведения об утверждении и изменении технической и проектной документации", en: "Approval of and changes to technical and design documentation" },
        /// 11) Technical specification / terms of reference (ST RK 34.015-2002).
        TermsOfReference = "TERMS_OF_REFERENCE" { kk: "Техникалық тапсырма", ru: "Техническое задание", en: "Terms of reference (technical specification)" },
        /// 12) Contracts for purchase, creation, development and support of the object.
        Contracts = "CONTRACTS" { kk: "Сатып алуға, құруға, дамытуға, қолдап отыруға арналған шарттар", ru: "Договоры на приобретение, создание, развитие, сопровождение", en: "Contracts for purchase, creation, development, support" },
        /// 13) Inventory list and characteristics of the object.
        InventoryList = "INVENTORY_LIST" { kk: "Түгендеу тізбесі мен сипаттамалары", ru: "Инвентаризационный перечень и характеристики", en: "Inventory list and characteristics" },
        /// 14) General information about an object being created or put into pilot operation.
        GeneralInformation = "GENERAL_INFORMATION" { kk: "Құрылатын немесе тәжірибелік пайдалануға берілетін объект туралы жалпы мәліметтер", ru: "Общие сведения о создаваемом или вводимом в опытную эксплуатацию объекте", en: "General information about an object being created or piloted" },
    }
}

/// One named part of a document kind, with the standard it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubDocument {
    /// Stable code.
    pub code: &'static str,
    /// Names.
    pub label: Label,
    /// The standard it follows, if any.
    pub standard: Option<&'static str>,
}

const fn sub(
    code: &'static str,
    kk: &'static str,
    ru: &'static str,
    en: &'static str,
    standard: Option<&'static str>,
) -> SubDocument {
    SubDocument {
        code,
        label: Label { kk, ru, en },
        standard,
    }
}

impl DocumentKind {
    /// The item number in Annex 1.
    pub fn annex_item(self) -> u8 {
        DocumentKind::ALL
            .iter()
            .position(|k| *k == self)
            .map_or(0, |i| u8::try_from(i + 1).unwrap_or(0))
    }

    /// The standard or act the kind refers to.
    pub fn standard(self) -> Option<&'static str> {
        match self {
            DocumentKind::SecurityDocumentation => {
                Some("Постановление Правительства РК № 832 от 20.12.2016")
            }
            DocumentKind::SecurityTestProtocols => Some("Приказ МЦРОАП РК № 111/НҚ от 03.06.2019"),
            DocumentKind::TechnicalWorkingDesign => {
                Some("ГОСТ 19.202-78, ГОСТ 19.402-78, ГОСТ 19.404-79")
            }
            DocumentKind::TestProgrammeAndProtocols => Some("ГОСТ 34.603-92"),
            DocumentKind::TermsOfReference => Some("СТ РК 34.015-2002"),
            _ => None,
        }
    }

    /// The parts Annex 1 names for kinds 6 and 7.
    pub fn sub_documents(self) -> &'static [SubDocument] {
        const OPERATIONAL: [SubDocument; 2] = [
            sub(
                "USER_GUIDE",
                "Пайдаланушы нұсқаулығы",
                "Руководство пользователя",
                "User guide",
                None,
            ),
            sub(
                "ADMINISTRATOR_GUIDE",
                "Әкімші нұсқаулығы",
                "Руководство администратора",
                "Administrator guide",
                None,
            ),
        ];
        const DESIGN: [SubDocument; 3] = [
            sub(
                "SPECIFICATION",
                "Ерекшелік",
                "Спецификация",
                "Specification",
                Some("ГОСТ 19.202-78"),
            ),
            sub(
                "PROGRAM_DESCRIPTION",
                "Бағдарламаның сипаттамасы",
                "Описание программы",
                "Program description",
                Some("ГОСТ 19.402-78"),
            ),
            sub(
                "EXPLANATORY_NOTE",
                "Түсіндірме жазба",
                "Пояснительная записка",
                "Explanatory note",
                Some("ГОСТ 19.404-79"),
            ),
        ];
        match self {
            DocumentKind::OperationalDocuments => &OPERATIONAL,
            DocumentKind::TechnicalWorkingDesign => &DESIGN,
            _ => &[],
        }
    }
}

/// Which document kinds a submission must carry at each stage: the rule as
/// data, so that it is read (and changed) in one place.
///
/// Annex 1 lists what is recorded, not when; the table follows the life
/// cycle of 003 §4.2 and the domain digest: terms of reference, procurement
/// data and contracts from creation on; the design, test and operational
/// documents and the commissioning act (kind 9) once the object is in pilot
/// or industrial operation; security test protocols, the balance-sheet record
/// and the inventory from industrial operation; general information (kind 14)
/// only while the object is created or piloted; the decommissioning record
/// (kind 4) only once operation has ended.
pub fn required_kinds(stage: LifeCycleStage) -> &'static [DocumentKind] {
    use DocumentKind::*;
    match stage {
        LifeCycleStage::Creation => &[
            ProcurementData,
            TermsOfReference,
            Contracts,
            GeneralInformation,
        ],
        LifeCycleStage::PilotOperation => &[
            SecurityDocumentation,
            ProcurementData,
            OperationalDocuments,
            TechnicalWorkingDesign,
            TestProgrammeAndProtocols,
            CommissioningAct,
            TermsOfReference,
            Contracts,
            GeneralInformation,
        ],
        LifeCycleStage::IndustrialOperation | LifeCycleStage::Development => &[
            SecurityDocumentation,
            SecurityTestProtocols,
            BalanceSheetRecord,
            ProcurementData,
            OperationalDocuments,
            TechnicalWorkingDesign,
            TestProgrammeAndProtocols,
            CommissioningAct,
            DocumentationApprovals,
            TermsOfReference,
            Contracts,
            InventoryList,
        ],
        LifeCycleStage::Decommissioned => &[
            SecurityDocumentation,
            SecurityTestProtocols,
            BalanceSheetRecord,
            DecommissioningRecord,
            OperationalDocuments,
            TechnicalWorkingDesign,
            CommissioningAct,
            TermsOfReference,
            Contracts,
            InventoryList,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_has_fourteen_numbered_kinds() {
        assert_eq!(DocumentKind::ALL.len(), 14);
        assert_eq!(DocumentKind::SecurityDocumentation.annex_item(), 1);
        assert_eq!(DocumentKind::GeneralInformation.annex_item(), 14);
        assert_eq!(DocumentKind::OperationalDocuments.sub_documents().len(), 2);
        assert_eq!(
            DocumentKind::TechnicalWorkingDesign.sub_documents()[2].standard,
            Some("ГОСТ 19.404-79")
        );
    }

    #[test]
    fn stage_rules_follow_the_digest() {
        use DocumentKind::*;
        // Kind 4 only once operation has ended; kind 9 once in pilot or industrial operation.
        for stage in LifeCycleStage::ALL {
            let req = required_kinds(*stage);
            assert_eq!(
                req.contains(&DecommissioningRecord),
                *stage == LifeCycleStage::Decommissioned,
                "{stage}"
            );
            assert_eq!(
                req.contains(&CommissioningAct),
                *stage != LifeCycleStage::Creation,
                "{stage}"
            );
            assert!(req.contains(&TermsOfReference), "{stage}");
            let mut sorted = req.to_vec();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), req.len(), "{stage} lists a kind twice");
        }
    }
}
