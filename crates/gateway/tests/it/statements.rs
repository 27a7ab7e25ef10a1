//! No N+1: the number of SQL statements for a request does not grow with the
//! number of sessions, speakers or partners it returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use escale_domain::entities::{session, stop};
use escale_domain::manage::{self, TimeInput};
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::support::*;

const AGENDA: &str = "{ agenda(tenant: \"attitudes-conseil\") { id city seatsLeft registrationOpen edition { number series { name } } sessions { id title topics speakers { name } } } }";
const ORGANIZER: &str = "{ stops(first: 50) { totalCount edges { node { id name edition { title series { name } } sessions { title localStartsAt speakers { name email } } partners { tier partner { name } } } } } }";

async fn count(app: &TestApp, counter: &AtomicUsize, token: Option<&str>, query: &str) -> usize {
    let before = counter.load(Ordering::SeqCst);
    let r = app.gql(token, query, json!({})).await;
    ok(&r);
    counter.load(Ordering::SeqCst) - before
}

#[tokio::test]
async fn statements_per_request_do_not_grow_with_the_programme() {
    for t in TestDb::each("statements_per_request_do_not_grow_with_the_programme").await {
        let org = demo_with_roles(&t.db).await;
        let counter = Arc::new(AtomicUsize::new(0));
        let mut counted = t.db.clone();
        let c = counter.clone();
        counted.set_metric_callback(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let app = TestApp::start(counted).await;
        let token = app.token("owner@a.example", None).await;

        // Warm up (the first authenticated request records the session's use).
        count(&app, &counter, Some(&token), ORGANIZER).await;
        let agenda_small = count(&app, &counter, None, AGENDA).await;
        let organizer_small = count(&app, &counter, Some(&token), ORGANIZER).await;

        // Ten times the sessions, each with two speakers.
        let owner = owner_actor(&t.db, "owner@a.example").await;
        let stops =
            stop::Entity::find().filter(stop::Column::TenantId.eq(org.scope.uuid())).all(&t.db).await.expect("stops");
        let speakers = manage::create_speaker(
            &t.db,
            &owner,
            manage::SpeakerInput { full_name: Some("Invitée".into()), ..Default::default() },
            Utc::now(),
        )
        .await
        .expect("speaker");
        for s in &stops {
            for n in 0..9 {
                let start = s.starts_at + Duration::minutes(10 * n);
                let new = manage::NewSession {
                    stop_id: s.id,
                    kind: session::Kind::Talk,
                    title: format!("Session {n}"),
                    description: None,
                    topics: vec![],
                    room: None,
                    translations: Vec::new(),
                    starts_at: TimeInput::Instant(start),
                    ends_at: TimeInput::Instant(start + Duration::minutes(10)),
                    capacity: None,
                    language: None,
                };
                let created = manage::create_session(&t.db, &owner, new, Utc::now()).await.expect("session");
                manage::assign_speaker(&t.db, &owner, created.id.0, speakers.id.0, None, Utc::now())
                    .await
                    .expect("speaker");
            }
        }
        let agenda_large = count(&app, &counter, None, AGENDA).await;
        let organizer_large = count(&app, &counter, Some(&token), ORGANIZER).await;
        assert_eq!(agenda_small, agenda_large, "{}: agenda statements grew", t.backend_name());
        assert_eq!(organizer_small, organizer_large, "{}: organizer statements grew", t.backend_name());
        assert!(agenda_small <= 8, "{}: agenda takes {agenda_small} statements", t.backend_name());
        assert!(organizer_small <= 14, "{}: organizer query takes {organizer_small} statements", t.backend_name());
    }
}
