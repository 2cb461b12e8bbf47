//! `archportal backup DIR` and `archportal restore DIR`.
//!
//! A backup directory holds the database snapshot (`tables/*.jsonl` from
//! PostgreSQL, `db.sqlite` from SQLite, see `archportal_storage::backup`),
//! `blobs/<sha256>` for every file the snapshot's documents name, and
//! `manifest.json`, written last: format version, creation time, source
//! backend, migration version, row counts per table and the SHA-256 of every
//! file. The search index is not copied: restore rebuilds it.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use archportal_storage::backup::{self as dbbackup, BackupError};
use archportal_storage::blob::{LocalBlobStore, Sha256Digest};
use archportal_storage::{Database, DbSettings};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::config::Config;

/// The manifest format this build writes and reads.
pub const FORMAT: u32 = 1;

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Format version ([`FORMAT`]).
    pub format: u32,
    /// When the backup was taken (RFC 3339).
    pub created_at: String,
    /// `postgres` or `sqlite`.
    pub backend: String,
    /// The last migration applied to the source.
    pub migration: String,
    /// Tables in dependency order with their row counts.
    pub tables: Vec<TableCount>,
    /// Every other file of the backup, relative path → SHA-256 (hex).
    pub files: BTreeMap<String, String>,
}

/// One table's row count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableCount {
    /// Table name.
    pub name: String,
    /// Rows in the snapshot.
    pub rows: u64,
}

/// A restore (or backup) that was refused before anything was written:
/// `archportal` exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn db_settings(config: &Config) -> DbSettings {
    DbSettings {
        url: config.database_url(),
        max_connections: config.database.max_connections.max(2),
        acquire_timeout: Duration::from_secs(config.database.acquire_timeout_secs),
        log_statements: config.database.log_statements,
        breaker: config.database.breaker(),
    }
}

fn storage_err(e: BackupError) -> anyhow::Error {
    match e {
        BackupError::Refused(m) => Refused(m).into(),
        other => anyhow::Error::new(other),
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Hard-links `src` to `dst` (same file system), else copies it.
fn link_or_copy(src: &Path, dst: &Path) -> std::io::Result<()> {
    if std::fs::hard_link(src, dst).is_err() {
        std::fs::copy(src, dst)?;
    }
    Ok(())
}

fn dir_is_empty(dir: &Path) -> std::io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    /// The manifest.
    pub manifest: Manifest,
    /// Bytes of blobs.
    pub blob_bytes: u64,
}

/// `archportal backup DIR`: a consistent snapshot while the service runs.
pub async fn backup(config: Config, dir: &Path) -> anyhow::Result<BackupSummary> {
    if !dir_is_empty(dir).with_context(|| format!("reading {}", dir.display()))? {
        return Err(Refused(format!(
            "{} is not empty; back up into a new directory",
            dir.display()
        ))
        .into());
    }
    std::fs::create_dir_all(dir.join("blobs"))
        .with_context(|| format!("creating {}", dir.display()))?;
    let db = Database::connect(&db_settings(&config)).await?;
    let created_at = chrono::Utc::now().to_rfc3339();
    let info = dbbackup::dump(&db, dir).await.map_err(storage_err)?;
    db.close().await?;

    let store = LocalBlobStore::open(config.blob_dir()).await?;
    let dir_owned = dir.to_path_buf();
    let digests = info.digests.clone();
    let tables_files = info.files.clone();
    let (files, blob_bytes) =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(BTreeMap<String, String>, u64)> {
            let mut files = BTreeMap::new();
            for rel in tables_files {
                let sha =
                    sha256_file(&dir_owned.join(&rel)).with_context(|| format!("hashing {rel}"))?;
                files.insert(rel, sha);
            }
            let mut bytes = 0;
            for hex in digests {
                let digest = Sha256Digest::parse(&hex)
                    .map_err(|_| anyhow::anyhow!("a document names a malformed digest {hex}"))?;
                let src = store.blob_path(&digest);
                let rel = format!("blobs/{hex}");
                let dst = dir_owned.join(&rel);
                link_or_copy(&src, &dst)
                    .with_context(|| format!("copying blob {hex} from {}", src.display()))?;
                let sha = sha256_file(&dst).with_context(|| format!("hashing {rel}"))?;
                if sha != hex {
                    anyhow::bail!("blob {hex} in the store does not match its digest (got {sha})");
                }
                bytes += std::fs::metadata(&dst)?.len();
                files.insert(rel, sha);
            }
            Ok((files, bytes))
        })
        .await??;

    let manifest = Manifest {
        format: FORMAT,
        created_at,
        backend: info.backend,
        migration: info.migration,
        tables: info
            .tables
            .into_iter()
            .map(|(name, rows)| TableCount { name, rows })
            .collect(),
        files,
    };
    let tmp = dir.join("manifest.json.part");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&manifest)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dir.join("manifest.json"))?;
    Ok(BackupSummary {
        manifest,
        blob_bytes,
    })
}

