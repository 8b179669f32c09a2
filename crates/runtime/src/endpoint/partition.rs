//! AWS partitions, for the endpoint rules' `aws.partition` function.

use std::sync::OnceLock;

use crate::validate::Pattern;
use serde_json::{json, Value};

/// The partition table, from the project's own `partitions.json`.
const PARTITIONS_JSON: &str = include_str!("partitions.json");

/// One partition: its regions and the facts endpoint rules read about it.
#[derive(Debug)]
pub struct Partition {
    name: String,
    pattern: Option<Pattern>,
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

/// Every partition of the project's table, parsed once.
pub fn partitions() -> &'static [Partition] {
    static TABLE: OnceLock<Vec<Partition>> = OnceLock::new();
    TABLE.get_or_init(|| parse(PARTITIONS_JSON).unwrap_or_default())
}

/// Why a partition table could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionError(String);

impl std::fmt::Display for PartitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the partition table is not valid: {}", self.0)
    }
}

impl std::error::Error for PartitionError {}

/// Parses a partition table written as the project's `partitions.json` is: a `partitions`
/// list whose entries have `name`, `region_pattern`, `regions`, `dns_suffix`,
/// `dual_stack_dns_suffix`, `supports_fips`, `supports_dual_stack` and
/// `implicit_global_region`. A missing fact reads as empty text or `false`.
///
/// # Example
/// ```
/// use lamina_runtime::endpoint::partition::{parse, partition_in};
/// let table = parse(r#"{"partitions": [{"name": "lab", "region_pattern": "^lab-\\d+$",
///     "dns_suffix": "lab.example", "supports_fips": false}]}"#).unwrap();
/// let lab = partition_in(&table, "lab-7").unwrap();
/// assert_eq!(lab.outputs()["supportsFIPS"], false);
/// ```
pub fn parse(text: &str) -> Result<Vec<Partition>, PartitionError> {
    let table: Value =
        serde_json::from_str(text).map_err(|e| PartitionError(format!("not JSON: {e}")))?;
    let entries = table["partitions"]
        .as_array()
        .ok_or_else(|| PartitionError("it has no `partitions` list".into()))?;

    let mut partitions = Vec::with_capacity(entries.len());
    for (index, p) in entries.iter().enumerate() {
        let text = |key: &str| p[key].as_str().unwrap_or_default().to_owned();
        let flag = |key: &str| p[key].as_bool().unwrap_or_default();
        let name = text("name");
        if name.is_empty() {
            return Err(PartitionError(format!("partition {index} has no `name`")));
        }
        let pattern = match p["region_pattern"].as_str() {
            Some(pattern) => Some(Pattern::new(pattern).ok_or_else(|| {
                PartitionError(format!(
                    "the region_pattern of `{name}` is not a regular expression this client \
                     can match: {pattern}"
                ))
            })?),
            None => None,
        };

        partitions.push(Partition {
            pattern,
            regions: p["regions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect(),
            outputs: json!({
                "name": name,
                "dnsSuffix": text("dns_suffix"),
                "dualStackDnsSuffix": text("dual_stack_dns_suffix"),
                "supportsFIPS": flag("supports_fips"),
                "supportsDualStack": flag("supports_dual_stack"),
                "implicitGlobalRegion": text("implicit_global_region"),
            }),
            name,
        });
    }
    Ok(partitions)
}

/// The partition of `region` in the project's table, as [`partition_in`] decides.
///
/// # Example
/// ```
/// use lamina_runtime::endpoint::partition::partition_of;
/// assert_eq!(partition_of("cn-north-1").unwrap().name(), "aws-cn");
/// assert_eq!(partition_of("us-gov-east-9").unwrap().name(), "aws-us-gov");
/// assert_eq!(partition_of("mars-west-1").unwrap().name(), "aws");
/// ```
pub fn partition_of(region: &str) -> Option<&'static Partition> {
    partition_in(partitions(), region)
}

/// The partition of `region` in `table`: the one that lists it, else the first whose pattern
/// matches it, else `aws`, as the AWS SDKs decide.
pub fn partition_in<'a>(table: &'a [Partition], region: &str) -> Option<&'a Partition> {
    table
        .iter()
        .find(|p| p.regions.iter().any(|r| r == region))
        .or_else(|| {
            table
                .iter()
                .find(|p| p.pattern.as_ref().is_some_and(|re| re.is_match(region)))
        })
        .or_else(|| table.iter().find(|p| p.name == "aws"))
}
