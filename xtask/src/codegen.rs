//! `cargo xtask codegen`: model/ → crates/lamina/src/generated/.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use lamina_codegen::{generate, Options};

/// The model the command line's subcommands come from, where they go, and the operations
/// the CLI writes by hand instead.
const CLI_MODEL: &str = "model/lambda.json";
const CLI_OUT: &str = "crates/cli/src/generated";
const CLI_BY_HAND: &[&str] = &["Invoke"];

/// What `cargo xtask codegen` writes: a model, the folder its code goes into (nothing else
/// lives there), and the crate's name.
const TARGETS: &[(&str, &str, &str)] = &[
    ("model/lambda.json", "crates/lamina/src/generated", "lamina"),
    (
        "codegen/tests/models/bindings.json",
        "codegen/golden/src/generated",
        "lamina_golden",
    ),
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut model = None;
    let mut out = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--model" => model = rest.next().cloned(),
            "--out" => out = rest.next().cloned(),
            other => {
                return Err(format!(
                    "codegen: unknown argument `{other}` (known: --check, --model PATH --out DIR)"
                ))
            }
        }
    }
    match (model, out) {
        (Some(model), Some(out)) => return standalone(Path::new(&model), Path::new(&out)),
        (None, None) => {}
        _ => return Err("codegen: --model and --out go together".into()),
    }

    let root = workspace_root();
    let mut stale = Vec::new();
    for (model, out_dir, crate_name) in TARGETS {
        let model_path = root.join(model);
        let json = fs::read_to_string(&model_path)
            .map_err(|e| format!("cannot read {}: {e}", model_path.display()))?;
        let options = Options {
            operations: None,
            command: Some("cargo xtask codegen".into()),
            crate_name: Some((*crate_name).into()),
            runtime: None,
        };
        let files = generate(&json, &options).map_err(|e| format!("{model}: {e}"))?;
        let out = root.join(out_dir);

        if check {
            let found = stale_files(&out, &files)?;
            stale.extend(found.into_iter().map(|f| format!("{out_dir}/{f}")));
        } else {
            write_all(&out, &files)?;
            println!("wrote {} files to {out_dir}", files.len());
        }
    }

    let json = fs::read_to_string(root.join(CLI_MODEL)).map_err(|e| format!("{CLI_MODEL}: {e}"))?;
    let skip: Vec<String> = CLI_BY_HAND.iter().map(|s| (*s).to_owned()).collect();
    let cli = lamina_codegen::generate_cli(&json, "cargo xtask codegen", &skip)
        .map_err(|e| format!("{CLI_MODEL}: {e}"))?;
    let cli_out = root.join(CLI_OUT);
    if check {
        let found = stale_files(&cli_out, std::slice::from_ref(&cli))?;
        stale.extend(found.into_iter().map(|f| format!("{CLI_OUT}/{f}")));
    } else {
        write_all(&cli_out, std::slice::from_ref(&cli))?;
        println!("wrote the command line's subcommands to {CLI_OUT}");
    }

    if !stale.is_empty() {
        return Err(format!(
            "generated code is stale; run `cargo xtask codegen`. Differing files:\n  {}",
            stale.join("\n  ")
        ));
    }
    if check {
        println!("generated code is up to date");
    }
    Ok(())
}

/// Writes a standalone crate for the model at `model` into `out`, depending on the
/// workspace's runtime by path.
fn standalone(model: &Path, out: &Path) -> Result<(), String> {
    let json =
        fs::read_to_string(model).map_err(|e| format!("cannot read {}: {e}", model.display()))?;
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("generated-client");
    let runtime = workspace_root().join("crates").join("runtime");
    let command = format!(
        "cargo xtask codegen --model {} --out {}",
        model.display(),
        out.display()
    );
    let files = lamina_codegen::standalone_crate(&json, name, &runtime.to_string_lossy(), &command)
        .map_err(|e| format!("{}: {e}", model.display()))?;

    for file in &files {
        write_file(&out.join(&file.path), &file.contents)?;
    }
    println!(
        "wrote a crate of {} files to {}",
        files.len(),
        out.display()
    );
    Ok(())
}

fn write_file(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// The files that differ from a fresh run, are missing, or should not be there.
fn stale_files(out: &Path, files: &[lamina_codegen::GeneratedFile]) -> Result<Vec<String>, String> {
    let mut stale = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        match fs::read_to_string(&path) {
            Ok(existing) if existing == file.contents => {}
            Ok(_) => stale.push(format!("{} (differs)", file.path)),
            Err(_) => stale.push(format!("{} (missing)", file.path)),
        }
    }
    let expected: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for existing in list_rs(out)? {
        if !expected.contains(existing.as_str()) {
            stale.push(format!("{existing} (not generated any more)"));
        }
    }
    Ok(stale)
}

fn write_all(out: &Path, files: &[lamina_codegen::GeneratedFile]) -> Result<(), String> {
    let expected: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for existing in list_rs(out)? {
        if !expected.contains(existing.as_str()) {
            fs::remove_file(out.join(&existing)).map_err(|e| format!("{existing}: {e}"))?;
        }
    }
    for file in files {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        if fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            fs::write(&path, &file.contents).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Every `.rs` file below `dir`, as paths relative to it with `/` separators.
fn list_rs(dir: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(dir).map_err(|e| e.to_string())?;
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The workspace root: the parent of this crate's folder.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}
