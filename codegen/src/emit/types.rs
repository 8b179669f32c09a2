//! Enums: one Rust enum per model enum, with a variant that keeps unknown values.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc;
use super::features::{gated, Gates};
use super::structure::{structure, value_type, Kind};
use super::{bare, ident, json};
use crate::ir::{Enum, EventBinding, Field, FieldType, IntEnum, Service, Structure, Union};

/// The `types` module: every enum the operations use.
pub(crate) fn types_module(service: &Service, crate_name: &str, gates: &Gates) -> TokenStream {
    let enums = service
        .enums
        .iter()
        .map(|e| gated(gates.for_type(&e.name), enumeration(e, crate_name)));
    let int_enums = service
        .int_enums
        .iter()
        .map(|e| gated(gates.for_type(&e.name), int_enumeration(e)));
    let structures = service.structures.iter().map(|s| {
        let tokens = structure(s, Kind::Nested);
        let json = json::structure_json(s);
        gated(gates.for_type(&s.name), quote!(#tokens #json))
    });
    let unions = service.unions.iter().map(|u| {
        let decoder = u.streaming.then(|| event_decoder(u, &service.structures));
        let tokens = union(u);
        gated(gates.for_type(&u.name), quote!(#tokens #decoder))
    });
    let allow = gates.allow_unused();
    let uses_types = !service.structures.is_empty() || !service.unions.is_empty();
    let import = uses_types.then(|| {
        quote!(
            #allow
            use crate::generated::types;
        )
    });
    quote! {
        //! Enums and other shared types of the service's model.

        #allow
        use crate::generated::rt;
        #import

        #(#enums)*
        #(#int_enums)*
        #(#structures)*
        #(#unions)*
    }
}

fn enumeration(e: &Enum, crate_name: &str) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc(e.doc.as_deref(), &format!("The values of `{}`.", e.name));
    let unknown_doc =
        " A value this version of the client does not know; `as_str` gives it back as sent.";
    let first = e.variants.first().map(|v| v.value.as_str()).unwrap_or("");
    let example = format!(
        " ```\n use {crate_name}::types::{name};\n let value = {name}::from({first:?});\n \
         assert_eq!(value.as_str(), {first:?});\n ```",
        name = e.name
    );

    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdoc = doc(v.doc.as_deref(), &format!("`{}`", v.value));
        quote!(#vdoc #vname,)
    });
    let to_str = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let value = &v.value;
        quote!(#name::#vname => #value,)
    });
    let from_str = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let value = &v.value;
        quote!(#value => #name::#vname,)
    });
    let values = e.variants.iter().map(|v| &v.value);
    let json = json::enum_json(&e.name);

    quote! {
        #docs
        #[doc = ""]
        #[doc = " # Example"]
        #[doc = #example]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            Unknown(rt::enums::UnknownVariantValue),
        }

        impl #name {
            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    #name::Unknown(value) => value.as_str(),
                }
            }

            /// Every value the model lists.
            pub const fn values() -> &'static [&'static str] {
                &[#(#values),*]
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => #name::Unknown(
                        rt::enums::UnknownVariantValue::new(other),
                    ),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(#name::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #json
    }
}

fn int_enumeration(e: &IntEnum) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc(e.doc.as_deref(), &format!("The values of `{}`.", e.name));
    let variants = e.variants.iter().map(|(v, value, vdoc)| {
        let vname = ident(v);
        let vdoc = doc(vdoc.as_deref(), &format!("`{value}`"));
        quote!(#vdoc #vname,)
    });
    let to_int = e.variants.iter().map(|(v, value, _)| {
        let vname = ident(v);
        let value = *value as i32;
        quote!(#name::#vname => #value,)
    });
    let from_int = e.variants.iter().map(|(v, value, _)| {
        let vname = ident(v);
        let value = *value as i32;
        quote!(#value => #name::#vname,)
    });
    let json = json::int_enum_json(&e.name);
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know.
            Unknown(i32),
        }

        impl #name {
            /// The value as it travels on the wire.
            pub fn value(&self) -> i32 {
                match self {
                    #(#to_int)*
                    #name::Unknown(value) => *value,
                }
            }
        }

        impl From<i32> for #name {
            fn from(value: i32) -> Self {
                match value {
                    #(#from_int)*
                    other => #name::Unknown(other),
                }
            }
        }

        #json
    }
}

