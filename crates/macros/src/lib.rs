//! `client!`: the same code `cargo xtask codegen` writes, generated at compile time from a
//! model file, for all of its operations or the ones you name.
//!
//! ```text
//! // At the crate root: it defines the module `generated`.
//! lamina::client!(model = "model/lambda.json", operations = ["Invoke", "GetFunction"]);
//!
//! let client = generated::client::Client::from_conf(lamina::Config::from_env());
//! ```
//!
//! The path is relative to the invoking crate's `Cargo.toml`. A model the generator cannot
//! express is a compile error that names the shape at fault.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Item, LitStr, Token};

/// The macro's arguments: `model = "path"`, and optionally `operations = [..]` and
/// `runtime = "path::to::runtime"`.
struct Args {
    model: LitStr,
    operations: Option<Vec<String>>,
    runtime: String,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut model = None;
        let mut operations = None;
        let mut runtime = "::lamina::runtime".to_owned();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "model" => model = Some(input.parse::<LitStr>()?),
                "runtime" => runtime = input.parse::<LitStr>()?.value(),
                "operations" => {
                    let list;
                    syn::bracketed!(list in input);
                    let names = Punctuated::<LitStr, Token![,]>::parse_terminated(&list)?;
                    operations = Some(names.iter().map(LitStr::value).collect());
                }
                other => {
                    let message = format!(
                        "unknown argument `{other}`: expected model, operations or runtime"
                    );
                    return Err(syn::Error::new(key.span(), message));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        let model = model.ok_or_else(|| input.error("`model = \"path\"` is required"))?;
        Ok(Self {
            model,
            operations,
            runtime,
        })
    }
}

/// Generates a client from a Smithy JSON AST model at compile time; see the crate docs.
#[proc_macro]
pub fn client(input: TokenStream) -> TokenStream {
    let args = syn::parse_macro_input!(input as Args);
    match expand(&args) {
        Ok(tokens) => tokens.into(),
        Err(message) => syn::Error::new(args.model.span(), message)
            .to_compile_error()
            .into(),
    }
}

fn expand(args: &Args) -> Result<proc_macro2::TokenStream, String> {
    let root = std::env::var("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = root.join(args.model.value());
    let json = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the model {}: {e}", path.display()))?;

    let options = lamina_codegen::Options {
        operations: args.operations.clone(),
        command: Some("lamina::client!".into()),
        crate_name: None,
        runtime: Some(args.runtime.clone()),
        feature_gates: false,
        stack_edits: None,
    };
    let files = lamina_codegen::generate(&json, &options).map_err(|e| e.to_string())?;

    let mut parsed = BTreeMap::new();
    for file in files {
        let syntax: syn::File = syn::parse_str(&file.contents)
            .map_err(|e| format!("generated {} does not parse: {e}", file.path))?;
        parsed.insert(file.path, syntax);
    }
    let root_module = inline("mod.rs", "", &mut parsed)?;
    let path_tokens = args.model.value();
    let items = root_module.items;
    let attrs = root_module.attrs;
    Ok(quote! {
        #[allow(missing_docs)]
        pub mod generated {
            #(#attrs)*
            const _: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", #path_tokens));
            #(#items)*
        }
    })
}

/// The file at `path` with every `mod name;` replaced by the module's file, inline.
fn inline(
    path: &str,
    dir: &str,
    files: &mut BTreeMap<String, syn::File>,
) -> Result<syn::File, String> {
    let mut file = files
        .remove(path)
        .ok_or_else(|| format!("the generator wrote no {path}"))?;
    for item in &mut file.items {
        let Item::Mod(module) = item else {
            continue;
        };
        if module.content.is_some() {
            continue;
        }
        let name = module.ident.to_string();
        let (child_path, child_dir) = if files.contains_key(&format!("{dir}{name}.rs")) {
            (format!("{dir}{name}.rs"), format!("{dir}{name}/"))
        } else {
            (format!("{dir}{name}/mod.rs"), format!("{dir}{name}/"))
        };
        let child = inline(&child_path, &child_dir, files)?;
        module.attrs.extend(child.attrs);
        module.content = Some((syn::token::Brace(Span::call_site()), child.items));
        module.semi = None;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(model: &str) -> Args {
        syn::parse_str(&format!("model = {model:?}, operations = [\"Op\"]")).unwrap()
    }

    #[test]
    fn a_broken_model_is_an_error_that_names_the_shape() {
        let path = std::env::temp_dir().join(format!("lamina-macro-{}.json", std::process::id()));
        let model = r#"{"smithy": "2.0", "shapes": {
            "t#Svc": {"type": "service", "version": "1", "operations": [{"target": "t#Op"}]},
            "t#Op": {"type": "operation", "input": {"target": "t#In"},
                     "traits": {"smithy.api#http": {"method": "POST", "uri": "/"}}},
            "t#In": {"type": "structure", "members": {"A": {"target": "t#Missing"}}}}}"#;
        std::fs::write(&path, model).unwrap();

        let err = expand(&args(&path.to_string_lossy())).unwrap_err();

        assert!(
            err.contains("t#In: its member A refers to `t#Missing`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_arguments_are_refused() {
        let err = syn::parse_str::<Args>("model = \"m.json\", colour = \"red\"")
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("unknown argument `colour`"),
            "{err}"
        );
    }
}
