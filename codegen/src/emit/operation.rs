//! One module per operation: input, output, error enum, wire format, stack, fluent builder.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_with;
use super::errors::{header_const, header_consts, read_field, Strictness};
use super::features::Gates;
use super::ident;
use super::structure::{is_event_stream, is_plain, setters, structure, value_type, Kind};
use crate::ir::{Binding, Field, FieldType, Operation, PathPart, Service};

/// The `operation` module: one submodule per operation.
pub(crate) fn operations_module(service: &Service, gates: &Gates) -> TokenStream {
    let modules = service.operations.iter().map(|op| {
        let module = ident(&op.module);
        let line = format!(" The `{}` operation.", op.name);
        let gate = gates.for_operation(op);
        quote! {
            #[doc = #line]
            #gate
            pub mod #module;
        }
    });
    quote! {
        //! One module per operation, each with its input, output, error enum and fluent builder.

        #(#modules)*
    }
}

/// The module of one operation.
pub(crate) fn operation(op: &Operation) -> TokenStream {
    let input = structure(&op.input, Kind::Input);
    let output = structure(&op.output, Kind::Output);
    let output_json = output_to_json(op);
    let error_enum = error_enum(op);
    let validate = validate_impl(op);
    let serialize = serialize_impl(op);
    let deserialize = deserialize_impl(op);
    let stack = stack_fn(op);
    let fluent = fluent_builder(op);
    let waiters = op.waiters.iter().map(|w| waiter(op, w));
    let name = &op.name;
    let module_doc = format!(" The `{name}` operation: its input, output, errors and wire format.");

    let imports = module_imports(
        !op.errors.is_empty(),
        uses_enums(op.input.fields.iter().chain(&op.output.fields)),
    );

    quote! {
        #![doc = #module_doc]

        use crate::generated::rt;
        #imports

        #input
        #output
        #output_json
        #error_enum
        #validate
        #serialize
        #deserialize
        #stack
        #fluent
        #(#waiters)*
    }
}

/// JSON for an output, keyed by the model's member names, for tools such as the CLI.
fn output_to_json(op: &Operation) -> TokenStream {
    let name = ident(&op.output.name);
    let writes = op
        .output
        .fields
        .iter()
        .filter(|f| !is_event_stream(f))
        .map(|f| {
            let fname = ident(&f.name);
            let key = &f.member;
            if is_plain(f, Kind::Output) {
                quote!(object.insert(#key.into(), rt::json::ToJson::to_json(&self.#fname));)
            } else {
                quote! {
                    if let Some(value) = &self.#fname {
                        object.insert(#key.into(), rt::json::ToJson::to_json(value));
                    }
                }
            }
        });
    let binding = if op.output.fields.iter().all(is_event_stream) {
        quote!(let object = rt::json::Map::new();)
    } else {
        quote!(let mut object = rt::json::Map::new();)
    };
    quote! {
        impl rt::json::ToJson for #name {
            fn to_json(&self) -> rt::json::Value {
                #binding
                #(#writes)*
                rt::json::Value::Object(object)
            }
        }
    }
}

/// `use` items for the sibling `error` and `types` modules, where the file refers to them.
pub(crate) fn module_imports(errors: bool, types: bool) -> TokenStream {
    match (errors, types) {
        (true, true) => quote!(
            use crate::generated::{error, types};
        ),
        (true, false) => quote!(
            use crate::generated::error;
        ),
        (false, true) => quote!(
            use crate::generated::types;
        ),
        (false, false) => quote!(),
    }
}

/// Whether any of `fields` holds a type of the generated `types` module.
pub(crate) fn uses_enums<'a>(mut fields: impl Iterator<Item = &'a Field>) -> bool {
    fn generated(ty: &FieldType) -> bool {
        match ty {
            FieldType::Enum(_)
            | FieldType::IntEnum(_)
            | FieldType::Structure(_)
            | FieldType::Union(..) => true,
            FieldType::List(inner) | FieldType::Map(inner) => generated(inner),
            _ => false,
        }
    }
    fields.any(|f| generated(&f.ty))
}

