//! The golden client, run over a loopback socket: every HTTP binding the generator supports,
//! in both directions.

use lamina_e2e::server::{Reply, TestServer};
use lamina_golden::error::ThingNotFound;
use lamina_golden::operation::get_thing::GetThingError;
use lamina_golden::operation::put_thing::PutThingError;
use lamina_golden::types::Color;
use lamina_golden::Client;
use lamina_runtime::config::{Config, Credentials};
use lamina_runtime::error::{Fault, SdkError};

fn client(server: &TestServer) -> Client {
    let config = Config::builder()
        .region("eu-west-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new("AKID", "secret", None, None, "test"))
        .max_attempts(1)
        .build();
    Client::from_conf(config)
}

#[tokio::test]
async fn labels_query_headers_and_a_blob_payload_go_where_the_model_says() {
    let server = TestServer::start(|_| {
        Reply::new(201, "stored")
            .header("ETag", "\"abc\"")
            .header("X-Size", "6")
    })
    .await;

    let output = client(&server)
        .put_thing()
        .name("thing-1")
        .key("dir/file name.txt")
        .version(3)
        .dry_run(false)
        .color(Color::DarkBlue)
        .r#type(Color::from("purple"))
        .count(-7)
        .token("t0ken")
        .data(&b"\x00\x01binary"[..])
        .send()
        .await
        .expect("the server answers 201");

    let r = &server.requests()[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.path(), "/things/thing-1/files/dir/file%20name.txt");
    assert_eq!(
        r.query(),
        Some("mode=put&version=3&dryRun=false&color=dark-blue")
    );
    assert_eq!(r.header("x-thing-type"), Some("purple"));
    assert_eq!(r.header("x-count"), Some("-7"));
    assert_eq!(r.header("x-token"), Some("t0ken"));
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.body, b"\x00\x01binary");
    assert!(r
        .header("authorization")
        .is_some_and(|a| a.contains("/eu-west-1/bindings/")));

    assert_eq!(output.status(), 201);
    assert_eq!(output.e_tag(), Some("\"abc\""));
    assert_eq!(output.size(), Some(6));
    assert_eq!(output.body(), Some("stored"));
}

#[tokio::test]
async fn json_body_members_use_json_names_and_defaults_both_ways() {
    let server = TestServer::start(|_| {
        let body =
            r#"{"Name":"n","size":12,"Active":true,"Color":"self","Raw":"AAE=","extra":[1]}"#;
        Reply::new(200, body).header("X-Requested-By", "me")
    })
    .await;

    let output = client(&server)
        .get_thing()
        .self_("the/thing")
        .filter("abc")
        .deep(true)
        .ratio(0.5)
        .raw(&b"\x00\x01"[..])
        .send()
        .await
        .expect("the server answers 200");

    let r = &server.requests()[0];
    assert_eq!(r.path(), "/things/the%2Fthing/query");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"Limit": 10, "filter": "abc", "Deep": true, "Ratio": 0.5, "Raw": "AAE="})
    );

    assert_eq!(output.name(), Some("n"));
    assert_eq!(output.size_in_bytes(), Some(12));
    assert_eq!(output.active(), Some(true));
    assert_eq!(output.color(), Some(&Color::Self_));
    assert_eq!(output.raw().map(|b| &b[..]), Some(&b"\x00\x01"[..]));
    assert_eq!(output.requested_by(), Some("me"));
}

