//! Settings: flags > environment > profile > defaults, written down as code.
//! The only module that reads the environment (it is handed in as `Env`, so tests can pin it).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::GlobalArgs;
use crate::config::{ConfigFiles, CredentialsPlan};
use crate::error::{Error, Result};
use crate::http::retry::RetryMode;
use crate::output::OutputFormat;

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

/// Where a setting's value came from, for `--debug` and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    Profile { profile: String, key: &'static str },
    ServicesSection { profile: String, key: &'static str },
    ChannelArn,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => f.write_str(flag),
            Source::Env(var) => f.write_str(var),
            Source::Profile { profile, key } => write!(f, "{key} in profile {profile}"),
            Source::ServicesSection { profile, key } => {
                write!(f, "{key} in the services section of profile {profile}")
            }
            Source::ChannelArn => f.write_str("the channel ARN"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    pub value: T,
    pub source: Source,
}

fn resolved<T>(value: T, source: Source) -> Resolved<T> {
    Resolved { value, source }
}

/// Everything a run needs, resolved once: flag > environment > profile > default.
#[derive(Debug)]
pub struct Settings {
    pub profile: Resolved<String>,
    pub region: Resolved<String>,
    pub output: Resolved<OutputFormat>,
    pub ca_bundle: Option<Resolved<PathBuf>>,
    pub retry_mode: Resolved<RetryMode>,
    pub max_attempts: Resolved<u32>,
    /// The WebRTC endpoint, when discovery is skipped.
    pub storage_endpoint: Option<Resolved<String>>,
    /// A custom control plane, instead of the endpoint rules.
    pub control_plane_endpoint: Option<Resolved<String>>,
    pub use_fips: Resolved<bool>,
    pub use_dualstack: Resolved<bool>,
    /// None: no timeout.
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    pub verify_ssl: bool,
    pub sign_requests: bool,
    pub debug: bool,
    pub credentials: CredentialsPlan,
    pub warnings: Vec<String>,
}

const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// Reads one setting from the layers, in order.
struct Layers<'a> {
    env: &'a Env,
    files: &'a ConfigFiles,
    profile: &'a str,
}

impl Layers<'_> {
    fn env(&self, var: &'static str) -> Option<(String, Source)> {
        self.env
            .non_empty(var)
            .map(|v| (v.to_string(), Source::Env(var)))
    }

    fn profile(&self, key: &'static str) -> Option<(String, Source)> {
        self.files
            .get(self.profile, key)
            .filter(|v| !v.is_empty())
            .map(|v| {
                (
                    v.to_string(),
                    Source::Profile {
                        profile: self.profile.to_string(),
                        key,
                    },
                )
            })
    }

    fn services(&self, key: &'static str) -> Result<Option<(String, Source)>> {
        Ok(self.files.service_endpoint(self.profile, key)?.map(|v| {
            (
                v,
                Source::ServicesSection {
                    profile: self.profile.to_string(),
                    key,
                },
            )
        }))
    }

    fn flag_env_profile(
        &self,
        flag: Option<(&str, &'static str)>,
        var: &'static str,
        key: &'static str,
    ) -> Option<(String, Source)> {
        flag.map(|(v, f)| (v.to_string(), Source::Flag(f)))
            .or_else(|| self.env(var))
            .or_else(|| self.profile(key))
    }

    fn boolean(&self, var: &'static str, key: &'static str) -> Result<Resolved<bool>> {
        match self.env(var).or_else(|| self.profile(key)) {
            None => Ok(resolved(false, Source::Default)),
            Some((value, source)) => match value.to_ascii_lowercase().as_str() {
                "true" => Ok(resolved(true, source)),
                "false" => Ok(resolved(false, source)),
                _ => Err(Error::config(format!(
                    "{source} must be true or false, not \"{value}\""
                ))),
            },
        }
    }
}

