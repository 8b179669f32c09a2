//! The three clients, each set up the way its users would for an explicit endpoint, region
//! and static credentials.

use bytes::Bytes;

/// One of the compared clients, ready to invoke.
pub(crate) enum Bench {
    Lamina(lamina::Client),
    Sdk(aws_sdk_lambda::Client),
    Floor(Floor),
}

/// The floor: reqwest posting a request whose headers were computed once, unsigned.
pub(crate) struct Floor {
    client: reqwest::Client,
    url: String,
    headers: reqwest::header::HeaderMap,
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
            "floor" => {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert("content-type", "application/json".parse().unwrap());
                headers.insert("x-amz-invocation-type", "RequestResponse".parse().unwrap());
                Ok(Self::Floor(Floor {
                    client: reqwest::Client::new(),
                    url: format!("{url}/2015-03-31/functions/{FUNCTION}/invocations"),
                    headers,
                }))
            }
            other => Err(format!(
                "unknown client `{other}`: use lamina, sdk or floor"
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
        }
    }
}
