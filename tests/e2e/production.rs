//! `escale migrate` + `escale gateway` + `escale worker` on PostgreSQL, Redis
//! and a real SMTP conversation.

use std::time::Duration;

use escale_testkit::{SmtpServer, TestDb, redis_or_skip};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_production_roles_register_and_email_over_smtp() {
    const TEST: &str = "the_production_roles_register_and_email_over_smtp";
    let Some(pg) = TestDb::postgres_blank(TEST).await else { return };
    let Some(redis) = redis_or_skip(TEST).await else { return };
    let smtp = SmtpServer::start().await.expect("SMTP server");
    let prefix = format!("escale-e2e-{}", uuid::Uuid::now_v7().simple());

    let migrated = escale(&["migrate"]).env("DATABASE_URL", &pg.url).output().await.expect("run migrate");
    assert!(migrated.status.success(), "migrate: {}", String::from_utf8_lossy(&migrated.stderr));
    let again = escale(&["migrate"]).env("DATABASE_URL", &pg.url).output().await.expect("run migrate twice");
    assert!(again.status.success(), "migrate is idempotent");
    let demo = escale(&["demo"]).env("DATABASE_URL", &pg.url).output().await.expect("run demo");
    assert!(demo.status.success(), "demo: {}", String::from_utf8_lossy(&demo.stderr));

    let mut gateway_cmd = escale(&["gateway"]);
    gateway_cmd.env("DATABASE_URL", &pg.url).env("ESCALE_LISTEN", "127.0.0.1:0");
    let gateway = Server::start(gateway_cmd).await;

    let mut worker_cmd = escale(&["worker"]);
    worker_cmd
        .env("DATABASE_URL", &pg.url)
        .env("REDIS_URL", &redis)
        .env("ESCALE_QUEUE_PREFIX", &prefix)
        .env("SMTP_URL", smtp.url())
        .env("ESCALE_DISPATCH_INTERVAL_MS", "200")
        .stdout(std::process::Stdio::null())
        .stderr(child_stderr());
    let mut worker = worker_cmd.spawn().expect("spawn worker");

    let agenda = gateway.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    let open = open_stop(&agenda).clone();
    let registered = gateway
        .graphql(
            REGISTER,
            json!({ "input": { "stopId": open["id"], "fullName": "Youssef Alami", "email": "youssef.alami@example.ma", "locale": "en" } }),
        )
        .await;
    assert_eq!(registered["data"]["register"]["registration"]["status"], "CONFIRMED", "{registered}");
    let ticket = registered["data"]["register"]["registration"]["ticketCode"].as_str().expect("ticket").to_owned();

    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails.len(), 1, "one email through SMTP");
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["youssef.alami@example.ma".to_owned()]);
    let subject = mail.header("Subject").expect("subject");
    assert!(subject.starts_with("Registration confirmed"), "{subject}");
    assert!(mail.data.contains(open["name"].as_str().expect("stop name")) || subject.contains("=?"), "stop named");
    assert!(mail.data.contains(&ticket), "entry code in the body");
    let message_id = mail.header("Message-ID").expect("Message-ID");
    assert!(message_id.ends_with("@attitudes-conseil.example>"), "{message_id}");

    // Nothing is sent twice, even after more dispatcher rounds.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(smtp.messages().len(), 1);

    terminate(&worker);
    let status =
        tokio::time::timeout(Duration::from_secs(30), worker.wait()).await.expect("worker stops").expect("wait");
    assert!(status.success(), "worker exits 0 on SIGTERM: {status:?}");
    assert!(gateway.stop().await.success(), "gateway exits 0 on SIGTERM");
}
