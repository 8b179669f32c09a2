//! A client's configuration: region, credentials, endpoint, transport, retries, middleware.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use crate::client::StackEdit;
use crate::credentials::DefaultChain;
use crate::middleware::{Stack, StackError};
use crate::profile::ProfileSet;
use crate::retry::{RetryConfig, RetryMode, RetryPolicy, RetryState};
use crate::time::{SharedTimeSource, SystemClock, TimeSource};
use crate::timeout::TimeoutConfig;
use crate::transport::{HttpConnector, ReqwestConnector, SharedConnector};

/// How a client finds its service and signs its calls. Build one with [`Config::builder`]
/// or [`Config::from_env`]; a client made from it shares its connection pool among calls.
///
/// # Example
/// ```
/// use lamina_runtime::config::{Config, Credentials};
///
/// let config = Config::builder()
///     .region("eu-west-1")
///     .credentials(Credentials::new("AKIDEXAMPLE", "secret", None, None, "example"))
///     .endpoint_url("http://127.0.0.1:4566")
///     .build();
/// assert_eq!(config.region(), Some("eu-west-1"));
/// ```
#[derive(Clone)]
pub struct Config {
    region: Option<String>,
    credentials: Option<SharedCredentialsProvider>,
    endpoint_url: Option<String>,
    connector: SharedConnector,
    time_source: SharedTimeSource,
    retry: RetryConfig,
    retry_state: Arc<RetryState>,
    stack_edits: Vec<StackEdit>,
    custom_connector: bool,
    timeouts: TimeoutConfig,
    use_fips: bool,
    use_dual_stack: bool,
    env: Option<EnvLookup>,
    env_endpoints: Vec<(String, String)>,
    profile_endpoints: Vec<(String, String)>,
}

/// Where the configuration read its environment variables, kept for the ones that depend on
/// the service a client is for (`AWS_ENDPOINT_URL_<SERVICE>`).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Static credentials: an access key id, its secret and an optional session token.
pub use aws_credential_types::Credentials;

impl Config {
    /// A builder with nothing set: no region, no credentials, the default endpoint.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A configuration read from the process environment and the shared config and
    /// credentials files, in the order [`ConfigBuilder::from_env_with_profile`] describes.
    pub fn from_env() -> Self {
        ConfigBuilder::from_env().build()
    }

    /// The region calls are signed for and sent to.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Where the credentials come from, if anywhere.
    pub fn credentials_provider(&self) -> Option<&SharedCredentialsProvider> {
        self.credentials.as_ref()
    }

    /// The endpoint URL that replaces the service's default one, when set in code.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// The custom endpoint URL for the service with SDK id `sdk_id`: set in code, else
    /// `AWS_ENDPOINT_URL_<SDK_ID>` (upper case, spaces as `_`), else `AWS_ENDPOINT_URL`, else
    /// the profile's `services` section, else its `endpoint_url`.
    pub fn endpoint_url_for(&self, sdk_id: &str) -> Option<String> {
        let service = sdk_id.to_ascii_uppercase().replace(' ', "_");
        let find = |list: &[(String, String)], key: &str| {
            list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        };
        let service_var = || {
            let lookup = self.env.as_ref()?;
            lookup(&format!("AWS_ENDPOINT_URL_{service}")).filter(|v| !v.is_empty())
        };
        let (env, profile) = (&self.env_endpoints, &self.profile_endpoints);
        self.endpoint_url()
            .map(str::to_owned)
            .or_else(service_var)
            .or_else(|| find(env, ""))
            .or_else(|| find(profile, &service))
            .or_else(|| find(profile, ""))
    }

    /// Whether calls go to FIPS endpoints.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Whether calls go to dual-stack (IPv4 and IPv6) endpoints.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// The HTTP transport.
    pub fn connector(&self) -> &SharedConnector {
        &self.connector
    }

    /// The clock used for signing.
    pub fn time_source(&self) -> &SharedTimeSource {
        &self.time_source
    }

    /// How failed attempts are retried.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// The retry quota and adaptive rate that the calls of this configuration share.
    pub fn retry_state(&self) -> &Arc<RetryState> {
        &self.retry_state
    }

    /// How long each stage of a call may take.
    pub fn timeouts(&self) -> &TimeoutConfig {
        &self.timeouts
    }

    /// The stack changes applied to every call of the client.
    pub fn stack_edits(&self) -> &[StackEdit] {
        &self.stack_edits
    }

