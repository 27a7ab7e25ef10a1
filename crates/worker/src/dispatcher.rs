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

/// Claims due rows in batches and pushes their ids to the per-channel queues,
/// keeping at most `max_queued` waiting in each: the outbox, not Redis, holds
/// the backlog, so a slow provider never builds a queue the sweeper would
/// mistake for lost jobs (and apalis-redis cannot promote more than ~8 000
/// jobs at once: its Lua `unpack` overflows and the worker dies).
/// Returns how many were queued. A batch the queue refuses is released at once
/// (back to pending), so an unreachable Redis delays messages but loses none.
pub async fn dispatch_once(
    db: &DatabaseConnection,
    queues: &Queues,
    batch: u32,
    max_queued: u32,
) -> anyhow::Result<usize> {
    let waiting = outbox::queued_by_channel(db).await?;
    let mut total = 0;
    for channel in Channel::ALL {
        let already = waiting.iter().find(|(c, _)| *c == channel).map_or(0, |(_, n)| *n);
        let mut room = u32::try_from(i64::from(max_queued) - already).unwrap_or(0);
        while room > 0 {
            let want = batch.min(room);
            let claimed = outbox::claim_due_on(db, channel, Utc::now(), want).await?;
            let n = claimed.len();
            if n == 0 {
                break;
            }
            push(db, queues, channel, &claimed).await?;
            total += n;
            room = room.saturating_sub(u32::try_from(n).unwrap_or(u32::MAX));
            if n < want as usize {
                break;
            }
        }
    }
    Ok(total)
}

async fn push(db: &DatabaseConnection, queues: &Queues, channel: Channel, claimed: &[Claimed]) -> anyhow::Result<()> {
    let jobs = claimed.iter().map(|c| SendJob { tenant_id: c.tenant_id.0, notification_id: c.id.0 }).collect();
    if let Err(e) = queues.for_channel(channel).push_all(jobs).await {
        let ids: Vec<_> = claimed.iter().map(|c| c.id).collect();
        let released = outbox::release(db, &ids, Utc::now()).await?;
        tracing::warn!(channel = %channel, released, error = %e, "queue refused a batch; released it to pending");
        return Err(e.into());
    }
    tracing::debug!(channel = %channel, count = claimed.len(), "queued notifications");
    Ok(())
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
        match dispatch_once(&db, &queues, config.batch_size, config.max_queued).await {
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
