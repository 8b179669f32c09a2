//! Where credentials come from when the caller does not give them: the AWS SDKs' chain.
//!
//! In order, the first that answers: the environment (`AWS_ACCESS_KEY_ID`, ...), unless a
//! profile was chosen explicitly; the selected profile's keys, or its `credential_process`;
//! the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI` /
//! `_RELATIVE_URI`); the instance metadata service (IMDSv2, unless
//! `AWS_EC2_METADATA_DISABLED`). Only the last two use the network, with short timeouts and
//! one retry. Credentials that expire are cached and refreshed five minutes early, by one
//! caller while the others wait for its result.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials};
use aws_credential_types::Credentials;
use serde_json::Value;

use crate::datetime::DateTime;
use crate::error::BoxError;
use crate::profile::ProfileSet;

/// The variables the chain reads.
const VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    FULL_URI,
    RELATIVE_URI,
    TOKEN,
    TOKEN_FILE,
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
];

const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// How long before expiry credentials are refreshed.
const REFRESH_EARLY: Duration = Duration::from_secs(300);

/// How long connecting to a metadata endpoint may take by default, as in the AWS SDKs.
const METADATA_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a `credential_process` may run by default.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// What `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is appended to: the ECS container agent.
const CONTAINER_HOST: &str = "http://169.254.170.2";

/// The most of a failed `credential_process`'s standard error an error message quotes.
const STDERR_QUOTED: usize = 500;

/// The default credentials chain.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use lamina_runtime::credentials::DefaultChain;
/// use lamina_runtime::profile::ProfileSet;
///
/// let chain = DefaultChain::new(&|_| None, ProfileSet::default())
///     .metadata_timeout(Duration::from_millis(500))
///     .process_timeout(Duration::from_secs(10));
/// assert!(format!("{chain:?}").contains("DefaultChain"));
/// ```
#[derive(Debug, Clone)]
pub struct DefaultChain {
    inner: Arc<Inner>,
}

struct Inner {
    env: HashMap<String, String>,
    profiles: ProfileSet,
    settings: Settings,
    cache: tokio::sync::Mutex<Option<Credentials>>,
}

/// Names the variables that are set, never their values: several of them are secrets.
impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set: Vec<&str> = self.env.keys().map(String::as_str).collect();
        set.sort_unstable();
        f.debug_struct("Inner")
            .field("variables_set", &set)
            .field("profiles", &self.profiles)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The chain's settings that only code changes.
#[derive(Debug, Clone)]
struct Settings {
    metadata_timeout: Duration,
    process_timeout: Duration,
    container_host: String,
}

