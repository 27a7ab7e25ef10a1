//! What a partner's API key sees: the published stops its partner backs
//! (directly, or through a partnership with the whole edition), their agenda,
//! aggregates that never single a person out, and the contacts of
//! participants who agreed to share them with partners.
//!
//! Every function takes the key's grant and checks its scope here, so the
//! rules hold whatever calls them. A stop the partner does not back is
//! NOT_FOUND, exactly like a stop that does not exist.

use escale_i18n::text;
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement, Value};
use uuid::Uuid;

use crate::access::authz::{Actor, KeyGrant, Scope};
use crate::catalog::{self, AgendaStop, Topic};
use crate::error::{DomainError, DomainResult};
use crate::paging::{Page, PageRequest};
use crate::registration::participants;
use crate::tenancy::TenantScope;

/// The smallest group an aggregate shows: a count of 1 to 4 people sharing a
/// segment, sector or region at one stop can name them (the only woman
/// entrepreneur from Azilal), so such groups are folded into `suppressed`.
pub const MIN_GROUP: u64 = 5;

/// A partner key's view: its tenant, its partner, what it may read.
#[derive(Debug, Clone, Copy)]
pub struct Partner<'a> {
    pub scope: TenantScope,
    pub partner_id: Uuid,
    pub grant: &'a KeyGrant,
}

impl<'a> Partner<'a> {
    pub fn of(actor: &'a Actor) -> DomainResult<Self> {
        let (scope, partner_id, grant) = actor.partner()?;
        Ok(Self { scope, partner_id, grant })
    }

    /// FORBIDDEN unless the key holds `scope`.
    pub fn require(&self, scope: Scope) -> DomainResult<()> {
        if self.grant.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(text!("key-lacks-scope", scope = scope.as_str())))
        }
    }
}

/// Ids of the stops the partner backs: partnered directly, or through their edition.
async fn partnered_stop_ids(db: &impl ConnectionTrait, p: &Partner<'_>) -> DomainResult<HashSet<Uuid>> {
    let sql = "SELECT s.id AS id FROM stop s \
               WHERE s.tenant_id = $1 AND ( \
                 s.id IN (SELECT stop_id FROM partnership WHERE tenant_id = $1 AND partner_id = $2 AND stop_id IS NOT NULL) \
                 OR s.edition_id IN (SELECT edition_id FROM partnership WHERE tenant_id = $1 AND partner_id = $2 AND edition_id IS NOT NULL))";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [p.scope.uuid().into(), p.partner_id.into()],
        ))
        .await?;
    rows.iter().map(|r| Ok(r.try_get::<Uuid>("", "id")?)).collect()
}

/// The partner's stops as the public agenda shows them (published stops of
/// published or past editions), oldest first. Drafts stay the organizer's.
pub async fn stops(db: &impl ConnectionTrait, p: &Partner<'_>) -> DomainResult<Vec<AgendaStop>> {
    let ids = partnered_stop_ids(db, p).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut agenda = catalog::agenda(db, p.scope).await?;
    agenda.retain(|s| ids.contains(&s.stop.id.0));
    Ok(agenda)
}

/// One of the partner's stops, or NOT_FOUND.
pub async fn stop(db: &impl ConnectionTrait, p: &Partner<'_>, stop_id: Uuid) -> DomainResult<AgendaStop> {
    stops(db, p).await?.into_iter().find(|s| s.stop.id.0 == stop_id).ok_or(DomainError::not_found("stop"))
}

// ---------------------------------------------------------------- aggregates

/// Counts per value, every shown group at least [`MIN_GROUP`] strong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Breakdown {
    /// Largest first; `None` is "not given".
    pub groups: Vec<(Option<String>, u64)>,
    /// People in groups too small to show, together.
    pub suppressed: u64,
}

