//! Endpoints from the model's rule set and the project's partition data, checked region by
//! region against AWS's published partition data: every partition, every FIPS and dual-stack
//! combination, regions that are listed and regions that only match a partition's pattern,
//! custom endpoints and the rule set's errors.

use std::path::PathBuf;

use lamina::config::Credentials;
use lamina::Config;
use lamina_e2e::server::{Reply, TestServer};
use lamina_runtime::endpoint::rules::{Params, RuleError, RuleSet};
use lamina_runtime::endpoint::{partition, resolve};
use serde_json::Value;

fn reference() -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/sdk-partitions.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).unwrap()),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have {}",
                path.display()
            );
            let why = format!(
                "endpoint tables: AWS's partition data is not at {}",
                path.display()
            );
            lamina_e2e::moto::say_skipped(&why);
            None
        }
    }
}

fn rules() -> RuleSet {
    RuleSet::parse(lamina::SERVICE.endpoint_rules.expect("the model has rules")).unwrap()
}

fn url(config: Config) -> Result<String, String> {
    resolve(&config, &lamina::SERVICE, Some(&rules()))
        .map(|uri| uri.to_string())
        .map_err(|e| e.to_string())
}

fn config(region: &str, fips: bool, dual: bool) -> Config {
    Config::builder()
        .region(region)
        .use_fips(fips)
        .use_dual_stack(dual)
        .build()
}

/// What AWS's data says the endpoint is, written from the partition outputs, not the rules.
fn expected(outputs: &Value, region: &str, fips: bool, dual: bool) -> Result<String, String> {
    let supports = |key: &str| outputs[key].as_bool() == Some(true);
    if fips && !supports("supportsFIPS") || dual && !supports("supportsDualStack") {
        return Err("does not support".into());
    }
    let host = if fips { "lambda-fips" } else { "lambda" };
    let suffix = if dual {
        outputs["dualStackDnsSuffix"].as_str().unwrap()
    } else {
        outputs["dnsSuffix"].as_str().unwrap()
    };
    Ok(format!("https://{host}.{region}.{suffix}/"))
}