impl DefaultChain {
    /// A chain reading the variables `lookup` returns and the given profiles.
    pub fn new(lookup: &dyn Fn(&str) -> Option<String>, profiles: ProfileSet) -> Self {
        let env = VARIABLES
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), lookup(name).filter(|v| !v.is_empty())?)))
            .collect();
        let settings = Settings {
            metadata_timeout: METADATA_TIMEOUT,
            process_timeout: PROCESS_TIMEOUT,
            container_host: CONTAINER_HOST.to_owned(),
        };
        Self {
            inner: Arc::new(Inner {
                env,
                profiles,
                settings,
                cache: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// Sets how long connecting to the container or instance metadata endpoint may take
    /// (1 s by default, as in the AWS SDKs); a whole request may take twice as long. A
    /// request that fails to connect, times out or gets a 5xx answer is tried once more.
    pub fn metadata_timeout(self, timeout: Duration) -> Self {
        self.with_settings(|settings| settings.metadata_timeout = timeout)
    }

    /// Sets how long a profile's `credential_process` may run before it is stopped and the
    /// chain fails (60 s by default).
    pub fn process_timeout(self, timeout: Duration) -> Self {
        self.with_settings(|settings| settings.process_timeout = timeout)
    }

    /// Sets the scheme and host that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is appended
    /// to, `http://169.254.170.2` (the ECS container agent) by default: for tests, and for
    /// emulators of the agent.
    pub fn container_host(self, base: impl Into<String>) -> Self {
        let base = base.into();
        self.with_settings(|settings| settings.container_host = base)
    }

    /// A chain like this one with changed settings and an empty cache.
    fn with_settings(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings.clone();
        change(&mut settings);

        Self {
            inner: Arc::new(Inner {
                env: self.inner.env.clone(),
                profiles: self.inner.profiles.clone(),
                settings,
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

/// The error of a source of the chain that failed, rather than finding nothing, with the
/// sources tried before it and why each had no credentials.
#[derive(Debug)]
pub struct ChainError {
    message: String,
    tried: Vec<String>,
    source: Option<BoxError>,
}

impl ChainError {
    /// What went wrong in the source that failed.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The sources tried before the one that failed, each with why it had no credentials.
    pub fn tried(&self) -> &[String] {
        &self.tried
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.tried.is_empty() {
            write!(
                f,
                " (tried before it, without credentials: {})",
                self.tried.join("; ")
            )?;
        }
        Ok(())
    }
}

impl Error for ChainError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

/// What one source of the chain found.
enum Found {
    Credentials(Credentials),
    /// Nothing, and why (for the error that lists every source).
    Nothing(String),
}

/// Why a source failed.
struct Failure {
    message: String,
    source: Option<BoxError>,
    /// Whether a setting is wrong, rather than the source failing to answer.
    configuration: bool,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
            configuration: false,
        }
    }

    fn with_source(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self {
            source: Some(source.into()),
            ..Self::new(message)
        }
    }

    fn configuration(message: impl Into<String>) -> Self {
        Self {
            configuration: true,
            ..Self::new(message)
        }
    }

    fn into_error(self, tried: Vec<String>) -> CredentialsError {
        let configuration = self.configuration;
        let error = ChainError {
            message: self.message,
            tried,
            source: self.source,
        };
        if configuration {
            CredentialsError::invalid_configuration(error)
        } else {
            CredentialsError::provider_error(error)
        }
    }
}

impl Inner {
    fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    async fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let mut tried = Vec::new();

        for source in 0..5 {
            let outcome = match source {
                0 => self.environment(),
                1 => self.profile_keys(),
                2 => self.process().await,
                3 => self.container().await,
                _ => self.instance_metadata().await,
            };
            match outcome {
                Ok(Found::Credentials(c)) => return Ok(c),
                Ok(Found::Nothing(why)) => {
                    tracing::debug!("no credentials from {why}");
                    tried.push(why);
                }
                Err(failure) => return Err(failure.into_error(tried)),
            }
        }

        Err(CredentialsError::not_loaded(format!(
            "no credentials found. Tried: {}",
            tried.join("; ")
        )))
    }

    fn environment(&self) -> Result<Found, Failure> {
        if self.profiles.is_explicit() {
            return Ok(Found::Nothing(format!(
                "environment: not read, because profile `{}` was chosen explicitly",
                self.profiles.selected()
            )));
        }
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

    fn profile_keys(&self) -> Result<Found, Failure> {
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

    async fn process(&self) -> Result<Found, Failure> {
        let Some(command) = self.profiles.get("credential_process") else {
            return Ok(Found::Nothing(format!(
                "{}: no credential_process",
                self.profile_name()
            )));
        };
        let profile = self.profiles.selected();
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                Failure::with_source(
                    format!("profile `{profile}`: credential_process could not be started"),
                    e,
                )
            })?;

        let limit = self.settings.process_timeout;
        let output = match tokio::time::timeout(limit, child.wait_with_output()).await {
            Ok(output) => output.map_err(|e| {
                Failure::with_source(
                    format!("profile `{profile}`: credential_process could not be read"),
                    e,
                )
            })?,
            Err(_) => {
                return Err(Failure::new(format!(
                    "profile `{profile}`: credential_process did not finish within {limit:?}, \
                     so it was stopped"
                )))
            }
        };

        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr: String = stderr.trim().chars().take(STDERR_QUOTED).collect();
            return Err(Failure::new(format!(
                "profile `{profile}`: credential_process failed ({}): {stderr}",
                output.status
            )));
        }
        let failed = |why: String| {
            Failure::new(format!(
                "profile `{profile}`: credential_process printed {why}"
            ))
        };
        let json: Value =
            serde_json::from_slice(&output.stdout).map_err(|e| failed(format!("no JSON ({e})")))?;
        if json["Version"].as_u64() != Some(1) {
            return Err(failed("JSON without \"Version\": 1".into()));
        }
        credentials_from_json(&json, "SessionToken", "credential_process")
            .map(Found::Credentials)
            .map_err(failed)
    }

    async fn container(&self) -> Result<Found, Failure> {
        let (variable, url) = match (self.var(FULL_URI), self.var(RELATIVE_URI)) {
            (Some(full), _) => {
                check_full_uri(full).map_err(Failure::configuration)?;
                (FULL_URI, full.to_owned())
            }
            (None, Some(relative)) => {
                if !relative.starts_with('/') {
                    return Err(Failure::configuration(format!(
                        "{RELATIVE_URI} `{relative}` must start with `/`: it is a path on \
                         {}",
                        self.settings.container_host
                    )));
                }
                let host = self.settings.container_host.trim_end_matches('/');
                (RELATIVE_URI, format!("{host}{relative}"))
            }
            (None, None) => {
                return Ok(Found::Nothing(format!(
                    "container endpoint: {FULL_URI} and {RELATIVE_URI} are not set"
                )))
            }
        };
        let token = self.container_token()?;

        let timeout = self.settings.metadata_timeout;
        let client = metadata_client(timeout)?;
        let mut request = client.get(&url);
        if let Some((_, token)) = &token {
            request = request.header("Authorization", token.as_str());
        }
        let failed = |why: String| {
            Failure::new(format!("container endpoint {url} (from {variable}): {why}"))
        };

        let body = send_with_retry(request, timeout).await.map_err(|e| {
            let refused = matches!(e, SendError::Status(s) if s == 401 || s == 403);
            match (&token, refused) {
                (Some((from, _)), true) => failed(format!("{e}; it refused the token of {from}")),
                (None, true) => failed(format!("{e}; no token was sent ({TOKEN} is not set)")),
                _ => failed(e.to_string()),
            }
        })?;
        let json: Value = serde_json::from_str(&body)
            .map_err(|e| failed(format!("the answer is not JSON ({e})")))?;
        credentials_from_json(&json, "Token", "container")
            .map(Found::Credentials)
            .map_err(failed)
    }

    /// The container endpoint's authorization token and the variable it came from: the
    /// file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` names, else
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    fn container_token(&self) -> Result<Option<(&'static str, String)>, Failure> {
        let token = match (self.var(TOKEN_FILE), self.var(TOKEN)) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Failure::with_source(format!("{TOKEN_FILE}: cannot read `{path}`"), e)
                })?;
                (TOKEN_FILE, text.trim().to_owned())
            }
            (None, Some(token)) => (TOKEN, token.trim().to_owned()),
            (None, None) => return Ok(None),
        };

        if token.1.chars().any(char::is_control) {
            return Err(Failure::configuration(format!(
                "the token of {} holds a line break or another control character, which \
                 cannot be sent in a header",
                token.0
            )));
        }
        Ok(Some(token))
    }

    async fn instance_metadata(&self) -> Result<Found, Failure> {
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
        let timeout = self.settings.metadata_timeout;
        let client = metadata_client(timeout)?;

        let token_request = client
            .put(format!("{base}/latest/api/token"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600");
        let token = match send_with_retry(token_request, timeout).await {
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
        let failed = |why: String| Failure::new(format!("instance metadata at {base}: {why}"));

        let list = "/latest/meta-data/iam/security-credentials/";
        let roles = send_with_retry(get(list.into()), timeout)
            .await
            .map_err(|e| failed(format!("listing the IAM roles: {e}")))?;
        let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Ok(Found::Nothing(
                "instance metadata: no IAM role attached".into(),
            ));
        };
        if !valid_role_name(role) {
            return Err(failed(format!(
                "the role name {:?} is not an IAM role name (1 to 64 of letters, digits and \
                 +=,.@_-)",
                role.chars().take(80).collect::<String>()
            )));
        }

        let body = send_with_retry(get(format!("{list}{role}")), timeout)
            .await
            .map_err(|e| failed(format!("the credentials of role `{role}`: {e}")))?;
        let json: Value = serde_json::from_str(&body).map_err(|e| {
            failed(format!(
                "the credentials of role `{role}` are not JSON ({e})"
            ))
        })?;
        match json.get("Code") {
            None => {}
            Some(Value::String(code)) if code == "Success" => {}
            Some(code) => {
                let code = code
                    .as_str()
                    .map_or_else(|| code.to_string(), str::to_owned);
                let message = json["Message"]
                    .as_str()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                return Err(failed(format!(
                    "the credentials of role `{role}` came with Code `{code}`, not \
                     `Success`{message}"
                )));
            }
        }
        credentials_from_json(&json, "Token", "instance metadata")
            .map(Found::Credentials)
            .map_err(|why| failed(format!("the credentials of role `{role}`: {why}")))
    }
}

/// Whether `name` can be an IAM role name, and so safely stand in a URL path.
fn valid_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// Checks that `AWS_CONTAINER_CREDENTIALS_FULL_URI` may be asked for credentials, as the
/// AWS SDKs do: `https://` to any host; plain `http://` only to a loopback host or to one of
/// the container credentials addresses of ECS and EKS. Host names other than `localhost`
/// are not resolved, so they need `https://`.
fn check_full_uri(uri: &str) -> Result<(), String> {
    let url =
        reqwest::Url::parse(uri).map_err(|e| format!("{FULL_URI} `{uri}` is not a URL ({e})"))?;

    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host_str().is_some_and(plain_http_allowed) => Ok(()),
        "http" => Err(format!(
            "{FULL_URI} `{uri}` uses plain http:// to a host that is neither loopback \
             (127.0.0.0/8, ::1, localhost) nor a container credentials address \
             (169.254.170.2, 169.254.170.23, fd00:ec2::23): use https:// or one of those hosts"
        )),
        other => Err(format!(
            "{FULL_URI} `{uri}` must start with http:// or https://, not {other}://"
        )),
    }
}