/// botocore's `validate_region_name`: a DNS label.
fn region_is_valid(region: &str) -> bool {
    let bytes = region.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

fn timeout(seconds: Option<u64>) -> Option<Duration> {
    match seconds.unwrap_or(DEFAULT_TIMEOUT_SECS) {
        0 => None,
        secs => Some(Duration::from_secs(secs)),
    }
}

impl Settings {
    /// Resolve every setting. Reads the config files, but never fetches credentials.
    pub fn resolve(globals: &GlobalArgs, env: &Env, channel_arn: Option<&str>) -> Result<Settings> {
        let profile = match globals.profile.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => resolved(p.to_string(), Source::Flag("--profile")),
            None => match env
                .non_empty("AWS_PROFILE")
                .map(|p| (p, "AWS_PROFILE"))
                .or_else(|| {
                    env.non_empty("AWS_DEFAULT_PROFILE")
                        .map(|p| (p, "AWS_DEFAULT_PROFILE"))
                }) {
                Some((p, var)) => resolved(p.to_string(), Source::Env(var)),
                None => resolved("default".to_string(), Source::Default),
            },
        };
        let files = ConfigFiles::load(env)?;
        if profile.source != Source::Default && files.profile(&profile.value).is_none() {
            return Err(Error::config(format!(
                "The config profile ({}) could not be found",
                profile.value
            )));
        }
        let layers = Layers {
            env,
            files: &files,
            profile: &profile.value,
        };
        let mut warnings = Vec::new();

        let ignore_endpoints = layers
            .boolean(
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                "ignore_configured_endpoint_urls",
            )?
            .value;
        let storage_endpoint = match &globals.endpoint_url {
            Some(url) => Some((url.clone(), Source::Flag("--endpoint-url"))),
            None if ignore_endpoints => None,
            None => layers
                .env("AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE")
                .map(Ok)
                .or_else(|| layers.services("kinesis_video_webrtc_storage").transpose())
                .transpose()?,
        }
        .map(|(value, source)| resolved(value, source));
        let control_plane_endpoint = if ignore_endpoints {
            None
        } else {
            layers
                .env("AWS_ENDPOINT_URL_KINESIS_VIDEO")
                .or_else(|| layers.env("AWS_ENDPOINT_URL"))
                .map(Ok)
                .or_else(|| layers.services("kinesis_video").transpose())
                .transpose()?
                .or_else(|| layers.profile("endpoint_url"))
                .map(|(value, source)| resolved(value, source))
        };

        let region = resolve_region(
            globals,
            &layers,
            channel_arn,
            globals.endpoint_url.is_some(),
            &mut warnings,
        )?;

        let output = match layers.flag_env_profile(None, "AWS_DEFAULT_OUTPUT", "output") {
            _ if globals.output.is_some() => resolved(
                globals.output.unwrap_or(OutputFormat::Json),
                Source::Flag("--output"),
            ),
            Some((value, source)) => match value.parse() {
                Ok(format) => resolved(format, source),
                Err(_) => {
                    return Err(Error::config(format!(
                        "Unknown output type: {value} (from {source})"
                    )))
                }
            },
            None => resolved(OutputFormat::Json, Source::Default),
        };

        let ca_bundle = layers
            .flag_env_profile(
                globals
                    .ca_bundle
                    .as_deref()
                    .and_then(|p| p.to_str())
                    .map(|p| (p, "--ca-bundle")),
                "AWS_CA_BUNDLE",
                "ca_bundle",
            )
            .map(|(value, source)| resolved(PathBuf::from(value), source));

        let retry_mode = match layers
            .env("AWS_RETRY_MODE")
            .or_else(|| layers.profile("retry_mode"))
        {
            None => resolved(RetryMode::Standard, Source::Default),
            Some((value, source)) => match value.parse() {
                Ok(mode) => resolved(mode, source),
                Err(_) => {
                    return Err(Error::config(format!(
                        "Invalid value provided to \"mode\": \"{value}\" must be one of: \
                         ('legacy', 'standard', 'adaptive') (from {source})"
                    )))
                }
            },
        };
        let max_attempts = match layers
            .env("AWS_MAX_ATTEMPTS")
            .or_else(|| layers.profile("max_attempts"))
        {
            None => resolved(retry_mode.value.default_max_attempts(), Source::Default),
            Some((value, source)) => match value.trim().parse::<u32>() {
                Ok(n) if n >= 1 => resolved(n, source),
                _ => {
                    return Err(Error::config(format!(
                        "Value provided to \"max_attempts\": {value} must be an integer greater \
                         than or equal to 1 (from {source})."
                    )))
                }
            },
        };

        let use_fips = layers.boolean("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?;
        let use_dualstack =
            layers.boolean("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?;

        let credentials = CredentialsPlan::plan(
            env,
            &files,
            &profile.value,
            matches!(profile.source, Source::Flag(_)),
            &region.value,
        );
        Ok(Settings {
            profile,
            region,
            output,
            ca_bundle,
            retry_mode,
            max_attempts,
            storage_endpoint,
            control_plane_endpoint,
            use_fips,
            use_dualstack,
            connect_timeout: timeout(globals.cli_connect_timeout),
            read_timeout: timeout(globals.cli_read_timeout),
            verify_ssl: !globals.no_verify_ssl,
            sign_requests: !globals.no_sign_request,
            debug: globals.debug,
            credentials,
            warnings,
        })
    }

    /// One line per setting and its source, for `--debug`. Never a secret.
    pub fn describe(&self) -> Vec<String> {
        fn line<T: fmt::Debug>(name: &str, r: &Resolved<T>) -> String {
            format!("setting {name} = {:?} (from {})", r.value, r.source)
        }
        let mut lines = vec![
            line("profile", &self.profile),
            line("region", &self.region),
            line("output", &self.output),
            line("retry_mode", &self.retry_mode),
            line("max_attempts", &self.max_attempts),
            line("use_fips_endpoint", &self.use_fips),
            line("use_dualstack_endpoint", &self.use_dualstack),
        ];
        for (name, value) in [
            (
                "ca_bundle",
                self.ca_bundle
                    .as_ref()
                    .map(|c| (c.value.display().to_string(), &c.source)),
            ),
            (
                "WebRTC endpoint",
                self.storage_endpoint
                    .as_ref()
                    .map(|e| (e.value.clone(), &e.source)),
            ),
            (
                "control plane endpoint",
                self.control_plane_endpoint
                    .as_ref()
                    .map(|e| (e.value.clone(), &e.source)),
            ),
        ] {
            if let Some((value, source)) = value {
                lines.push(format!("setting {name} = {value:?} (from {source})"));
            }
        }
        let seconds = |t: Option<Duration>| match t {
            Some(t) => format!("{} s", t.as_secs()),
            None => "none".to_string(),
        };
        lines.push(format!(
            "timeouts: connect {}, read {}; TLS verification {}",
            seconds(self.connect_timeout),
            seconds(self.read_timeout),
            if self.verify_ssl {
                "on"
            } else {
                "off (--no-verify-ssl)"
            }
        ));
        lines
    }
}

fn resolve_region(
    globals: &GlobalArgs,
    layers: &Layers,
    channel_arn: Option<&str>,
    custom_endpoint: bool,
    warnings: &mut Vec<String>,
) -> Result<Resolved<String>> {
    let configured = globals
        .region
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| (r.to_string(), Source::Flag("--region")))
        .or_else(|| layers.env("AWS_REGION"))
        .or_else(|| layers.env("AWS_DEFAULT_REGION"))
        .or_else(|| layers.profile("region"));
    if let Some((region, source)) = &configured {
        if !region_is_valid(region) {
            let message =
                format!("Provided region_name '{region}' doesn't match a supported format.");
            return Err(match source {
                Source::Flag(_) => Error::usage(message),
                _ => Error::config(format!("{message} (from {source})")),
            });
        }
    }
    let arn_fields: Vec<&str> = channel_arn
        .map(|a| a.split(':').collect())
        .unwrap_or_default();
    let arn_region = arn_fields.get(3).copied().filter(|r| !r.is_empty());
    if let (Some(region), Some(partition)) = (arn_region, arn_fields.get(1)) {
        let expected = crate::endpoints::partition_for_region(region);
        if expected != *partition {
            return Err(Error::config(format!(
                "The channel ARN is inconsistent: its region {region} belongs to partition \
                 {expected}, not {partition}"
            )));
        }
    }
    match (configured, arn_region) {
        (Some((region, source)), Some(arn_region)) if region != arn_region => {
            if custom_endpoint {
                warnings.push(format!(
                    "the region {region} (from {source}) differs from the channel ARN's region \
                     {arn_region}; requests are signed for {region}"
                ));
                Ok(resolved(region, source))
            } else {
                Err(Error::config(format!(
                    "The channel ARN is in {arn_region}, but the region is {region} (from \
                     {source}): requests would go to and be signed for the wrong region. Use \
                     --region {arn_region} or leave the region unset."
                )))
            }
        }
        (Some((region, source)), _) => Ok(resolved(region, source)),
        (None, Some(arn_region)) => Ok(resolved(arn_region.to_string(), Source::ChannelArn)),
        (None, None) => Err(Error::config(
            "You must specify a region. You can also configure your region with --region, \
             AWS_REGION or the profile's region.",
        )),
    }
}
