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
    /// Manage the service registry.
    Services {
        /// The action.
        #[command(subcommand)]
        action: ServicesAction,
    },
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
    /// The search index.
    Search {
        /// The search action.
        #[command(subcommand)]
        action: SearchAction,
    },
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
    /// Write a consistent snapshot (database rows, the blobs they name, a
    /// manifest with SHA-256 sums) into a new directory while the service runs.
    Backup {
        /// The directory (must not exist or be empty).
        dir: PathBuf,
    },
    /// Restore a backup into an empty database and blob directory, then
    /// rebuild the search index. Exit status 2 when refused (target not
    /// empty, backup corrupted); nothing is written then.
    Restore {
        /// The backup directory.
        dir: PathBuf,
    },
    /// Demonstration data.
    Demo {
        /// The demo action.
        #[command(subcommand)]
        action: DemoAction,
    },
}

/// Search index actions.
#[derive(Debug, Subcommand)]
pub enum SearchAction {
    /// Rebuild the index (embedded, or Meilisearch with `MEILISEARCH_URL`)
    /// from the database. The embedded index is locked by a running server:
    /// stop it first.
    Reindex,
}

/// `archportal search reindex`: returns how many documents were indexed.
pub async fn search_reindex(config: Config) -> anyhow::Result<u64> {
    let state = crate::build_state(config).await?;
    let n = crate::search::reindex(&state).await?;
    state.db.clone().close().await?;
    Ok(n)
}

/// Demonstration data actions.
#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Fills an empty database with realistic, reproducible data in Kazakh and Russian.
    Seed {
        /// Organizations (each with an owner account).
        #[arg(long, default_value_t = 30)]
        organizations: usize,
        /// Informatization objects.
        #[arg(long, default_value_t = 500)]
        objects: usize,
        /// Gateway services.
        #[arg(long, default_value_t = 100)]
        services: usize,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

/// Service registry actions.
#[derive(Debug, Subcommand)]
pub enum ServicesAction {
    /// Load an existing registry from CSV or JSON: good rows are imported,
    /// each bad row is reported with its line and reason (exit 1 if any).
    Import {
        /// The file (CSV with the header `service_id,name_kk,…,production_address`, or a JSON array).
        file: PathBuf,
        /// The operator account the services are registered by.
        #[arg(long = "as", value_name = "EMAIL")]
        as_email: String,
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
    let op = archportal_storage::audit::Op::new(None, "cli", state.clock.now());
    let user = archportal_storage::user::create(
        &state.db,
        &op,
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

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows registered.
    pub imported: usize,
    /// Rows refused.
    pub refused: usize,
}

/// `archportal services import FILE --as EMAIL`: each good row is registered
/// in its own transaction; each bad row is printed with its reason.
pub async fn services_import(
    config: Config,
    file: &std::path::Path,
    as_email: &str,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ImportSummary> {
    use archportal_domain::accounting_code::AccountingCode;
    use archportal_domain::service::{ServiceData, parse_import};

    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = parse_import(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let state = crate::build_state(config).await?;
    let email = Email::parse(as_email).map_err(|e| anyhow::anyhow!("--as: {e}"))?;
    let operator = archportal_storage::user::find_for_login(&state.db, &email)
        .await?
        .with_context(|| format!("--as: no user {email}"))?
        .user;
    let actor = archportal_domain::access::Actor {
        user_id: operator.id,
        role: operator.role,
        organization_id: operator.organization_id,
    };
    actor
        .check_operator()
        .map_err(|e| anyhow::anyhow!("--as: {e}"))?;
    let mut summary = ImportSummary::default();
    for row in rows {
        let outcome: Result<String, String> = async {
            if let Some(problem) = &row.problem {
                return Err(problem.clone());
            }
            let data = ServiceData::parse(&row.raw)
                .map_err(|e| format!("{}: {}", e.field().unwrap_or("row"), e.message(Lang::En)))?;
            let object = if row.object.to_ascii_uppercase().starts_with("IO-") {
                let code = AccountingCode::parse(&row.object)
                    .map_err(|e| format!("object: {}", e.message(Lang::En)))?;
                archportal_storage::object::get_by_code(&state.db, &code).await
            } else {
                let id = uuid::Uuid::parse_str(&row.object).map_err(|_| {
                    format!(
                        "object: neither an accounting code nor an id: {}",
                        row.object
                    )
                })?;
                archportal_storage::object::get(&state.db, id).await
            }
            .map_err(|e| {
                let e = crate::error::ApiError::from(e);
                format!("object {}: {}", row.object, e.message(Lang::En))
            })?;
            let id = data.service_id.to_string();
            archportal_storage::service::register(&state.db, &actor, object.id, data, None)
                .await
                .map_err(|e| {
                    let e = crate::error::ApiError::from(e);
                    format!(
                        "{}: {}",
                        e.field.clone().unwrap_or_else(|| "row".into()),
                        e.message(Lang::En)
                    )
                })?;
            Ok(id)
        }
        .await;
        match outcome {
            Ok(id) => {
                summary.imported += 1;
                writeln!(out, "{}: imported {id}", row.at)?;
            }
            Err(reason) => {
                summary.refused += 1;
                writeln!(out, "{}: refused: {reason}", row.at)?;
            }
        }
    }
    writeln!(
        out,
        "imported {}, refused {}",
        summary.imported, summary.refused
    )?;
    state.db.clone().close().await?;
    Ok(summary)
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
