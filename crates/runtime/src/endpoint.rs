//! Where a call is sent: the configured endpoint URL, else the service's regional host.

use http::uri::{PathAndQuery, Uri};

use crate::config::Config;
use crate::error::ConstructionFailure;
use crate::service::ServiceInfo;

/// The base URL for calls to `service` with `config`.
///
/// An explicit endpoint URL wins; otherwise it is
/// `https://{endpoint_prefix}.{region}.amazonaws.com`.
///
/// # Example
/// ```
/// use lamina_runtime::config::Config;
/// use lamina_runtime::endpoint::resolve;
/// use lamina_runtime::service::ServiceInfo;
///
/// static SVC: ServiceInfo = ServiceInfo {
///     sdk_id: "Lambda", api_version: "2015-03-31", signing_name: "lambda",
///     endpoint_prefix: "lambda",
/// };
/// let config = Config::builder().region("eu-west-1").build();
/// assert_eq!(resolve(&config, &SVC).unwrap(), "https://lambda.eu-west-1.amazonaws.com/");
/// ```
pub fn resolve(config: &Config, service: &ServiceInfo) -> Result<Uri, ConstructionFailure> {
    if let Some(url) = config.endpoint_url() {
        return parse_endpoint_url(url);
    }

    let region = check_region(config.region())?;
    let url = format!("https://{}.{region}.amazonaws.com", service.endpoint_prefix);
    parse_endpoint_url(&url)
}

/// The region, if it is set and can safely stand in a host name.
pub fn check_region(region: Option<&str>) -> Result<&str, ConstructionFailure> {
    let region = region.ok_or_else(|| {
        ConstructionFailure::invalid_field(
            "region",
            "is not set: pass it in the configuration or set AWS_REGION",
        )
    })?;

    let valid_label = !region.is_empty()
        && region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if !valid_label {
        return Err(ConstructionFailure::invalid_field(
            "region",
            format!(
                "`{}` is not a valid region name: use only letters, digits and inner hyphens",
                region.escape_debug()
            ),
        ));
    }
    Ok(region)
}

/// Puts the request's path and query after the endpoint's scheme, host and base path.
pub fn join(base: &Uri, request: &Uri) -> Result<Uri, ConstructionFailure> {
    let base_path = base.path().trim_end_matches('/');
    let request_path = request.path_and_query().map_or("/", PathAndQuery::as_str);
    let path = format!("{base_path}{request_path}");

    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(path.parse().map_err(|e| {
        ConstructionFailure::other(
            format!("`{path}` is not a valid request path"),
            Some(Box::new(e)),
        )
    })?);
    Uri::from_parts(parts).map_err(|e| {
        ConstructionFailure::other("the endpoint URL could not be joined", Some(e.into()))
    })
}

fn parse_endpoint_url(url: &str) -> Result<Uri, ConstructionFailure> {
    let invalid =
        |rule: &str| ConstructionFailure::invalid_field("endpoint URL", format!("`{url}` {rule}"));
    let uri: Uri = url.parse().map_err(|_| invalid("is not a URL"))?;

    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(invalid("must start with http:// or https://")),
    }
    if uri.authority().is_none() {
        return Err(invalid("has no host"));
    }
    if uri.query().is_some() {
        return Err(invalid("must not have a query"));
    }

    let mut parts = uri.into_parts();
    if parts.path_and_query.is_none() {
        parts.path_and_query = Some(PathAndQuery::from_static("/"));
    }
    Uri::from_parts(parts).map_err(|_| invalid("is not a URL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_that_could_change_the_host_are_refused() {
        for bad in [
            "us-east-1/x",
            "us-east-1#",
            "a?b",
            "with space",
            "dots.in.it",
            "",
            "-x",
        ] {
            let err = check_region(Some(bad)).unwrap_err();
            assert_eq!(err.field(), Some("region"), "{bad}");
        }
        assert_eq!(
            check_region(Some("us-gov-west-1")).unwrap(),
            "us-gov-west-1"
        );
        assert!(check_region(None)
            .unwrap_err()
            .to_string()
            .contains("AWS_REGION"));
    }

    #[test]
    fn joining_keeps_a_base_path_and_the_request_query() {
        let base = parse_endpoint_url("http://127.0.0.1:9000/prefix/").unwrap();
        let request: Uri = "/2015-03-31/functions/f/invocations?Qualifier=1"
            .parse()
            .unwrap();

        let joined = join(&base, &request).unwrap();

        assert_eq!(
            joined.to_string(),
            "http://127.0.0.1:9000/prefix/2015-03-31/functions/f/invocations?Qualifier=1"
        );
    }

    #[test]
    fn endpoint_urls_must_be_http() {
        assert!(parse_endpoint_url("ftp://host").is_err());
        assert!(parse_endpoint_url("not a url").is_err());
        assert!(parse_endpoint_url("http://host?x=1").is_err());
        assert_eq!(
            parse_endpoint_url("http://host:1").unwrap().to_string(),
            "http://host:1/"
        );
    }
}
