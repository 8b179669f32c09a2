//! Enums: one Rust enum per model enum, with a variant that keeps unknown values.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc;
use super::ident;
use crate::ir::{Enum, Service};

/// The `types` module: every enum the operations use.
pub(crate) fn types_module(service: &Service, crate_name: &str) -> TokenStream {
    let enums = service.enums.iter().map(|e| enumeration(e, crate_name));
    quote! {
        //! Enums and other shared types of the service's model.

        use ::lamina_runtime as rt;

        #(#enums)*
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
    }
}
