//! Wire protocols. Lambda speaks AWS restJson1.

pub mod rest_json;
