// Every operation of the lamina client, with its output and error types: the one list that
// the hostile_responses test (which checks it against model/lambda.json) and the fuzz targets
// include with `include!`, each with an `operations!` macro of its own.
operations! {
    AddPermission => add_permission::{AddPermissionOutput, AddPermissionError};
    CreateAlias => create_alias::{CreateAliasOutput, CreateAliasError};
    CreateFunction => create_function::{CreateFunctionOutput, CreateFunctionError};
    CreateFunctionUrlConfig =>
        create_function_url_config::{CreateFunctionUrlConfigOutput, CreateFunctionUrlConfigError};
    DeleteAlias => delete_alias::{DeleteAliasOutput, DeleteAliasError};
    DeleteFunction => delete_function::{DeleteFunctionOutput, DeleteFunctionError};
    DeleteFunctionConcurrency => delete_function_concurrency::{
        DeleteFunctionConcurrencyOutput, DeleteFunctionConcurrencyError
    };
    DeleteFunctionEventInvokeConfig => delete_function_event_invoke_config::{
        DeleteFunctionEventInvokeConfigOutput, DeleteFunctionEventInvokeConfigError
    };
    DeleteFunctionUrlConfig =>
        delete_function_url_config::{DeleteFunctionUrlConfigOutput, DeleteFunctionUrlConfigError};
    GetAccountSettings => get_account_settings::{GetAccountSettingsOutput, GetAccountSettingsError};
    GetAlias => get_alias::{GetAliasOutput, GetAliasError};
    GetFunction => get_function::{GetFunctionOutput, GetFunctionError};
    GetFunctionConcurrency =>
        get_function_concurrency::{GetFunctionConcurrencyOutput, GetFunctionConcurrencyError};
    GetFunctionConfiguration => get_function_configuration::{
        GetFunctionConfigurationOutput, GetFunctionConfigurationError
    };
    GetFunctionEventInvokeConfig => get_function_event_invoke_config::{
        GetFunctionEventInvokeConfigOutput, GetFunctionEventInvokeConfigError
    };
    GetFunctionUrlConfig =>
        get_function_url_config::{GetFunctionUrlConfigOutput, GetFunctionUrlConfigError};
    GetPolicy => get_policy::{GetPolicyOutput, GetPolicyError};
    Invoke => invoke::{InvokeOutput, InvokeError};
    InvokeWithResponseStream => invoke_with_response_stream::{
        InvokeWithResponseStreamOutput, InvokeWithResponseStreamError
    };
    ListAliases => list_aliases::{ListAliasesOutput, ListAliasesError};
    ListFunctionEventInvokeConfigs => list_function_event_invoke_configs::{
        ListFunctionEventInvokeConfigsOutput, ListFunctionEventInvokeConfigsError
    };
    ListFunctionUrlConfigs =>
        list_function_url_configs::{ListFunctionUrlConfigsOutput, ListFunctionUrlConfigsError};
    ListFunctions => list_functions::{ListFunctionsOutput, ListFunctionsError};
    ListTags => list_tags::{ListTagsOutput, ListTagsError};
    ListVersionsByFunction =>
        list_versions_by_function::{ListVersionsByFunctionOutput, ListVersionsByFunctionError};
    PublishVersion => publish_version::{PublishVersionOutput, PublishVersionError};
    PutFunctionConcurrency =>
        put_function_concurrency::{PutFunctionConcurrencyOutput, PutFunctionConcurrencyError};
    PutFunctionEventInvokeConfig => put_function_event_invoke_config::{
        PutFunctionEventInvokeConfigOutput, PutFunctionEventInvokeConfigError
    };
    RemovePermission => remove_permission::{RemovePermissionOutput, RemovePermissionError};
    TagResource => tag_resource::{TagResourceOutput, TagResourceError};
    UntagResource => untag_resource::{UntagResourceOutput, UntagResourceError};
    UpdateAlias => update_alias::{UpdateAliasOutput, UpdateAliasError};
    UpdateFunctionCode => update_function_code::{UpdateFunctionCodeOutput, UpdateFunctionCodeError};
    UpdateFunctionConfiguration => update_function_configuration::{
        UpdateFunctionConfigurationOutput, UpdateFunctionConfigurationError
    };
}
