//! Credentials, region and endpoint from the environment and the shared files, and the
//! container and instance metadata endpoints as real HTTP servers on loopback. Every lookup
//! here is a fake environment: nothing reads the real one, and nothing leaves 127.0.0.1.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::provider::ProvideCredentials;
use lamina::{Config, ConfigBuilder};
use lamina_e2e::faulty::{Act, FaultyServer};
use lamina_e2e::server::{Reply, TestServer};
use lamina_runtime::credentials::DefaultChain;
use lamina_runtime::profile::ProfileSet;

/// The metadata and process timeouts of the tests that make a source stall: short, so that
/// a stall fails fast, and long enough that a loopback answer always fits.
const SHORT: Duration = Duration::from_millis(300);

/// A fake environment with its own temporary HOME, plus settings made in code.
struct Env {
    vars: HashMap<String, String>,
    home: PathBuf,
    in_code: Vec<String>,
    profile_lines: Vec<String>,
    config_sections: Vec<String>,
}

impl Env {
    fn new(test: &str) -> Self {
        let home = std::env::temp_dir().join(format!("lamina-creds-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        let mut vars = HashMap::new();
        vars.insert("HOME".to_owned(), home.display().to_string());
        vars.insert("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned());
        Self {
            vars,
            home,
            in_code: Vec::new(),
            profile_lines: Vec::new(),
            config_sections: Vec::new(),
        }
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

    /// Adds a line to the config file's `[default]` profile.
    fn profile_line(mut self, line: &str) -> Self {
        self.profile_lines.push(line.to_owned());
        self.write_config()
    }

    /// Adds a section after the config file's `[default]` profile.
    fn config_section(mut self, text: &str) -> Self {
        self.config_sections.push(text.to_owned());
        self.write_config()
    }

    fn write_config(self) -> Self {
        let text = format!(
            "[default]\n{}\n{}\n",
            self.profile_lines.join("\n"),
            self.config_sections.join("\n")
        );
        self.file("config", &text)
    }

    /// Records a setting made in code, as `name=value`, applied after the environment.
    fn in_code(mut self, setting: &str) -> Self {
        self.in_code.push(setting.to_owned());
        self
    }

    fn builder(&self, profile: Option<&str>) -> ConfigBuilder {
        let vars = self.vars.clone();
        let mut builder =
            ConfigBuilder::from_env_with_profile(move |name| vars.get(name).cloned(), profile);

        for setting in &self.in_code {
            let (name, value) = setting.split_once('=').unwrap();
            builder = match name {
                "region" => builder.region(value),
                "endpoint" => builder.endpoint_url(value),
                "fips" => builder.use_fips(value == "true"),
                "dual-stack" => builder.use_dual_stack(value == "true"),
                "credentials" => builder.credentials(aws_credential_types::Credentials::new(
                    value, "s", None, None, "code",
                )),
                _ => panic!("no setting {name}"),
            };
        }
        builder
    }

    async fn access_key(&self, profile: Option<&str>) -> Result<String, String> {
        let config = self.builder(profile).build();
        let provider = config.credentials_provider().expect("a provider").clone();
        key_of(&provider).await
    }

    /// The default chain over this environment, with short metadata and process timeouts.
    fn chain(&self) -> DefaultChain {
        let lookup = |name: &str| self.vars.get(name).cloned();
        DefaultChain::new(&lookup, ProfileSet::load(&lookup, None))
            .metadata_timeout(SHORT)
            .process_timeout(SHORT)
    }

    /// A file in the temporary HOME, outside `~/.aws`, and its path.
    fn temp_file(&self, name: &str, text: &str) -> String {
        let path = self.home.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

/// The access key `provider` gives, or its error with every source in its chain.
async fn key_of(provider: &impl ProvideCredentials) -> Result<String, String> {
    match provider.provide_credentials().await {
        Ok(credentials) => Ok(credentials.access_key_id().to_owned()),
        Err(e) => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            Err(text)
        }
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
        built.endpoint_url_for("Lambda").as_deref(),
        Some("http://127.0.0.1:7001")
    );
    assert_eq!(
        built.endpoint_url_for("Other").as_deref(),
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
        built.endpoint_url_for("Lambda").as_deref(),
        Some("http://127.0.0.1:7002")
    );
    assert!(!built.use_fips());
    let env = env.set("AWS_REGION", "sa-east-1");
    assert_eq!(env.builder(None).build().region(), Some("sa-east-1"));

    let env = env.set("AWS_ENDPOINT_URL_OTHER_SERVICE", "http://127.0.0.1:7003");
    let built = env.builder(None).build();
    assert_eq!(
        built.endpoint_url_for("Other Service").as_deref(),
        Some("http://127.0.0.1:7003"),
        "every service has its own variable, upper case with spaces as underscores"
    );
    assert_eq!(
        built.endpoint_url_for("Lambda").as_deref(),
        Some("http://127.0.0.1:7002")
    );
}

/// One place a setting can come from: its name, and how it puts `value` into a fake
/// environment.
struct Source {
    name: &'static str,
    set: fn(Env, &str) -> Env,
}

/// Sets up every pair of `sources` (earlier ones rank higher) with different values, and
/// checks that `read` sees the higher one's value.
fn check_pairs(setting: &str, sources: &[Source], values: [&str; 2], read: fn(&Config) -> String) {
    for (high, higher) in sources.iter().enumerate() {
        for lower in &sources[high + 1..] {
            for [win, lose] in [values, [values[1], values[0]]] {
                let test = format!("{setting}-{}-{}", higher.name, lower.name).replace(' ', "_");
                let env = (lower.set)(Env::new(&test), lose);
                let env = (higher.set)(env, win);

                let got = read(&env.builder(None).build());

                assert_eq!(
                    got, win,
                    "{setting}: {} must win over {}",
                    higher.name, lower.name
                );
            }
        }
    }
}

#[test]
fn every_pair_of_region_sources_keeps_the_documented_order() {
    let sources = [
        Source {
            name: "code",
            set: |env, v| env.in_code(&format!("region={v}")),
        },
        Source {
            name: "AWS_REGION",
            set: |env, v| env.set("AWS_REGION", v),
        },
        Source {
            name: "AWS_DEFAULT_REGION",
            set: |env, v| env.set("AWS_DEFAULT_REGION", v),
        },
        Source {
            name: "profile",
            set: |env, v| env.profile_line(&format!("region = {v}")),
        },
    ];

    check_pairs("region", &sources, ["eu-west-3", "us-west-1"], |config| {
        config.region().unwrap_or_default().to_owned()
    });
}

#[test]
fn every_pair_of_endpoint_sources_keeps_the_documented_order() {
    let sources = [
        Source {
            name: "code",
            set: |env, v| env.in_code(&format!("endpoint={v}")),
        },
        Source {
            name: "AWS_ENDPOINT_URL_LAMBDA",
            set: |env, v| env.set("AWS_ENDPOINT_URL_LAMBDA", v),
        },
        Source {
            name: "AWS_ENDPOINT_URL",
            set: |env, v| env.set("AWS_ENDPOINT_URL", v),
        },
        Source {
            name: "profile services",
            set: |env, v| {
                env.profile_line("services = local")
                    .config_section(&format!("[services local]\nlambda =\n  endpoint_url = {v}"))
            },
        },
        Source {
            name: "profile endpoint_url",
            set: |env, v| env.profile_line(&format!("endpoint_url = {v}")),
        },
    ];
    let values = ["http://127.0.0.1:7101", "http://127.0.0.1:7102"];

    check_pairs("endpoint", &sources, values, |config| {
        config
            .endpoint_url_for("Lambda")
            .unwrap_or_default()
            .to_owned()
    });
}

#[test]
fn every_pair_of_fips_and_dual_stack_sources_keeps_the_documented_order() {
    let fips = [
        Source {
            name: "code",
            set: |env, v| env.in_code(&format!("fips={v}")),
        },
        Source {
            name: "AWS_USE_FIPS_ENDPOINT",
            set: |env, v| env.set("AWS_USE_FIPS_ENDPOINT", v),
        },
        Source {
            name: "profile",
            set: |env, v| env.profile_line(&format!("use_fips_endpoint = {v}")),
        },
    ];
    let dual_stack = [
        Source {
            name: "code",
            set: |env, v| env.in_code(&format!("dual-stack={v}")),
        },
        Source {
            name: "AWS_USE_DUALSTACK_ENDPOINT",
            set: |env, v| env.set("AWS_USE_DUALSTACK_ENDPOINT", v),
        },
        Source {
            name: "profile",
            set: |env, v| env.profile_line(&format!("use_dualstack_endpoint = {v}")),
        },
    ];

    check_pairs("fips", &fips, ["true", "false"], |c| {
        c.use_fips().to_string()
    });
    check_pairs("dual-stack", &dual_stack, ["true", "false"], |c| {
        c.use_dual_stack().to_string()
    });
}

/// How a credentials source is put into a fake environment.
type SetUp = Box<dyn Fn(Env) -> Env>;

#[tokio::test]
async fn every_pair_of_credential_sources_keeps_the_chain_order_and_asks_no_lower_one() {
    let container =
        TestServer::start(|_| Reply::new(200, answer("AKIDCONTAINER", "2999-01-01T00:00:00Z")))
            .await;
    let imds = TestServer::start(|r| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") => Reply::new(200, "imds-token"),
        ("GET", "/latest/meta-data/iam/security-credentials/") => Reply::new(200, "role"),
        ("GET", "/latest/meta-data/iam/security-credentials/role") => {
            Reply::new(200, answer("AKIDIMDS", "2999-01-01T00:00:00Z"))
        }
        _ => Reply::new(404, ""),
    })
    .await;
    let process =
        serde_json::json!({"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s"});
    let runs = std::env::temp_dir().join(format!("lamina-process-runs-{}", std::process::id()));
    let _ = std::fs::remove_file(&runs);
    let script = runs.with_extension("sh");
    let text = format!(
        "echo run >> '{}'\nprintf '%s' '{process}'\n",
        runs.display()
    );
    std::fs::write(&script, text).unwrap();
    let process_line = format!("credential_process = sh {}", script.display());
    let container_url = container.url().to_owned();
    let imds_url = imds.url().to_owned();

    let sources: Vec<(&str, &str, SetUp)> = vec![
        (
            "code",
            "AKIDCODE",
            Box::new(|env| env.in_code("credentials=AKIDCODE")),
        ),
        (
            "environment",
            "AKIDENV",
            Box::new(|env| {
                env.set("AWS_ACCESS_KEY_ID", "AKIDENV")
                    .set("AWS_SECRET_ACCESS_KEY", "s")
            }),
        ),
        (
            "profile keys",
            "AKIDFILE",
            Box::new(|env| env.file("credentials", CREDENTIALS_FILE)),
        ),
        (
            "credential_process",
            "AKIDPROC",
            Box::new(move |env| env.profile_line(&process_line)),
        ),
        (
            "container",
            "AKIDCONTAINER",
            Box::new(move |env| env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", &container_url)),
        ),
        (
            "instance metadata",
            "AKIDIMDS",
            Box::new(move |env| {
                env.unset("AWS_EC2_METADATA_DISABLED")
                    .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds_url)
            }),
        ),
    ];

    // How often each source has been asked: the process, and the two endpoints.
    let asked = || {
        let process_runs = std::fs::read_to_string(&runs)
            .unwrap_or_default()
            .lines()
            .count();
        [
            0,
            0,
            0,
            process_runs,
            container.requests().len(),
            imds.requests().len(),
        ]
    };

    for (high, (higher, key, set_higher)) in sources.iter().enumerate() {
        for (lower, _, set_lower) in &sources[high + 1..] {
            let before = asked();
            let env = set_higher(set_lower(Env::new(
                &format!("pair-{high}-{lower}").replace(' ', "_"),
            )));

            let got = env.access_key(None).await.unwrap();

            assert_eq!(&got, key, "{higher} must win over {lower}");
            let after = asked();
            for (index, (name, _, _)) in sources.iter().enumerate().skip(high + 1) {
                assert_eq!(
                    after[index], before[index],
                    "{higher} answered, yet {name} was asked too"
                );
            }
        }
    }
}

const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// What the chain says about the sources before the container endpoint in a bare
/// environment.
const TRIED_BEFORE_CONTAINER: [&str; 4] = [
    "tried before it, without credentials",
    "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
    "profile `default` (",
    "no credential_process",
];

/// An instance metadata service whose one role, `app-role`, is answered by `credentials`.
fn imds_with(
    credentials: impl Fn() -> Reply + Send + Sync + 'static,
) -> impl Fn(&lamina_e2e::server::Recorded) -> Reply + Send + Sync + 'static {
    move |r| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") => Reply::new(200, "imds-token"),
        ("GET", "/latest/meta-data/iam/security-credentials/") => Reply::new(200, "app-role"),
        ("GET", "/latest/meta-data/iam/security-credentials/app-role") => credentials(),
        _ => Reply::new(404, ""),
    }
}

/// An environment whose only credentials source is the instance metadata service at `url`.
fn imds_env(test: &str, url: &str) -> Env {
    Env::new(test)
        .profile_line("region = us-east-1")
        .unset("AWS_EC2_METADATA_DISABLED")
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
}

#[tokio::test]
async fn stalled_metadata_endpoints_time_out_and_name_the_source() {
    let stalled = FaultyServer::start(|_| vec![Act::Stall(Duration::from_secs(30))]).await;

    let imds = imds_env("imds-stalled", stalled.url());
    let err = key_of(&imds.chain()).await.unwrap_err();
    assert!(
        err.contains("instance metadata: no token from http://127.0.0.1")
            && err.contains("no complete answer within"),
        "{err}"
    );
    assert_eq!(stalled.requests(), 2, "the token request is tried twice");

    let url = format!("{}/creds", stalled.url());
    let container = Env::new("container-stalled").set(FULL_URI, &url);
    let err = key_of(&container.chain()).await.unwrap_err();
    let named = format!("container endpoint {url} (from {FULL_URI})");
    assert!(
        err.contains(&named) && err.contains("no complete answer within"),
        "{err}"
    );
    assert_eq!(
        stalled.requests(),
        4,
        "the container request is tried twice"
    );
}

#[tokio::test]
async fn instance_metadata_tries_once_more_after_a_stall_or_a_5xx() {
    let credentials = answer("AKIDRETRY", "2999-01-01T00:00:00Z");
    let stalls_once = FaultyServer::start(move |index| match index {
        0 => vec![Act::Stall(Duration::from_secs(30))],
        1 => vec![Act::respond(200, &[], "imds-token")],
        2 => vec![Act::respond(200, &[], "app-role")],
        _ => vec![Act::respond(200, &[], &credentials)],
    })
    .await;
    let env = imds_env("imds-stall-once", stalls_once.url());

    assert_eq!(key_of(&env.chain()).await.unwrap(), "AKIDRETRY");
    let seen: Vec<String> = stalls_once
        .received()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect();
    assert_eq!(
        seen,
        [
            "PUT /latest/api/token",
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/app-role",
        ]
    );

    let token_requests = Arc::new(AtomicU32::new(0));
    let counter = token_requests.clone();
    let fails_once = TestServer::start(move |r| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") if counter.fetch_add(1, Ordering::SeqCst) == 0 => {
            Reply::new(500, "warming up")
        }
        _ => imds_with(|| Reply::new(200, answer("AKIDRETRY", "2999-01-01T00:00:00Z")))(r),
    })
    .await;
    let env = imds_env("imds-500-once", fails_once.url());