/// Whether plain HTTP may carry credentials from `host` (as a URL prints it).
fn plain_http_allowed(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback()
                || ip == Ipv4Addr::new(169, 254, 170, 2)
                || ip == Ipv4Addr::new(169, 254, 170, 23)
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)
        }
        Err(_) => false,
    }
}

/// Credentials from the JSON the container endpoint, IMDS and credential processes print,
/// or what is wrong with it.
fn credentials_from_json(
    json: &Value,
    token_key: &str,
    provider: &'static str,
) -> Result<Credentials, String> {
    let text = |key: &str| json[key].as_str().filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (text("AccessKeyId"), text("SecretAccessKey")) else {
        return Err("the answer has no AccessKeyId or SecretAccessKey".into());
    };
    let expiry = match text("Expiration") {
        Some(when) => Some(
            DateTime::parse_date_time(when)
                .map(SystemTime::from)
                .ok_or_else(|| format!("Expiration {when:?} is not an RFC 3339 time"))?,
        ),
        None => None,
    };
    let token = text(token_key).map(str::to_owned);
    Ok(Credentials::new(id, secret, token, expiry, provider))
}

/// A client for the metadata endpoints: short timeouts, no redirects, and no proxy, since
/// those endpoints are on the machine or its link.
fn metadata_client(timeout: Duration) -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout * 2)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| Failure::with_source("the metadata HTTP client could not be built", e))
}

