//! kvs: join a Kinesis Video Streams WebRTC storage session.

pub mod cli;
pub mod error;
pub mod http;
pub mod operations;
pub mod output;
pub mod settings;
