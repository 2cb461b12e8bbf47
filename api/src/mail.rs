//! The outbox dispatcher: delivers the messages the workflow wrote to the
//! outbox (002 §9: recorded, queued while the channel is down, re-sent),
//! and writes the deadline reminders. By default each message becomes a
//! file `{data_dir}/outbox/{id}.eml`; with `SMTP_URL` it goes through SMTP
//! (lettre). Every attempt and error is kept; failures retry with
//! exponential backoff.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use archportal_storage::audit::Op;
use archportal_storage::outbox::{self, Message};
use lettre::message::Body;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;

use crate::AppState;

/// Where mail goes.
pub enum Transport {
    /// `.eml` files in a directory.
    Files(PathBuf),
    /// An SMTP server.
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
}

impl Transport {
    /// Files under `{data_dir}/outbox`, or SMTP when `smtp_url` is set.
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<Transport> {
        match config.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(url) => Ok(Transport::Smtp(Box::new(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("smtp_url: {e}"))?
                    .build(),
            ))),
            None => Ok(Transport::Files(config.data_dir.join("outbox"))),
        }
    }

    async fn send(&self, from: &str, m: &Message) -> Result<(), String> {
        let email = lettre::Message::builder()
            .from(from.parse().map_err(|e| format!("from address: {e}"))?)
            .to(m.recipient.parse().map_err(|e| format!("recipient: {e}"))?)
            .subject(m.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(match self {
                // Files stay readable (UTF-8 as written); SMTP gets lettre's
                // safest transfer encoding.
                Transport::Files(_) => {
                    Body::new_with_encoding(m.body.clone(), ContentTransferEncoding::Binary)
                        .map_err(|_| "the body cannot be encoded".to_owned())?
                }
                Transport::Smtp(_) => Body::new(m.body.clone()),
            })
            .map_err(|e| e.to_string())?;
        match self {
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| e.to_string())?;
                let tmp = dir.join(format!("{}.eml.tmp", m.id));
                tokio::fs::write(&tmp, email.formatted())
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::fs::rename(&tmp, dir.join(format!("{}.eml", m.id)))
                    .await
                    .map_err(|e| e.to_string())
            }
            Transport::Smtp(smtp) => smtp
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

/// One pass: picks up a calendar another process changed, writes due
/// reminders, then tries every due message once. Messages are claimed in
/// small batches with a lease (see [`outbox::claim`]), so several server
/// processes on one database never send the same message twice.
pub async fn run_once(state: &AppState) -> anyhow::Result<()> {
    state.refresh_calendar().await?;
    let now = state.clock.now();
    let op = Op::new(None, "job", now);
    let calendar = state.calendar();
    archportal_storage::review::scan_deadlines(&state.db, &op, &calendar).await?;
    let cfg = &state.config.notifications;
    let lease_until = now + chrono::Duration::seconds(cfg.lease_secs.max(1));
    loop {
        let batch = outbox::claim(&state.db, now, lease_until, cfg.batch_size.max(1)).await?;
        if batch.is_empty() {
            return Ok(());
        }
        for m in batch {
            let outcome = state.transport.send(&cfg.from, &m).await;
            if let Err(e) = &outcome {
                tracing::warn!(message = %m.id, attempts = m.attempts + 1, error = %e, "mail delivery failed");
            }
            let exp = u32::try_from(m.attempts.clamp(0, 20)).unwrap_or(20);
            let delay = cfg
                .retry_base_secs
                .saturating_mul(2_i64.saturating_pow(exp))
                .min(cfg.retry_max_secs);
            outbox::record_attempt(
                &state.db,
                m.id,
                now,
                outcome,
                now + chrono::Duration::seconds(delay),
            )
            .await?;
        }
    }
}

/// Runs [`run_once`] every `poll_interval_ms` until shutdown.
pub fn spawn(state: Arc<AppState>, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_millis(state.config.notifications.poll_interval_ms);
    crate::spawn_periodic(every, stop, "outbox dispatcher", move || {
        let state = state.clone();
        async move { run_once(&state).await }
    })
}
