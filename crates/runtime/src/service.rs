//! The facts about a service that its model states and every call needs.

/// A service's identity, as its model's `aws.api#service` and `aws.auth#sigv4` traits give it.
///
/// Generated clients hold one as a constant.
///
/// # Example
/// ```
/// use lamina_runtime::service::ServiceInfo;
/// const EXAMPLE: ServiceInfo = ServiceInfo {
///     sdk_id: "Example",
///     api_version: "2020-01-01",
///     signing_name: "example",
///     endpoint_prefix: "example",
///     endpoint_rules: None,
/// };
/// assert_eq!(EXAMPLE.signing_name, "example");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// The SDK id, such as `Lambda`, as named in the user agent.
    pub sdk_id: &'static str,
    /// The API version, such as `2015-03-31`.
    pub api_version: &'static str,
    /// The name requests are signed for with SigV4.
    pub signing_name: &'static str,
    /// The first label of the service's default host name.
    pub endpoint_prefix: &'static str,
    /// The model's endpoint rule set, as JSON, when it has one.
    pub endpoint_rules: Option<&'static str>,
}
