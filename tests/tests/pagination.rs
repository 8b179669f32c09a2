//! Paginators against a Lambda-shaped server on loopback (moto ignores list markers).

use std::time::Duration;

use lamina::config::{Credentials, RetryConfig};
use lamina::{Client, Config};
use lamina_e2e::server::{Recorded, Reply, TestServer};

fn client(server: &TestServer) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            "AKIDPAGE",
            "page-secret",
            None,
            None,
            "test",
        ))
        .retry_config(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        .build();
    Client::from_conf(config)
}

/// Answers ListFunctions with pages of two functions; `next` maps the marker sent (None for
/// the first page) to the marker returned.
fn paged(next: fn(Option<&str>) -> Option<&'static str>) -> impl Fn(&Recorded) -> Reply {
    move |request| {
        let marker = request
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("Marker=")));
        let page = marker.unwrap_or("p0");
        let functions: Vec<_> = (0..2)
            .map(|i| serde_json::json!({"FunctionName": format!("{page}-fn{i}")}))
            .collect();
        let mut body = serde_json::json!({ "Functions": functions });
        if let Some(token) = next(marker) {
            body["NextMarker"] = token.into();
        }
        Reply::new(200, body.to_string()).header("Content-Type", "application/json")
    }
}

#[tokio::test]
async fn pages_are_fetched_until_the_last_one() {
    let server = TestServer::start(paged(|marker| match marker {
        None => Some("p1"),
        Some("p1") => Some("p2"),
        _ => None,
    }))
    .await;

    let mut pages = client(&server)
        .list_functions()
        .max_items(2)
        .into_paginator();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("every page arrives");
        seen.push(page.functions().map_or(0, <[_]>::len));
    }

    assert_eq!(seen, [2, 2, 2]);
    let queries: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.query().map(str::to_owned))
        .collect();
    assert_eq!(
        queries,
        [
            Some("MaxItems=2".to_owned()),
            Some("Marker=p1&MaxItems=2".to_owned()),
            Some("Marker=p2&MaxItems=2".to_owned()),
        ]
    );
}

#[tokio::test]
async fn items_flatten_the_pages_and_an_empty_token_ends_them() {
    let server = TestServer::start(paged(|marker| match marker {
        None => Some("p1"),
        _ => Some(""),
    }))
    .await;

    let names: Vec<String> = client(&server)
        .list_functions()
        .into_items()
        .collect()
        .await
        .expect("all items")
        .iter()
        .filter_map(|f| f.function_name().map(str::to_owned))
        .collect();

    assert_eq!(names, ["p0-fn0", "p0-fn1", "p1-fn0", "p1-fn1"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_repeated_token_fails_instead_of_looping() {
    let server = TestServer::start(paged(|marker| match marker {
        None => Some("p1"),
        Some("p1") => Some("p2"),
        _ => Some("p1"),
    }))
    .await;

    let err = client(&server)
        .list_functions()
        .into_paginator()
        .collect()
        .await
        .unwrap_err();

    assert!(err.to_string().contains("\"p1\" a second time"), "{err}");
    assert_eq!(server.requests().len(), 3);
}
