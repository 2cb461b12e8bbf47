//! Passwords (argon2id), access tokens (JWT, HS256 pinned) and refresh tokens
//! (random, stored as SHA-256, rotated on use). Signing keys rotate: tokens
//! carry the `kid` of their key, and previous keys stay valid for
//! verification while they are configured.
//!
//! TOTP secrets are sealed at rest with AES-256-GCM under a key derived
//! (HKDF-SHA256) from the same server secret, bound to the user's id; the
//! sealed form names the `kid` of its key, so that secrets sealed before a
//! key rotation still open while the previous key is configured, and are
//! re-sealed under the current key at their next use.

use std::path::Path;

use archportal_domain::access::Actor;
use archportal_domain::user::Role;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm as ArgonAlgorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf::{HKDF_SHA256, Salt};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::AuthConfig;

const ISSUER: &str = "archportal";

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Uuid>,
    iss: String,
    iat: i64,
    exp: i64,
}

/// Everything needed to issue and check credentials.
pub struct Authenticator {
    encoding: EncodingKey,
    /// The `kid` of the signing key.
    kid: String,
    /// Verification keys by `kid`: the signing key and the previous ones.
    decoding: std::collections::HashMap<String, DecodingKey>,
    validation: Validation,
    argon: Argon2<'static>,
    /// A hash to verify against when the account does not exist, so that
    /// timing does not reveal which e-mail addresses have accounts.
    dummy_hash: String,
    /// TOTP sealing keys by `kid` (derived from the signing key and the previous ones).
    totp_keys: std::collections::HashMap<String, LessSafeKey>,
    /// Settings.
    pub config: AuthConfig,
}

/// A sealed TOTP secret as stored, after it was opened.
pub struct OpenedSecret {
    /// The secret bytes.
    pub bytes: Vec<u8>,
    /// Sealed under a previous key: should be re-sealed under the current one.
    pub stale_key: bool,
}

const SEAL_VERSION: &str = "v1";
/// The HKDF `info` of the TOTP sealing key (RFC 5869 §3.2: binds the key to its use).
const TOTP_KEY_INFO: &[&[u8]] = &[b"totp-secret"];

/// The AES-256-GCM key for TOTP secrets derived from a server secret.
fn totp_key(secret: &[u8]) -> Result<LessSafeKey, KeyError> {
    let prk = Salt::new(HKDF_SHA256, b"archportal totp secret sealing v1").extract(secret);
    let okm = prk
        .expand(TOTP_KEY_INFO, &AES_256_GCM)
        .map_err(|_| KeyError::KeyIds("cannot derive the TOTP sealing key".into()))?;
    Ok(LessSafeKey::new(UnboundKey::from(okm)))
}

/// An issued access token.
pub struct AccessToken {
    /// The JWT.
    pub token: String,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
}

/// Why the signing key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the key file failed.
    #[error("signing key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Two keys share a `kid`, or one is empty.
    #[error("JWT keys: {0}")]
    KeyIds(String),
    /// Bad argon2 parameters.
    #[error("argon2 parameters: {0}")]
    Argon(String),
}

