//! The pages over HTTP, on SQLite and PostgreSQL: what a participant's
//! browser sends and gets back, and what an attacker's script does. (The same
//! flows in a real Chromium are in the end-to-end suite, `tests/e2e/browser.rs`.)

use std::time::Duration;

use chrono::Utc;
use escale_domain::DatabaseConnection;
use escale_domain::access::links::{self, Purpose};
use escale_domain::tenancy::TenantScope;
use escale_gateway::AppState;
use escale_testkit::TestDb;
use sea_orm::EntityTrait;
use tokio_util::sync::CancellationToken;

const STOP: &str = "/attitudes-conseil/beni-mellal-2027-01-23";

struct Site {
    base: String,
    http: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Site {
    async fn start(db: DatabaseConnection) -> Site {
        Self::start_with_demo(db).await.0
    }

    /// The site, and the demo owner's email and password.
    async fn start_with_demo(db: DatabaseConnection) -> (Site, String, String) {
        let demo = escale_domain::demo::load(&db, Utc::now()).await.expect("demo");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let shutdown = CancellationToken::new();
        let state = AppState::new(db, None).sms_price("0.35 MAD".parse().ok());
        tokio::spawn(escale_web::serve(listener, state, shutdown.clone()));
        let _ = escale_testkit::http_client(); // installs the TLS provider reqwest wants
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        (Site { base, http, shutdown }, demo.owner_email, demo.owner_password)
    }

    async fn graphql(
        &self,
        token: Option<&str>,
        lang: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("accept-language", lang)
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("POST /graphql").json().await.expect("JSON")
    }

    async fn get(&self, path: &str, lang: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).header("accept-language", lang).send().await.expect("GET")
    }

    async fn text(&self, path: &str, lang: &str) -> String {
        self.get(path, lang).await.text().await.expect("body")
    }

    /// Posts a form as a browser on the page does.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(fields))
            .send()
            .await
            .expect("POST")
    }
}

fn encode(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

/// The value of the page's hidden form token.
fn form_token(html: &str) -> String {
    let at = html.find("name=\"form\" value=\"").expect("a form token in the page") + 19;
    html[at..].chars().take_while(|c| *c != '"').collect()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

#[tokio::test]
async fn the_form_registers_once_keeps_what_was_typed_and_refuses_forgeries() {
    for t in TestDb::each("the_form_registers_once_keeps_what_was_typed_and_refuses_forgeries").await {
        let name = t.backend_name();
        let site = Site::start(t.db.clone()).await;

        let page = site.get(&format!("{STOP}?lang=ar"), "fr").await;
        assert_eq!(page.status(), 200, "{name}");
        assert_eq!(page.headers()["cache-control"], "no-store", "{name}: a page with a one-time form id");
        let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
        assert!(csp.contains("default-src 'none'") && !csp.contains("http"), "{name}: {csp}");
        let html = page.text().await.expect("body");
        assert!(html.contains("dir=\"rtl\"") && html.contains("الاسم الكامل"), "{name}: Arabic from ?lang=ar");
        assert!(html.contains("السبت 23 يناير 2027"), "{name}: the local date in Arabic");
        let token = form_token(&html);

        // A wrong email: 422, the error beside its field, every value kept.
        let bad = site
            .post(
                &format!("{STOP}?lang=ar"),
                &[
                    ("form", &token),
                    ("fullName", "أمينة بنعلي"),
                    ("email", "amina@"),
                    ("phone", "06 12 34 56 78"),
                    ("company", "Atelier Amina"),
                    ("consentSms", "1"),
                ],
            )
            .await;
        assert_eq!(bad.status(), 422, "{name}");
        let html = bad.text().await.expect("body");
        assert!(html.contains("id=\"email-error\""), "{name}: the error sits under the email field");
        assert!(html.contains("aria-invalid=\"true\""), "{name}");
        for kept in ["value=\"أمينة بنعلي\"", "value=\"amina@\"", "value=\"06 12 34 56 78\"", "value=\"Atelier Amina\""]
        {
            assert!(html.contains(kept), "{name}: {kept} was lost");
        }
        assert!(html.contains("id=\"consentSms\" name=\"consentSms\" value=\"1\" checked"), "{name}: consent kept");
        assert!(
            html.contains("id=\"consentEmail\" name=\"consentEmail\" value=\"1\">"),
            "{name}: unticked stays unticked"
        );
        let token = form_token(&html);

        // Fixed: one registration, and the answer is her own page.
        let fields = [
            ("form", token.as_str()),
            ("fullName", "أمينة بنعلي"),
            ("email", "amina@example.ma"),
            ("phone", "+212 6 12 34 56 78"),
            ("locale", "ar"),
            ("consentEmail", "1"),
        ];
        let ok = site.post(STOP, &fields).await;
        assert_eq!(ok.status(), 303, "{name}: {}", ok.text().await.unwrap_or_default());
        let own = location(&ok);
        assert!(own.starts_with("/m/") && !own.contains("amina"), "{name}: {own}");
        // The same form again (a double tap, a reload): the same answer, no second registration.
        let again = site.post(STOP, &fields).await;
        assert_eq!(location(&again), own, "{name}");
        let count = escale_domain::entities::registration::Entity::find().all(&t.db).await.expect("q").len();
        assert_eq!(count, 1, "{name}");
        // Another form with the same person: already registered, and nothing of hers shown.
        let other = form_token(&site.text(STOP, "fr").await);
        let mut fields2 = fields;
        fields2[0] = ("form", other.as_str());
        let dup = site.post(STOP, &fields2).await;
        assert_eq!(dup.status(), 200, "{name}");
        let html = dup.text().await.expect("body");
        assert!(!html.contains("/m/") && html.contains("مسجَّل"), "{name}: {html}");

        let page = site.get(&own, "en").await;
        assert_eq!(page.headers()["referrer-policy"], "no-referrer", "{name}");
        assert_eq!(page.headers()["x-robots-tag"], "noindex", "{name}");
        let html = page.text().await.expect("body");
        assert!(html.contains("مقعدك مؤكَّد") && html.contains("<svg"), "{name}: her language, the QR inline");
        let ics = site.get(&format!("{}/event.ics", own.split('?').next().unwrap_or("")), "fr").await;
        assert_eq!(ics.status(), 200, "{name}");
        assert!(ics.text().await.expect("ics").contains("BEGIN:VEVENT"), "{name}");

        // Forgeries: another site's post, no token, a made-up token.
        let token = form_token(&site.text(STOP, "fr").await);
        let cross = site
            .http
            .post(format!("{}{STOP}", site.base))
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[("form", &token), ("fullName", "Eve"), ("email", "eve@example.ma")]))
            .send()
            .await
            .expect("POST");
        assert_eq!(cross.status(), 403, "{name}");
        let evil_origin = site
            .http
            .post(format!("{}{STOP}", site.base))
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[("form", &token), ("fullName", "Eve"), ("email", "eve@example.ma")]))
            .send()
            .await
            .expect("POST");
        assert_eq!(evil_origin.status(), 403, "{name}");
        for forged in ["", "0190d3a4-0000-7000-8000-000000000000.AAAAAAAAAAAAAAAAAAAAAA", "garbage"] {
            let r = site.post(STOP, &[("form", forged), ("fullName", "Eve"), ("email", "eve@example.ma")]).await;
            assert_eq!(r.status(), 403, "{name}: {forged}");
        }
        // A body that is not even a form: the form again, never a 500.
        let junk = site
            .http
            .post(format!("{}{STOP}", site.base))
            .header("sec-fetch-site", "same-origin")
            .body(vec![0xff_u8, 0xfe, b'%', b'='])
            .send()
            .await
            .expect("POST");
        assert_eq!(junk.status(), 403, "{name}: no form token in junk");
        let count = escale_domain::entities::registration::Entity::find().all(&t.db).await.expect("q").len();
        assert_eq!(count, 1, "{name}: none of the forgeries registered anyone");
    }
}

#[tokio::test]
async fn the_pages_speak_the_readers_language_and_a_wrong_path_gets_a_styled_404() {
    let t = TestDb::sqlite().await;
    let site = Site::start(t.db.clone()).await;
    let home = site.get("/", "fr").await;
    assert_eq!(home.status(), 303, "one organizer: its page");
    assert_eq!(location(&home), "/attitudes-conseil");
    let html = site.text("/attitudes-conseil", "ar-MA,ar;q=0.9").await;
    assert!(html.contains("lang=\"ar\" dir=\"rtl\""), "Accept-Language picks Arabic");
    assert!(html.contains("الدورات السابقة") && html.contains("2019"), "past editions as history");
    let html = site.text("/attitudes-conseil?lang=en", "ar").await;
    assert!(html.contains("seats left") && html.contains("Béni Mellal"), "the switcher wins");
    for path in ["/nobody", "/attitudes-conseil/atlantis-2030-01-01", "/attitudes-conseil/x/y/z", "/%FF"] {
        let r = site.get(path, "en").await;
        assert_eq!(r.status(), 404, "{path}");
        let html = r.text().await.expect("body");
        assert!(html.contains("Page not found") || html.contains("not valid"), "{path}: {html}");
    }
    let by_id = escale_domain::entities::stop::Entity::find().all(&t.db).await.expect("q");
    let stop = by_id.iter().find(|s| s.city == "Béni Mellal" && s.starts_at.format("%Y").to_string() == "2027");
    let stop = stop.expect("the 2027 Béni Mellal stop");
    let r = site.get(&format!("/attitudes-conseil/{}", stop.id), "fr").await;
    assert_eq!(r.status(), 200, "a stop by its id too");
    // An organizer cannot take a name the platform's routes answer first.
    for taken in ["assets", "graphql", "m", "s", "console"] {
        let refused = escale_domain::access::accounts::create_tenant(&t.db, taken, "Shadow", Utc::now()).await;
        assert!(
            matches!(&refused, Err(escale_domain::DomainError::Validation { field, .. }) if field == "slug"),
            "{taken}: {refused:?}"
        );
    }
    let css = site.get("/assets/escale.css", "fr").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"].to_str().unwrap_or("").contains("immutable"));
}

#[tokio::test]
async fn the_links_in_messages_open_their_pages_and_forged_ones_nothing() {
    for t in TestDb::each("the_links_in_messages_open_their_pages_and_forged_ones_nothing_web").await {
        let name = t.backend_name();
        let site = Site::start(t.db.clone()).await;
        let token = form_token(&site.text(STOP, "fr").await);
        let r = site
            .post(
                STOP,
                &[("form", &token), ("fullName", "Amina Benali"), ("email", "amina@example.ma"), ("locale", "fr")],
            )
            .await;
        let own = location(&r);
        let own = own.split('?').next().unwrap_or("").to_owned();
        let registration =
            escale_domain::entities::registration::Entity::find().one(&t.db).await.expect("q").expect("reg");
        let scope = TenantScope::new(escale_domain::ids::TenantId(registration.tenant_id));
        let signer = links::signer(&t.db, scope, Utc::now()).await.expect("signer");
        let manage = signer.manage_token(registration.id).expect("token");
        assert_eq!(own, format!("/m/{manage}"), "{name}");

        // Cancel: a confirming step, then the post; the page says so and shows no code.
        let confirm = site.text(&format!("{own}/cancel"), "fr").await;
        assert!(confirm.contains("Oui, annuler mon inscription"), "{name}");
        let form = form_token(&confirm);
        let done = site.post(&format!("{own}/cancel"), &[("form", &form)]).await;
        assert_eq!(done.status(), 303, "{name}");
        let html = site.text(&own, "fr").await;
        assert!(html.contains("a été annulée") && !html.contains("<svg"), "{name}: {html}");

        // Forged, truncated, another purpose's, garbage: one answer, in the reader's language.
        let mut forged = manage.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).expect("ascii");
        let other_purpose = signer.token(Purpose::SpeakerQuestions, registration.id).expect("token");
        for bad in [forged.as_str(), &manage[..20], other_purpose.as_str(), "%00%FF", &"A".repeat(5000)] {
            let r = site.get(&format!("/m/{bad}"), "en").await;
            assert_eq!(r.status(), 404, "{name}: {bad}");
            assert!(r.text().await.expect("body").contains("This link is not valid"), "{name}: {bad}");
        }

        // The speaker link of a session.
        let session = escale_domain::entities::session::Entity::find().one(&t.db).await.expect("q").expect("session");
        let speaker = signer.token(Purpose::SpeakerQuestions, session.id).expect("token");
        let r = site.get(&format!("/s/{speaker}"), "fr").await;
        assert_eq!(r.status(), 200, "{name}");
        assert!(r.text().await.expect("body").contains("Pas encore de question"), "{name}");
        assert_eq!(site.get(&format!("/s/{manage}"), "fr").await.status(), 404, "{name}");

        // Guessing tokens from one address runs into its public quota (burst 20).
        let mut refused = None;
        for n in 0..40 {
            let r = site.get(&format!("/m/{forged}{n}"), "fr").await;
            if r.status() == 429 {
                refused = Some((n, r.headers().get("retry-after").cloned()));
                break;
            }
        }
        let (after, retry) = refused.unwrap_or_else(|| panic!("{name}: 40 guesses in a row were all answered"));
        assert!(retry.is_some(), "{name}: says when to come back");
        assert!(after <= 20, "{name}: refused after {after} more guesses");
    }
}

