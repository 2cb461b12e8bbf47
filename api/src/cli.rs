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
    /// Check files before uploading them: one JSON object per file per line,
    /// `{"file", "conforms", "findings": [{"clause", "message"}]}`; exit
    /// status 0 when all conform, 1 when any does not, 2 on an I/O error.
    Check {
        /// Which check.
        #[command(subcommand)]
        format: CheckFormat,
    },
    /// Maintain the blob store.
    Blobs {
        /// The blob action.
        #[command(subcommand)]
        action: BlobsAction,
    },
}

/// What `archportal check` checks files against.
#[derive(Debug, Subcommand)]
pub enum CheckFormat {
    /// PDF/A-1 (ISO 19005-1), the copy of a document (003 §7).
    Pdfa {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// DOCX (ECMA-376 OPC and WordprocessingML, safety rules), the draft (003 §7).
    Docx {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Blob store actions.
#[derive(Debug, Subcommand)]
pub enum BlobsAction {
    /// Delete blobs no document refers to and that are older than
    /// `documents.gc_grace_secs`, and abandoned temporary files.
    Gc,
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

/// `archportal check pdfa|docx FILE…`: writes one JSON line per readable
/// file to `out` and returns the exit status: 0 all conform, 1 some do not,
/// 2 some could not be read (reported on standard error).
pub fn check_files(format: &CheckFormat, out: &mut impl std::io::Write) -> i32 {
    type Checker = fn(&[u8]) -> archportal_domain::conformance::Report;
    let (files, check): (&[PathBuf], Checker) = match format {
        CheckFormat::Pdfa { files } => (files, archportal_domain::pdfa::check),
        CheckFormat::Docx { files } => (files, archportal_domain::docx::check),
    };
    let mut status = 0;
    for file in files {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("archportal check: {}: {e}", file.display());
                status = 2;
                continue;
            }
        };
        let report = check(&bytes);
        let findings: Vec<serde_json::Value> = report
            .findings
            .iter()
            .map(|f| serde_json::json!({ "clause": f.clause, "message": f.message }))
            .collect();
        let line = serde_json::json!({
            "file": file.to_string_lossy(),
            "conforms": report.conforms(),
            "findings": findings,
        });
        if writeln!(out, "{line}").is_err() {
            return 2;
        }
        if !report.conforms() && status == 0 {
            status = 1;
        }
    }
    status
}

/// `archportal blobs gc`: one garbage collection of the blob store.
pub async fn blobs_gc(config: Config) -> anyhow::Result<archportal_storage::blob::GcReport> {
    let state = crate::build_state(config).await?;
    let report = crate::collect_garbage(&state).await?;
    state.db.clone().close().await?;
    Ok(report)
}
