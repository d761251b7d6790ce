//! Settings: flags > environment > profile > defaults, written down as code.
//! The only module that reads the environment (it is handed in as `Env`, so tests can pin it).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

/// The process environment, captured once in main and passed down.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// Capture the real environment. Variables that are not valid UTF-8 are dropped.
    pub fn from_os(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Env {
        let vars = vars
            .into_iter()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Env { vars }
    }

    /// An environment made of the given pairs (for tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A variable that is set and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    pub fn home(&self) -> Option<PathBuf> {
        self.non_empty("HOME").map(PathBuf::from)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
// SCRATCH STUB
pub enum Source {
    Flag(&'static str),
    Default,
}
impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("x")
    }
}
pub struct Resolved<T> {
    pub value: T,
    pub source: Source,
}
pub struct Settings {
    pub region: Resolved<String>,
    pub output: Resolved<crate::output::OutputFormat>,
    pub ca_bundle: Option<Resolved<PathBuf>>,
    pub retry_mode: Resolved<crate::http::retry::RetryMode>,
    pub max_attempts: Resolved<u32>,
    pub storage_endpoint: Option<Resolved<String>>,
    pub control_plane_endpoint: Option<Resolved<String>>,
    pub use_fips: Resolved<bool>,
    pub use_dualstack: Resolved<bool>,
    pub connect_timeout: Option<std::time::Duration>,
    pub read_timeout: Option<std::time::Duration>,
    pub verify_ssl: bool,
    pub sign_requests: bool,
    pub debug: bool,
    pub credentials: crate::config::CredentialsPlan,
    pub warnings: Vec<String>,
}
impl Settings {
    pub fn resolve(
        g: &crate::cli::GlobalArgs,
        _env: &Env,
        _arn: Option<&str>,
    ) -> crate::error::Result<Settings> {
        Ok(Settings {
            region: Resolved {
                value: g.region.clone().unwrap_or("us-west-2".into()),
                source: Source::Default,
            },
            output: Resolved {
                value: g.output.unwrap_or(crate::output::OutputFormat::Json),
                source: Source::Default,
            },
            ca_bundle: None,
            retry_mode: Resolved {
                value: crate::http::retry::RetryMode::Standard,
                source: Source::Default,
            },
            max_attempts: Resolved {
                value: 3,
                source: Source::Default,
            },
            storage_endpoint: g.endpoint_url.clone().map(|v| Resolved {
                value: v,
                source: Source::Flag("--endpoint-url"),
            }),
            control_plane_endpoint: None,
            use_fips: Resolved {
                value: false,
                source: Source::Default,
            },
            use_dualstack: Resolved {
                value: false,
                source: Source::Default,
            },
            connect_timeout: None,
            read_timeout: None,
            verify_ssl: !g.no_verify_ssl,
            sign_requests: !g.no_sign_request,
            debug: g.debug,
            credentials: crate::config::CredentialsPlan,
            warnings: vec![],
        })
    }
    pub fn describe(&self) -> Vec<String> {
        vec![]
    }
}
