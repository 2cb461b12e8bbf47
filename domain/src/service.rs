//! The service registry: services published on the e-government gateways
//! (000 §2.19, 001 §2.22), with their description, gateway, protocol,
//! environments and life cycle.

use crate::error::{DomainError, text_field};
use crate::vocabulary;

vocabulary! {
    /// The gateway a service is published on.
    pub enum Gateway {
        /// The e-government gateway (ШЭП).
        Egg = "EGG" { kk: "«Электрондық үкімет» шлюзі (ЭҮШ)", ru: "Шлюз «электронного правительства» (ШЭП)", en: "E-government gateway (EGG)" },
        /// The external e-government gateway (ВШЭП).
        Eegg = "EEGG" { kk: "«Электрондық үкіметтің» сыртқы шлюзі (ЭҮСШ)", ru: "Внешний шлюз «электронного правительства» (ВШЭП)", en: "External e-government gateway (EEGG)" },
        /// The payment gateway (ПШЭП).
        Epg = "EPG" { kk: "«Электрондық үкіметтің» төлем шлюзі (ЭҮТШ)", ru: "Платежный шлюз «электронного правительства» (ПШЭП)", en: "E-government payment gateway (EPG)" },
    }
}

vocabulary! {
    /// The protocol a service speaks.
    pub enum Protocol {
        /// SOAP with a WSDL description.
        Soap = "SOAP" { kk: "SOAP", ru: "SOAP", en: "SOAP" },
        /// REST with an OpenAPI description.
        Rest = "REST" { kk: "REST", ru: "REST", en: "REST" },
    }
}

vocabulary! {
    /// How the consumer and the service interact (000 Annex 5: an IP address
    /// for synchronous services, a callback URL for asynchronous ones).
    pub enum Interaction {
        /// Request and response in one exchange.
        Synchronous = "SYNCHRONOUS" { kk: "Синхронды", ru: "Синхронный", en: "Synchronous" },
        /// The answer is delivered later to the consumer's callback.
        Asynchronous = "ASYNCHRONOUS" { kk: "Асинхронды", ru: "Асинхронный", en: "Asynchronous" },
    }
}

vocabulary! {
    /// Where a service stands.
    pub enum ServiceStatus {
        /// Registered for joint testing (001 §45-5).
        InTesting = "IN_TESTING" { kk: "Сынақта", ru: "На тестировании", en: "In testing" },
        /// In industrial operation.
        InProduction = "IN_PRODUCTION" { kk: "Өнеркәсіптік пайдалануда", ru: "В промышленной эксплуатации", en: "In production" },
        /// Switched off for a while, e.g. for unfixed errors (000 §14).
        Suspended = "SUSPENDED" { kk: "Тоқтатылған", ru: "Приостановлен", en: "Suspended" },
        /// Withdrawn for good.
        Withdrawn = "WITHDRAWN" { kk: "Шығарылған", ru: "Выведен", en: "Withdrawn" },
    }
}

vocabulary! {
    /// The format of a service's machine-readable description.
    pub enum SpecificationFormat {
        /// WSDL (SOAP services).
        Wsdl = "WSDL" { kk: "WSDL", ru: "WSDL", en: "WSDL" },
        /// OpenAPI / Swagger, as JSON or YAML (REST services).
        OpenApi = "OPENAPI" { kk: "OpenAPI", ru: "OpenAPI", en: "OpenAPI" },
    }
}

impl ServiceStatus {
    /// The statuses a service may move to: testing leads to production (or is
    /// abandoned), production may be suspended and resumed, withdrawal is final.
    pub fn next(self) -> &'static [ServiceStatus] {
        use ServiceStatus::*;
        match self {
            InTesting => &[InProduction, Withdrawn],
            InProduction => &[Suspended, Withdrawn],
            Suspended => &[InProduction, Withdrawn],
            Withdrawn => &[],
        }
    }

    /// Whether other organizations see it in the registry.
    pub fn is_published(self) -> bool {
        matches!(self, ServiceStatus::InProduction | ServiceStatus::Suspended)
    }
}

/// Checks a status change.
pub fn check_status_change(from: ServiceStatus, to: ServiceStatus) -> Result<(), DomainError> {
    if from == to || from.next().contains(&to) {
        return Ok(());
    }
    Err(DomainError::InvalidInput {
        field: "status".into(),
        reason: crate::LocalizedText::new(
            format!(
                "«{}» күйінен «{}» күйіне өтуге болмайды",
                from.label().kk,
                to.label().kk
            ),
            format!(
                "переход из статуса «{}» в «{}» недопустим",
                from.label().ru,
                to.label().ru
            ),
            format!("cannot move from {} to {}", from.label().en, to.label().en),
        ),
    })
}

