//! The generator copes with all of AWS's Lambda model: the crate it writes for it compiles
//! without a warning.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_client_for_the_whole_aws_model_compiles_without_warnings() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let reference = root.join("../shared/reference/lambda-2015-03-31.json");
    if !reference.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {}",
            reference.display()
        );
        let why = format!("full model: AWS's model is not at {}", reference.display());
        lamina_e2e::moto::say_skipped(&why);
        return;
    }
    let json = std::fs::read_to_string(&reference).unwrap();
    let out = root.join("target/full-model/lambda-full-model");
    let runtime = root.join("crates/runtime").canonicalize().unwrap();

    let files = lamina_codegen::standalone_crate(
        &json,
        "lambda-full-model",
        &runtime.to_string_lossy(),
        "the full_model test",
    )
    .expect("the generator accepts AWS's whole model");
    let _ = std::fs::remove_dir_all(out.join("src"));
    for file in &files {
        let path = out.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.contents).unwrap();
    }
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    let operations = files
        .iter()
        .filter(|f| f.path.starts_with("src/generated/operation/"))
        .count();
    assert_eq!(
        operations,
        85 + 1,
        "one module per operation, and operation/mod.rs"
    );

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let build = Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/full-model/target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");

    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(
        build.status.success(),
        "the generated crate does not build:\n{stderr}"
    );
    assert!(
        !stderr.contains("warning"),
        "the generated crate has warnings:\n{stderr}"
    );
}
