//! kvs's integration tests: the real binary, a scrubbed environment, a temporary HOME, and the
//! project's own emulator on 127.0.0.1 for everything that needs the network.

mod cli;
mod config;
mod docs;
mod join;
mod output;
mod support;
