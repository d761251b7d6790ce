//! HTTP: the reqwest client, SigV4 signing, retries and the `--debug` log.

pub mod retry;
