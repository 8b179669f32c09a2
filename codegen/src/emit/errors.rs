//! Error structures: one per modelled error, with its fault, status and members.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc;
use super::features::{gated, Gates};
use super::structure::{accessor, value_type};
use super::{bare, ident};
use crate::ir::{Binding, ErrorShape, Field, FieldType, Service};

/// The `error` module: every error structure the operations may return.
pub(crate) fn errors_module(service: &Service, gates: &Gates) -> TokenStream {
    let errors = service
        .errors
        .iter()
        .map(|e| gated(gates.for_type(&e.structure.name), error_struct(e)));
    let allow = gates.allow_unused();
    let fields = service.errors.iter().flat_map(|e| &e.structure.fields);
    let imports = super::operation::module_imports(false, super::operation::uses_enums(fields));
    let imports = gated(gates.allow_unused(), imports);
    quote! {
        //! The service's modelled errors. Each operation's error enum wraps those it may return.

        #allow
        use crate::generated::rt;
        #imports

        #(#errors)*
    }
}

fn error_struct(e: &ErrorShape) -> TokenStream {
    let s = &e.structure;
    let name = ident(&s.name);
    let code = &e.code;
    let docs = doc(s.doc.as_deref(), &format!("The `{code}` error."));
    let fault = if e.server_fault {
        quote!(rt::error::Fault::Server)
    } else {
        quote!(rt::error::Fault::Client)
    };
    let status = match e.http_status {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    };

    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = value_type(&f.ty);
        quote!(#fname: Option<#ty>,)
    });
    let has_message_member = s.fields.iter().any(|f| f.is_error_message);
    let accessors = s.fields.iter().filter(|f| !f.is_error_message).map(|f| {
        let fname = ident(&f.name);
        let fdoc = doc(f.doc.as_deref(), &format!("The `{}` member.", f.member));
        let (ret, body) = accessor(f, false);
        quote! {
            #fdoc
            pub fn #fname(&self) -> #ret {
                #body
            }
        }
    });
    let message = if has_message_member {
        quote!(self.message.as_deref().or(self.meta.message()))
    } else {
        quote!(self.meta.message())
    };
    let header_names = header_consts(&s.fields);
    let reads = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let value = read_field(f, Strictness::Lenient);
        quote!(#fname: #value,)
    });
    let member_texts: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| !f.sensitive)
        .map(|f| {
            let fname = ident(&f.name);
            let member = &f.member;
            let text = match &f.ty {
                FieldType::String => quote!(value.clone()),
                FieldType::Enum(_) => quote!(value.as_str().to_owned()),
                FieldType::Blob => quote!(rt::protocol::rest_json::base64(value)),
                _ => quote!(value.to_string()),
            };
            quote! {
                if let Some(value) = &self.#fname {
                    members.push((#member, #text));
                }
            }
        })
        .collect();
    let members_body = if member_texts.is_empty() {
        quote!(Vec::new())
    } else {
        quote! {
            let mut members = Vec::new();
            #(#member_texts)*
            members
        }
    };
    let debug_fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let shown = bare(&f.name);
        if f.sensitive {
            quote!(.field(#shown, &"** redacted **"))
        } else {
            quote!(.field(#shown, &self.#fname))
        }
    });

    quote! {
        #docs
        #[derive(Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
            meta: rt::error::ErrorMetadata,
        }

        impl #name {
            /// The error code on the wire.
            pub const CODE: &'static str = #code;

            /// Whether the model blames the caller or the service.
            pub const FAULT: rt::error::Fault = #fault;

            /// The HTTP status the model gives this error.
            pub const HTTP_STATUS: Option<u16> = #status;

            /// The message the service sent.
            pub fn message(&self) -> Option<&str> {
                #message
            }

            /// The error code, [`Self::CODE`].
            pub fn code(&self) -> Option<&str> {
                Some(Self::CODE)
            }

            /// Whether the caller or the service is to blame, [`Self::FAULT`].
            pub fn fault(&self) -> rt::error::Fault {
                Self::FAULT
            }

            /// The request id of the failed response.
            pub fn request_id(&self) -> Option<&str> {
                self.meta.request_id()
            }

            /// The HTTP status, request id and attempts of the failed response.
            pub fn response_metadata(&self) -> &rt::error::ResponseMetadata {
                self.meta.response()
            }

            #(#accessors)*

            /// The members the service sent, by model name and as text; sensitive ones are left
            /// out.
            pub fn members(&self) -> Vec<(&'static str, String)> {
                #members_body
            }

            /// The code, message and response the error came with.
            pub fn meta(&self) -> &rt::error::ErrorMetadata {
                &self.meta
            }

            /// Reads the error's members from an error response.
            #[doc(hidden)]
            pub fn from_response(
                response: &rt::middleware::Response,
                body: &rt::protocol::rest_json::JsonBody,
                meta: rt::error::ErrorMetadata,
            ) -> Self {
                #header_names
                let _ = (response, body);
                Self {
                    #(#reads)*
                    meta,
                }
            }
        }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#code)
                    #(#debug_fields)*
                    .field("meta", &self.meta)
                    .finish()
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                rt::error::display_service_error(
                    f,
                    Some(Self::CODE),
                    self.message(),
                    self.meta.request_id(),
                )
            }
        }

        impl ::std::error::Error for #name {}

        impl rt::error::ProvideErrorMetadata for #name {
            fn code(&self) -> Option<&str> {
                #name::code(self)
            }

            fn message(&self) -> Option<&str> {
                #name::message(self)
            }

            fn fault(&self) -> rt::error::Fault {
                #name::fault(self)
            }

            fn request_id(&self) -> Option<&str> {
                #name::request_id(self)
            }

            fn response_metadata(&self) -> &rt::error::ResponseMetadata {
                #name::response_metadata(self)
            }

            fn members(&self) -> Vec<(&'static str, String)> {
                #name::members(self)
            }
        }
    }
}

