//! The compared clients, each set up the way its users would for an explicit endpoint,
//! region and static credentials.

use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;

/// One of the compared clients, ready to invoke.
pub(crate) enum Bench {
    Lamina(lamina::Client),
    Sdk(aws_sdk_lambda::Client),
    Floor(Floor),
    SignedFloor(SignedFloor),
}

/// The floor: reqwest posting a request whose headers were computed once, unsigned.
pub(crate) struct Floor {
    client: reqwest::Client,
    url: String,
    headers: reqwest::header::HeaderMap,
}

/// The signed floor: the floor's request, signed with aws-sigv4's default settings on every
/// call. It is what a program written by hand with reqwest and aws-sigv4 costs: aws-sigv4's
/// request signer derives the signing key on each call, and keeps nothing between calls.
pub(crate) struct SignedFloor {
    floor: Floor,
    identity: Identity,
}

const KEY: &str = "AKIDBENCHMARK";
const SECRET: &str = "bench-secret";
const FUNCTION: &str = "bench-function";

impl Bench {
    /// The client called `name` (`lamina`, `sdk` or `floor`) for the server at `url`.
    pub(crate) async fn new(name: &str, url: &str) -> Result<Self, String> {
        match name {
            "lamina" => {
                let credentials = lamina::config::Credentials::new(KEY, SECRET, None, None, "b");
                let config = lamina::Config::builder()
                    .region("us-east-1")
                    .endpoint_url(url)
                    .credentials(credentials)
                    .build();
                Ok(Self::Lamina(lamina::Client::from_conf(config)))
            }
            "sdk" => {
                let credentials =
                    aws_credential_types::Credentials::new(KEY, SECRET, None, None, "b");
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(aws_config::Region::new("us-east-1"))
                    .endpoint_url(url)
                    .credentials_provider(credentials)
                    .load()
                    .await;
                Ok(Self::Sdk(aws_sdk_lambda::Client::new(&config)))
            }
            "floor" => Ok(Self::Floor(Floor::new(url))),
            "signed-floor" => {
                let credentials =
                    aws_credential_types::Credentials::new(KEY, SECRET, None, None, "b");
                Ok(Self::SignedFloor(SignedFloor {
                    floor: Floor::new(url),
                    identity: credentials.into(),
                }))
            }
            other => Err(format!(
                "unknown client `{other}`: use lamina, sdk, floor or signed-floor"
            )),
        }
    }

    /// Invokes the function with `payload`, returning the length of the response payload.
    pub(crate) async fn invoke(&self, payload: &Bytes) -> Result<usize, String> {
        match self {
            Self::Lamina(client) => {
                let output = client
                    .invoke()
                    .function_name(FUNCTION)
                    .payload(payload.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(output.payload().map_or(0, |p| p.len()))
            }
            Self::Sdk(client) => {
                let output = client
                    .invoke()
                    .function_name(FUNCTION)
                    .payload(aws_sdk_lambda::primitives::Blob::new(payload.to_vec()))
                    .send()
                    .await
                    .map_err(|e| format!("{e:?}"))?;
                Ok(output.payload().map_or(0, |p| p.as_ref().len()))
            }
            Self::Floor(floor) => {
                let response = floor
                    .client
                    .post(&floor.url)
                    .headers(floor.headers.clone())
                    .body(payload.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                Ok(body.len())
            }
            Self::SignedFloor(signed) => {
                let request = signed.request(payload)?;
                let response = signed
                    .floor
                    .client
                    .execute(request)
                    .await
                    .map_err(|e| e.to_string())?;
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                Ok(body.len())
            }
        }
    }
}

impl Floor {
    fn new(url: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("x-amz-invocation-type", "RequestResponse".parse().unwrap());
        Self {
            client: reqwest::Client::new(),
            url: format!("{url}/2015-03-31/functions/{FUNCTION}/invocations"),
            headers,
        }
    }
}

impl SignedFloor {
    /// The floor's request for `payload`, signed now.
    fn request(&self, payload: &Bytes) -> Result<reqwest::Request, String> {
        let floor = &self.floor;
        let mut request = floor
            .client
            .post(&floor.url)
            .headers(floor.headers.clone())
            .body(payload.clone())
            .build()
            .map_err(|e| e.to_string())?;

        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region("us-east-1")
            .name("lambda")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let headers = request.headers().iter().map(|(name, value)| {
            let value = value
                .to_str()
                .map_err(|_| format!("header {name} is not text"));
            value.map(|value| (name.as_str(), value))
        });
        let headers = headers.collect::<Result<Vec<_>, String>>()?;
        let signable = SignableRequest::new(
            "POST",
            request.url().as_str(),
            headers.into_iter(),
            SignableBody::Bytes(payload),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();

        let (signed, _) = instructions.into_parts();
        for header in signed {
            let value = reqwest::header::HeaderValue::from_str(header.value())
                .map_err(|e| e.to_string())?;
            request.headers_mut().insert(header.name(), value);
        }
        if !request
            .headers()
            .contains_key(reqwest::header::AUTHORIZATION)
        {
            return Err("aws-sigv4 left the request unsigned".into());
        }
        Ok(request)
    }
}
