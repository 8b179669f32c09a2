//! Structures: fields, accessors, builders and a `Debug` that redacts sensitive members.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc;
use super::{bare, ident};
use crate::ir::{DefaultValue, Field, FieldType, Structure};

/// What a structure is for, which decides how strict its builder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An operation input: required members hold no `Option`, and `build` checks them.
    Input,
    /// An operation output: every member may be missing, and it carries response metadata.
    Output,
    /// A structure nested in others: every member may be missing; it travels as JSON.
    Nested,
}

/// The Rust type of a value of `ty`.
pub(crate) fn value_type(ty: &FieldType) -> TokenStream {
    match ty {
        FieldType::String => quote!(String),
        FieldType::Bool => quote!(bool),
        FieldType::Byte => quote!(i8),
        FieldType::Short => quote!(i16),
        FieldType::Integer => quote!(i32),
        FieldType::Long => quote!(i64),
        FieldType::Float => quote!(f32),
        FieldType::Double => quote!(f64),
        FieldType::Blob => quote!(rt::Bytes),
        FieldType::Timestamp => quote!(rt::datetime::DateTime),
        FieldType::Document => quote!(rt::json::Document),
        FieldType::BigNumber => quote!(String),
        FieldType::Union(name, true) => {
            let name = ident(name);
            quote!(rt::event_stream::receiver::EventReceiver<types::#name>)
        }
        FieldType::Enum(name)
        | FieldType::IntEnum(name)
        | FieldType::Structure(name)
        | FieldType::Union(name, false) => {
            let name = ident(name);
            quote!(types::#name)
        }
        FieldType::List(element) => {
            let element = value_type(element);
            quote!(Vec<#element>)
        }
        FieldType::Map(value) => {
            let value = value_type(value);
            quote!(::std::collections::HashMap<String, #value>)
        }
    }
}

/// Whether values of `ty` are `Copy` and so returned by value.
pub(crate) fn is_copy(ty: &FieldType) -> bool {
    matches!(
        ty,
        FieldType::Bool
            | FieldType::Byte
            | FieldType::Short
            | FieldType::Integer
            | FieldType::Long
            | FieldType::Float
            | FieldType::Double
            | FieldType::Timestamp
    )
}

/// Whether the field holds its value without `Option` in a structure of `kind`: an event
/// stream is always there (empty when the response had none).
pub(crate) fn is_plain(field: &Field, kind: Kind) -> bool {
    field.default.is_some() || (field.required && kind == Kind::Input) || is_event_stream(field)
}

/// Whether the member is an event stream, which has no JSON form and arrives as frames.
pub(crate) fn is_event_stream(field: &Field) -> bool {
    matches!(field.ty, FieldType::Union(_, true))
}

/// The derives of a structure and its builder: an event stream, a live connection, can be
/// neither copied nor compared.
fn derives(s: &Structure, builder: bool) -> TokenStream {
    match (s.fields.iter().any(is_event_stream), builder) {
        (false, false) => quote!(#[derive(Clone, PartialEq)]),
        (false, true) => quote!(#[derive(Clone, Default, PartialEq)]),
        (true, false) => quote!(),
        (true, true) => quote!(#[derive(Default)]),
    }
}

/// The field's declared type in a structure of `kind`.
fn declared_type(field: &Field, kind: Kind) -> TokenStream {
    let ty = value_type(&field.ty);
    if is_plain(field, kind) {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

/// The accessor's return type and body for a field of a structure of `kind`.
pub(crate) fn accessor(field: &Field, plain: bool) -> (TokenStream, TokenStream) {
    let name = ident(&field.name);
    let borrowed = match &field.ty {
        FieldType::String | FieldType::BigNumber => quote!(&str),
        FieldType::List(element) => {
            let t = value_type(element);
            quote!(&[#t])
        }
        ty if is_copy(ty) => value_type(ty),
        ty => {
            let t = value_type(ty);
            quote!(&#t)
        }
    };
    match (plain, is_copy(&field.ty), &field.ty) {
        (true, true, _) => (borrowed, quote!(self.#name)),
        (true, false, _) => (borrowed, quote!(&self.#name)),
        (false, true, _) => (quote!(Option<#borrowed>), quote!(self.#name)),
        (false, false, FieldType::String | FieldType::BigNumber | FieldType::List(_)) => {
            (quote!(Option<#borrowed>), quote!(self.#name.as_deref()))
        }
        (false, false, _) => (quote!(Option<#borrowed>), quote!(self.#name.as_ref())),
    }
}

/// The structure, its accessors, `Debug` and builder.
pub(crate) fn structure(s: &Structure, kind: Kind) -> TokenStream {
    let name = ident(&s.name);
    let builder = ident(&s.builder);
    let docs = doc(s.doc.as_deref(), &format!("The members of `{}`.", s.name));

    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = declared_type(f, kind);
        quote!(#fname: #ty,)
    });
    let accessors = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let fdoc = doc(f.doc.as_deref(), &format!("The `{}` member.", f.member));
        let (ret, body) = accessor(f, is_plain(f, kind));
        quote! {
            #fdoc
            pub fn #fname(&self) -> #ret {
                #body
            }
        }
    });
    let (meta_field, meta_accessor) = match kind {
        Kind::Input | Kind::Nested => (quote!(), quote!()),
        Kind::Output => (
            quote!(response_metadata: rt::error::ResponseMetadata,),
            quote! {
                /// The HTTP status, request id and attempts of the response.
                pub fn response_metadata(&self) -> &rt::error::ResponseMetadata {
                    &self.response_metadata
                }
            },
        ),
    };
    let debug = debug_impl(s, kind);
    let builder_tokens = builder_struct(s, kind);

    let derive = derives(s, false);
    quote! {
        #docs
        #derive
        pub struct #name {
            #(#fields)*
            #meta_field
        }

        impl #name {
            /// A builder for this structure.
            pub fn builder() -> #builder {
                #builder::default()
            }

            #(#accessors)*
            #meta_accessor
        }

        #debug
        #builder_tokens
    }
}

fn debug_impl(s: &Structure, kind: Kind) -> TokenStream {
    let name = ident(&s.name);
    debug_named(s, &name, &s.name, kind)
}

/// `Debug` for a structure or its builder, named `label`, printing sensitive members redacted.
fn debug_named(s: &Structure, name: &proc_macro2::Ident, label: &str, kind: Kind) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let shown = bare(&f.name);
        if f.sensitive {
            quote!(.field(#shown, &"** redacted **"))
        } else {
            quote!(.field(#shown, &self.#fname))
        }
    });
    let meta = match kind {
        Kind::Input | Kind::Nested => quote!(),
        Kind::Output => quote!(.field("response_metadata", &self.response_metadata)),
    };
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label)
                    #(#fields)*
                    #meta
                    .finish()
            }
        }
    }
}

/// The member's own documentation as a further paragraph, if the model has some.
fn member_doc(f: &Field) -> TokenStream {
    match &f.doc {
        Some(text) => {
            let body = super::docs::lines(text);
            quote!(#[doc = ""] #body)
        }
        None => quote!(),
    }
}

/// The builder's setters for `fields`, acting on `target` (`self` or `self.input`).
pub(crate) fn setters(fields: &[Field], target: TokenStream) -> TokenStream {
    let methods = fields.iter().map(|f| {
        let fname = ident(&f.name);
        let set = ident(&f.setter);
        let get = ident(&f.getter);
        let ty = value_type(&f.ty);
        let fdoc = doc(
            f.doc.as_deref(),
            &format!("Sets the `{}` member.", f.member),
        );
        let set_doc = format!(" Sets or clears the `{}` member.", f.member);
        let get_doc = format!(" The `{}` member as set so far.", f.member);
        let (param, convert) = if is_copy(&f.ty) {
            (quote!(#ty), quote!(value))
        } else {
            (quote!(impl Into<#ty>), quote!(value.into()))
        };
        let add = match &f.ty {
            FieldType::List(element) => {
                let element = value_type(element);
                let line = format!(" Appends one item to the `{}` member.", f.member);
                let more = member_doc(f);
                quote! {
                    #[doc = #line]
                    #more
                    pub fn #fname(mut self, item: impl Into<#element>) -> Self {
                        #target.#fname.get_or_insert_with(Vec::new).push(item.into());
                        self
                    }
                }
            }
            FieldType::Map(value) => {
                let value = value_type(value);
                let line = format!(" Adds one entry to the `{}` member.", f.member);
                let more = member_doc(f);
                quote! {
                    #[doc = #line]
                    #more
                    pub fn #fname(
                        mut self,
                        key: impl Into<String>,
                        value: impl Into<#value>,
                    ) -> Self {
                        let map = #target.#fname.get_or_insert_with(Default::default);
                        map.insert(key.into(), value.into());
                        self
                    }
                }
            }
            _ => quote! {
                #fdoc
                pub fn #fname(mut self, value: #param) -> Self {
                    #target.#fname = Some(#convert);
                    self
                }
            },
        };
        quote! {
            #add

            #[doc = #set_doc]
            pub fn #set(mut self, value: Option<#ty>) -> Self {
                #target.#fname = value;
                self
            }

            #[doc = #get_doc]
            pub fn #get(&self) -> Option<&#ty> {
                #target.#fname.as_ref()
            }
        }
    });
    quote!(#(#methods)*)
}

fn builder_struct(s: &Structure, kind: Kind) -> TokenStream {
    let name = ident(&s.name);
    let builder = ident(&s.builder);
    let builder_doc = format!(" Builds a [`{}`].", s.name);
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = value_type(&f.ty);
        quote!(#fname: Option<#ty>,)
    });
    let setters = setters(&s.fields, quote!(self));
    let builder_debug = debug_named(s, &builder, &s.builder, Kind::Input);

    let assignments = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let member = &f.member;
        match (&f.default, f.required && kind == Kind::Input) {
            (Some(default), _) if is_copy(&f.ty) => {
                let value = default_tokens(default, &f.ty);
                quote!(#fname: self.#fname.unwrap_or(#value),)
            }
            (Some(default), _) => {
                let value = default_tokens(default, &f.ty);
                quote!(#fname: self.#fname.unwrap_or_else(|| #value),)
            }
            (None, true) => quote! {
                #fname: self.#fname.ok_or_else(|| {
                    rt::error::ConstructionFailure::invalid_field(#member, "is required")
                })?,
            },
            (None, false) if is_event_stream(f) => quote!(#fname: self.#fname.unwrap_or_default(),),
            (None, false) => quote!(#fname: self.#fname,),
        }
    });

    let (build_sig, build_body, meta_param) = match kind {
        Kind::Nested => (quote!(#name), quote!(#name { #(#assignments)* }), quote!()),
        Kind::Input => (
            quote!(Result<#name, rt::error::ConstructionFailure>),
            quote!(Ok(#name { #(#assignments)* })),
            quote!(),
        ),
        Kind::Output => (
            quote!(#name),
            quote!(#name { #(#assignments)* response_metadata }),
            quote!(response_metadata: rt::error::ResponseMetadata),
        ),
    };
    let build_doc = match kind {
        Kind::Nested => " The structure.",
        Kind::Input => " The structure, or an error naming the first required member not set.",
        Kind::Output => " The structure, with the response it came from.",
    };

    let derive = derives(s, true);
    quote! {
        #[doc = #builder_doc]
        #derive
        pub struct #builder {
            #(#fields)*
        }

        #builder_debug

        impl #builder {
            #setters

            #[doc = #build_doc]
            pub fn build(self, #meta_param) -> #build_sig {
                #build_body
            }
        }
    }
}

pub(crate) fn default_tokens(value: &DefaultValue, ty: &FieldType) -> TokenStream {
    match (value, ty) {
        (DefaultValue::Bool(b), _) => quote!(#b),
        (DefaultValue::Int(i), FieldType::Byte) => {
            let v = *i as i8;
            quote!(#v)
        }
        (DefaultValue::Int(i), FieldType::Short) => {
            let v = *i as i16;
            quote!(#v)
        }
        (DefaultValue::Int(i), FieldType::Integer) => {
            let v = *i as i32;
            quote!(#v)
        }
        (DefaultValue::Int(i), FieldType::Float) => {
            let v = *i as f32;
            quote!(#v)
        }
        (DefaultValue::Int(i), FieldType::Double) => {
            let v = *i as f64;
            quote!(#v)
        }
        (DefaultValue::Int(i), _) => quote!(#i),
        (DefaultValue::Float(x), FieldType::Float) => {
            let v = *x as f32;
            quote!(#v)
        }
        (DefaultValue::Float(x), _) => quote!(#x),
        (DefaultValue::Text(t), FieldType::Enum(_)) => {
            let ty = value_type(ty);
            quote!(#ty::from(#t))
        }
        (DefaultValue::Text(t), _) => quote!(String::from(#t)),
    }
}
