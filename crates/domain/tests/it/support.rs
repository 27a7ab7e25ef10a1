use chrono::{DateTime, Utc};
use escale_domain::catalog::{self, AgendaStop};
use escale_domain::entities::{notification, stop};
use escale_domain::ids::StopId;
use escale_domain::registration::{Consents, RegisterInput};
use escale_domain::tenancy::TenantScope;
use escale_domain::{DatabaseConnection, demo};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub async fn demo(db: &DatabaseConnection) -> (TenantScope, Vec<AgendaStop>) {
    let summary = demo::load(db, now()).await.expect("demo loads");
    let agenda = catalog::agenda(db, summary.scope).await.expect("agenda");
    (summary.scope, agenda)
}

/// The first stop of the demo's next edition (open for registration).
pub fn open_stop(agenda: &[AgendaStop]) -> &AgendaStop {
    agenda.iter().find(|s| s.window(now()).is_open()).expect("an open stop")
}

pub async fn set_capacity(db: &DatabaseConnection, id: StopId, capacity: i32) {
    let stop = stop::Entity::find_by_id(id.0).one(db).await.expect("query").expect("stop");
    let mut active = stop.into_active_model();
    active.capacity = Set(capacity);
    active.update(db).await.expect("update capacity");
}

pub fn person(stop: StopId, n: usize) -> RegisterInput {
    RegisterInput {
        stop_id: stop,
        full_name: format!("Participant {n}"),
        email: Some(format!("participant{n}@example.ma")),
        phone: None,
        locale: Some("fr".into()),
        consents: Consents { email_reminders: true, ..Consents::default() },
        ..RegisterInput::default()
    }
}

/// The messages sent as things happen (confirmations, notices…): reminders,
/// planned for later, have their own tests.
pub async fn notifications(db: &DatabaseConnection) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::TemplateKey.ne("reminder"))
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await
        .expect("notifications")
}

/// A registration's messages as things happen (reminders excluded).
pub async fn notifications_of(db: &DatabaseConnection, registration: uuid::Uuid) -> Vec<notification::Model> {
    all_notifications_of(db, registration).await.into_iter().filter(|n| n.template_key.as_str() != "reminder").collect()
}

pub async fn all_notifications_of(db: &DatabaseConnection, registration: uuid::Uuid) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::RegistrationId.eq(registration))
        .all(db)
        .await
        .expect("notifications")
}

pub async fn set_session_capacity(db: &DatabaseConnection, id: uuid::Uuid, capacity: Option<i32>) {
    let session =
        escale_domain::entities::session::Entity::find_by_id(id).one(db).await.expect("query").expect("session");
    let mut active = session.into_active_model();
    active.capacity = Set(capacity);
    active.update(db).await.expect("update capacity");
}

/// Templates of the messages planned about a registration, sorted, with their channel.
pub async fn planned(db: &DatabaseConnection, registration: uuid::Uuid) -> Vec<(String, String, notification::Status)> {
    let mut out: Vec<_> = notifications_of(db, registration)
        .await
        .into_iter()
        .map(|n| (n.template_key.to_string(), n.channel.to_string(), n.status))
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

pub async fn reload_stop(db: &DatabaseConnection, id: StopId) -> stop::Model {
    stop::Entity::find_by_id(id.0).one(db).await.expect("query").expect("stop")
}

/// An owner of the tenant, as a domain actor.
pub async fn owner_actor(db: &DatabaseConnection, scope: TenantScope) -> escale_domain::access::authz::Actor {
    use escale_domain::access::accounts::{self, NewMember};
    let email = "owner-for-tests@example.ma";
    let member = NewMember {
        email: email.into(),
        display_name: None,
        password: Some("correct horse battery".into()),
        role: escale_domain::access::authz::Role::Owner,
    };
    accounts::add_member(db, scope, member, now()).await.expect("member");
    accounts::login(db, email, "correct horse battery", None, now()).await.expect("login").actor
}
