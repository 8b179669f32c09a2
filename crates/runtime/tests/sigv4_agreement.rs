//! lamina's SigV4 signer against `aws-sigv4`'s own request signer: for any request the two
//! must send the same `Authorization`, date, payload hash and token headers.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use lamina_runtime::signing::{Signer, UNSIGNED_HEADERS};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use proptest::prelude::*;

/// Bytes a path segment or query part may carry unencoded in a URI.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b';')
    .remove(b':')
    .remove(b'@');

fn reference_sign(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) {
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.excluded_headers = Some(UNSIGNED_HEADERS.iter().map(|h| Cow::Borrowed(*h)).collect());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("lambda")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect();
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(request.body()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(request);
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    authority: &'static str,
    scheme: &'static str,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    raw_query: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    token: Option<String>,
    secs: u64,
}

impl Case {
    fn request(&self) -> http::Request<Bytes> {
        let path: String = self
            .segments
            .iter()
            .map(|s| format!("/{}", utf8_percent_encode(s, SEGMENT)))
            .collect();
        let mut query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, SEGMENT),
                    utf8_percent_encode(v, SEGMENT)
                )
            })
            .collect();
        query.extend(self.raw_query.map(str::to_owned));
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        let uri = format!("{}://{}{path}{query}", self.scheme, self.authority);
        let mut builder = http::Request::builder().method(self.method).uri(uri);
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        builder.body(Bytes::from(self.body.clone())).unwrap()
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._~-]{0,12}",
        "[ -~]{0,12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just(String::new()),
        "\\PC{0,6}",
    ]
}

fn header() -> impl Strategy<Value = (&'static str, String)> {
    let names = prop::sample::select(vec![
        "content-type",
        "x-amz-invocation-type",
        "x-amz-client-context",
        "x-amz-log-type",
        "x-custom",
        "user-agent",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-security-token",
        "host",
    ]);
    (names, "[ -~]{0,16}")
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "HEAD"]),
        prop::sample::select(vec![
            ("https", "lambda.us-east-1.amazonaws.com"),
            ("https", "lambda.us-east-1.amazonaws.com:443"),
            ("http", "127.0.0.1:80"),
            ("http", "127.0.0.1:8080"),
            ("https", "[::1]:9443"),
            ("https", "lambda.us-east-1.amazonaws.com:0443"),
        ]),
        prop::collection::vec(text(), 0..5),
        prop::collection::vec((text(), text()), 0..4),
        prop::option::of(prop::sample::select(vec![
            "a+b=c+d", "x&&y=", "k=%2", "%7e=%7E",
        ])),
        prop::collection::vec(header(), 0..6),
        prop::collection::vec(any::<u8>(), 0..80),
        prop::option::of("[!-~][ -~]{0,38}[!-~]|[!-~] {2}[!-~]"),
        0u64..4_000_000_000,
    )
        .prop_map(
            |(
                method,
                (scheme, authority),
                segments,
                query,
                raw_query,
                headers,
                body,
                token,
                secs,
            )| {
                Case {
                    method,
                    authority,
                    scheme,
                    segments,
                    query,
                    raw_query,
                    headers,
                    body,
                    token,
                    secs,
                }
            },
        )
}

const SIGNED: &[&str] = &[
    "authorization",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn lamina_signs_every_request_as_aws_sigv4_does(case in case()) {
        let credentials =
            Credentials::new("AKIDEXAMPLE", "wJalr/K7+secret", case.token.clone(), None, "t");
        let time = UNIX_EPOCH + Duration::from_secs(case.secs);
        let mut ours = case.request();
        let mut theirs = case.request();

        Signer::default()
            .sign(&mut ours, &credentials, "eu-central-1", "lambda", time)
            .unwrap();
        reference_sign(&mut theirs, &credentials, "eu-central-1", time);

        for name in SIGNED {
            let ours: Vec<_> = ours.headers().get_all(*name).iter().collect();
            let theirs: Vec<_> = theirs.headers().get_all(*name).iter().collect();
            prop_assert_eq!(ours, theirs, "header {}", name);
        }
    }
}

#[test]
fn a_kept_key_is_not_used_for_another_day_region_or_secret() {
    let signer = Signer::default();
    let one = Credentials::new("AKID", "first-secret", None, None, "t");
    let other = Credentials::new("AKID", "second-secret", None, None, "t");
    let day = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let next_day = day + Duration::from_secs(86_400);
    let calls = [
        (&one, "us-east-1", day),
        (&one, "us-east-1", day),
        (&one, "us-east-1", next_day),
        (&one, "eu-west-1", next_day),
        (&other, "eu-west-1", next_day),
        (&one, "eu-west-1", next_day),
    ];

    for (credentials, region, time) in calls {
        let case = || {
            http::Request::post("https://lambda.us-east-1.amazonaws.com/2015-03-31/functions")
                .body(Bytes::from_static(b"{}"))
                .unwrap()
        };
        let (mut ours, mut theirs) = (case(), case());
        signer
            .sign(&mut ours, credentials, region, "lambda", time)
            .unwrap();
        reference_sign(&mut theirs, credentials, region, time);
        assert_eq!(
            ours.headers()["authorization"],
            theirs.headers()["authorization"],
            "{region} at {time:?}"
        );
    }
}