/// The key of a published service on the gateway: 3–100 characters, a
/// letter first, then letters, digits, `_`, `-` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(String);

impl ServiceId {
    /// Parses a ServiceID, trimming white space.
    pub fn parse(raw: &str) -> Result<ServiceId, DomainError> {
        let s = raw.trim();
        let ok = (3..=100).contains(&s.len())
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if ok {
            Ok(ServiceId(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "serviceId",
                "ServiceID 3–100 таңба: әріптен басталады, содан кейін латын әріптері, цифрлар, _ - .",
                "ServiceID: 3–100 символов, начинается с буквы, далее латинские буквы, цифры, _ - .",
                "a ServiceID is 3–100 characters: a letter, then Latin letters, digits, _ - .",
            ))
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ServiceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks an environment address: an absolute `http(s)` URL with a host.
pub fn check_address(field: &str, raw: &str) -> Result<String, DomainError> {
    let s = text_field(field, raw, 2000)?;
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.contains(char::is_whitespace)
    });
    if host_ok {
        Ok(s)
    } else {
        Err(DomainError::invalid(
            field,
            "мекенжай http:// немесе https:// басталатын толық URL болуы керек",
            "адрес должен быть полным URL, начинающимся с http:// или https://",
            "the address must be an absolute http:// or https:// URL",
        ))
    }
}

/// Largest machine-readable description accepted.
pub const MAX_SPECIFICATION_BYTES: usize = 2 * 1024 * 1024;

/// Checks that a description is what its format says: a WSDL 1.1
/// `definitions` or WSDL 2.0 `description` document (no DOCTYPE), or an
/// OpenAPI/Swagger document in JSON or YAML naming its version.
pub fn check_specification(format: SpecificationFormat, text: &str) -> Result<(), DomainError> {
    let invalid =
        |kk: &str, ru: &str, en: &str| Err(DomainError::invalid("specification", kk, ru, en));
    if text.len() > MAX_SPECIFICATION_BYTES {
        return invalid(
            "сипаттама 2 МБ-тан аспауы керек",
            "описание не должно превышать 2 МБ",
            "the description may not exceed 2 MB",
        );
    }
    match format {
        SpecificationFormat::Wsdl => {
            if text.contains("<!DOCTYPE") {
                return invalid(
                    "WSDL ішінде DOCTYPE болмауы керек",
                    "WSDL не должен содержать DOCTYPE",
                    "a WSDL may not contain a DOCTYPE",
                );
            }
            let mut reader = quick_xml::Reader::from_str(text);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Start(e))
                    | Ok(quick_xml::events::Event::Empty(e)) => {
                        let name = e.local_name();
                        let local = name.as_ref();
                        return if local == b"definitions" || local == b"description" {
                            Ok(())
                        } else {
                            invalid(
                                "WSDL түбірі definitions немесе description болуы керек",
                                "корневой элемент WSDL должен быть definitions или description",
                                "the WSDL root element must be definitions or description",
                            )
                        };
                    }
                    Ok(quick_xml::events::Event::Eof) | Err(_) => {
                        return invalid(
                            "WSDL дұрыс XML емес",
                            "WSDL не является корректным XML",
                            "the WSDL is not well-formed XML",
                        );
                    }
                    Ok(_) => {}
                }
            }
        }
        SpecificationFormat::OpenApi => {
            let declares = match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => v
                    .get("openapi")
                    .or_else(|| v.get("swagger"))
                    .is_some_and(serde_json::Value::is_string),
                Err(_) => text
                    .lines()
                    .any(|l| l.starts_with("openapi:") || l.starts_with("swagger:")),
            };
            if declares {
                Ok(())
            } else {
                invalid(
                    "OpenAPI құжатында openapi немесе swagger нұсқасы көрсетілуі керек",
                    "документ OpenAPI должен указывать версию openapi или swagger",
                    "an OpenAPI document must declare its openapi or swagger version",
                )
            }
        }
    }
}

/// Longest service name.
pub const MAX_NAME: usize = 500;
/// Longest description of purpose.
pub const MAX_DESCRIPTION: usize = 10_000;

