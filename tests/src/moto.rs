//! moto, the independent AWS emulator, as a local Lambda endpoint: installing it into a
//! virtual environment, starting it on a loopback port, and setting it up through its APIs.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use lamina_runtime::config::Credentials;
use lamina_runtime::signing::sign_request;

/// The moto release the tests are written against.
pub const MOTO_REQUIREMENT: &str = "moto[server,awslambda]==5.2.5";

/// The environment variable that holds a running moto's URL for tests.
pub const ENDPOINT_VAR: &str = "LAMINA_MOTO_ENDPOINT";

/// The environment variable that holds the `moto_server` program, for tests that need a
/// server of their own.
pub const SERVER_VAR: &str = "LAMINA_MOTO_SERVER";

/// The region every test uses.
pub const REGION: &str = "us-east-1";

/// Installs moto into `venv` (made if missing) unless the same release is there already, and
/// returns the path of its `moto_server` program.
pub fn install(venv: &Path) -> Result<PathBuf, String> {
    let stamp = venv.join("lamina-moto.txt");
    let server = venv.join("bin").join("moto_server");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(MOTO_REQUIREMENT) && server.exists()
    {
        return Ok(server);
    }

    run(Command::new("python3").arg("-m").arg("venv").arg(venv))?;
    let pip = venv.join("bin").join("pip");
    run(Command::new(&pip)
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(MOTO_REQUIREMENT))?;
    std::fs::write(&stamp, MOTO_REQUIREMENT).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(server)
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}

/// A moto server process on a free loopback port, stopped when dropped.
pub struct MotoProcess {
    child: Child,
    endpoint: String,
}

impl MotoProcess {
    /// Starts `server` (a `moto_server` program) on a free loopback port and waits until it
    /// answers, with Lambda switched to its Docker-free mode.
    pub fn start(server: &Path) -> Result<Self, String> {
        let port = free_port()?;
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
        let mut process = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };

        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = process.child.try_wait() {
                return Err(format!("moto exited before answering ({status})"));
            }
            let answer = raw_post(
                &process.endpoint,
                "/moto-api/config",
                r#"{"lambda": {"use_docker": false}}"#,
            );
            if matches!(answer, Ok(status) if status < 300) {
                return Ok(process);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "moto did not answer on {} within 60 s",
                    process.endpoint
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The server's base URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for MotoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A bare HTTP POST over a std socket, for setting moto up before any async runtime exists.
fn raw_post(endpoint: &str, path: &str, body: &str) -> Result<u16, String> {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {answer:.80}"))
}

/// A running moto, set up through signed calls to its IAM and Lambda APIs.
#[derive(Debug, Clone)]
pub struct Moto {
    endpoint: String,
    http: reqwest::Client,
}

/// An access key moto knows, for tests with signature checking on.
#[derive(Debug, Clone)]
pub struct AccessKey {
    /// The access key id.
    pub id: String,
    /// The secret.
    pub secret: String,
}

impl Moto {
    /// The moto at `endpoint`.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            http: reqwest::Client::new(),
        }
    }

    /// The moto that `cargo xtask test` started, or `None` (with the reason printed) when the
    /// tests run without it. Under CI a missing moto fails the test instead.
    pub fn from_env_or_skip(test: &str) -> Option<Self> {
        match std::env::var(ENDPOINT_VAR) {
            Ok(url) if !url.is_empty() => Some(Self::new(url)),
            _ if std::env::var_os("CI").is_some() => {
                panic!("{test}: {ENDPOINT_VAR} is not set under CI; run `cargo xtask test`")
            }
            _ => {
                say_skipped(&format!(
                    "{test}: no moto endpoint ({ENDPOINT_VAR} unset); `cargo xtask test` starts one"
                ));
                None
            }
        }
    }

    /// The server's base URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Credentials moto accepts while signature checks are off.
    pub fn test_credentials() -> Credentials {
        Credentials::new("AKIDLAMINATEST", "lamina-test-secret", None, None, "tests")
    }

    /// Creates an IAM role that Lambda functions can use, and returns its ARN.
    pub async fn create_role(&self, name: &str) -> Result<String, String> {
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }],
        })
        .to_string();
        let xml = self
            .iam(&[
                ("Action", "CreateRole"),
                ("RoleName", name),
                ("AssumeRolePolicyDocument", &policy),
            ])
            .await?;
        element(&xml, "Arn").ok_or_else(|| format!("CreateRole gave no ARN: {xml:.200}"))
    }

    /// Makes an IAM user allowed to do anything, with an access key, then turns moto's
    /// signature checks on. Every later request must be signed with a key moto knows.
    pub async fn enable_auth(&self) -> Result<AccessKey, String> {
        let user = "lamina-test-user";
        self.iam(&[("Action", "CreateUser"), ("UserName", user)])
            .await?;
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        })
        .to_string();
        self.iam(&[
            ("Action", "PutUserPolicy"),
            ("UserName", user),
            ("PolicyName", "everything"),
            ("PolicyDocument", &policy),
        ])
        .await?;
        let xml = self
            .iam(&[("Action", "CreateAccessKey"), ("UserName", user)])
            .await?;
        let key = AccessKey {
            id: element(&xml, "AccessKeyId").ok_or("CreateAccessKey gave no key id")?,
            secret: element(&xml, "SecretAccessKey").ok_or("CreateAccessKey gave no secret")?,
        };

        let url = format!("{}/moto-api/reset-auth", self.endpoint);
        let answer = self
            .http
            .post(url)
            .header("Content-Type", "text/plain")
            .body("0")
            .send()
            .await
            .map_err(|e| format!("reset-auth: {e}"))?;
        if !answer.status().is_success() {
            return Err(format!("reset-auth answered {}", answer.status()));
        }
        Ok(key)
    }

    async fn iam(&self, params: &[(&str, &str)]) -> Result<String, String> {
        let mut form = String::from("Version=2010-05-08");
        for (name, value) in params {
            form.push('&');
            form.push_str(name);
            form.push('=');
            form.push_str(&encode_form(value));
        }
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let (status, text) = self
            .signed(
                "POST",
                "/",
                "iam",
                form.into(),
                content_type,
                &Self::test_credentials(),
            )
            .await?;
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(format!("IAM {params:?} answered {status}: {text:.300}"))
        }
    }

    async fn signed(
        &self,
        method: &str,
        path: &str,
        service: &str,
        body: Bytes,
        content_type: &str,
        credentials: &Credentials,
    ) -> Result<(u16, String), String> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.endpoint))
            .header("content-type", content_type)
            .body(body)
            .map_err(|e| e.to_string())?;
        sign_request(
            &mut request,
            credentials,
            REGION,
            service,
            SystemTime::now(),
        )
        .map_err(|e| e.to_string())?;

        let request = reqwest::Request::try_from(request).map_err(|e| e.to_string())?;
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| e.to_string())?;
        Ok((status, text))
    }
}

fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].to_owned())
}

fn encode_form(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Prints why a test was skipped where the test runner shows it even for passing tests:
/// straight to standard output, past the runner's capture of `println!`.
pub fn say_skipped(why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "skipped {why}");
}