    assert_eq!(key_of(&env.chain()).await.unwrap(), "AKIDRETRY");
    assert_eq!(token_requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn instance_metadata_error_answers_name_the_service_and_the_fault() {
    let code = serde_json::json!({"Code": "AssumeRoleUnauthorizedAccess", "Message": "denied"});
    let cases = [
        (
            "imds-500",
            Reply::new(500, "oops"),
            "it answered HTTP 500",
            2,
        ),
        ("imds-401", Reply::new(401, ""), "it answered HTTP 401", 1),
        (
            "imds-html",
            Reply::new(200, "<html>busy</html>"),
            "are not JSON",
            1,
        ),
        (
            "imds-code",
            Reply::new(200, code.to_string()),
            "came with Code `AssumeRoleUnauthorizedAccess`, not `Success`: denied",
            1,
        ),
    ];

    for (test, reply, fault, attempts) in cases {
        let server = TestServer::start(imds_with(move || reply.clone())).await;
        let env = imds_env(test, server.url());

        let err = key_of(&env.chain()).await.unwrap_err();

        let named = format!(
            "instance metadata at {}: the credentials of role `app-role`",
            server.url()
        );
        assert!(err.contains(&named) && err.contains(fault), "{test}: {err}");
        for tried in TRIED_BEFORE_CONTAINER {
            assert!(err.contains(tried), "{test}: `{tried}` missing from {err}");
        }
        let asked = server
            .requests()
            .iter()
            .filter(|r| r.path().ends_with("/app-role"))
            .count();
        assert_eq!(asked, attempts, "{test}: only a 5xx is tried again");
    }
}

#[tokio::test]
async fn container_endpoint_error_answers_name_the_endpoint_and_the_fault() {
    let cases = [
        (
            "container-503",
            Reply::new(503, ""),
            "it answered HTTP 503",
            2,
        ),
        (
            "container-401",
            Reply::new(401, "bad token"),
            "it answered HTTP 401 Unauthorized; it refused the token of \
             AWS_CONTAINER_AUTHORIZATION_TOKEN",
            1,
        ),
        (
            "container-html",
            Reply::new(200, "<html>"),
            "the answer is not JSON",
            1,
        ),
        (
            "container-no-keys",
            Reply::new(200, r#"{"Token": "t"}"#),
            "the answer has no AccessKeyId or SecretAccessKey",
            1,
        ),
    ];

    for (test, reply, fault, attempts) in cases {
        let server = TestServer::start(move |_| reply.clone()).await;
        let url = format!("{}/creds", server.url());
        let env = Env::new(test).set(FULL_URI, &url).set(TOKEN, "the-token");

        let err = key_of(&env.chain()).await.unwrap_err();

        let named = format!("container endpoint {url} (from {FULL_URI}): {fault}");
        assert!(err.contains(&named), "{test}: {err}");
        for tried in TRIED_BEFORE_CONTAINER {
            assert!(err.contains(tried), "{test}: `{tried}` missing from {err}");
        }
        assert_eq!(server.requests().len(), attempts, "{test}");
        assert!(!err.contains("the-token"), "{test}: the token is printed");
    }
}

#[tokio::test]
async fn a_failing_source_names_the_sources_tried_before_it() {
    let env = Env::new("tried-before-process")
        .profile_line("credential_process = sh -c 'echo expired >&2; exit 2'");

    let err = env.access_key(None).await.unwrap_err();

    assert!(
        err.contains("profile `default`: credential_process failed (exit status: 2): expired"),
        "{err}"
    );
    let tried = "tried before it, without credentials: environment: AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY are not both set; profile `default`";
    assert!(
        err.contains(tried) && err.contains("no access keys"),
        "{err}"
    );
    assert!(
        !err.contains("container endpoint") && !err.contains("instance metadata"),
        "sources after the failing one are not listed: {err}"
    );
}

#[tokio::test]
async fn a_hung_credential_process_is_stopped_and_named() {
    // `exec`, so that stopping the shell stops the sleep too and the test leaves nothing.
    let env = Env::new("process-hangs").profile_line("credential_process = exec sleep 30");

    let err = key_of(&env.chain()).await.unwrap_err();

    let stopped = "profile `default`: credential_process did not finish within 300ms, so it \
                   was stopped";
    assert!(err.contains(stopped), "{err}");
}

#[tokio::test]
async fn the_relative_container_uri_goes_to_the_agent_host_with_the_token_file() {
    let server = TestServer::start(|r| match r.header("authorization") {
        Some("file-token") => Reply::new(200, answer("AKIDTASK", "2999-01-01T00:00:00Z")),
        _ => Reply::new(401, ""),
    })
    .await;
    let env = Env::new("relative");
    let token_file = env.temp_file("token", "file-token\n");
    let env = env
        .set(RELATIVE_URI, "/v2/credentials/task-1")
        .set(TOKEN_FILE, &token_file)
        .set(TOKEN, "variable-token");

    let chain = env.chain().container_host(server.url());

    assert_eq!(key_of(&chain).await.unwrap(), "AKIDTASK");
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].target, "/v2/credentials/task-1");
    assert_eq!(
        sent[0].header("authorization"),
        Some("file-token"),
        "the token file wins over the token variable"
    );

    let not_a_path = env.set(RELATIVE_URI, "@198.51.100.7/creds");
    let err = key_of(&not_a_path.chain().container_host(server.url()))
        .await
        .unwrap_err();
    assert!(
        err.contains(&format!(
            "{RELATIVE_URI} `@198.51.100.7/creds` must start with `/`"
        )),
        "{err}"
    );

    let missing = not_a_path
        .set(RELATIVE_URI, "/v2/credentials/task-1")
        .set(TOKEN_FILE, "/nonexistent/lamina-token");
    let err = key_of(&missing.chain().container_host(server.url()))
        .await
        .unwrap_err();
    assert!(
        err.contains(&format!(
            "{TOKEN_FILE}: cannot read `/nonexistent/lamina-token`"
        )),
        "{err}"
    );

    let two_lines = missing.temp_file("token-two-lines", "one\ntwo\n");
    let broken = missing.set(TOKEN_FILE, &two_lines);
    let err = key_of(&broken.chain().container_host(server.url()))
        .await
        .unwrap_err();
    assert!(
        err.contains(&format!("the token of {TOKEN_FILE} holds a line break")),
        "{err}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "nothing is sent for a bad setting"
    );
}

#[tokio::test]
async fn plain_http_container_uris_must_name_a_loopback_or_container_host() {
    let server =
        TestServer::start(|_| Reply::new(200, answer("AKIDLOCAL", "2999-01-01T00:00:00Z"))).await;
    let port = server.url().rsplit(':').next().unwrap().to_owned();

    // 0.0.0.0 reaches this machine on Linux, yet it is no loopback address: refused, and
    // were it not, the request would still stay on this machine.
    let refused = Env::new("full-uri-refused").set(FULL_URI, &format!("http://0.0.0.0:{port}/c"));
    let err = key_of(&refused.chain()).await.unwrap_err();
    let rule = "uses plain http:// to a host that is neither loopback (127.0.0.0/8, ::1, \
                localhost) nor a container credentials address (169.254.170.2, \
                169.254.170.23, fd00:ec2::23): use https:// or one of those hosts";
    assert!(err.contains(FULL_URI) && err.contains(rule), "{err}");
    assert!(server.requests().is_empty(), "nothing is sent");

    for host in ["127.0.0.1", "localhost"] {
        let env =
            Env::new(&format!("full-uri-{host}")).set(FULL_URI, &format!("http://{host}:{port}/c"));
        assert_eq!(key_of(&env.chain()).await.unwrap(), "AKIDLOCAL", "{host}");
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn config_and_credentials_files_are_read_where_the_variables_point() {
    let env = Env::new("file-variables")
        .file(
            "config",
            "[default]\nregion = eu-west-1\nmax_attempts = 7\n",
        )
        .file("credentials", CREDENTIALS_FILE);
    let config = env.temp_file(
        "elsewhere-config",
        "[profile ci]\nregion = ap-northeast-3\n",
    );
    let credentials = env.temp_file(
        "elsewhere-credentials",
        "[ci]\naws_access_key_id = AKIDELSEWHERE\naws_secret_access_key = s\n",
    );
    let env = env
        .set("AWS_CONFIG_FILE", &config)
        .set("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .set("AWS_PROFILE", "ci");

    assert_eq!(env.builder(None).build().region(), Some("ap-northeast-3"));
    assert_eq!(env.access_key(None).await.unwrap(), "AKIDELSEWHERE");

    let env = env.set("AWS_PROFILE", "default");
    let built = env.builder(None).build();
    assert_eq!(built.region(), None, "~/.aws/config is not read");
    assert_eq!(built.retry().max_attempts(), 3);
    let err = env.access_key(None).await.unwrap_err();
    let read = format!("profile `default` (read {config} and {credentials}): no such profile");
    assert!(err.contains(&read), "~/.aws/credentials is not read: {err}");
}

#[tokio::test]
async fn the_profiles_max_attempts_bounds_the_attempts_of_a_call() {
    let busy = TestServer::start(|_| Reply::lambda_error(503, "ServiceException", "busy")).await;
    let env = Env::new("profile-max-attempts")
        .profile_line("region = us-east-1")
        .profile_line("max_attempts = 2")
        .set("AWS_ACCESS_KEY_ID", "AKIDENV")
        .set("AWS_SECRET_ACCESS_KEY", "s")
        .in_code(&format!("endpoint={}", busy.url()));
    let invoke = |config: Config| async move {
        let client = lamina::Client::from_conf(config);
        client.invoke().function_name("f").send().await
    };

    let err = invoke(env.builder(None).build()).await.unwrap_err();
    assert!(err.to_string().contains("ServiceException"), "{err}");
    assert_eq!(busy.requests().len(), 2, "the profile's max_attempts = 2");

    let env = env.set("AWS_MAX_ATTEMPTS", "3");
    invoke(env.builder(None).build()).await.unwrap_err();
    assert_eq!(
        busy.requests().len(),
        5,
        "AWS_MAX_ATTEMPTS = 3 wins over the profile"
    );
}

#[tokio::test]
async fn an_explicit_profile_wins_over_environment_keys_as_in_the_aws_cli() {
    let env = Env::new("explicit-profile")
        .file("credentials", CREDENTIALS_FILE)
        .set("AWS_ACCESS_KEY_ID", "AKIDENV")
        .set("AWS_SECRET_ACCESS_KEY", "s")
        .set("AWS_REGION", "eu-west-2");

    assert_eq!(
        env.access_key(Some("other")).await.unwrap(),
        "AKIDOTHER",
        "an explicit profile beats AWS_ACCESS_KEY_ID"
    );
    assert_eq!(
        env.builder(Some("other")).build().region(),
        Some("eu-west-2"),
        "but not AWS_REGION"
    );

    let env = env.set("AWS_PROFILE", "other");
    assert_eq!(
        env.access_key(None).await.unwrap(),
        "AKIDENV",
        "AWS_PROFILE does not beat AWS_ACCESS_KEY_ID"
    );
}