/// The descriptive data of a service, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceData {
    /// The key on the gateway.
    pub service_id: ServiceId,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English, when given.
    pub name_en: Option<String>,
    /// Full description of its purpose.
    pub description: String,
    /// Gateway it is published on.
    pub gateway: Gateway,
    /// Protocol.
    pub protocol: Protocol,
    /// Interaction.
    pub interaction: Interaction,
    /// Status.
    pub status: ServiceStatus,
    /// Version label.
    pub version: String,
    /// Whether it carries personal data (then access goes through the state
    /// personal-data access control service, 001 §45-7).
    pub personal_data: bool,
    /// Address in the test environment.
    pub test_address: Option<String>,
    /// Address in production.
    pub production_address: Option<String>,
}

/// A service's fields as a client or an import file gives them.
#[derive(Debug, Clone, Default)]
pub struct RawService {
    /// ServiceID.
    pub service_id: String,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// Description of purpose.
    pub description: String,
    /// Gateway code.
    pub gateway: String,
    /// Protocol code.
    pub protocol: String,
    /// Interaction code.
    pub interaction: String,
    /// Status code (default `IN_TESTING`).
    pub status: Option<String>,
    /// Version label.
    pub version: String,
    /// Personal data flag.
    pub personal_data: bool,
    /// Test address.
    pub test_address: Option<String>,
    /// Production address.
    pub production_address: Option<String>,
}

fn code_of<T>(
    field: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<T, DomainError> {
    parse(raw.trim()).ok_or_else(|| DomainError::InvalidInput {
        field: field.into(),
        reason: crate::LocalizedText::new(
            format!("белгісіз мән «{raw}»: {}", all.join(", ")),
            format!("неизвестное значение «{raw}»: допустимы {}", all.join(", ")),
            format!("unknown value \"{raw}\": one of {}", all.join(", ")),
        ),
    })
}

impl ServiceData {
    /// Validates raw fields: names and description present and bounded,
    /// codes known, addresses absolute URLs, and a service in production has
    /// its production address.
    pub fn parse(raw: &RawService) -> Result<ServiceData, DomainError> {
        let codes = |all: &[Gateway]| all.iter().map(|g| g.code()).collect::<Vec<_>>();
        let optional = |field: &str, v: &Option<String>| -> Result<Option<String>, DomainError> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(addr) => check_address(field, addr).map(Some),
            }
        };
        let data = ServiceData {
            service_id: ServiceId::parse(&raw.service_id)?,
            name_kk: text_field("nameKk", &raw.name_kk, MAX_NAME)?,
            name_ru: text_field("nameRu", &raw.name_ru, MAX_NAME)?,
            name_en: match raw.name_en.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(n) => Some(text_field("nameEn", n, MAX_NAME)?),
            },
            description: text_field("description", &raw.description, MAX_DESCRIPTION)?,
            gateway: code_of(
                "gateway",
                &raw.gateway,
                Gateway::from_code,
                &codes(Gateway::ALL),
            )?,
            protocol: code_of(
                "protocol",
                &raw.protocol,
                Protocol::from_code,
                &Protocol::ALL.iter().map(|p| p.code()).collect::<Vec<_>>(),
            )?,
            interaction: code_of(
                "interaction",
                &raw.interaction,
                Interaction::from_code,
                &Interaction::ALL
                    .iter()
                    .map(|i| i.code())
                    .collect::<Vec<_>>(),
            )?,
            status: match raw.status.as_deref().map(str::trim) {
                None | Some("") => ServiceStatus::InTesting,
                Some(code) => code_of(
                    "status",
                    code,
                    ServiceStatus::from_code,
                    &ServiceStatus::ALL
                        .iter()
                        .map(|s| s.code())
                        .collect::<Vec<_>>(),
                )?,
            },
            version: text_field("version", &raw.version, 40)?,
            personal_data: raw.personal_data,
            test_address: optional("testAddress", &raw.test_address)?,
            production_address: optional("productionAddress", &raw.production_address)?,
        };
        if data.status == ServiceStatus::InProduction && data.production_address.is_none() {
            return Err(DomainError::invalid(
                "productionAddress",
                "өнеркәсіптік пайдаланудағы сервистің өндірістік мекенжайы болуы керек",
                "у сервиса в промышленной эксплуатации должен быть промышленный адрес",
                "a service in production needs its production address",
            ));
        }
        Ok(data)
    }
}

