//! Wire protocols: how members travel in HTTP messages and how errors are read.

pub mod rest_json;
