//! Automatic pagination for list commands, as the AWS CLI does it: pages are fetched and
//! merged, `--max-items` caps the total, and `--starting-token` resumes where a capped run
//! stopped.

use std::future::Future;

use base64::Engine as _;
use clap::ArgMatches;
use serde_json::{json, Value};

use crate::Exit;

/// Where a capped run stopped: the service's token for the page, and how many of that
/// page's items were already printed.
#[derive(Debug, PartialEq, Eq)]
struct Resume {
    token: Option<String>,
    skip: usize,
}

impl Resume {
    fn encode(&self) -> String {
        let value = json!({"token": self.token, "skip": self.skip});
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn decode(text: &str) -> Result<Self, Exit> {
        let bad = || Exit::BadInput("--starting-token is not a token this tool printed".into());
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad())?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        Ok(Self {
            token: value["token"].as_str().map(str::to_owned),
            skip: value["skip"].as_u64().ok_or_else(bad)? as usize,
        })
    }
}

/// Fetches pages with `fetch` (given the service's page token) and merges their
/// `items_member` lists into one output, honouring `--max-items` and `--starting-token`.
pub(crate) async fn paginate<F, Fut>(
    args: &ArgMatches,
    token_member: &str,
    items_member: &str,
    fetch: F,
) -> Result<Value, Exit>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<Value, Exit>>,
{
    let max_items = match args.get_one::<String>("max-items") {
        Some(text) => Some(crate::parse::value::<usize>("--max-items", text)?),
        None => None,
    };
    let mut resume = match args.get_one::<String>("starting-token") {
        Some(text) => Resume::decode(text)?,
        None => Resume {
            token: None,
            skip: 0,
        },
    };

    let mut merged = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut last = loop {
        let mut page = fetch(resume.token.clone()).await?;
        let items = page[items_member].as_array().cloned().unwrap_or_default();
        let next = page[token_member]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let room = max_items.map_or(usize::MAX, |max| max - merged.len());
        let available: Vec<Value> = items.into_iter().skip(resume.skip).collect();

        if available.len() > room {
            merged.extend(available.into_iter().take(room));
            let token = Resume {
                token: resume.token.clone(),
                skip: resume.skip + room,
            };
            page["NextToken"] = Value::String(token.encode());
            break page;
        }
        merged.extend(available);
        match next {
            Some(token) if merged.len() < max_items.unwrap_or(usize::MAX) => {
                if !seen.insert(token.clone()) {
                    return Err(Exit::Failed(format!(
                        "the service returned the page token {token:?} twice; stopping"
                    )));
                }
                resume = Resume {
                    token: Some(token),
                    skip: 0,
                };
            }
            Some(token) => {
                let resume = Resume {
                    token: Some(token),
                    skip: 0,
                };
                page["NextToken"] = Value::String(resume.encode());
                break page;
            }
            None => break page,
        }
    };

    if let Value::Object(object) = &mut last {
        object.remove(token_member);
        object.insert(items_member.to_owned(), Value::Array(merged));
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_tokens_round_trip_and_refuse_garbage() {
        let resume = Resume {
            token: Some("m1".into()),
            skip: 3,
        };
        assert_eq!(Resume::decode(&resume.encode()).unwrap(), resume);
        assert!(Resume::decode("not a token").is_err());
    }
}
