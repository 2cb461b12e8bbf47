//! Passwords (argon2id), access tokens (JWT, HS256 pinned) and refresh tokens
//! (random, stored as SHA-256, rotated on use). Signing keys rotate: tokens
//! carry the `kid` of their key, and previous keys stay valid for
//! verification while they are configured.

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
    /// Settings.
    pub config: AuthConfig,
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
        for previous in &config.jwt_previous_keys {
            let id = previous.kid.trim().to_owned();
            if id.is_empty() || previous.secret.expose_secret().len() < 32 {
                return Err(KeyError::KeyIds(
                    "each of auth.jwt_previous_keys needs a kid and a secret of 32+ characters"
                        .into(),
                ));
            }
            let dk = DecodingKey::from_secret(previous.secret.expose_secret().as_bytes());
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
            config,
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
