//! A function's whole life through lamina alone, against moto: create, read, update, version,
//! alias, tag, permission, concurrency, event invoke config, function URL, list, delete.
//! Only the IAM role is made by the harness, as IAM is another service.

use lamina::config::Credentials;
use lamina::operation::get_function::GetFunctionError;
use lamina::types::{FunctionCode, FunctionUrlAuthType, Runtime};
use lamina::{Client, Config};
use lamina_e2e::moto::{Moto, REGION};

fn client(moto: &Moto) -> Client {
    let config = Config::builder()
        .region(REGION)
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            "AKIDLIFE",
            "life-secret",
            None,
            None,
            "test",
        ))
        .build();
    Client::from_conf(config)
}

fn code() -> FunctionCode {
    FunctionCode::builder()
        .zip_file(&b"PK\x05\x06lamina lifecycle"[..])
        .build()
}

#[tokio::test]
async fn a_function_lives_and_dies_through_lamina() {
    let Some(moto) = Moto::from_env_or_skip("a_function_lives_and_dies_through_lamina") else {
        return;
    };
    let role = moto.create_role("lifecycle-role").await.expect("role");
    let client = client(&moto);
    let name = "lifecycle-fn";

    let created = client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(&role)
        .handler("index.handler")
        .code(code())
        .description("first")
        .memory_size(256)
        .tags("team", "lamina")
        .send()
        .await
        .expect("CreateFunction");
    assert_eq!(created.function_name(), Some(name));
    assert_eq!(created.runtime(), Some(&Runtime::Python312));
    assert_eq!(created.memory_size(), Some(256));
    assert!(created
        .function_arn()
        .is_some_and(|arn| arn.ends_with(":function:lifecycle-fn")));

    let fetched = client
        .get_function()
        .function_name(name)
        .send()
        .await
        .expect("GetFunction");
    let configuration = fetched.configuration().expect("a configuration");
    assert_eq!(configuration.description(), Some("first"));
    assert_eq!(
        fetched
            .tags()
            .and_then(|t| t.get("team"))
            .map(String::as_str),
        Some("lamina")
    );

    client
        .update_function_configuration()
        .function_name(name)
        .description("second")
        .timeout(30)
        .send()
        .await
        .expect("UpdateFunctionConfiguration");
    client
        .update_function_code()
        .function_name(name)
        .zip_file(&b"PK\x05\x06new code"[..])
        .send()
        .await
        .expect("UpdateFunctionCode");
    let configuration = client
        .get_function_configuration()
        .function_name(name)
        .send()
        .await
        .expect("GetFunctionConfiguration");
    assert_eq!(configuration.description(), Some("second"));
    assert_eq!(configuration.timeout(), Some(30));

    let version = client
        .publish_version()
        .function_name(name)
        .send()
        .await
        .expect("PublishVersion");
    let number = version.version().expect("a version number").to_owned();
    let versions = client
        .list_versions_by_function()
        .function_name(name)
        .send()
        .await
        .expect("ListVersionsByFunction");
    let listed: Vec<&str> = versions
        .versions()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.version())
        .collect();
    assert!(listed.contains(&number.as_str()), "{listed:?}");

    let alias = client
        .create_alias()
        .function_name(name)
        .name("live")
        .function_version(&number)
        .send()
        .await
        .expect("CreateAlias");
    assert_eq!(alias.function_version(), Some(number.as_str()));
    let aliases = client
        .list_aliases()
        .function_name(name)
        .send()
        .await
        .expect("ListAliases");
    assert_eq!(aliases.aliases().map(<[_]>::len), Some(1));
    let invoked = client
        .invoke()
        .function_name(name)
        .qualifier("live")
        .payload(r#"{"via": "alias"}"#)
        .send()
        .await
        .expect("Invoke through the alias");
    assert_eq!(invoked.status_code(), 200);

    let arn = created.function_arn().unwrap();
    client
        .tag_resource()
        .resource(arn)
        .tags("stage", "test")
        .send()
        .await
        .expect("TagResource");
    let tags = client
        .list_tags()
        .resource(arn)
        .send()
        .await
        .expect("ListTags");
    assert_eq!(
        tags.tags().and_then(|t| t.get("stage")).map(String::as_str),
        Some("test")
    );
    client
        .untag_resource()
        .resource(arn)
        .tag_keys("stage")
        .send()
        .await
        .expect("UntagResource");
    let tags = client
        .list_tags()
        .resource(arn)
        .send()
        .await
        .expect("ListTags");
    assert_eq!(tags.tags().and_then(|t| t.get("stage")), None);

    client
        .add_permission()
        .function_name(name)
        .statement_id("allow-s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .expect("AddPermission");
    let policy = client
        .get_policy()
        .function_name(name)
        .send()
        .await
        .expect("GetPolicy");
    assert!(
        policy.policy().is_some_and(|p| p.contains("allow-s3")),
        "{policy:?}"
    );

    client
        .put_function_concurrency()
        .function_name(name)
        .reserved_concurrent_executions(5)
        .send()
        .await
        .expect("PutFunctionConcurrency");
    let concurrency = client
        .get_function_concurrency()
        .function_name(name)
        .send()
        .await
        .expect("GetFunctionConcurrency");
    assert_eq!(concurrency.reserved_concurrent_executions(), Some(5));

    client
        .put_function_event_invoke_config()
        .function_name(name)
        .maximum_retry_attempts(1)
        .send()
        .await
        .expect("PutFunctionEventInvokeConfig");
    let config = client
        .get_function_event_invoke_config()
        .function_name(name)
        .send()
        .await
        .expect("GetFunctionEventInvokeConfig");
    assert_eq!(config.maximum_retry_attempts(), Some(1));

    let url = client
        .create_function_url_config()
        .function_name(name)
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .expect("CreateFunctionUrlConfig");
    assert!(url.function_url().is_some_and(|u| !u.is_empty()));

    let functions = client.list_functions().send().await.expect("ListFunctions");
    let names: Vec<&str> = functions
        .functions()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.function_name())
        .collect();
    assert!(names.contains(&name), "{names:?}");

    client
        .delete_alias()
        .function_name(name)
        .name("live")
        .send()
        .await
        .expect("DeleteAlias");
    client
        .delete_function()
        .function_name(name)
        .send()
        .await
        .expect("DeleteFunction");
    let gone = client
        .get_function()
        .function_name(name)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            gone.as_service_error(),
            Some(GetFunctionError::ResourceNotFoundException(_))
        ),
        "{gone:?}"
    );
}
