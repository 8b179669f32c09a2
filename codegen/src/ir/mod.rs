//! The intermediate representation: the model with every Rust decision already made.
//!
//! Lowering resolves names, types, HTTP bindings and constraints once; the emitter only
//! prints what it finds here.

mod lower;
pub mod naming;

pub use lower::lower;

/// A whole service, ready to print.
#[derive(Debug, Clone)]
pub struct Service {
    /// The service shape's name, such as `AWSGirApiService`.
    pub shape_name: String,
    /// The SDK id, such as `Lambda`.
    pub sdk_id: String,
    /// The API version.
    pub api_version: String,
    /// The SigV4 signing name.
    pub signing_name: String,
    /// The default host's first label.
    pub endpoint_prefix: String,
    /// The service's documentation.
    pub doc: Option<String>,
    /// The endpoint rule set (`smithy.rules#endpointRuleSet`) as compact JSON.
    pub endpoint_rules: Option<String>,
    /// Operations, sorted by name.
    pub operations: Vec<Operation>,
    /// Structures used as members (not as an operation's input or output), sorted by id.
    pub structures: Vec<Structure>,
    /// Tagged unions, sorted by id.
    pub unions: Vec<Union>,
    /// Enums, sorted by name.
    pub enums: Vec<Enum>,
    /// Integer enums, sorted by id.
    pub int_enums: Vec<IntEnum>,
    /// Error structures, sorted by name.
    pub errors: Vec<ErrorShape>,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The model name, such as `Invoke`.
    pub name: String,
    /// The Rust module and client method name, such as `invoke`.
    pub module: String,
    /// The documentation.
    pub doc: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The URI pattern, split into literal text and labels.
    pub path: Vec<PathPart>,
    /// Query parameters fixed by the URI pattern (`?versions`).
    pub fixed_query: Vec<(String, String)>,
    /// The input structure, named `{Operation}Input`.
    pub input: Structure,
    /// The output structure, named `{Operation}Output`.
    pub output: Structure,
    /// The errors the operation may return, as Rust type names of [`ErrorShape`]s.
    pub errors: Vec<ErrorRef>,
    /// The error enum's name, `{Operation}Error`.
    pub error_enum: String,
    /// The fluent builder's name, `{Operation}FluentBuilder`.
    pub fluent_builder: String,
    /// How to page through results, for operations the model marks `paginated`.
    pub paginator: Option<Paginator>,
    /// The waiters that call this operation, from its `waitable` trait.
    pub waiters: Vec<Waiter>,
}

/// A waiter: the operation called until an acceptor says success or failure.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The model's name, such as `FunctionActiveV2`.
    pub name: String,
    /// The client method, such as `wait_until_function_active_v2`.
    pub method: String,
    /// The waiter builder's type, such as `FunctionActiveV2Waiter`.
    pub type_name: String,
    /// The documentation.
    pub doc: Option<String>,
    /// The shortest wait between calls, in seconds.
    pub min_delay: u64,
    /// The longest wait between calls, in seconds.
    pub max_delay: u64,
    /// The acceptors, in the order they are tried.
    pub acceptors: Vec<Acceptor>,
}

/// One acceptor of a waiter: when its matcher matches, the waiter is in `state`.
#[derive(Debug, Clone)]
pub struct Acceptor {
    /// `success`, `failure` or `retry`.
    pub state: String,
    /// What it matches.
    pub matcher: Matcher,
}

/// What an acceptor matches.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Any output (`true`) or any error (`false`).
    Success(bool),
    /// An error with this code.
    ErrorType(String),
    /// A member of the output, reached through accessors, compared with a value.
    Output {
        /// The accessors from the output to the member, and whether each returns its value
        /// without `Option`.
        path: Vec<(String, bool)>,
        /// The value to compare with, as text.
        expected: String,
        /// `stringEquals` or `booleanEquals`.
        comparator: String,
    },
}

/// What a paginated operation's pages are made of, by Rust method names.
#[derive(Debug, Clone)]
pub struct Paginator {
    /// The input builder's setter of the page token, such as `set_marker`.
    pub input_token_setter: String,
    /// The output's accessor of the next page's token, such as `next_marker`.
    pub output_token: String,
    /// The output's accessor of the page's items and their type, when the model names them.
    pub items: Option<(String, FieldType)>,
    /// The input builder's setter of the page size, such as `set_max_items`.
    pub page_size_setter: Option<String>,
}

/// A piece of an operation's URI path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text, copied as it is.
    Literal(String),
    /// The value of an input member, percent-encoded.
    Label {
        /// The Rust field name of the member.
        field: String,
        /// The model name of the member, for error messages.
        member: String,
        /// Whether `/` in the value is kept (`{Key+}`).
        greedy: bool,
    },
}

/// A reference from an operation to one of its errors.
#[derive(Debug, Clone)]
pub struct ErrorRef {
    /// The error enum variant, such as `ResourceNotFoundException`.
    pub variant: String,
    /// The error structure's Rust type name.
    pub type_name: String,
    /// The code on the wire (the shape's name).
    pub code: String,
    /// The predicate's name, such as `is_resource_not_found_exception`.
    pub predicate: String,
}

/// A structure.
#[derive(Debug, Clone)]
pub struct Structure {
    /// The model's shape id.
    pub shape_id: String,
    /// The Rust type name.
    pub name: String,
    /// The builder's type name, `{name}Builder`.
    pub builder: String,
    /// The documentation.
    pub doc: Option<String>,
    /// The members, in model order.
    pub fields: Vec<Field>,
}