#[tokio::test]
async fn a_flood_of_registrations_from_one_address_is_refused_with_the_form_kept() {
    let t = TestDb::sqlite().await;
    let site = Site::start(t.db.clone()).await;
    let mut refused = None;
    for n in 0..40 {
        let token = form_token(&site.text(STOP, "fr").await);
        let email = format!("p{n}@example.ma");
        let r = site.post(STOP, &[("form", &token), ("fullName", "Flood Er"), ("email", &email)]).await;
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
            let html = r.text().await.expect("body");
            assert!(html.contains(&format!("value=\"{email}\"")), "what was typed is kept");
            refused = Some(n);
            break;
        }
        assert_eq!(r.status(), 303, "{n}");
    }
    assert!(refused.is_some_and(|n| n <= 30), "the per-address limit applies to the form: {refused:?}");
}

#[tokio::test]
async fn her_own_page_changes_consents_language_and_workshops_and_asks_a_question() {
    for t in TestDb::each("her_own_page_changes_consents_language_and_workshops_and_asks_a_question").await {
        let name = t.backend_name();
        let site = Site::start(t.db.clone()).await;
        let token = form_token(&site.text(STOP, "fr").await);
        let r = site
            .post(
                STOP,
                &[
                    ("form", &token),
                    ("fullName", "Amina Benali"),
                    ("email", "amina@example.ma"),
                    ("locale", "fr"),
                    ("consentEmail", "1"),
                    ("consentPartners", "1"),
                ],
            )
            .await;
        let own = location(&r).split('?').next().unwrap_or("").to_owned();
        let html = site.text(&own, "fr").await;
        assert!(html.contains("accepté le") && html.contains("non accepté"), "{name}: consents shown");
        let form = form_token(&html);

        let r = site.post(&format!("{own}/consent"), &[("form", &form), ("kind", "partners")]).await;
        assert_eq!(r.status(), 303, "{name}");
        let person = escale_domain::entities::participant::Entity::find().one(&t.db).await.expect("q").expect("p");
        assert!(person.consent_partners_at.is_none() && person.consent_email_at.is_some(), "{name}: only that one");
        assert!(site.text(&location(&r), "fr").await.contains("votre accord est retiré"), "{name}");

        // Too short a question: refused in place, her text kept.
        let r =
            site.post(&format!("{own}/question"), &[("form", &form), ("topic", "budgeting"), ("question", "?")]).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains(">?</textarea>"), "{name}");
        let r = site
            .post(
                &format!("{own}/question"),
                &[("form", &form), ("topic", "budgeting"), ("question", "Comment tenir un budget ?")],
            )
            .await;
        assert_eq!(r.status(), 303, "{name}");
        let questions = escale_domain::entities::question::Entity::find().all(&t.db).await.expect("q");
        assert_eq!(questions.len(), 1, "{name}");

        // Arabic from now on: the page and her messages follow.
        let r = site.post(&format!("{own}/language"), &[("form", &form), ("locale", "ar")]).await;
        assert_eq!(r.status(), 303, "{name}");
        let html = site.text(&location(&r), "fr").await;
        assert!(html.contains("dir=\"rtl\"") && html.contains("ستصلك رسائلك القادمة"), "{name}");
        let person = escale_domain::entities::participant::Entity::find().one(&t.db).await.expect("q").expect("p");
        assert_eq!(person.locale.as_str(), "ar", "{name}");

        // A made-up action, a forged form, another site's post: nothing done.
        assert_eq!(site.post(&format!("{own}/delete-everything"), &[("form", &form)]).await.status(), 404, "{name}");
        let forged = site.post(&format!("{own}/consent"), &[("form", "x.y"), ("kind", "email")]).await;
        assert_eq!(forged.status(), 403, "{name}");
        let cross = site
            .http
            .post(format!("{}{own}/consent", site.base))
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[("form", &form), ("kind", "email")]))
            .send()
            .await
            .expect("POST");
        assert_eq!(cross.status(), 403, "{name}");
        let person = escale_domain::entities::participant::Entity::find().one(&t.db).await.expect("q").expect("p");
        assert!(person.consent_email_at.is_some(), "{name}: still given");

        // Partner sharing given back: the page says so.
        let r = site.post(&format!("{own}/give"), &[("form", &form), ("kind", "partners")]).await;
        assert_eq!(r.status(), 303, "{name}");
        assert!(site.text(&location(&r), "ar").await.contains("تمّ تسجيل موافقتك"), "{name}");
        // SMS with no phone on record: refused in place, with the reason.
        let r = site.post(&format!("{own}/give"), &[("form", &form), ("kind", "sms")]).await;
        assert_eq!(r.status(), 422, "{name}");

        // Workshops: a session id that is none, another stop's, one of hers.
        let workshops: Vec<escale_domain::entities::session::Model> =
            escale_domain::entities::session::Entity::find().all(&t.db).await.expect("q");
        let registration =
            escale_domain::entities::registration::Entity::find().one(&t.db).await.expect("q").expect("reg");
        let (here, elsewhere): (Vec<_>, Vec<_>) =
            workshops.iter().filter(|w| w.capacity.is_some()).partition(|w| w.stop_id == registration.stop_id);
        let join = |session: String| {
            let (site, own, form) = (&site, &own, &form);
            async move { site.post(&format!("{own}/join"), &[("form", form), ("session", &session)]).await }
        };
        assert_eq!(join("not-a-uuid".into()).await.status(), 404, "{name}");
        assert_eq!(join(uuid::Uuid::now_v7().to_string()).await.status(), 404, "{name}");
        if let Some(other) = elsewhere.first() {
            assert_eq!(join(other.id.to_string()).await.status(), 422, "{name}: not a workshop of her stop");
        }
        let r = join(here[0].id.to_string()).await;
        assert_eq!(r.status(), 303, "{name}");
        assert!(location(&r).contains("done=joined"), "{name}");
        let seats = escale_domain::entities::session_seat::Entity::find().all(&t.db).await.expect("q");
        assert_eq!(seats.len(), 1, "{name}");
        let r = site.post(&format!("{own}/leave"), &[("form", &form), ("session", &here[0].id.to_string())]).await;
        assert!(location(&r).contains("done=left"), "{name}");
    }
}

#[tokio::test]
async fn an_organizers_colour_logo_and_sites_reach_its_pages() {
    for t in TestDb::each("an_organizers_colour_logo_and_sites_reach_its_pages").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let login = site
            .graphql(
                None,
                "en",
                "mutation($i: LoginInput!) { login(input: $i) { token } }",
                serde_json::json!({ "i": { "email": email, "password": password } }),
            )
            .await;
        let token = login["data"]["login"]["token"].as_str().expect("token").to_owned();
        const SET: &str =
            "mutation($i: TenantLookInput!) { setTenantLook(input: $i) { accentColor logo embedOrigins } }";

        // Too light for white text, a script's origin, an SVG logo: refused, each named, in French.
        for (input, field) in [
            (serde_json::json!({ "accentColor": "#FFD700" }), "accentColor"),
            (serde_json::json!({ "embedOrigins": ["https://ok.ma", "javascript:alert(1)"] }), "embedOrigins"),
            (serde_json::json!({ "logo": "data:image/svg+xml;base64,PHN2Zz4=" }), "logo"),
        ] {
            let r = site.graphql(Some(&token), "fr", SET, serde_json::json!({ "i": input })).await;
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{name}: {r}");
            let message = r["errors"][0]["message"].as_str().unwrap_or("").to_owned();
            assert!(["doit", "trop claire", "n'est pas"].iter().any(|w| message.contains(w)), "{name}: in French: {r}");
        }

        let logo = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        let r = site
            .graphql(
                Some(&token),
                "en",
                SET,
                serde_json::json!({ "i": { "accentColor": "#7A1F3D", "logo": logo, "embedOrigins": ["https://www.attitudes.ma/"] } }),
            )
            .await;
        assert!(r["errors"].is_null(), "{name}: {r}");
        assert_eq!(
            r["data"]["setTenantLook"]["embedOrigins"][0], "https://www.attitudes.ma",
            "{name}: stored as an origin"
        );

        let page = site.get(STOP, "fr").await;
        let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
        assert!(csp.contains("frame-ancestors 'self' https://www.attitudes.ma"), "{name}: {csp}");
        let html = page.text().await.expect("body");
        assert!(html.contains("/assets/theme/attitudes-conseil.css?v=7a1f3d"), "{name}: the organizer's colour");
        assert!(html.contains("class=\"logo\" src=\"data:image/png;base64,"), "{name}: the logo, from no other origin");
        let css = site.text("/assets/theme/attitudes-conseil.css", "fr").await;
        assert_eq!(css.trim(), ":root{--accent:#7a1f3d}", "{name}");
        assert_eq!(site.get("/assets/theme/nobody.css", "fr").await.status(), 404, "{name}");
        // The organizer's site may call the public API from its pages; others may not,
        // and nobody may from another site with credentials.
        let preflight = site
            .http
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", site.base))
            .header("origin", "https://www.attitudes.ma")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .expect("OPTIONS");
        assert_eq!(preflight.status(), 204, "{name}");
        assert_eq!(preflight.headers()["access-control-allow-origin"], "https://www.attitudes.ma", "{name}");
        assert!(
            !preflight.headers()["access-control-allow-headers"].to_str().unwrap_or("").contains("authorization"),
            "{name}: no credentials from another site"
        );
        let agenda = serde_json::json!({ "query": "{ agenda(tenant: \"attitudes-conseil\") { city } }" });
        for (origin, bearer, allowed) in [
            ("https://www.attitudes.ma", None, true),
            ("https://evil.example", None, false),
            ("https://www.attitudes.ma", Some(token.as_str()), false),
        ] {
            let mut req = site.http.post(format!("{}/graphql", site.base)).header("origin", origin).json(&agenda);
            if let Some(t) = bearer {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.expect("POST");
            assert_eq!(r.status(), 200, "{name}");
            let acao = r.headers().get("access-control-allow-origin").cloned();
            assert_eq!(acao.is_some(), allowed, "{name}: {origin} with credentials {}", bearer.is_some());
        }
        let evil = site
            .http
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", site.base))
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .expect("OPTIONS");
        assert!(evil.headers().get("access-control-allow-origin").is_none(), "{name}");

        // Pages outside the organizer's (the platform's 404) are framed by nobody.
        let other = site.get("/nobody", "fr").await;
        assert!(other.headers()["content-security-policy"].to_str().expect("csp").contains("frame-ancestors 'none'"));
    }
}

/// The session cookie a sign-in answer sets, as `name=value`.
fn session_cookie(r: &reqwest::Response) -> String {
    let set = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a session cookie").to_owned();
    set.split(';').next().unwrap_or("").to_owned()
}

/// A browser signed in to the console: its cookie on every request, posts
/// from the console's own pages.
struct Console<'a> {
    site: &'a Site,
    cookie: String,
}

impl Site {
    async fn console(&self, email: &str, password: &str) -> Console<'_> {
        let r = self.post("/console/login?lang=fr", &[("email", email), ("password", password)]).await;
        assert_eq!(r.status(), 303, "signs in");
        Console { site: self, cookie: session_cookie(&r) }
    }
}

impl Site {
    /// A new member of the demo organizer with `role`, signed in.
    async fn member(
        &self,
        db: &DatabaseConnection,
        email: &str,
        role: escale_domain::access::authz::Role,
    ) -> Console<'_> {
        use escale_domain::access::accounts::{self, NewMember};
        let tenant = accounts::tenant_by_slug(db, "attitudes-conseil").await.expect("the demo");
        let member = NewMember {
            email: email.to_owned(),
            display_name: None,
            password: Some("correct horse battery staple".into()),
            role,
        };
        accounts::add_member(db, tenant.scope, member, Utc::now()).await.expect("member");
        self.console(email, "correct horse battery staple").await
    }
}

