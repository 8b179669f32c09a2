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
/// call. It is what a program written by hand with reqwest and aws-sigv4 costs, and so the
/// least a correct client of a SigV4 service can cost.
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
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region("us-east-1")
            .name("lambda")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let headers = self.floor.headers.iter();
        let headers = headers.map(|(name, value)| (name.as_str(), value.to_str().unwrap_or("")));
        let signable = SignableRequest::new(
            "POST",
            &self.floor.url,
            headers,
            SignableBody::Bytes(payload),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();

        let mut request = http::Request::post(&self.floor.url)
            .body(payload.clone())
            .map_err(|e| e.to_string())?;
        *request.headers_mut() = self.floor.headers.clone();
        instructions.apply_to_request_http1x(&mut request);
        reqwest::Request::try_from(request).map_err(|e| e.to_string())
    }
}
