//! The project's model states the facts of AWS's Lambda model: every shape it holds has the
//! same type, members, targets and traits as AWS's, documentation aside. The service and
//! resources may bind fewer operations than AWS's, never others.

use std::path::PathBuf;

use serde_json::{Map, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

fn load(path: &PathBuf) -> Map<String, Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    model["shapes"].as_object().cloned().unwrap_or_default()
}

/// Removes free text: `smithy.api#documentation` traits, and `documentation` and `title`
/// strings inside trait values (endpoint parameters, examples, IAM keys).
fn without_docs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| {
                    *k != "smithy.api#documentation"
                        && !((*k == "documentation" || *k == "title") && v.is_string())
                })
                .map(|(k, v)| (k.clone(), without_docs(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_docs).collect()),
        other => other.clone(),
    }
}

/// Differences between one of our shapes and AWS's, as readable lines.
fn differences(id: &str, ours: &Value, theirs: &Value) -> Vec<String> {
    let ours = without_docs(ours);
    let theirs = without_docs(theirs);
    let kind = ours["type"].as_str().unwrap_or_default();
    let mut found = Vec::new();

    for (key, value) in ours.as_object().into_iter().flatten() {
        let binding_list = matches!(kind, "service" | "resource")
            && matches!(
                key.as_str(),
                "operations" | "resources" | "collectionOperations"
            );
        if binding_list {
            let theirs_list = theirs[key].as_array().cloned().unwrap_or_default();
            for item in value.as_array().into_iter().flatten() {
                if !theirs_list.contains(item) {
                    found.push(format!("{id}: {key} lists {item}, which AWS's does not"));
                }
            }
        } else if key == "traits" || key == "members" {
            let empty = Map::new();
            let mine = value.as_object().unwrap_or(&empty);
            let aws = theirs[key].as_object().unwrap_or(&empty);
            for name in mine.keys().chain(aws.keys()) {
                if mine.get(name) != aws.get(name) {
                    found.push(format!("{id}: {key} `{name}` differs from AWS's"));
                }
            }
        } else if theirs.get(key) != Some(value) {
            found.push(format!("{id}: `{key}` differs from AWS's"));
        }
    }
    if kind != "service" && kind != "resource" {
        for key in theirs.as_object().into_iter().flatten().map(|(k, _)| k) {
            if ours.get(key).is_none() {
                found.push(format!("{id}: AWS's has `{key}`, ours does not"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_project_model_agrees_with_aws() {
    let reference = root().join("../shared/reference/lambda-2015-03-31.json");
    if !reference.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have AWS's model at {}",
            reference.display()
        );
        let why = format!(
            "model agreement: AWS's model is not at {}",
            reference.display()
        );
        lamina_e2e::moto::say_skipped(&why);
        return;
    }
    let aws = load(&reference);
    let ours = load(&root().join("model/lambda.json"));

    let mut problems = Vec::new();
    for (id, shape) in &ours {
        match aws.get(id) {
            Some(theirs) => problems.extend(differences(id, shape, theirs)),
            None => problems.push(format!("{id}: not a shape of AWS's model")),
        }
    }

    assert!(ours.contains_key("com.amazonaws.lambda#Invoke"));
    assert!(
        problems.is_empty(),
        "the model disagrees with AWS's:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_shape_the_invoke_operation_reaches_is_in_the_model() {
    let ours = load(&root().join("model/lambda.json"));
    let mut pending = vec!["com.amazonaws.lambda#Invoke".to_owned()];
    let mut missing = Vec::new();

    while let Some(id) = pending.pop() {
        let Some(shape) = ours.get(&id) else {
            if !id.starts_with("smithy.api#") {
                missing.push(id);
            }
            continue;
        };
        let mut targets = Vec::new();
        for key in ["input", "output"] {
            targets.extend(shape[key]["target"].as_str());
        }
        let errors = shape["errors"].as_array().into_iter().flatten();
        targets.extend(errors.filter_map(|t| t["target"].as_str()));
        targets.extend(
            shape["members"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, m)| m["target"].as_str()),
        );
        pending.extend(targets.into_iter().map(str::to_owned));
    }

    assert!(
        missing.is_empty(),
        "shapes reached from Invoke but missing: {missing:?}"
    );
    let errors = ours["com.amazonaws.lambda#Invoke"]["errors"]
        .as_array()
        .map(Vec::len);
    assert_eq!(errors, Some(43), "Invoke lists all 43 of AWS's errors");
}

#[test]
fn the_checker_reports_a_changed_trait_by_shape_and_name() {
    let theirs = serde_json::json!({
        "type": "string",
        "traits": {"smithy.api#length": {"min": 1}, "smithy.api#documentation": "AWS words"}
    });
    let ours = serde_json::json!({
        "type": "string",
        "traits": {"smithy.api#length": {"min": 2}, "smithy.api#documentation": "our words"}
    });

    let found = differences("ns#Name", &ours, &theirs);

    assert_eq!(
        found,
        ["ns#Name: traits `smithy.api#length` differs from AWS's"]
    );
}
