//! Checks that a model is complete before it is lowered: every reference resolves.

use super::{Model, Shape, Target};

/// Shapes of the Smithy prelude that models may use without defining them.
pub(crate) const PRELUDE: &[&str] = &[
    "smithy.api#Unit",
    "smithy.api#String",
    "smithy.api#Blob",
    "smithy.api#Boolean",
    "smithy.api#PrimitiveBoolean",
    "smithy.api#Byte",
    "smithy.api#PrimitiveByte",
    "smithy.api#Short",
    "smithy.api#PrimitiveShort",
    "smithy.api#Integer",
    "smithy.api#PrimitiveInteger",
    "smithy.api#Long",
    "smithy.api#PrimitiveLong",
    "smithy.api#Float",
    "smithy.api#PrimitiveFloat",
    "smithy.api#Double",
    "smithy.api#PrimitiveDouble",
    "smithy.api#BigInteger",
    "smithy.api#BigDecimal",
    "smithy.api#Timestamp",
    "smithy.api#Document",
];

/// Every problem found, each naming the shape at fault. Empty when the model is sound.
pub fn validate(model: &Model) -> Vec<String> {
    let mut problems = Vec::new();

    if model.smithy.split('.').next() != Some("2") {
        problems.push(format!(
            "the model is Smithy {}, but only 2.x is read",
            model.smithy
        ));
    }

    let services = model
        .shapes
        .values()
        .filter(|s| matches!(s, Shape::Service(_)))
        .count();
    if services != 1 {
        problems.push(format!(
            "the model must hold exactly one service, but holds {services}"
        ));
    }

    for (id, shape) in &model.shapes {
        for (role, target) in references(shape) {
            let known = model.shapes.contains_key(&target) || PRELUDE.contains(&target.as_str());
            if !known {
                problems.push(format!(
                    "{id}: its {role} refers to `{target}`, which the model does not define"
                ));
            }
        }
        if let Shape::Operation(op) = shape {
            if !op.traits.has("smithy.api#http") {
                problems.push(format!(
                    "{id}: the operation has no `smithy.api#http` trait"
                ));
            }
        }
    }
    problems
}

fn references(shape: &Shape) -> Vec<(String, String)> {
    let targets = |role: &str, list: &mut dyn Iterator<Item = &Target>| {
        list.map(|t| (role.to_owned(), t.target.clone()))
            .collect::<Vec<_>>()
    };

    match shape {
        Shape::Service(s) => {
            let mut refs = targets("operation", &mut s.operations.iter());
            refs.extend(targets("resource", &mut s.resources.iter()));
            refs
        }
        Shape::Resource(r) => {
            let mut refs = targets("operation", &mut r.all_operations());
            refs.extend(targets("resource", &mut r.resources.iter()));
            refs
        }
        Shape::Operation(o) => {
            let mut refs = targets("input", &mut o.input.iter());
            refs.extend(targets("output", &mut o.output.iter()));
            refs.extend(targets("error", &mut o.errors.iter()));
            refs
        }
        Shape::Structure(s) | Shape::Union(s) | Shape::Enum(s) | Shape::IntEnum(s) => s
            .members
            .iter()
            .map(|(n, m)| (format!("member {n}"), m.target.clone()))
            .collect(),
        Shape::List(l) | Shape::Set(l) => vec![("member".to_owned(), l.member.target.clone())],
        Shape::Map(m) => vec![
            ("key".to_owned(), m.key.target.clone()),
            ("value".to_owned(), m.value.target.clone()),
        ],
        _ => Vec::new(),
    }
}
