//! The command line: `archportal [serve]`, `archportal admin create …`,
//! `archportal schema`.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use archportal_domain::Lang;
use archportal_domain::organization::Bin;
use archportal_domain::user::{Email, Role, check_password};
use archportal_storage::user::NewUser;
use clap::{Parser, Subcommand};

use crate::config::Config;

/// The e-government Architecture Portal.
#[derive(Debug, Parser)]
#[command(name = "archportal", version, about)]
pub struct Cli {
    /// Configuration file (default: `archportal.toml` when present).
    #[arg(long, global = true, env = "ARCHPORTAL_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default).
    Serve,
    /// Administer users.
    Admin {
        /// The admin action.
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// The working-day calendar.
    Calendar {
        /// The calendar action.
        #[command(subcommand)]
        action: CalendarAction,
    },
    /// The audit log.
    Audit {
        /// The audit action.
        #[command(subcommand)]
        action: AuditAction,
    },
}

/// Calendar actions.
#[derive(Debug, Subcommand)]
pub enum CalendarAction {
    /// Import entries from a CSV or JSON file (header
    /// `date,kind,name_kk,name_ru,name_en,basis`): the whole file or nothing;
    /// entries replace stored entries on the same dates.
    Import {
        /// The file.
        file: PathBuf,
    },
}

/// Audit actions.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Recompute the hash chain and report the first broken row.
    Verify,
}

/// `archportal calendar import FILE`: returns how many entries were imported.
pub async fn calendar_import(config: Config, file: &std::path::Path) -> anyhow::Result<usize> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let entries = archportal_domain::calendar::parse_import(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let n = entries.len();
    let state = crate::build_state(config).await?;
    let op = archportal_storage::audit::Op::new(None, "cli", state.clock.now());
    archportal_storage::calendar::change(&state.db, &op, "calendar.import", entries, vec![])
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    state.db.clone().close().await?;
    Ok(n)
}

/// `archportal audit verify`.
pub async fn audit_verify(
    config: Config,
) -> anyhow::Result<archportal_storage::audit::Verification> {
    let state = crate::build_state(config).await?;
    let result = archportal_storage::audit::verify(&state.db).await?;
    state.db.clone().close().await?;
    Ok(result)
}

/// Admin actions.
#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create a user; the password is read from the first line of standard input.
    Create {
        /// E-mail address (the login).
        #[arg(long)]
        email: String,
        /// OWNER, INTEGRATOR, OPERATOR, ANALYST or ADMIN.
        #[arg(long)]
        role: String,
        /// BIN of the user's organization (required for OWNER).
        #[arg(long)]
        organization: Option<String>,
        /// Full name (default: the e-mail address).
        #[arg(long)]
        full_name: Option<String>,
        /// Preferred language: kk, ru or en.
        #[arg(long, default_value = "ru")]
        language: String,
    },
}

/// Loads the configuration a command runs with.
pub fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    Ok(Config::load(cli.config.as_deref())?)
}

/// Reads the password from the first line of standard input.
pub fn read_password_line() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    Ok(password.trim_end_matches(['\n', '\r']).to_owned())
}

/// `archportal admin create`: creates a user with a password; returns it as stored.
pub async fn admin_create(
    config: Config,
    email: &str,
    role: &str,
    organization: Option<&str>,
    full_name: Option<&str>,
    language: &str,
    password: String,
) -> anyhow::Result<archportal_storage::user::User> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let role = Role::from_code(&role.to_ascii_uppercase()).with_context(|| {
        format!("--role: unknown role {role}; one of OWNER, INTEGRATOR, OPERATOR, ANALYST, ADMIN")
    })?;
    let language = Lang::parse(language)
        .with_context(|| format!("--language: {language} is not kk, ru or en"))?;
    if role.requires_organization() && organization.is_none() {
        bail!("--organization BIN is required for role OWNER");
    }
    check_password(&password, &email).map_err(|e| anyhow::anyhow!("password: {e}"))?;

    let state = crate::build_state(config).await?;
    let organization_id = match organization {
        Some(bin) => {
            let bin = Bin::parse(bin).map_err(|e| anyhow::anyhow!("--organization: {e}"))?;
            let org = archportal_storage::organization::get_by_bin(&state.db, &bin)
                .await
                .with_context(|| format!("--organization: no organization with BIN {bin}"))?;
            Some(org.id)
        }
        None => None,
    };
    let password_hash = state
        .auth
        .hash_password(password)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let user = archportal_storage::user::create(
        &state.db,
        NewUser {
            full_name: full_name.map_or_else(|| email.to_string(), str::to_owned),
            email,
            role,
            organization_id,
            language,
            password_hash: Some(password_hash),
        },
    )
    .await
    .map_err(|e| match e {
        archportal_storage::StorageError::Conflict { .. } => {
            anyhow::anyhow!("a user with this e-mail address already exists")
        }
        other => anyhow::Error::new(other),
    })?;
    state.db.clone().close().await?;
    Ok(user)
}