fn error_enum(op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.error_enum);
    let docs = doc_with(
        None,
        &format!("The errors the `{}` operation can return.", op.name),
        &["Match on the variants for the errors the model lists; `Unhandled` holds any other."],
    );
    let variants = op.errors.iter().map(|e| {
        let variant = ident(&e.variant);
        let ty = ident(&e.type_name);
        let line = format!(" The service answered `{}`.", e.code);
        quote! {
            #[doc = #line]
            #variant(error::#ty),
        }
    });
    let all = || op.errors.iter().map(|e| ident(&e.variant));
    let (v1, v2, v3, v4, v5, v6) = (all(), all(), all(), all(), all(), all());
    let v7 = all();
    let types = op.errors.iter().map(|e| ident(&e.type_name));
    let from_code = op.errors.iter().map(|e| {
        let variant = ident(&e.variant);
        let ty = ident(&e.type_name);
        let code = &e.code;
        quote! {
            Some(#code) => #name::#variant(
                error::#ty::from_response(response, body, meta),
            ),
        }
    });
    let from_code_body = if op.errors.is_empty() {
        quote! {
            let _ = (response, body);
            #name::Unhandled(rt::error::Unhandled::new(meta))
        }
    } else {
        quote! {
            match meta.code() {
                #(#from_code)*
                _ => #name::Unhandled(rt::error::Unhandled::new(meta)),
            }
        }
    };
    let predicates = op.errors.iter().map(|e| {
        let variant = ident(&e.variant);
        let predicate = ident(&e.predicate);
        let line = format!(" Whether the service answered `{}`.", e.code);
        quote! {
            #[doc = #line]
            pub fn #predicate(&self) -> bool {
                matches!(self, #name::#variant(_))
            }
        }
    });

    quote! {
        #docs
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An error the model does not list for this operation, or one without a code.
            Unhandled(rt::error::Unhandled),
        }

        impl #name {
            /// Types an error response by its code.
            #[doc(hidden)]
            pub fn from_response(
                response: &rt::middleware::Response,
                body: &rt::protocol::rest_json::JsonBody,
                meta: rt::error::ErrorMetadata,
            ) -> Self {
                #from_code_body
            }

            fn from_erased(error: rt::error::ErasedServiceError) -> Self {
                error.downcast::<Self>().unwrap_or_else(|other| {
                    #name::Unhandled(rt::error::Unhandled::new(
                        other.metadata().clone(),
                    ))
                })
            }

            /// The error code the service sent.
            pub fn code(&self) -> Option<&str> {
                rt::error::ProvideErrorMetadata::code(self)
            }

            /// The message the service sent.
            pub fn message(&self) -> Option<&str> {
                rt::error::ProvideErrorMetadata::message(self)
            }

            /// Whether the caller or the service is to blame.
            pub fn fault(&self) -> rt::error::Fault {
                rt::error::ProvideErrorMetadata::fault(self)
            }

            /// The request id of the failed response.
            pub fn request_id(&self) -> Option<&str> {
                rt::error::ProvideErrorMetadata::request_id(self)
            }

            /// The HTTP status, request id and attempts of the failed response.
            pub fn response_metadata(&self) -> &rt::error::ResponseMetadata {
                rt::error::ProvideErrorMetadata::response_metadata(self)
            }

            /// The modelled HTTP status of the error, when the model gives one.
            pub fn modeled_http_status(&self) -> Option<u16> {
                match self {
                    #(#name::#v1(_) => error::#types::HTTP_STATUS,)*
                    #name::Unhandled(_) => None,
                }
            }

            /// The modelled members the service sent, by model name and as text.
            pub fn members(&self) -> Vec<(&'static str, String)> {
                match self {
                    #(#name::#v7(e) => e.members(),)*
                    #name::Unhandled(_) => Vec::new(),
                }
            }

            #(#predicates)*
        }

        impl rt::error::ProvideErrorMetadata for #name {
            fn code(&self) -> Option<&str> {
                match self {
                    #(#name::#v2(e) => e.code(),)*
                    #name::Unhandled(e) => e.code(),
                }
            }

            fn message(&self) -> Option<&str> {
                match self {
                    #(#name::#v3(e) => e.message(),)*
                    #name::Unhandled(e) => rt::error::ProvideErrorMetadata::message(e),
                }
            }

            fn fault(&self) -> rt::error::Fault {
                match self {
                    #(#name::#v4(e) => e.fault(),)*
                    #name::Unhandled(e) => e.fault(),
                }
            }

            fn request_id(&self) -> Option<&str> {
                match self {
                    #(#name::#v5(e) => e.request_id(),)*
                    #name::Unhandled(e) => e.request_id(),
                }
            }

            fn response_metadata(&self) -> &rt::error::ResponseMetadata {
                match self {
                    #(#name::#v6(e) => e.response_metadata(),)*
                    #name::Unhandled(e) => e.response_metadata(),
                }
            }

            fn members(&self) -> Vec<(&'static str, String)> {
                #name::members(self)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                rt::error::display_service_error(
                    f,
                    self.code(),
                    self.message(),
                    self.request_id(),
                )
            }
        }

        impl ::std::error::Error for #name {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                None
            }
        }
    }
}

