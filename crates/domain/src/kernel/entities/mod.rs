//! sea-orm entities, one per table of the `escale-migrations` schema.
//!
//! They are the persistence shapes, not the domain API: services take parsed
//! values and a tenant scope, and only they touch these models. Every
//! tenant-owned entity has a `tenant_id` column, and every query on it filters
//! by that column (see `crate::tenancy::TenantScope`).

pub mod api_key;
pub mod api_request;
pub mod app_user;
pub mod audit_log;
pub mod consent_event;
pub mod door_scan;
pub mod edition;
pub mod membership;
pub mod notification;
pub mod opt_out;
pub mod participant;
pub mod partner;
pub mod partnership;
pub mod question;
pub mod registration;
pub mod reminder_policy;
pub mod series;
pub mod session;
pub mod session_seat;
pub mod session_speaker;
pub mod speaker;
pub mod stop;
pub mod template;
pub mod tenant;
pub mod user_session;

/// Implements `ActiveModelBehavior` and an empty `Relation` for entities whose
/// joins are written explicitly in queries (keeps the tenant filter visible).
macro_rules! plain_entity {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}
pub(crate) use plain_entity;
