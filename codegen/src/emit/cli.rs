//! The command line's subcommands, one per operation and one per waiter.
//!
//! The generated module leans on hand-written helpers in the CLI crate: `parse` (flag text
//! into values), `paging` (automatic pagination) and `output` (how failures are shown).

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use super::structure::value_type;
use crate::ir::naming::snake_case;
use crate::ir::{Binding, Field, FieldType, Operation, Service};

/// Flags the CLI defines for every command; a member with one of these names gets a suffix.
const GLOBAL_FLAGS: &[&str] = &[
    "region",
    "endpoint-url",
    "verbose",
    "help",
    "version",
    "output",
];

/// The kebab-case flag for a member; a paginated operation's page size is `--page-size`, as
/// `--max-items` caps the items of all pages.
fn flag(field: &Field, op: &Operation) -> String {
    let page_size = op
        .paginator
        .as_ref()
        .and_then(|p| p.page_size_setter.as_deref());
    if page_size == Some(field.setter.as_str()) {
        return "page-size".into();
    }
    let flag = snake_case(&field.member).replace('_', "-");
    if GLOBAL_FLAGS.contains(&flag.as_str()) {
        format!("{flag}-member")
    } else {
        flag
    }
}

/// The kebab-case command name for a model name.
fn command_name(name: &str) -> String {
    snake_case(name).replace('_', "-")
}

/// The first sentence of a doc string, for `--help`.
fn summary(doc: Option<&str>, fallback: &str) -> String {
    let text = doc.unwrap_or(fallback);
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].trim().to_owned()
}

