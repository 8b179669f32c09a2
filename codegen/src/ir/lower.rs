//! Lowering: from the Smithy model to the IR, resolving every name, type and binding.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::naming::{field_name, shape_type_name, snake_case, type_name};
use super::{
    Binding, DefaultValue, Enum, ErrorRef, ErrorShape, EventBinding, Field, FieldType, IntEnum,
    Operation, PathPart, Service, Structure, Union, Variant,
};
use crate::model::{AggregateShape, Member, Model, ServiceShape, Shape};
use crate::Error;

/// The structure's role decides which HTTP bindings its members may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Input,
    Output,
    Error,
    /// A structure or union nested in another: every member is in the JSON body.
    Nested,
}

/// Lowers `model` into the IR, keeping only the given operations when `only` is set.
pub fn lower(model: &Model, only: Option<&[String]>) -> Result<Service, Error> {
    let problems = crate::model::validate(model);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }

    let (service_id, service) = model
        .shapes
        .iter()
        .find_map(|(id, s)| match s {
            Shape::Service(svc) => Some((id, svc)),
            _ => None,
        })
        .ok_or_else(|| Error::Invalid(vec!["the model has no service".into()]))?;

    let mut lowering = Lowering {
        model,
        enums: BTreeMap::new(),
        int_enums: BTreeMap::new(),
        structures: BTreeMap::new(),
        unions: BTreeMap::new(),
        errors: BTreeMap::new(),
        problems: Vec::new(),
    };
    let paginated_defaults = service.traits.get("smithy.api#paginated").cloned();
    let mut operations = Vec::new();
    for op_id in operation_ids(model, service) {
        let short = short_name(&op_id);
        if only.is_some_and(|names| !names.iter().any(|n| n == short)) {
            continue;
        }
        if let Some(mut op) = lowering.operation(&op_id) {
            op.paginator = paginator(model, &op_id, &op, paginated_defaults.as_ref());
            operations.push((op_id, op));
        }
    }
    for (id, op) in &mut operations {
        op.waiters = lowering.waiters(id, op);
    }
    let mut operations: Vec<Operation> = operations.into_iter().map(|(_, op)| op).collect();
    if let Some(names) = only {
        for name in names {
            if !operations.iter().any(|o| &o.name == name) {
                lowering
                    .problems
                    .push(format!("no operation named `{name}` in the model"));
            }
        }
    }
    if !lowering.problems.is_empty() {
        return Err(Error::Invalid(lowering.problems));
    }

    let traits = &service.traits;
    let aws = traits.get("aws.api#service");
    let aws_string = |key: &str| aws.and_then(|v| v.get(key)).and_then(Value::as_str);
    let shape_name = short_name(service_id).to_owned();
    let sdk_id = aws_string("sdkId").unwrap_or(&shape_name).to_owned();
    let signing_name = traits
        .get("aws.auth#sigv4")
        .and_then(|v| v.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(&sdk_id)
        .to_owned();
    let endpoint_prefix = aws_string("endpointPrefix")
        .unwrap_or(&signing_name)
        .to_owned();

    operations.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Service {
        shape_name,
        sdk_id,
        api_version: service.version.clone(),
        signing_name,
        endpoint_prefix,
        doc: traits.documentation().map(clean_doc),
        endpoint_rules: traits
            .get("smithy.rules#endpointRuleSet")
            .map(|rules| rules.to_string()),
        operations,
        structures: lowering.structures.into_values().flatten().collect(),
        unions: lowering.unions.into_values().flatten().collect(),
        enums: lowering.enums.into_values().collect(),
        int_enums: lowering.int_enums.into_values().collect(),
        errors: lowering.errors.into_values().collect(),
    })
}

/// The paginator of operation `id`, from its `paginated` trait completed by the service's.
/// Token paths into nested members are not followed: such operations get no paginator.
fn paginator(
    model: &Model,
    id: &str,
    op: &Operation,
    defaults: Option<&Value>,
) -> Option<crate::ir::Paginator> {
    let own = model.shape(id)?.traits().get("smithy.api#paginated")?;
    let setting = |key: &str| {
        own.get(key)
            .or_else(|| defaults.and_then(|d| d.get(key)))
            .and_then(Value::as_str)
    };
    let input_token = op
        .input
        .fields
        .iter()
        .find(|f| Some(f.member.as_str()) == setting("inputToken"))?;
    let output_token =
        op.output.fields.iter().find(|f| {
            Some(f.member.as_str()) == setting("outputToken") && f.ty == FieldType::String
        })?;
    let items = setting("items").and_then(|name| {
        let field = op.output.fields.iter().find(|f| f.member == name)?;
        match &field.ty {
            FieldType::List(element) => Some((field.name.clone(), (**element).clone())),
            _ => None,
        }
    });
    let page_size = setting("pageSize")
        .and_then(|name| op.input.fields.iter().find(|f| f.member == name))
        .map(|f| f.setter.clone());
    Some(crate::ir::Paginator {
        page_size_setter: page_size,
        input_token_setter: input_token.setter.clone(),
        output_token: output_token.name.clone(),
        items,
    })
}

