//! An evaluator for Smithy endpoint rule sets (`smithy.rules#endpointRuleSet`).
//!
//! The rules are data: trees of conditions ending in an endpoint or an error. Conditions call
//! the standard library functions (`isSet`, `not`, `booleanEquals`, `stringEquals`,
//! `getAttr`, `substring`, `uriEncode`, `isValidHostLabel`, `parseURL`) and AWS's
//! (`aws.partition`); strings are templates such as `https://lambda.{Region}.{P#dnsSuffix}`.

use std::fmt;

use serde_json::{json, Map, Value};

use super::partition::{partition_in, partitions, Partition};

/// A parsed rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    parameters: Map<String, Value>,
    rules: Vec<Value>,
}

/// Why a rule set gave no endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// A rule said the configuration is not valid; the text is the rule set's own.
    Rule(String),
    /// The rule set itself is malformed or uses something this evaluator lacks.
    Invalid(String),
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::Rule(message) => f.write_str(message),
            RuleError::Invalid(message) => {
                write!(f, "the endpoint rules cannot be used: {message}")
            }
        }
    }
}

impl std::error::Error for RuleError {}

/// The inputs of a rule set, by the built-ins they stand for.
///
/// # Example
/// ```
/// use lamina_runtime::endpoint::rules::{Params, RuleSet};
/// let rules = RuleSet::parse(r#"{"parameters": {"Region": {"builtIn": "AWS::Region"}},
///     "rules": [{"conditions": [], "type": "endpoint",
///                "endpoint": {"url": "https://svc.{Region}.example"}}]}"#).unwrap();
/// let url = rules.resolve(&Params::new().region("eu-west-1")).unwrap();
/// assert_eq!(url, "https://svc.eu-west-1.example");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Params {
    built_ins: Map<String, Value>,
}

impl Params {
    /// No inputs set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `AWS::Region`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.built_ins
            .insert("AWS::Region".into(), Value::String(region.into()));
        self
    }

    /// Sets `AWS::UseFIPS`.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.built_ins
            .insert("AWS::UseFIPS".into(), Value::Bool(on));
        self
    }

    /// Sets `AWS::UseDualStack`.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.built_ins
            .insert("AWS::UseDualStack".into(), Value::Bool(on));
        self
    }

    /// Sets `SDK::Endpoint`, a custom endpoint URL.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.built_ins
            .insert("SDK::Endpoint".into(), Value::String(url.into()));
        self
    }
}

impl RuleSet {
    /// Parses a rule set from its JSON text.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| RuleError::Invalid(format!("not JSON: {e}")))?;
        let parameters = value["parameters"].as_object().cloned().unwrap_or_default();
        let rules = value["rules"]
            .as_array()
            .cloned()
            .ok_or_else(|| RuleError::Invalid("no `rules` list".into()))?;
        Ok(Self { parameters, rules })
    }

    /// The endpoint URL for `params`, or the rule set's error.
    pub fn resolve(&self, params: &Params) -> Result<String, RuleError> {
        self.resolve_with(partitions(), params)
    }

    /// The endpoint URL for `params` with `aws.partition` reading `partitions` instead of the
    /// project's table: for checking the rules against partitions AWS has not (yet) got,
    /// such as one without FIPS endpoints.
    ///
    /// # Example
    /// ```
    /// use lamina_runtime::endpoint::{partition, rules::{Params, RuleSet}};
    /// let table = partition::parse(r#"{"partitions": [{"name": "aws", "dns_suffix": "lab"}]}"#)
    ///     .unwrap();
    /// let rules = RuleSet::parse(r#"{"parameters": {"Region": {"builtIn": "AWS::Region"}},
    ///     "rules": [{"conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}],
    ///                                "assign": "P"}],
    ///                "type": "endpoint",
    ///                "endpoint": {"url": "https://{Region}.{P#dnsSuffix}"}}]}"#)
    ///     .unwrap();
    /// let url = rules.resolve_with(&table, &Params::new().region("r-1")).unwrap();
    /// assert_eq!(url, "https://r-1.lab");
    /// ```
    pub fn resolve_with(
        &self,
        partitions: &[Partition],
        params: &Params,
    ) -> Result<String, RuleError> {
        let mut scope = Map::new();
        for (name, spec) in &self.parameters {
            let value = spec["builtIn"]
                .as_str()
                .and_then(|b| params.built_ins.get(b).cloned())
                .or_else(|| spec.get("default").cloned())
                .unwrap_or(Value::Null);
            if value.is_null() && spec["required"].as_bool() == Some(true) {
                return Err(RuleError::Invalid(format!("parameter {name} is required")));
            }
            scope.insert(name.clone(), value);
        }

        match evaluate(&self.rules, &scope, partitions)? {
            Some(outcome) => outcome,
            None => Err(RuleError::Invalid("no rule matched".into())),
        }
    }
}

