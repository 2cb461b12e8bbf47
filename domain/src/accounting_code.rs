//! The accounting code of an informatization object (003 §4.5, §8).
//!
//! Format `IO-YYYY-NNNNNN-CC`: the year of registration, a six-digit
//! sequence within that year, and two check digits computed with ISO/IEC
//! 7064 MOD 97-10 over the ten digits before them (as IBAN does), so that a
//! mistyped or transposed digit is caught before any lookup.

use crate::error::DomainError;

/// A valid accounting code. Once assigned it never changes and is never reused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountingCode(String);

/// Largest sequence number a year can hold.
pub const MAX_SEQUENCE: u32 = 999_999;

/// ISO 7064 MOD 97-10 check digits of a decimal digit string: `98 - (n·100 mod 97)`.
pub fn mod97_check_digits(digits: &str) -> u8 {
    let remainder = digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .chain([b'0', b'0'])
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    // remainder < 97, so the result is in 1..=98.
    u8::try_from(98 - remainder).unwrap_or(0)
}

impl AccountingCode {
    /// Builds the code for the `sequence`-th registration of `year`.
    pub fn new(year: i32, sequence: u32) -> Result<AccountingCode, DomainError> {
        if !(2000..=9999).contains(&year) || sequence == 0 || sequence > MAX_SEQUENCE {
            return Err(DomainError::invalid(
                "accountingCode",
                "есептік код үшін жыл немесе реттік нөмір жарамсыз",
                "недопустимый год или порядковый номер учетного кода",
                "year or sequence out of range for an accounting code",
            ));
        }
        let digits = format!("{year:04}{sequence:06}");
        let check = mod97_check_digits(&digits);
        Ok(AccountingCode(format!(
            "IO-{year:04}-{sequence:06}-{check:02}"
        )))
    }

    /// Parses a code, checking its format and check digits. Case-insensitive
    /// prefix, surrounding white space ignored.
    pub fn parse(raw: &str) -> Result<AccountingCode, DomainError> {
        let s = raw.trim().to_ascii_uppercase();
        let malformed = || {
            DomainError::invalid(
                "accountingCode",
                "есептік код IO-ЖЖЖЖ-NNNNNN-CC пішімінде болуы керек",
                "учетный код должен иметь формат IO-ГГГГ-NNNNNN-CC",
                "an accounting code has the form IO-YYYY-NNNNNN-CC",
            )
        };
        let parts: Vec<&str> = s.split('-').collect();
        let [prefix, year, seq, check] = parts.as_slice() else {
            return Err(malformed());
        };
        let all_digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if *prefix != "IO" || !all_digits(year, 4) || !all_digits(seq, 6) || !all_digits(check, 2) {
            return Err(malformed());
        }
        let expected = mod97_check_digits(&format!("{year}{seq}"));
        if check.parse::<u8>().ok() != Some(expected) {
            return Err(DomainError::invalid(
                "accountingCode",
                "есептік кодтың бақылау цифрлары сәйкес келмейді",
                "контрольные цифры учетного кода не совпадают",
                "the accounting code's check digits do not match",
            ));
        }
        Ok(AccountingCode(s))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year of registration.
    pub fn year(&self) -> i32 {
        self.0[3..7].parse().unwrap_or_default()
    }

    /// The sequence within the year.
    pub fn sequence(&self) -> u32 {
        self.0[8..14].parse().unwrap_or_default()
    }
}

impl std::fmt::Display for AccountingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_check_digits() {
        // 2026000001 · 100 = 202600000100; mod 97 = 82; 98 - 82 = 16 (checked with Python).
        assert_eq!(
            AccountingCode::new(2026, 1).map(|c| c.to_string()),
            Ok("IO-2026-000001-16".into())
        );
        // The full number with its check digits is ≡ 1 (mod 97), as ISO 7064 requires.
        assert_eq!(202600000116u64 % 97, 1);
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in [
            "",
            "IO-2026-000001",
            "IO-2026-000001-17",
            "XX-2026-000001-16",
            "IO-26-000001-16",
            "IO-2026-00001-16",
        ] {
            assert!(AccountingCode::parse(bad).is_err(), "{bad} accepted");
        }
        assert!(AccountingCode::new(2026, 0).is_err());
        assert!(AccountingCode::new(2026, 1_000_000).is_err());
    }

    proptest! {
        #[test]
        fn round_trips_and_catches_single_digit_errors(year in 2000i32..=2099, seq in 1u32..=MAX_SEQUENCE, pos in 0usize..10, delta in 1u8..=9) {
            let code = AccountingCode::new(year, seq).unwrap();
            prop_assert_eq!(AccountingCode::parse(&code.to_string().to_lowercase()).unwrap(), code.clone());
            prop_assert_eq!((code.year(), code.sequence()), (year, seq));
            // Change one of the ten digits: MOD 97-10 detects every single substitution.
            let mut bytes = code.to_string().into_bytes();
            let idx = if pos < 4 { 3 + pos } else { 8 + pos - 4 };
            bytes[idx] = b'0' + (bytes[idx] - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(AccountingCode::parse(&typo).is_err());
        }
    }
}