/// The description format a protocol uses: WSDL for SOAP, OpenAPI for REST.
pub fn check_specification_matches(
    protocol: Protocol,
    format: SpecificationFormat,
) -> Result<(), DomainError> {
    let expected = match protocol {
        Protocol::Soap => SpecificationFormat::Wsdl,
        Protocol::Rest => SpecificationFormat::OpenApi,
    };
    if expected == format {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "specificationFormat",
            "SOAP сервисі WSDL-мен, REST сервисі OpenAPI-мен сипатталады",
            "SOAP-сервис описывается WSDL, REST-сервис — OpenAPI",
            "a SOAP service is described by WSDL, a REST service by OpenAPI",
        ))
    }
}

/// The columns of a services import, in order (CSV header; JSON keys).
pub const IMPORT_COLUMNS: [&str; 14] = [
    "service_id",
    "name_kk",
    "name_ru",
    "name_en",
    "description",
    "object",
    "gateway",
    "protocol",
    "interaction",
    "status",
    "version",
    "personal_data",
    "test_address",
    "production_address",
];

/// One row of a services import: where it is, its fields, and the object
/// that provides it (an accounting code or an object id).
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// `line N` (CSV) or `index N` (JSON).
    pub at: String,
    /// The fields, not yet validated.
    pub raw: RawService,
    /// The providing object's accounting code or id, as written.
    pub object: String,
    /// A problem found while reading the row (bad flag), before validation.
    pub problem: Option<String>,
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "да" | "иә" => Some(true),
        "false" | "0" | "no" | "" | "нет" | "жоқ" => Some(false),
        _ => None,
    }
}

fn row_from(at: String, get: impl Fn(&str) -> String) -> ImportRow {
    let opt = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
    let flag = get("personal_data");
    let personal = parse_flag(&flag);
    ImportRow {
        raw: RawService {
            service_id: get("service_id"),
            name_kk: get("name_kk"),
            name_ru: get("name_ru"),
            name_en: opt("name_en"),
            description: get("description"),
            gateway: get("gateway"),
            protocol: get("protocol"),
            interaction: get("interaction"),
            status: opt("status"),
            version: get("version"),
            personal_data: personal.unwrap_or(false),
            test_address: opt("test_address"),
            production_address: opt("production_address"),
        },
        object: get("object").trim().to_owned(),
        problem: personal
            .is_none()
            .then(|| format!("personal_data: not a yes/no value: {flag}")),
        at,
    }
}

