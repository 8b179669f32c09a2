//! InvokeWithResponseStream over real sockets: a Lambda-shaped server on loopback streams
//! event-stream frames over chunked HTTP, well and badly, and the client hands each event
//! over as it arrives.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lamina::config::Credentials;
use lamina::error::SdkError;
use lamina::operation::invoke_with_response_stream::{
    InvokeWithResponseStreamError, InvokeWithResponseStreamOutput,
};
use lamina::runtime::event_stream::frame::{encode, HeaderValue};
use lamina::runtime::event_stream::receiver::EventStreamError;
use lamina::types::InvokeWithResponseStreamResponseEvent as Event;
use lamina::{Client, Config};
use lamina_e2e::faulty::{Act, FaultyServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client(url: &str) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDSTREAM", "secret", None, None, "test"))
        .max_attempts(1)
        .build();
    Client::from_conf(config)
}

async fn call(url: &str) -> Result<InvokeWithResponseStreamOutput, String> {
    client(url)
        .invoke_with_response_stream()
        .function_name("streamer")
        .payload(r#"{"n": 3}"#)
        .send()
        .await
        .map_err(|e| e.to_string())
}

fn event_frame(event_type: &str, payload: &[u8]) -> Vec<u8> {
    encode(
        &[
            (":message-type", HeaderValue::from("event")),
            (":event-type", HeaderValue::from(event_type)),
            (
                ":content-type",
                HeaderValue::from("application/octet-stream"),
            ),
        ],
        payload,
    )
}

fn chunk(payload: &[u8]) -> Vec<u8> {
    event_frame("PayloadChunk", payload)
}

fn complete(json: &str) -> Vec<u8> {
    event_frame("InvokeComplete", json.as_bytes())
}

/// The head of a streamed answer, chunked.
fn head() -> Act {
    Act::Write(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n\
          x-amz-executed-version: 7\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec(),
    )
}

/// One HTTP chunk holding `bytes`.
fn http_chunk(bytes: &[u8]) -> Act {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    Act::Write(out)
}

fn end() -> Act {
    Act::Write(b"0\r\n\r\n".to_vec())
}

/// Everything the stream gives until it ends: the payload bytes, the completion event's
/// error code and log, and the error that ended it, if any.
#[derive(Debug, Default)]
struct Received {
    payload: Vec<u8>,
    chunks: usize,
    completed: bool,
    error_code: Option<String>,
    log: Option<String>,
    error: Option<EventStreamError>,
}

async fn drain(output: &InvokeWithResponseStreamOutput) -> Received {
    let events = output.event_stream();
    let mut received = Received::default();
    loop {
        match events.recv().await {
            Ok(Some(Event::PayloadChunk(c))) => {
                received.chunks += 1;
                received
                    .payload
                    .extend_from_slice(c.payload().expect("a chunk has bytes"));
            }
            Ok(Some(Event::InvokeComplete(done))) => {
                received.completed = true;
                received.error_code = done.error_code().map(str::to_owned);
                received.log = done.log_result().map(str::to_owned);
            }
            Ok(Some(other)) => panic!("an event the model does not name: {other:?}"),
            Ok(None) => return received,
            Err(e) => {
                received.error = Some(e);
                assert!(
                    matches!(events.recv().await, Ok(None)),
                    "an error ends the stream"
                );
                return received;
            }
        }
    }
}

#[tokio::test]
async fn many_small_chunks_arrive_in_order_then_the_completion() {
    let server = FaultyServer::start(|_| {
        let mut acts = vec![head()];
        for i in 0..200 {
            acts.push(http_chunk(&chunk(format!("line {i}\n").as_bytes())));
        }
        acts.push(http_chunk(&complete(r#"{"LogResult":"U1RBUlQ="}"#)));
        acts.push(end());
        acts
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    assert_eq!(output.status_code(), 200);
    assert_eq!(output.executed_version(), Some("7"));
    assert_eq!(
        output.response_stream_content_type(),
        Some("application/vnd.amazon.eventstream")
    );
    let expected: String = (0..200).map(|i| format!("line {i}\n")).collect();
    assert_eq!(String::from_utf8(received.payload).unwrap(), expected);
    assert_eq!(received.chunks, 200);
    assert!(received.completed);
    assert_eq!(received.error_code, None);
    assert_eq!(received.log.as_deref(), Some("U1RBUlQ="));
    assert!(received.error.is_none(), "{:?}", received.error);
    let sent = &server.received()[0];
    assert_eq!(
        sent.path(),
        "/2021-11-15/functions/streamer/response-streaming-invocations"
    );
}

#[tokio::test]
async fn one_large_chunk_arrives_whole_and_byte_exact() {
    let big: Vec<u8> = (0..(5 << 20)).map(|i| (i % 251) as u8).collect();
    let frame = chunk(&big);
    let server = FaultyServer::start(move |_| {
        vec![
            head(),
            http_chunk(&frame),
            http_chunk(&complete("{}")),
            end(),
        ]
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    assert_eq!(received.chunks, 1);
    assert!(
        received.payload == big,
        "the 5 MiB payload came back changed"
    );
    assert!(received.completed);
}

#[tokio::test]
async fn frames_split_across_reads_are_put_back_together() {
    let mut body = Vec::new();
    for i in 0..20 {
        body.extend(chunk(format!("piece {i};").as_bytes()));
    }
    body.extend(complete(
        r#"{"ErrorCode":"Unhandled","ErrorDetails":"boom"}"#,
    ));
    let server = FaultyServer::start(move |_| {
        let mut acts = vec![head()];
        for piece in body.chunks(7) {
            acts.push(http_chunk(piece));
            acts.push(Act::Stall(Duration::from_millis(1)));
        }
        acts.push(end());
        acts
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    let expected: String = (0..20).map(|i| format!("piece {i};")).collect();
    assert_eq!(String::from_utf8(received.payload).unwrap(), expected);
    assert_eq!(received.error_code.as_deref(), Some("Unhandled"));
    assert!(received.error.is_none());
}

#[tokio::test]
async fn an_error_message_mid_stream_ends_it_with_the_code_and_message() {
    let error = encode(
        &[
            (":message-type", HeaderValue::from("error")),
            (":error-code", HeaderValue::from("ServiceException")),
            (
                ":error-message",
                HeaderValue::from("the function's host went away"),
            ),
        ],
        b"",
    );
    let server = FaultyServer::start(move |_| {
        vec![
            head(),
            http_chunk(&chunk(b"first")),
            http_chunk(&error),
            http_chunk(&chunk(b"never read")),
            end(),
        ]
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    assert_eq!(received.payload, b"first");
    let error = received.error.expect("the error message ends the stream");
    assert!(
        matches!(&error, EventStreamError::Error { code, .. } if code == "ServiceException"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the service ended the stream with an error: ServiceException: the function's host \
         went away"
    );
}

#[tokio::test]
async fn an_exception_message_ends_the_stream_with_its_type_and_message() {
    let exception = encode(
        &[
            (":message-type", HeaderValue::from("exception")),
            (
                ":exception-type",
                HeaderValue::from("TooManyRequestsException"),
            ),
            (":content-type", HeaderValue::from("application/json")),
        ],
        br#"{"message":"Rate exceeded"}"#,
    );
    let server = FaultyServer::start(move |_| {
        vec![
            head(),
            http_chunk(&chunk(b"before")),
            http_chunk(&exception),
            end(),
        ]
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    assert_eq!(received.payload, b"before");
    match received.error {
        Some(EventStreamError::Exception { code, message }) => {
            assert_eq!(code, "TooManyRequestsException");
            assert_eq!(message.as_deref(), Some("Rate exceeded"));
        }
        other => panic!("expected the exception, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bad_checksum_is_a_framing_error_not_a_panic() {
    let mut broken = chunk(b"checksummed");
    let last = broken.len() - 1;
    broken[last] ^= 0xff;
    let server = FaultyServer::start(move |_| {
        vec![
            head(),
            http_chunk(&chunk(b"good")),
            http_chunk(&broken),
            end(),
        ]
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    assert_eq!(received.payload, b"good");
    let error = received.error.expect("a bad checksum ends the stream");
    assert!(matches!(error, EventStreamError::Frame(_)), "{error:?}");
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("fails its message checksum"), "{cause}");
}

#[tokio::test]
async fn a_connection_cut_mid_frame_is_reported() {
    let frame = chunk(b"this frame is cut in half");
    let half = frame[..frame.len() / 2].to_vec();
    let server = FaultyServer::start(move |_| {
        vec![
            head(),
            http_chunk(&chunk(b"whole")),
            http_chunk(&half),
            Act::Reset,
        ]
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    assert_eq!(received.payload, b"whole");
    assert!(!received.completed);
    let error = received.error.expect("a cut stream is an error");
    assert!(
        matches!(
            error,
            EventStreamError::Transport(_) | EventStreamError::Frame(_)
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_frame_over_the_limit_is_refused_from_its_prelude() {
    let mut prelude = Vec::new();
    prelude.extend_from_slice(&(100u32 << 20).to_be_bytes());
    prelude.extend_from_slice(&0u32.to_be_bytes());
    let crc = crc32fast::hash(&prelude);
    prelude.extend_from_slice(&crc.to_be_bytes());
    let server = FaultyServer::start(move |_| {
        vec![
            head(),
            http_chunk(&prelude),
            Act::Stall(Duration::from_secs(30)),
        ]
    })
    .await;

    let output = call(server.url()).await.unwrap();
    let received = drain(&output).await;

    let error = received.error.expect("the oversized frame is refused");
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("104857600"), "{cause}");
}

#[tokio::test]
async fn an_error_answer_is_the_operations_typed_error() {
    let server = FaultyServer::start(|_| {
        vec![Act::respond(
            404,
            &[("x-amzn-errortype", "ResourceNotFoundException")],
            r#"{"Type":"User","message":"Function not found: streamer"}"#,
        )]
    })
    .await;

    let err = client(server.url())
        .invoke_with_response_stream()
        .function_name("streamer")
        .send()
        .await
        .unwrap_err();

    match err {
        SdkError::Service(InvokeWithResponseStreamError::ResourceNotFoundException(e)) => {
            assert_eq!(e.message(), Some("Function not found: streamer"));
            assert_eq!(e.response_metadata().http_status(), 404);
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reader_that_stops_reading_holds_the_server_back() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    const TOTAL: usize = 256 << 20;
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        let frame = chunk(&vec![b'x'; 64 * 1024]);
        let mut piece = format!("{:x}\r\n", frame.len()).into_bytes();
        piece.extend_from_slice(&frame);
        piece.extend_from_slice(b"\r\n");
        while counter.load(Ordering::SeqCst) < TOTAL {
            if socket.write_all(&piece).await.is_err() {
                return;
            }
            counter.fetch_add(piece.len(), Ordering::SeqCst);
        }
    });

    let output = call(&url).await.unwrap();
    let events = output.event_stream();
    assert!(matches!(
        events.recv().await,
        Ok(Some(Event::PayloadChunk(_)))
    ));
    let stalled_at = settled(&written).await;

    assert!(
        stalled_at < TOTAL / 8,
        "the server could write {stalled_at} of {TOTAL} bytes while nothing was read: the \
         client buffered them instead of pushing back"
    );
    for _ in 0..(stalled_at / (64 * 1024) + 64) {
        assert!(matches!(
            events.recv().await,
            Ok(Some(Event::PayloadChunk(_)))
        ));
    }
    assert!(
        written.load(Ordering::SeqCst) > stalled_at,
        "reading again lets the server go on"
    );
}

/// The count once it has stopped growing: the same value on ten looks in a row.
async fn settled(count: &AtomicUsize) -> usize {
    let (mut last, mut same) = (usize::MAX, 0);
    for _ in 0..1000 {
        let now = count.load(Ordering::SeqCst);
        same = if now == last { same + 1 } else { 0 };
        if same == 10 {
            return now;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server never stopped writing: the client reads everything it is sent")
}