    /// A builder that starts from this configuration. The default transport is made anew
    /// when the builder is built, so that transport settings changed on it take effect; a
    /// transport set with [`ConfigBuilder::connector`] is kept.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            region: self.region.clone(),
            credentials: self.credentials.clone(),
            endpoint_url: self.endpoint_url.clone(),
            connector: self.custom_connector.then(|| self.connector.clone()),
            time_source: Some(self.time_source.clone()),
            retry: self.retry.clone(),
            stack_edits: self.stack_edits.clone(),
            timeouts: self.timeouts,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            env: self.env.clone(),
            env_endpoints: self.env_endpoints.clone(),
            profile_endpoints: self.profile_endpoints.clone(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "** set **"),
            )
            .field("endpoint_url", &self.endpoint_url)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("stack_edits", &self.stack_edits.len())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Config`].
#[derive(Default, Clone)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<SharedCredentialsProvider>,
    endpoint_url: Option<String>,
    connector: Option<SharedConnector>,
    time_source: Option<SharedTimeSource>,
    retry: RetryConfig,
    stack_edits: Vec<StackEdit>,
    timeouts: TimeoutConfig,
    use_fips: bool,
    use_dual_stack: bool,
    env: Option<EnvLookup>,
    env_endpoints: Vec<(String, String)>,
    profile_endpoints: Vec<(String, String)>,
}

impl ConfigBuilder {
    /// A builder filled from the process environment, as [`Config::from_env`] describes.
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// A builder filled from the variables `lookup` returns, for tests and embedding.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::from_env_with_profile(lookup, None)
    }

    /// A builder filled from the environment and the shared config and credentials files,
    /// with `profile` selected (else `AWS_PROFILE`, else `default`).
    ///
    /// Each setting comes from the first source that has it: for the region `AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, then the profile's `region`; for credentials the chain of
    /// [`DefaultChain`]; for the endpoint `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`,
    /// the profile's `services` section, then its `endpoint_url`; for FIPS, dual-stack,
    /// attempts and the retry mode the `AWS_` variables, then the profile. Nothing here
    /// touches the network.
    ///
    /// As in the AWS CLI, a `profile` given here (its `--profile`) makes the credentials
    /// come from that profile even when `AWS_ACCESS_KEY_ID` is set; a profile chosen by
    /// `AWS_PROFILE` does not, and the other settings keep their order either way.
    pub fn from_env_with_profile(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
        profile: Option<&str>,
    ) -> Self {
        let lookup: EnvLookup = Arc::new(lookup);
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let profiles = ProfileSet::load(&|name| var(name), profile);
        let from_profile = |key: &str| profiles.get(key).map(str::to_owned);
        let mut builder = Self {
            region: var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .or_else(|| from_profile("region")),
            ..Self::default()
        };

        let flag = |name: &str, key: &str| {
            var(name)
                .or_else(|| from_profile(key))
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        builder.use_fips = flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
        builder.use_dual_stack = flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");

        if let Some(url) = var("AWS_ENDPOINT_URL") {
            builder.env_endpoints.push((String::new(), url));
        }
        builder.env = Some(lookup.clone());
        for (service, url) in profiles.service_settings("endpoint_url") {
            let service = service.to_ascii_uppercase();
            builder.profile_endpoints.push((service, url.to_owned()));
        }
        if let Some(url) = from_profile("endpoint_url") {
            builder.profile_endpoints.push((String::new(), url));
        }

        let attempts = var("AWS_MAX_ATTEMPTS").or_else(|| from_profile("max_attempts"));
        match attempts.map(|v| v.trim().parse::<u32>()) {
            Some(Ok(attempts)) => builder = builder.max_attempts(attempts),
            Some(Err(e)) => tracing::warn!("max_attempts is not a whole number, ignored: {e}"),
            None => {}
        }
        let mode = var("AWS_RETRY_MODE").or_else(|| from_profile("retry_mode"));
        match mode.map(|v| v.parse::<RetryMode>()) {
            Some(Ok(mode)) => builder = builder.retry_mode(mode),
            Some(Err(e)) => tracing::warn!("retry_mode ignored: {e}"),
            None => {}
        }

        let keys = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"));
        builder = match keys {
            (Some(id), Some(secret)) if !profiles.is_explicit() => {
                let token = var("AWS_SESSION_TOKEN");
                builder.credentials(Credentials::new(id, secret, token, None, "environment"))
            }
            _ => builder.credentials(DefaultChain::new(&|name| var(name), profiles)),
        };
        builder
    }

    /// Sets the region calls are signed for and sent to.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the credentials, or any provider of them (such as one from `aws-config`).
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(SharedCredentialsProvider::new(provider));
        self
    }

    /// Sets an endpoint URL to use instead of the service's default one.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sends calls to FIPS endpoints.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.use_fips = on;
        self
    }

    /// Sends calls to dual-stack (IPv4 and IPv6) endpoints.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.use_dual_stack = on;
        self
    }

    /// Replaces the HTTP transport.
    pub fn connector(mut self, connector: impl HttpConnector + 'static) -> Self {
        self.connector = Some(Arc::new(connector));
        self
    }

    /// Replaces the clock used for signing.
    pub fn time_source(mut self, time_source: impl TimeSource) -> Self {
        self.time_source = Some(Arc::new(time_source));
        self
    }

    /// Sets how many times a call is tried in all (1 turns retries off).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.retry = self.retry.with_max_attempts(attempts);
        self
    }

    /// Replaces the retry settings.
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the retry mode: standard, or adaptive, which also slows the client down while
    /// it is throttled.
    pub fn retry_mode(mut self, mode: RetryMode) -> Self {
        self.retry = self.retry.with_mode(mode);
        self
    }

    /// Sets which failures are retried: [`RetryPolicy::InvocationSafe`] retries only those
    /// where the request cannot have run.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = self.retry.with_policy(policy);
        self
    }

    /// Sets how long to wait for a connection to open (default 3.1 s, as the AWS SDKs'
    /// standard defaults).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts = self.timeouts.with_connect(timeout);
        self
    }

    /// Sets how long to wait for the next bytes of a response (default 16 minutes, so that
    /// a 15-minute synchronous invocation is never cut).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts = self.timeouts.with_read(Some(timeout));
        self
    }

    /// Sets how long one attempt may take, from sending to the end of the response.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts = self.timeouts.with_attempt(Some(timeout));
        self
    }

    /// Sets how long a whole call may take, retries included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts = self.timeouts.with_operation(Some(timeout));
        self
    }

    /// Replaces all the timeouts.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Adds a change to every call's middleware stack: add, place or remove middleware.
    pub fn customize_stack(
        mut self,
        edit: impl Fn(&mut Stack) -> Result<(), StackError> + Send + Sync + 'static,
    ) -> Self {
        self.stack_edits.push(Arc::new(edit));
        self
    }

    /// The configuration. The default transport is created here, once for all calls.
    pub fn build(self) -> Config {
        let custom_connector = self.connector.is_some();
        let connector = self
            .connector
            .unwrap_or_else(|| Arc::new(ReqwestConnector::new(&self.timeouts)));

        Config {
            region: self.region,
            credentials: self.credentials,
            endpoint_url: self.endpoint_url,
            connector,
            time_source: self.time_source.unwrap_or_else(|| Arc::new(SystemClock)),
            retry: self.retry,
            retry_state: RetryState::new(),
            stack_edits: self.stack_edits,
            custom_connector,
            timeouts: self.timeouts,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            env: self.env,
            env_endpoints: self.env_endpoints,
            profile_endpoints: self.profile_endpoints,
        }
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_gives_region_and_credentials() {
        let env = |name: &str| match name {
            "AWS_DEFAULT_REGION" => Some("eu-north-1".to_owned()),
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("s3cr3t".to_owned()),
            "AWS_MAX_ATTEMPTS" => Some("5".to_owned()),
            _ => None,
        };
        let config = ConfigBuilder::from_env_with(env).build();

        assert_eq!(config.region(), Some("eu-north-1"));
        assert!(config.credentials_provider().is_some());
        assert_eq!(config.retry().max_attempts(), 5);
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn aws_region_wins_over_the_default_region() {
        let env = |name: &str| match name {
            "AWS_REGION" => Some("us-west-2".to_owned()),
            "AWS_DEFAULT_REGION" => Some("eu-north-1".to_owned()),
            _ => None,
        };
        let config = ConfigBuilder::from_env_with(env).build();

        assert_eq!(config.region(), Some("us-west-2"));
        assert!(
            config.credentials_provider().is_some(),
            "without keys in the environment the default chain is used"
        );
    }

    #[tokio::test]
    async fn an_explicit_profile_is_not_overruled_by_environment_keys() {
        let env = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("AKIDENV".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("s".to_owned()),
            "AWS_EC2_METADATA_DISABLED" => Some("true".to_owned()),
            "AWS_CONFIG_FILE" | "AWS_SHARED_CREDENTIALS_FILE" => Some("/nonexistent".to_owned()),
            _ => None,
        };

        let implicit = ConfigBuilder::from_env_with_profile(env, None).build();
        let explicit = ConfigBuilder::from_env_with_profile(env, Some("ci")).build();

        let key = implicit.credentials_provider().unwrap();
        let key = key.provide_credentials().await.unwrap();
        assert_eq!(key.access_key_id(), "AKIDENV");
        let err = explicit.credentials_provider().unwrap();
        let err = err.provide_credentials().await.unwrap_err();
        let text = std::error::Error::source(&err)
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            text.contains("profile `ci` was chosen explicitly"),
            "{text}"
        );
    }
}