impl Console<'_> {
    async fn get(&self, path: &str) -> reqwest::Response {
        let req = self.site.http.get(format!("{}{path}", self.site.base)).header("cookie", self.cookie.clone());
        req.send().await.expect("GET")
    }

    async fn html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    async fn post_fields(&self, path: &str, fields: &[(String, String)]) -> reqwest::Response {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(path, &pairs).await
    }

    async fn post_owned(&self, path: &str, fields: &[(&str, String)]) -> reqwest::Response {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(path, &pairs).await
    }

    /// A door script's JSON post: the form token in its header.
    async fn post_json(&self, path: &str, csrf: &str, body: String) -> reqwest::Response {
        self.site
            .http
            .post(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie.clone())
            .header("sec-fetch-site", "same-origin")
            .header("x-csrf-token", csrf)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.site
            .http
            .post(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie.clone())
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(fields))
            .send()
            .await
            .expect("POST")
    }
}

/// The console form token in a page.
fn console_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token in the console page") + 19;
    html[at..].chars().take_while(|c| *c != '"').collect()
}

#[tokio::test]
async fn the_console_signs_in_shows_the_dashboard_by_role_and_refuses_forgeries() {
    use escale_domain::access::accounts::{self, NewMember};
    use escale_domain::access::authz::Role;
    for t in TestDb::each("the_console_signs_in_shows_the_dashboard_by_role_and_refuses_forgeries").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let console = |cookie: &str, path: &str| {
            let req = site.http.get(format!("{}{path}", site.base)).header("cookie", cookie.to_owned());
            async move { req.send().await.expect("GET") }
        };

        // Not signed in: to the sign-in page, in the reader's language.
        let r = site.get("/console", "ar").await;
        assert_eq!((r.status().as_u16(), location(&r)), (303, "/console/login?lang=ar".to_owned()), "{name}");
        assert!(site.text("/console/login?lang=ar", "fr").await.contains("الدخول إلى لوحة التحكم"), "{name}");

        // A wrong password: 401, said in place, the email kept, no cookie.
        let r = site.post("/console/login?lang=fr", &[("email", &email), ("password", "not it at all")]).await;
        assert_eq!(r.status(), 401, "{name}");
        assert!(r.headers().get("set-cookie").is_none(), "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains(&format!("value=\"{email}\"")) && html.contains("role=\"alert\""), "{name}");

        // The owner signs in: a session cookie only the console gets.
        let r = site.post("/console/login?lang=fr", &[("email", &email), ("password", &password)]).await;
        assert_eq!(r.status(), 303, "{name}");
        let set = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_owned();
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(set.contains(flag), "{name}: {flag} in {set}");
        }
        let cookie = session_cookie(&r);
        let r = console(&cookie, "/console?lang=fr").await;
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{name}");
        let html = r.text().await.expect("body");
        for stop in ["Mini-forum de Béni Mellal", "Mini-forum de Marrakech", "Escale finale de Casablanca"] {
            assert!(html.contains(stop), "{name}: {stop} on the dashboard");
        }
        assert!(html.contains("0 / 180"), "{name}: confirmed of capacity");

        // Another organizer's edition, and an id that is none: the same 404.
        let other = uuid::Uuid::now_v7();
        assert_eq!(console(&cookie, &format!("/console?edition={other}")).await.status(), 404, "{name}");
        assert_eq!(console(&cookie, "/console?edition=nope").await.status(), 404, "{name}");

        // Sign out without the form token, or from another site: nothing ends.
        let post = |cookie: &str, path: &str, fields: &[(&str, &str)], site_header: &str| {
            site.http
                .post(format!("{}{path}", site.base))
                .header("cookie", cookie.to_owned())
                .header("sec-fetch-site", site_header.to_owned())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encode(fields))
                .send()
        };
        let r = post(&cookie, "/console/logout", &[("csrf", "0123")], "same-origin").await.expect("POST");
        assert_eq!(r.status(), 403, "{name}");
        let csrf = console_csrf(&html);
        let r = post(&cookie, "/console/logout", &[("csrf", &csrf)], "cross-site").await.expect("POST");
        assert_eq!(r.status(), 403, "{name}");
        assert_eq!(console(&cookie, "/console").await.status(), 200, "{name}: still signed in");
        let r = post(&cookie, "/console/logout", &[("csrf", &csrf)], "same-origin").await.expect("POST");
        assert_eq!(r.status(), 303, "{name}");
        assert!(
            r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("Max-Age=0")),
            "{name}: the cookie is cleared"
        );
        assert_eq!(
            r.headers().get("clear-site-data").and_then(|v| v.to_str().ok()),
            Some("\"cache\", \"storage\""),
            "{name}: a door device's list and copies are wiped"
        );
        // The old cookie no longer opens anything (an expired session alike).
        assert_eq!(console(&cookie, "/console").await.status(), 303, "{name}");

        // A door member sees the door only, not the registrations.
        let scope = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("the demo").scope;
        let door = NewMember {
            email: "door@example.ma".into(),
            display_name: Some("Hicham".into()),
            password: Some("correct horse battery staple".into()),
            role: Role::Checkin,
        };
        accounts::add_member(&t.db, scope, door, Utc::now()).await.expect("member");
        let r = site
            .post(
                "/console/login?lang=en",
                &[("email", "door@example.ma"), ("password", "correct horse battery staple")],
            )
            .await;
        let html = console(&session_cookie(&r), "/console?lang=en").await.text().await.expect("body");
        assert!(html.contains("door (ticket checks) only") && !html.contains("0 / 180"), "{name}");

        // Guessing: the login limits of the API apply.
        let mut last = 0;
        for _ in 0..12 {
            last = site
                .post("/console/login", &[("email", &email), ("password", "guess guess guess")])
                .await
                .status()
                .as_u16();
        }
        assert_eq!(last, 429, "{name}");
    }
}

#[tokio::test]
async fn the_console_lists_searches_and_exports_a_stops_registrations() {
    use escale_domain::ids::StopId;
    use escale_domain::registration::{RegisterInput, register};
    for t in TestDb::each("the_console_lists_searches_and_exports_a_stops_registrations").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let tenant = escale_domain::access::accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        let agenda = escale_domain::catalog::agenda(&t.db, tenant.scope).await.expect("agenda");
        let stop = agenda.iter().find(|a| a.window(Utc::now()).is_open()).expect("an open stop").stop.id.0;
        for (n, phone) in ["0661234567", "0662345678", "0663456789"].iter().enumerate() {
            let input = RegisterInput {
                stop_id: StopId(stop),
                full_name: format!("Salma Tazi {n}"),
                email: Some(format!("salma{n}@example.ma")),
                phone: Some((*phone).into()),
                ..Default::default()
            };
            register(&t.db, tenant.scope, &input, Utc::now()).await.expect("registers");
        }
        let r = site.post("/console/login?lang=fr", &[("email", &email), ("password", &password)]).await;
        let cookie = session_cookie(&r);
        let get = |path: String| {
            let req = site.http.get(format!("{}{path}", site.base)).header("cookie", cookie.clone());
            async move { req.send().await.expect("GET") }
        };
        // The dashboard's chart: three registrations today.
        let html = get("/console?lang=fr".to_owned()).await.text().await.expect("body");
        assert!(html.contains("<svg class=\"chart\"") && html.contains("3 inscriptions sur un jour"), "{name}");
        let html = get(format!("/console/stops/{stop}?lang=fr")).await.text().await.expect("body");
        assert!(html.contains("3 inscriptions") && html.contains("Salma Tazi 2"), "{name}");
        let csrf = console_csrf(&html);

        // A phone as typed finds its person; the search is posted, never in the address.
        let search = |fields: Vec<(&'static str, String)>| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let req = site
                .http
                .post(format!("{}/console/stops/{stop}?lang=fr", site.base))
                .header("cookie", cookie.clone())
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        let r = search(vec![("csrf", csrf.clone()), ("q", "+212 6 62 34 56 78".into())]).await;
        let html = r.text().await.expect("body");
        assert!(html.contains("Une inscription.") && html.contains("Salma Tazi 1"), "{name}");
        assert!(!html.contains("Salma Tazi 0"), "{name}");
        // Part of a name in another case; a `%` is a letter, not a wildcard.
        let html = search(vec![("csrf", csrf.clone()), ("q", "TAZI".into())]).await.text().await.expect("body");
        assert!(html.contains("3 inscriptions"), "{name}");
        let html = search(vec![("csrf", csrf.clone()), ("q", "%".into())]).await.text().await.expect("body");
        assert!(html.contains("Aucune inscription ne correspond."), "{name}");
        // Without the form token: refused.
        assert_eq!(search(vec![("q", "Tazi".into())]).await.status(), 403, "{name}");

        // The CSV button: the API's export, with the cookie.
        let r = get(format!("/console/stops/{stop}/registrations.csv")).await;
        assert_eq!(r.status(), 200, "{name}");
        assert!(
            r.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/csv"))
        );
        let csv = r.text().await.expect("csv");
        assert_eq!(csv.lines().count(), 4, "{name}: a header and three lines");

        // Another organizer's stop, a made-up id, not an id: the same 404.
        for path in [format!("/console/stops/{}", uuid::Uuid::now_v7()), "/console/stops/nope".to_owned()] {
            assert_eq!(get(path.clone()).await.status(), 404, "{name}: {path}");
        }
        // A participant's page from the list, and a cancellation on her behalf.
        let html = get(format!("/console/stops/{stop}?lang=fr")).await.text().await.expect("body");
        let at = html.find("/console/people/").expect("a person's link") + 16;
        let person: String = html[at..].chars().take_while(|c| *c != '?' && *c != '"').collect();
        let page = get(format!("/console/people/{person}?lang=fr")).await.text().await.expect("body");
        assert!(page.contains("Salma Tazi") && page.contains("confirmé"), "{name}");
        let at = page.find("name=\"registration\" value=\"").expect("a cancel form") + 27;
        let registration: String = page[at..].chars().take_while(|c| *c != '"').collect();
        let cancel = |fields: Vec<(&'static str, String)>| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let req = site
                .http
                .post(format!("{}/console/people/{person}/cancel?lang=fr", site.base))
                .header("cookie", cookie.clone())
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        assert_eq!(cancel(vec![("registration", registration.clone())]).await.status(), 403, "{name}: no token");
        let r = cancel(vec![("csrf", csrf.clone()), ("registration", registration.clone())]).await;
        assert_eq!(r.status(), 303, "{name}");
        let page = get(format!("/console/people/{person}?lang=fr")).await.text().await.expect("body");
        assert!(page.contains("annulé") && !page.contains("name=\"registration\""), "{name}: cancelled, no button");
        assert_eq!(get(format!("/console/people/{}", uuid::Uuid::now_v7())).await.status(), 404, "{name}");

        // Signed out: to the sign-in page, and no CSV.
        let r = site.get(&format!("/console/stops/{stop}/registrations.csv"), "fr").await;
        assert_eq!(r.status(), 303, "{name}");
    }
}

#[tokio::test]
async fn the_console_builds_a_stop_with_workshops_and_publishes_it() {
    for t in TestDb::each("the_console_builds_a_stop_with_workshops_and_publishes_it").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let r = site.post("/console/login?lang=fr", &[("email", &email), ("password", &password)]).await;
        let cookie = session_cookie(&r);
        let get = |path: String| {
            let req = site.http.get(format!("{}{path}", site.base)).header("cookie", cookie.clone());
            async move { req.send().await.expect("GET") }
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let req = site
                .http
                .post(format!("{}{path}", site.base))
                .header("cookie", cookie.clone())
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        let dashboard = get("/console?lang=fr".into()).await.text().await.expect("body");
        let csrf = console_csrf(&dashboard);
        let at = dashboard.find("/console/editions/").expect("a new-stop link") + 18;
        let edition: String = dashboard[at..].chars().take_while(|c| *c != '/').collect();
        let new_stop = format!("/console/editions/{edition}/stops?lang=fr");
        let stop_fields = |starts: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("name", "Mini-forum d'Agadir".to_owned()),
                ("region", "Souss-Massa".to_owned()),
                ("city", "Agadir".to_owned()),
                ("venue", "Palais des congrès".to_owned()),
                ("startsAt", starts.to_owned()),
                ("endsAt", "2027-04-17T17:00".to_owned()),
                ("capacity", "120".to_owned()),
            ]
        };

        // A time that is none: refused beside its field, what was typed kept.
        let r = post(new_stop.clone(), stop_fields("demain matin")).await;
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains("id=\"startsAt-error\"") && html.contains("Palais des congrès"), "{name}");
        // Without the form token: nothing is created.
        let mut forged = stop_fields("2027-04-17T09:00");
        forged.remove(0);
        assert_eq!(post(new_stop.clone(), forged).await.status(), 403, "{name}");

        let r = post(new_stop, stop_fields("2027-04-17T09:00")).await;
        assert_eq!(r.status(), 303, "{name}");
        let edit = location(&r);
        let stop = edit.trim_start_matches("/console/stops/").split('/').next().unwrap_or("").to_owned();
        let sessions = format!("/console/stops/{stop}/sessions?lang=fr");
        for (title, starts, ends) in [
            ("Vendre sur Instagram", "2027-04-17T10:00", "2027-04-17T11:30"),
            ("Tenir sa caisse", "2027-04-17T14:00", "2027-04-17T15:30"),
        ] {
            let fields = vec![
                ("csrf", csrf.clone()),
                ("title", title.to_owned()),
                ("startsAt", starts.to_owned()),
                ("endsAt", ends.to_owned()),
                ("capacity", "25".to_owned()),
            ];
            assert_eq!(post(sessions.clone(), fields).await.status(), 303, "{name}: {title}");
        }
        // A session outside the stop's day: the domain's refusal, in place.
        let outside = vec![
            ("csrf", csrf.clone()),
            ("title", "Trop tard".to_owned()),
            ("startsAt", "2027-04-17T18:00".to_owned()),
            ("endsAt", "2027-04-17T19:00".to_owned()),
        ];
        let r = post(sessions, outside).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("Trop tard"), "{name}: kept");

        // A draft is nobody's business; published, it is on the organizer's page.
        let public = site.text("/attitudes-conseil?lang=fr", "fr").await;
        assert!(!public.contains("Agadir"), "{name}: a draft is not public");
        let r = post(
            format!("/console/stops/{stop}/status?lang=fr"),
            vec![("csrf", csrf.clone()), ("status", "published".into())],
        )
        .await;
        assert_eq!(r.status(), 303, "{name}");
        let page = get(location(&r)).await.text().await.expect("body");
        assert!(
            page.contains("Vendre sur Instagram") && page.contains("Tenir sa caisse") && page.contains("publiée"),
            "{name}"
        );
        let public = site.text("/attitudes-conseil?lang=fr", "fr").await;
        assert!(public.contains("Agadir"), "{name}: published");
        let at = public.find("/attitudes-conseil/agadir").expect("the stop's link");
        let path: String = public[at..].chars().take_while(|c| *c != '"' && *c != '?').collect();
        let stop_page = site.text(&path, "fr").await;
        assert!(stop_page.contains("Vendre sur Instagram") && stop_page.contains("25 places restantes"), "{name}");

        // Another organizer's stop, a made-up one: 404.
        assert_eq!(get(format!("/console/stops/{}/edit", uuid::Uuid::now_v7())).await.status(), 404, "{name}");
    }
}