/// Every operation the service binds, directly or through resources, without duplicates.
fn operation_ids(model: &Model, service: &ServiceShape) -> BTreeSet<String> {
    let mut ops: BTreeSet<String> = service
        .operations
        .iter()
        .map(|t| t.target.clone())
        .collect();
    let mut resources: Vec<String> = service.resources.iter().map(|t| t.target.clone()).collect();
    let mut seen = BTreeSet::new();

    while let Some(id) = resources.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(Shape::Resource(r)) = model.shape(&id) {
            ops.extend(r.all_operations().map(|t| t.target.clone()));
            resources.extend(r.resources.iter().map(|t| t.target.clone()));
        }
    }
    ops
}

struct Lowering<'m> {
    model: &'m Model,
    enums: BTreeMap<String, Enum>,
    int_enums: BTreeMap<String, IntEnum>,
    structures: BTreeMap<String, Option<Structure>>,
    unions: BTreeMap<String, Option<Union>>,
    errors: BTreeMap<String, ErrorShape>,
    problems: Vec<String>,
}

impl<'m> Lowering<'m> {
    fn operation(&mut self, id: &str) -> Option<Operation> {
        let Some(Shape::Operation(op)) = self.model.shape(id) else {
            self.problems
                .push(format!("{id}: is bound as an operation but is not one"));
            return None;
        };
        let name = short_name(id).to_owned();
        let type_base = type_name(&name);

        let http = op.traits.get("smithy.api#http");
        let method = http
            .and_then(|h| h.get("method"))
            .and_then(Value::as_str)
            .unwrap_or("POST")
            .to_owned();
        let uri = http
            .and_then(|h| h.get("uri"))
            .and_then(Value::as_str)
            .unwrap_or("/");

        let input_id = op.input.as_ref().map(|t| t.target.as_str());
        let output_id = op.output.as_ref().map(|t| t.target.as_str());
        let input = self.structure(input_id, &format!("{type_base}Input"), Role::Input)?;
        let output = self.structure(output_id, &format!("{type_base}Output"), Role::Output)?;
        let (path, fixed_query) = self.path(id, uri, &input);

        let mut errors = Vec::new();
        for target in &op.errors {
            if let Some(error) = self.error(&target.target) {
                errors.push(ErrorRef {
                    variant: error.structure.name.clone(),
                    type_name: error.structure.name.clone(),
                    code: error.code.clone(),
                    predicate: format!("is_{}", snake_case(&error.code)),
                });
            }
        }
        errors.sort_by(|a, b| a.variant.cmp(&b.variant));

        Some(Operation {
            module: field_name(&name).trim_start_matches("r#").to_owned(),
            error_enum: format!("{type_base}Error"),
            fluent_builder: format!("{type_base}FluentBuilder"),
            paginator: None,
            waiters: Vec::new(),
            doc: op.traits.documentation().map(clean_doc),
            name,
            method,
            path,
            fixed_query,
            input,
            output,
            errors,
        })
    }

    /// The waiters of operation `id`, from its `smithy.waiters#waitable` trait.
    fn waiters(&mut self, id: &str, op: &Operation) -> Vec<crate::ir::Waiter> {
        let Some(waitable) = self
            .model
            .shape(id)
            .and_then(|s| s.traits().get("smithy.waiters#waitable"))
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        let mut waiters = Vec::new();
        for (name, spec) in waitable {
            let at = format!("{id} waiter {name}");
            let acceptors = spec["acceptors"].as_array().cloned().unwrap_or_default();
            let acceptors: Option<Vec<_>> = acceptors
                .iter()
                .map(|a| self.acceptor(&at, op, a))
                .collect();
            let Some(acceptors) = acceptors else {
                continue;
            };
            let snake = snake_case(name);
            waiters.push(crate::ir::Waiter {
                method: format!("wait_until_{snake}"),
                type_name: format!("{}Waiter", type_name(name)),
                doc: spec["documentation"].as_str().map(clean_doc),
                min_delay: spec["minDelay"].as_u64().unwrap_or(2),
                max_delay: spec["maxDelay"].as_u64().unwrap_or(120),
                name: name.clone(),
                acceptors,
            });
        }
        waiters
    }