#[test]
fn every_listed_region_of_every_partition_in_every_mode() {
    let Some(data) = reference() else { return };
    let mut checked = 0;

    for part in data["partitions"].as_array().unwrap() {
        for region in part["regions"].as_object().unwrap().keys() {
            for (fips, dual) in [(false, false), (true, false), (false, true), (true, true)] {
                let want = expected(&part["outputs"], region, fips, dual);
                let got = url(config(region, fips, dual));
                match (&want, &got) {
                    (Ok(w), Ok(g)) => assert_eq!(g, w, "{region} fips={fips} dual={dual}"),
                    (Err(_), Err(message)) => assert!(message.contains("does not support")),
                    _ => panic!("{region} fips={fips} dual={dual}: want {want:?}, got {got:?}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "{checked}");
}

#[test]
fn unlisted_regions_follow_their_partition_pattern_or_fall_back_to_aws() {
    let Some(data) = reference() else { return };
    let outputs_of = |id: &str| {
        data["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| p["outputs"].clone())
            .unwrap()
    };
    let cases = [
        ("us-east-9", "aws"),
        ("cn-south-7", "aws-cn"),
        ("us-gov-central-3", "aws-us-gov"),
        ("us-iso-north-4", "aws-iso"),
        ("us-isob-west-2", "aws-iso-b"),
        ("eu-isoe-north-2", "aws-iso-e"),
        ("us-isof-east-3", "aws-iso-f"),
        ("eusc-de-west-2", "aws-eusc"),
        ("moon-base-1", "aws"),
    ];
    for (region, partition_name) in cases {
        assert_eq!(
            partition::partition_of(region).unwrap().name(),
            partition_name,
            "{region}"
        );
        for (fips, dual) in [(false, false), (true, false), (false, true), (true, true)] {
            let want = expected(&outputs_of(partition_name), region, fips, dual);
            assert_eq!(url(config(region, fips, dual)), want, "{region}");
        }
    }
}

#[test]
fn the_project_partition_table_agrees_with_aws() {
    let Some(data) = reference() else { return };
    let ours = partition::partitions();

    let theirs = data["partitions"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len());
    for part in theirs {
        let id = part["id"].as_str().unwrap();
        let mine = ours
            .iter()
            .find(|p| p.name() == id)
            .unwrap_or_else(|| panic!("{id}"));
        for (key, value) in part["outputs"].as_object().unwrap() {
            assert_eq!(&mine.outputs()[key], value, "{id} {key}");
        }
        for region in part["regions"].as_object().unwrap().keys() {
            assert_eq!(
                partition::partition_of(region).map(|p| p.name()),
                Some(id),
                "{region}"
            );
        }
    }
}

#[test]
fn custom_endpoints_and_the_rule_sets_own_errors() {
    let custom = Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9000/base");
    assert_eq!(
        url(custom.clone().build()).unwrap(),
        "http://127.0.0.1:9000/base"
    );

    let fips = url(custom.clone().use_fips(true).build()).unwrap_err();
    assert!(
        fips.contains("FIPS and custom endpoint are not supported"),
        "{fips}"
    );
    let dual = url(custom.use_dual_stack(true).build()).unwrap_err();
    assert!(
        dual.contains("Dualstack and custom endpoint are not supported"),
        "{dual}"
    );

    let no_region = url(Config::builder().build()).unwrap_err();
    assert!(
        no_region.contains("region") && no_region.contains("AWS_REGION"),
        "{no_region}"
    );
}

#[test]
fn regions_that_would_change_the_host_are_refused_before_the_rules_run() {
    for bad in [
        "us-east-1/x",
        "us-east-1#",
        "us east 1",
        "us-east-1.evil.com",
        "a?b",
    ] {
        let err = url(config(bad, false, false)).unwrap_err();
        assert!(err.contains("not a valid region name"), "{bad}: {err}");
    }
}

#[test]
fn endpoint_variables_are_read_service_first() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let both = lamina::ConfigBuilder::from_env_with(env(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:2"),
    ]));
    let global = lamina::ConfigBuilder::from_env_with(env(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
    ]));
    let fips = lamina::ConfigBuilder::from_env_with(env(&[
        ("AWS_REGION", "us-west-2"),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
    ]));

    assert_eq!(url(both.clone().build()).unwrap(), "http://127.0.0.1:2/");
    assert_eq!(url(global.build()).unwrap(), "http://127.0.0.1:1/");
    assert_eq!(
        url(both.endpoint_url("http://127.0.0.1:3").build()).unwrap(),
        "http://127.0.0.1:3/"
    );
    assert_eq!(
        url(fips.build()).unwrap(),
        "https://lambda-fips.us-west-2.api.aws/"
    );
}

/// Partitions AWS does not have: one without FIPS or dual-stack, one with FIPS only, one with
/// dual-stack only.
const LAB_PARTITIONS: &str = r#"{"partitions": [
    {"name": "lab", "region_pattern": "^lab-\\w+-\\d+$", "regions": ["lab-east-1"],
     "dns_suffix": "lab.example", "dual_stack_dns_suffix": "dual.lab.example",
     "supports_fips": false, "supports_dual_stack": false},
    {"name": "lab-fips", "region_pattern": "^labf-\\w+-\\d+$", "regions": ["labf-east-1"],
     "dns_suffix": "labf.example", "dual_stack_dns_suffix": "dual.labf.example",
     "supports_fips": true, "supports_dual_stack": false},
    {"name": "lab-dual", "region_pattern": "^labd-\\w+-\\d+$", "regions": ["labd-east-1"],
     "dns_suffix": "labd.example", "dual_stack_dns_suffix": "dual.labd.example",
     "supports_fips": false, "supports_dual_stack": true}
]}"#;

#[test]
fn partitions_without_fips_or_dual_stack_get_the_rule_sets_own_errors() {
    let table = partition::parse(LAB_PARTITIONS).unwrap();
    let rules = rules();
    let resolve = |region: &str, fips: bool, dual: bool| {
        let params = Params::new()
            .region(region)
            .use_fips(fips)
            .use_dual_stack(dual);
        rules.resolve_with(&table, &params)
    };
    let refused = |message: &str| Err(RuleError::Rule(message.to_owned()));
    let no_fips = "FIPS is enabled but this partition does not support FIPS";
    let no_dual = "DualStack is enabled but this partition does not support DualStack";
    let not_both =
        "FIPS and DualStack are enabled, but this partition does not support one or both";

    // Listed regions, then unlisted ones that only match the pattern.
    for (neither, fips_only, dual_only) in [
        ("lab-east-1", "labf-east-1", "labd-east-1"),
        ("lab-west-9", "labf-south-4", "labd-north-2"),
    ] {
        let plain = format!("https://lambda.{neither}.lab.example");
        assert_eq!(resolve(neither, false, false), Ok(plain));
        assert_eq!(resolve(neither, true, false), refused(no_fips), "{neither}");
        assert_eq!(resolve(neither, false, true), refused(no_dual), "{neither}");
        assert_eq!(resolve(neither, true, true), refused(not_both), "{neither}");

        let fips = format!("https://lambda-fips.{fips_only}.labf.example");
        assert_eq!(resolve(fips_only, true, false), Ok(fips));
        assert_eq!(
            resolve(fips_only, false, true),
            refused(no_dual),
            "{fips_only}"
        );
        assert_eq!(
            resolve(fips_only, true, true),
            refused(not_both),
            "{fips_only}"
        );

        let dual = format!("https://lambda.{dual_only}.dual.labd.example");
        assert_eq!(resolve(dual_only, false, true), Ok(dual));
        assert_eq!(
            resolve(dual_only, true, false),
            refused(no_fips),
            "{dual_only}"
        );
        assert_eq!(
            resolve(dual_only, true, true),
            refused(not_both),
            "{dual_only}"
        );
    }

    assert_eq!(
        rules.resolve(&Params::new().region("lab-east-1")),
        Ok("https://lambda.lab-east-1.amazonaws.com".to_owned()),
        "the default table is unchanged: an unknown region falls back to aws"
    );
}

#[test]
fn a_partition_table_that_is_not_valid_is_refused_with_the_reason() {
    let cases = [
        ("not json", "not JSON"),
        (r#"{"partition": []}"#, "no `partitions` list"),
        (
            r#"{"partitions": [{"dns_suffix": "x"}]}"#,
            "partition 0 has no `name`",
        ),
        (
            r#"{"partitions": [{"name": "p", "region_pattern": "(unclosed"}]}"#,
            "the region_pattern of `p` is not a regular expression",
        ),
    ];
    for (text, reason) in cases {
        let err = partition::parse(text).unwrap_err().to_string();
        assert!(
            err.starts_with("the partition table is not valid") && err.contains(reason),
            "{text}: {err}"
        );
    }
}

#[tokio::test]
async fn a_custom_endpoint_without_a_region_names_every_way_to_set_one() {
    let server = TestServer::start(|_| Reply::new(200, "{}")).await;
    let credentials = Credentials::new("AKIDTEST", "s", None, None, "test");
    let config = Config::builder()
        .endpoint_url(server.url())
        .credentials(credentials)
        .build();
    let client = lamina::Client::from_conf(config);

    let err = client.invoke().function_name("f").send().await.unwrap_err();
    let signing = err.to_string();
    let rules = url(Config::builder().build()).unwrap_err();

    let ways = [
        "region is not set",
        "pass it in the configuration",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "`region` in the profile",
        "--region",
    ];
    for way in ways {
        assert!(signing.contains(way), "{way} missing from: {signing}");
        assert!(rules.contains(way), "{way} missing from: {rules}");
    }
    assert!(
        server.requests().is_empty(),
        "nothing is sent without a region"
    );
}
