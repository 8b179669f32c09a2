//! Endpoints from the model's rule set and the project's partition data, checked region by
//! region against AWS's published partition data: every partition, every FIPS and dual-stack
//! combination, regions that are listed and regions that only match a partition's pattern,
//! custom endpoints and the rule set's errors.

use std::path::PathBuf;

use lamina::Config;
use lamina_runtime::endpoint::rules::RuleSet;
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
        for (fips, dual) in [(false, false), (true, true)] {
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
