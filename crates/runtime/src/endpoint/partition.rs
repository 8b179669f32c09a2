//! AWS partitions, for the endpoint rules' `aws.partition` function.

use std::sync::OnceLock;

use regex_lite::Regex;
use serde_json::{json, Value};

/// The partition table, from the project's own `partitions.json`.
const PARTITIONS_JSON: &str = include_str!("partitions.json");

/// One partition: its regions and the facts endpoint rules read about it.
#[derive(Debug)]
pub struct Partition {
    name: String,
    pattern: Option<Regex>,
    regions: Vec<String>,
    outputs: Value,
}

impl Partition {
    /// The partition's name, such as `aws-cn`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What `aws.partition` returns for it: `name`, `dnsSuffix`, `dualStackDnsSuffix`,
    /// `supportsFIPS`, `supportsDualStack` and `implicitGlobalRegion`.
    pub fn outputs(&self) -> &Value {
        &self.outputs
    }
}

/// Every partition, parsed once.
pub fn partitions() -> &'static [Partition] {
    static TABLE: OnceLock<Vec<Partition>> = OnceLock::new();
    TABLE.get_or_init(|| parse(PARTITIONS_JSON))
}

fn parse(text: &str) -> Vec<Partition> {
    let table: Value = serde_json::from_str(text).unwrap_or_default();
    let entries = table["partitions"].as_array().cloned().unwrap_or_default();
    entries
        .iter()
        .map(|p| {
            let text = |key: &str| p[key].as_str().unwrap_or_default().to_owned();
            let flag = |key: &str| p[key].as_bool().unwrap_or_default();
            Partition {
                name: text("name"),
                pattern: Regex::new(p["region_pattern"].as_str().unwrap_or("^$")).ok(),
                regions: p["regions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect(),
                outputs: json!({
                    "name": text("name"),
                    "dnsSuffix": text("dns_suffix"),
                    "dualStackDnsSuffix": text("dual_stack_dns_suffix"),
                    "supportsFIPS": flag("supports_fips"),
                    "supportsDualStack": flag("supports_dual_stack"),
                    "implicitGlobalRegion": text("implicit_global_region"),
                }),
            }
        })
        .collect()
}

/// The partition of `region`: the one that lists it, else the first whose pattern matches it,
/// else `aws`, as the AWS SDKs decide.
///
/// # Example
/// ```
/// use lamina_runtime::endpoint::partition::partition_of;
/// assert_eq!(partition_of("cn-north-1").unwrap().name(), "aws-cn");
/// assert_eq!(partition_of("us-gov-east-9").unwrap().name(), "aws-us-gov");
/// assert_eq!(partition_of("mars-west-1").unwrap().name(), "aws");
/// ```
pub fn partition_of(region: &str) -> Option<&'static Partition> {
    let all = partitions();
    all.iter()
        .find(|p| p.regions.iter().any(|r| r == region))
        .or_else(|| {
            all.iter()
                .find(|p| p.pattern.as_ref().is_some_and(|re| re.is_match(region)))
        })
        .or_else(|| all.iter().find(|p| p.name == "aws"))
}