type Outcome = Result<String, RuleError>;

fn evaluate(
    rules: &[Value],
    scope: &Map<String, Value>,
    partitions: &[Partition],
) -> Result<Option<Outcome>, RuleError> {
    for rule in rules {
        let mut local = scope.clone();
        if !conditions_hold(rule, &mut local, partitions)? {
            continue;
        }
        match rule["type"].as_str() {
            Some("endpoint") => {
                let url = expression(&rule["endpoint"]["url"], &local, partitions)?;
                let url = url
                    .as_str()
                    .ok_or_else(|| RuleError::Invalid("an endpoint URL is not text".into()))?;
                return Ok(Some(Ok(url.to_owned())));
            }
            Some("error") => {
                let message = expression(&rule["error"], &local, partitions)?;
                let message = message.as_str().unwrap_or("the endpoint rules refused");
                return Ok(Some(Err(RuleError::Rule(message.to_owned()))));
            }
            Some("tree") => {
                let children = rule["rules"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                return match evaluate(children, &local, partitions)? {
                    Some(outcome) => Ok(Some(outcome)),
                    None => Err(RuleError::Invalid(
                        "a rule tree matched but none of its rules".into(),
                    )),
                };
            }
            other => return Err(RuleError::Invalid(format!("unknown rule type {other:?}"))),
        }
    }
    Ok(None)
}

fn conditions_hold(
    rule: &Value,
    scope: &mut Map<String, Value>,
    partitions: &[Partition],
) -> Result<bool, RuleError> {
    for condition in rule["conditions"].as_array().into_iter().flatten() {
        let value = expression(condition, scope, partitions)?;
        let holds = !matches!(value, Value::Null | Value::Bool(false));
        if !holds {
            return Ok(false);
        }
        if let Some(name) = condition["assign"].as_str() {
            scope.insert(name.to_owned(), value);
        }
    }
    Ok(true)
}

fn expression(
    node: &Value,
    scope: &Map<String, Value>,
    partitions: &[Partition],
) -> Result<Value, RuleError> {
    match node {
        Value::String(text) => template(text, scope).map(Value::String),
        Value::Object(object) if object.contains_key("ref") => {
            let name = object["ref"].as_str().unwrap_or_default();
            Ok(scope.get(name).cloned().unwrap_or(Value::Null))
        }
        Value::Object(object) if object.contains_key("fn") => {
            let name = object["fn"].as_str().unwrap_or_default();
            let args = object["argv"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| expression(a, scope, partitions))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, &args, partitions)
        }
        other => Ok(other.clone()),
    }
}

fn call(name: &str, args: &[Value], partitions: &[Partition]) -> Result<Value, RuleError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let text = |i: usize| arg(i).as_str();
    let value = match name {
        "isSet" => Value::Bool(!arg(0).is_null()),
        "not" => Value::Bool(!arg(0).as_bool().unwrap_or(false)),
        "booleanEquals" => Value::Bool(arg(0).as_bool().is_some() && arg(0) == arg(1)),
        "stringEquals" => Value::Bool(text(0).is_some() && text(0) == text(1)),
        "getAttr" => get_attr(arg(0), text(1).unwrap_or_default()),
        "aws.partition" => match text(0).and_then(|region| partition_in(partitions, region)) {
            Some(partition) => partition.outputs().clone(),
            None => Value::Null,
        },
        "substring" => substring(
            text(0),
            arg(1).as_u64(),
            arg(2).as_u64(),
            arg(3).as_bool().unwrap_or(false),
        ),
        "uriEncode" => match text(0) {
            Some(s) => Value::String(
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
                    .replace("%2D", "-")
                    .replace("%2E", ".")
                    .replace("%5F", "_")
                    .replace("%7E", "~"),
            ),
            None => Value::Null,
        },
        "isValidHostLabel" => Value::Bool(
            text(0).is_some_and(|s| valid_host_label(s, arg(1).as_bool().unwrap_or(false))),
        ),
        "parseURL" => text(0).map_or(Value::Null, parse_url),
        other => {
            return Err(RuleError::Invalid(format!(
                "the function `{other}` is not supported"
            )))
        }
    };
    Ok(value)
}

fn get_attr(value: &Value, path: &str) -> Value {
    let mut current = value.clone();
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !key.is_empty() {
            current = current.get(key).cloned().unwrap_or(Value::Null);
        }
        if let Some(index) = index {
            current = current.get(index).cloned().unwrap_or(Value::Null);
        }
    }
    current
}

