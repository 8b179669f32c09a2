//! Per-operation cargo features: which operations reach each shared type, and the `cfg`
//! attributes that leave out what no enabled operation needs.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{FieldType, Operation, Service, Structure};

/// The cargo feature of `op`: its module name in kebab case, such as `list-functions`.
pub fn feature_name(op: &Operation) -> String {
    op.module.replace('_', "-")
}

/// Which features each generated type needs; empty when the output is not feature-gated.
#[derive(Debug, Default)]
pub(crate) struct Gates {
    by_type: BTreeMap<String, BTreeSet<String>>,
    enabled: bool,
}

impl Gates {
    /// No gates: everything is always compiled.
    pub(crate) fn none() -> Self {
        Self::default()
    }

    /// Gates for every type of `service`, from the shapes each operation reaches.
    pub(crate) fn for_service(service: &Service) -> Self {
        let structures: BTreeMap<&str, &Structure> = service
            .structures
            .iter()
            .chain(service.errors.iter().map(|e| &e.structure))
            .map(|s| (s.name.as_str(), s))
            .collect();
        let unions: BTreeMap<&str, _> = service
            .unions
            .iter()
            .map(|u| (u.name.as_str(), &u.variants))
            .collect();

        let mut by_type: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in &service.operations {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&FieldType> = Vec::new();
            let roots = op.errors.iter().map(|e| e.type_name.as_str());
            for name in roots {
                if let Some(s) = structures.get(name) {
                    seen.insert(name.to_owned());
                    stack.extend(s.fields.iter().map(|f| &f.ty));
                }
            }
            stack.extend(
                op.input
                    .fields
                    .iter()
                    .chain(&op.output.fields)
                    .map(|f| &f.ty),
            );

            while let Some(ty) = stack.pop() {
                let name = match ty {
                    FieldType::List(inner) | FieldType::Map(inner) => {
                        stack.push(inner);
                        continue;
                    }
                    FieldType::Enum(n) | FieldType::IntEnum(n) => n,
                    FieldType::Structure(n) | FieldType::Union(n, _) => n,
                    _ => continue,
                };
                if !seen.insert(name.clone()) {
                    continue;
                }
                if let Some(s) = structures.get(name.as_str()) {
                    stack.extend(s.fields.iter().map(|f| &f.ty));
                }
                if let Some(variants) = unions.get(name.as_str()) {
                    stack.extend(variants.iter().map(|f| &f.ty));
                }
            }

            for name in seen {
                by_type.entry(name).or_default().insert(feature_name(op));
            }
        }
        Self {
            by_type,
            enabled: true,
        }
    }

    /// The `cfg` attribute for the type called `name`, when it is gated.
    pub(crate) fn for_type(&self, name: &str) -> Option<TokenStream> {
        let features = self.by_type.get(name).filter(|f| !f.is_empty())?;
        Some(cfg_any(features.iter()))
    }

    /// The `cfg` attribute for `op`'s own items, when the output is gated.
    pub(crate) fn for_operation(&self, op: &Operation) -> Option<TokenStream> {
        self.enabled.then(|| cfg_any([feature_name(op)].iter()))
    }

    /// An `allow` for imports that go unused when few features are enabled.
    pub(crate) fn allow_unused(&self) -> Option<TokenStream> {
        self.enabled.then(|| quote!(#[allow(unused_imports)]))
    }
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", feature = "b"))]`.
fn cfg_any<'a>(features: impl Iterator<Item = &'a String>) -> TokenStream {
    let features: Vec<&String> = features.collect();
    match features.as_slice() {
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// Puts `gate` on every item in `items`.
pub(crate) fn gated(gate: Option<TokenStream>, items: TokenStream) -> TokenStream {
    let Some(gate) = gate else {
        return items;
    };
    let Ok(file) = syn::parse2::<syn::File>(items.clone()) else {
        return items;
    };
    let gated = file.items.iter().map(|item| quote!(#gate #item));
    quote!(#(#gated)*)
}