fn validate_impl(op: &Operation) -> TokenStream {
    let input = ident(&op.input.name);
    let checks = op.input.fields.iter().filter_map(field_checks);
    quote! {
        impl rt::middleware::Validate for #input {
            fn validate(&self) -> Result<(), rt::error::ConstructionFailure> {
                #(#checks)*
                Ok(())
            }
        }
    }
}

/// The length and pattern checks of one input member, or nothing when it has none.
fn field_checks(f: &Field) -> Option<TokenStream> {
    if f.length.is_none() && f.pattern.is_none() {
        return None;
    }
    let member = &f.member;
    let v = quote!(value);
    let text = match &f.ty {
        FieldType::String => quote!(#v.as_str()),
        FieldType::Enum(_) => quote!(#v.as_str()),
        FieldType::Blob => quote!(&[] as &[u8]),
        _ => return None,
    };
    let length = f.length.map(|(min, max)| {
        let bound = |b: Option<u64>| match b.and_then(|b| usize::try_from(b).ok()) {
            Some(b) => quote!(Some(#b)),
            None => quote!(None),
        };
        let (min, max) = (bound(min), bound(max));
        let len = match &f.ty {
            FieldType::Blob => quote!(#v.len()),
            _ => quote!(rt::validate::char_len(#text)),
        };
        quote!(rt::validate::length(#member, #len, #min, #max)?;)
    });
    let sensitive = f.sensitive;
    let pattern = f.pattern.as_ref().filter(|_| f.ty.is_text()).map(|p| {
        quote! {
            static PATTERN: rt::validate::PatternCell = rt::validate::PatternCell::new();
            rt::validate::pattern(#member, #text, #p, &PATTERN, #sensitive)?;
        }
    });
    let fname = ident(&f.name);
    let body = quote!(#length #pattern);
    if is_plain(f, Kind::Input) {
        Some(quote!({
            let value = &self.#fname;
            #body
        }))
    } else {
        Some(quote! {
            if let Some(value) = &self.#fname {
                #body
            }
        })
    }
}

/// Where a member's text goes, which decides how timestamps are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Path,
    Query,
    Header,
}

/// An expression of type `&str` giving the text form of `var`, a value of `ty`.
fn text_of(ty: &FieldType, format: Option<&str>, place: Place, var: TokenStream) -> TokenStream {
    match ty {
        FieldType::String | FieldType::BigNumber | FieldType::Enum(_) => quote!(#var.as_str()),
        FieldType::IntEnum(_) => quote!(&#var.value().to_string()),
        FieldType::Blob => quote!(&rt::protocol::rest_json::base64(#var)),
        FieldType::Timestamp => match (format, place) {
            (Some("epoch-seconds"), _) => quote!(&#var.secs().to_string()),
            (Some("http-date"), _) | (None, Place::Header) => quote!(&#var.to_http_date()),
            _ => quote!(&#var.to_date_time()),
        },
        _ => quote!(&#var.to_string()),
    }
}

/// Code that runs `inner` with `value` bound to the member's value, when it is set; an empty
/// idempotency token is filled with a fresh one.
fn with_value(f: &Field, inner: TokenStream) -> TokenStream {
    let fname = ident(&f.name);
    if is_plain(f, Kind::Input) {
        quote!({
            let value = &self.#fname;
            #inner
        })
    } else if f.idempotency_token {
        quote!({
            let value = &self.#fname.clone().unwrap_or_else(rt::client::idempotency_token);
            #inner
        })
    } else {
        quote!(if let Some(value) = &self.#fname {
            #inner
        })
    }
}

fn query_writes(f: &Field, name: &str) -> TokenStream {
    let format = f.timestamp_format.as_deref();
    match &f.ty {
        FieldType::List(element) => {
            let text = text_of(element, format, Place::Query, quote!(item));
            with_value(
                f,
                quote! {
                    for item in value {
                        query.push(#name, #text);
                    }
                },
            )
        }
        ty => {
            let text = text_of(ty, format, Place::Query, quote!(value));
            with_value(f, quote!(query.push(#name, #text);))
        }
    }
}

fn query_params_writes(f: &Field) -> TokenStream {
    let each = match &f.ty {
        FieldType::Map(values) if matches!(**values, FieldType::List(_)) => quote! {
            for item in items {
                query.push(key, item.as_str());
            }
        },
        _ => quote!(query.push(key, items.as_str());),
    };
    with_value(
        f,
        quote! {
            let mut entries: Vec<_> = value.iter().collect();
            entries.sort();
            for (key, items) in entries {
                #each
            }
        },
    )
}

fn header_writes(f: &Field, name: &str) -> TokenStream {
    let rest = quote!(rt::protocol::rest_json);
    let constant = header_const(name);
    let member = &f.member;
    let format = f.timestamp_format.as_deref();
    let text = match &f.ty {
        FieldType::List(element) => {
            let item = text_of(element, format, Place::Header, quote!(item));
            quote!(&value.iter().map(|item| #item.to_owned()).collect::<Vec<_>>().join(", "))
        }
        ty => text_of(ty, format, Place::Header, quote!(value)),
    };
    with_value(
        f,
        quote! {
            request.headers_mut().insert(#constant, #rest::header_value(#member, #text)?);
        },
    )
}

fn prefix_header_writes(f: &Field, prefix: &str) -> TokenStream {
    let rest = quote!(rt::protocol::rest_json);
    let member = &f.member;
    with_value(
        f,
        quote! {
            for (key, text) in value {
                request.headers_mut().insert(
                    #rest::header_name(#member, &format!("{}{key}", #prefix))?,
                    #rest::header_value(#member, text)?,
                );
            }
        },
    )
}

fn serialize_impl(op: &Operation) -> TokenStream {
    let input = ident(&op.input.name);
    let method = format_ident!("{}", op.method.to_ascii_uppercase());
    let rest = quote!(rt::protocol::rest_json);

    let path = op.path.iter().map(|part| match part {
        PathPart::Literal(text) => quote!(path.push_str(#text);),
        PathPart::Label {
            field,
            member,
            greedy,
        } => {
            let fname = ident(field);
            let push = if *greedy {
                quote!(#rest::push_greedy_label)
            } else {
                quote!(#rest::push_label)
            };
            let value = label_value(op, field, member, &fname);
            quote!(#push(&mut path, #member, #value)?;)
        }
    });
    let fixed_query = op
        .fixed_query
        .iter()
        .map(|(k, v)| quote!(query.push(#k, #v);));

    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut body_members = Vec::new();
    let mut payload = None;
    for f in &op.input.fields {
        match &f.binding {
            Binding::Query(name) => query.push(query_writes(f, name)),
            Binding::QueryParams => query.push(query_params_writes(f)),
            Binding::Header(name) => headers.push(header_writes(f, name)),
            Binding::PrefixHeaders(prefix) => headers.push(prefix_header_writes(f, prefix)),
            Binding::Body(name) => {
                let json = super::json::member_json(f, quote!(value));
                body_members.push(with_value(f, quote!(body.insert(#name.into(), #json);)));
            }
            Binding::Payload => payload = Some(f),
            Binding::Label | Binding::ResponseCode => {}
        }
    }

    let header_names = header_consts(&op.input.fields);

    // The operation's own headers, with one for the content type.
    let header_room = proc_macro2::Literal::usize_unsuffixed(headers.len() + 1);

    let query_decl = if query.is_empty() && op.fixed_query.is_empty() {
        quote!(let query = #rest::QueryWriter::default();)
    } else {
        quote!(let mut query = #rest::QueryWriter::default();)
    };
    let set_content_type = |ct: &str| {
        quote! {
            request.headers_mut().insert(
                rt::http::header::CONTENT_TYPE,
                rt::http::HeaderValue::from_static(#ct),
            );
        }
    };
    let (body_setup, body_expr, content_type) = match (payload, body_members.is_empty()) {
        (Some(f), _) => {
            let fname = ident(&f.name);
            let (value, ct) = match &f.ty {
                FieldType::Blob => (quote!(value.clone()), "application/octet-stream"),
                FieldType::String => (quote!(rt::Bytes::from(value.clone())), "text/plain"),
                _ => (
                    quote!(rt::json::to_body(&rt::json::ToJson::to_json(value))),
                    "application/json",
                ),
            };
            let set = set_content_type(ct);
            if is_plain(f, Kind::Input) {
                (quote!(let value = &self.#fname;), value, set)
            } else {
                let expr = match &f.ty {
                    FieldType::Blob => quote!(self.#fname.clone().unwrap_or_default()),
                    _ => quote!(self.#fname.as_ref().map(|value| #value).unwrap_or_default()),
                };
                (quote!(), expr, quote!(if self.#fname.is_some() { #set }))
            }
        }
        (None, false) => (
            quote! {
                let mut body = rt::json::Map::new();
                #(#body_members)*
            },
            quote!(rt::json::to_body(&rt::json::Value::Object(body))),
            set_content_type("application/json"),
        ),
        (None, true) => (quote!(), quote!(rt::Bytes::new()), quote!()),
    };

    quote! {
        impl rt::middleware::SerializeRequest for #input {
            fn serialize_request(
                &self,
            ) -> Result<
                rt::middleware::Request,
                rt::error::ConstructionFailure,
            > {
                #header_names
                let mut path = String::with_capacity(128);
                #(#path)*

                #query_decl
                #(#fixed_query)*
                #(#query)*

                #body_setup
                let mut request = rt::http::Request::new(#body_expr);
                request.headers_mut().reserve(#header_room + rt::middleware::ADDED_HEADERS);
                *request.method_mut() = rt::http::Method::#method;
                query.append_to(&mut path);
                *request.uri_mut() = rt::http::Uri::try_from(path).map_err(|e| {
                    rt::error::ConstructionFailure::other(
                        "the request path is not a valid URI",
                        Some(Box::new(e)),
                    )
                })?;
                #content_type
                #(#headers)*

                Ok(request)
            }
        }
    }
}

/// The expression for a label's value: the field itself, or a required-check on an option.
fn label_value(
    op: &Operation,
    field: &str,
    member: &str,
    fname: &proc_macro2::Ident,
) -> TokenStream {
    let Some(f) = op.input.fields.iter().find(|f| f.name == field) else {
        return quote!(self.#fname.as_str());
    };
    match (is_plain(f, Kind::Input), &f.ty) {
        (true, FieldType::String | FieldType::Enum(_)) => quote!(self.#fname.as_str()),
        (true, ty) => {
            let text = text_of(
                ty,
                f.timestamp_format.as_deref(),
                Place::Path,
                quote!(value),
            );
            quote!({
                let value = &self.#fname;
                #text
            })
        }
        (false, ty) => {
            let text = text_of(
                ty,
                f.timestamp_format.as_deref(),
                Place::Path,
                quote!(value),
            );
            quote!({
                let value = rt::validate::required(#member, self.#fname.as_ref())?;
                #text
            })
        }
    }
}

fn deserialize_impl(op: &Operation) -> TokenStream {
    let output = ident(&op.output.name);
    let error = format_ident!("{}", op.error_enum);
    let uses_body = op
        .output
        .fields
        .iter()
        .any(|f| matches!(f.binding, Binding::Body(_)));
    let parse_body = uses_body.then(|| {
        quote! {
            let body = &rt::protocol::rest_json::JsonBody::parse_strict(response.body(), &meta)?;
        }
    });
    let reads_response = op.output.fields.iter().any(|f| {
        !matches!(
            f.binding,
            Binding::Label | Binding::Query(_) | Binding::QueryParams
        )
    });
    let silence = (!reads_response).then(|| quote!(let _ = response;));
    let header_names = header_consts(&op.output.fields);
    let sets = op.output.fields.iter().map(|f| {
        let set = ident(&f.setter);
        let value = read_field(f, Strictness::Strict);
        quote!(.#set(#value))
    });

    quote! {
        impl rt::middleware::DeserializeResponse for #output {
            type Error = #error;

            fn deserialize_response(
                response: &rt::middleware::Response,
                meta: rt::error::ResponseMetadata,
            ) -> Result<Self, rt::error::ResponseFailure> {
                #header_names
                #parse_body
                #silence
                let output = #output::builder()
                    #(#sets)*
                    .build(meta);
                Ok(output)
            }

            fn deserialize_error(
                response: &rt::middleware::Response,
                body: &rt::protocol::rest_json::JsonBody,
                meta: rt::error::ErrorMetadata,
            ) -> Self::Error {
                #error::from_response(response, body, meta)
            }
        }
    }
}

fn stack_fn(op: &Operation) -> TokenStream {
    let input = ident(&op.input.name);
    let output = ident(&op.output.name);
    let line = format!(
        " The middleware stack `{}` calls run through, before customization.",
        op.name
    );
    quote! {
        #[doc = #line]
        pub fn default_stack() -> rt::middleware::Stack {
            rt::middleware::operation_stack::<#input, #output>()
        }
    }
}

/// `into_paginator` (and `into_items` where the model names the items) for a paginated
/// operation's fluent builder.
fn paginator_methods(op: &Operation, p: &crate::ir::Paginator) -> TokenStream {
    let output = ident(&op.output.name);
    let error = ident(&op.error_enum);
    let set_token = ident(&p.input_token_setter);
    let next_token = ident(&p.output_token);
    let items = p.items.as_ref().map(|(getter, element)| {
        let getter = ident(getter);
        let element = value_type(element);
        quote! {
            /// The items on every page, fetched page by page as the stream is read.
            pub fn into_items(self) -> rt::paginator::ItemStream<#element, #output, #error> {
                self.into_paginator()
                    .items(|page: &#output| page.#getter().map(<[_]>::to_vec).unwrap_or_default())
            }
        }
    });
    quote! {
        /// Every page of results, fetched one at a time as the stream is read. It stops at
        /// the last page and fails if the service repeats a page token.
        pub fn into_paginator(self) -> rt::paginator::PageStream<#output, #error> {
            rt::paginator::PageStream::new(
                move |token| Box::pin(self.clone().#set_token(token).send()),
                |page: &#output| page.#next_token().map(str::to_owned),
            )
        }

        #items
    }
}

/// A waiter builder: the operation's input setters, then `wait`.
fn waiter(op: &Operation, w: &crate::ir::Waiter) -> TokenStream {
    let name = ident(&w.type_name);
    let fluent = ident(&op.fluent_builder);
    let output = ident(&op.output.name);
    let error = ident(&op.error_enum);
    let label = &w.name;
    let docs = super::docs::doc_with(
        w.doc.as_deref(),
        &format!("Waits until `{}` reports the `{label}` state.", op.name),
        &[&format!(
            "Set the `{}` input, then call `wait` with a time limit.",
            op.name
        )],
    );
    let setters = setters(&op.input.fields, quote!(self.call.input));
    let (min, max) = (w.min_delay, w.max_delay);
    let acceptors = w.acceptors.iter().map(|a| {
        let state = match a.state.as_str() {
            "success" => quote!(rt::waiter::State::Success),
            "failure" => quote!(rt::waiter::State::Failure),
            _ => quote!(rt::waiter::State::Retry),
        };
        let accept = quote!(return Some(#state););
        match &a.matcher {
            crate::ir::Matcher::Success(true) => quote!(if result.is_ok() { #accept }),
            crate::ir::Matcher::Success(false) => quote!(if result.is_err() { #accept }),
            crate::ir::Matcher::ErrorType(code) => quote! {
                if let Err(rt::error::SdkError::Service(e)) = result {
                    if e.code() == Some(#code) {
                        #accept
                    }
                }
            },
            crate::ir::Matcher::Output {
                path,
                expected,
                comparator,
            } => {
                let mut value = quote!();
                for (i, (accessor, plain)) in path.iter().enumerate() {
                    let accessor = ident(accessor);
                    value = match (i, plain) {
                        (0, true) => quote!(Some(output.#accessor())),
                        (0, false) => quote!(output.#accessor()),
                        (_, true) => quote!(#value.map(|v| v.#accessor())),
                        (_, false) => quote!(#value.and_then(|v| v.#accessor())),
                    };
                }
                let compare = if comparator == "booleanEquals" {
                    let expected = expected == "true";
                    quote!(#value == Some(#expected))
                } else {
                    quote!(#value.is_some_and(|v| v.to_string() == #expected))
                };
                quote! {
                    if let Ok(output) = result {
                        if #compare {
                            #accept
                        }
                    }
                }
            }
        }
    });

    quote! {
        #docs
        #[derive(Clone)]
        pub struct #name {
            call: #fluent,
            clock: rt::waiter::SharedWaiterClock,
        }

        impl #name {
            pub(crate) fn new(handle: ::std::sync::Arc<rt::client::Handle>) -> Self {
                Self {
                    call: #fluent::new(handle),
                    clock: ::std::sync::Arc::new(rt::waiter::SystemWaiterClock),
                }
            }

            #setters

            /// Replaces the clock and the source of jitter, for tests that must not sleep.
            pub fn clock(mut self, clock: impl rt::waiter::WaiterClock + 'static) -> Self {
                self.clock = ::std::sync::Arc::new(clock);
                self
            }

            /// Calls the operation until it reports the state, for `max_wait` at most.
            pub async fn wait(
                self,
                max_wait: ::std::time::Duration,
            ) -> Result<#output, rt::waiter::WaiterError<#output, #error>> {
                let delays = rt::waiter::Delays {
                    min: ::std::time::Duration::from_secs(#min),
                    max: ::std::time::Duration::from_secs(#max),
                };
                let call = self.call;
                rt::waiter::wait(
                    #label,
                    delays,
                    max_wait,
                    self.clock.as_ref(),
                    || Box::pin(call.clone().send()),
                    |result: &Result<#output, rt::error::SdkError<#error>>| {
                        #(#acceptors)*
                        None
                    },
                )
                .await
            }
        }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label).field("call", &self.call).finish_non_exhaustive()
            }
        }
    }
}

/// Why the fluent builder's large `Result`s are allowed.
const LARGE_ERR: &str = "errors keep their members inline for one-pattern matches";

fn fluent_builder(op: &Operation) -> TokenStream {
    let fluent = ident(&op.fluent_builder);
    let input = ident(&op.input.name);
    let input_builder = ident(&op.input.builder);
    let output = ident(&op.output.name);
    let error = format_ident!("{}", op.error_enum);
    let name = &op.name;
    let run = if op.output.fields.iter().any(is_event_stream) {
        format_ident!("run_streaming")
    } else {
        format_ident!("run")
    };
    let docs = doc_with(
        op.doc.as_deref(),
        &format!("Calls `{name}`."),
        &[&format!(
            "Set the input members, then call `send`. Made by the client's `{}` method.",
            op.module
        )],
    );
    let setters = setters(&op.input.fields, quote!(self.input));
    let large_err = LARGE_ERR;
    let pagination = op.paginator.as_ref().map(|p| paginator_methods(op, p));

    quote! {
        #docs
        #[derive(Clone)]
        pub struct #fluent {
            handle: ::std::sync::Arc<rt::client::Handle>,
            input: #input_builder,
            edits: Vec<rt::client::StackEdit>,
        }

        impl #fluent {
            pub(crate) fn new(handle: ::std::sync::Arc<rt::client::Handle>) -> Self {
                Self {
                    handle,
                    input: #input::builder(),
                    edits: Vec::new(),
                }
            }

            #setters

            #pagination

            /// Changes the middleware stack for this call only: add, place or remove middleware.
            pub fn customize_stack(
                mut self,
                edit: impl ::std::ops::Fn(
                        &mut rt::middleware::Stack,
                    ) -> Result<(), rt::middleware::StackError>
                    + ::std::marker::Send
                    + ::std::marker::Sync
                    + 'static,
            ) -> Self {
                self.edits.push(::std::sync::Arc::new(edit));
                self
            }

            /// The stack this call would run through, with the client's and the call's changes.
            #[allow(clippy::result_large_err, reason = #large_err)]
            pub fn middleware_stack(
                &self,
            ) -> Result<
                rt::middleware::Stack,
                rt::error::SdkError<#error>,
            > {
                rt::client::customize(#name, default_stack(), &self.handle, &self.edits)
                    .map_err(|e| e.map_service_error(#error::from_erased))
            }

            /// Sends the call and waits for its output or error.
            #[allow(clippy::result_large_err, reason = #large_err)]
            pub async fn send(
                self,
            ) -> Result<#output, rt::error::SdkError<#error>> {
                let stack = rt::client::call_stack(#name, default_stack, &self.handle, &self.edits)
                    .map_err(|e| e.map_service_error(#error::from_erased))?;
                let input = self
                    .input
                    .build()
                    .map_err(rt::error::SdkError::Construction)?;

                rt::client::#run::<#input, #output>(self.handle, &stack, #name, input)
                    .await
                    .map_err(|e| e.map_service_error(#error::from_erased))
            }
        }

        impl ::std::fmt::Debug for #fluent {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!(#fluent))
                    .field("edits", &self.edits.len())
                    .finish_non_exhaustive()
            }
        }
    }
}
