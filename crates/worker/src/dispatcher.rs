//! The dispatcher moves due notifications from the outbox to the queues; the
//! sweeper puts back what senders lost (lost jobs need no sweep: a claim is a
//! lease that runs out).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use escale_domain::DatabaseConnection;
use escale_domain::messaging::outbox::{self, Claimed};
use escale_domain::messaging::templates::Channel;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::WorkerConfig;
use crate::queue::{Queues, SendJob};

/// Claims due rows in batches and pushes their ids to the per-channel queues,
/// keeping at most `max_queued` rows waiting in each (as the queue counts
/// them: its jobs, each as if it held `job_size` rows): the outbox, not Redis, holds
/// the backlog, so a slow provider never builds a queue whose claims would
/// outlive their lease (and apalis-redis cannot promote more than ~8 000
/// jobs at once: its Lua `unpack` overflows and the worker dies).
/// Each job carries up to `job_size` rows of one tenant. Returns how many rows
/// were queued. A batch the queue refuses is released at once
/// (its lease ended), so an unreachable Redis delays messages but loses none.
pub async fn dispatch_once(
    db: &DatabaseConnection,
    queues: &Queues,
    batch: u32,
    max_queued: u32,
    job_size: usize,
    lease: chrono::Duration,
) -> anyhow::Result<usize> {
    let mut total = 0;
    for channel in Channel::ALL {
        // Counted in jobs by the queue, bounded in rows: each job as if full.
        let jobs = queues.for_channel(channel).waiting_jobs().await?;
        let already = jobs.saturating_mul(u64::try_from(job_size.max(1)).unwrap_or(u64::MAX));
        let mut room = u32::try_from(u64::from(max_queued).saturating_sub(already)).unwrap_or(0);
        let mut after = None;
        while room > 0 {
            let want = batch.min(room);
            let claimed = outbox::claim_due_on(db, channel, Utc::now(), want, lease, after).await?;
            let n = claimed.len();
            if n == 0 {
                break;
            }
            after = outbox::ClaimCursor::after(&claimed);
            push(db, queues, channel, &claimed, job_size).await?;
            total += n;
            room = room.saturating_sub(u32::try_from(n).unwrap_or(u32::MAX));
            if n < want as usize {
                break;
            }
        }
    }
    Ok(total)
}

/// Rows per job, by tenant (a job is sent in one tenant's scope).
fn jobs(claimed: &[Claimed], job_size: usize) -> Vec<SendJob> {
    let mut by_tenant: BTreeMap<uuid::Uuid, Vec<uuid::Uuid>> = BTreeMap::new();
    for c in claimed {
        by_tenant.entry(c.tenant_id.0).or_default().push(c.id.0);
    }
    by_tenant
        .into_iter()
        .flat_map(|(tenant, ids)| {
            ids.chunks(job_size.max(1)).map(|chunk| SendJob::new(tenant, chunk.to_vec())).collect::<Vec<_>>()
        })
        .collect()
}

async fn push(
    db: &DatabaseConnection,
    queues: &Queues,
    channel: Channel,
    claimed: &[Claimed],
    job_size: usize,
) -> anyhow::Result<()> {
    let jobs = jobs(claimed, job_size);
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
    let lease = chrono::Duration::from_std(config.queued_timeout).unwrap_or(outbox::CLAIM_LEASE);
    loop {
        match dispatch_once(&db, &queues, config.batch_size, config.max_queued, config.job_size, lease).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "dispatched due notifications"),
            Err(e) => tracing::warn!(error = %e, "dispatch round failed; will retry"),
        }
        if last_sweep.elapsed() >= config.sweep_interval {
            last_sweep = tokio::time::Instant::now();
            let queued = lease;
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

#[cfg(test)]
mod tests {
    use escale_domain::ids::{NotificationId, TenantId};

    use super::*;

    #[test]
    fn jobs_hold_one_tenant_each_and_at_most_job_size_rows() {
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let claimed: Vec<Claimed> = (0..7)
            .map(|i| Claimed {
                id: NotificationId(uuid::Uuid::now_v7()),
                tenant_id: TenantId(if i % 3 == 0 { b } else { a }),
                channel: Channel::Email,
                scheduled_at: Utc::now(),
            })
            .collect();
        let jobs = jobs(&claimed, 2);
        let sizes: Vec<(uuid::Uuid, usize)> = jobs.iter().map(|j| (j.tenant_id, j.ids().count())).collect();
        let mut expected = vec![(a, 2), (a, 2), (b, 2), (b, 1)];
        expected.sort();
        let mut sizes_sorted = sizes.clone();
        sizes_sorted.sort();
        assert_eq!(sizes_sorted, expected);
        let all: std::collections::HashSet<_> = jobs.iter().flat_map(|j| j.ids().collect::<Vec<_>>()).collect();
        assert_eq!(all.len(), 7, "every row in exactly one job");
        // A job from an older worker (one id) still reads.
        let old: SendJob =
            serde_json::from_str(&format!(r#"{{"tenant_id":"{a}","notification_id":"{b}"}}"#)).expect("reads");
        assert_eq!(old.ids().collect::<Vec<_>>(), vec![b]);
    }
}