    fn acceptor(&mut self, at: &str, op: &Operation, spec: &Value) -> Option<crate::ir::Acceptor> {
        let state = spec["state"].as_str()?.to_owned();
        let matcher = &spec["matcher"];
        let matcher = if let Some(success) = matcher["success"].as_bool() {
            crate::ir::Matcher::Success(success)
        } else if let Some(code) = matcher["errorType"].as_str() {
            crate::ir::Matcher::ErrorType(short_name(code).to_owned())
        } else if let Some(output) = matcher.get("output") {
            let comparator = output["comparator"].as_str().unwrap_or_default().to_owned();
            let expected = output["expected"].as_str().unwrap_or_default().to_owned();
            let path = self.output_path(op, output["path"].as_str().unwrap_or_default());
            match (path, comparator.as_str()) {
                (Some(path), "stringEquals" | "booleanEquals") => crate::ir::Matcher::Output {
                    path,
                    expected,
                    comparator,
                },
                _ => {
                    self.problems.push(format!(
                        "{at}: only `stringEquals` and `booleanEquals` on a plain member path \
                         are supported, not {output}"
                    ));
                    return None;
                }
            }
        } else {
            self.problems
                .push(format!("{at}: unsupported matcher {matcher}"));
            return None;
        };
        Some(crate::ir::Acceptor { state, matcher })
    }

    /// The accessors from the output to the member at `path` (`A.B`), if every step is a
    /// member of a structure.
    fn output_path(&self, op: &Operation, path: &str) -> Option<Vec<(String, bool)>> {
        let mut fields: &[Field] = &op.output.fields;
        let mut accessors = Vec::new();
        let mut segments = path.split('.').peekable();
        while let Some(segment) = segments.next() {
            let field = fields.iter().find(|f| f.member == segment)?;
            accessors.push((field.name.clone(), field.default.is_some()));
            if segments.peek().is_some() {
                let FieldType::Structure(name) = &field.ty else {
                    return None;
                };
                let nested = self
                    .structures
                    .values()
                    .flatten()
                    .find(|s| &s.name == name)?;
                fields = &nested.fields;
            }
        }
        Some(accessors)
    }

    fn path(
        &mut self,
        op_id: &str,
        uri: &str,
        input: &Structure,
    ) -> (Vec<PathPart>, Vec<(String, String)>) {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let fixed_query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();

        let mut parts = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                self.problems
                    .push(format!("{op_id}: the URI `{uri}` has an unclosed label"));
                break;
            };
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let label = &rest[open + 1..close];
            let (member, greedy) = match label.strip_suffix('+') {
                Some(m) => (m, true),
                None => (label, false),
            };
            match input.fields.iter().find(|f| f.member == member) {
                Some(field) if field.binding == Binding::Label => {
                    parts.push(PathPart::Label {
                        field: field.name.clone(),
                        member: member.to_owned(),
                        greedy,
                    });
                }
                _ => self.problems.push(format!(
                    "{op_id}: the URI label `{{{label}}}` has no input member with `httpLabel`"
                )),
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        (parts, fixed_query)
    }