fn substring(text: Option<&str>, start: Option<u64>, stop: Option<u64>, reverse: bool) -> Value {
    let (Some(text), Some(start), Some(stop)) = (text, start, stop) else {
        return Value::Null;
    };
    let (start, stop) = (start as usize, stop as usize);
    if !text.is_ascii() || start >= stop || stop > text.len() {
        return Value::Null;
    }
    let (from, to) = if reverse {
        (text.len() - stop, text.len() - start)
    } else {
        (start, stop)
    };
    Value::String(text[from..to].to_owned())
}

/// Whether `label` is a valid DNS host label (or dotted labels, when `allow_dots`).
pub fn valid_host_label(label: &str, allow_dots: bool) -> bool {
    let one = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
    };
    if allow_dots {
        label.split('.').all(one)
    } else {
        one(label)
    }
}

fn parse_url(text: &str) -> Value {
    let Ok(uri) = text.parse::<http::Uri>() else {
        return Value::Null;
    };
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Value::Null;
    };
    if uri.query().is_some() || !matches!(scheme, "http" | "https") {
        return Value::Null;
    }
    let path = uri.path();
    let normalized = if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    let host = authority.host();
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('[');
    json!({
        "scheme": scheme,
        "authority": authority.as_str(),
        "path": if path == "/" && !text.ends_with('/') { "" } else { path },
        "normalizedPath": normalized,
        "isIp": is_ip,
    })
}

/// Fills `{name}` and `{name#path}` placeholders; `{{` and `}}` are literal braces.
fn template(text: &str, scope: &Map<String, Value>) -> Result<String, RuleError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(RuleError::Invalid(format!("unbalanced `}}` in {text:?}")));
        }
        let end = tail
            .find('}')
            .ok_or_else(|| RuleError::Invalid(format!("unclosed `{{` in {text:?}")))?;
        let placeholder = &tail[1..end];
        let value = match placeholder.split_once('#') {
            Some((name, path)) => get_attr(scope.get(name).unwrap_or(&Value::Null), path),
            None => scope.get(placeholder).cloned().unwrap_or(Value::Null),
        };
        match value {
            Value::String(s) => out.push_str(&s),
            Value::Bool(b) => out.push_str(&b.to_string()),
            Value::Number(n) => out.push_str(&n.to_string()),
            _ => {
                return Err(RuleError::Invalid(format!(
                    "`{{{placeholder}}}` has no value in {text:?}"
                )))
            }
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_default(name: &str, args: &[Value]) -> Result<Value, RuleError> {
        call(name, args, partitions())
    }

    const RULES: &str = r#"{
        "parameters": {
            "Region": {"builtIn": "AWS::Region", "type": "string"},
            "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false}
        },
        "rules": [
            {"conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]},
                            {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
             "type": "tree", "rules": [
                {"conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
                 "type": "endpoint",
                 "endpoint": {"url": "https://svc-fips.{Region}.{P#dnsSuffix}"}},
                {"conditions": [], "type": "endpoint",
                 "endpoint": {"url": "https://svc.{Region}.{P#dnsSuffix}"}}
             ]},
            {"conditions": [], "type": "error", "error": "no region"}
        ]
    }"#;

    #[test]
    fn templates_conditions_and_assignments() {
        let rules = RuleSet::parse(RULES).unwrap();
        let cn = rules.resolve(&Params::new().region("cn-north-1")).unwrap();
        assert_eq!(cn, "https://svc.cn-north-1.amazonaws.com.cn");
        let fips = rules
            .resolve(&Params::new().region("us-east-1").use_fips(true))
            .unwrap();
        assert_eq!(fips, "https://svc-fips.us-east-1.amazonaws.com");
        let none = rules.resolve(&Params::new()).unwrap_err();
        assert_eq!(none, RuleError::Rule("no region".into()));
    }

    #[test]
    fn library_functions() {
        assert_eq!(
            call_default(
                "substring",
                &[json!("abcdef"), json!(1), json!(3), json!(false)]
            )
            .unwrap(),
            json!("bc")
        );
        assert_eq!(
            call_default(
                "substring",
                &[json!("abcdef"), json!(0), json!(2), json!(true)]
            )
            .unwrap(),
            json!("ef")
        );
        assert_eq!(
            call_default("uriEncode", &[json!("a b/c")]).unwrap(),
            json!("a%20b%2Fc")
        );
        assert_eq!(
            call_default("isValidHostLabel", &[json!("a.b"), json!(true)]).unwrap(),
            json!(true)
        );
        assert_eq!(
            call_default("isValidHostLabel", &[json!("a.b"), json!(false)]).unwrap(),
            json!(false)
        );
        let url = call_default("parseURL", &[json!("https://example.com:8443/base")]).unwrap();
        assert_eq!(url["authority"], "example.com:8443");
        assert_eq!(url["normalizedPath"], "/base/");
        assert!(call_default("nope", &[]).is_err());
    }
}