#[tokio::test]
async fn the_console_manages_the_team_under_the_domains_rules() {
    for t in TestDb::each("the_console_manages_the_team_under_the_domains_rules").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let sign_in = |email: String, password: String| {
            let site = &site;
            async move {
                let r = site.post("/console/login?lang=en", &[("email", &email), ("password", &password)]).await;
                session_cookie(&r)
            }
        };
        let cookie = sign_in(email.clone(), password.clone()).await;
        let get = |cookie: String, path: &'static str| {
            let req = site.http.get(format!("{}{path}", site.base)).header("cookie", cookie);
            async move { req.send().await.expect("GET") }
        };
        let post = |cookie: String, fields: Vec<(&'static str, String)>| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let req = site
                .http
                .post(format!("{}/console/members?lang=en", site.base))
                .header("cookie", cookie)
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        let html = get(cookie.clone(), "/console/members?lang=en").await.text().await.expect("body");
        assert!(html.contains(&email), "{name}: the owner is listed");
        let csrf = console_csrf(&html);

        // A guessable password for a new person: refused with zxcvbn's reason, typed kept.
        let add = |password: &str, role: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("op", "add".to_owned()),
                ("email", "karima@example.ma".to_owned()),
                ("name", "Karima".to_owned()),
                ("password", password.to_owned()),
                ("role", role.to_owned()),
            ]
        };
        let r = post(cookie.clone(), add("password12", "staff")).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("value=\"karima@example.ma\""), "{name}");
        let r = post(cookie.clone(), add("a long and quiet river bank", "staff")).await;
        assert_eq!(r.status(), 303, "{name}");
        let html = get(cookie.clone(), "/console/members?lang=en").await.text().await.expect("body");
        assert!(html.contains("karima@example.ma"), "{name}: added");

        // Staff may not manage the team: back to the dashboard, no link to it.
        let staff = sign_in("karima@example.ma".into(), "a long and quiet river bank".into()).await;
        assert_eq!(get(staff.clone(), "/console/members").await.status(), 303, "{name}");
        let dashboard = get(staff.clone(), "/console?lang=en").await.text().await.expect("body");
        assert!(!dashboard.contains("/console/members"), "{name}");

        // Her role changes (her session ends at once), then she is removed.
        let at = html.find("karima@example.ma").expect("her row");
        let row_start = html[..at].rfind("<tr>").expect("row");
        let id_at = html[row_start..].find("name=\"member\" value=\"").expect("her id") + row_start + 21;
        let member: String = html[id_at..].chars().take_while(|c| *c != '"').collect();
        let role =
            vec![("csrf", csrf.clone()), ("op", "role".into()), ("member", member.clone()), ("role", "admin".into())];
        assert_eq!(post(cookie.clone(), role).await.status(), 303, "{name}");
        assert_eq!(get(staff.clone(), "/console").await.status(), 303, "{name}: her old session ended");
        let remove = vec![("csrf", csrf.clone()), ("op", "remove".into()), ("member", member.clone())];
        assert_eq!(post(cookie.clone(), remove).await.status(), 303, "{name}");
        let html = get(cookie.clone(), "/console/members?lang=en").await.text().await.expect("body");
        assert!(!html.contains("karima@example.ma"), "{name}: removed");

        // The last owner cannot remove herself (the domain's rule, said in place),
        // and a made-up member is a 404.
        let owner_at = html.find(&email).expect("owner row");
        let row_start = html[..owner_at].rfind("<tr>").expect("row");
        let id_at = html[row_start..].find("name=\"member\" value=\"").expect("owner id") + row_start + 21;
        let me: String = html[id_at..].chars().take_while(|c| *c != '"').collect();
        let r = post(cookie.clone(), vec![("csrf", csrf.clone()), ("op", "remove".into()), ("member", me)]).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("last owner"), "{name}");
        let ghost = vec![("csrf", csrf.clone()), ("op", "remove".into()), ("member", uuid::Uuid::now_v7().to_string())];
        assert_eq!(post(cookie.clone(), ghost).await.status(), 404, "{name}");

        // The audit log has each change, by whom; filtered by object; owners only.
        let log = get(cookie.clone(), "/console/audit?lang=en").await.text().await.expect("body");
        for action in ["member.add", "member.role", "member.remove"] {
            assert!(log.contains(action), "{name}: {action} in the log");
        }
        let only_users = get(cookie.clone(), "/console/audit?lang=en&type=user").await.text().await.expect("body");
        assert!(only_users.contains("member.role") && only_users.contains("3 entries"), "{name}");
        assert_eq!(get(cookie.clone(), "/console/audit?after=nope").await.status(), 404, "{name}");
        let admin = vec![
            ("csrf", csrf.clone()),
            ("op", "add".to_owned()),
            ("email", "yassine@example.ma".to_owned()),
            ("name", String::new()),
            ("password", "another long and quiet river".to_owned()),
            ("role", "admin".to_owned()),
        ];
        assert_eq!(post(cookie.clone(), admin).await.status(), 303, "{name}");
        let admin = sign_in("yassine@example.ma".into(), "another long and quiet river".into()).await;
        assert_eq!(get(admin, "/console/audit").await.status(), 303, "{name}: an admin does not read the log");
    }
}

#[tokio::test]
async fn the_console_creates_a_key_shown_once_and_revokes_it() {
    for t in TestDb::each("the_console_creates_a_key_shown_once_and_revokes_it").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let r = site.post("/console/login?lang=en", &[("email", &email), ("password", &password)]).await;
        let cookie = session_cookie(&r);
        let get = |path: &'static str| {
            let req = site.http.get(format!("{}{path}", site.base)).header("cookie", cookie.clone());
            async move { req.send().await.expect("GET") }
        };
        let post = |fields: Vec<(&'static str, String)>| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let req = site
                .http
                .post(format!("{}/console/keys?lang=en", site.base))
                .header("cookie", cookie.clone())
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        let html = get("/console/keys?lang=en").await.text().await.expect("body");
        let csrf = console_csrf(&html);

        // A partner scope on the organizer's own key: the domain's refusal, in place.
        let r = post(vec![
            ("csrf", csrf.clone()),
            ("op", "create".into()),
            ("name", "CRM".into()),
            ("scope", "leads:read".into()),
        ])
        .await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("value=\"CRM\""), "{name}: the name is kept");

        // The organizer's integration: the secret once, in the answer only.
        let r = post(vec![
            ("csrf", csrf.clone()),
            ("op", "create".into()),
            ("name", "CRM".into()),
            ("scope", "registrations:read".into()),
        ])
        .await;
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{name}");
        let html = r.text().await.expect("body");
        let at = html.find("id=\"secret\">").expect("the secret") + 12;
        let secret: String = html[at..].chars().take_while(|c| *c != '<').collect();
        assert!(secret.starts_with("esk_live_"), "{name}: {secret}");
        let again = get("/console/keys?lang=en").await.text().await.expect("body");
        assert!(!again.contains(&secret) && again.contains("CRM"), "{name}: never shown again");

        // It works on the API, until it is revoked from the console.
        let export = |secret: String| {
            let req = site.http.post(format!("{}/graphql", site.base)).bearer_auth(secret).json(&serde_json::json!({
                "query": "{ editions(first: 1) { totalCount } }"
            }));
            async move { req.send().await.expect("POST").json::<serde_json::Value>().await.expect("JSON") }
        };
        let _ = export(secret.clone()).await;
        let at = again.find("name=\"key\" value=\"").expect("a revoke form") + 18;
        let key: String = again[at..].chars().take_while(|c| *c != '"').collect();
        let r = post(vec![("csrf", csrf.clone()), ("op", "revoke".into()), ("key", key)]).await;
        assert_eq!(r.status(), 303, "{name}");
        let after = export(secret.clone()).await;
        assert!(after["errors"][0]["extensions"]["code"].as_str().is_some(), "{name}: revoked: {after}");
        let html = get("/console/keys?lang=en").await.text().await.expect("body");
        assert!(html.contains("revoked"), "{name}");
        // Someone else's key id: 404.
        let ghost = vec![("csrf", csrf.clone()), ("op", "revoke".into()), ("key", uuid::Uuid::now_v7().to_string())];
        assert_eq!(post(ghost).await.status(), 404, "{name}");
    }
}

#[tokio::test]
async fn the_console_sets_the_organizers_look() {
    for t in TestDb::each("the_console_sets_the_organizers_look").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let r = site.post("/console/login?lang=en", &[("email", &email), ("password", &password)]).await;
        let cookie = session_cookie(&r);
        let html = site
            .http
            .get(format!("{}/console/settings?lang=en", site.base))
            .header("cookie", cookie.clone())
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        let csrf = console_csrf(&html);
        let save = |accent: &str, origins: &str| {
            let body = encode(&[("csrf", &csrf), ("accent", accent), ("origins", origins)]);
            let req = site
                .http
                .post(format!("{}/console/settings?lang=en", site.base))
                .header("cookie", cookie.clone())
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        // Yellow under white text fails AA: refused with the ratio, typed kept.
        let r = save("#ffdd00", "https://www.attitudes.ma").await;
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains("value=\"#ffdd00\"") && html.contains("https://www.attitudes.ma"), "{name}");
        let r = save("#7a1f3d", "https://www.attitudes.ma\nhttp://evil.example").await;
        assert_eq!(r.status(), 422, "{name}: a plain-http site is no embedding origin");
        let r = save("#7a1f3d", "https://www.attitudes.ma").await;
        assert_eq!(r.status(), 303, "{name}");
        // The public pages wear it, and frame for the site.
        let page = site.get("/attitudes-conseil", "fr").await;
        let csp = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(csp.contains("https://www.attitudes.ma"), "{name}: {csp}");
        assert!(page.text().await.expect("body").contains("/assets/theme/attitudes-conseil.css?v=7a1f3d"), "{name}");
    }
}

