//! Where credentials come from when the caller does not give them: the AWS SDKs' chain.
//!
//! In order, the first that answers: the environment (`AWS_ACCESS_KEY_ID`, ...); the
//! selected profile's keys, or its `credential_process`; the container credentials endpoint
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` / `_RELATIVE_URI`); the instance metadata service
//! (IMDSv2, unless `AWS_EC2_METADATA_DISABLED`). Only the last two use the network.
//! Credentials that expire are cached and refreshed five minutes early, by one caller while
//! the others wait for its result.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials};
use aws_credential_types::Credentials;
use serde_json::Value;

use crate::datetime::DateTime;
use crate::profile::ProfileSet;

/// The variables the chain reads.
const VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
];

/// How long before expiry credentials are refreshed.
const REFRESH_EARLY: Duration = Duration::from_secs(300);

/// How long one request to a metadata endpoint may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(1);

/// The default credentials chain.
///
/// # Example
/// ```
/// use lamina_runtime::credentials::DefaultChain;
/// use lamina_runtime::profile::ProfileSet;
///
/// let chain = DefaultChain::new(&|_| None, ProfileSet::default());
/// assert!(format!("{chain:?}").contains("DefaultChain"));
/// ```
#[derive(Debug, Clone)]
pub struct DefaultChain {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    env: HashMap<String, String>,
    profiles: ProfileSet,
    cache: tokio::sync::Mutex<Option<Credentials>>,
}

impl DefaultChain {
    /// A chain reading the variables `lookup` returns and the given profiles.
    pub fn new(lookup: &dyn Fn(&str) -> Option<String>, profiles: ProfileSet) -> Self {
        let env = VARIABLES
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), lookup(name).filter(|v| !v.is_empty())?)))
            .collect();
        Self {
            inner: Arc::new(Inner {
                env,
                profiles,
                cache: tokio::sync::Mutex::new(None),
            }),
        }
    }

    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut cache = self.inner.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            let fresh = cached
                .expiry()
                .is_none_or(|expiry| SystemTime::now() + REFRESH_EARLY < expiry);
            if fresh {
                return Ok(cached.clone());
            }
        }

        let credentials = self.inner.resolve().await?;
        *cache = Some(credentials.clone());
        Ok(credentials)
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.credentials())
    }
}

/// What one source of the chain found.
enum Found {
    Credentials(Credentials),
    /// Nothing, and why (for the error that lists every source).
    Nothing(String),
}

impl Inner {
    fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    async fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let mut tried = Vec::new();

        for source in 0..5 {
            let found = match source {
                0 => self.environment()?,
                1 => self.profile_keys()?,
                2 => self.process().await?,
                3 => self.container().await?,
                _ => self.instance_metadata().await?,
            };
            match found {
                Found::Credentials(c) => return Ok(c),
                Found::Nothing(why) => tried.push(why),
            }
        }

