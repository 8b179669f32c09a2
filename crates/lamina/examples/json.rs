//! Typed JSON: `invoke_json` serializes the request with serde and parses the answer into
//! your type; a function error comes back as `InvokeJsonError::Function`.
//!
//! It runs against the in-process fake, so it needs no AWS account:
//!
//! ```text
//! cargo run -p lamina --example json --features test-util
//! ```
//!
//! With real AWS, make the client with `Client::from_conf(Config::from_env())` instead.

use lamina::test_util::{FakeLambda, FunctionFailure, Invocation};
use lamina::{Client, InvokeJsonError};
use serde::{Deserialize, Serialize};

/// What the `checkout` function takes.
#[derive(Debug, Serialize, Deserialize)]
struct Order {
    id: u32,
    lines: Vec<Line>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    sku: String,
    quantity: u32,
    unit_cents: u64,
}

/// What the `checkout` function answers.
#[derive(Debug, Serialize, Deserialize)]
struct Receipt {
    order_id: u32,
    total_cents: u64,
}

/// Checks an order out, saying what went wrong in a sentence when it did not work.
async fn checkout(client: &Client, order: &Order) -> Result<Receipt, String> {
    match client
        .invoke_json::<Order, Receipt>("checkout", order)
        .await
    {
        Ok(receipt) => Ok(receipt),
        Err(InvokeJsonError::Function(e)) => Err(format!(
            "checkout refused order {}: {}",
            order.id,
            e.error_message.as_deref().unwrap_or("no reason given")
        )),
        Err(other) => Err(format!("checkout could not be reached: {other}")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeLambda::builder()
        .function("checkout", |event: Invocation| async move {
            let order: Order = event.json()?;
            if order.lines.is_empty() {
                return Err(FunctionFailure::new("EmptyOrder", "the order has no lines"));
            }
            let total_cents = order
                .lines
                .iter()
                .map(|l| u64::from(l.quantity) * l.unit_cents)
                .sum();
            let receipt = Receipt {
                order_id: order.id,
                total_cents,
            };
            Ok(serde_json::to_value(receipt)?)
        })
        .start()
        .await?;
    let client = fake.client();

    let order = Order {
        id: 7,
        lines: vec![
            Line {
                sku: "tea".into(),
                quantity: 2,
                unit_cents: 450,
            },
            Line {
                sku: "cake".into(),
                quantity: 1,
                unit_cents: 375,
            },
        ],
    };
    let receipt = checkout(&client, &order).await?;
    println!(
        "order {} costs {} cents",
        receipt.order_id, receipt.total_cents
    );

    let empty = Order {
        id: 8,
        lines: Vec::new(),
    };
    match checkout(&client, &empty).await {
        Ok(receipt) => println!("unexpected receipt: {receipt:?}"),
        Err(reason) => println!("{reason}"),
    }
    Ok(())
}