#[tokio::test]
async fn the_console_previews_sends_and_retries_a_stops_messages() {
    use escale_domain::access::accounts::{self};
    use escale_domain::access::authz::Role;
    use escale_domain::entities::notification;
    use escale_domain::ids::StopId;
    use escale_domain::registration::{Consents, RegisterInput, register};
    use sea_orm::{ColumnTrait, QueryFilter};
    for t in TestDb::each("the_console_previews_sends_and_retries_a_stops_messages").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        let agenda = escale_domain::catalog::agenda(&t.db, tenant.scope).await.expect("agenda");
        let stop = agenda.iter().find(|a| a.window(Utc::now()).is_open()).expect("an open stop").stop.id.0;
        // Two French readers with SMS, one Arabic reader with SMS, one
        // English reader who consented to nothing.
        let people = [
            ("Salma Tazi", "fr", "0661234567", true),
            ("Karim Idrissi", "fr", "0662345678", true),
            ("سعاد بناني", "ar", "0663456789", true),
            ("John Smith", "en", "0664567890", false),
        ];
        for (n, (full_name, locale, phone, consents)) in people.iter().enumerate() {
            let input = RegisterInput {
                stop_id: StopId(stop),
                full_name: (*full_name).into(),
                email: Some(format!("p{n}@example.ma")),
                phone: Some((*phone).into()),
                locale: Some((*locale).into()),
                consents: Consents { email_reminders: *consents, sms_reminders: *consents, ..Default::default() },
                ..Default::default()
            };
            register(&t.db, tenant.scope, &input, Utc::now()).await.expect("registers");
        }
        let owner = site.console(&email, &password).await;
        let here = format!("/console/stops/{stop}/messages?lang=fr");
        let html = owner.html(&here).await;
        assert!(html.contains("Écrire aux inscrits") && html.contains("Aucun message en échec"), "{name}");
        let csrf = console_csrf(&html);
        let fields = |action: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("email", "on".to_owned()),
                ("sms", "on".to_owned()),
                ("subject_fr", "Changement de salle".to_owned()),
                ("body_fr", "L'atelier se tient en salle B.".to_owned()),
                ("subject_ar", "تغيير القاعة".to_owned()),
                ("body_ar", "تنعقد الورشة في القاعة ب.".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        let before: u64 = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("broadcast"))
            .all(&t.db)
            .await
            .expect("rows")
            .len() as u64;

        // The preview: four people, three emails and three SMS; each
        // language's SMS as it will read, its segments, the cost; nothing written.
        let r = owner.post_owned(&here, &fields("preview")).await;
        assert_eq!(r.status(), 200, "{name}");
        let html = r.text().await.expect("body");
        for want in [
            "4 personnes",
            "3 e-mails",
            "3 SMS",
            "L&#39;atelier se tient en salle B.",
            "تنعقد الورشة في القاعة ب.",
            "MAD",
            "Envoyer à 4 personnes",
            "1 personne n&#39;a consenti",
        ] {
            assert!(html.contains(want), "{name}: {want} in the preview");
        }
        // The cost is the segments of every SMS at the deployment's price.
        let at = html.find(" segments SMS · coût estimé").expect("segments and cost");
        let segments: u64 = html[..at].rsplit(['>', ' ']).next().and_then(|n| n.parse().ok()).expect("a count");
        assert!(segments >= 3, "{name}: three SMS, at least a segment each");
        let cost = format!("{}.{:02} MAD", segments * 35 / 100, segments * 35 % 100);
        assert!(html.contains(&format!("<strong dir=\"ltr\">{cost}</strong>")), "{name}: {cost}");
        let after_preview = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("broadcast"))
            .all(&t.db)
            .await
            .expect("rows")
            .len() as u64;
        assert_eq!(after_preview, before, "{name}: a preview sends nothing");

        // A subject without a body: refused beside the Arabic body, the rest kept.
        let mut half = fields("preview");
        half.retain(|(k, _)| *k != "body_ar");
        let r = owner.post_owned(&here, &half).await;
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains("id=\"body_ar-error\"") && html.contains("Changement de salle"), "{name}");
        // No channel: refused in place.
        let mut none = fields("preview");
        none.retain(|(k, _)| *k != "email" && *k != "sms");
        let html = owner.post_owned(&here, &none).await.text().await.expect("body");
        assert!(html.contains("id=\"channels-error\""), "{name}");

        // Sent: one message per person and channel consented to, each in their language.
        let r = owner.post_owned(&here, &fields("send")).await;
        assert_eq!(r.status(), 303, "{name}");
        let html = owner.html(&location(&r)).await;
        assert!(html.contains("6 messages planifiés") && html.contains("1 personne n&#39;a consenti"), "{name}");
        let planned = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("broadcast"))
            .all(&t.db)
            .await
            .expect("rows");
        assert_eq!(planned.len() as u64 - before, 6, "{name}");
        assert!(planned.iter().any(|n| n.locale.as_str() == "ar"), "{name}: the Arabic reader's");
        // Her page lists her messages: the confirmation, and the broadcast to come.
        let reader = planned.iter().find(|n| n.locale.as_str() == "ar").expect("hers").participant_id;
        let html = owner.html(&format!("/console/people/{reader}?lang=fr")).await;
        assert!(html.contains("Message aux inscrits · SMS") && html.contains("Confirmation · E-mail"), "{name}");
        assert!(html.contains("prévu"), "{name}: not sent yet");
        assert_eq!(owner.get(&format!("/console/people/{}", uuid::Uuid::now_v7())).await.status(), 404);

        // A failed message is listed with its reason and sent again.
        let failed = planned.iter().find(|n| n.channel.as_str() == "sms").expect("an SMS");
        let mut row: notification::ActiveModel = sea_orm::IntoActiveModel::into_active_model(failed.clone());
        row.status = sea_orm::ActiveValue::Set(notification::Status::Failed);
        row.last_error = sea_orm::ActiveValue::Set(Some("provider said: unknown subscriber".into()));
        sea_orm::ActiveModelTrait::update(row, &t.db).await.expect("failed");
        let html = owner.html(&here).await;
        assert!(html.contains("unknown subscriber") && html.contains("Renvoyer la sélection"), "{name}");
        let id = failed.id.to_string();
        let r = owner.post(&here, &[("csrf", &csrf), ("action", "retry"), ("id", &id)]).await;
        assert_eq!(r.status(), 303, "{name}");
        assert!(owner.html(&location(&r)).await.contains("1 message renvoyé"), "{name}");
        let again = notification::Entity::find_by_id(failed.id).one(&t.db).await.expect("row").expect("there");
        assert_eq!(again.status, notification::Status::Pending, "{name}");
        // An id that failed nowhere (another organizer's, made up): 404.
        let other = uuid::Uuid::now_v7().to_string();
        assert_eq!(owner.post(&here, &[("csrf", &csrf), ("action", "retry"), ("id", &other)]).await.status(), 404);
        // Without the form token: nothing sent.
        let mut forged = fields("send");
        forged.remove(0);
        assert_eq!(owner.post_owned(&here, &forged).await.status(), 403, "{name}");
        // Another organizer's stop: 404.
        let elsewhere = format!("/console/stops/{}/messages", uuid::Uuid::now_v7());
        assert_eq!(owner.get(&elsewhere).await.status(), 404, "{name}");

        // The dashboard: the stop's messages by channel, and a workshop that
        // fills up listed as nearly full once a fifth of its seats is left.
        let html = owner.html("/console?lang=fr").await;
        assert!(
            html.contains("Messages par étape") && html.contains(&format!("/console/stops/{stop}/messages")),
            "{name}"
        );
        assert!(html.contains("Aucun atelier n&#39;a moins"), "{name}: nothing nearly full yet");
        let page = escale_domain::paging::PageRequest::new(Some(100), None).expect("page");
        let sessions =
            escale_domain::catalog::list_sessions(&t.db, tenant.scope, Some(stop), &page).await.expect("sessions");
        let workshop =
            sessions.items.iter().filter(|s| s.capacity.is_some()).min_by_key(|s| s.capacity).expect("a workshop");
        let seats = workshop.capacity.unwrap_or(0);
        for n in 0..(seats * 4 + 4) / 5 {
            let input = RegisterInput {
                stop_id: StopId(stop),
                full_name: format!("Atelier {n}"),
                email: Some(format!("w{n}@example.ma")),
                session_ids: vec![workshop.id],
                ..Default::default()
            };
            register(&t.db, tenant.scope, &input, Utc::now()).await.expect("registers");
        }
        let html = owner.html("/console?lang=fr").await;
        let seats_line = format!("{} / {seats}", (seats * 4 + 4) / 5);
        assert!(html.contains(&workshop.title) && html.contains(&seats_line), "{name}: {seats_line} nearly full");

        // Staff read the figures but do not write to everyone.
        let staff = site.member(&t.db, "staff@example.ma", Role::Staff).await;
        let html = staff.html(&here).await;
        assert!(html.contains("par canal") && !html.contains("Écrire aux inscrits"), "{name}");
        let csrf = console_csrf(&html);
        let r = staff
            .post(&here, &[("csrf", &csrf), ("email", "on"), ("subject_fr", "x"), ("body_fr", "y"), ("action", "send")])
            .await;
        assert_eq!(r.status(), 422, "{name}: a staff member's broadcast is refused");
    }
}

