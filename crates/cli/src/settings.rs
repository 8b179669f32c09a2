//! The global flags that configure the client: where calls go, and how they are retried and
//! timed out. Each flag wins over the environment and the shared config files.

use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use lamina::config::{RetryMode, RetryPolicy};

/// Adds the global flags to `command`.
pub(crate) fn flags(command: Command) -> Command {
    let global = |arg: Arg| arg.global(true);
    command
        .arg(global(
            Arg::new("region")
                .long("region")
                .help("The region (else AWS_REGION or AWS_DEFAULT_REGION)"),
        ))
        .arg(global(Arg::new("endpoint-url").long("endpoint-url").help(
            "An endpoint URL to use instead of the region's Lambda endpoint",
        )))
        .arg(global(Arg::new("profile").long("profile").help(
            "The profile of the shared config files (else AWS_PROFILE); its credentials win \
             over AWS_ACCESS_KEY_ID",
        )))
        .arg(global(
            Arg::new("use-fips")
                .long("use-fips")
                .action(ArgAction::SetTrue)
                .help("Use FIPS endpoints (else AWS_USE_FIPS_ENDPOINT)"),
        ))
        .arg(global(
            Arg::new("use-dual-stack")
                .long("use-dual-stack")
                .action(ArgAction::SetTrue)
                .help("Use dual-stack endpoints (else AWS_USE_DUALSTACK_ENDPOINT)"),
        ))
        .arg(global(
            Arg::new("max-attempts")
                .long("max-attempts")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..))
                .help("Attempts per call, the first included (else AWS_MAX_ATTEMPTS; default 3)"),
        ))
        .arg(global(
            Arg::new("retry-mode")
                .long("retry-mode")
                .value_parser(["standard", "adaptive"])
                .help("standard, or adaptive to slow down while throttled (else AWS_RETRY_MODE)"),
        ))
        .arg(global(
            Arg::new("invocation-safe")
                .long("invocation-safe")
                .action(ArgAction::SetTrue)
                .help("Retry only failures where the function cannot have run"),
        ))
        .arg(global(
            Arg::new("connect-timeout")
                .long("connect-timeout")
                .value_name("SECONDS")
                .value_parser(seconds)
                .help("How long opening a connection may take (default 3.1)"),
        ))
        .arg(global(
            Arg::new("read-timeout")
                .long("read-timeout")
                .value_name("SECONDS")
                .value_parser(seconds)
                .help("How long to wait for response bytes (default 960, over Lambda's 900)"),
        ))
}

/// A client configured from the environment, the shared files and the global flags.
pub(crate) fn client(args: &ArgMatches) -> lamina::Client {
    let profile = args.get_one::<String>("profile").map(String::as_str);
    let mut config =
        lamina::ConfigBuilder::from_env_with_profile(|name| std::env::var(name).ok(), profile);

    if let Some(region) = args.get_one::<String>("region") {
        config = config.region(region);
    }
    if let Some(url) = args.get_one::<String>("endpoint-url") {
        config = config.endpoint_url(url);
    }
    if args.get_flag("use-fips") {
        config = config.use_fips(true);
    }
    if args.get_flag("use-dual-stack") {
        config = config.use_dual_stack(true);
    }

    if let Some(attempts) = args.get_one::<u32>("max-attempts") {
        config = config.max_attempts(*attempts);
    }
    if let Some(mode) = args.get_one::<String>("retry-mode") {
        let mode = mode.parse::<RetryMode>().unwrap_or_default();
        config = config.retry_mode(mode);
    }
    if args.get_flag("invocation-safe") {
        config = config.retry_policy(RetryPolicy::InvocationSafe);
    }
    if let Some(limit) = args.get_one::<Duration>("connect-timeout") {
        config = config.connect_timeout(*limit);
    }
    if let Some(limit) = args.get_one::<Duration>("read-timeout") {
        config = config.read_timeout(*limit);
    }

    lamina::Client::from_conf(config.build())
}

/// A positive number of seconds, such as `2` or `0.5`.
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(value.is_finite() && value > 0.0 && value < 1e9) {
        return Err(format!("`{text}` must be a positive number of seconds"));
    }
    Ok(Duration::from_secs_f64(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_must_be_positive_numbers() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert!(seconds("0").unwrap_err().contains("positive"));
        assert!(seconds("soon").unwrap_err().contains("`soon`"));
        assert!(seconds("inf").is_err());
    }
}
