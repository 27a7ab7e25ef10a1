use chrono::Utc;
use escale_domain::DatabaseConnection;
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::{Actor, Role};
use escale_domain::demo::{self, DemoSummary};
use escale_domain::tenancy::TenantScope;
use escale_gateway::AppState;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub const PASSWORD: &str = "correct horse battery";

/// The gateway serving on a loopback port over a test database.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    pub async fn start(db: DatabaseConnection) -> TestApp {
        Self::start_with(AppState::new(db, None)).await
    }

    pub async fn start_with(state: AppState) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let shutdown = CancellationToken::new();
        tokio::spawn(escale_gateway::serve(listener, state, shutdown.clone()));
        let http = escale_testkit::http_client();
        TestApp { base, http, shutdown }
    }

    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_in(None, token, query, variables).await
    }

    /// The same, asking for a language (`Accept-Language`).
    pub async fn gql_in(&self, lang: Option<&str>, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req =
            self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        req.send().await.expect("POST /graphql").json().await.expect("JSON")
    }

    pub async fn login(&self, email: &str, password: &str, tenant: Option<&str>) -> Value {
        self.gql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { token expiresAt } }",
            json!({ "i": { "email": email, "password": password, "tenant": tenant } }),
        )
        .await
    }

    pub async fn token(&self, email: &str, tenant: Option<&str>) -> String {
        let r = self.login(email, PASSWORD, tenant).await;
        r["data"]["login"]["token"].as_str().unwrap_or_else(|| panic!("login {email}: {r}")).to_owned()
    }
}

impl TestApp {
    /// Moves a stop to today, starting `in_hours` from now and lasting eight
    /// hours (its registration closing when it starts): its door is open.
    pub async fn hold_today(&self, token: &str, stop: &str, in_hours: i64) {
        let r = self
            .gql(
                Some(token),
                "mutation($id: ID!) { updateStop(id: $id, input: { registrationClosesAt: null }) { id } }",
                json!({ "id": stop }),
            )
            .await;
        ok(&r);
        let start = Utc::now() + chrono::Duration::hours(in_hours);
        let r = self
            .gql(
                Some(token),
                "mutation($id: ID!, $a: DateTime!, $b: DateTime!) { rescheduleStop(id: $id, input: { startsAt: $a, endsAt: $b }) { id } }",
                json!({ "id": stop, "a": start, "b": start + chrono::Duration::hours(8) }),
            )
            .await;
        ok(&r);
    }

    /// The id of the demo's first stop that takes registrations.
    pub async fn open_stop_id(&self) -> String {
        let agenda =
            self.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id registrationOpen } }", json!({})).await;
        ok(&agenda)["agenda"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["registrationOpen"] == true))
            .and_then(|s| s["id"].as_str())
            .expect("an open stop")
            .to_owned()
    }
}

pub fn code(r: &Value) -> Option<&str> {
    r["errors"][0]["extensions"]["code"].as_str()
}

pub fn ok(r: &Value) -> &Value {
    assert!(r["errors"].is_null(), "unexpected errors: {r}");
    &r["data"]
}

/// The demo organizer, with one member per role (`<role>@a.example`).
pub struct Organizer {
    pub summary: DemoSummary,
    pub scope: TenantScope,
}

pub async fn demo_with_roles(db: &DatabaseConnection) -> Organizer {
    let summary = demo::load(db, Utc::now()).await.expect("demo");
    for (role, email) in roles_emails() {
        accounts::add_member(
            db,
            summary.scope,
            NewMember { email: email.into(), display_name: None, password: Some(PASSWORD.into()), role },
            Utc::now(),
        )
        .await
        .expect("member");
    }
    Organizer { scope: summary.scope, summary }
}

pub fn roles_emails() -> [(Role, &'static str); 4] {
    [
        (Role::Owner, "owner@a.example"),
        (Role::Admin, "admin@a.example"),
        (Role::Staff, "staff@a.example"),
        (Role::Checkin, "checkin@a.example"),
    ]
}

/// The owner of a tenant as a domain actor (for fixtures).
pub async fn owner_actor(db: &DatabaseConnection, email: &str) -> Actor {
    accounts::login(db, email, PASSWORD, None, Utc::now()).await.expect("owner login").actor
}

/// The demo tenant's scope.
pub async fn demo_scope(db: &DatabaseConnection) -> TenantScope {
    escale_domain::tenancy::by_slug(db, demo::TENANT_SLUG).await.expect("demo tenant").scope
}
