//! The dispatcher moves due notifications from the outbox to the queues; the
//! sweeper puts back what the queues or senders lost.

use std::sync::Arc;

use chrono::Utc;
use escale_domain::DatabaseConnection;
use escale_domain::messages::Channel;
use escale_domain::outbox::{self, Claimed};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::WorkerConfig;
use crate::queue::{Queues, SendJob};

/// Claims due rows in batches and pushes their ids to the per-channel queues.
/// Returns how many were queued. A batch the queue refuses is released at once
/// (back to pending), so an unreachable Redis delays messages but loses none.
pub async fn dispatch_once(db: &DatabaseConnection, queues: &Queues, batch: u32) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let claimed = outbox::claim_due(db, Utc::now(), batch).await?;
        let n = claimed.len();
        for channel in Channel::ALL {
            let mine: Vec<&Claimed> = claimed.iter().filter(|c| c.channel == channel).collect();
            if mine.is_empty() {
                continue;
            }
            let jobs = mine.iter().map(|c| SendJob { tenant_id: c.tenant_id.0, notification_id: c.id.0 }).collect();
            if let Err(e) = queues.for_channel(channel).push_all(jobs).await {
                let ids: Vec<_> = mine.iter().map(|c| c.id).collect();
                let released = outbox::release(db, &ids, Utc::now()).await?;
                tracing::warn!(channel = %channel, released, error = %e, "queue refused a batch; released it to pending");
                return Err(e.into());
            }
            tracing::debug!(channel = %channel, count = mine.len(), "queued notifications");
        }
        total += n;
        if n < batch as usize {
            return Ok(total);
        }
    }
}

/// Runs the dispatcher and the sweeper until shutdown. `wake` lets a process
/// that also runs the gateway start a round right after a registration.
pub async fn run(
    db: DatabaseConnection,
    queues: Queues,
    config: WorkerConfig,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let mut last_sweep = tokio::time::Instant::now();
    loop {
        match dispatch_once(&db, &queues, config.batch_size).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "dispatched due notifications"),
            Err(e) => tracing::warn!(error = %e, "dispatch round failed; will retry"),
        }
        if last_sweep.elapsed() >= config.sweep_interval {
            last_sweep = tokio::time::Instant::now();
            let queued = chrono::Duration::from_std(config.queued_timeout).unwrap_or(chrono::Duration::minutes(10));
            let sending = chrono::Duration::from_std(config.sending_timeout).unwrap_or(chrono::Duration::minutes(5));
            match outbox::sweep(&db, Utc::now(), queued, sending).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(count = n, "swept stuck notifications back to pending"),
                Err(e) => tracing::warn!(error = %e, "sweep failed; will retry"),
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
    tracing::info!("dispatcher stopped");
}
