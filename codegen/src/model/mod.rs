//! The Smithy 2.0 JSON AST, read into typed Rust with serde.
//!
//! Only what the generator uses is typed; every trait stays available as raw JSON through
//! [`Traits`].

mod members;
mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

pub use members::OrderedMembers;
pub use validate::validate;

/// A whole model file: its version and its shapes by absolute shape id.
#[derive(Debug, Clone, Deserialize)]
pub struct Model {
    /// The Smithy IDL version, `2.0` for the models this generator reads.
    pub smithy: String,
    /// Every shape, keyed by id (`namespace#Name`). Ordered, so output is deterministic.
    pub shapes: BTreeMap<String, Shape>,
}

impl Model {
    /// Parses a model from JSON text.
    pub fn from_json(text: &str) -> Result<Self, crate::Error> {
        serde_json::from_str(text).map_err(|e| crate::Error::Parse(e.to_string()))
    }

    /// The shape with this id, if the model defines it.
    pub fn shape(&self, id: &str) -> Option<&Shape> {
        self.shapes.get(id)
    }
}

/// A reference to another shape.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Target {
    /// The referenced shape id.
    pub target: String,
}

/// A structure, union or enum member.
#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    /// The shape the member holds.
    pub target: String,
    /// The member's traits.
    #[serde(default)]
    pub traits: Traits,
}

/// One shape of the model, by its `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Shape {
    /// The service: its operations, resources and protocol traits.
    Service(ServiceShape),
    /// A resource, which binds operations to the service.
    Resource(ResourceShape),
    /// An operation with its input, output and errors.
    Operation(OperationShape),
    /// A structure.
    Structure(AggregateShape),
    /// A tagged union.
    Union(AggregateShape),
    /// A string enum.
    Enum(AggregateShape),
    /// An integer enum.
    IntEnum(AggregateShape),
    /// A list.
    List(ListShape),
    /// A set (Smithy 1.0; read as a list).
    Set(ListShape),
    /// A map.
    Map(MapShape),
    /// Text.
    String(SimpleShape),
    /// Bytes.
    Blob(SimpleShape),
    /// A boolean.
    Boolean(SimpleShape),
    /// An 8-bit integer.
    Byte(SimpleShape),
    /// A 16-bit integer.
    Short(SimpleShape),
    /// A 32-bit integer.
    Integer(SimpleShape),
    /// A 64-bit integer.
    Long(SimpleShape),
    /// A 32-bit float.
    Float(SimpleShape),
    /// A 64-bit float.
    Double(SimpleShape),
    /// An arbitrary-precision integer.
    BigInteger(SimpleShape),
    /// An arbitrary-precision decimal.
    BigDecimal(SimpleShape),
    /// A point in time.
    Timestamp(SimpleShape),
    /// Untyped JSON-like data.
    Document(SimpleShape),
}

impl Shape {
    /// The shape's traits.
    pub fn traits(&self) -> &Traits {
        match self {
            Shape::Service(s) => &s.traits,
            Shape::Resource(s) => &s.traits,
            Shape::Operation(s) => &s.traits,
            Shape::Structure(s) | Shape::Union(s) | Shape::Enum(s) | Shape::IntEnum(s) => &s.traits,
            Shape::List(s) | Shape::Set(s) => &s.traits,
            Shape::Map(s) => &s.traits,
            Shape::String(s)
            | Shape::Blob(s)
            | Shape::Boolean(s)
            | Shape::Byte(s)
            | Shape::Short(s)
            | Shape::Integer(s)
            | Shape::Long(s)
            | Shape::Float(s)
            | Shape::Double(s)
            | Shape::BigInteger(s)
            | Shape::BigDecimal(s)
            | Shape::Timestamp(s)
            | Shape::Document(s) => &s.traits,
        }
    }

