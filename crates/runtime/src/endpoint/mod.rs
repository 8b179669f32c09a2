//! Where a call is sent: the configured endpoint URL, else the service's regional host.

pub mod partition;
pub mod rules;

use http::uri::{PathAndQuery, Uri};
use rules::{Params, RuleError, RuleSet};

use crate::config::Config;
use crate::error::ConstructionFailure;
use crate::service::ServiceInfo;

/// The base URL for calls to `service` with `config`.
///
/// A custom endpoint URL (set in code, or by `AWS_ENDPOINT_URL_<SERVICE>` or
/// `AWS_ENDPOINT_URL`) and the region, FIPS and dual-stack settings go through the service's
/// endpoint rules when it has them; without rules the URL is the custom one, else
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
///     endpoint_prefix: "lambda", endpoint_rules: None,
/// };
/// let config = Config::builder().region("eu-west-1").build();
/// let url = resolve(&config, &SVC, None).unwrap();
/// assert_eq!(url, "https://lambda.eu-west-1.amazonaws.com/");
/// ```
pub fn resolve(
    config: &Config,
    service: &ServiceInfo,
    rules: Option<&RuleSet>,
) -> Result<Uri, ConstructionFailure> {
    let custom = config.endpoint_url_for(service.sdk_id);
    let custom = custom.as_deref();
    if let Some(region) = config.region() {
        check_region(Some(region))?;
    }

    let Some(rules) = rules else {
        if let Some(url) = custom {
            return parse_endpoint_url(url);
        }
        let region = check_region(config.region())?;
        let url = format!("https://{}.{region}.amazonaws.com", service.endpoint_prefix);
        return parse_endpoint_url(&url);
    };

    let mut params = Params::new()
        .use_fips(config.use_fips())
        .use_dual_stack(config.use_dual_stack());
    if let Some(region) = config.region() {
        params = params.region(region);
    }
    if let Some(url) = custom {
        parse_endpoint_url(url)?;
        params = params.endpoint(url);
    }
    let url = rules.resolve(&params).map_err(|e| match e {
        RuleError::Rule(message) if config.region().is_none() && custom.is_none() => {
            ConstructionFailure::invalid_field(
                "region",
                format!("is not set ({message}): {SET_REGION}"),
            )
        }
        RuleError::Rule(message) => {
            ConstructionFailure::other(format!("the endpoint rules refused: {message}"), None)
        }
        other => {
            ConstructionFailure::other("the endpoint could not be resolved", Some(other.into()))
        }
    })?;
    parse_endpoint_url(&url)
}

/// Every way to set the region, for the errors that say it is missing.
const SET_REGION: &str = "pass it in the configuration, set AWS_REGION or AWS_DEFAULT_REGION, \
                          set `region` in the profile, or give the lamina CLI --region";

/// The region, if it is set and can safely stand in a host name.
pub fn check_region(region: Option<&str>) -> Result<&str, ConstructionFailure> {
    let region = region.ok_or_else(|| {
        ConstructionFailure::invalid_field("region", format!("is not set: {SET_REGION}"))
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
///
/// # Example
/// ```
/// use lamina_runtime::endpoint::join;
/// let base = "https://lambda.eu-west-1.amazonaws.com/".parse().unwrap();
/// let request = "/2015-03-31/functions/f/invocations".parse().unwrap();
/// let uri = join(&base, request).unwrap();
/// assert_eq!(uri, "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/f/invocations");
/// ```
pub fn join(base: &Uri, request: Uri) -> Result<Uri, ConstructionFailure> {
    let base_path = base.path().trim_end_matches('/');
    let mut parts = base.clone().into_parts();
    parts.path_and_query = match request.into_parts().path_and_query {
        Some(request_path) if base_path.is_empty() => Some(request_path),
        request_path => {
            let request_path = request_path.as_ref().map_or("/", PathAndQuery::as_str);
            let path = format!("{base_path}{request_path}");
            Some(path.parse().map_err(|e| {
                ConstructionFailure::other(
                    format!("`{path}` is not a valid request path"),
                    Some(Box::new(e)),
                )
            })?)
        }
    };
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
        let missing = check_region(None).unwrap_err().to_string();
        for way in [
            "configuration",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "profile",
            "--region",
        ] {
            assert!(missing.contains(way), "{way} missing from: {missing}");
        }
    }

    #[test]
    fn joining_keeps_a_base_path_and_the_request_query() {
        let base = parse_endpoint_url("http://127.0.0.1:9000/prefix/").unwrap();
        let request: Uri = "/2015-03-31/functions/f/invocations?Qualifier=1"
            .parse()
            .unwrap();

        let joined = join(&base, request).unwrap();

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