#[tokio::test]
async fn constraints_are_checked_before_sending() {
    let server = TestServer::start(|_| Reply::new(200, "")).await;
    let client = client(&server);

    let bad_pattern = client
        .put_thing()
        .name("Thing")
        .key("k")
        .send()
        .await
        .unwrap_err();
    let too_long = client
        .put_thing()
        .name("a".repeat(17))
        .key("k")
        .send()
        .await
        .unwrap_err();
    let filter = client
        .get_thing()
        .self_("x")
        .filter("123456789")
        .send()
        .await
        .unwrap_err();
    let missing_key = client.put_thing().name("ok").send().await.unwrap_err();

    let field = |e: &SdkError<_>| match e {
        SdkError::Construction(c) => c.field().map(str::to_owned),
        _ => None,
    };
    assert_eq!(field(&bad_pattern).as_deref(), Some("Name"));
    assert_eq!(field(&too_long).as_deref(), Some("Name"));
    assert_eq!(field(&missing_key).as_deref(), Some("Key"));
    let SdkError::<GetThingError>::Construction(c) = &filter else {
        panic!("{filter:?}")
    };
    assert_eq!(c.field(), Some("Filter"));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn errors_read_header_and_body_members_and_keep_their_fault() {
    let server = TestServer::start(|r| {
        if r.method == "PUT" {
            Reply::new(503, "").header("X-Amzn-ErrorType", "ServiceBroke")
        } else {
            Reply::new(404, r#"{"Message":"gone","ThingName":"t"}"#)
                .header("X-Amzn-ErrorType", "ThingNotFound")
                .header("Retry-After", "5")
        }
    })
    .await;
    let client = client(&server);

    let not_found = client.get_thing().self_("t").send().await.unwrap_err();
    let broke = client
        .put_thing()
        .name("t")
        .key("k")
        .send()
        .await
        .unwrap_err();

    let Some(GetThingError::ThingNotFound(e)) = not_found.as_service_error() else {
        panic!("{not_found:?}");
    };
    assert_eq!(
        (e.message(), e.thing_name(), e.retry_after()),
        (Some("gone"), Some("t"), Some(5))
    );
    assert_eq!(ThingNotFound::HTTP_STATUS, Some(404));
    assert_eq!(not_found.fault(), Fault::Client);

    let Some(PutThingError::ServiceBroke(e)) = broke.as_service_error() else {
        panic!("{broke:?}");
    };
    assert_eq!(e.members(), Vec::<(&str, String)>::new());
    assert_eq!(broke.fault(), Fault::Server);
}

#[test]
fn enums_keep_unknown_values_and_escape_awkward_names() {
    assert_eq!(Color::from("red"), Color::Red);
    assert_eq!(Color::from("2.0"), Color::V20);
    assert_eq!(Color::from("self"), Color::Self_);
    assert_eq!(Color::from("mauve").as_str(), "mauve");
    assert_eq!(Color::values(), ["red", "dark-blue", "self", "2.0"]);
}

#[test]
fn sensitive_members_are_redacted_in_debug() {
    let input = lamina_golden::operation::put_thing::PutThingInput::builder()
        .name("n")
        .key("k")
        .token("super-secret-token")
        .build()
        .unwrap();
    let shown = format!("{input:?}");
    assert!(!shown.contains("super-secret-token"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[tokio::test]
async fn lists_maps_timestamps_tokens_and_structure_payloads_travel_both_ways() {
    use lamina_golden::types::{Filter, Level, ResultValue, Shape};
    use lamina_runtime::datetime::DateTime;

    let server = TestServer::start(|_| {
        let body = serde_json::json!({
            "Results": [
                {"Name": "a", "Shape": {"Circle": {}}, "Level": 10},
                {"Name": "b", "Shape": {"Square": 4}, "Level": 3},
                {"Name": "c", "Shape": {"Hexagon": 6}}
            ],
            "Counts": {"x": 1, "y": 2},
            "Stamp": 1700000000.5,
            "Extra": {"free": ["form", 1]},
            "Unmodelled": true
        });
        Reply::new(200, body.to_string())
            .header("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT")
            .header("X-Echo-One", "1")
            .header("X-Echo-Two", "2")
    })
    .await;

    let output = client(&server)
        .search()
        .tags("t1")
        .tags("t 2")
        .since(DateTime::from_secs(1_700_000_000))
        .extra("z", "last")
        .extra("a", "first")
        .labels("l1")
        .labels("l2")
        .meta("Owner", "me")
        .filter(Filter::builder().prefix("p").colors(Color::Red).build())
        .send()
        .await
        .expect("the server answers 200");

    let r = &server.requests()[0];
    assert_eq!(
        r.query(),
        Some("tag=t1&tag=t%202&since=2023-11-14T22%3A13%3A20Z&a=first&z=last")
    );
    assert_eq!(r.header("x-labels"), Some("l1, l2"));
    assert_eq!(r.header("x-meta-owner"), Some("me"));
    assert_eq!(
        r.header("x-client-token").map(str::len),
        Some(36),
        "a token is filled in"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(sent, serde_json::json!({"Prefix": "p", "Colors": ["red"]}));

    let results: &[ResultValue] = output.results().unwrap();
    assert_eq!(
        results[0]
            .shape()
            .and_then(Shape::as_circle)
            .map(|c| c.radius()),
        Some(1.0)
    );
    assert_eq!(results[0].level(), Some(&Level::High));
    assert_eq!(results[1].shape().and_then(Shape::as_square), Some(&4));
    assert_eq!(results[1].level(), Some(&Level::Unknown(3)));
    assert_eq!(results[2].shape(), Some(&Shape::Unknown("Hexagon".into())));
    assert_eq!(output.counts().map(|c| c["y"]), Some(2));
    assert_eq!(
        output.stamp().map(|t| t.as_secs_f64()),
        Some(1_700_000_000.5)
    );
    assert_eq!(output.modified(), Some(DateTime::from_secs(1_700_000_000)));
    let echo = output.echo().unwrap();
    assert_eq!((echo["one"].as_str(), echo["two"].as_str()), ("1", "2"));
    assert_eq!(
        output.extra(),
        Some(&serde_json::json!({"free": ["form", 1]}))
    );
}

#[tokio::test]
async fn a_member_of_the_wrong_kind_is_a_response_error_naming_it() {
    let server =
        TestServer::start(|_| Reply::new(200, r#"{"Results": [{"Name": "a"}, {"Name": 7}]}"#))
            .await;

    let err = client(&server).search().send().await.unwrap_err();

    let SdkError::<_>::Response(e) = &err else {
        panic!("{err:?}")
    };
    assert!(
        e.to_string()
            .contains("`Results[1].Name` should be a string"),
        "{e}"
    );
}

#[tokio::test]
async fn the_paginator_follows_next_tokens_and_yields_items() {
    let server = TestServer::start(|r| {
        let next = r
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("next="));
        let body = match next {
            None => r#"{"Results": [{"Name": "a"}], "NextToken": "t1"}"#,
            Some("t1") => r#"{"Results": [{"Name": "b"}, {"Name": "c"}]}"#,
            Some(_) => r#"{"Results": []}"#,
        };
        Reply::new(200, body)
    })
    .await;

    let items = client(&server)
        .search()
        .limit(2)
        .into_items()
        .collect()
        .await
        .unwrap();

    let names: Vec<&str> = items.iter().filter_map(|r| r.name()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_event_stream_decodes_payloads_headers_and_json_events_as_they_arrive() {
    use lamina_golden::types::ThingEvents;
    use lamina_runtime::event_stream::frame::{encode, HeaderValue};

    let event = |event_type: &str, headers: Vec<(&str, HeaderValue)>, payload: &[u8]| {
        let mut all = vec![
            (":message-type", HeaderValue::from("event")),
            (":event-type", HeaderValue::from(event_type)),
        ];
        all.extend(headers);
        encode(&all, payload)
    };
    let mut body = event(
        "Changed",
        vec![
            ("Name", HeaderValue::from("widget")),
            ("Version", HeaderValue::Int64(42)),
            ("Deleted", HeaderValue::Bool(false)),
        ],
        &[0, 1, 2, 255],
    );
    body.extend(event("Renamed", vec![], b"{}"));
    body.extend(event("Summary", vec![], br#"{"Seen": 1, "Note": "quiet"}"#));
    body.extend(event(
        "Changed",
        vec![("Version", HeaderValue::from("not a number"))],
        b"",
    ));
    let server =
        TestServer::start(move |_| Reply::new(200, body.clone()).header("x-cursor", "c-9")).await;

    let output = client(&server)
        .watch_things()
        .prefix("w")
        .send()
        .await
        .unwrap();

    assert_eq!(output.cursor(), Some("c-9"));
    let events = output.events();
    match events.recv().await.unwrap() {
        Some(ThingEvents::Changed(changed)) => {
            assert_eq!(changed.body().map(|b| &b[..]), Some(&[0u8, 1, 2, 255][..]));
            assert_eq!(changed.name(), Some("widget"));
            assert_eq!(changed.version(), Some(42));
            assert_eq!(changed.deleted(), Some(false));
        }
        other => panic!("expected the change, got {other:?}"),
    }
    match events.recv().await.unwrap() {
        Some(ThingEvents::Unknown(name)) => assert_eq!(name, "Renamed"),
        other => panic!("an event type the model does not know is kept by name: {other:?}"),
    }
    match events.recv().await.unwrap() {
        Some(ThingEvents::Summary(summary)) => {
            assert_eq!(summary.seen(), Some(1));
            assert_eq!(summary.note(), Some("quiet"));
        }
        other => panic!("expected the summary, got {other:?}"),
    }
    let err = events.recv().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `Changed` event could not be read: its `Version` header holds a string"
    );
    assert!(
        matches!(events.recv().await, Ok(None)),
        "an error ends the stream"
    );
    assert_eq!(server.requests()[0].target, "/things/watch?prefix=w");
}
