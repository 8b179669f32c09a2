//! The client's own costs per Invoke, without a network: building, serializing and signing
//! the request, and reading a success and an error response. Run with
//! `cargo bench -p lamina --bench invoke`.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lamina::config::Credentials;
use lamina::operation::invoke::{InvokeInput, InvokeOutput};
use lamina::runtime::error::ResponseMetadata;
use lamina::runtime::middleware::{DeserializeResponse, Response, SerializeRequest};
use lamina::runtime::protocol::rest_json::{self, JsonBody};
use lamina::runtime::signing::sign_request;

fn signed_request(payload: &Bytes, credentials: &Credentials) -> http::Request<Bytes> {
    let input = InvokeInput::builder()
        .function_name("my-function")
        .payload(payload.clone())
        .build()
        .unwrap();
    let mut request = input.serialize_request().unwrap();
    let uri = format!("https://lambda.us-east-1.amazonaws.com{}", request.uri());
    *request.uri_mut() = uri.parse().unwrap();
    let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    sign_request(&mut request, credentials, "us-east-1", "lambda", time).unwrap();
    request
}

fn response(status: u16, headers: &[(&str, &str)], body: &'static [u8]) -> Response {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Bytes::from_static(body)).unwrap()
}

fn request(c: &mut Criterion) {
    let credentials = Credentials::new("AKIDBENCH", "secret", Some("token".into()), None, "b");
    let mut group = c.benchmark_group("build, serialize and sign an Invoke request");
    for size in [1024, 6 * 1024 * 1024] {
        let payload = Bytes::from(vec![b'x'; size]);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(format!("{size} bytes"), |b| {
            b.iter(|| black_box(signed_request(&payload, &credentials)))
        });
    }
    group.finish();
}

fn responses(c: &mut Criterion) {
    let success = response(
        200,
        &[
            ("x-amz-executed-version", "$LATEST"),
            ("x-amzn-requestid", "5f1c7a3e-0000-4000-8000-000000000000"),
            (
                "x-amz-log-result",
                "U1RBUlQgUmVxdWVzdElkOiAxCkVORCBSZXF1ZXN0SWQ6IDEK",
            ),
        ],
        br#"{"statusCode":200,"body":"hello"}"#,
    );
    c.bench_function("parse an Invoke success response", |b| {
        b.iter(|| {
            let meta = ResponseMetadata::new(200, None, 1);
            black_box(InvokeOutput::deserialize_response(&success, meta).unwrap())
        })
    });

    let error = response(
        429,
        &[
            ("x-amzn-errortype", "TooManyRequestsException"),
            ("x-amzn-requestid", "5f1c7a3e-0000-4000-8000-000000000000"),
            ("retry-after", "1"),
        ],
        concat!(
            r#"{"Type":"User","message":"Rate exceeded","#,
            r#""Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}"#
        )
        .as_bytes(),
    );
    c.bench_function("parse an Invoke error response", |b| {
        b.iter(|| {
            let body = JsonBody::parse(error.body());
            let meta = rest_json::response_metadata(&error, 1);
            let meta = rest_json::error_metadata(&error, &body, meta);
            black_box(InvokeOutput::deserialize_error(&error, &body, meta))
        })
    });
}

criterion_group!(benches, request, responses);
criterion_main!(benches);