/// The configured key, or the one kept in `{data_dir}/jwt-secret`, created on first start.
pub fn load_or_create_secret(
    config: &AuthConfig,
    data_dir: &Path,
) -> Result<SecretString, KeyError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let path = data_dir.join("jwt-secret");
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(SecretString::from(s.trim().to_owned())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        #[cfg(unix)]
        use std::os::unix::fs::OpenOptionsExt;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        opts.mode(0o600);
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(secret.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(SecretString::from(secret))
}

/// A fresh random refresh token and the hash stored for it.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// The stored form of a refresh token.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Authenticator {
    /// Builds the authenticator from its settings and key.
    pub fn new(config: AuthConfig, secret: &SecretString) -> Result<Authenticator, KeyError> {
        let key = secret.expose_secret().as_bytes();
        let params = Params::new(config.argon2_memory_kib, config.argon2_iterations, 1, None)
            .map_err(|e| KeyError::Argon(e.to_string()))?;
        let argon = Argon2::new(ArgonAlgorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = argon
            .hash_password(b"no such account", &SaltString::generate(&mut OsRng))
            .map_err(|e| KeyError::Argon(e.to_string()))?
            .to_string();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 5;
        let kid = config.jwt_key_id.trim().to_owned();
        if kid.is_empty() {
            return Err(KeyError::KeyIds("auth.jwt_key_id is empty".into()));
        }
        let mut decoding = std::collections::HashMap::new();
        decoding.insert(kid.clone(), DecodingKey::from_secret(key));
        let mut totp_keys = std::collections::HashMap::new();
        totp_keys.insert(kid.clone(), totp_key(key)?);
        for previous in &config.jwt_previous_keys {
            let id = previous.kid.trim().to_owned();
            if id.is_empty() || previous.secret.expose_secret().len() < 32 {
                return Err(KeyError::KeyIds(
                    "each of auth.jwt_previous_keys needs a kid and a secret of 32+ characters"
                        .into(),
                ));
            }
            let dk = DecodingKey::from_secret(previous.secret.expose_secret().as_bytes());
            totp_keys.insert(
                id.clone(),
                totp_key(previous.secret.expose_secret().as_bytes())?,
            );
            if decoding.insert(id.clone(), dk).is_some() {
                return Err(KeyError::KeyIds(format!("kid {id} is used twice")));
            }
        }
        Ok(Authenticator {
            encoding: EncodingKey::from_secret(key),
            kid,
            decoding,
            validation,
            argon,
            dummy_hash,
            totp_keys,
            config,
        })
    }

    /// Seals a TOTP secret of `user` for storage: `v1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>`.
    pub fn seal_totp(&self, user: Uuid, secret: &[u8]) -> Option<String> {
        let key = self.totp_keys.get(&self.kid)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut in_out = secret.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(user.as_bytes()),
            &mut in_out,
        )
        .ok()?;
        let mut body = nonce.to_vec();
        body.extend_from_slice(&in_out);
        Some(format!(
            "{SEAL_VERSION}.{}.{}",
            self.kid,
            URL_SAFE_NO_PAD.encode(body)
        ))
    }

    /// Opens a sealed TOTP secret of `user`; `None` when its key is no
    /// longer configured or it was altered or belongs to another user.
    pub fn open_totp(&self, user: Uuid, sealed: &str) -> Option<OpenedSecret> {
        let rest = sealed.strip_prefix(SEAL_VERSION)?.strip_prefix('.')?;
        let (kid, body) = rest.rsplit_once('.')?;
        let key = self.totp_keys.get(kid)?;
        let mut body = URL_SAFE_NO_PAD.decode(body).ok()?;
        if body.len() < NONCE_LEN {
            return None;
        }
        let mut in_out = body.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&body).ok()?;
        let plain = key
            .open_in_place(nonce, Aad::from(user.as_bytes()), &mut in_out)
            .ok()?;
        Some(OpenedSecret {
            bytes: plain.to_vec(),
            stale_key: kid != self.kid,
        })
    }

    /// Hashes a password with argon2id (on a blocking thread: it is slow on purpose).
    pub async fn hash_password(&self, password: String) -> Result<String, String> {
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || {
            argon
                .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
                .map(|h| h.to_string())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Verifies a password against a stored hash; with no hash, spends the
    /// same time and answers false.
    pub async fn verify_password(&self, password: String, hash: Option<String>) -> bool {
        let argon = self.argon.clone();
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (self.dummy_hash.clone(), false),
        };
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .is_ok_and(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false)
            && real
    }

    /// Issues an access token for a user.
    pub fn issue(
        &self,
        user_id: Uuid,
        role: Role,
        organization_id: Option<Uuid>,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let expires_at = now + Duration::seconds(self.config.access_token_ttl_secs);
        let claims = Claims {
            sub: user_id,
            role: role.code().to_owned(),
            org: organization_id,
            iss: ISSUER.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        let token = encode(&header, &claims, &self.encoding)?;
        Ok(AccessToken { token, expires_at })
    }

    /// Checks an access token: a known `kid` (the signing key or a previous
    /// one still configured), signature with the pinned algorithm, issuer, expiry.
    pub fn verify(&self, token: &str) -> Option<Actor> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let key = self.decoding.get(header.kid.as_deref()?)?;
        let data = decode::<Claims>(token, key, &self.validation).ok()?;
        Some(Actor {
            user_id: data.claims.sub,
            role: Role::from_code(&data.claims.role)?,
            organization_id: data.claims.org,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::JwtKey;

    fn authenticator(kid: &str, secret: &str, previous: Vec<JwtKey>) -> Authenticator {
        let config = AuthConfig {
            jwt_key_id: kid.into(),
            jwt_previous_keys: previous,
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..AuthConfig::default()
        };
        Authenticator::new(config, &SecretString::from(secret.to_owned())).unwrap()
    }

    #[test]
    fn totp_secrets_are_sealed_per_user_and_survive_a_key_rotation() {
        let old_secret = "an old signing key of at least 32 characters";
        let old = authenticator("k1", old_secret, Vec::new());
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let secret = b"12345678901234567890";
        let sealed = old.seal_totp(alice, secret).unwrap();
        assert!(sealed.starts_with("v1.k1."), "{sealed}");
        assert!(!sealed.contains("GEZDGNBV"), "no base32 of the secret");
        // A fresh nonce each time.
        assert_ne!(sealed, old.seal_totp(alice, secret).unwrap());
        let opened = old.open_totp(alice, &sealed).unwrap();
        assert_eq!(opened.bytes, secret);
        assert!(!opened.stale_key);
        // Bound to its user, and tamper-evident.
        assert!(old.open_totp(bob, &sealed).is_none());
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            old.open_totp(alice, &String::from_utf8(tampered).unwrap())
                .is_none()
        );
        // After a rotation the old key still opens it and says it is stale.
        let rotated = authenticator(
            "k2",
            "a new signing key of at least 32 characters!",
            vec![JwtKey {
                kid: "k1".into(),
                secret: SecretString::from(old_secret.to_owned()),
            }],
        );
        let opened = rotated.open_totp(alice, &sealed).unwrap();
        assert_eq!(opened.bytes, secret);
        assert!(opened.stale_key);
        let resealed = rotated.seal_totp(alice, secret).unwrap();
        assert!(resealed.starts_with("v1.k2."));
        // Without the old key it no longer opens.
        let dropped = authenticator(
            "k2",
            "a new signing key of at least 32 characters!",
            Vec::new(),
        );
        assert!(dropped.open_totp(alice, &sealed).is_none());
        assert!(dropped.open_totp(alice, &resealed).is_some());
    }
}