/// Reads `manifest.json` and checks every file against its SHA-256.
pub fn verify(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join("manifest.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| Refused(format!("{}: {e}", path.display())))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| Refused(format!("{}: not a backup manifest: {e}", path.display())))?;
    if manifest.format != FORMAT {
        return Err(Refused(format!(
            "backup format {} is not supported (this build reads {FORMAT})",
            manifest.format
        ))
        .into());
    }
    for (rel, expected) in &manifest.files {
        if rel.contains("..") || Path::new(rel).is_absolute() {
            return Err(Refused(format!("the manifest names an unsafe path {rel}")).into());
        }
        let got =
            sha256_file(&dir.join(rel)).map_err(|e| Refused(format!("backup file {rel}: {e}")))?;
        if &got != expected {
            return Err(Refused(format!(
                "backup file {rel} is corrupted: SHA-256 {got}, the manifest says {expected}"
            ))
            .into());
        }
    }
    Ok(manifest)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    /// Rows restored.
    pub rows: u64,
    /// Blobs restored.
    pub blobs: usize,
    /// Search documents indexed.
    pub indexed: u64,
}

/// `archportal restore DIR`: into an empty database and blob directory.
pub async fn restore(config: Config, dir: &Path) -> anyhow::Result<RestoreSummary> {
    let manifest = {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || verify(&dir)).await??
    };
    std::fs::create_dir_all(&config.data_dir)?;
    let url = config.database_url();
    let db = Database::connect(&db_settings(&config)).await?;
    let migration = dbbackup::migration_version(db.conn())
        .await
        .map_err(storage_err)?;
    if migration != manifest.migration {
        return Err(Refused(format!(
            "the backup is at migration {}, this build at {migration}",
            manifest.migration
        ))
        .into());
    }
    dbbackup::check_empty(&db).await.map_err(storage_err)?;
    let blob_root = config.blob_dir();
    if !dir_is_empty(&blob_root.join("sha256"))? {
        return Err(Refused(format!(
            "the blob directory {} is not empty; restore only into a new one",
            blob_root.display()
        ))
        .into());
    }

    // Blobs first: an unreferenced blob is harmless, a row without its file is not.
    let store = LocalBlobStore::open(blob_root).await?;
    let blobs: Vec<(PathBuf, PathBuf)> = manifest
        .files
        .keys()
        .filter_map(|rel| rel.strip_prefix("blobs/"))
        .map(|hex| {
            let digest = Sha256Digest::parse(hex)
                .map_err(|_| Refused(format!("the manifest names a malformed blob {hex}")))?;
            Ok((dir.join("blobs").join(hex), store.blob_path(&digest)))
        })
        .collect::<anyhow::Result<_>>()?;
    let n_blobs = blobs.len();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        for (src, dst) in blobs {
            if let Some(parent) = dst.parent() {
                std::fs::create_dir_all(parent)?;
            }
            link_or_copy(&src, &dst)
                .with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        }
        Ok(())
    })
    .await??;

    let tables: Vec<(String, u64)> = manifest
        .tables
        .iter()
        .map(|t| (t.name.clone(), t.rows))
        .collect();
    dbbackup::load(&db, &url, dir, &manifest.backend, &tables)
        .await
        .map_err(storage_err)?;
    db.close().await?;

    let state = crate::build_state(config).await?;
    let indexed = crate::search::reindex(&state).await?;
    state.db.clone().close().await?;
    Ok(RestoreSummary {
        rows: tables.iter().map(|(_, n)| n).sum(),
        blobs: n_blobs,
        indexed,
    })
}
