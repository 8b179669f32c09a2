//! Unit-testing code that invokes Lambda functions, with the in-process fake of the
//! `test-util` feature: no AWS account and no network beyond loopback.
//!
//! Run it with `cargo run -p lamina --example testing --features test-util`. In a project,
//! add `lamina = { version = "0.1", features = ["test-util"] }` under `[dev-dependencies]`
//! and write the checks below as `#[tokio::test]` functions.

use std::time::Duration;

use lamina::config::RetryConfig;
use lamina::test_util::{FakeLambda, FunctionFailure, Invocation};
use lamina::types::InvocationType;
use lamina::{Client, InvokeJsonError};
use serde::{Deserialize, Serialize};

/// The code under test: signs a user up, with a risk score from the `score` function, and
/// a welcome mail sent by the `welcome` function in the background.
mod signup {
    use super::*;

    /// A sign-up request.
    #[derive(Debug, Serialize, Deserialize)]
    pub struct User {
        pub email: String,
    }

    /// What the `score` function answers.
    #[derive(Debug, Serialize, Deserialize)]
    pub struct Score {
        pub risk: f64,
    }

    /// Whether the sign-up was accepted.
    #[derive(Debug, PartialEq, Eq)]
    pub enum Outcome {
        Accepted,
        Refused,
    }

    /// Scores `user`, refuses risky ones, and asks `welcome` to mail the others.
    pub async fn sign_up(
        client: &Client,
        user: &User,
    ) -> Result<Outcome, Box<dyn std::error::Error>> {
        let score: Score = client.invoke_json("score", user).await?;
        if score.risk > 0.8 {
            return Ok(Outcome::Refused);
        }

        client
            .invoke()
            .function_name("welcome")
            .invocation_type(InvocationType::Event)
            .payload(serde_json::to_vec(user)?)
            .send()
            .await?;
        Ok(Outcome::Accepted)
    }
}

use signup::{sign_up, Outcome, Score, User};

/// The fake: `score` rates addresses at `example.invalid` as risky; `welcome` logs the
/// address it mails.
async fn fake() -> FakeLambda {
    FakeLambda::builder()
        .function("score", |event: Invocation| async move {
            let user: User = event.json()?;
            if !user.email.contains('@') {
                return Err(FunctionFailure::new("BadEmail", "an address needs an @"));
            }
            let risk = if user.email.ends_with("@example.invalid") {
                0.9
            } else {
                0.1
            };
            Ok(serde_json::to_value(Score { risk })?)
        })
        .function("welcome", |event: Invocation| async move {
            let user: User = event.json()?;
            event.context().log(&format!("mailing {}", user.email));
            Ok(())
        })
        .retry_after(Duration::ZERO)
        .start()
        .await
        .expect("the fake listens on 127.0.0.1")
}

/// A safe user is accepted, and exactly one welcome mail is queued, asynchronously.
async fn a_safe_user_is_accepted_and_welcomed() {
    let fake = fake().await;
    let user = User {
        email: "ada@example.com".into(),
    };

    let outcome = sign_up(&fake.client(), &user).await.expect("sign-up works");
    fake.wait_for_events().await;

    assert_eq!(outcome, Outcome::Accepted);
    let welcomes = fake.invocations_of("welcome");
    assert_eq!(welcomes.len(), 1);
    assert_eq!(welcomes[0].invocation_type, InvocationType::Event);
    assert_eq!(welcomes[0].status, 202);
    let sent: User = serde_json::from_slice(&welcomes[0].payload).unwrap();
    assert_eq!(sent.email, "ada@example.com");
}

/// A risky user is refused, and no mail goes out.
async fn a_risky_user_is_refused_without_mail() {
    let fake = fake().await;
    let user = User {
        email: "mallory@example.invalid".into(),
    };

    let outcome = sign_up(&fake.client(), &user).await.expect("sign-up works");

    assert_eq!(outcome, Outcome::Refused);
    assert!(fake.invocations_of("welcome").is_empty());
}

/// The function's own error reaches the caller typed, with its `errorType`.
async fn a_function_error_is_reported() {
    let fake = fake().await;
    let user = User {
        email: "nobody".into(),
    };

    let err = sign_up(&fake.client(), &user).await.unwrap_err();

    match err.downcast_ref::<InvokeJsonError>() {
        Some(InvokeJsonError::Function(e)) => {
            assert_eq!(e.error_type.as_deref(), Some("BadEmail"))
        }
        other => panic!("expected a function error, got {other:?}"),
    }
}

/// Throttled twice, the call still succeeds: the client retries.
async fn throttles_are_retried() {
    let fake = fake().await;
    fake.throttle("score", 2);
    let retries = RetryConfig::default().with_initial_backoff(Duration::from_millis(1));
    let client = Client::from_conf(fake.config_builder().retry_config(retries).build());
    let user = User {
        email: "grace@example.com".into(),
    };

    let outcome = sign_up(&client, &user)
        .await
        .expect("the third attempt succeeds");

    assert_eq!(outcome, Outcome::Accepted);
    let statuses: Vec<u16> = fake
        .invocations_of("score")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    a_safe_user_is_accepted_and_welcomed().await;
    println!("ok: a safe user is accepted and welcomed");
    a_risky_user_is_refused_without_mail().await;
    println!("ok: a risky user is refused without mail");
    a_function_error_is_reported().await;
    println!("ok: a function error is reported");
    throttles_are_retried().await;
    println!("ok: throttles are retried");
}
