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

pub async fn notifications(db: &DatabaseConnection) -> Vec<notification::Model> {
    notification::Entity::find().order_by_asc(notification::Column::CreatedAt).all(db).await.expect("notifications")
}

pub async fn notifications_of(db: &DatabaseConnection, registration: uuid::Uuid) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::RegistrationId.eq(registration))
        .all(db)
        .await
        .expect("notifications")
}
