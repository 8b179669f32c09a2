//! `--profile` against a Lambda-shaped server on loopback: as in the AWS CLI, a profile named
//! on the command line gives the credentials even when the environment has keys, while one
//! named by `AWS_PROFILE` does not.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use lamina_e2e::server::{Reply, TestServer};

/// Runs `lamina invoke` against `server` with keys in the environment and the shared files
/// in `dir`.
fn invoke(server: &TestServer, dir: &Path, extra: &[&str], aws_profile: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lamina"));
    command
        .arg("invoke")
        .args(["--region", "us-east-1", "--endpoint-url", server.url()])
        .args(["--function-name", "f"])
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "AKIDENV")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    if let Some(profile) = aws_profile {
        command.env("AWS_PROFILE", profile);
    }
    command.output().expect("the lamina binary runs")
}

/// The access key id the request was signed with.
fn signed_with(server: &TestServer, index: usize) -> String {
    let requests = server.requests();
    let authorization = requests[index].header("authorization").unwrap_or_default();
    let credential = authorization
        .split("Credential=")
        .nth(1)
        .unwrap_or_default();
    credential.split('/').next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_on_the_command_line_wins_over_environment_keys_and_aws_profile_does_not() {
    let server = TestServer::start(|_| Reply::new(200, "{}")).await;
    let dir = std::env::temp_dir().join(format!("lamina-cli-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let credentials = "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n";
    std::fs::write(dir.join("credentials"), credentials).unwrap();
    std::fs::write(dir.join("config"), "[profile dev]\nregion = eu-west-1\n").unwrap();

    let flag = invoke(&server, &dir, &["--profile", "dev"], None);
    let variable = invoke(&server, &dir, &[], Some("dev"));

    for output in [&flag, &variable] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
    }
    assert_eq!(signed_with(&server, 0), "AKIDPROFILE", "--profile dev");
    assert_eq!(signed_with(&server, 1), "AKIDENV", "AWS_PROFILE=dev");
    let _ = std::fs::remove_dir_all(&dir);
}