#[tokio::test]
async fn the_console_moves_a_stop_and_clones_an_edition_after_a_preview() {
    use escale_domain::access::accounts;
    use escale_domain::entities::{edition, notification, stop as stop_entity};
    use escale_domain::ids::StopId;
    use escale_domain::registration::{RegisterInput, register};
    use sea_orm::{ColumnTrait, QueryFilter};
    for t in TestDb::each("the_console_moves_a_stop_and_clones_an_edition_after_a_preview").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        let agenda = escale_domain::catalog::agenda(&t.db, tenant.scope).await.expect("agenda");
        let open = agenda.iter().find(|a| a.window(Utc::now()).is_open()).expect("an open stop");
        let stop = open.stop.id.0;
        for n in 0..2 {
            let input = RegisterInput {
                stop_id: StopId(stop),
                full_name: format!("Salma Tazi {n}"),
                email: Some(format!("salma{n}@example.ma")),
                ..Default::default()
            };
            register(&t.db, tenant.scope, &input, Utc::now()).await.expect("registers");
        }
        let owner = site.console(&email, &password).await;
        let here = format!("/console/stops/{stop}/reschedule?lang=fr");
        let html = owner.html(&here).await;
        let starts = open.stop.local_starts_at();
        let typed = starts.format("%Y-%m-%dT%H:%M").to_string();
        assert!(html.contains(&format!("value=\"{typed}\"")), "{name}: the stop's own time, prefilled");
        let csrf = console_csrf(&html);
        let later = (starts + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M").to_string();
        let later_end = (open.stop.local_ends_at() + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M").to_string();
        let fields = |action: &str, from: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("startsAt", from.to_owned()),
                ("endsAt", later_end.clone()),
                ("notify", "on".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        let changed = || async {
            notification::Entity::find()
                .filter(notification::Column::TemplateKey.eq("stop_changed"))
                .all(&t.db)
                .await
                .expect("rows")
                .len()
        };

        // The preview says who will be told, and moves nothing.
        let r = owner.post_owned(&here, &fields("preview", &later)).await;
        assert_eq!(r.status(), 200, "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains("2 inscrits seront prévenus") && html.contains("Déplacer l&#39;étape"), "{name}");
        let row = stop_entity::Entity::find_by_id(stop).one(&t.db).await.expect("row").expect("there");
        assert_eq!(row.starts_at, open.stop.starts_at, "{name}: a preview moves nothing");
        assert_eq!(changed().await, 0, "{name}");
        // A time that is none: refused beside its field.
        let r = owner.post_owned(&here, &fields("preview", "bientôt")).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("id=\"startsAt-error\""), "{name}");

        // Confirmed: moved, and each person told by email in the same transaction.
        let r = owner.post_owned(&here, &fields("confirm", &later)).await;
        assert_eq!(r.status(), 303, "{name}");
        let row = stop_entity::Entity::find_by_id(stop).one(&t.db).await.expect("row").expect("there");
        assert_eq!(row.starts_at, open.stop.starts_at + chrono::Duration::days(7), "{name}");
        assert_eq!(changed().await, 2, "{name}: two change notices");
        assert_eq!(owner.get(&format!("/console/stops/{}/reschedule", uuid::Uuid::now_v7())).await.status(), 404);

        // The next edition: each stop's new date first, then a draft copy.
        let dashboard = owner.html("/console?lang=fr").await;
        let at = dashboard.find("/clone?").expect("a clone link");
        let edition_id: String = dashboard[..at].rsplit('/').next().unwrap_or("").to_owned();
        let clone = format!("/console/editions/{edition_id}/clone?lang=fr");
        let html = owner.html(&clone).await;
        assert!(html.contains("value=\"364\""), "{name}: a year on, the same weekday");
        let fields = |action: &str, number: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("title", "7e édition".to_owned()),
                ("number", number.to_owned()),
                ("year", "2028".to_owned()),
                ("shiftDays", "364".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        let html = owner.post_owned(&clone, &fields("preview", "7")).await.text().await.expect("body");
        let stops = agenda.iter().filter(|a| a.stop.edition_id.0.to_string() == edition_id).count();
        assert!(stops > 0 && html.matches(" → ").count() == stops, "{name}: one line per stop");
        assert!(!html.contains("autre jour de la semaine"), "{name}: 364 days keep the weekday");
        let editions = edition::Entity::find().all(&t.db).await.expect("rows").len();
        let r = owner.post_owned(&clone, &fields("confirm", "7")).await;
        assert_eq!(r.status(), 303, "{name}");
        assert_eq!(edition::Entity::find().all(&t.db).await.expect("rows").len(), editions + 1, "{name}");
        let created = location(&r);
        assert!(created.starts_with("/console?edition="), "{name}: {created}");
        let html = owner.html(&created).await;
        assert!(html.contains("7e édition") && html.contains(&open.stop.name), "{name}: the copy on its dashboard");
        // The same number again: refused beside the number.
        let r = owner.post_owned(&clone, &fields("confirm", "7")).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("id=\"number-error\""), "{name}");
    }
}

#[tokio::test]
async fn the_console_words_a_message_previews_it_in_three_languages_and_refuses_a_broken_one() {
    use escale_domain::access::authz::Role;
    use escale_domain::entities::template;
    for t in TestDb::each("the_console_words_a_message_previews_it_in_three_languages_and_refuses_a_broken_one").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let owner = site.console(&email, &password).await;
        let here = "/console/templates?key=reminder&channel=sms&locale=fr&lang=fr";
        let html = owner.html(here).await;
        assert!(html.contains("Texte de la plateforme") && html.contains("{{ stop.name }}"), "{name}: the built-in");
        let csrf = console_csrf(&html);
        let owner = &owner;
        let post = |body: &str, action: &str| {
            let fields = [
                ("csrf", csrf.as_str()),
                ("key", "reminder"),
                ("channel", "sms"),
                ("locale", "fr"),
                ("bodyText", body),
                ("action", action),
            ]
            .map(|(k, v)| (k, v.to_owned()));
            async move { owner.post_owned("/console/templates?lang=fr", &fields).await }
        };

        // A misspelt variable: refused beside the text, naming it; nothing saved.
        let r = post("Rappel : {{ stop.vile }} demain", "preview").await;
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains("id=\"bodyText-error\"") && html.contains("stop.vile"), "{name}");
        assert_eq!(post("Rappel : {{ stop.vile }}", "save").await.status(), 422, "{name}");
        assert!(template::Entity::find().all(&t.db).await.expect("rows").is_empty(), "{name}");

        // A good one: previewed in the three languages, the edited one with
        // its sample values and its length.
        let r = post("Rappel : {{ stop.name }} le {{ stop.short_date }} à {{ stop.time }}.", "preview").await;
        assert_eq!(r.status(), 200, "{name}");
        let html = r.text().await.expect("body");
        assert!(html.contains("Rappel : Escale de Casablanca le 23/11/2019 à 09:00."), "{name}: the sample");
        assert!(html.contains("Arabe") && html.contains("Anglais") && html.contains("1 segment"), "{name}");
        // Saved: the organizer's wording from now on; reset: the platform's again.
        let r = post("Rappel : {{ stop.name }} le {{ stop.short_date }} à {{ stop.time }}.", "save").await;
        assert_eq!(r.status(), 303, "{name}");
        let html = owner.html(&location(&r)).await;
        assert!(html.contains("Enregistré") && html.contains("Texte de l&#39;organisateur"), "{name}");
        assert_eq!(template::Entity::find().all(&t.db).await.expect("rows").len(), 1, "{name}");
        assert_eq!(post("", "reset").await.status(), 303, "{name}");
        assert!(template::Entity::find().all(&t.db).await.expect("rows").is_empty(), "{name}");
        // A message kind that is none: 404, not a 500.
        assert_eq!(owner.get("/console/templates?key=nope").await.status(), 404, "{name}");

        // Staff do not word the organizer's messages.
        let staff = site.member(&t.db, "staff@example.ma", Role::Staff).await;
        assert_eq!(staff.get(here).await.status(), 303, "{name}: to the dashboard");
    }
}

#[tokio::test]
async fn the_console_edits_a_stops_details_and_translations_by_role() {
    use escale_domain::access::accounts::{self};
    use escale_domain::access::authz::Role;
    use escale_domain::entities::{notification, stop as stop_entity};
    use escale_domain::ids::StopId;
    use escale_domain::registration::{RegisterInput, register};
    use sea_orm::{ColumnTrait, QueryFilter};
    for t in TestDb::each("the_console_edits_a_stops_details_and_translations_by_role").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        let agenda = escale_domain::catalog::agenda(&t.db, tenant.scope).await.expect("agenda");
        let stop = agenda.iter().find(|a| a.window(Utc::now()).is_open()).expect("an open stop").stop.id.0;
        let input = RegisterInput {
            stop_id: StopId(stop),
            full_name: "Salma Tazi".into(),
            email: Some("salma@example.ma".into()),
            ..Default::default()
        };
        register(&t.db, tenant.scope, &input, Utc::now()).await.expect("registers");
        let owner = site.console(&email, &password).await;
        let here = format!("/console/stops/{stop}/details?lang=fr");
        let html = owner.html(&here).await;
        // The form as shown (with its signed-in token), with what the organizer changes.
        let form = |html: &str, changes: &[(&str, &str)]| {
            let mut fields: Vec<(&str, String)> = vec![("csrf", console_csrf(html)), ("notify", "on".into())];
            for key in ["name", "region", "city", "venue", "address", "capacity", "name_ar", "name_en"] {
                let at = html.find(&format!("name=\"{key}\"")).expect("a field");
                let value_at = html[at..].find("value=\"").expect("a value") + at + 7;
                let value: String = html[value_at..].chars().take_while(|c| *c != '"').collect();
                fields.push((key, value.replace("&#39;", "'")));
            }
            for key in ["directions", "directions_ar", "directions_en"] {
                let at = html.find(&format!("name=\"{key}\"")).expect("a textarea");
                let text_at = html[at..].find('>').expect("its text") + at + 1;
                let text: String = html[text_at..].chars().take_while(|c| *c != '<').collect();
                fields.push((key, text.replace("&#39;", "'")));
            }
            for (k, v) in changes {
                fields.retain(|(key, _)| key != k);
                fields.push((k, (*v).to_owned()));
            }
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Vec<_>>()
        };
        // A name in Arabic too long: refused beside it, the rest kept.
        let long = "م".repeat(201);
        let r = owner.post_fields(&here, &form(&html, &[("name_ar", &long), ("venue", "Hôtel Atlas")])).await;
        assert_eq!(r.status(), 422, "{name}");
        let page = r.text().await.expect("body");
        assert!(page.contains("id=\"name_ar-error\"") && page.contains("Hôtel Atlas"), "{name}");

        // A new venue and an Arabic name: saved, the person registered told once.
        let r = owner
            .post_fields(&here, &form(&html, &[("name_ar", "منتدى مراكش الجديد"), ("venue", "Hôtel Atlas")]))
            .await;
        assert_eq!(r.status(), 303, "{name}");
        let row = stop_entity::Entity::find_by_id(stop).one(&t.db).await.expect("row").expect("there");
        assert_eq!(row.venue, "Hôtel Atlas", "{name}");
        let told = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("stop_changed"))
            .all(&t.db)
            .await
            .expect("rows");
        assert_eq!(told.len(), 1, "{name}: one change notice");
        let listing = site.text("/attitudes-conseil?lang=ar", "ar").await;
        let at = listing
            .find(&format!("/attitudes-conseil/{}", row.city.to_lowercase().replace(' ', "-").replace('é', "e")));
        let path: String = listing[at.expect("the stop's card")..].chars().take_while(|c| *c != '"').collect();
        let page = site.text(&path, "ar").await;
        assert!(page.contains("منتدى مراكش الجديد") && page.contains("Hôtel Atlas"), "{name}: on the stop's page");

        // Staff fix a name, but seats stay an owner's or admin's act.
        let staff = site.member(&t.db, "staff@example.ma", Role::Staff).await;
        let html = staff.html(&here).await;
        let r = staff.post_fields(&here, &form(&html, &[("capacity", "999")])).await;
        assert_eq!(r.status(), 422, "{name}: refused");
        assert!(r.text().await.expect("body").contains("role=\"alert\""), "{name}: said above the form");
        let r = staff.post_fields(&here, &form(&html, &[("region", "Marrakech-Safi (Haouz)")])).await;
        assert_eq!(r.status(), 303, "{name}");
        let row = stop_entity::Entity::find_by_id(stop).one(&t.db).await.expect("row").expect("there");
        assert_eq!((row.region.as_str(), row.capacity), ("Marrakech-Safi (Haouz)", 180), "{name}");
        assert_eq!(owner.get(&format!("/console/stops/{}/details", uuid::Uuid::now_v7())).await.status(), 404);
    }
}

#[tokio::test]
async fn the_console_sets_a_stops_reminders_and_they_are_planned_again() {
    use escale_domain::access::accounts;
    use escale_domain::entities::notification;
    use escale_domain::ids::StopId;
    use escale_domain::registration::{Consents, RegisterInput, register};
    use sea_orm::{ColumnTrait, QueryFilter};
    for t in TestDb::each("the_console_sets_a_stops_reminders_and_they_are_planned_again").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        let agenda = escale_domain::catalog::agenda(&t.db, tenant.scope).await.expect("agenda");
        let open = agenda.iter().find(|a| a.window(Utc::now()).is_open()).expect("an open stop");
        let stop = open.stop.id.0;
        let input = RegisterInput {
            stop_id: StopId(stop),
            full_name: "Salma Tazi".into(),
            email: Some("salma@example.ma".into()),
            consents: Consents { email_reminders: true, ..Default::default() },
            ..Default::default()
        };
        register(&t.db, tenant.scope, &input, Utc::now()).await.expect("registers");
        let pending = || async {
            let mut at: Vec<chrono::DateTime<Utc>> = notification::Entity::find()
                .filter(notification::Column::TemplateKey.eq("reminder"))
                .filter(notification::Column::Status.eq(notification::Status::Pending))
                .all(&t.db)
                .await
                .expect("rows")
                .into_iter()
                .map(|n| n.scheduled_at)
                .collect();
            at.sort();
            at
        };
        assert_eq!(pending().await.len(), 2, "{name}: the default rule's two emails");
        let owner = site.console(&email, &password).await;
        let here = format!("/console/stops/{stop}/reminders?lang=fr");
        let html = owner.html(&here).await;
        assert!(html.contains("Règle par défaut de la plateforme") && html.contains("value=\"7\""), "{name}");
        let csrf = console_csrf(&html);
        let fields = |amount: &str, quiet_end: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("amount_0", amount.to_owned()),
                ("unit_0", "days".to_owned()),
                ("anchor_0", "stop".to_owned()),
                ("email_0", "on".to_owned()),
                ("quiet", "on".to_owned()),
                ("quietStart", "21:00".to_owned()),
                ("quietEnd", quiet_end.to_owned()),
                ("action", "save".to_owned()),
            ]
        };
        // Nonsense is refused and nothing moves.
        for (amount, end) in [("0", "08:00"), ("2", "25:00"), ("deux", "08:00")] {
            let r = owner.post_owned(&here, &fields(amount, end)).await;
            assert_eq!(r.status(), 422, "{name}: {amount} {end}");
        }
        assert_eq!(pending().await.len(), 2, "{name}");
        // Two days before, by email: the reminders are planned again at once.
        let r = owner.post_owned(&here, &fields("2", "08:00")).await;
        assert_eq!(r.status(), 303, "{name}");
        let html = owner.html(&location(&r)).await;
        assert!(html.contains("Règle propre à cette étape") && html.contains("rappels planifiés"), "{name}");
        let at = pending().await;
        assert_eq!(at.len(), 1, "{name}: one reminder now");
        assert_eq!(at[0], open.stop.starts_at - chrono::Duration::days(2), "{name}: two days before");
        // Back to the edition's rule (here the default).
        let r = owner.post_owned(&here, &[("csrf", csrf.clone()), ("action", "inherit".to_owned())]).await;
        assert_eq!(r.status(), 303, "{name}");
        assert_eq!(pending().await.len(), 2, "{name}: the default's two again");
        assert_eq!(owner.get(&format!("/console/stops/{}/reminders", uuid::Uuid::now_v7())).await.status(), 404);
        assert_eq!(owner.get(&format!("/console/series/{stop}/reminders")).await.status(), 404);
    }
}

