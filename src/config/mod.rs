//! The shared AWS configuration: the config and credentials files, and the credential chain.

pub mod credentials;
pub mod files;
mod http_adapter;
mod providers;
#[cfg(test)]
mod test_support;

pub use credentials::CredentialsPlan;
pub use files::ConfigFiles;
