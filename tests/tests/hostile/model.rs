//! What `model/lambda.json` says, read once: the vocabulary hostile bodies are made of, and
//! the error codes each operation's error enum must know. Shared by the hostile_responses test
//! and the fuzz targets (`fuzz/src/lib.rs` takes it in with `#[path]`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{Map, Value};

const MODEL: &str = include_str!("../../../model/lambda.json");

/// The facts of the model the fuzzers build responses from and check readers against.
pub struct Model {
    /// Every shape, by its id.
    pub shapes: Map<String, Value>,
    /// Each operation's name and the id of its output shape.
    pub outputs: BTreeMap<String, String>,
    /// Each operation's name and the error codes the model lists for it.
    pub errors: BTreeMap<String, BTreeSet<String>>,
    /// Every member name of every structure, as JSON bodies spell them.
    pub members: Vec<String>,
    /// Every enum value.
    pub enum_values: Vec<String>,
    /// Every error code the model defines.
    pub codes: Vec<String>,
}

/// The model's facts, parsed on first use.
pub fn model() -> &'static Model {
    static FACTS: OnceLock<Model> = OnceLock::new();
    FACTS.get_or_init(|| {
        let ast: Value = serde_json::from_str(MODEL).expect("model/lambda.json is JSON");
        let shapes = ast["shapes"]
            .as_object()
            .expect("the model has shapes")
            .clone();
        let short = |id: &str| id.rsplit('#').next().unwrap_or(id).to_owned();

        let (mut outputs, mut errors) = (BTreeMap::new(), BTreeMap::new());
        let (mut members, mut enum_values) = (BTreeSet::new(), BTreeSet::new());
        let mut codes = Vec::new();
        for (id, shape) in &shapes {
            let members_of = shape["members"].as_object().into_iter().flatten();
            match shape["type"].as_str() {
                Some("operation") => {
                    let listed = shape["errors"].as_array().into_iter().flatten();
                    let listed = listed.filter_map(|e| e["target"].as_str()).map(short);
                    errors.insert(short(id), listed.collect());
                    let output = shape["output"]["target"]
                        .as_str()
                        .unwrap_or("smithy.api#Unit");
                    outputs.insert(short(id), output.to_owned());
                }
                Some("structure") => {
                    if shape["traits"].get("smithy.api#error").is_some() {
                        codes.push(short(id));
                    }
                    for (name, member) in members_of {
                        let json_name = member["traits"]["smithy.api#jsonName"].as_str();
                        members.insert(json_name.unwrap_or(name).to_owned());
                    }
                }
                Some("enum") => {
                    for (_, member) in members_of {
                        let value = member["traits"]["smithy.api#enumValue"].as_str();
                        enum_values.extend(value.map(str::to_owned));
                    }
                }
                _ => {}
            }
        }

        Model {
            shapes,
            outputs,
            errors,
            members: members.into_iter().collect(),
            enum_values: enum_values.into_iter().collect(),
            codes,
        }
    })
}
