//! Owner organizations and their business identification number (BIN).

use crate::error::{DomainError, text_field};
use crate::vocabulary;

vocabulary! {
    /// The kinds of entity that may own informatization objects (003 §2, §6:
    /// state bodies, local executive bodies, state legal entities and
    /// quasi-public-sector entities).
    pub enum OrganizationKind {
        /// A central state body (ministry, agency, committee).
        StateBody = "STATE_BODY" { kk: "Мемлекеттік орган", ru: "Государственный орган", en: "State body" },
        /// A local executive body (akimat).
        LocalExecutiveBody = "LOCAL_EXECUTIVE_BODY" { kk: "Жергілікті атқарушы орган", ru: "Местный исполнительный орган", en: "Local executive body" },
        /// A state legal entity (state enterprise or institution).
        StateLegalEntity = "STATE_LEGAL_ENTITY" { kk: "Мемлекеттік заңды тұлға", ru: "Государственное юридическое лицо", en: "State legal entity" },
        /// A quasi-public-sector entity (national company, holding).
        QuasiPublicEntity = "QUASI_PUBLIC_ENTITY" { kk: "Квазимемлекеттік сектор субъектісі", ru: "Субъект квазигосударственного сектора", en: "Quasi-public-sector entity" },
    }
}

/// A business identification number: 12 digits, the last a check digit.
///
/// The check digit is computed with weights 1..11 modulo 11; a result of 10
/// is recomputed with weights 3..11,1,2; a second 10 means the number is
/// never issued. Digits 3–4 are the month of registration and digit 5 the
/// kind of entity (4 resident legal entity, 5 non-resident, 6 individual
/// entrepreneur in joint venture), which catches IINs typed by mistake.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bin(String);

/// Computes the check digit of 11 leading IIN/BIN digits, `None` when the
/// number cannot be issued.
pub fn iin_bin_check_digit(digits: &[u8; 11]) -> Option<u8> {
    const FIRST: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let weighted = |weights: &[u32; 11]| {
        digits
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(*d) * w)
            .sum::<u32>()
            % 11
    };
    let first = weighted(&FIRST);
    if first != 10 {
        return u8::try_from(first).ok();
    }
    let second = weighted(&SECOND);
    if second != 10 {
        u8::try_from(second).ok()
    } else {
        None
    }
}

impl Bin {
    /// Parses a BIN, ignoring surrounding white space.
    pub fn parse(raw: &str) -> Result<Bin, DomainError> {
        let s = raw.trim();
        let invalid = |kk: &str, ru: &str, en: &str| Err(DomainError::invalid("bin", kk, ru, en));
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return invalid(
                "БСН дәл 12 цифрдан тұруы керек",
                "БИН должен состоять ровно из 12 цифр",
                "a BIN is exactly 12 digits",
            );
        }
        let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        let month = d[2] * 10 + d[3];
        if !(1..=12).contains(&month) || !(4..=6).contains(&d[4]) {
            return invalid(
                "БСН құрылымы қате (тіркелу айы немесе 5-ші цифр): бұл ЖСН болуы мүмкін",
                "неверная структура БИН (месяц регистрации или 5-я цифра): возможно, это ИИН",
                "not a BIN structure (month of registration or 5th digit): perhaps an IIN",
            );
        }
        let mut head = [0u8; 11];
        head.copy_from_slice(&d[..11]);
        match iin_bin_check_digit(&head) {
            Some(check) if check == d[11] => Ok(Bin(s.to_owned())),
            _ => invalid(
                "БСН бақылау цифры сәйкес келмейді",
                "контрольная цифра БИН не совпадает",
                "the BIN check digit does not match",
            ),
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Bin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest organization name accepted (official full names are long).
pub const MAX_ORGANIZATION_NAME: usize = 500;

/// A validated new organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    /// Business identification number.
    pub bin: Bin,
    /// Full official name in Kazakh.
    pub name_kk: String,
    /// Full official name in Russian.
    pub name_ru: String,
    /// Kind of entity.
    pub kind: OrganizationKind,
}

impl NewOrganization {
    /// Validates the raw fields.
    pub fn parse(
        bin: &str,
        name_kk: &str,
        name_ru: &str,
        kind: OrganizationKind,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            bin: Bin::parse(bin)?,
            name_kk: text_field("nameKk", name_kk, MAX_ORGANIZATION_NAME)?,
            name_ru: text_field("nameRu", name_ru, MAX_ORGANIZATION_NAME)?,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_a_real_bin() {
        // Kazakhtelecom JSC, as published in its annual report.
        assert_eq!(
            Bin::parse(" 940140000385 ").map(|b| b.to_string()),
            Ok("940140000385".into())
        );
    }

    #[test]
    fn rejects_malformed_bins() {
        for bad in [
            "",
            "94014000038",
            "9401400003851",
            "94014000038a",
            "940140000386",
            "941340000385",
        ] {
            assert!(Bin::parse(bad).is_err(), "{bad} accepted");
        }
        // An IIN (5th digit is the century/sex digit 1..6, month is a birth month);
        // 800101300019 has a valid checksum but 5th digit 3.
        let mut head = [8, 0, 0, 1, 0, 1, 3, 0, 0, 0, 1];
        head[10] = 1;
        let check = iin_bin_check_digit(&head).unwrap_or(0);
        let iin: String = head
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect();
        assert!(Bin::parse(&iin).is_err());
    }

    fn bin_head() -> impl Strategy<Value = [u8; 11]> {
        (
            0u8..=99,
            1u8..=12,
            4u8..=6,
            0u8..=3,
            proptest::array::uniform5(0u8..=9),
        )
            .prop_map(|(yy, mm, kind, attr, serial)| {
                [
                    yy / 10,
                    yy % 10,
                    mm / 10,
                    mm % 10,
                    kind,
                    attr,
                    serial[0],
                    serial[1],
                    serial[2],
                    serial[3],
                    serial[4],
                ]
            })
    }

    proptest! {
        #[test]
        fn every_issuable_bin_parses_and_any_other_check_digit_fails(head in bin_head()) {
            let digits = |check: u8| head.iter().chain(std::iter::once(&check)).map(|d| char::from(b'0' + d)).collect::<String>();
            match iin_bin_check_digit(&head) {
                Some(check) => {
                    prop_assert!(Bin::parse(&digits(check)).is_ok());
                    for other in (0..=9).filter(|c| *c != check) {
                        prop_assert!(Bin::parse(&digits(other)).is_err());
                    }
                }
                None => for c in 0..=9 { prop_assert!(Bin::parse(&digits(c)).is_err()); }
            }
        }
    }
}