impl Breakdown {
    /// Hides every group under `min`. When the hidden ones together are still
    /// under `min`, the smallest shown groups join them until they are not:
    /// otherwise, with a known list of values (segments), the total minus the
    /// shown groups would give the size of the one hidden group.
    pub fn of(counts: impl IntoIterator<Item = (Option<String>, u64)>, min: u64) -> Self {
        let mut groups: Vec<(Option<String>, u64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
        groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut suppressed = 0;
        while let Some(last) = groups.last() {
            if last.1 < min {
                suppressed += last.1;
                groups.pop();
            } else {
                break;
            }
        }
        while suppressed > 0 && suppressed < min {
            match groups.pop() {
                Some((_, n)) => suppressed += n,
                None => break,
            }
        }
        Breakdown { groups, suppressed }
    }
}

/// What a partner learns about a stop.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StopStats {
    /// Confirmed and waitlisted.
    pub registrations: u64,
    pub confirmed: u64,
    pub waitlisted: u64,
    pub checked_in: u64,
    pub segments: Breakdown,
    pub sectors: Breakdown,
    pub regions: Breakdown,
    /// Questions asked per topic (every topic listed, suppressed like the rest).
    pub questions: Breakdown,
}

impl StopStats {
    /// Checked in out of confirmed, when anyone is confirmed.
    pub fn attendance(&self) -> Option<f64> {
        (self.confirmed > 0).then(|| self.checked_in as f64 / self.confirmed as f64)
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub async fn stats(db: &impl ConnectionTrait, p: &Partner<'_>, stop_id: Uuid) -> DomainResult<StopStats> {
    p.require(Scope::StatsRead)?;
    stop(db, p, stop_id).await?;
    let backend = db.get_database_backend();
    let values: [Value; 2] = [p.scope.uuid().into(), stop_id.into()];
    let totals = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT status, COUNT(*) AS n, COUNT(checked_in_at) AS checked FROM registration \
             WHERE tenant_id = $1 AND stop_id = $2 GROUP BY status",
            values.clone(),
        ))
        .await?;
    let mut stats = StopStats::default();
    for row in &totals {
        let status: String = row.try_get("", "status")?;
        let (n, checked) = (count(row.try_get("", "n")?), count(row.try_get("", "checked")?));
        match status.as_str() {
            "confirmed" => {
                stats.confirmed = n;
                stats.checked_in += checked;
            }
            "waitlisted" => stats.waitlisted = n,
            _ => {}
        }
    }
    stats.registrations = stats.confirmed + stats.waitlisted;
    // One round trip for the three profiles; folded per field below.
    let profiles = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT p.segment AS segment, p.sector AS sector, p.region AS region, COUNT(*) AS n \
             FROM registration r JOIN participant p ON p.tenant_id = r.tenant_id AND p.id = r.participant_id \
             WHERE r.tenant_id = $1 AND r.stop_id = $2 AND r.status <> 'cancelled' \
             GROUP BY p.segment, p.sector, p.region",
            values,
        ))
        .await?;
    let (mut segments, mut sectors, mut regions) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for row in &profiles {
        let n = count(row.try_get("", "n")?);
        let key = |col: &str| -> DomainResult<Option<String>> {
            let v: Option<String> = row.try_get("", col)?;
            Ok(v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
        };
        *segments.entry(key("segment")?).or_insert(0) += n;
        *sectors.entry(key("sector")?).or_insert(0) += n;
        *regions.entry(key("region")?).or_insert(0) += n;
    }
    stats.segments = Breakdown::of(segments, MIN_GROUP);
    stats.sectors = Breakdown::of(sectors, MIN_GROUP);
    stats.regions = Breakdown::of(regions, MIN_GROUP);
    let questions = participants::question_counts(db, p.scope, stop_id).await?;
    stats.questions = Breakdown::of(
        questions.into_iter().map(|(t, n): (Topic, i64)| (Some(t.as_str().to_owned()), count(n))),
        MIN_GROUP,
    );
    Ok(stats)
}

// ---------------------------------------------------------------- leads

/// A participant who agreed to share their contact with the organizer's
/// partners: what that consent covers — who they are, how to reach them,
/// their business profile — and nothing else (no ticket, no questions, no
/// other stops).
#[derive(Clone)]
pub struct Lead {
    /// Orders the list and makes the cursor; not shown.
    pub registration_id: Uuid,
    pub full_name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub segment: Option<String>,
    pub sector: Option<String>,
    pub region: Option<String>,
    pub locale: String,
    pub consented_at: DateTime<Utc>,
}

impl std::fmt::Debug for Lead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lead").field("registration_id", &self.registration_id).finish_non_exhaustive()
    }
}