    fn error(&mut self, id: &str) -> Option<ErrorShape> {
        if let Some(existing) = self.errors.get(id) {
            return Some(existing.clone());
        }
        let shape = self.model.shape(id)?;
        let traits = shape.traits();
        let Some(fault) = traits.string("smithy.api#error") else {
            self.problems.push(format!(
                "{id}: is listed as an error but has no `error` trait"
            ));
            return None;
        };
        let code = short_name(id).to_owned();
        let structure = self.structure(Some(id), &shape_type_name(&code), Role::Error)?;
        let error = ErrorShape {
            structure,
            code,
            server_fault: fault == "server",
            http_status: traits
                .get("smithy.api#httpError")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok()),
        };
        self.errors.insert(id.to_owned(), error.clone());
        Some(error)
    }

    fn structure(&mut self, id: Option<&str>, name: &str, role: Role) -> Option<Structure> {
        let id = id.unwrap_or("smithy.api#Unit");
        if id == "smithy.api#Unit" {
            return Some(Structure {
                shape_id: id.to_owned(),
                name: name.to_owned(),
                builder: format!("{name}Builder"),
                doc: None,
                fields: Vec::new(),
            });
        }
        let Some(Shape::Structure(shape)) = self.model.shape(id) else {
            self.problems
                .push(format!("{id}: must be a structure to serve as {role:?}"));
            return None;
        };

        let fields = self.fields(id, shape, role);
        Some(Structure {
            shape_id: id.to_owned(),
            name: name.to_owned(),
            builder: format!("{name}Builder"),
            doc: shape.traits.documentation().map(clean_doc),
            fields,
        })
    }

    fn fields(&mut self, id: &str, shape: &AggregateShape, role: Role) -> Vec<Field> {
        let mut fields = Vec::new();
        let mut names = BTreeSet::new();
        for (member_name, member) in shape.members.iter() {
            let at = format!("{id}${member_name}");
            let Some(field) = self.field(&at, member_name, member, role) else {
                continue;
            };
            let reserved = [
                "code",
                "fault",
                "request_id",
                "response_metadata",
                "meta",
                "members",
            ];
            if role == Role::Error && reserved.contains(&field.name.as_str()) {
                self.problems.push(format!(
                    "{at}: its Rust name `{}` clashes with an accessor every error has",
                    field.name
                ));
            }
            if !names.insert(field.name.clone()) {
                self.problems.push(format!(
                    "{at}: its Rust name `{}` clashes with another member's",
                    field.name
                ));
            }
            fields.push(field);
        }
        fields
    }

    fn field(&mut self, at: &str, member_name: &str, member: &Member, role: Role) -> Option<Field> {
        let target = self.model.shape(&member.target);
        let target_traits = target.map(Shape::traits);
        let trait_of = |id: &str| {
            member
                .traits
                .get(id)
                .or_else(|| target_traits.and_then(|t| t.get(id)))
        };

        let ty = self.field_type(at, &member.target)?;
        let binding = self.binding(at, member_name, member, role, &ty)?;

        let length = trait_of("smithy.api#length").map(|l| {
            (
                l.get("min").and_then(Value::as_u64),
                l.get("max").and_then(Value::as_u64),
            )
        });
        let pattern = trait_of("smithy.api#pattern")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let default = member
            .traits
            .get("smithy.api#default")
            .and_then(|v| default_value(v, &ty));

        let name = field_name(member_name);
        let bare = name.trim_start_matches("r#");
        let timestamp_format = trait_of("smithy.api#timestampFormat")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let sensitive =
            trait_of("smithy.api#sensitive").is_some() || self.element_is_sensitive(&member.target);
        Some(Field {
            timestamp_format,
            idempotency_token: member.traits.has("smithy.api#idempotencyToken"),
            member: member_name.to_owned(),
            setter: format!("set_{bare}"),
            getter: format!("get_{bare}"),
            is_error_message: role == Role::Error && member_name.eq_ignore_ascii_case("message"),
            name,
            doc: trait_of("smithy.api#documentation")
                .and_then(Value::as_str)
                .map(clean_doc),
            required: member.traits.has("smithy.api#required"),
            sensitive,
            ty,
            default,
            binding,
            length,
            pattern,
            event: if member.traits.has("smithy.api#eventPayload") {
                EventBinding::Payload
            } else if member.traits.has("smithy.api#eventHeader") {
                EventBinding::Header
            } else {
                EventBinding::Json
            },
        })
    }

    fn field_type(&mut self, at: &str, target: &str) -> Option<FieldType> {
        let prelude = target.strip_prefix("smithy.api#");
        let Some(shape) = self.model.shape(target) else {
            return match prelude {
                Some("String") => Some(FieldType::String),
                Some("Blob") => Some(FieldType::Blob),
                Some("Boolean" | "PrimitiveBoolean") => Some(FieldType::Bool),
                Some("Byte" | "PrimitiveByte") => Some(FieldType::Byte),
                Some("Short" | "PrimitiveShort") => Some(FieldType::Short),
                Some("Integer" | "PrimitiveInteger") => Some(FieldType::Integer),
                Some("Long" | "PrimitiveLong") => Some(FieldType::Long),
                Some("Float" | "PrimitiveFloat") => Some(FieldType::Float),
                Some("Double" | "PrimitiveDouble") => Some(FieldType::Double),
                Some("Timestamp") => Some(FieldType::Timestamp),
                Some("Document") => Some(FieldType::Document),
                Some("BigInteger" | "BigDecimal") => Some(FieldType::BigNumber),
                _ => {
                    self.problems
                        .push(format!("{at}: `{target}` cannot be a member's type"));
                    None
                }
            };
        };
        let ty = match shape {
            Shape::String(s) if s.traits.has("smithy.api#enum") => {
                self.problems.push(format!(
                    "{at}: string shapes with the Smithy 1.0 `enum` trait are not supported; \
                     model {target} as an enum shape"
                ));
                return None;
            }
            Shape::String(_) => FieldType::String,
            Shape::Enum(e) => FieldType::Enum(self.enum_shape(target, e)),
            Shape::IntEnum(e) => FieldType::IntEnum(self.int_enum(target, e)),
            Shape::Blob(_) => FieldType::Blob,
            Shape::Boolean(_) => FieldType::Bool,
            Shape::Byte(_) => FieldType::Byte,
            Shape::Short(_) => FieldType::Short,
            Shape::Integer(_) => FieldType::Integer,
            Shape::Long(_) => FieldType::Long,
            Shape::Float(_) => FieldType::Float,
            Shape::Double(_) => FieldType::Double,
            Shape::BigInteger(_) | Shape::BigDecimal(_) => FieldType::BigNumber,
            Shape::Timestamp(_) => FieldType::Timestamp,
            Shape::Document(_) => FieldType::Document,
            Shape::List(l) | Shape::Set(l) => {
                let element = self.field_type(at, &l.member.target)?;
                FieldType::List(Box::new(element))
            }
            Shape::Map(m) => {
                let key = self.field_type(at, &m.key.target)?;
                if !matches!(key, FieldType::String | FieldType::Enum(_)) {
                    self.problems
                        .push(format!("{at}: map keys must be strings"));
                    return None;
                }
                let value = self.field_type(at, &m.value.target)?;
                FieldType::Map(Box::new(value))
            }
            Shape::Structure(s) => FieldType::Structure(self.nested_structure(at, target, s)?),
            Shape::Union(u) => {
                let streaming = u.traits.has("smithy.api#streaming");
                FieldType::Union(self.union_shape(at, target, u)?, streaming)
            }
            other => {
                let kind = other.type_name();
                self.problems.push(format!(
                    "{at}: a {kind} ({target}) cannot be a member's type"
                ));
                return None;
            }
        };
        Some(ty)
    }

    /// Whether the elements of a list or the values of a map targeted by `target` are
    /// sensitive, so that the whole member is.
    fn element_is_sensitive(&self, target: &str) -> bool {
        let element = match self.model.shape(target) {
            Some(Shape::List(l) | Shape::Set(l)) => &l.member.target,
            Some(Shape::Map(m)) => &m.value.target,
            _ => return false,
        };
        self.model
            .shape(element)
            .is_some_and(|s| s.traits().has("smithy.api#sensitive"))
    }

    /// Lowers a structure used as a member; a structure that contains itself is refused.
    fn nested_structure(&mut self, at: &str, id: &str, shape: &AggregateShape) -> Option<String> {
        let name = shape_type_name(short_name(id));
        match self.structures.get(id) {
            Some(Some(_)) => return Some(name),
            Some(None) => {
                self.problems.push(format!(
                    "{at}: {id} contains itself, which this generator does not support yet"
                ));
                return None;
            }
            None => {}
        }
        self.structures.insert(id.to_owned(), None);
        let fields = self.fields(id, shape, Role::Nested);
        let structure = Structure {
            shape_id: id.to_owned(),
            builder: format!("{name}Builder"),
            name: name.clone(),
            doc: shape.traits.documentation().map(clean_doc),
            fields,
        };
        self.structures.insert(id.to_owned(), Some(structure));
        Some(name)
    }

    fn union_shape(&mut self, at: &str, id: &str, shape: &AggregateShape) -> Option<String> {
        let name = shape_type_name(short_name(id));
        match self.unions.get(id) {
            Some(Some(_)) => return Some(name),
            Some(None) => {
                self.problems.push(format!(
                    "{at}: {id} contains itself, which this generator does not support yet"
                ));
                return None;
            }
            None => {}
        }
        self.unions.insert(id.to_owned(), None);
        let mut variants = self.fields(id, shape, Role::Nested);
        for variant in &mut variants {
            variant.name = type_name(&variant.member);
        }
        let union = Union {
            name: name.clone(),
            doc: shape.traits.documentation().map(clean_doc),
            variants,
            streaming: shape.traits.has("smithy.api#streaming"),
        };
        self.unions.insert(id.to_owned(), Some(union));
        Some(name)
    }

    fn int_enum(&mut self, id: &str, shape: &AggregateShape) -> String {
        let name = shape_type_name(short_name(id));
        if !self.int_enums.contains_key(id) {
            let variants = shape
                .members
                .iter()
                .map(|(member, m)| {
                    let value = m
                        .traits
                        .get("smithy.api#enumValue")
                        .and_then(Value::as_i64)
                        .unwrap_or_default();
                    (
                        type_name(member),
                        value,
                        m.traits.documentation().map(clean_doc),
                    )
                })
                .collect();
            let doc = shape.traits.documentation().map(clean_doc);
            let lowered = IntEnum {
                name: name.clone(),
                doc,
                variants,
            };
            self.int_enums.insert(id.to_owned(), lowered);
        }
        name
    }

    fn enum_shape(&mut self, id: &str, shape: &AggregateShape) -> String {
        let name = shape_type_name(short_name(id));
        if !self.enums.contains_key(id) {
            let variants = shape
                .members
                .iter()
                .map(|(member, m)| Variant {
                    name: type_name(member),
                    value: m
                        .traits
                        .string("smithy.api#enumValue")
                        .unwrap_or(member)
                        .to_owned(),
                    doc: m.traits.documentation().map(clean_doc),
                })
                .collect();
            let doc = shape.traits.documentation().map(clean_doc);
            let lowered = Enum {
                name: name.clone(),
                doc,
                variants,
            };
            self.enums.insert(id.to_owned(), lowered);
        }
        name
    }

    fn binding(
        &mut self,
        at: &str,
        member_name: &str,
        member: &Member,
        role: Role,
        ty: &FieldType,
    ) -> Option<Binding> {
        let t = &member.traits;
        let binding = if let Some(header) = t.string("smithy.api#httpHeader") {
            let valid = !header.is_empty()
                && header
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !valid {
                self.problems
                    .push(format!("{at}: `{header}` is not a valid HTTP header name"));
                return None;
            }
            Binding::Header(header.to_ascii_lowercase())
        } else if t.has("smithy.api#httpLabel") && role == Role::Input {
            Binding::Label
        } else if let Some(query) = t
            .string("smithy.api#httpQuery")
            .filter(|_| role == Role::Input)
        {
            let scalar = |ty: &FieldType| {
                !matches!(
                    ty,
                    FieldType::Structure(_)
                        | FieldType::Union(..)
                        | FieldType::Document
                        | FieldType::List(_)
                        | FieldType::Map(_)
                )
            };
            let fits = match ty {
                FieldType::List(element) => scalar(element),
                other => scalar(other),
            };
            if !fits {
                self.problems.push(format!(
                    "{at}: query members must be scalars or lists of scalars"
                ));
                return None;
            }
            Binding::Query(query.to_owned())
        } else if t.has("smithy.api#httpQueryParams") && role == Role::Input {
            Binding::QueryParams
        } else if let Some(prefix) = t.string("smithy.api#httpPrefixHeaders") {
            Binding::PrefixHeaders(prefix.to_ascii_lowercase())
        } else if t.has("smithy.api#httpPayload") {
            Binding::Payload
        } else if t.has("smithy.api#httpResponseCode") && role == Role::Output {
            Binding::ResponseCode
        } else {
            let wire = t.string("smithy.api#jsonName").unwrap_or(member_name);
            Binding::Body(wire.to_owned())
        };
        Some(binding)
    }
}

fn default_value(value: &Value, ty: &FieldType) -> Option<DefaultValue> {
    match (value, ty) {
        (Value::Bool(b), FieldType::Bool) => Some(DefaultValue::Bool(*b)),
        (Value::Number(n), FieldType::Float | FieldType::Double) => {
            n.as_f64().map(DefaultValue::Float)
        }
        (Value::Number(n), _) => n.as_i64().map(DefaultValue::Int),
        (Value::String(s), FieldType::String | FieldType::Enum(_)) => {
            Some(DefaultValue::Text(s.clone()))
        }
        _ => None,
    }
}

/// The part of a shape id after `#`.
pub(crate) fn short_name(id: &str) -> &str {
    id.rsplit('#').next().unwrap_or(id)
}

/// Documentation as plain text: HTML tags removed, entities decoded, white space folded.
pub(crate) fn clean_doc(doc: &str) -> String {
    let mut text = String::with_capacity(doc.len());
    let mut in_tag = false;
    for c in doc.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
