//! The participant pages in a real headless Chromium at a phone's size
//! (360×740), against `escale serve`: register through the form in French and
//! in Arabic, get the confirmation email (`.eml`), open the manage link it
//! carries, cancel, and see the first waiting person promoted; validation
//! errors in place; the same flow with JavaScript off. Screenshots land in
//! `target/screenshots/`.
//!
//! Needs `chromium` and `chromedriver` (Debian's packages, which `.ci/run`
//! installs). Without them the tests say loudly that they skipped, and fail
//! when `ESCALE_REQUIRE_SERVICES=1`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use thirtyfour::prelude::*;
use tokio::process::{Child, Command};

use crate::support::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver and one browser session; both end with it.
struct Browser {
    driver: WebDriver,
    _chromedriver: Child,
}

impl Browser {
    /// A phone-sized headless Chromium, with or without JavaScript; None
    /// (after saying so) when this machine has no Chromium.
    async fn start(javascript: bool) -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                !escale_testkit::services_required(),
                "ESCALE_REQUIRE_SERVICES=1 but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
            );
            eprintln!("SKIPPED: browser test: no {CHROMIUM} / {CHROMEDRIVER} on this machine");
            return None;
        }
        // Installs the TLS provider reqwest (thirtyfour's client too) asks for.
        let http = escale_testkit::http_client();
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().expect("addr").port()
        };
        let mut chromedriver = Command::new(CHROMEDRIVER);
        chromedriver.arg(format!("--port={port}")).stdout(child_stderr()).stderr(child_stderr()).kill_on_drop(true);
        let chromedriver = chromedriver.spawn().expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{url}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).expect("binary");
        for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] {
            caps.add_arg(arg).expect("arg");
        }
        // A phone's viewport (headless windows are at least 500 px wide).
        caps.add_experimental_option(
            "mobileEmulation",
            json!({ "deviceMetrics": { "width": 360, "height": 740, "pixelRatio": 1.0, "touch": false, "mobile": true } }),
        )
        .expect("mobile emulation");
        if !javascript {
            caps.add_experimental_option("prefs", json!({ "profile.managed_default_content_settings.javascript": 2 }))
                .expect("prefs");
        }
        let driver = WebDriver::new(&url, caps).await.expect("a Chromium session");
        Some(Browser { driver, _chromedriver: chromedriver })
    }

    async fn fill(&self, id: &str, text: &str) {
        let field = self.driver.find(By::Id(id)).await.unwrap_or_else(|e| panic!("#{id}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    async fn tick(&self, css: &str) {
        let el = self.driver.find(By::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        el.scroll_into_view().await.expect("scroll");
        el.click().await.expect("tick");
    }

    async fn submit(&self) {
        let button = self.driver.find(By::Css("form[data-once] button[type=submit]")).await.expect("submit button");
        button.scroll_into_view().await.expect("scroll");
        self.navigating(button.click()).await;
    }

    /// Sets a field's value as its picker would (date and time inputs take
    /// keys in the locale's order, which a test should not depend on).
    async fn set_value(&self, id: &str, value: &str) {
        let field = self.driver.find(By::Id(id)).await.unwrap_or_else(|e| panic!("#{id}: {e}"));
        self.driver
            .execute("arguments[0].value = arguments[1];", vec![field.to_json().expect("element"), json!(value)])
            .await
            .expect("set the value");
    }

    /// Presses a button that posts a form, and waits for the answer.
    async fn press(&self, css: &str) {
        let button = self.driver.find(By::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        button.scroll_into_view().await.expect("scroll");
        self.navigating(button.click()).await;
    }

    /// Follows a link.
    async fn follow(&self, by: By) {
        let link = self.driver.find(by).await.expect("the link");
        self.navigating(link.click()).await;
    }

    /// Runs what leaves the page, then waits for the next page to be there
    /// (the old page's body gone, the new one loaded).
    async fn navigating(&self, action: impl Future<Output = WebDriverResult<()>>) {
        let old = self.driver.find(By::Tag("body")).await.expect("body");
        action.await.expect("the action");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while old.tag_name().await.is_ok() {
            assert!(tokio::time::Instant::now() < deadline, "the page did not change within 15 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        loop {
            let state = self.driver.execute("return document.readyState;", vec![]).await.expect("readyState");
            if state.json() == &json!("complete") {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "the page did not load within 15 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A scan at a door screen with its script: typed, then the answer that
    /// replaces the last one (the page stays; the script answers).
    async fn scan(&self, code: &str) {
        self.driver
            .execute(
                "document.querySelectorAll('[data-door]').forEach(function (e) { e.setAttribute('data-old', '1'); });",
                vec![],
            )
            .await
            .expect("mark the last answer");
        self.fill("code", code).await;
        let button = self.driver.find(By::Css("form.door-form button[type=submit]")).await.expect("the button");
        button.click().await.expect("scan");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while self.driver.find(By::Css("[data-door]:not([data-old])")).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "no answer to {code} within 15 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until a script returns true (polled), or fails saying what.
    async fn until(&self, what: &str, script: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.driver.execute(script, vec![]).await.map(|r| r.json().clone()).unwrap_or(Value::Null);
            if v == json!(true) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                let keys = self
                    .driver
                    .execute("return JSON.stringify(Object.keys(localStorage)) + (localStorage.length ? localStorage.getItem(localStorage.key(0)).slice(0, 300) : '');", vec![])
                    .await
                    .map(|r| r.json().clone())
                    .unwrap_or(Value::Null);
                panic!("{what}: not within 30 s (last: {v}); kept: {keys}; the page says: {}", self.text().await);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn text(&self) -> String {
        self.driver.find(By::Tag("body")).await.expect("body").text().await.expect("text")
    }

    async fn shot(&self, name: &str) {
        let dir = screenshots();
        std::fs::create_dir_all(&dir).expect("screenshots dir");
        self.driver.screenshot(&dir.join(format!("{name}.png"))).await.expect("screenshot");
    }

    /// axe-core's serious and critical findings on the current page (rule,
    /// impact, how many elements), or None when axe-core is not installed
    /// here (`.ci/run` installs it; required with ESCALE_REQUIRE_SERVICES=1).
    async fn accessibility_violations(&self) -> Option<Vec<String>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/axe/node_modules/axe-core/axe.min.js");
        let Ok(axe) = std::fs::read_to_string(&path) else {
            assert!(
                !escale_testkit::services_required(),
                "ESCALE_REQUIRE_SERVICES=1 but {} is missing (npm install --prefix target/axe axe-core@4)",
                path.display()
            );
            eprintln!("SKIPPED: accessibility check: no {}", path.display());
            return None;
        };
        // Evaluated by the driver, not by the page: the page's CSP (script-src
        // 'self') does not apply, and nothing is added to what the page serves.
        self.driver.execute(&format!("{axe}\n;return true;"), vec![]).await.expect("load axe-core");
        let found = self
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ' (' + v.impact + ', ' + v.nodes.length + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '))));",
                vec![],
            )
            .await
            .expect("axe.run");
        Some(
            found
                .json()
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
        )
    }

    /// Fails on any serious or critical axe-core finding on this page.
    async fn assert_accessible(&self, page: &str) {
        if let Some(found) = self.accessibility_violations().await {
            assert!(found.is_empty(), "{page}: axe-core finds {found:#?}");
        }
    }

    async fn quit(self) {
        let _ = self.driver.quit().await;
    }
}

fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// The manage link (`/m/<token>`) of the newest email to `to`, once it is written.
async fn manage_link_in_mail(mail: &Path, to: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut found = None;
        for entry in std::fs::read_dir(mail).into_iter().flatten().flatten() {
            let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
            // Quoted-printable: undo soft line breaks and the escaped '='.
            let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            if !text.contains(&format!("To: {to}")) && !text.contains(&format!("<{to}>")) {
                continue;
            }
            if let Some(at) = text.find("/m/") {
                let token: String = text[at + 3..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                found = Some(format!("/m/{token}"));
            }
        }
        if let Some(link) = found {
            return link;
        }
        assert!(tokio::time::Instant::now() < deadline, "no email to {to} with a manage link in {}", mail.display());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An `.eml` as a person reads it: quoted-printable and base64 parts and
/// encoded-word headers decoded, so a test can look for the words sent.
fn readable(raw: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = String::new();
    // Encoded words in headers: =?utf-8?b?…?=
    let mut rest = raw;
    while let Some(at) = rest.to_ascii_lowercase().find("=?utf-8?b?") {
        let tail = &rest[at + 10..];
        let Some(end) = tail.find("?=") else { break };
        out.push_str(&String::from_utf8_lossy(&b64.decode(&tail[..end]).unwrap_or_default()));
        out.push(' ');
        rest = &tail[end + 2..];
    }
    // Base64 bodies: the lines after a part's blank line, up to the next one.
    let mut lines = raw.lines().peekable();
    while let Some(line) = lines.next() {
        if line.eq_ignore_ascii_case("Content-Transfer-Encoding: base64") {
            for l in lines.by_ref() {
                if l.is_empty() {
                    break;
                }
            }
            let mut block = String::new();
            while let Some(l) = lines.next_if(|l| !l.is_empty() && !l.starts_with("--")) {
                block.push_str(l.trim());
            }
            out.push_str(&String::from_utf8_lossy(&b64.decode(block).unwrap_or_default()));
        }
    }
    // Quoted-printable: soft breaks undone, =XX bytes decoded.
    let qp = raw.replace("=\r\n", "").replace("=\n", "");
    let mut bytes = Vec::with_capacity(qp.len());
    let b = qp.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let hex =
            b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'=', Some(byte)) => {
                bytes.push(byte);
                i += 3;
            }
            (c, _) => {
                bytes.push(c);
                i += 1;
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

/// The emails to `to` once there are at least `count`, each made readable.
async fn mails_to(mail: &Path, to: &str, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let found: Vec<String> = std::fs::read_dir(mail)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .filter(|raw| raw.contains(&format!("To: {to}")) || raw.contains(&format!("<{to}>")))
            .map(|raw| readable(&raw))
            .collect();
        if found.len() >= count {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} emails to {to} of {count} in {}",
            found.len(),
            mail.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn login(server: &Server, data: &Path) -> String {
    let creds = std::fs::read_to_string(data.join("demo-owner.txt")).expect("demo-owner.txt");
    let field =
        |k: &str| creds.lines().find_map(|l| l.strip_prefix(k)).map(str::trim).expect("credential line").to_owned();
    let r = server
        .graphql(
            "mutation($i: LoginInput!) { login(input: $i) { token } }",
            json!({ "i": { "email": field("email:"), "password": field("password:") } }),
        )
        .await;
    r["data"]["login"]["token"].as_str().unwrap_or_else(|| panic!("login: {r}")).to_owned()
}

async fn set_capacity(server: &Server, token: &str, stop: &Value, capacity: i64) {
    let r = server
        .http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(token)
        .json(&json!({
            "query": "mutation($id: ID!, $c: Int!) { updateStop(id: $id, input: { capacity: $c }) { capacity } }",
            "variables": { "id": stop["id"], "c": capacity },
        }))
        .send()
        .await
        .expect("POST")
        .json::<Value>()
        .await
        .expect("JSON");
    assert!(r["errors"].is_null(), "{r}");
}

/// The console's addresses carry the row's id; the API's ids are opaque
/// (`Stop:<tenant>:<uuid>`, base64url).
fn row_id(global: &str) -> String {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(global).expect("a global id");
    String::from_utf8(raw).expect("utf-8").rsplit(':').next().expect("the row's id").to_owned()
}

fn has_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

#[tokio::test]
async fn a_participant_registers_on_a_phone_in_french_and_arabic_and_manages_it_from_the_email() {
    let started = std::time::Instant::now();
    let Some(browser) = Browser::start(true).await else { return };
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("escale-data");
    let server =
        Server::start(escale(&["serve", "--data-dir", dir.to_str().expect("utf-8"), "--listen", "127.0.0.1:0"])).await;
    let base = server.base.clone();
    let d = &browser.driver;

    // The printed address leads to the organizer's page; a stop from there.
    d.goto(format!("{base}/?lang=fr")).await.expect("open /");
    assert!(d.current_url().await.expect("url").path().ends_with("/attitudes-conseil"));
    eprintln!("browser and server up after {:?}", started.elapsed());
    browser.shot("tenant-fr").await;
    browser.assert_accessible("tenant fr").await;
    browser.follow(By::PartialLinkText("Marrakech")).await;
    let text = browser.text().await;
    assert!(
        text.contains("S'inscrire"),
        "the form is on the stop's page: {} {text}",
        d.current_url().await.expect("url")
    );

    // Marrakech takes one person: the second waits.
    let agenda = server.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    let marrakech = agenda["data"]["agenda"]
        .as_array()
        .expect("stops")
        .iter()
        .find(|s| s["city"] == "Marrakech" && s["registrationOpen"] == json!(true))
        .expect("an open Marrakech stop")
        .clone();
    let owner = login(&server, &dir).await;
    set_capacity(&server, &owner, &marrakech, 1).await;
    d.refresh().await.expect("reload");

    // French: a workshop, email reminders, and she is in.
    browser.fill("fullName", "Fatima Zahra Alaoui").await;
    browser.fill("email", "fatima@example.ma").await;
    browser.fill("phone", "06 61 23 45 67").await;
    browser.tick("#consentEmail").await;
    browser.shot("stop-form-fr").await;
    browser.assert_accessible("stop fr").await;
    browser.submit().await;
    let text = browser.text().await;
    assert!(text.contains("Votre place est confirmée"), "{text}");
    assert!(d.find(By::Css(".qr svg")).await.is_ok(), "the QR code is inline");
    browser.shot("confirmation-fr").await;
    browser.assert_accessible("confirmation fr").await;
    eprintln!("registered in French after {:?}", started.elapsed());

    // Arabic: a wrong phone first — the error in Arabic beside its field, the name kept.
    d.goto(format!("{base}/attitudes-conseil?lang=ar")).await.expect("open ar");
    browser.shot("tenant-ar").await;
    browser.follow(By::PartialLinkText("Marrakech")).await;
    // The pages share their reads for the public cache's second: the seat
    // just taken shows within it.
    for _ in 0..20 {
        if browser.text().await.contains("قائمة الانتظار") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        browser.navigating(d.refresh()).await;
    }
    assert!(browser.text().await.contains("قائمة الانتظار"), "a full stop offers its waiting list");
    browser.fill("fullName", "أمينة بنعلي").await;
    browser.fill("email", "amina@example.ma").await;
    browser.fill("phone", "12").await;
    browser.submit().await;
    let Ok(error) = d.find(By::Id("phone-error")).await else {
        panic!("the phone's error, in place: {}", browser.text().await);
    };
    let message = error.text().await.expect("text");
    assert!(has_arabic(&message), "in Arabic: {message}");
    let kept = d.find(By::Id("fullName")).await.expect("name").prop("value").await.expect("value");
    assert_eq!(kept.as_deref(), Some("أمينة بنعلي"), "nothing typed is lost");
    error.scroll_into_view().await.expect("scroll");
    browser.shot("stop-error-ar").await;
    browser.assert_accessible("stop with an error, ar").await;
    browser.fill("phone", "+212 6 12 34 56 78").await;
    browser.tick("#consentEmail").await;
    browser.submit().await;
    let text = browser.text().await;
    assert!(text.contains("قائمة الانتظار"), "waitlisted, said in Arabic: {text}");
    let amina_page = d.current_url().await.expect("url");
    browser.shot("confirmation-waitlist-ar").await;
    browser.assert_accessible("waiting list, ar").await;

    // Fatima opens the link of her confirmation email, joins a workshop, and
    // gives her consent to SMS reminders, which she had not ticked.
    let fatima = manage_link_in_mail(&dir.join("outbox/mail"), "fatima@example.ma").await;
    d.goto(format!("{base}{fatima}")).await.expect("open the manage link");
    assert!(browser.text().await.contains("Votre place est confirmée"));
    browser.press("ul.workshops button.primary").await;
    let text = browser.text().await;
    assert!(text.contains("vous avez une place dans l'atelier"), "joined: {text}");
    assert_eq!(d.find_all(By::Css("ul.workshops li.mine")).await.expect("rows").len(), 1, "one workshop is hers");
    browser.press("form[action*='/give'] input[value=sms] ~ button").await;
    assert!(browser.text().await.contains("votre accord est enregistré"), "SMS consent given");
    d.find(By::Id("workshops")).await.expect("workshops").scroll_into_view().await.expect("scroll");
    browser.shot("manage-workshops-fr").await;
    browser.assert_accessible("own page with a workshop, fr").await;
    browser.follow(By::Css("a.danger")).await;
    browser.shot("cancel-confirm-fr").await;
    browser.assert_accessible("cancel, fr").await;
    browser.submit().await;
    assert!(browser.text().await.contains("a été annulée"), "cancelled");

    // Amina, first in line, has the seat.
    d.goto(amina_page.as_str()).await.expect("Amina's page");
    let text = browser.text().await;
    assert!(text.contains("مقعدك مؤكَّد"), "promoted: {text}");
    browser.shot("promoted-ar").await;
    // Amina, seated now, joins a workshop from her page, in Arabic.
    browser.press("ul.workshops button.primary").await;
    assert!(browser.text().await.contains("لك مقعد في الورشة"), "joined, said in Arabic");
    d.find(By::Id("workshops")).await.expect("workshops").scroll_into_view().await.expect("scroll");
    browser.shot("manage-workshops-ar").await;
    browser.assert_accessible("own page with a workshop, ar").await;

    browser.quit().await;
    server.stop().await;
}

#[tokio::test]
async fn the_registration_works_with_javascript_off() {
    let Some(browser) = Browser::start(false).await else { return };
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("escale-data");
    let server =
        Server::start(escale(&["serve", "--data-dir", dir.to_str().expect("utf-8"), "--listen", "127.0.0.1:0"])).await;
    let d = &browser.driver;
    d.goto(format!("{}/attitudes-conseil?lang=en", server.base)).await.expect("open");
    browser.follow(By::PartialLinkText("Casablanca")).await;
    // The pages' script marks <html> when it runs (WebDriver's own scripts
    // still run: the setting is the page's).
    assert!(d.find(By::Css("html.js")).await.is_err(), "the page's JavaScript is really off");
    browser.fill("fullName", "Youssef Amrani").await;
    browser.fill("phone", "0612345678").await;
    browser.submit().await;
    let text = browser.text().await;
    assert!(text.contains("Your place is confirmed"), "{text}");
    browser.shot("confirmation-en-nojs").await;
    // Her own page's forms are plain forms too: join a workshop, then leave it.
    browser.press("ul.workshops button.primary").await;
    assert!(browser.text().await.contains("you have a seat in the workshop"), "joined without JavaScript");
    browser.press("ul.workshops li.mine button").await;
    let text = browser.text().await;
    assert!(text.contains("you left the workshop"), "left without JavaScript: {text}");
    assert!(d.find(By::Css("ul.workshops li.mine")).await.is_err(), "no workshop is hers any more");
    browser.quit().await;
    server.stop().await;
}

#[tokio::test]
async fn an_organizer_signs_in_to_the_console_and_sees_the_edition_in_french_and_arabic() {
    let Some(browser) = Browser::start(true).await else { return };
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("escale-data");
    let server =
        Server::start(escale(&["serve", "--data-dir", dir.to_str().expect("utf-8"), "--listen", "127.0.0.1:0"])).await;
    let d = &browser.driver;
    // The demo owner's login, as `escale serve` wrote it.
    let creds = std::fs::read_to_string(dir.join("demo-owner.txt")).expect("demo-owner.txt");
    let field =
        |k: &str| creds.lines().find_map(|l| l.strip_prefix(k)).map(str::trim).expect("credential line").to_owned();

    // A few people registered already, with questions: the dashboard has something to draw.
    let agenda = server.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    let open: Vec<Value> = agenda["data"]["agenda"]
        .as_array()
        .expect("stops")
        .iter()
        .filter(|s| s["registrationOpen"] == json!(true))
        .cloned()
        .collect();
    for (n, topic) in ["BUDGETING", "BUDGETING", "DIGITAL_MARKETING", "BANKING_RELATIONS"].iter().enumerate() {
        let input = json!({
            "stopId": open[n % open.len()]["id"],
            "fullName": format!("Participante {n}"),
            "email": format!("p{n}@example.ma"),
            "question": { "topic": topic, "body": "Comment préparer mon dossier ?" },
        });
        let r = server.graphql(REGISTER, json!({ "input": input })).await;
        assert!(r["errors"].is_null(), "{r}");
    }
    // Two readers who agreed to hear from the organizer, in French and Arabic.
    let global = open[0]["id"].as_str().expect("an id").to_owned();
    let at_first = (0..4).filter(|n| n % open.len() == 0).count() + 2;
    for (who, locale) in [("leila@example.ma", "fr"), ("samira@example.ma", "ar")] {
        let input = json!({
            "stopId": global,
            "fullName": format!("Lecture {locale}"),
            "email": who,
            "locale": locale,
            "consents": { "emailReminders": true },
        });
        let r = server.graphql(REGISTER, json!({ "input": input })).await;
        assert!(r["errors"].is_null(), "{r}");
    }
    let stop_id = row_id(&global);

    d.goto(format!("{}/console?lang=fr", server.base)).await.expect("open the console");
    assert!(d.current_url().await.expect("url").path().ends_with("/console/login"), "to the sign-in page");
    browser.fill("email", &field("email:")).await;
    browser.fill("password", "a wrong password").await;
    browser.press("form.console-login button").await;
    assert!(d.find(By::Id("login-error")).await.is_ok(), "the refusal is said in place");
    browser.shot("console-login-error-fr").await;
    browser.assert_accessible("console sign-in with an error, fr").await;
    browser.fill("password", &field("password:")).await;
    browser.press("form.console-login button").await;
    let text = browser.text().await;
    assert!(text.contains("Tableau de bord") && text.contains("Mini-forum de Marrakech"), "{text}");
    assert!(text.contains("6 inscriptions sur un jour"), "the chart's summary: {text}");
    assert!(d.find(By::Css("svg.chart rect")).await.is_ok(), "the chart is drawn");
    browser.shot("console-dashboard-fr").await;
    browser.assert_accessible("console dashboard, fr").await;
    d.find(By::Css(".console-charts")).await.expect("charts").scroll_into_view().await.expect("scroll");
    browser.shot("console-charts-fr").await;
    // A stop's list, its search and its export button.
    browser.follow(By::Css(".console-table tbody a")).await;
    let text = browser.text().await;
    assert!(text.contains("Exporter la liste (CSV)"), "{text}");
    browser.shot("console-stop-fr").await;
    browser.assert_accessible("console stop list, fr").await;
    browser.follow(By::Css(".console-table tbody th a")).await;
    assert!(browser.text().await.contains("Participante"), "a participant's page");
    browser.shot("console-person-fr").await;
    browser.assert_accessible("console participant, fr").await;

    // A new stop with two workshops, published, on the public page.
    browser.follow(By::LinkText("Tableau de bord")).await;
    browser.follow(By::LinkText("Nouvelle étape")).await;
    for (id, text) in [
        ("name", "Mini-forum d'Agadir"),
        ("region", "Souss-Massa"),
        ("city", "Agadir"),
        ("venue", "Palais des congrès"),
        ("capacity", "120"),
    ] {
        browser.fill(id, text).await;
    }
    browser.set_value("startsAt", "2027-04-17T09:00").await;
    browser.set_value("endsAt", "2027-04-17T17:00").await;
    browser.shot("console-new-stop-fr").await;
    browser.assert_accessible("console new stop, fr").await;
    browser.press("form.console-form button").await;
    for (title, starts, ends) in [("Vendre sur Instagram", "10:00", "11:30"), ("Tenir sa caisse", "14:00", "15:30")] {
        browser.fill("title", title).await;
        browser.fill("capacity", "25").await;
        browser.set_value("startsAt", &format!("2027-04-17T{starts}")).await;
        browser.set_value("endsAt", &format!("2027-04-17T{ends}")).await;
        browser.press("form.console-form button").await;
    }
    browser.press("form[action*='/status'] button").await;
    let text = browser.text().await;
    assert!(text.contains("Tenir sa caisse") && text.contains("publiée"), "{text}");
    browser.shot("console-stop-edit-fr").await;
    browser.assert_accessible("console stop edit, fr").await;
    browser.follow(By::LinkText("Voir la page publique")).await;
    let text = browser.text().await;
    assert!(text.contains("Vendre sur Instagram") && text.contains("S'inscrire"), "the stop is public: {text}");
    d.goto(format!("{}/console?lang=fr", server.base)).await.expect("back to the console");

    // An API key for the organizer's CRM: its secret once.
    browser.follow(By::Css(".console-bar a[href^='/console/keys']")).await;
    browser.fill("key-name", "CRM").await;
    browser.tick("input[value='registrations:read']").await;
    browser.press("form.console-form button").await;
    let secret = d.find(By::Id("secret")).await.expect("the secret, once").text().await.expect("text");
    assert!(secret.starts_with("esk_live_"), "{secret}");
    browser.shot("console-keys-fr").await;
    browser.assert_accessible("console keys, fr").await;
    d.goto(format!("{}/console?lang=fr", server.base)).await.expect("back to the console");

    // A message to everyone at the first stop, in French and Arabic:
    // previewed (who, how, what it costs), then sent, each in their language.
    d.goto(format!("{}/console/stops/{stop_id}/messages?lang=fr", server.base)).await.expect("messages");
    browser.fill("subject_fr", "Changement de salle").await;
    browser.fill("body_fr", "Les ateliers se tiennent en salle B2, au premier étage.").await;
    browser.fill("subject_ar", "تغيير القاعة").await;
    browser.fill("body_ar", "تنعقد الورشات في القاعة ب2 في الطابق الأول.").await;
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    let text = browser.text().await;
    assert!(text.contains(&format!("{at_first} personnes")) && text.contains("2 e-mails"), "the preview: {text}");
    browser.shot("console-broadcast-preview-fr").await;
    browser.assert_accessible("console broadcast preview, fr").await;
    browser.press("button[value=send]").await;
    assert!(browser.text().await.contains("2 messages planifiés"), "sent");
    browser.shot("console-messages-fr").await;
    let mail = dir.join("outbox/mail");
    let fr = mails_to(&mail, "leila@example.ma", 2).await;
    assert!(fr.iter().any(|m| m.contains("Les ateliers se tiennent en salle B2")), "the French text by email");
    let ar = mails_to(&mail, "samira@example.ma", 2).await;
    assert!(ar.iter().any(|m| m.contains("تنعقد الورشات في القاعة ب2")), "the Arabic text by email");

    // The stop moves a week later: the preview says who is told, and they are.
    d.goto(format!("{}/console/stops/{stop_id}/reschedule?lang=fr", server.base)).await.expect("reschedule");
    let value = |id: &'static str| async move {
        let field = d.find(By::Id(id)).await.expect("field");
        let v = field.prop("value").await.expect("value").unwrap_or_default();
        let at = chrono::NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M").expect("a local time");
        (at + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M").to_string()
    };
    let (starts, ends) = (value("startsAt").await, value("endsAt").await);
    browser.set_value("startsAt", &starts).await;
    browser.set_value("endsAt", &ends).await;
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    assert!(browser.text().await.contains(&format!("{at_first} inscrits seront prévenus")), "the reschedule's preview");
    browser.shot("console-reschedule-fr").await;
    browser.assert_accessible("console reschedule preview, fr").await;
    browser.press("button[value=confirm]").await;
    let told = mails_to(&mail, "samira@example.ma", 3).await;
    assert_eq!(told.len(), 3, "confirmation, message, change notice");

    // The next edition, its dates first.
    d.goto(format!("{}/console?lang=fr", server.base)).await.expect("dashboard");
    browser.follow(By::Css("a[href*='/clone']")).await;
    browser.fill("number", "7").await;
    browser.fill("title", "7e édition").await;
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    assert!(browser.text().await.contains("→"), "each stop's new date");
    browser.shot("console-clone-fr").await;
    browser.assert_accessible("console clone preview, fr").await;
    browser.press("button[value=confirm]").await;
    assert!(browser.text().await.contains("7e édition"), "the new edition's dashboard");

    // A message's wording: a misspelt variable is refused in place.
    d.goto(format!("{}/console/templates?key=reminder&channel=sms&locale=fr&lang=fr", server.base))
        .await
        .expect("templates");
    browser.fill("bodyText", "Rappel : {{ stop.vile }} demain").await;
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    assert!(d.find(By::Id("bodyText-error")).await.is_ok(), "the render error beside the text");
    browser.shot("console-templates-error-fr").await;
    browser.assert_accessible("console templates with an error, fr").await;

    // The other screens an organizer works in, each checked by axe-core.
    for (path, shot) in [
        (format!("/console/stops/{stop_id}/reminders?lang=fr"), "console-reminders-fr"),
        (format!("/console/stops/{stop_id}/details?lang=fr"), "console-details-fr"),
        ("/console/catalog?lang=fr".to_owned(), "console-catalog-fr"),
        (format!("/console/stops/{stop_id}/reminders?lang=ar"), "console-reminders-ar"),
        (format!("/console/stops/{stop_id}/details?lang=ar"), "console-details-ar"),
        ("/console/catalog?lang=ar".to_owned(), "console-catalog-ar"),
        ("/console/settings?lang=fr".to_owned(), "console-settings-fr"),
    ] {
        d.goto(format!("{}{path}", server.base)).await.expect("a console page");
        assert!(!browser.text().await.contains("indisponible"), "{path} answers");
        browser.shot(shot).await;
        browser.assert_accessible(shot).await;
    }

    // The same in Arabic, right to left, with the stops' Arabic names.
    d.goto(format!("{}/console/templates?key=confirmation&channel=sms&locale=ar&lang=ar", server.base))
        .await
        .expect("templates, ar");
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    assert!(browser.text().await.contains("معاينة انطلاقًا من مثال"), "the preview in Arabic");
    browser.shot("console-templates-ar").await;
    browser.assert_accessible("console templates preview, ar").await;
    d.goto(format!("{}/console/stops/{stop_id}/messages?lang=ar", server.base)).await.expect("messages, ar");
    browser.fill("subject_ar", "تذكير").await;
    browser.fill("body_ar", "لا تنسوا إحضار بطاقاتكم.").await;
    browser.tick("input[name=sms]").await;
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    assert!(browser.text().await.contains("قبل الإرسال"), "the preview in Arabic");
    browser.shot("console-broadcast-preview-ar").await;
    browser.assert_accessible("console broadcast preview, ar").await;
    d.goto(format!("{}/console/stops/{stop_id}/reschedule?lang=ar", server.base)).await.expect("reschedule, ar");
    browser.press("button[value=preview]:not(.visually-hidden)").await;
    browser.shot("console-reschedule-ar").await;
    browser.assert_accessible("console reschedule preview, ar").await;
    d.goto(format!("{}/console?lang=fr", server.base)).await.expect("back to the console");
    browser.follow(By::Css("a[hreflang=ar]")).await;
    let text = browser.text().await;
    assert!(text.contains("لوحة القيادة") && text.contains("المنتدى المصغّر لمراكش"), "{text}");
    assert_eq!(d.find(By::Tag("html")).await.expect("html").attr("dir").await.expect("dir").as_deref(), Some("rtl"));
    browser.shot("console-dashboard-ar").await;
    browser.assert_accessible("console dashboard, ar").await;
    d.find(By::Css(".console-charts")).await.expect("charts").scroll_into_view().await.expect("scroll");
    browser.shot("console-charts-ar").await;
    browser.follow(By::Css(".console-table tbody a")).await;
    assert!(browser.text().await.contains("تصدير القائمة"), "the list in Arabic");
    browser.shot("console-stop-ar").await;
    browser.assert_accessible("console stop list, ar").await;
    browser.follow(By::Css(".console-bar a[href^='/console/members']")).await;
    assert!(browser.text().await.contains("إضافة شخص"), "the team page in Arabic");
    browser.shot("console-team-ar").await;
    browser.assert_accessible("console team, ar").await;
    browser.follow(By::Css(".console-bar a[href^='/console/audit']")).await;
    assert!(browser.text().await.contains("stop.create"), "the new stop is in the log");
    browser.shot("console-audit-ar").await;
    browser.assert_accessible("console audit, ar").await;
    browser.follow(By::Css(".console-bar a[href^='/console/settings']")).await;
    browser.fill("accent", "#7a1f3d").await;
    browser.press("form.console-form button").await;
    assert!(browser.text().await.contains("تم الحفظ"), "saved, said in Arabic");
    browser.shot("console-settings-ar").await;
    browser.assert_accessible("console settings, ar").await;

    // Signing out ends the session: the console asks to sign in again.
    browser.press("form[action^='/console/logout'] button").await;
    d.goto(format!("{}/console", server.base)).await.expect("back to the console");
    assert!(d.current_url().await.expect("url").path().ends_with("/console/login"), "signed out");
    browser.quit().await;
    server.stop().await;
}

/// The door of a stop held today, at phone width: each answer big, in French
/// and Arabic, a scanner's typing forgiven.
#[tokio::test]
async fn the_door_answers_each_scan_big_in_french_and_arabic() {
    let Some(browser) = Browser::start(true).await else { return };
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("escale-data");
    door_member(&dir).await;
    let server =
        Server::start(escale(&["serve", "--data-dir", dir.to_str().expect("utf-8"), "--listen", "127.0.0.1:0"])).await;
    let d = &browser.driver;
    let creds = std::fs::read_to_string(dir.join("demo-owner.txt")).expect("demo-owner.txt");
    let field =
        |k: &str| creds.lines().find_map(|l| l.strip_prefix(k)).map(str::trim).expect("credential line").to_owned();
    d.goto(format!("{}/console/login?lang=fr", server.base)).await.expect("sign in");
    browser.fill("email", &field("email:")).await;
    browser.fill("password", &field("password:")).await;
    browser.press("form.console-login button").await;

    // A stop held today (its zone's offset is an hour at most: three hours
    // ahead is still today and the door, open six hours before, is open).
    browser.follow(By::LinkText("Nouvelle étape")).await;
    for (id, text) in
        [("name", "Escale du jour"), ("region", "Oriental"), ("city", "Oujda"), ("venue", "CCI"), ("capacity", "2")]
    {
        browser.fill(id, text).await;
    }
    let at = |hours: i64| (chrono::Utc::now() + chrono::Duration::hours(hours)).format("%Y-%m-%dT%H:%M").to_string();
    browser.set_value("startsAt", &at(3)).await;
    browser.set_value("endsAt", &at(9)).await;
    browser.press("form.console-form button").await;
    browser.press("form[action*='/status'] button").await;
    let url = d.current_url().await.expect("url");
    let stop_id = url.path().trim_start_matches("/console/stops/").split('/').next().expect("an id").to_owned();

    let agenda = server.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    let stops = agenda["data"]["agenda"].as_array().expect("stops").clone();
    let oujda = stops.iter().find(|s| s["city"] == json!("Oujda")).expect("the stop of the day")["id"].clone();
    let other = stops
        .iter()
        .find(|s| s["city"] != json!("Oujda") && s["registrationOpen"] == json!(true))
        .expect("another")["id"]
        .clone();
    let mut codes = Vec::new();
    for (n, stop) in [
        ("Amina Benali", &oujda),
        ("Nadia Cherkaoui", &oujda),
        ("Salma Idrissi", &oujda),
        ("Karim Fassi", &other),
        ("Omar Alaoui", &oujda),
    ] {
        let input = json!({ "stopId": stop, "fullName": n, "email": format!("{}@example.ma", n.replace(' ', ".").to_lowercase()) });
        let r = server.graphql(REGISTER, json!({ "input": input })).await;
        codes.push(r["data"]["register"]["registration"]["ticketCode"].as_str().expect("a code").to_owned());
    }
    // Omar, waiting second, gives up his place.
    let token = login(&server, &dir).await;
    let r: Value = server
        .http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .json(&json!({
            "query": "mutation($c: String!) { cancelRegistration(input: { ticketCode: $c }) { __typename } }",
            "variables": { "c": codes[4] },
        }))
        .send()
        .await
        .expect("cancel")
        .json()
        .await
        .expect("JSON");
    assert!(r["errors"].is_null(), "{r}");

    // The owner signs out; the door member signs in on her phone.
    browser.press("form[action^='/console/logout'] button").await;
    browser.fill("email", "porte@example.ma").await;
    browser.fill("password", DOOR_PASSWORD).await;
    browser.press("form.console-login button").await;
    assert!(browser.text().await.contains("Escale du jour"), "her dashboard offers the door");

    let b = &browser;
    let scan = |code: String| async move { b.scan(&code).await };
    d.goto(format!("{}/console/stops/{stop_id}/door?lang=fr", server.base)).await.expect("the door");
    browser.shot("door-ready-fr").await;
    // As a person types it: lower case, no dash.
    scan(codes[0].to_lowercase().replace('-', "")).await;
    let text = browser.text().await;
    assert!(text.contains("Amina Benali") && text.contains("Entrés : 1 sur 2"), "{text}");
    browser.shot("door-admitted-fr").await;
    browser.assert_accessible("door, admitted, fr").await;
    scan(codes[0].clone()).await;
    assert!(browser.text().await.contains("déjà entré"), "once");
    browser.shot("door-already-fr").await;
    scan(codes[2].clone()).await;
    assert!(browser.text().await.contains("liste d'attente"), "waiting");
    browser.shot("door-waitlisted-fr").await;
    scan(codes[3].clone()).await;
    assert!(browser.text().await.contains("pas pour cette escale"), "another stop");
    browser.shot("door-other-stop-fr").await;
    scan(codes[4].clone()).await;
    assert!(browser.text().await.contains("annulée le"), "cancelled");
    browser.shot("door-cancelled-fr").await;

    // Another door admits Nadia: this screen's count follows without a reload.
    let r = server
        .http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .json(&json!({
            "query": "mutation($s: ID!, $c: String!) { checkIn(stopId: $s, ticketCode: $c) { alreadyCheckedIn } }",
            "variables": { "s": oujda, "c": codes[1] },
        }))
        .send()
        .await
        .expect("checkIn");
    assert!(r.status().is_success(), "the other door");
    let counts = d.find(By::Css(".door-counts")).await.expect("the count");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(12);
    while !counts.text().await.expect("text").contains("Entrés : 2 sur 2") {
        assert!(tokio::time::Instant::now() < deadline, "the count did not follow");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    d.goto(format!("{}/console/stops/{stop_id}/door?lang=ar", server.base)).await.expect("the door, ar");
    assert_eq!(d.find(By::Tag("html")).await.expect("html").attr("dir").await.expect("dir").as_deref(), Some("rtl"));
    scan(codes[0].clone()).await;
    browser.shot("door-already-ar").await;
    browser.assert_accessible("door, already in, ar").await;
    scan(codes[2].clone()).await;
    assert!(browser.text().await.contains("لائحة الانتظار"), "waiting, in Arabic");
    browser.shot("door-waitlisted-ar").await;
    scan(codes[3].clone()).await;
    assert!(has_arabic(&browser.text().await), "another stop, in Arabic");
    browser.shot("door-other-stop-ar").await;
    scan(codes[4].clone()).await;
    assert!(browser.text().await.contains("أُلغي") || browser.text().await.contains("ألغي"), "cancelled, in Arabic");
    browser.shot("door-cancelled-ar").await;
    scan("ZZZZZ-ZZZZZ".to_owned()).await;
    browser.shot("door-unknown-ar").await;
    browser.quit().await;
    server.stop().await;
}

const DOOR_PASSWORD: &str = "Porte-Nord-Oujda-2027";

/// The demo organizer, and a door member of it (`porte@example.ma`, checkin
/// role), made at the command line before the server starts.
async fn door_member(dir: &Path) {
    let cli = |args: &[&str]| {
        let mut cmd = escale(args);
        cmd.arg("--data-dir").arg(dir).env("ESCALE_USER_PASSWORD", DOOR_PASSWORD);
        cmd
    };
    assert!(cli(&["demo"]).status().await.expect("demo").success());
    let member = ["user", "create", "--tenant", TENANT, "--email", "porte@example.ma", "--role", "checkin"];
    assert!(cli(&member).status().await.expect("a door member").success());
}

/// The door when the venue's network goes: a door member opens the screen
/// online (it keeps the day's list and a copy of itself), the server stops,
/// the screen reloads from its copy and keeps admitting people from its list;
/// when the server is back the queue is sent once, with the scans' times, and
/// a second device's offline scan of one of them is reported as a conflict.
#[tokio::test]
async fn the_door_keeps_admitting_people_offline_and_syncs_once() {
    let Some(browser) = Browser::start(true).await else { return };
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("escale-data");
    let dir_s = dir.to_str().expect("utf-8").to_owned();
    door_member(&dir).await;
    let server = Server::start(escale(&["serve", "--data-dir", &dir_s, "--listen", "127.0.0.1:0"])).await;
    let base = server.base.clone();
    let port = base.rsplit(':').next().expect("a port").to_owned();

    // A stop held today, four seats, five people: the fifth waits.
    let token = login(&server, &dir).await;
    let gql = |query: &'static str, variables: Value| {
        let (server, token) = (&server, &token);
        async move {
            let r: Value = server
                .http
                .post(format!("{}/graphql", server.base))
                .bearer_auth(token)
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .expect("POST")
                .json()
                .await
                .expect("JSON");
            assert!(r["errors"].is_null(), "{r}");
            r["data"].clone()
        }
    };
    let editions = gql("{ editions(status: PUBLISHED) { edges { node { id } } } }", json!({})).await;
    let edition = editions["editions"]["edges"][0]["node"]["id"].clone();
    let now = chrono::Utc::now();
    let stop = gql(
        "mutation($i: CreateStopInput!) { createStop(input: $i) { id } }",
        json!({ "i": { "editionId": edition, "name": "Escale du jour", "region": "Oriental", "city": "Oujda",
            "venue": "CCI", "startsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
            "endsAt": (now + chrono::Duration::hours(7)).to_rfc3339(), "capacity": 4 } }),
    )
    .await["createStop"]["id"]
        .clone();
    gql(
        "mutation($id: ID!) { setStopStatus(id: $id, status: PUBLISHED, notify: false) { id } }",
        json!({ "id": stop }),
    )
    .await;
    let workshop = gql(
        "mutation($i: CreateSessionInput!) { createSession(input: $i) { id } }",
        json!({ "i": { "stopId": stop, "kind": "WORKSHOP", "title": "Atelier export",
            "translations": [{ "locale": "ar", "title": "ورشة التصدير" }],
            "startsAt": (now + chrono::Duration::hours(2)).to_rfc3339(),
            "endsAt": (now + chrono::Duration::hours(3)).to_rfc3339(), "capacity": 10 } }),
    )
    .await["createSession"]["id"]
        .clone();
    let mut codes = Vec::new();
    for n in ["Amina Benali", "Nadia Cherkaoui", "Salma Idrissi", "Karim Fassi", "Omar Alaoui"] {
        let seat = if n.starts_with("Amina") { json!([workshop]) } else { json!([]) };
        let input = json!({ "stopId": stop, "fullName": n, "sessionIds": seat, "email": format!("{}@example.ma", n.replace(' ', ".").to_lowercase()) });
        let r = server.graphql(REGISTER, json!({ "input": input })).await;
        codes.push(r["data"]["register"]["registration"]["ticketCode"].as_str().expect("a code").to_owned());
    }
    let stop_uuid = row_id(stop.as_str().expect("an id"));

    // The door member signs in on her phone and opens the door, in Arabic
    // once and in French: the screen keeps both copies and the day's list.
    let d = &browser.driver;
    d.goto(format!("{base}/console/login?lang=fr")).await.expect("sign in");
    browser.fill("email", "porte@example.ma").await;
    browser.fill("password", DOOR_PASSWORD).await;
    browser.press("form.console-login button").await;
    let door = |lang: &str| format!("{base}/console/stops/{stop_uuid}/door?lang={lang}");
    for lang in ["ar", "fr"] {
        d.goto(door(lang)).await.expect("the door");
        browser
            .until(
                "the day's list kept",
                "var k = localStorage.getItem('escale.door.list.' + document.querySelector('[data-door-app]').dataset.stop);
                 return !!k && JSON.parse(k).count === 5;",
            )
            .await;
        let check = format!(
            "var done = arguments[arguments.length - 1];
             caches.match({:?}).then(function (r) {{ done(!!r); }}, function () {{ done(false); }});",
            door(lang)
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !d.execute_async(&check, vec![]).await.is_ok_and(|r| r.json() == &json!(true)) {
            assert!(tokio::time::Instant::now() < deadline, "the door's copy kept ({lang})");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    browser.tick("details.door-name summary").await;
    browser.fill("door-name", "Entrée nord").await;
    d.execute("document.getElementById('door-name').dispatchEvent(new Event('change'));", vec![]).await.expect("name");
    browser.shot("door-online-fr").await;

    // The network goes (the server stops): the screen reloads from its copy.
    server.stop().await;
    d.refresh().await.expect("reload with no server");
    browser
        .until(
            "the screen says offline",
            "var n = document.querySelector('[data-door-net]'); return !!n && n.getAttribute('data-online') === '0';",
        )
        .await;
    let before = chrono::Utc::now();
    for code in &codes[..4] {
        browser.scan(code).await;
        let answer = d.find(By::Css("[data-door]:not([data-old])")).await.expect("answer");
        assert_eq!(answer.attr("data-door").await.expect("attr").as_deref(), Some("ok"), "{code} admitted offline");
    }
    let text = browser.text().await;
    assert!(text.contains("Karim F.") && text.contains("transmise au retour"), "{text}");
    assert!(text.contains("Entrés : 4 sur 4"), "offline, the device counts its own entries: {text}");
    browser.shot("door-offline-admitted-fr").await;
    browser.scan(&codes[4]).await;
    let text = browser.text().await;
    assert!(text.contains("liste d'attente") && text.contains("position 1"), "the waiting one refused: {text}");
    browser.shot("door-offline-waitlisted-fr").await;
    browser.scan(&codes[1]).await;
    assert!(browser.text().await.contains("déjà entré"), "twice on one device: refused from its own list");
    let net = d.find(By::Css("[data-door-net]")).await.expect("status");
    assert_eq!(net.attr("data-queue").await.expect("attr").as_deref(), Some("4"), "four entries wait");
    assert!(net.text().await.expect("text").contains("Hors ligne"), "it says so");
    browser.assert_accessible("door, offline, fr").await;
    let scanned = chrono::Utc::now();
    // The same screen in Arabic, from its copy, answers from the same list.
    d.goto(door("ar")).await.expect("the door, ar, offline");
    browser
        .until(
            "offline, ar",
            "var n = document.querySelector('[data-door-net]'); return !!n && n.getAttribute('data-online') === '0';",
        )
        .await;
    browser.scan(&codes[0]).await;
    assert!(has_arabic(&browser.text().await), "in Arabic");
    browser.shot("door-offline-already-ar").await;
    browser.scan(&codes[4]).await;
    browser.shot("door-offline-waitlisted-ar").await;
    d.goto(door("fr")).await.expect("back to French, offline");

    // The network is back: the queue goes, once.
    let server =
        Server::start(escale(&["serve", "--data-dir", &dir_s, "--listen", &format!("127.0.0.1:{port}")])).await;
    browser
        .until(
            "the queue sent",
            "var n = document.querySelector('[data-door-net]'); return !!n && n.getAttribute('data-queue') === '0' && n.getAttribute('data-online') === '1';",
        )
        .await;
    browser
        .until(
            "the count follows",
            "return document.querySelector('.door-counts').textContent.indexOf('4 sur 4') >= 0;",
        )
        .await;
    browser.shot("door-synced-fr").await;

    // What the server holds: four check-ins, at the scans' times.
    let _ = escale_testkit::http_client();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    let r = http
        .post(format!("{base}/console/login?lang=fr"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "porte@example.ma"), ("password", DOOR_PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let cookie = r.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("cookie").to_owned();
    let list: Value = http
        .get(format!("{base}/console/stops/{stop_uuid}/door/list"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    let people = list["people"].as_array().expect("people");
    let ins: Vec<i64> = people.iter().filter_map(|p| p[5].as_i64()).collect();
    assert_eq!(ins.len(), 4, "exactly four check-ins: {list}");
    for at in &ins {
        assert!(
            (before.timestamp_millis() - 1000..=scanned.timestamp_millis()).contains(at),
            "a check-in at its scan's time, not the sync's: {at}"
        );
    }
    let omar = people.iter().find(|p| p[0] == codes[4].replace('-', "").as_str()).expect("Omar");
    assert!(omar[5].is_null(), "the waiting one is not in");

    // A second door, offline too, had let Nadia in: reported, once.
    let page = http
        .get(format!("{base}/console/stops/{stop_uuid}/door?lang=fr"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("door")
        .text()
        .await
        .expect("html");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf").to_owned();
    let second = json!({ "door": "Entrée sud", "scans": [
        { "key": "south-device-0001", "code": codes[1], "at": before.timestamp_millis(), "offline": true } ] });
    let send = || {
        http.post(format!("{base}/console/stops/{stop_uuid}/door/scans?lang=fr"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .header("x-csrf-token", &csrf)
            .json(&second)
            .send()
    };
    let reply: Value = send().await.expect("sync").json().await.expect("JSON");
    assert_eq!(reply["answers"][0]["outcome"], "conflict", "{reply}");
    let reply: Value = send().await.expect("sync again").json().await.expect("JSON");
    assert_eq!(reply["answers"][0]["outcome"], "duplicate", "reported once: {reply}");
    d.refresh().await.expect("reload");
    let text = browser.text().await;
    assert!(text.contains("Entré·e deux fois — Entrée sud"), "on the door's page: {text}");
    assert!(text.contains("Entrée nord : 4"), "each door counted: {text}");
    browser.shot("door-report-fr").await;

    // The workshop's own door, in Arabic: Amina has a seat, Nadia none.
    d.find(By::Css(".door-rooms a[href*='session=']")).await.expect("the workshop's door").click().await.expect("go");
    let room = d.current_url().await.expect("url").to_string().replace("lang=fr", "lang=ar");
    d.goto(&room).await.expect("the room, ar");
    browser
        .until(
            "the room's list",
            "return document.querySelector('[data-door-net]').getAttribute('data-online') === '1';",
        )
        .await;
    browser.scan(&codes[0]).await;
    let text = browser.text().await;
    let answer = d.find(By::Css("[data-door]:not([data-old])")).await.expect("answer");
    assert_eq!(answer.attr("data-door").await.expect("attr").as_deref(), Some("ok"), "into the room: {text}");
    assert!(text.contains("ورشة التصدير"), "the workshop named in Arabic: {text}");
    browser.shot("door-workshop-admitted-ar").await;
    browser.scan(&codes[1]).await;
    assert!(browser.text().await.contains("لا يوجد مقعد محجوز"), "no seat, in Arabic");
    browser.shot("door-workshop-no-seat-ar").await;
    browser.assert_accessible("a workshop's door, ar").await;

    // Signing out wipes the device.
    browser.press("form[action^='/console/logout'] button").await;
    browser
        .until("the device wiped", "return Object.keys(localStorage).filter(function (k) { return k.indexOf('escale.door.list') === 0; }).length === 0;")
        .await;
    let check =
        "var done = arguments[arguments.length - 1]; caches.keys().then(function (k) { done(k.length === 0); });";
    assert_eq!(d.execute_async(check, vec![]).await.expect("caches").json(), &json!(true), "no copy left");
    browser.quit().await;
    server.stop().await;
}