    /// The shape's type as the JSON AST spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Shape::Service(_) => "service",
            Shape::Resource(_) => "resource",
            Shape::Operation(_) => "operation",
            Shape::Structure(_) => "structure",
            Shape::Union(_) => "union",
            Shape::Enum(_) => "enum",
            Shape::IntEnum(_) => "intEnum",
            Shape::List(_) => "list",
            Shape::Set(_) => "set",
            Shape::Map(_) => "map",
            Shape::String(_) => "string",
            Shape::Blob(_) => "blob",
            Shape::Boolean(_) => "boolean",
            Shape::Byte(_) => "byte",
            Shape::Short(_) => "short",
            Shape::Integer(_) => "integer",
            Shape::Long(_) => "long",
            Shape::Float(_) => "float",
            Shape::Double(_) => "double",
            Shape::BigInteger(_) => "bigInteger",
            Shape::BigDecimal(_) => "bigDecimal",
            Shape::Timestamp(_) => "timestamp",
            Shape::Document(_) => "document",
        }
    }
}

/// The service shape.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceShape {
    /// The API version, such as `2015-03-31`.
    #[serde(default)]
    pub version: String,
    /// Operations bound directly to the service.
    #[serde(default)]
    pub operations: Vec<Target>,
    /// Resources bound to the service.
    #[serde(default)]
    pub resources: Vec<Target>,
    /// The service's traits (protocol, auth, endpoint rules, ...).
    #[serde(default)]
    pub traits: Traits,
}

/// A resource shape; only the operations it binds matter to the generator.
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceShape {
    /// Lifecycle and other operations bound to the resource.
    #[serde(default)]
    pub operations: Vec<Target>,
    /// Operations on the resource's collection.
    #[serde(default, rename = "collectionOperations")]
    pub collection_operations: Vec<Target>,
    /// Child resources.
    #[serde(default)]
    pub resources: Vec<Target>,
    /// The `create` lifecycle operation.
    pub create: Option<Target>,
    /// The `put` lifecycle operation.
    pub put: Option<Target>,
    /// The `read` lifecycle operation.
    pub read: Option<Target>,
    /// The `update` lifecycle operation.
    pub update: Option<Target>,
    /// The `delete` lifecycle operation.
    pub delete: Option<Target>,
    /// The `list` lifecycle operation.
    pub list: Option<Target>,
    /// The resource's traits.
    #[serde(default)]
    pub traits: Traits,
}

impl ResourceShape {
    /// Every operation the resource binds, lifecycle ones included.
    pub fn all_operations(&self) -> impl Iterator<Item = &Target> {
        [
            &self.create,
            &self.put,
            &self.read,
            &self.update,
            &self.delete,
            &self.list,
        ]
        .into_iter()
        .flatten()
        .chain(&self.operations)
        .chain(&self.collection_operations)
    }
}

/// An operation shape.
#[derive(Debug, Clone, Deserialize)]
pub struct OperationShape {
    /// The input structure (`smithy.api#Unit` when absent).
    pub input: Option<Target>,
    /// The output structure (`smithy.api#Unit` when absent).
    pub output: Option<Target>,
    /// The errors the operation can return.
    #[serde(default)]
    pub errors: Vec<Target>,
    /// The operation's traits (`http`, documentation, ...).
    #[serde(default)]
    pub traits: Traits,
}

/// A shape with named members: structure, union, enum or intEnum.
#[derive(Debug, Clone, Deserialize)]
pub struct AggregateShape {
    /// Members in the order the model lists them.
    #[serde(default)]
    pub members: OrderedMembers,
    /// The shape's traits.
    #[serde(default)]
    pub traits: Traits,
}

/// A list or set shape.
#[derive(Debug, Clone, Deserialize)]
pub struct ListShape {
    /// The element.
    pub member: Member,
    /// The shape's traits.
    #[serde(default)]
    pub traits: Traits,
}

/// A map shape.
#[derive(Debug, Clone, Deserialize)]
pub struct MapShape {
    /// The key.
    pub key: Member,
    /// The value.
    pub value: Member,
    /// The shape's traits.
    #[serde(default)]
    pub traits: Traits,
}

/// A simple shape: only traits.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SimpleShape {
    /// The shape's traits.
    #[serde(default)]
    pub traits: Traits,
}

/// A shape's or member's traits, by absolute trait id.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Traits(pub BTreeMap<String, Value>);

impl Traits {
    /// The trait's value, if present.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    /// Whether the trait is present.
    pub fn has(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    /// The trait's value when it is a string.
    pub fn string(&self, id: &str) -> Option<&str> {
        self.get(id).and_then(Value::as_str)
    }

    /// The `smithy.api#documentation` text.
    pub fn documentation(&self) -> Option<&str> {
        self.string("smithy.api#documentation")
    }
}
