//! What loading configuration costs before the first call, lamina against `aws-config` in the
//! same run: the environment and the shared config and credentials files are read, the region
//! is found and the first credentials are resolved from the profile. Run with
//! `cargo bench -p lamina --bench config_load`.

use std::hint::black_box;

use aws_credential_types::provider::ProvideCredentials;
use criterion::{criterion_group, criterion_main, Criterion};
use lamina::Config;

/// Points `HOME` at a temporary folder holding a config and a credentials file, and clears
/// the variables that would short-cut the files.
fn shared_files() {
    let home = std::env::temp_dir().join(format!("lamina-bench-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".aws")).unwrap();

    let config = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-east-2\n";
    std::fs::write(home.join(".aws/config"), config).unwrap();
    let credentials = "[default]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = s\n";
    std::fs::write(home.join(".aws/credentials"), credentials).unwrap();

    std::env::set_var("HOME", &home);
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    for name in [
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ENDPOINT_URL",
    ] {
        std::env::remove_var(name);
    }
}

fn load(c: &mut Criterion) {
    shared_files();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut group = c.benchmark_group("config from the shared files, first credentials");
    group.bench_function("lamina", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let config = Config::from_env();
                let provider = config.credentials_provider().unwrap();
                let keys = provider.provide_credentials().await.unwrap();
                black_box((config.region().map(str::len), keys))
            })
        })
    });
    group.bench_function("aws-config", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let config = aws_config::load_from_env().await;
                let provider = config.credentials_provider().unwrap();
                let keys = provider.provide_credentials().await.unwrap();
                black_box((config.region().map(|r| r.as_ref().len()), keys))
            })
        })
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
