//! The error parser: any status, headers and body give a bare code (no namespace, no URI, no
//! spaces around it) or a message that says what arrived instead.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

use lamina_fuzz::response::response;
use lamina_runtime::protocol::rest_json::{error_metadata, response_metadata, JsonBody};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(response) = response(&mut u, "smithy.api#Document") else {
        return;
    };

    let body = JsonBody::parse(response.body());
    let meta = error_metadata(&response, &body, response_metadata(&response, 1));

    assert_eq!(meta.response().http_status(), response.status().as_u16());
    match meta.code() {
        Some(code) => {
            assert!(!code.is_empty() && code.trim() == code, "{code:?}");
            assert!(!code.contains([':', '#']), "a decorated code: {code:?}");
        }
        None => assert!(meta.message().is_some(), "neither code nor message"),
    }
});
