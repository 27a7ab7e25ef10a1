use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const TENANT: &str = "attitudes-conseil";

/// A command for the binary under test, with no Escale configuration
/// inherited from the environment.
pub fn escale(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_escale"));
    cmd.args(args);
    for var in [
        "DATABASE_URL",
        "REDIS_URL",
        "SMTP_URL",
        "ESCALE_DATA_DIR",
        "ESCALE_LISTEN",
        "ESCALE_QUEUE_PREFIX",
        "MAIL_FROM",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("ESCALE_LOG", "info,sqlx=warn,apalis=warn,apalis_core=warn");
    // Tests run workers side by side: each admin port on a free port.
    cmd.env("ESCALE_ADMIN_LISTEN", "127.0.0.1:0");
    cmd.kill_on_drop(true);
    cmd
}

/// The processes' logs are noise when tests pass: shown with `ESCALE_E2E_LOGS=1`.
pub fn child_stderr() -> Stdio {
    if std::env::var("ESCALE_E2E_LOGS").is_ok_and(|v| v == "1") { Stdio::inherit() } else { Stdio::null() }
}

/// A running `escale` process that serves HTTP.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Server {
    /// Starts the command and waits for it to print its GraphQL address.
    pub async fn start(mut cmd: Command) -> Server {
        cmd.stdout(Stdio::piped()).stderr(child_stderr());
        let mut child = cmd.spawn().expect("spawn escale");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(url) = line.trim().strip_prefix("GraphQL:") {
                    return url.trim().trim_end_matches("/graphql").to_owned();
                }
            }
            panic!("escale exited before announcing its address");
        })
        .await
        .expect("escale announced its address within 60 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server { child, base, http: escale_testkit::http_client() }
    }

    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql")
            .json()
            .await
            .expect("JSON response")
    }

    /// SIGTERM, then the exit status.
    pub async fn stop(mut self) -> std::process::ExitStatus {
        terminate(&self.child);
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("exits within 30 s")
            .expect("wait")
    }
}

pub fn terminate(child: &Child) {
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    }
}

pub const AGENDA: &str = "query($tenant: String!) { agenda(tenant: $tenant) { id name city region startsAt localStartsAt timeZone capacity seatsLeft registrationOpen edition { number year } sessions { id title topics startsAt speakers { name } } } }";

pub const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { registration { id status ticketCode waitlistPosition } alreadyRegistered alternatives { city } } }";

pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// The first stop of the next edition that takes registrations.
pub fn open_stop(agenda: &Value) -> &Value {
    agenda["data"]["agenda"]
        .as_array()
        .expect("agenda list")
        .iter()
        .find(|s| s["registrationOpen"] == json!(true))
        .expect("an open stop")
}

pub async fn wait_for_file(dir: &Path, timeout: Duration) -> Vec<std::path::PathBuf> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let files: Vec<_> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        if !files.is_empty() || tokio::time::Instant::now() >= deadline {
            return files;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