/// The stop's leads in registration order. Consent is read now: a withdrawal
/// hides the lead from the next request on.
pub async fn leads(
    db: &impl ConnectionTrait,
    p: &Partner<'_>,
    stop_id: Uuid,
    page: &PageRequest,
) -> DomainResult<Page<Lead>> {
    p.require(Scope::LeadsRead)?;
    stop(db, p, stop_id).await?;
    let backend = db.get_database_backend();
    let from = "FROM registration r JOIN participant p ON p.tenant_id = r.tenant_id AND p.id = r.participant_id \
                WHERE r.tenant_id = $1 AND r.stop_id = $2 AND r.status <> 'cancelled' \
                AND p.consent_partners_at IS NOT NULL";
    let total_row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n {from}"),
            [p.scope.uuid().into(), stop_id.into()],
        ))
        .await?;
    let total = match total_row {
        Some(row) => count(row.try_get("", "n")?),
        None => 0,
    };
    let mut values: Vec<Value> = vec![p.scope.uuid().into(), stop_id.into()];
    let after = match page.after_id() {
        Some(id) => {
            values.push(id.into());
            " AND r.id > $3"
        }
        None => "",
    };
    let limit = page.limit() + 1;
    let sql = format!(
        "SELECT r.id AS rid, p.full_name, p.company, p.email, p.phone, p.segment, p.sector, p.region, p.locale, \
         p.consent_partners_at {from}{after} ORDER BY r.id LIMIT {limit}"
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let leads = rows
        .iter()
        .map(|row| {
            Ok(Lead {
                registration_id: row.try_get("", "rid")?,
                full_name: row.try_get("", "full_name")?,
                company: row.try_get("", "company")?,
                email: row.try_get("", "email")?,
                phone: row.try_get("", "phone")?,
                segment: row.try_get("", "segment")?,
                sector: row.try_get("", "sector")?,
                region: row.try_get("", "region")?,
                locale: row.try_get("", "locale")?,
                consented_at: row.try_get("", "consent_partners_at")?,
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(leads, page, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(counts: &[(&str, u64)]) -> Breakdown {
        Breakdown::of(counts.iter().map(|(k, n)| (Some((*k).to_owned()), *n)), MIN_GROUP)
    }

    fn shown(b: &Breakdown) -> Vec<(String, u64)> {
        b.groups.iter().map(|(k, n)| (k.clone().unwrap_or_default(), *n)).collect()
    }

    #[test]
    fn groups_at_the_threshold_show() {
        let r = b(&[("tpe", 12), ("project_holder", 5)]);
        assert_eq!(shown(&r), vec![("tpe".into(), 12), ("project_holder".into(), 5)]);
        assert_eq!(r.suppressed, 0);
    }

    #[test]
    fn small_groups_fold_together_when_that_is_enough() {
        let r = b(&[("tpe", 30), ("micro", 3), ("auto", 2), ("holder", 9)]);
        assert_eq!(shown(&r), vec![("tpe".into(), 30), ("holder".into(), 9)]);
        assert_eq!(r.suppressed, 5);
    }

    /// One hidden group of 2 next to known values would be read off the total:
    /// the smallest shown group goes with it.
    #[test]
    fn a_lone_small_group_takes_the_next_smallest_with_it() {
        let r = b(&[("tpe", 30), ("holder", 9), ("auto", 2)]);
        assert_eq!(shown(&r), vec![("tpe".into(), 30)]);
        assert_eq!(r.suppressed, 11);
    }

    #[test]
    fn a_stop_smaller_than_the_threshold_shows_no_group() {
        let r = b(&[("tpe", 3), ("auto", 1)]);
        assert!(r.groups.is_empty());
        assert_eq!(r.suppressed, 4);
        let none = b(&[]);
        assert_eq!(none, Breakdown::default());
    }

    #[test]
    fn every_shown_group_meets_the_threshold_and_nothing_is_lost() {
        // Exhaustive over small shapes: the invariant, not examples.
        for a in 0..8u64 {
            for c in 0..8u64 {
                for d in 0..12u64 {
                    let r = b(&[("a", a), ("c", c), ("d", d)]);
                    assert!(r.groups.iter().all(|(_, n)| *n >= MIN_GROUP), "{a} {c} {d}: {r:?}");
                    assert!(r.suppressed == 0 || r.suppressed >= MIN_GROUP || r.groups.is_empty(), "{a} {c} {d}");
                    assert_eq!(r.groups.iter().map(|g| g.1).sum::<u64>() + r.suppressed, a + c + d);
                }
            }
        }
    }
}