impl Structure {
    /// Whether any member is sensitive (and so `Debug` must redact it).
    pub fn has_sensitive(&self) -> bool {
        self.fields.iter().any(|f| f.sensitive)
    }
}

/// One member of a structure.
#[derive(Debug, Clone)]
pub struct Field {
    /// The member's name in the model (and on the wire, unless `json_name` says otherwise).
    pub member: String,
    /// The Rust field and accessor name.
    pub name: String,
    /// The builder method that sets or clears the member, `set_{name}`.
    pub setter: String,
    /// The builder method that reads the member back, `get_{name}`.
    pub getter: String,
    /// Whether this is an error's message member (named `message` in any case, by Smithy's
    /// rule).
    pub is_error_message: bool,
    /// The documentation.
    pub doc: Option<String>,
    /// The Rust type of the value.
    pub ty: FieldType,
    /// Whether the model requires the member (inputs then hold it without `Option`).
    pub required: bool,
    /// The default value when the model gives one (the field then holds no `Option`).
    pub default: Option<DefaultValue>,
    /// Where the member travels in an HTTP message.
    pub binding: Binding,
    /// Whether values must never be printed.
    pub sensitive: bool,
    /// The `timestampFormat` trait's value, when the model sets one.
    pub timestamp_format: Option<String>,
    /// Whether the client fills the member with a fresh token when the caller leaves it
    /// empty (`idempotencyToken`).
    pub idempotency_token: bool,
    /// Length limits from the model's `length` trait.
    pub length: Option<(Option<u64>, Option<u64>)>,
    /// The model's `pattern`, when the regex engine can check it.
    pub pattern: Option<String>,
    /// Where the member travels in an event-stream message, for members of event structures.
    pub event: EventBinding,
}

/// Where a member of an event structure travels in an event-stream message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventBinding {
    /// In the JSON object that is the message's payload (no event trait).
    Json,
    /// As the whole payload of the message (`eventPayload`).
    Payload,
    /// As a message header named after the member (`eventHeader`).
    Header,
}

/// A default value from the model's `default` trait.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// A boolean default.
    Bool(bool),
    /// An integer default.
    Int(i64),
    /// A floating-point default.
    Float(f64),
    /// A text default.
    Text(String),
}

/// The Rust type of a member's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i8`.
    Byte,
    /// `i16`.
    Short,
    /// `i32`.
    Integer,
    /// `i64`.
    Long,
    /// `f32`.
    Float,
    /// `f64`.
    Double,
    /// `Bytes`.
    Blob,
    /// A point in time.
    Timestamp,
    /// Untyped JSON.
    Document,
    /// An arbitrary-precision number, kept as its text.
    BigNumber,
    /// A generated enum, by Rust type name.
    Enum(String),
    /// A generated integer enum, by Rust type name.
    IntEnum(String),
    /// A generated structure, by Rust type name.
    Structure(String),
    /// A generated union, by Rust type name; `true` when it is an event stream.
    Union(String, bool),
    /// A list of values.
    List(Box<FieldType>),
    /// A map from text keys to values.
    Map(Box<FieldType>),
}

impl FieldType {
    /// Whether the type is text (and so counts its length in characters).
    pub fn is_text(&self) -> bool {
        matches!(self, FieldType::String | FieldType::Enum(_))
    }
}

/// Where a member travels in an HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// In the URI path.
    Label,
    /// In the query string, under this name.
    Query(String),
    /// In this header (its name in lower case, checked to be a valid header name).
    Header(String),
    /// The whole body.
    Payload,
    /// The HTTP status code of a response.
    ResponseCode,
    /// A map whose entries are query parameters (`httpQueryParams`).
    QueryParams,
    /// A map whose entries are headers starting with this prefix, in lower case.
    PrefixHeaders(String),
    /// A member of the JSON body, under this name.
    Body(String),
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct Enum {
    /// The Rust type name.
    pub name: String,
    /// The documentation.
    pub doc: Option<String>,
    /// The values, in model order.
    pub variants: Vec<Variant>,
}

/// One value of an enum.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub value: String,
    /// The documentation.
    pub doc: Option<String>,
}

/// A tagged union: exactly one of its members is set.
#[derive(Debug, Clone)]
pub struct Union {
    /// The Rust type name.
    pub name: String,
    /// The documentation.
    pub doc: Option<String>,
    /// The members, in model order, as fields (their `name` is the variant's).
    pub variants: Vec<Field>,
    /// Whether the union is an event stream (`streaming`), sent as frames, not JSON.
    pub streaming: bool,
}

/// An integer enum.
#[derive(Debug, Clone)]
pub struct IntEnum {
    /// The Rust type name.
    pub name: String,
    /// The documentation.
    pub doc: Option<String>,
    /// The values: Rust variant name, value and documentation.
    pub variants: Vec<(String, i64, Option<String>)>,
}

/// An error structure with what the model says of it.
#[derive(Debug, Clone)]
pub struct ErrorShape {
    /// The structure.
    pub structure: Structure,
    /// The code on the wire.
    pub code: String,
    /// `true` for a server fault, `false` for a client fault.
    pub server_fault: bool,
    /// The modelled HTTP status.
    pub http_status: Option<u16>,
}
