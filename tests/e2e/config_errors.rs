//! A configuration mistake is one clear line naming the variable, and a
//! non-zero exit — never a panic or a backtrace.

use crate::support::escale;

async fn fails_with(args: &[&str], env: &[(&str, &str)], expected: &str) {
    let mut cmd = escale(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.expect("run escale");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(error_lines[0].contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{stderr}");
}

#[tokio::test]
async fn missing_malformed_and_unreachable_settings_name_their_variable() {
    fails_with(&["gateway"], &[], "DATABASE_URL: is required").await;
    fails_with(
        &["migrate"],
        &[("DATABASE_URL", "mysql://db/escale")],
        "DATABASE_URL: scheme \"mysql\" is not supported",
    )
    .await;
    fails_with(&["migrate"], &[("DATABASE_URL", "not a url")], "DATABASE_URL: is not a URL").await;
    fails_with(
        &["migrate"],
        &[("DATABASE_URL", "postgres://escale@127.0.0.1:1/escale")],
        "DATABASE_URL: cannot connect",
    )
    .await;
    fails_with(&["worker"], &[("DATABASE_URL", "postgres://127.0.0.1:1/x")], "REDIS_URL: is required").await;
    fails_with(
        &["worker"],
        &[("DATABASE_URL", "postgres://127.0.0.1:1/x"), ("REDIS_URL", "rediss://redis.internal:6380")],
        "REDIS_URL: rediss:// (TLS) is not supported",
    )
    .await;
    fails_with(
        &["worker"],
        &[
            ("DATABASE_URL", "postgres://127.0.0.1:1/x"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
            ("SMTP_URL", "http://mail"),
        ],
        "SMTP_URL: scheme \"http\" is not supported",
    )
    .await;
    fails_with(
        &["serve", "--listen", "127.0.0.1:0"],
        &[("ESCALE_DATA_DIR", "/proc/escale-cannot-be-here")],
        "ESCALE_DATA_DIR",
    )
    .await;
    let worker_env = [
        ("DATABASE_URL", "postgres://127.0.0.1:1/x"),
        ("REDIS_URL", "redis://127.0.0.1:6379"),
        ("SMTP_URL", "smtp://127.0.0.1:2525"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| [worker_env.as_slice(), extra].concat();
    fails_with(&["worker"], &with(&[("SMS_PROVIDER", "pigeon")]), "SMS_PROVIDER: \"pigeon\" is not one of").await;
    fails_with(&["worker"], &with(&[("SMS_PROVIDER", "orange")]), "ORANGE_CLIENT_ID: is required").await;
    fails_with(
        &["worker"],
        &with(&[
            ("SMS_PROVIDER", "orange"),
            ("ORANGE_CLIENT_ID", "id"),
            ("ORANGE_CLIENT_SECRET", "secret"),
            ("ORANGE_SENDER_ADDRESS", "0612345678"),
        ]),
        "ORANGE_SENDER_ADDRESS: must look like tel:+212",
    )
    .await;
    fails_with(
        &["worker"],
        &with(&[("ESCALE_SMS_WEBHOOK_SECRET", "short")]),
        "ESCALE_SMS_WEBHOOK_SECRET: must be at least 24",
    )
    .await;
    fails_with(&["worker"], &with(&[("ESCALE_PUBLIC_URL", "ftp://x")]), "ESCALE_PUBLIC_URL: scheme \"ftp\"").await;
}