        Err(CredentialsError::not_loaded(format!(
            "no credentials found. Tried: {}",
            tried.join("; ")
        )))
    }

    fn environment(&self) -> Result<Found, CredentialsError> {
        match (
            self.var("AWS_ACCESS_KEY_ID"),
            self.var("AWS_SECRET_ACCESS_KEY"),
        ) {
            (Some(id), Some(secret)) => {
                let token = self.var("AWS_SESSION_TOKEN").map(str::to_owned);
                Ok(Found::Credentials(Credentials::new(
                    id,
                    secret,
                    token,
                    None,
                    "environment",
                )))
            }
            _ => Ok(Found::Nothing(
                "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set".into(),
            )),
        }
    }

    fn profile_name(&self) -> String {
        let files: Vec<String> = self
            .profiles
            .sources()
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let read = if files.is_empty() {
            "no config or credentials file found".to_owned()
        } else {
            format!("read {}", files.join(" and "))
        };
        format!("profile `{}` ({read})", self.profiles.selected())
    }

    fn profile_keys(&self) -> Result<Found, CredentialsError> {
        let profiles = &self.profiles;
        if !profiles.has_selected() {
            return Ok(Found::Nothing(format!(
                "{}: no such profile",
                self.profile_name()
            )));
        }
        match (
            profiles.get("aws_access_key_id"),
            profiles.get("aws_secret_access_key"),
        ) {
            (Some(id), Some(secret)) => {
                let token = profiles.get("aws_session_token").map(str::to_owned);
                Ok(Found::Credentials(Credentials::new(
                    id, secret, token, None, "profile",
                )))
            }
            _ => Ok(Found::Nothing(format!(
                "{}: no access keys",
                self.profile_name()
            ))),
        }
    }

    async fn process(&self) -> Result<Found, CredentialsError> {
        let Some(command) = self.profiles.get("credential_process").map(str::to_owned) else {
            return Ok(Found::Nothing(format!(
                "{}: no credential_process",
                self.profile_name()
            )));
        };
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(&command)
                .output()
        })
        .await
        .map_err(CredentialsError::provider_error)?
        .map_err(|e| {
            CredentialsError::provider_error(format!("credential_process could not run: {e}"))
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(CredentialsError::provider_error(format!(
                "credential_process failed ({}): {}",
                output.status,
                stderr.trim()
            )));
        }
        let json: Value = serde_json::from_slice(&output.stdout).map_err(|e| {
            CredentialsError::provider_error(format!("credential_process printed no JSON: {e}"))
        })?;
        if json["Version"].as_u64() != Some(1) {
            return Err(CredentialsError::provider_error(
                "credential_process output must have \"Version\": 1",
            ));
        }
        credentials_from_json(&json, "SessionToken", "credential_process").map(Found::Credentials)
    }

    async fn container(&self) -> Result<Found, CredentialsError> {
        let url = match (
            self.var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            self.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        ) {
            (Some(full), _) => full.to_owned(),
            (None, Some(relative)) => format!("http://169.254.170.2{relative}"),
            (None, None) => {
                return Ok(Found::Nothing(
                    "container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI and \
                     _RELATIVE_URI are not set"
                        .into(),
                ))
            }
        };
        let token = match self.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                CredentialsError::provider_error(format!("cannot read the token file {path}: {e}"))
            })?),
            None => self
                .var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
                .map(str::to_owned),
        };

        let client = metadata_client()?;
        let mut request = client.get(&url);
        if let Some(token) = token {
            request = request.header("Authorization", token.trim());
        }
        let body = send_with_retry(request).await.map_err(|e| {
            CredentialsError::provider_error(format!("container endpoint {url}: {e}"))
        })?;
        let json: Value = serde_json::from_str(&body).map_err(|e| {
            CredentialsError::provider_error(format!("container endpoint sent no JSON: {e}"))
        })?;
        credentials_from_json(&json, "Token", "container").map(Found::Credentials)
    }

    async fn instance_metadata(&self) -> Result<Found, CredentialsError> {
        let disabled = self
            .var("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if disabled {
            return Ok(Found::Nothing(
                "instance metadata: turned off by AWS_EC2_METADATA_DISABLED".into(),
            ));
        }
        let base = self
            .var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .unwrap_or("http://169.254.169.254")
            .trim_end_matches('/')
            .to_owned();
        let client = metadata_client()?;

        let token_request = client
            .put(format!("{base}/latest/api/token"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600");
        let token = match send_with_retry(token_request).await {
            Ok(token) => token,
            Err(e) => {
                return Ok(Found::Nothing(format!(
                    "instance metadata: no token from {base} ({e}); not on EC2?"
                )))
            }
        };
        let get = |path: String| {
            client
                .get(format!("{base}{path}"))
                .header("x-aws-ec2-metadata-token", token.trim())
        };
        let failed =
            |e: String| CredentialsError::provider_error(format!("instance metadata: {e}"));

        let roles = send_with_retry(get("/latest/meta-data/iam/security-credentials/".into()))
            .await
            .map_err(failed)?;
        let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Ok(Found::Nothing(
                "instance metadata: no IAM role attached".into(),
            ));
        };
        let body = send_with_retry(get(format!(
            "/latest/meta-data/iam/security-credentials/{role}"
        )))
        .await
        .map_err(failed)?;
        let json: Value = serde_json::from_str(&body)
            .map_err(|e| failed(format!("the credentials are not JSON: {e}")))?;
        if json["Code"].as_str().is_some_and(|c| c != "Success") {
            return Err(failed(format!("the service answered {}", json["Code"])));
        }
        credentials_from_json(&json, "Token", "instance metadata").map(Found::Credentials)
    }
}

/// Credentials from the JSON the container endpoint, IMDS and credential processes print.
fn credentials_from_json(
    json: &Value,
    token_key: &str,
    source: &'static str,
) -> Result<Credentials, CredentialsError> {
    let text = |key: &str| json[key].as_str().filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (text("AccessKeyId"), text("SecretAccessKey")) else {
        return Err(CredentialsError::provider_error(format!(
            "{source}: the answer has no AccessKeyId or SecretAccessKey"
        )));
    };
    let expiry = match text("Expiration") {
        Some(when) => Some(
            DateTime::parse_date_time(when)
                .map(SystemTime::from)
                .ok_or_else(|| {
                    CredentialsError::provider_error(format!(
                        "{source}: Expiration {when:?} is not an RFC 3339 time"
                    ))
                })?,
        ),
        None => None,
    };
    let token = text(token_key).map(str::to_owned);
    Ok(Credentials::new(id, secret, token, expiry, source))
}

fn metadata_client() -> Result<reqwest::Client, CredentialsError> {
    reqwest::Client::builder()
        .connect_timeout(METADATA_TIMEOUT)
        .timeout(METADATA_TIMEOUT * 2)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(CredentialsError::provider_error)
}

/// Sends `request`, once more if it fails to connect or times out, and returns the body of a
/// 2xx answer.
async fn send_with_retry(request: reqwest::RequestBuilder) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..2 {
        let Some(attempt) = request.try_clone() else {
            break;
        };
        match attempt.send().await {
            Ok(response) if response.status().is_success() => {
                return response.text().await.map_err(|e| e.to_string());
            }
            Ok(response) => return Err(format!("HTTP {}", response.status().as_u16())),
            Err(e) if e.is_connect() || e.is_timeout() => last = e.to_string(),
            Err(e) => return Err(e.to_string()),
        }
    }
    Err(last)
}
