//! `escale user create | role | remove` and `escale tenant sms` on the
//! embedded default: the same rules as the API, with clear refusals.

use crate::support::*;

async fn run(args: &[&str], data: &std::path::Path) -> (bool, i32, String) {
    let out = escale(args)
        .arg("--data-dir")
        .arg(data)
        .env("ESCALE_USER_PASSWORD", "Tamazight-Souss-9-Argan")
        .output()
        .await
        .expect("run escale");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn the_team_changes_at_the_command_line_and_the_last_owner_stays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let (ok, _, text) = run(&["demo"], data).await;
    assert!(ok, "demo: {text}");
    let tenant = ["--tenant", "attitudes-conseil"];
    let (ok, _, text) =
        run(&[&["user", "create"], &tenant[..], &["--email", "door@example.ma", "--role", "checkin"]].concat(), data)
            .await;
    assert!(ok, "{text}");
    let (ok, _, text) =
        run(&[&["user", "role"], &tenant[..], &["--email", "door@example.ma", "--role", "staff"]].concat(), data).await;
    assert!(ok && text.contains("now staff"), "{text}");
    let (ok, _, text) = run(&[&["user", "remove"], &tenant[..], &["--email", "door@example.ma"]].concat(), data).await;
    assert!(ok && text.contains("no longer a member"), "{text}");
    let (ok, code, text) =
        run(&[&["user", "remove"], &tenant[..], &["--email", "door@example.ma"]].concat(), data).await;
    assert!(!ok && code == 2 && text.contains("not found"), "{code}: {text}");
    let (ok, _, text) =
        run(&["tenant", "sms", "attitudes-conseil", "--countries", "ma,fr", "--daily-cap", "500"], data).await;
    assert!(ok && text.contains("to FR, MA only; at most 500 a day, 10 a day per number"), "{text}");
    let (ok, code, text) = run(&["tenant", "sms", "attitudes-conseil", "--countries", "Morocco"], data).await;
    assert!(!ok && code == 2 && text.contains("not a country code"), "{code}: {text}");
    let owner = escale_domain::demo::OWNER_EMAIL;
    let (ok, code, text) =
        run(&[&["user", "role"], &tenant[..], &["--email", owner, "--role", "admin"]].concat(), data).await;
    assert!(!ok && code == 2 && text.contains("last owner"), "{code}: {text}");
}
