//! The optional second sign-in factor: time-based one-time passwords as
//! authenticator apps compute them (RFC 6238 over RFC 4226 HOTP: HMAC-SHA1,
//! 30-second steps, 6 digits), secrets in unpadded base32 (RFC 4648 §6), the
//! `otpauth://` key URI the apps scan, and single-use recovery codes.
//!
//! Pure functions: the caller supplies the random bytes and the time.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::error::DomainError;

/// The issuer shown by authenticator apps (and the label's prefix).
pub const ISSUER: &str = "archportal";
/// RFC 6238 §4.1 X: the time step, in seconds.
pub const STEP_SECS: i64 = 30;
/// Digits of a code (the apps' default).
pub const DIGITS: u32 = 6;
/// RFC 6238 §5.2: steps accepted either side of now, for clock drift.
pub const TOLERANCE_STEPS: i64 = 1;
/// Bytes of a new secret: 160 bits, the HMAC-SHA1 output size (RFC 4226 §4 R6).
pub const SECRET_BYTES: usize = 20;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes behind one recovery code (10 base32 characters, 50 bits).
pub const RECOVERY_CODE_BYTES: usize = 7;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 of `bytes` (RFC 4648 §6 alphabet) without `=` padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32, forgiving what people type or apps show: case, spaces,
/// hyphens and trailing `=` padding. `None` for any other character or an
/// impossible length.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
        .collect();
    let body = match clean.iter().position(|&b| b == b'=') {
        Some(i) if clean[i..].iter().all(|&b| b == b'=') => &clean[..i],
        Some(_) => return None,
        None => &clean[..],
    };
    // RFC 4648 §6: a final quantum has 2, 4, 5 or 7 characters.
    if matches!(body.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &c in body {
        let v = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    Some(out)
}

/// RFC 4226 §5.3 HOTP: the dynamically truncated HMAC-SHA1 of the big-endian
/// counter, reduced to `digits` decimal digits (zero-padded).
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = match <Hmac<Sha1> as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = (u32::from(hash[offset] & 0x7f) << 24)
        | (u32::from(hash[offset + 1]) << 16)
        | (u32::from(hash[offset + 2]) << 8)
        | u32::from(hash[offset + 3]);
    let code = u64::from(binary) % 10u64.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// RFC 6238 §4.2: the time step a Unix time falls in (T0 = 0, X = 30 s).
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// A shared TOTP secret (the raw key bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A secret from random bytes the caller drew (at least 16, RFC 4226 R6).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<TotpSecret, DomainError> {
        if bytes.len() < 16 {
            return Err(DomainError::invalid(
                "secret",
                "құпия кілт тым қысқа",
                "секретный ключ слишком короткий",
                "the secret is too short",
            ));
        }
        Ok(TotpSecret(bytes))
    }

    /// A secret as an app or a person shows it in base32.
    pub fn from_base32(text: &str) -> Result<TotpSecret, DomainError> {
        base32_decode(text)
            .ok_or_else(|| {
                DomainError::invalid(
                    "secret",
                    "құпия кілт base32 пішімінде емес",
                    "секретный ключ не в формате base32",
                    "the secret is not base32",
                )
            })
            .and_then(TotpSecret::from_bytes)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Unpadded base32, as the key URI carries it.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// Base32 in groups of four, for typing it into an app by hand.
    pub fn grouped(&self) -> String {
        let b32 = self.to_base32();
        let chars: Vec<char> = b32.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The code for one time step.
    pub fn code_at_step(&self, step: i64) -> String {
        hotp(&self.0, u64::try_from(step).unwrap_or(0), DIGITS)
    }

    /// The code valid at a Unix time.
    pub fn code_at(&self, unix_secs: i64) -> String {
        self.code_at_step(step_at(unix_secs))
    }

    /// Checks a code at `now_step`, accepting one step of drift either way
    /// (RFC 6238 §5.2) and only steps after `last_used` (§5.2: a code is
    /// accepted once). Returns the step matched, to be stored as the new
    /// last used step.
    pub fn verify(&self, code: &TotpCode, now_step: i64, last_used: Option<i64>) -> Option<i64> {
        let mut matched = None;
        for step in now_step - TOLERANCE_STEPS..=now_step + TOLERANCE_STEPS {
            if step < 0 || last_used.is_some_and(|last| step <= last) {
                continue;
            }
            // Compare every candidate, without early exit, in constant time.
            if constant_time_eq(self.code_at_step(step).as_bytes(), code.0.as_bytes())
                && matched.is_none()
            {
                matched = Some(step);
            }
        }
        matched
    }

    /// The `otpauth://totp/` key URI the apps scan (Google Authenticator key
    /// URI format): label `archportal:<e-mail>`, issuer, algorithm, digits, period.
    pub fn otpauth_uri(&self, account: &str) -> String {
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            percent_encode(ISSUER),
            percent_encode(account),
            self.to_base32(),
            percent_encode(ISSUER),
        )
    }
}