/// The CLI module for `service`, leaving out the operations in `skip` (which the CLI writes
/// by hand).
pub(crate) fn cli_module(service: &Service, skip: &[String]) -> TokenStream {
    let operations: Vec<&Operation> = service
        .operations
        .iter()
        .filter(|op| !skip.contains(&op.name))
        .collect();

    let commands = operations.iter().map(|op| command(op));
    let arms = operations.iter().map(|op| {
        let name = command_name(&op.name);
        let function = ident(&format!("call_{}", op.module));
        quote!(#name => #function(client, args).await,)
    });
    let functions = operations.iter().map(|op| call_function(op));

    let waiters: Vec<_> = service
        .operations
        .iter()
        .flat_map(|op| op.waiters.iter().map(move |w| (op, w)))
        .collect();
    let wait_examples = match waiters.first() {
        Some((op, w)) => examples(
            op,
            &format!("wait {}", command_name(&w.name)),
            None,
            "Examples:",
        ),
        None => "Examples:\n  lamina wait --help".to_owned(),
    };
    let wait_commands = waiters.iter().map(|(op, w)| {
        let name = command_name(&w.name);
        let about = format!("Wait until `{}` reports the {} state.", op.name, w.name);
        let args = op.input.fields.iter().filter_map(|f| arg(f, op, None));
        let examples = examples(
            op,
            &format!("wait {name}"),
            None,
            "Examples (exit code 0 once the state is reached):",
        );
        quote! {
            Command::new(#name)
                .about(#about)
                .after_help(#examples)
                #(.arg(#args))*
                .arg(
                    Arg::new("max-wait")
                        .long("max-wait")
                        .value_name("SECONDS")
                        .help("How long to wait at most (default 300)"),
                )
        }
    });
    let wait_arms = waiters.iter().map(|(op, w)| {
        let name = command_name(&w.name);
        let method = ident(&w.method);
        let sets = op.input.fields.iter().map(|f| set_member(f, op));
        quote! {
            #name => {
                let mut call = client.#method();
                #(#sets)*
                let max_wait = parse::seconds("--max-wait", args.get_one::<String>("max-wait"))?;
                let output = call.wait(max_wait).await.map_err(output::wait_failed)?;
                Ok(lamina::json::ToJson::to_json(&output))
            }
        }
    });
    let uses_types = operations
        .iter()
        .flat_map(|op| op.input.fields.iter())
        .any(|f| !matches!(f.ty, FieldType::String | FieldType::BigNumber) && !is_scalar(&f.ty));
    let types_import = uses_types.then(|| {
        quote!(
            use lamina::types;
        )
    });

    quote! {
        //! The subcommands for every operation and waiter of the model.

        use clap::{Arg, ArgMatches, Command};
        use serde_json::Value;
        #types_import

        use crate::{output, paging, parse, Exit};

        /// One subcommand per operation.
        pub(crate) fn commands() -> Vec<Command> {
            vec![#(#commands),*]
        }

        /// `wait`, with one subcommand per waiter.
        pub(crate) fn wait_command() -> Command {
            Command::new("wait")
                .about("Wait until a resource reaches a state; exits 0 when it does")
                .after_help(#wait_examples)
                .subcommand_required(true)
                .subcommands([#(#wait_commands),*])
        }

        /// Runs the operation subcommand `name`, or `None` when there is no such command.
        pub(crate) async fn run(
            client: &lamina::Client,
            name: &str,
            args: &ArgMatches,
        ) -> Option<Result<Value, Exit>> {
            let result = match name {
                #(#arms)*
                _ => return None,
            };
            Some(result)
        }

        /// Runs the waiter subcommand `name`.
        pub(crate) async fn wait(
            client: &lamina::Client,
            name: &str,
            args: &ArgMatches,
        ) -> Result<Value, Exit> {
            match name {
                #(#wait_arms)*
                other => Err(Exit::BadInput(format!("no waiter named {other}"))),
            }
        }

        #(#functions)*
    }
}

/// Whether values of `ty` are given as plain text (not JSON).
fn is_scalar(ty: &FieldType) -> bool {
    matches!(
        ty,
        FieldType::String
            | FieldType::BigNumber
            | FieldType::Bool
            | FieldType::Byte
            | FieldType::Short
            | FieldType::Integer
            | FieldType::Long
            | FieldType::Float
            | FieldType::Double
            | FieldType::Blob
            | FieldType::Timestamp
            | FieldType::Enum(_)
            | FieldType::IntEnum(_)
    )
}

/// The `Arg` for a member, or `None` for members the CLI does not take (the page token of
/// a paginated operation, which `--starting-token` replaces).
fn arg(field: &Field, op: &Operation, page_token: Option<&str>) -> Option<TokenStream> {
    if page_token == Some(field.setter.as_str()) || field.binding == Binding::ResponseCode {
        return None;
    }
    let name = flag(field, op);
    let how = match &field.ty {
        ty if is_scalar(ty) && *ty != FieldType::Blob => "",
        FieldType::Blob => " (text, @file or - for standard input)",
        _ => " (JSON)",
    };
    let help = format!("{}{how}", summary(field.doc.as_deref(), &field.member));
    let required = field.required;
    Some(quote! {
        Arg::new(#name).long(#name).help(#help).required(#required)
    })
}

fn command(op: &Operation) -> TokenStream {
    let name = command_name(&op.name);
    let about = summary(op.doc.as_deref(), &op.name);
    let page_token = op.paginator.as_ref().map(|p| p.input_token_setter.as_str());
    let args = op
        .input
        .fields
        .iter()
        .filter_map(|f| arg(f, op, page_token));
    let paging = op.paginator.as_ref().map(|_| {
        quote! {
            .arg(Arg::new("max-items").long("max-items").help("Stop after this many items in all"))
            .arg(
                Arg::new("starting-token")
                    .long("starting-token")
                    .help("Go on from the NextToken a previous call printed"),
            )
        }
    });
    let examples = examples(op, &name, page_token, "Examples:");
    quote! {
        Command::new(#name).about(#about).after_help(#examples) #(.arg(#args))* #paging
    }
}

/// The `--help` examples of a subcommand: a call with its required flags (and, for a
/// paginated operation, one capped at ten items).
fn examples(op: &Operation, command: &str, page_token: Option<&str>, heading: &str) -> String {
    let mut call = format!("lamina {command}");
    for field in op.input.fields.iter().filter(|f| f.required) {
        if page_token == Some(field.setter.as_str()) || field.binding == Binding::ResponseCode {
            continue;
        }
        call.push_str(&format!(" --{} {}", flag(field, op), placeholder(field)));
    }

    let mut text = format!("{heading}\n  {call}");
    if op.paginator.is_some() {
        text.push_str(&format!("\n  {call} --max-items 10"));
    }
    text
}

/// A value to show for a member in an example: its name in capitals for text, a sample for
/// other types.
fn placeholder(field: &Field) -> String {
    match &field.ty {
        FieldType::Bool => "true".into(),
        FieldType::Byte | FieldType::Short | FieldType::Integer | FieldType::Long => "1".into(),
        FieldType::Float | FieldType::Double | FieldType::BigNumber => "1.5".into(),
        FieldType::Blob => "@file.bin".into(),
        FieldType::Timestamp => "2024-01-01T00:00:00Z".into(),
        FieldType::List(_) => "'[...]'".into(),
        FieldType::Structure(_) | FieldType::Union(..) | FieldType::Map(_) => "'{...}'".into(),
        _ => snake_case(&field.member).to_ascii_uppercase(),
    }
}

/// The statement that sets a member from its flag, when the flag was given.
fn set_member(field: &Field, op: &Operation) -> TokenStream {
    let name = flag(field, op);
    let setter = ident(&field.setter);
    let option = format!("--{name}");
    let value = match &field.ty {
        FieldType::String | FieldType::BigNumber => quote!(text.clone()),
        FieldType::Enum(_) => {
            let ty = value_type(&field.ty);
            quote!(#ty::from(text.as_str()))
        }
        FieldType::IntEnum(_) => {
            let ty = value_type(&field.ty);
            quote!(#ty::from(parse::value::<i32>(#option, text)?))
        }
        FieldType::Blob => quote!(parse::blob(#option, text)?),
        FieldType::Timestamp => quote!(parse::timestamp(#option, text)?),
        ty if is_scalar(ty) => {
            let ty = value_type(ty);
            quote!(parse::value::<#ty>(#option, text)?)
        }
        ty => {
            let ty = value_type(ty);
            quote!(parse::json::<#ty>(#option, text)?)
        }
    };
    quote! {
        if let Some(text) = args.get_one::<String>(#name) {
            call = call.#setter(Some(#value));
        }
    }
}

fn call_function(op: &Operation) -> TokenStream {
    let function = ident(&format!("call_{}", op.module));
    let method = ident(&op.module);
    let page_token = op.paginator.as_ref().map(|p| p.input_token_setter.as_str());
    let sets = op
        .input
        .fields
        .iter()
        .filter(|f| page_token != Some(f.setter.as_str()) && f.binding != Binding::ResponseCode)
        .map(|f| set_member(f, op));
    let send = match &op.paginator {
        None => quote! {
            let output = call.send().await.map_err(output::call_failed)?;
            Ok(lamina::json::ToJson::to_json(&output))
        },
        Some(p) => {
            let set_token = ident(&p.input_token_setter);
            let token_member = op
                .output
                .fields
                .iter()
                .find(|f| f.name == p.output_token)
                .map(|f| f.member.clone())
                .unwrap_or_default();
            let items_member = p
                .items
                .as_ref()
                .and_then(|(getter, _)| op.output.fields.iter().find(|f| &f.name == getter))
                .map(|f| f.member.clone())
                .unwrap_or_default();
            quote! {
                paging::paginate(args, #token_member, #items_member, move |token| {
                    let call = call.clone().#set_token(token);
                    async move {
                        let page = call.send().await.map_err(output::call_failed)?;
                        Ok(lamina::json::ToJson::to_json(&page))
                    }
                })
                .await
            }
        }
    };
    let sets: Vec<TokenStream> = sets.collect();
    let (mutability, silence) = match (sets.is_empty(), op.paginator.is_some()) {
        (true, false) => (quote!(), quote!(let _ = args;)),
        (true, true) => (quote!(), quote!()),
        (false, _) => (quote!(mut), quote!()),
    };
    quote! {
        async fn #function(client: &lamina::Client, args: &ArgMatches) -> Result<Value, Exit> {
            #silence
            let #mutability call = client.#method();
            #(#sets)*
            #send
        }
    }
}