/// The constant generated code names header `name` with: `X_AMZ_LOG_RESULT` for
/// `x-amz-log-result`. Model header names are HTTP tokens, so any character that cannot be in
/// an identifier becomes `_`, and a name that starts with a digit gets a leading `H_`.
pub(crate) fn header_const(name: &str) -> Ident {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if upper.starts_with(|c: char| c.is_ascii_digit()) {
        format_ident!("H_{}", upper)
    } else {
        format_ident!("{}", upper)
    }
}

/// Definitions of the constants that name the headers `fields` are bound to, each once, for
/// the top of the function that reads or writes them: the names are checked when the client
/// compiles, and no name is parsed when it runs.
pub(crate) fn header_consts(fields: &[Field]) -> TokenStream {
    let names: BTreeSet<&str> = fields
        .iter()
        .filter_map(|f| match &f.binding {
            Binding::Header(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return TokenStream::new();
    }
    let consts = names.into_iter().map(|name| {
        let constant = header_const(name);
        quote!(const #constant: HeaderName = HeaderName::from_static(#name);)
    });
    quote! {
        use rt::http::HeaderName;
        #(#consts)*
    }
}

/// How a reader treats a value that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Fail the response with a `ResponseFailure` (outputs).
    Strict,
    /// Treat it as absent (errors, which must always be reported).
    Lenient,
}

/// An expression of type `Option<T>` that reads `field` from `response` (and `body`, the
/// parsed JSON body). Strict readers use `?` and need `meta: ResponseMetadata` in scope;
/// lenient ones treat a value that does not parse as absent.
pub(crate) fn read_field(field: &Field, strictness: Strictness) -> TokenStream {
    let rest = quote!(rt::protocol::rest_json);
    let meta = match strictness {
        Strictness::Strict => quote!(&meta),
        Strictness::Lenient => quote!(meta.response()),
    };
    let finish = |call: TokenStream| match strictness {
        Strictness::Strict => quote!(#call?),
        Strictness::Lenient => quote!(#call.ok().flatten()),
    };
    match &field.binding {
        Binding::Header(name) => {
            let (wire, convert) = header_conversion(&field.ty);
            let name = header_const(name);
            let call = finish(quote!(#rest::header::<#wire>(response, &#name, #meta)));
            quote!(#call #convert)
        }
        Binding::Body(name) => {
            let ty = value_type(&field.ty);
            finish(quote!(#rest::body_field::<#ty>(body, #name, #meta)))
        }
        Binding::Payload => match &field.ty {
            FieldType::Blob => quote! {
                (!response.body().is_empty()).then(|| response.body().clone())
            },
            FieldType::String => quote! {
                (!response.body().is_empty())
                    .then(|| String::from_utf8_lossy(response.body()).into_owned())
            },
            FieldType::Union(_, true) => quote! {
                Some(rt::event_stream::receiver::EventReceiver::from_response(response))
            },
            ty => {
                let ty = value_type(ty);
                finish(quote!(#rest::payload::<#ty>(response, #meta)))
            }
        },
        Binding::PrefixHeaders(prefix) => quote!(#rest::prefix_headers(response, #prefix)),
        Binding::ResponseCode => {
            let t = value_type(&field.ty);
            match &field.ty {
                FieldType::Integer | FieldType::Long => {
                    quote!(Some(#t::from(response.status().as_u16())))
                }
                _ => quote!(#t::try_from(response.status().as_u16()).ok()),
            }
        }
        Binding::Label | Binding::Query(_) | Binding::QueryParams => quote!(None),
    }
}

/// The type a header is read as, and how it becomes the member's type: enums are read as
/// text and converted, integer enums as numbers.
fn header_conversion(ty: &FieldType) -> (TokenStream, TokenStream) {
    match ty {
        FieldType::Enum(_) => {
            let t = value_type(ty);
            (quote!(String), quote!(.map(|v| #t::from(v.as_str()))))
        }
        FieldType::IntEnum(_) => {
            let t = value_type(ty);
            (quote!(i32), quote!(.map(#t::from)))
        }
        FieldType::List(element) if matches!(**element, FieldType::Enum(_)) => {
            let t = value_type(element);
            (
                quote!(Vec<String>),
                quote!(.map(|v| v.iter().map(|s| #t::from(s.as_str())).collect())),
            )
        }
        other => (value_type(other), quote!()),
    }
}

#[cfg(test)]
mod tests {
    use super::header_const;

    #[test]
    fn header_constants_are_named_after_the_header() {
        assert_eq!(header_const("x-amz-log-result"), "X_AMZ_LOG_RESULT");
        assert_eq!(header_const("retry-after"), "RETRY_AFTER");
        assert_eq!(header_const("x.custom!tag"), "X_CUSTOM_TAG");
        assert_eq!(header_const("1st-header"), "H_1ST_HEADER");
    }
}