/// Reads a services import (CSV with the [`IMPORT_COLUMNS`] header, or a JSON
/// array of objects with those keys). Fails as a whole only when the file
/// itself is unreadable; each row is validated on its own by the caller, so
/// good rows are imported and bad ones reported.
pub fn parse_import(text: &str) -> Result<Vec<ImportRow>, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(trimmed).map_err(|e| format!("not a JSON array: {e}"))?;
        return Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                row_from(format!("index {i}"), |k| match item.get(k) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Bool(b)) => b.to_string(),
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                })
            })
            .collect());
    }
    let records = crate::csv::split(trimmed).map_err(|e| e.to_string())?;
    let mut records = records.into_iter();
    let header = records.next().ok_or("the file is empty")?;
    let names: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
    if names != IMPORT_COLUMNS {
        return Err(format!(
            "line 1: the header must be `{}`",
            IMPORT_COLUMNS.join(",")
        ));
    }
    Ok(records
        .map(|r| {
            let at = format!("line {}", r.line);
            if r.fields.len() != IMPORT_COLUMNS.len() {
                let mut row = row_from(at, |_| String::new());
                row.problem = Some(format!(
                    "expected {} fields, found {}",
                    IMPORT_COLUMNS.len(),
                    r.fields.len()
                ));
                return row;
            }
            row_from(at, |k| {
                IMPORT_COLUMNS
                    .iter()
                    .position(|c| *c == k)
                    .and_then(|i| r.fields.get(i))
                    .cloned()
                    .unwrap_or_default()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids() {
        assert!(ServiceId::parse(" GBDFL_PersonInfo-v2.1 ").is_ok());
        for bad in [
            "",
            "ab",
            "1abc",
            "abc def",
            "abc/def",
            "сервис",
            &"a".repeat(101),
        ] {
            assert!(ServiceId::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn status_machine() {
        use ServiceStatus::*;
        assert!(check_status_change(InTesting, InProduction).is_ok());
        assert!(check_status_change(InProduction, Suspended).is_ok());
        assert!(check_status_change(Suspended, InProduction).is_ok());
        assert!(check_status_change(Withdrawn, InProduction).is_err());
        assert!(check_status_change(InTesting, Suspended).is_err());
        assert!(InProduction.is_published() && !InTesting.is_published());
    }

    #[test]
    fn service_data() {
        let raw = RawService {
            service_id: "GBDFL_PersonInfo".into(),
            name_kk: "ЖТ МДБ".into(),
            name_ru: "ГБД ФЛ".into(),
            description: "Жеке тұлғалар туралы мәліметтер".into(),
            gateway: "EGG".into(),
            protocol: "SOAP".into(),
            interaction: "SYNCHRONOUS".into(),
            version: "1.0".into(),
            ..Default::default()
        };
        let data = ServiceData::parse(&raw).unwrap();
        assert_eq!(data.status, ServiceStatus::InTesting);
        let prod = RawService {
            status: Some("IN_PRODUCTION".into()),
            ..raw.clone()
        };
        assert_eq!(
            ServiceData::parse(&prod).unwrap_err().field(),
            Some("productionAddress")
        );
        let bad = RawService {
            gateway: "SHEP".into(),
            ..raw.clone()
        };
        assert_eq!(
            ServiceData::parse(&bad).unwrap_err().field(),
            Some("gateway")
        );
        assert!(check_specification_matches(Protocol::Soap, SpecificationFormat::OpenApi).is_err());
    }

    #[test]
    fn import_reads_csv_and_json_row_by_row() {
        let csv = "service_id,name_kk,name_ru,name_en,description,object,gateway,protocol,interaction,status,version,personal_data,test_address,production_address\n\
                   A_SVC,А,А,,\"Сипаттама, толық\",IO-2026-000001-16,EGG,SOAP,SYNCHRONOUS,,1.0,да,,\n\
                   B_SVC,Б,Б,,Б,x,EGG,SOAP,SYNCHRONOUS,,1.0,maybe,,\n\
                   short,row\n";
        let rows = parse_import(csv).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].at, "line 2");
        assert_eq!(rows[0].raw.description, "Сипаттама, толық");
        assert!(rows[0].raw.personal_data && rows[0].problem.is_none());
        assert_eq!(rows[0].object, "IO-2026-000001-16");
        assert!(
            rows[1]
                .problem
                .as_deref()
                .unwrap_or_default()
                .contains("personal_data")
        );
        assert!(
            rows[2]
                .problem
                .as_deref()
                .unwrap_or_default()
                .contains("expected 14 fields")
        );
        let json = r#"[{"service_id":"C_SVC","name_kk":"В","name_ru":"В","description":"В","object":"x","gateway":"EPG","protocol":"REST","interaction":"ASYNCHRONOUS","version":"2","personal_data":true}]"#;
        let rows = parse_import(json).unwrap();
        assert_eq!(
            (
                rows[0].at.as_str(),
                rows[0].raw.gateway.as_str(),
                rows[0].raw.personal_data
            ),
            ("index 0", "EPG", true)
        );
        assert!(parse_import("wrong,header\n").is_err());
    }

    #[test]
    fn addresses_and_specifications() {
        assert!(check_address("productionAddress", "https://shep.gov.kz/bip-sync/").is_ok());
        assert!(check_address("productionAddress", "shep.gov.kz").is_err());
        assert!(check_address("productionAddress", "https:///x").is_err());
        let wsdl = r#"<?xml version="1.0"?><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>"#;
        assert!(check_specification(SpecificationFormat::Wsdl, wsdl).is_ok());
        assert!(check_specification(SpecificationFormat::Wsdl, "<html/>").is_err());
        assert!(
            check_specification(SpecificationFormat::Wsdl, "<!DOCTYPE x><definitions/>").is_err()
        );
        assert!(check_specification(SpecificationFormat::Wsdl, "not xml").is_err());
        assert!(
            check_specification(
                SpecificationFormat::OpenApi,
                r#"{"openapi":"3.0.3","paths":{}}"#
            )
            .is_ok()
        );
        assert!(
            check_specification(
                SpecificationFormat::OpenApi,
                "openapi: 3.1.0\ninfo:\n  title: x\n"
            )
            .is_ok()
        );
        assert!(check_specification(SpecificationFormat::OpenApi, r#"{"paths":{}}"#).is_err());
    }
}
