//! lamina's code generator: a Smithy JSON AST model in, formatted Rust out.
//!
//! The pipeline is visible in the modules: [`model`] reads and checks the JSON, [`ir`] lowers
//! it into Rust-ready types with every name resolved, and [`emit`] prints the IR with `quote`
//! and `prettyplease`. Fronts (the `xtask` command, tests) call [`generate`].
//!
//! # Example
//! ```
//! let model = r#"{
//!   "smithy": "2.0",
//!   "shapes": {
//!     "example#Svc": {
//!       "type": "service", "version": "1", "operations": [{"target": "example#Ping"}]
//!     },
//!     "example#Ping": {
//!       "type": "operation", "traits": {"smithy.api#http": {"method": "GET", "uri": "/ping"}}
//!     }
//!   }
//! }"#;
//! let files = lamina_codegen::generate(model, &lamina_codegen::Options::default()).unwrap();
//! assert!(files.iter().any(|f| f.path == "operation/ping.rs"));
//! ```

#![warn(missing_docs, unreachable_pub)]

pub mod emit;
pub mod ir;
pub mod model;

use std::fmt;

pub use emit::GeneratedFile;

/// What to generate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these operations (by model name); all of them when `None`.
    pub operations: Option<Vec<String>>,
    /// The command that regenerates the output, named in each file's first line.
    pub command: Option<String>,
    /// The name of the crate the code goes into, as doc examples `use` it (`lamina` when
    /// unset).
    pub crate_name: Option<String>,
}

/// Why generation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The file is not a Smithy JSON AST.
    Parse(String),
    /// The model is incomplete or uses something the generator cannot express; each entry
    /// names the shape at fault.
    Invalid(Vec<String>),
    /// The emitted code did not parse as Rust, which is a bug of the generator.
    Emit(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => write!(f, "the model is not a Smithy JSON AST: {e}"),
            Error::Invalid(problems) => {
                write!(
                    f,
                    "the model cannot be generated ({} problems):",
                    problems.len()
                )?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
            Error::Emit(e) => write!(f, "the generator produced invalid Rust: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Generates the client for the model in `json`: file paths relative to the generated folder,
/// with their formatted contents.
pub fn generate(json: &str, options: &Options) -> Result<Vec<GeneratedFile>, Error> {
    let model = model::Model::from_json(json)?;
    let service = ir::lower(&model, options.operations.as_deref())?;
    let command = options.command.as_deref().unwrap_or("cargo xtask codegen");
    let crate_name = options.crate_name.as_deref().unwrap_or("lamina");
    emit::emit(&service, command, crate_name)
}
