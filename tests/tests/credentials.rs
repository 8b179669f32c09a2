//! Credentials, region and endpoint from the environment and the shared files, and the
//! container and instance metadata endpoints as real HTTP servers on loopback. Every lookup
//! here is a fake environment: nothing reads the real one, and nothing leaves 127.0.0.1.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use aws_credential_types::provider::ProvideCredentials;
use lamina::ConfigBuilder;
use lamina_e2e::server::{Reply, TestServer};

/// A fake environment with its own temporary HOME.
struct Env {
    vars: HashMap<String, String>,
    home: PathBuf,
}

impl Env {
    fn new(test: &str) -> Self {
        let home = std::env::temp_dir().join(format!("lamina-creds-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        let mut vars = HashMap::new();
        vars.insert("HOME".to_owned(), home.display().to_string());
        vars.insert("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned());
        Self { vars, home }
    }

    fn set(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    fn unset(mut self, name: &str) -> Self {
        self.vars.remove(name);
        self
    }

    fn file(self, name: &str, text: &str) -> Self {
        std::fs::write(self.home.join(".aws").join(name), text).unwrap();
        self
    }

    fn builder(&self, profile: Option<&str>) -> ConfigBuilder {
        let vars = self.vars.clone();
        ConfigBuilder::from_env_with_profile(move |name| vars.get(name).cloned(), profile)
    }

    async fn access_key(&self, profile: Option<&str>) -> Result<String, String> {
        let config = self.builder(profile).build();
        let provider = config.credentials_provider().expect("a provider").clone();
        provider
            .provide_credentials()
            .await
            .map(|c| c.access_key_id().to_owned())
            .map_err(|e| {
                format!(
                    "{e}: {}",
                    std::error::Error::source(&e)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                )
            })
    }
}

const CREDENTIALS_FILE: &str = "[default]\naws_access_key_id = AKIDFILE\n\
                                aws_secret_access_key = s\n\
                                [other]\naws_access_key_id = AKIDOTHER\n\
                                aws_secret_access_key = s\n";

/// A credentials answer in the form the container endpoint and IMDS send.
fn answer(key: &str, expiration: &str) -> String {
    serde_json::json!({
        "Code": "Success", "AccessKeyId": key, "SecretAccessKey": "s", "Token": "t",
        "Expiration": expiration,
    })
    .to_string()
}

#[tokio::test]
async fn environment_keys_win_over_the_profile_and_the_profile_over_nothing() {
    let env = Env::new("precedence")
        .file("credentials", CREDENTIALS_FILE)
        .set("AWS_ACCESS_KEY_ID", "AKIDENV")
        .set("AWS_SECRET_ACCESS_KEY", "s");
    assert_eq!(env.access_key(None).await.unwrap(), "AKIDENV");

    let env = env.unset("AWS_ACCESS_KEY_ID");
    assert_eq!(env.access_key(None).await.unwrap(), "AKIDFILE");

    let env = env.set("AWS_PROFILE", "other");
    assert_eq!(env.access_key(None).await.unwrap(), "AKIDOTHER");
    assert_eq!(
        env.access_key(Some("default")).await.unwrap(),
        "AKIDFILE",
        "--profile wins"
    );
}

#[tokio::test]
async fn a_credential_process_is_run_for_a_profile_without_keys() {
    let script = serde_json::json!({
        "Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s",
        "Expiration": "2999-01-01T00:00:00Z",
    });
    let env = Env::new("process").file(
        "config",
        &format!("[profile tool]\ncredential_process = printf '%s' '{script}'\n"),
    );

    assert_eq!(env.access_key(Some("tool")).await.unwrap(), "AKIDPROC");

    let failing = Env::new("process-fails").file(
        "config",
        "[default]\ncredential_process = sh -c 'echo broken >&2; exit 3'\n",
    );
    let err = failing.access_key(None).await.unwrap_err();
    assert!(
        err.contains("credential_process failed") && err.contains("broken"),
        "{err}"
    );
}

#[tokio::test]
async fn the_container_endpoint_is_asked_with_its_token_and_expiring_keys_are_refreshed() {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let server = TestServer::start(move |r| {
        counter.fetch_add(1, Ordering::SeqCst);
        if r.header("authorization") != Some("secret-token") {
            return Reply::new(401, "no");
        }
        let soon = lamina::primitives::DateTime::from(
            std::time::SystemTime::now() + std::time::Duration::from_secs(120),
        );
        let body = serde_json::json!({
            "AccessKeyId": "AKIDCONTAINER", "SecretAccessKey": "s", "Token": "t",
            "Expiration": soon.to_date_time(),
        });
        Reply::new(200, body.to_string())
    })
    .await;
    let env = Env::new("container")
        .set(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            &format!("{}/creds", server.url()),
        )
        .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token");
    let config = env.builder(None).build();
    let provider = config.credentials_provider().unwrap().clone();

    let first = provider.provide_credentials().await.unwrap();
    let second = provider.provide_credentials().await.unwrap();

    assert_eq!(first.access_key_id(), "AKIDCONTAINER");
    assert_eq!(first.session_token(), Some("t"));
    assert_eq!(second.access_key_id(), "AKIDCONTAINER");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "keys expiring within 5 minutes are fetched again"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch() {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let server = TestServer::start(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::new(200, answer("AKIDONCE", "2999-01-01T00:00:00Z"))
    })
    .await;
    let env = Env::new("shared").set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url());
    let config = env.builder(None).build();
    let provider = config.credentials_provider().unwrap().clone();

    let handles: Vec<_> = (0..16)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move {
                provider
                    .provide_credentials()
                    .await
                    .map(|c| c.access_key_id().to_owned())
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.await.unwrap().unwrap(), "AKIDONCE");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

fn has_ttl(request: &lamina_e2e::server::Recorded) -> bool {
    request
        .header("x-aws-ec2-metadata-token-ttl-seconds")
        .is_some()
}

#[tokio::test]
async fn instance_metadata_uses_an_imdsv2_token() {
    let server = TestServer::start(|r| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") if has_ttl(r) => Reply::new(200, "imds-token"),
        (_, _) if r.header("x-aws-ec2-metadata-token") != Some("imds-token") => Reply::new(401, ""),
        ("GET", "/latest/meta-data/iam/security-credentials/") => Reply::new(200, "app-role\n"),
        ("GET", "/latest/meta-data/iam/security-credentials/app-role") => {
            Reply::new(200, answer("AKIDIMDS", "2999-01-01T00:00:00Z"))
        }
        _ => Reply::new(404, ""),
    })
    .await;
    let env = Env::new("imds")
        .unset("AWS_EC2_METADATA_DISABLED")
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url());

    assert_eq!(env.access_key(None).await.unwrap(), "AKIDIMDS");
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PUT", "GET", "GET"]);
}

#[tokio::test]
async fn an_unreachable_metadata_service_ends_the_chain_quickly_with_every_reason() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let env = Env::new("nothing").unset("AWS_EC2_METADATA_DISABLED").set(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        &format!("http://127.0.0.1:{port}"),
    );

    let err = env.access_key(None).await.unwrap_err();

    for source in [
        "environment",
        "profile `default`",
        "credential_process",
        "container endpoint",
        "instance metadata",
    ] {
        assert!(err.contains(source), "{source} missing from: {err}");
    }
}

#[tokio::test]
async fn region_and_endpoint_come_from_the_profile_after_the_environment() {
    let config = "[default]\nregion = eu-central-1\nservices = local\nuse_fips_endpoint = true\n\
                  endpoint_url = http://127.0.0.1:7000\n\
                  [services local]\nlambda =\n  endpoint_url = http://127.0.0.1:7001\n";
    let env = Env::new("settings").file("config", config);
    let built = env.builder(None).build();
    assert_eq!(built.region(), Some("eu-central-1"));
    assert_eq!(
        built.endpoint_url_for("Lambda"),
        Some("http://127.0.0.1:7001")
    );
    assert_eq!(
        built.endpoint_url_for("Other"),
        Some("http://127.0.0.1:7000")
    );
    assert!(built.use_fips());

    let env = env
        .set("AWS_DEFAULT_REGION", "ap-south-1")
        .set("AWS_ENDPOINT_URL", "http://127.0.0.1:7002")
        .set("AWS_USE_FIPS_ENDPOINT", "false");
    let built = env.builder(None).build();
    assert_eq!(built.region(), Some("ap-south-1"));
    assert_eq!(
        built.endpoint_url_for("Lambda"),
        Some("http://127.0.0.1:7002")
    );
    assert!(!built.use_fips());
    let env = env.set("AWS_REGION", "sa-east-1");
    assert_eq!(env.builder(None).build().region(), Some("sa-east-1"));
}
