//! `ToJson` and `FromJson` for generated structures, unions and enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use super::structure::default_tokens;
use crate::ir::{Binding, Field, Structure, Union};

/// The wire name of a nested member: its `jsonName`, else its name.
fn wire(field: &Field) -> &str {
    match &field.binding {
        Binding::Body(name) => name,
        _ => &field.member,
    }
}

/// The JSON of `value`, a member's value, in the form its `timestampFormat` asks for.
pub(crate) fn member_json(field: &Field, value: TokenStream) -> TokenStream {
    match (&field.ty, field.timestamp_format.as_deref()) {
        (crate::ir::FieldType::Timestamp, Some(format)) => {
            quote!(rt::json::timestamp(#value, #format))
        }
        _ => quote!(rt::json::ToJson::to_json(#value)),
    }
}

/// JSON conversions for a nested structure: every member is in the object.
pub(crate) fn structure_json(s: &Structure) -> TokenStream {
    let name = ident(&s.name);
    let writes = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let key = wire(f);
        if f.default.is_some() {
            let json = member_json(f, quote!(&self.#fname));
            quote!(object.insert(#key.into(), #json);)
        } else {
            let json = member_json(f, quote!(value));
            quote! {
                if let Some(value) = &self.#fname {
                    object.insert(#key.into(), #json);
                }
            }
        }
    });
    let reads = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let key = wire(f);
        match &f.default {
            Some(default) => {
                let value = default_tokens(default, &f.ty);
                quote!(#fname: rt::json::field(object, #key)?.unwrap_or(#value),)
            }
            None => quote!(#fname: rt::json::field(object, #key)?,),
        }
    });
    let object_binding = if s.fields.is_empty() {
        quote!(let _ = rt::json::object(value)?;)
    } else {
        quote!(let object = rt::json::object(value)?;)
    };
    let new_object = if s.fields.is_empty() {
        quote!(let object = rt::json::Map::new();)
    } else {
        quote!(let mut object = rt::json::Map::new();)
    };

    quote! {
        impl rt::json::ToJson for #name {
            fn to_json(&self) -> rt::json::Value {
                #new_object
                #(#writes)*
                rt::json::Value::Object(object)
            }
        }

        impl rt::json::FromJson for #name {
            fn from_json(value: &rt::json::Value) -> Result<Self, rt::json::JsonError> {
                #object_binding
                Ok(Self {
                    #(#reads)*
                })
            }
        }
    }
}

/// JSON conversions for a union: an object with exactly one member set.
pub(crate) fn union_json(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let writes = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let key = wire(v);
        quote! {
            #name::#variant(value) => {
                object.insert(#key.into(), rt::json::ToJson::to_json(value));
            }
        }
    });
    let reads = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let key = wire(v);
        quote! {
            #key => rt::json::FromJson::from_json(member)
                .map(#name::#variant)
                .map_err(|e| e.within(#key)),
        }
    });

    quote! {
        impl rt::json::ToJson for #name {
            fn to_json(&self) -> rt::json::Value {
                let mut object = rt::json::Map::new();
                match self {
                    #(#writes)*
                    #name::Unknown(_) => {}
                }
                rt::json::Value::Object(object)
            }
        }

        impl rt::json::FromJson for #name {
            fn from_json(value: &rt::json::Value) -> Result<Self, rt::json::JsonError> {
                let object = rt::json::object(value)?;
                let Some((key, member)) = object.iter().find(|(_, v)| !v.is_null()) else {
                    return Err(rt::json::JsonError::expected("an object with one member set"));
                };
                match key.as_str() {
                    #(#reads)*
                    other => Ok(#name::Unknown(other.to_owned())),
                }
            }
        }
    }
}

/// JSON conversions for a string enum.
pub(crate) fn enum_json(name: &str) -> TokenStream {
    let name = ident(name);
    quote! {
        impl rt::json::ToJson for #name {
            fn to_json(&self) -> rt::json::Value {
                rt::json::Value::String(self.as_str().to_owned())
            }
        }

        impl rt::json::FromJson for #name {
            fn from_json(value: &rt::json::Value) -> Result<Self, rt::json::JsonError> {
                let text = value.as_str().ok_or(rt::json::JsonError::expected("a string"))?;
                Ok(#name::from(text))
            }
        }
    }
}

/// JSON conversions for an integer enum.
pub(crate) fn int_enum_json(name: &str) -> TokenStream {
    let name = ident(name);
    quote! {
        impl rt::json::ToJson for #name {
            fn to_json(&self) -> rt::json::Value {
                rt::json::Value::from(self.value())
            }
        }

        impl rt::json::FromJson for #name {
            fn from_json(value: &rt::json::Value) -> Result<Self, rt::json::JsonError> {
                let number: i32 = rt::json::FromJson::from_json(value)?;
                Ok(#name::from(number))
            }
        }
    }
}
