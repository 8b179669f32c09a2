//! Streaming responses in AWS's `application/vnd.amazon.eventstream` format.

pub mod frame;

pub mod receiver;