fn union(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let docs = doc(
        u.doc.as_deref(),
        &format!("One of the members of `{}`.", u.name),
    );
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let ty = value_type(&v.ty);
        let vdoc = doc(v.doc.as_deref(), &format!("The `{}` member.", v.member));
        quote!(#vdoc #vname(#ty),)
    });
    let accessors = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let ty = value_type(&v.ty);
        let method = ident(&format!(
            "as_{}",
            bare(&crate::ir::naming::snake_case(&v.member))
        ));
        let line = format!(" The `{}` member, when it is the one set.", v.member);
        quote! {
            #[doc = #line]
            pub fn #method(&self) -> Option<&#ty> {
                match self {
                    #name::#vname(value) => Some(value),
                    _ => None,
                }
            }
        }
    });
    let debug_arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let shown = &v.name;
        if v.sensitive {
            quote!(#name::#vname(_) => f.debug_tuple(#shown).field(&"** redacted **").finish(),)
        } else {
            quote!(#name::#vname(value) => f.debug_tuple(#shown).field(value).finish(),)
        }
    });
    let json = json::union_json(u);
    quote! {
        #docs
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A member this version of the client does not know, by its name.
            Unknown(String),
        }

        impl #name {
            #(#accessors)*
        }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                    #name::Unknown(member) => f.debug_tuple("Unknown").field(member).finish(),
                }
            }
        }

        #json
    }
}

/// `DecodeEvent` for an event-stream union: each variant is an event type, named by the
/// message's `:event-type` header, whose structure is read from the message's payload and
/// headers as its members' event traits say.
fn event_decoder(u: &Union, structures: &[Structure]) -> TokenStream {
    let name = ident(&u.name);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let event_type = &v.member;
        let structure = match &v.ty {
            FieldType::Structure(target) => structures.iter().find(|s| &s.name == target),
            _ => None,
        };
        let value = match structure {
            Some(s) if s.fields.iter().any(|f| f.event != EventBinding::Json) => event_structure(s),
            _ => quote!(rt::event_stream::receiver::json_event(event_type, message)?),
        };
        quote!(#event_type => Ok(#name::#vname(#value)),)
    });

    quote! {
        impl rt::event_stream::receiver::DecodeEvent for #name {
            fn decode(
                event_type: &str,
                message: &rt::event_stream::frame::Message,
            ) -> Result<Self, rt::event_stream::receiver::EventStreamError> {
                match event_type {
                    #(#arms)*
                    other => Ok(#name::Unknown(other.to_owned())),
                }
            }
        }
    }
}

/// An event structure whose members come from the payload, the headers and, for the rest,
/// the payload's JSON.
fn event_structure(s: &Structure) -> TokenStream {
    let name = ident(&s.name);
    let has_json = s.fields.iter().any(|f| f.event == EventBinding::Json);
    let json = has_json.then(|| {
        quote! {
            let json = rt::event_stream::receiver::json_payload(event_type, message)?;
            let object = rt::json::object(&json)
                .map_err(|e| rt::event_stream::receiver::decode_error(event_type, e))?;
        }
    });
    let sets = s.fields.iter().map(|f| {
        let set = ident(&f.setter);
        let value = event_member(f);
        quote!(.#set(#value))
    });

    quote! {
        {
            #json
            types::#name::builder() #(#sets)* .build()
        }
    }
}

/// The value of one member of an event structure, as an `Option`.
fn event_member(f: &Field) -> TokenStream {
    let member = &f.member;
    match (f.event, &f.ty) {
        (EventBinding::Payload, FieldType::Blob) => quote!(Some(message.payload().clone())),
        (EventBinding::Payload, FieldType::String) => {
            quote!(Some(rt::event_stream::receiver::text_payload(
                event_type, message
            )?))
        }
        (EventBinding::Payload, _) => {
            quote!(Some(rt::event_stream::receiver::json_event(
                event_type, message
            )?))
        }
        (EventBinding::Header, _) => {
            quote!(rt::event_stream::receiver::header(event_type, message, #member)?)
        }
        (EventBinding::Json, _) => quote! {
            rt::json::field(object, #member)
                .map_err(|e| rt::event_stream::receiver::decode_error(event_type, e))?
        },
    }
}
