//! The generated folder's root module and the client with one method per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc;
use super::features::Gates;
use super::ident;
use crate::ir::Service;

/// `mod.rs`: the submodules and the service's identity.
pub(crate) fn root_module(service: &Service, runtime: &TokenStream) -> TokenStream {
    let sdk_id = &service.sdk_id;
    let version = &service.api_version;
    let signing = &service.signing_name;
    let prefix = &service.endpoint_prefix;
    let rules = match &service.endpoint_rules {
        Some(json) => quote!(Some(#json)),
        None => quote!(None),
    };
    let line = format!(
        " Code generated from the {sdk_id} model ({}).",
        service.shape_name
    );
    quote! {
        #![doc = #line]

        /// The runtime crate, under the name every generated file uses.
        #[doc(hidden)]
        pub use #runtime as rt;

        pub mod client;
        pub mod error;
        pub mod operation;
        pub mod types;

        /// The service's identity, as its model states it.
        pub static SERVICE: rt::service::ServiceInfo = rt::service::ServiceInfo {
            sdk_id: #sdk_id,
            api_version: #version,
            signing_name: #signing,
            endpoint_prefix: #prefix,
            endpoint_rules: #rules,
        };
    }
}

/// `client.rs`: the client type.
pub(crate) fn client(
    service: &Service,
    gates: &Gates,
    stack_edits: Option<&TokenStream>,
) -> TokenStream {
    let handle = match stack_edits {
        Some(edits) => {
            quote!(rt::client::Handle::with_stack_edits(config, &super::SERVICE, #edits()))
        }
        None => quote!(rt::client::Handle::new(config, &super::SERVICE)),
    };
    let docs = doc(
        service.doc.as_deref(),
        &format!("A client for {}.", service.sdk_id),
    );
    let imports = service.operations.iter().map(|op| {
        let module = ident(&op.module);
        let gate = gates.for_operation(op);
        quote! {
            #gate
            use super::operation::#module;
        }
    });
    let waiter_methods = service.operations.iter().flat_map(|op| {
        let gate = gates.for_operation(op);
        let module = ident(&op.module);
        op.waiters.iter().map(move |w| {
            let method = ident(&w.method);
            let name = ident(&w.type_name);
            let line = format!(
                " Waits, by calling `{}`, until the `{}` state.",
                op.name, w.name
            );
            quote! {
                #[doc = #line]
                #gate
                pub fn #method(&self) -> #module::#name {
                    #module::#name::new(self.handle.clone())
                }
            }
        })
    });
    let methods = service.operations.iter().map(|op| {
        let method = ident(&op.module);
        let fluent = ident(&op.fluent_builder);
        let line = format!(" Starts a `{}` call.", op.name);
        let gate = gates.for_operation(op);
        quote! {
            #[doc = #line]
            #gate
            pub fn #method(&self) -> #method::#fluent {
                #method::#fluent::new(self.handle.clone())
            }
        }
    });

    quote! {
        //! The client: one method per operation, each returning a fluent builder.

        use crate::generated::rt;
        #(#imports)*

        #docs
        ///
        /// Cloning a client is cheap: clones share the configuration and connection pool.
        #[derive(Clone, Debug)]
        pub struct Client {
            handle: ::std::sync::Arc<rt::client::Handle>,
        }

        impl Client {
            /// A client with `config`.
            pub fn from_conf(config: rt::config::Config) -> Self {
                Self {
                    handle: #handle,
                }
            }

            /// A client configured from the environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, ...).
            pub fn from_env() -> Self {
                Self::from_conf(rt::config::Config::from_env())
            }

            /// The client's configuration.
            pub fn config(&self) -> &rt::config::Config {
                self.handle.config()
            }

            #(#methods)*
            #(#waiter_methods)*
        }
    }
}