#[tokio::test]
async fn the_console_sets_the_organizers_name_language_zone_and_senders() {
    use escale_domain::access::accounts;
    for t in TestDb::each("the_console_sets_the_organizers_name_language_zone_and_senders").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let owner = site.console(&email, &password).await;
        let html = owner.html("/console/settings?lang=fr").await;
        assert!(html.contains("value=\"Attitudes Conseil\"") && html.contains("Africa/Casablanca"), "{name}");
        let csrf = console_csrf(&html);
        let profile = |zone: &str, sender: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("form", "profile".to_owned()),
                ("name", "Attitudes Conseil Maroc".to_owned()),
                ("defaultLocale", "ar".to_owned()),
                ("defaultTimeZone", zone.to_owned()),
                ("emailSenderName", "Forum TPE".to_owned()),
                ("smsSenderId", sender.to_owned()),
            ]
        };
        // A zone that is none, a sender ID a carrier would refuse: said beside each.
        for (zone, sender, field) in [
            ("Africa/Marrakech", "ForumTPE", "defaultTimeZone"),
            ("Africa/Casablanca", "Forum TPE 2027", "smsSenderId"),
        ] {
            let r = owner.post_owned("/console/settings?lang=fr", &profile(zone, sender)).await;
            assert_eq!(r.status(), 422, "{name}: {field}");
            let html = r.text().await.expect("body");
            assert!(
                html.contains(&format!("id=\"{field}-error\"")) && html.contains("Attitudes Conseil Maroc"),
                "{name}"
            );
        }
        let r = owner.post_owned("/console/settings?lang=fr", &profile("Africa/Casablanca", "ForumTPE")).await;
        assert_eq!(r.status(), 303, "{name}");
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        assert_eq!(
            (tenant.name.as_str(), tenant.default_locale.as_str(), tenant.email_sender_name.as_deref()),
            ("Attitudes Conseil Maroc", "ar", Some("Forum TPE")),
            "{name}"
        );
        // On the public pages at once.
        assert!(site.text("/attitudes-conseil?lang=fr", "fr").await.contains("Attitudes Conseil Maroc"), "{name}");
    }
}

#[tokio::test]
async fn the_console_takes_a_logo_file_by_its_bytes_within_its_size() {
    use escale_domain::access::accounts;
    for t in TestDb::each("the_console_takes_a_logo_file_by_its_bytes_within_its_size").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let owner = site.console(&email, &password).await;
        let csrf = console_csrf(&owner.html("/console/settings?lang=fr").await);
        let upload = |csrf: &str, bytes: &[u8], declared: &str, from: &str| {
            let boundary = "escale-test-boundary";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: {declared}\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(bytes);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            let req = site
                .http
                .post(format!("{}/console/settings/logo?lang=fr", site.base))
                .header("cookie", owner.cookie.clone())
                .header("sec-fetch-site", from.to_owned())
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(body);
            async move { req.send().await.expect("POST") }
        };
        // A PNG's signature and header: what the type is read from.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
        png.extend_from_slice(&[0x1f, 0x15, 0xc4, 0x89]);
        // An SVG called a PNG, a poster, a forged or foreign post: refused, nothing kept.
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        let r = upload(&csrf, svg, "image/png", "same-origin").await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("role=\"alert\""), "{name}: said");
        let mut poster = png.clone();
        poster.resize(60 * 1024, 0);
        assert_eq!(upload(&csrf, &poster, "image/png", "same-origin").await.status(), 422, "{name}");
        poster.resize(3 * 1024 * 1024, 0);
        let r = upload(&csrf, &poster, "image/png", "same-origin").await;
        assert_eq!(r.status(), 422, "{name}: a photo's size, refused with the reason");
        assert!(r.text().await.expect("body").contains("48"), "{name}: the limit said");
        assert_eq!(upload("forged", &png, "image/png", "same-origin").await.status(), 403, "{name}");
        assert_eq!(upload(&csrf, &png, "image/png", "cross-site").await.status(), 403, "{name}");
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        assert!(tenant.logo.is_none(), "{name}: nothing kept");
        // The real one: kept as a data: URL of its own type, on the pages.
        let r = upload(&csrf, &png, "application/octet-stream", "same-origin").await;
        assert_eq!(r.status(), 303, "{name}");
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        assert!(tenant.logo.as_deref().is_some_and(|l| l.starts_with("data:image/png;base64,")), "{name}");
        assert!(site.text("/attitudes-conseil?lang=fr", "fr").await.contains("class=\"logo\""), "{name}");
    }
}

#[tokio::test]
async fn the_console_builds_series_editions_speakers_and_partners() {
    use escale_domain::access::authz::Role;
    use escale_domain::entities::{edition, partnership, speaker};
    use sea_orm::{ColumnTrait, QueryFilter};
    for t in TestDb::each("the_console_builds_series_editions_speakers_and_partners").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let owner = site.console(&email, &password).await;
        let here = "/console/catalog?lang=fr";
        let html = owner.html(here).await;
        assert!(
            html.contains("Forum international de la TPE") && html.contains("Séries et éditions"),
            "{name}: {html}"
        );
        let csrf = console_csrf(&html);
        let owner = &owner;
        let post = |fields: Vec<(&'static str, &str)>| {
            let mut all = vec![("csrf", csrf.clone())];
            all.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
            async move { owner.post_owned(here, &all).await }
        };
        // A slug that is none: said above the forms, the name typed kept.
        let r = post(vec![("action", "series"), ("s_name", "Rencontres de l'export"), ("s_slug", "Export !")]).await;
        assert_eq!(r.status(), 422, "{name}");
        assert!(r.text().await.expect("body").contains("Rencontres de l&#39;export"), "{name}");
        assert_eq!(
            post(vec![("action", "series"), ("s_name", "Rencontres de l'export"), ("s_slug", "export")]).await.status(),
            303,
            "{name}"
        );
        let html = owner.html(here).await;
        let at = html.find("Rencontres de l&#39;export").expect("the new series");
        let series_id = {
            let opt = html.find("name=\"e_series\"").expect("the edition form");
            let rest = &html[opt..];
            let pos = rest.find(">Rencontres de l&#39;export<").expect("its option");
            let value_at = rest[..pos].rfind("value=\"").expect("a value") + 7;
            rest[value_at..].chars().take_while(|c| *c != '"').collect::<String>()
        };
        assert!(at > 0, "{name}");
        let r = post(vec![
            ("action", "edition"),
            ("e_series", &series_id),
            ("e_title", "1re édition"),
            ("e_number", "1"),
            ("e_year", "2027"),
        ])
        .await;
        assert_eq!(r.status(), 303, "{name}");
        let created = edition::Entity::find()
            .filter(edition::Column::Title.eq("1re édition"))
            .one(&t.db)
            .await
            .expect("row")
            .expect("created");
        assert_eq!(created.status, edition::Status::Draft, "{name}");
        let id = created.id.to_string();
        assert_eq!(
            post(vec![("action", "edition-status"), ("edition", &id), ("status", "published")]).await.status(),
            303
        );
        assert_eq!(
            post(vec![("action", "edition-status"), ("edition", &id), ("status", "archived")]).await.status(),
            303
        );
        let row = edition::Entity::find_by_id(created.id).one(&t.db).await.expect("row").expect("there");
        assert_eq!(row.status, edition::Status::Archived, "{name}");
        let other = uuid::Uuid::now_v7().to_string();
        let r = post(vec![("action", "edition-status"), ("edition", &other), ("status", "published")]).await;
        assert_eq!(r.status(), 404, "{name}: another organizer's edition");

        // A speaker and a partner, the partner official for the new edition.
        let r = post(vec![("action", "speaker"), ("sp_name", "Nadia Berrada"), ("sp_organization", "Bank Al-Maghrib")])
            .await;
        assert_eq!(r.status(), 303, "{name}");
        assert!(
            speaker::Entity::find()
                .filter(speaker::Column::FullName.eq("Nadia Berrada"))
                .one(&t.db)
                .await
                .expect("q")
                .is_some()
        );
        let r =
            post(vec![("action", "partner"), ("p_name", "Maroc PME"), ("p_kind", "public_agency"), ("p_website", "")])
                .await;
        assert_eq!(r.status(), 303, "{name}");
        let html = owner.html(here).await;
        let opt = html.find(">Maroc PME</option>").expect("the partner in the form");
        let value_at = html[..opt].rfind("value=\"").expect("a value") + 7;
        let partner: String = html[value_at..].chars().take_while(|c| *c != '"').collect();
        let r = post(vec![
            ("action", "partnership"),
            ("ps_partner", &partner),
            ("ps_edition", &id),
            ("ps_tier", "official"),
        ])
        .await;
        assert_eq!(r.status(), 303, "{name}");
        let links = partnership::Entity::find().filter(partnership::Column::EditionId.eq(created.id)).all(&t.db).await;
        assert_eq!(links.expect("rows").len(), 1, "{name}");
        assert!(owner.html(here).await.contains("partenaire officiel — 1re édition (2027)"), "{name}");

        // Staff add speakers but do not publish editions.
        let staff = site.member(&t.db, "staff@example.ma", Role::Staff).await;
        let html = staff.html(here).await;
        assert!(!html.contains("value=\"edition-status\""), "{name}: no publish buttons for staff");
        let csrf = console_csrf(&html);
        let r = staff
            .post(here, &[("csrf", &csrf), ("action", "edition-status"), ("edition", &id), ("status", "published")])
            .await;
        assert_eq!(r.status(), 422, "{name}: refused, said");
    }
}