/// A six-digit code as typed (spaces allowed, e.g. "123 456").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    /// Six digits after removing spaces, or `None`.
    pub fn parse(raw: &str) -> Option<TotpCode> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(TotpCode(digits))
    }
}

/// A recovery code from random bytes: 10 base32 characters as `XXXXX-XXXXX`.
pub fn recovery_code(bytes: &[u8; RECOVERY_CODE_BYTES]) -> String {
    let b32 = base32_encode(bytes);
    let ten: String = b32.chars().take(10).collect();
    let (a, b) = ten.split_at(5);
    format!("{a}-{b}")
}

/// The canonical form of a typed recovery code (upper case, no separators),
/// which is what gets hashed; `None` when it cannot be one.
pub fn normalize_recovery_code(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == 10 && s.bytes().all(|b| ALPHABET.contains(&b))).then_some(s)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 3986 percent-encoding of a label part: unreserved characters and `@` stay.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors (padding removed: we write none, and the
    /// decoder accepts it either way).
    #[test]
    fn base32_rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ];
        for (plain, padded) in vectors {
            let unpadded = padded.trim_end_matches('=');
            assert_eq!(base32_encode(plain.as_bytes()), unpadded, "{plain}");
            assert_eq!(
                base32_decode(padded).as_deref(),
                Some(plain.as_bytes()),
                "{padded}"
            );
            assert_eq!(
                base32_decode(unpadded).as_deref(),
                Some(plain.as_bytes()),
                "{unpadded}"
            );
            assert_eq!(
                base32_decode(&unpadded.to_lowercase()).as_deref(),
                Some(plain.as_bytes())
            );
        }
        assert_eq!(base32_decode("MZ1W"), None, "1 is not in the alphabet");
        assert_eq!(
            base32_decode("MZX"),
            None,
            "3 characters cannot end a quantum"
        );
        assert_eq!(base32_decode("MY=A"), None, "data after padding");
    }

    /// RFC 6238 Appendix B, the SHA-1 rows (seed "12345678901234567890", 8 digits).
    #[test]
    fn totp_rfc6238_appendix_b_sha1() {
        let key = b"12345678901234567890";
        let rows = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, expected) in rows {
            let step = u64::try_from(step_at(t)).unwrap();
            assert_eq!(hotp(key, step, 8), expected, "T = {t}");
            // The six-digit code the apps show is the same number's last six digits.
            let secret = TotpSecret::from_bytes(key.to_vec()).unwrap();
            assert_eq!(secret.code_at(t), expected[2..], "T = {t}");
        }
    }

    /// RFC 4226 Appendix D: HOTP values for counters 0..9.
    #[test]
    fn hotp_rfc4226_appendix_d() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), *code);
        }
    }

    #[test]
    fn verify_accepts_one_step_of_drift_and_each_step_once() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        let now = step_at(1_111_111_111);
        for step in [now - 1, now, now + 1] {
            let code = TotpCode::parse(&secret.code_at_step(step)).unwrap();
            assert_eq!(secret.verify(&code, now, None), Some(step));
            assert_eq!(secret.verify(&code, now, Some(step)), None, "replay");
        }
        for step in [now - 2, now + 2] {
            let code = TotpCode::parse(&secret.code_at_step(step)).unwrap();
            assert_eq!(secret.verify(&code, now, None), None, "step {step}");
        }
        // An earlier step than the last one used is refused too.
        let code = TotpCode::parse(&secret.code_at_step(now - 1)).unwrap();
        assert_eq!(secret.verify(&code, now, Some(now)), None);
    }

    #[test]
    fn codes_and_secrets_parse() {
        assert!(TotpCode::parse("123 456").is_some());
        assert!(TotpCode::parse("12345").is_none());
        assert!(TotpCode::parse("12345a").is_none());
        assert!(TotpSecret::from_bytes(vec![0; 15]).is_err());
        let s = TotpSecret::from_bytes((0..20).collect()).unwrap();
        assert_eq!(s.to_base32().len(), 32);
        assert_eq!(TotpSecret::from_base32(&s.grouped()).unwrap(), s);
        assert_eq!(s.grouped().split(' ').count(), 8);
        assert_eq!(format!("{s:?}"), "TotpSecret(..)");
    }

    #[test]
    fn key_uri() {
        let s = TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(
            s.otpauth_uri("a.b+c@gov.kz"),
            "otpauth://totp/archportal:a.b%2Bc@gov.kz?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=archportal&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes() {
        let code = recovery_code(&[0xff; RECOVERY_CODE_BYTES]);
        assert_eq!(code, "77777-77777");
        assert_eq!(
            normalize_recovery_code(" 77777 - 77777 ").as_deref(),
            Some("7777777777")
        );
        assert_eq!(
            normalize_recovery_code("abcde-fghij").as_deref(),
            Some("ABCDEFGHIJ")
        );
        assert_eq!(normalize_recovery_code("12345-67890"), None);
        assert_eq!(normalize_recovery_code("ABCDE"), None);
    }
}
