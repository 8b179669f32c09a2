//! A client for exactly two operations of the project's model, generated at compile time.

lamina::client!(
    model = "../../model/lambda.json",
    operations = ["Invoke", "GetFunction"]
);

pub use generated::client::Client;
