//! Waiters against a Lambda-shaped server on loopback, with virtual time: nothing sleeps.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lamina::config::Credentials;
use lamina::middleware::BoxFuture;
use lamina::types::State;
use lamina::waiter::{WaiterClock, WaiterError};
use lamina::{Client, Config};
use lamina_e2e::server::{Reply, TestServer};

/// Virtual time: sleeping moves the clock forward at once and is recorded.
#[derive(Clone)]
struct VirtualClock {
    start: Instant,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl VirtualClock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            slept: Arc::default(),
        }
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl WaiterClock for VirtualClock {
    fn now(&self) -> Instant {
        self.start + self.slept.lock().unwrap().iter().sum::<Duration>()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(async {})
    }

    fn random(&self) -> f64 {
        0.5
    }
}

fn client(server: &TestServer) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            "AKIDWAIT",
            "wait-secret",
            None,
            None,
            "test",
        ))
        .build();
    Client::from_conf(config)
}

/// A GetFunctionConfiguration server whose function goes through `states`, then stays in
/// the last one.
fn states(states: &'static [&'static str]) -> impl Fn(&lamina_e2e::server::Recorded) -> Reply {
    let calls = AtomicU32::new(0);
    move |_| {
        let i = calls.fetch_add(1, Ordering::SeqCst) as usize;
        let state = states[i.min(states.len() - 1)];
        let body = serde_json::json!({"FunctionName": "f", "State": state});
        Reply::new(200, body.to_string())
    }
}

#[tokio::test]
async fn pending_twice_then_active_succeeds_after_two_waits() {
    let server = TestServer::start(states(&["Pending", "Pending", "Active"])).await;
    let clock = VirtualClock::new();

    let output = client(&server)
        .wait_until_function_active()
        .function_name("f")
        .clock(clock.clone())
        .wait(Duration::from_secs(600))
        .await
        .expect("the function becomes active");

    assert_eq!(output.state(), Some(&State::Active));
    assert_eq!(server.requests().len(), 3);
    let slept = clock.slept();
    assert_eq!(slept.len(), 2);
    assert!(
        slept.iter().all(|d| *d >= Duration::from_secs(5)),
        "{slept:?}"
    );
}

#[tokio::test]
async fn a_failed_function_stops_the_waiter_with_a_failure_state() {
    let server = TestServer::start(states(&["Pending", "Failed"])).await;

    let err = client(&server)
        .wait_until_function_active()
        .function_name("f")
        .clock(VirtualClock::new())
        .wait(Duration::from_secs(600))
        .await
        .unwrap_err();

    assert!(
        matches!(err, WaiterError::FailureState { attempts: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("FunctionActive"), "{err}");
}

#[tokio::test]
async fn a_waiter_that_runs_out_of_time_says_so() {
    let server = TestServer::start(states(&["Pending"])).await;
    let clock = VirtualClock::new();

    let err = client(&server)
        .wait_until_function_active()
        .function_name("f")
        .clock(clock.clone())
        .wait(Duration::from_secs(30))
        .await
        .unwrap_err();

    assert!(matches!(err, WaiterError::TimedOut { .. }), "{err}");
    assert!(err.to_string().contains("ran out of time"), "{err}");
    assert!(clock.slept().iter().sum::<Duration>() <= Duration::from_secs(30));
}

#[tokio::test]
async fn function_exists_retries_not_found_then_succeeds() {
    let calls = AtomicU32::new(0);
    let server = TestServer::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::lambda_error(404, "ResourceNotFoundException", "Function not found")
        } else {
            Reply::new(200, r#"{"Configuration": {"FunctionName": "f"}}"#)
        }
    })
    .await;

    let output = client(&server)
        .wait_until_function_exists()
        .function_name("f")
        .clock(VirtualClock::new())
        .wait(Duration::from_secs(60))
        .await
        .expect("the function appears");

    assert_eq!(
        output.configuration().and_then(|c| c.function_name()),
        Some("f")
    );
}
