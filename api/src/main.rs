//! The `archportal` binary.

use clap::Parser;

use archportal_api::cli::{
    AdminAction, AuditAction, BlobsAction, CalendarAction, Cli, Command, SearchAction,
    ServicesAction, admin_create, audit_verify, blobs_gc, calendar_import, check_files,
    load_config, read_password_line, search_reindex, services_import,
};
use archportal_storage::audit::Verification;

/// mimalloc (v2, without transparent huge pages) for everything Rust
/// allocates; SQLite's own allocations (its page cache) stay with glibc's
/// malloc, which `memory.malloc_arenas` bounds. In the load benchmark
/// (2 cores, 20,000 objects, PostgreSQL, nested list; benches/README.md) it
/// cut the server's CPU time a request from 2.65–2.77 ms to 2.00–2.09 and
/// raised throughput at 16 clients from 416–429 req/s to 568–589. mimalloc
/// v3 was as fast but held more: with its defaults (freed memory kept a
/// second, huge pages) the SQLite server peaked at 237–243 MB; v2 at 173 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The allocator's arena cap, before the runtime starts any thread. A
    // configuration that does not load is reported by the command itself.
    if let Ok(config) = load_config(&cli) {
        archportal_api::memory::cap_malloc_arenas(config.memory.arenas());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                // lopdf logs what it thinks of each uploaded PDF; the PDF/A
                // check reports that as findings instead.
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,lopdf=off")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        None | Some(Command::Serve) => {
            let config = load_config(&cli)?;
            let server = archportal_api::serve(config).await?;
            println!(
                "archportal is running at http://{}/  (GraphiQL: http://{}/graphql)",
                server.addr, server.addr
            );
            shutdown_signal().await;
            tracing::info!("shutting down");
            server.shutdown().await?;
        }
        Some(Command::Admin {
            action:
                AdminAction::Create {
                    ref email,
                    ref role,
                    ref organization,
                    ref full_name,
                    ref language,
                },
        }) => {
            let config = load_config(&cli)?;
            let password = read_password_line()?;
            let user = admin_create(
                config,
                email,
                role,
                organization.as_deref(),
                full_name.as_deref(),
                language,
                password,
            )
            .await?;
            println!("created {} {} ({})", user.role, user.email, user.id);
        }
        Some(Command::Schema) => print!("{}", archportal_api::graphql::sdl()),
        Some(Command::Services {
            action:
                ServicesAction::Import {
                    ref file,
                    ref as_email,
                },
        }) => {
            let config = load_config(&cli)?;
            let summary = services_import(config, file, as_email, &mut std::io::stdout()).await?;
            if summary.refused > 0 {
                std::process::exit(1);
            }
        }
        Some(Command::Calendar {
            action: CalendarAction::Import { ref file },
        }) => {
            let n = calendar_import(load_config(&cli)?, file).await?;
            println!("imported {n} calendar entries from {}", file.display());
        }
        Some(Command::Demo {
            action:
                archportal_api::cli::DemoAction::Seed {
                    organizations,
                    objects,
                    services,
                    seed,
                },
        }) => {
            let started = std::time::Instant::now();
            let s = archportal_api::demo::seed(
                load_config(&cli)?,
                archportal_api::demo::SeedSize {
                    organizations,
                    objects,
                    services,
                    seed,
                },
            )
            .await?;
            println!(
                "seeded {} organizations, {} objects ({} registered), {} services in {:.1} s \
                 ({} notifications of the invented history discarded unsent)",
                s.organizations,
                s.objects,
                s.registered,
                s.services,
                started.elapsed().as_secs_f64(),
                s.discarded_mail
            );
        }
        Some(Command::Audit {
            action: AuditAction::Verify,
        }) => match audit_verify(load_config(&cli)?).await? {
            Verification::Intact { rows } => println!("audit log intact: {rows} rows"),
            Verification::Broken { seq, reason } => {
                anyhow::bail!("audit log broken at row {seq}: {reason}")
            }
        },
        Some(Command::Search {
            action: SearchAction::Reindex,
        }) => {
            let n = search_reindex(load_config(&cli)?).await?;
            println!("indexed {n} services and objects");
        }
        Some(Command::Backup { ref dir }) => {
            let s = refused_exits_2(archportal_api::backup::backup(load_config(&cli)?, dir).await)?;
            let rows: u64 = s.manifest.tables.iter().map(|t| t.rows).sum();
            println!(
                "backed up {rows} rows in {} tables and {} files ({} bytes of blobs) from {} at migration {} into {}",
                s.manifest.tables.len(),
                s.manifest.files.len(),
                s.blob_bytes,
                s.manifest.backend,
                s.manifest.migration,
                dir.display()
            );
        }
        Some(Command::Restore { ref dir }) => {
            let s =
                refused_exits_2(archportal_api::backup::restore(load_config(&cli)?, dir).await)?;
            println!(
                "restored {} rows and {} blobs from {}; indexed {} services and objects",
                s.rows,
                s.blobs,
                dir.display(),
                s.indexed
            );
        }
        Some(Command::Check { ref format }) => {
            let status = check_files(format, &mut std::io::stdout().lock());
            std::process::exit(status);
        }
        Some(Command::Blobs {
            action: BlobsAction::Gc,
        }) => {
            let config = load_config(&cli)?;
            let r = blobs_gc(config).await?;
            println!(
                "examined {} blobs, deleted {} ({} bytes), removed {} temporary files",
                r.examined, r.deleted, r.bytes_freed, r.temp_files_removed
            );
        }
    }
    Ok(())
}

/// A refused backup or restore prints its reason and exits with status 2.
fn refused_exits_2<T>(result: anyhow::Result<T>) -> anyhow::Result<T> {
    match result {
        Err(e)
            if e.downcast_ref::<archportal_api::backup::Refused>()
                .is_some() =>
        {
            eprintln!("refused: {e}");
            std::process::exit(2)
        }
        other => other,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