/// Why a metadata endpoint gave no usable answer.
#[derive(Debug)]
enum SendError {
    /// It answered with this status.
    Status(reqwest::StatusCode),
    /// The request failed, as described.
    Transport(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Status(status) => write!(f, "it answered HTTP {status}"),
            SendError::Transport(why) => f.write_str(why),
        }
    }
}

/// Sends `request`, once more if it fails to connect, times out or gets a 5xx answer, and
/// returns the body of a 2xx answer.
async fn send_with_retry(
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<String, SendError> {
    let mut last = SendError::Transport("the request could not be copied".into());
    for _ in 0..2 {
        let Some(attempt) = request.try_clone() else {
            break;
        };

        match attempt.send().await {
            Ok(response) if response.status().is_success() => {
                return response
                    .text()
                    .await
                    .map_err(|e| SendError::Transport(describe(&e, timeout)));
            }
            Ok(response) if response.status().is_server_error() => {
                last = SendError::Status(response.status());
            }
            Ok(response) => return Err(SendError::Status(response.status())),
            Err(e) if e.is_connect() || e.is_timeout() => {
                last = SendError::Transport(describe(&e, timeout));
            }
            Err(e) => return Err(SendError::Transport(describe(&e, timeout))),
        }
    }
    Err(last)
}

/// What went wrong with a request, in words: the limit it hit, or the deepest cause.
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() && error.is_connect() {
        return format!("it could not be reached within {timeout:?}");
    }
    if error.is_timeout() {
        return format!("no complete answer within {:?}", timeout * 2);
    }

    let mut cause: &dyn Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if error.is_connect() {
        format!("it could not be reached: {cause}")
    } else {
        format!("the request failed: {cause}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_container_uris_must_name_a_loopback_or_container_host() {
        for allowed in [
            "http://127.0.0.1:8080/creds",
            "http://127.200.3.4/creds",
            "http://localhost:9/x",
            "http://LOCALHOST/x",
            "http://[::1]:80/x",
            "http://169.254.170.2/v2/credentials/id",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://creds.example.com/anything",
            "https://203.0.113.9/x",
        ] {
            assert_eq!(check_full_uri(allowed), Ok(()), "{allowed}");
        }

        for refused in [
            "http://creds.example.com/x",
            "http://203.0.113.9/x",
            "http://0.0.0.0:80/x",
            "http://169.254.169.254/latest",
            "http://169.254.170.3/x",
            "http://[fd00:ec2::24]/x",
            "http://127.0.0.1@creds.example.com/x",
            "http://localhost.creds.example.com/x",
        ] {
            let err = check_full_uri(refused).unwrap_err();
            assert!(
                err.contains(FULL_URI) && err.contains("use https://"),
                "{refused}: {err}"
            );
        }

        let ftp = check_full_uri("ftp://127.0.0.1/x").unwrap_err();
        assert!(ftp.contains("must start with http:// or https://"), "{ftp}");
        let junk = check_full_uri("not a uri").unwrap_err();
        assert!(junk.contains("is not a URL"), "{junk}");
    }

    #[test]
    fn role_names_that_could_change_the_url_are_refused() {
        assert!(valid_role_name("app-role_1+=,.@"));
        for bad in ["", "../admin", "a/b", "a?b", "a#b", "a b", &"r".repeat(65)] {
            assert!(!valid_role_name(bad), "{bad}");
        }
    }
}
