//! HTTP: the reqwest client, SigV4 signing, retries and the `--debug` log.

pub mod client;
pub mod debug;
pub mod retry;
pub mod sign;