#[tokio::test]
async fn the_door_admits_a_confirmed_ticket_once_and_says_why_others_are_refused() {
    use escale_domain::access::accounts::{self};
    use escale_domain::access::authz::Role;
    use escale_domain::ids::StopId;
    use escale_domain::manage::{self, TimeInput};
    use escale_domain::messaging::notices::Notify;
    use escale_domain::registration::{RegisterInput, register, tickets};
    for t in TestDb::each("the_door_admits_a_confirmed_ticket_once_and_says_why_others_are_refused").await {
        let name = t.backend_name();
        let (site, email, password) = Site::start_with_demo(t.db.clone()).await;
        let now = Utc::now();
        let owner_actor = accounts::login(&t.db, &email, &password, None, now).await.expect("owner").actor;
        let tenant = accounts::tenant_by_slug(&t.db, "attitudes-conseil").await.expect("demo");
        let agenda = escale_domain::catalog::agenda(&t.db, tenant.scope).await.expect("agenda");
        let later = agenda.iter().find(|a| a.window(now).is_open()).expect("an open stop").stop.clone();
        // A stop held today, of one seat: one confirmed, one waiting, one cancelled.
        let new = manage::NewStop {
            edition_id: later.edition_id.0,
            name: "Escale du jour".into(),
            region: "Oriental".into(),
            city: "Oujda".into(),
            venue: "Chambre de commerce".into(),
            address: None,
            directions: None,
            translations: Vec::new(),
            time_zone: None,
            starts_at: TimeInput::Instant(now + chrono::Duration::hours(1)),
            ends_at: TimeInput::Instant(now + chrono::Duration::hours(8)),
            capacity: 2,
            registration_opens_at: None,
            registration_closes_at: None,
        };
        let today = manage::create_stop(&t.db, &owner_actor, new, now).await.expect("stop").id.0;
        manage::set_stop_status(
            &t.db,
            &owner_actor,
            today,
            escale_domain::catalog::StopStatus::Published,
            Notify::Nobody,
            now,
        )
        .await
        .expect("published");
        let person = |n: &str, stop: uuid::Uuid| RegisterInput {
            stop_id: StopId(stop),
            full_name: n.into(),
            email: Some(format!("{}@example.ma", n.to_lowercase().replace(' ', "."))),
            ..Default::default()
        };
        let code = |o: &escale_domain::registration::RegisterOutcome| o.registration.display_code();
        // One workshop at the stop: Amina holds a seat in it.
        let workshop = manage::create_session(
            &t.db,
            &owner_actor,
            manage::NewSession {
                stop_id: today,
                kind: escale_domain::entities::session::Kind::Workshop,
                title: "Atelier export".into(),
                description: None,
                topics: Vec::new(),
                room: None,
                translations: Vec::new(),
                starts_at: TimeInput::Instant(now + chrono::Duration::hours(2)),
                ends_at: TimeInput::Instant(now + chrono::Duration::hours(3)),
                capacity: Some(10),
                language: None,
            },
            now,
        )
        .await
        .expect("a workshop")
        .id
        .0;
        let seated = RegisterInput {
            session_ids: vec![escale_domain::ids::SessionId(workshop)],
            ..person("Amina Benali", today)
        };
        let amina = register(&t.db, tenant.scope, &seated, now).await.expect("in");
        let gone = register(&t.db, tenant.scope, &person("Omar Alaoui", today), now).await.expect("in");
        tickets::cancel_by_organizer(&t.db, &owner_actor, gone.registration.id.0, now).await.expect("cancelled");
        register(&t.db, tenant.scope, &person("Yassine Tazi", today), now).await.expect("in");
        let waiting = register(&t.db, tenant.scope, &person("Salma Idrissi", today), now).await.expect("waits");
        let elsewhere = register(&t.db, tenant.scope, &person("Karim Fassi", later.id.0), now).await.expect("in");

        // A door member: the dashboard offers the doors, the door checks.
        let hicham = site.member(&t.db, "door@example.ma", Role::Checkin).await;
        let dashboard = hicham.html("/console?lang=fr").await;
        assert!(dashboard.contains(&format!("/console/stops/{today}/door")), "{name}: the door offered");
        let here = format!("/console/stops/{today}/door?lang=fr");
        let html = hicham.html(&here).await;
        assert!(html.contains("Entrés : 0 sur 2") && html.contains("autofocus"), "{name}");
        let csrf = console_csrf(&html);
        let scan = |typed: String, lang: &'static str| {
            let path = format!("/console/stops/{today}/door?lang={lang}");
            let fields = vec![("csrf", csrf.clone()), ("code", typed)];
            let who = &hicham;
            async move {
                let r = who.post_owned(&path, &fields).await;
                assert_eq!(r.status(), 200, "a scan answers");
                r.text().await.expect("body")
            }
        };
        // As a scanner types it, or a person in lower case without the dash.
        let typed = code(&amina).to_lowercase().replace('-', " ");
        let html = scan(typed, "fr").await;
        assert!(
            html.contains("door-answer ok") && html.contains("Amina Benali") && html.contains("Entrés : 1 sur 2"),
            "{name}"
        );
        let html = scan(code(&amina), "fr").await;
        assert!(html.contains("door-answer no") && html.contains("déjà entré"), "{name}: once");
        // The live count the screen refreshes itself with.
        let r = hicham.get(&format!("/console/stops/{today}/door/counts?lang=fr")).await;
        assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{name}");
        let live: serde_json::Value = r.json().await.expect("JSON");
        assert_eq!((live["checkedIn"].as_i64(), live["confirmed"].as_i64()), (Some(1), Some(2)), "{name}");
        assert_eq!(live["text"], "Entrés : 1 sur 2 confirmés", "{name}");
        let other = format!("/console/stops/{}/door/counts", uuid::Uuid::now_v7());
        assert_eq!(hicham.get(&other).await.status(), 404, "{name}");
        let html = scan(code(&gone), "fr").await;
        assert!(html.contains("door-answer no") && html.contains("annulée"), "{name}");
        let html = scan(code(&waiting), "ar").await;
        assert!(html.contains("door-answer no") && html.contains("لائحة الانتظار"), "{name}: in Arabic");
        let html = scan(code(&elsewhere), "fr").await;
        assert!(html.contains("pas pour cette escale") && html.contains(&later.city), "{name}: names the other stop");
        let html = scan("ZZZZZ-ZZZZZ".into(), "fr").await;
        assert!(html.contains("door-answer no"), "{name}: an unknown code");
        // Forged, and another organizer's stop: nothing checked.
        let r = hicham.post(&here, &[("csrf", "forged"), ("code", &code(&amina))]).await;
        assert_eq!(r.status(), 403, "{name}");
        let other = format!("/console/stops/{}/door", uuid::Uuid::now_v7());
        assert_eq!(hicham.post(&other, &[("csrf", &csrf), ("code", &code(&amina))]).await.status(), 404, "{name}");

        // The day's list for a device: first names and initials, no email,
        // no phone; not kept by any cache.
        let r = hicham.get(&format!("/console/stops/{today}/door/list?lang=fr")).await;
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        let body = r.text().await.expect("body");
        assert!(!body.contains('@') && !body.contains("Benali"), "{name}: nothing but what a door needs: {body}");
        let list: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        let people = list["people"].as_array().expect("people");
        assert_eq!(people.len(), 4, "{name}: the stop's four tickets");
        let amina_code = amina.registration.ticket_code.clone();
        let row = people.iter().find(|p| p[0] == amina_code.as_str()).expect("Amina's ticket");
        assert_eq!((row[1].as_str(), row[2].as_str()), (Some("Amina B."), Some("c")), "{name}");
        assert!(row[5].is_i64(), "{name}: she is in, and when");
        // Not the stop's day, not a stop of hers, not signed in: no list.
        let r = hicham.get(&format!("/console/stops/{}/door/list?lang=fr", later.id.0)).await;
        assert_eq!(r.status(), 409, "{name}");
        let refused: serde_json::Value = r.json().await.expect("JSON");
        assert!(refused["error"].as_str().is_some_and(|e| e.contains("jour de l'escale")), "{name}: {refused}");
        let r = hicham.get(&format!("/console/stops/{}/door/list", uuid::Uuid::now_v7())).await;
        assert_eq!(r.status(), 404, "{name}");
        let r = site.get(&format!("/console/stops/{today}/door/list"), "fr").await;
        assert_eq!(r.status(), 401, "{name}: a script is told, not redirected");
        let outsider = accounts::create_tenant(&t.db, "autre-org", "Autre", now).await;
        let outsider = outsider.expect("another organizer");
        accounts::add_member(
            &t.db,
            outsider.scope,
            accounts::NewMember {
                email: "porte@autre.ma".into(),
                display_name: None,
                password: Some("correct horse battery staple".into()),
                role: Role::Owner,
            },
            now,
        )
        .await
        .expect("member");
        let stranger = site.console("porte@autre.ma", "correct horse battery staple").await;
        let r = stranger.get(&format!("/console/stops/{today}/door/list")).await;
        assert_eq!(r.status(), 404, "{name}: another organizer's owner sees no list of ours");

        // Scans sent as JSON: one live, then a batch made offline, sent twice.
        let path = format!("/console/stops/{today}/door/scans?lang=fr");
        let yassine = people.iter().find(|p| p[1] == "Yassine T.").expect("Yassine")[0].as_str().expect("code");
        let at = (now - chrono::Duration::minutes(7)).timestamp_millis();
        let batch = serde_json::json!({ "door": "Entrée nord", "scans": [
            { "key": "offline-scan-0001", "code": yassine, "at": at, "offline": true },
            { "key": "offline-scan-0002", "code": amina_code, "at": at, "offline": true },
        ]})
        .to_string();
        let r = hicham.post_json(&path, "forged", batch.clone()).await;
        assert_eq!(r.status(), 403, "{name}: the form token is required");
        let r = stranger.post_json(&format!("/console/stops/{today}/door/scans"), &csrf, batch.clone()).await;
        assert_eq!(r.status(), 403, "{name}: another member's token is not hers");
        let r = hicham.post_json(&path, &csrf, batch.clone()).await;
        assert_eq!(r.status(), 200, "{name}");
        let reply: serde_json::Value = r.json().await.expect("JSON");
        let outcomes: Vec<_> =
            reply["answers"].as_array().expect("answers").iter().map(|a| a["outcome"].clone()).collect();
        assert_eq!(outcomes, [serde_json::json!("admitted"), serde_json::json!("conflict")], "{name}");
        assert!(reply["answers"][1]["message"].as_str().is_some_and(|m| m.contains("deux fois")), "{name}: {reply}");
        assert_eq!(reply["counts"]["checkedIn"], 2, "{name}");
        let doors = reply["counts"]["doors"].to_string();
        assert!(doors.contains("Entrée nord : 1") && doors.contains("Porte sans nom : 1"), "{name}: {doors}");
        let again: serde_json::Value = hicham.post_json(&path, &csrf, batch).await.json().await.expect("JSON");
        assert!(
            again["answers"].as_array().expect("answers").iter().all(|a| a["outcome"] == "duplicate"),
            "{name}: a batch sent twice counts once and reports once: {again}"
        );
        let html = hicham.html(&here).await;
        assert!(html.contains("Entré·e deux fois — Entrée nord"), "{name}: the report on the door's page");
        // Nonsense, too much, a bad key: refused in words, nothing done.
        let r = hicham.post_json(&path, &csrf, "{not json".into()).await;
        assert_eq!(r.status(), 422, "{name}");
        let too_many: Vec<_> = (0..201)
            .map(|i| serde_json::json!({ "key": format!("bulk-scan-{i:04}"), "code": yassine, "at": at, "offline": true }))
            .collect();
        let r = hicham.post_json(&path, &csrf, serde_json::json!({ "scans": too_many }).to_string()).await;
        assert_eq!(r.status(), 422, "{name}");
        let refused: serde_json::Value = r.json().await.expect("JSON");
        assert!(refused["error"].as_str().is_some_and(|e| e.contains("200")), "{name}: {refused}");
        let bad = serde_json::json!({ "scans": [{ "key": "<script>", "code": yassine, "at": at, "offline": true }] });
        assert_eq!(hicham.post_json(&path, &csrf, bad.to_string()).await.status(), 422, "{name}");

        // A workshop's door: a seat in it lets in, once; none is refused.
        let room = format!("/console/stops/{today}/door?lang=fr&session={workshop}");
        let html = hicham.html(&room).await;
        assert!(html.contains("Atelier export") && html.contains("Entrés : 0 sur 1"), "{name}: the room's count");
        let r = hicham.post(&room, &[("csrf", &csrf), ("code", &code(&amina)), ("door", "Salle 2")]).await;
        let html = r.text().await.expect("body");
        assert!(html.contains("door-answer ok") && html.contains("Entrés : 1 sur 1"), "{name}: into the room");
        let r = hicham.post(&room, &[("csrf", &csrf), ("code", yassine), ("door", "Salle 2")]).await;
        let html = r.text().await.expect("body");
        assert!(html.contains("door-answer no") && html.contains("pas de place réservée"), "{name}: no seat");
        let list: serde_json::Value = hicham
            .get(&format!("/console/stops/{today}/door/list?session={workshop}"))
            .await
            .json()
            .await
            .expect("JSON");
        let row = list["people"].as_array().expect("people").iter().find(|p| p[0] == amina_code.as_str()).cloned();
        let row = row.expect("Amina");
        assert_eq!(row[7], serde_json::json!([workshop.to_string()]), "{name}: her seat, for the device to check");
        let stray = format!("/console/stops/{today}/door?session={}", uuid::Uuid::now_v7());
        assert_eq!(hicham.get(&stray).await.status(), 404, "{name}: not a workshop of this stop");

        // The owner's dashboard: the checked-in cell of the stop held today
        // follows the doors (and only that stop's).
        let owner = site.console(&email, &password).await;
        let html = owner.html(&format!("/console?lang=fr&edition={}", later.edition_id.0)).await;
        assert!(html.contains(&format!("data-live-cell=\"/console/stops/{today}/door/counts")), "{name}");
        assert!(!html.contains(&format!("data-live-cell=\"/console/stops/{}/door", later.id.0)), "{name}: not today");

        // The app: a manifest that opens this door, and its worker.
        let r = hicham.get(&format!("/console/stops/{today}/door/app.webmanifest?lang=ar")).await;
        let manifest: serde_json::Value = r.json().await.expect("manifest");
        assert_eq!(manifest["start_url"], format!("/console/stops/{today}/door?lang=ar"), "{name}");
        assert_eq!(manifest["dir"], "rtl", "{name}");
        let r = hicham.get("/console/door-sw.js").await;
        assert!(r.headers()["content-type"].to_str().unwrap_or("").starts_with("text/javascript"), "{name}");
        let csp = hicham.get(&here).await.headers()["content-security-policy"].to_str().unwrap_or("").to_owned();
        assert!(csp.contains("manifest-src 'self'") && csp.contains("worker-src 'self'"), "{name}: {csp}");

        // A device asking for the list in a loop meets the check-in limit.
        let mut slowed = None;
        for _ in 0..130 {
            let r = hicham.get(&format!("/console/stops/{today}/door/list?lang=fr")).await;
            if r.status() == 429 {
                slowed = Some(r);
                break;
            }
        }
        let r = slowed.expect("the list is limited");
        assert!(r.headers().get("retry-after").is_some(), "{name}");
        let refused: serde_json::Value = r.json().await.expect("JSON");
        assert!(refused["error"].as_str().is_some_and(|e| !e.is_empty()), "{name}: said, in JSON");
    }
}
