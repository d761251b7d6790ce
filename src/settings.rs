//! Settings: flags > environment > profile > defaults, written down as code.
//! The only module that reads the environment (it is handed in as `Env`, so tests can pin it).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::GlobalArgs;
use crate::config::files::FileKind;
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
    /// A profile's key, and the file it was read from (as named in messages).
    Profile {
        profile: String,
        key: &'static str,
        file: String,
    },
    /// A service's `endpoint_url` in a `[services NAME]` section of the config file.
    ServicesSection {
        section: String,
        key: &'static str,
        file: String,
    },
    ChannelArn,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => f.write_str(flag),
            Source::Env(var) => f.write_str(var),
            Source::Profile { profile, key, file } => {
                write!(f, "the {key} of profile {profile} in {file}")
            }
            Source::ServicesSection { section, key, file } => {
                write!(f, "the {key} endpoint_url of services {section} in {file}")
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
    /// A custom STS endpoint for assume-role.
    pub sts_endpoint: Option<Resolved<String>>,
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
        let (value, file) = self
            .files
            .locate(self.profile, key)
            .filter(|(v, _)| !v.is_empty())?;
        let source = Source::Profile {
            profile: self.profile.to_string(),
            key,
            file: self.files.path(file).to_string(),
        };
        Some((value.to_string(), source))
    }

    fn services(&self, key: &'static str) -> Option<(String, Source)> {
        let (section, value) = self.files.service_endpoint(self.profile, key)?;
        let source = Source::ServicesSection {
            section: section.to_string(),
            key,
            file: self.files.path(FileKind::Config).to_string(),
        };
        Some((value, source))
    }

    /// botocore's order for a service's configured endpoint: its variable, `AWS_ENDPOINT_URL`,
    /// the `services` section, the profile's `endpoint_url`.
    fn configured_endpoint(
        &self,
        service_var: &'static str,
        services_key: &'static str,
    ) -> Option<Resolved<String>> {
        self.env(service_var)
            .or_else(|| self.env("AWS_ENDPOINT_URL"))
            .or_else(|| self.services(services_key))
            .or_else(|| self.profile("endpoint_url"))
            .map(|(value, source)| resolved(value, source))
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

/// botocore's `validate_region_name`: a DNS label that is not all digits.
fn region_is_valid(region: &str) -> bool {
    let bytes = region.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && !bytes.iter().all(u8::is_ascii_digit)
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
        if profile.source != Source::Default && !files.has_profile(&profile.value) {
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
                .or_else(|| layers.services("kinesis_video_webrtc_storage")),
        }
        .map(|(value, source)| resolved(value, source));
        let configured = |service_var, services_key| {
            (!ignore_endpoints)
                .then(|| layers.configured_endpoint(service_var, services_key))
                .flatten()
        };
        let control_plane_endpoint = configured("AWS_ENDPOINT_URL_KINESIS_VIDEO", "kinesis_video");
        // Where assume-role sends AssumeRole: botocore configures its STS client the same way.
        let sts_endpoint = configured("AWS_ENDPOINT_URL_STS", "sts");

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
            sts_endpoint.as_ref().map(|e| e.value.as_str()),
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
            sts_endpoint,
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
            (
                "STS endpoint",
                self.sts_endpoint
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

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1";

    /// Files and environment for one case; `HOME` and both file paths point into a tempdir.
    struct Case<'a> {
        flags: GlobalArgs,
        env: Vec<(&'a str, &'a str)>,
        config: &'a str,
        credentials: &'a str,
        arn: Option<&'a str>,
    }

    fn case<'a>() -> Case<'a> {
        Case {
            flags: GlobalArgs::default(),
            env: Vec::new(),
            config: "",
            credentials: "",
            arn: Some(ARN),
        }
    }

    impl Case<'_> {
        fn resolve(&self) -> Result<Settings> {
            let dir = tempfile::tempdir().unwrap();
            let config = dir.path().join("config");
            let credentials = dir.path().join("credentials");
            std::fs::write(&config, self.config).unwrap();
            std::fs::write(&credentials, self.credentials).unwrap();
            // Named from HOME, so messages name them the same way in every run.
            let mut pairs = vec![
                ("HOME", dir.path().to_str().unwrap()),
                ("AWS_CONFIG_FILE", "~/config"),
                ("AWS_SHARED_CREDENTIALS_FILE", "~/credentials"),
            ];
            pairs.extend(self.env.iter().copied());
            Settings::resolve(&self.flags, &Env::from_pairs(pairs), self.arn)
        }
    }

    /// One setting as "value (from source)", or "-" when unset.
    fn setting(s: &Settings, name: &str) -> String {
        fn show<T: fmt::Debug>(r: &Resolved<T>) -> String {
            format!("{:?} ({})", r.value, r.source)
        }
        let opt = |r: &Option<Resolved<String>>| r.as_ref().map_or("-".to_string(), show);
        match name {
            "profile" => show(&s.profile),
            "region" => show(&s.region),
            "output" => show(&s.output),
            "ca_bundle" => s.ca_bundle.as_ref().map_or("-".to_string(), show),
            "retry_mode" => show(&s.retry_mode),
            "max_attempts" => show(&s.max_attempts),
            "storage" => opt(&s.storage_endpoint),
            "control" => opt(&s.control_plane_endpoint),
            "sts" => opt(&s.sts_endpoint),
            "fips" => show(&s.use_fips),
            "dualstack" => show(&s.use_dualstack),
            "connect_timeout" => format!("{:?}", s.connect_timeout),
            "read_timeout" => format!("{:?}", s.read_timeout),
            "verify_ssl" => s.verify_ssl.to_string(),
            "sign_requests" => s.sign_requests.to_string(),
            other => panic!("no setting {other}"),
        }
    }

    fn flags(edit: impl FnOnce(&mut GlobalArgs)) -> GlobalArgs {
        let mut g = GlobalArgs::default();
        edit(&mut g);
        g
    }

    #[test]
    fn precedence_for_every_setting() {
        let dev = "[profile dev]\nregion = us-west-2\n";
        #[rustfmt::skip]
        let table: Vec<(&str, Case, &str)> = vec![
            // profile: --profile > AWS_PROFILE > AWS_DEFAULT_PROFILE > default
            ("profile", case(), r#""default" (default)"#),
            ("profile", Case { env: vec![("AWS_DEFAULT_PROFILE", "dev")], config: dev, ..case() }, r#""dev" (AWS_DEFAULT_PROFILE)"#),
            ("profile", Case { env: vec![("AWS_DEFAULT_PROFILE", "x"), ("AWS_PROFILE", "dev")], config: dev, ..case() }, r#""dev" (AWS_PROFILE)"#),
            ("profile", Case { flags: flags(|g| g.profile = Some("dev".into())), env: vec![("AWS_PROFILE", "x")], config: dev, ..case() }, r#""dev" (--profile)"#),
            ("profile", Case { flags: flags(|g| g.profile = Some(String::new())), config: dev, ..case() }, r#""default" (default)"#),
            // region: --region > AWS_REGION > AWS_DEFAULT_REGION > profile > ARN
            ("region", case(), r#""us-west-2" (the channel ARN)"#),
            ("region", Case { config: "[default]\nregion = us-west-2\n", ..case() }, r#""us-west-2" (the region of profile default in ~/config)"#),
            ("region", Case { config: "[default]\nregion = eu-west-1\n", credentials: "[default]\nregion = us-west-2\n", ..case() }, r#""us-west-2" (the region of profile default in ~/credentials)"#),
            ("region", Case { env: vec![("AWS_DEFAULT_REGION", "us-west-2")], config: "[default]\nregion = eu-west-1\n", ..case() }, r#""us-west-2" (AWS_DEFAULT_REGION)"#),
            ("region", Case { env: vec![("AWS_REGION", "us-west-2"), ("AWS_DEFAULT_REGION", "eu-west-1")], ..case() }, r#""us-west-2" (AWS_REGION)"#),
            ("region", Case { flags: flags(|g| g.region = Some("us-west-2".into())), env: vec![("AWS_REGION", "eu-west-1")], ..case() }, r#""us-west-2" (--region)"#),
            ("region", Case { env: vec![("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "us-west-2")], ..case() }, r#""us-west-2" (AWS_DEFAULT_REGION)"#),
            ("region", Case { env: vec![("AWS_PROFILE", "dev")], config: dev, arn: None, ..case() }, r#""us-west-2" (the region of profile dev in ~/config)"#),
            // output: --output > AWS_DEFAULT_OUTPUT > profile > json
            ("output", case(), "Json (default)"),
            ("output", Case { config: "[default]\noutput = table\n", ..case() }, "Table (the output of profile default in ~/config)"),
            ("output", Case { env: vec![("AWS_DEFAULT_OUTPUT", "text")], config: "[default]\noutput = table\n", ..case() }, "Text (AWS_DEFAULT_OUTPUT)"),
            ("output", Case { flags: flags(|g| g.output = Some(OutputFormat::Json)), env: vec![("AWS_DEFAULT_OUTPUT", "text")], ..case() }, "Json (--output)"),
            // ca_bundle: --ca-bundle > AWS_CA_BUNDLE > profile
            ("ca_bundle", case(), "-"),
            ("ca_bundle", Case { config: "[default]\nca_bundle = /p\n", ..case() }, r#""/p" (the ca_bundle of profile default in ~/config)"#),
            ("ca_bundle", Case { env: vec![("AWS_CA_BUNDLE", "/e")], config: "[default]\nca_bundle = /p\n", ..case() }, r#""/e" (AWS_CA_BUNDLE)"#),
            ("ca_bundle", Case { flags: flags(|g| g.ca_bundle = Some("/f".into())), env: vec![("AWS_CA_BUNDLE", "/e")], ..case() }, r#""/f" (--ca-bundle)"#),
            // retry_mode: AWS_RETRY_MODE > profile > standard
            ("retry_mode", case(), "Standard (default)"),
            ("retry_mode", Case { config: "[default]\nretry_mode = legacy\n", ..case() }, "Legacy (the retry_mode of profile default in ~/config)"),
            ("retry_mode", Case { env: vec![("AWS_RETRY_MODE", "adaptive")], config: "[default]\nretry_mode = legacy\n", ..case() }, "Adaptive (AWS_RETRY_MODE)"),
            // max_attempts: AWS_MAX_ATTEMPTS > profile > 3 (standard, adaptive) or 5 (legacy)
            ("max_attempts", case(), "3 (default)"),
            ("max_attempts", Case { env: vec![("AWS_RETRY_MODE", "legacy")], ..case() }, "5 (default)"),
            ("max_attempts", Case { config: "[default]\nmax_attempts = 7\n", ..case() }, "7 (the max_attempts of profile default in ~/config)"),
            ("max_attempts", Case { env: vec![("AWS_MAX_ATTEMPTS", "2")], config: "[default]\nmax_attempts = 7\n", ..case() }, "2 (AWS_MAX_ATTEMPTS)"),
            // storage endpoint: --endpoint-url > service env > services section; configured ones can be ignored
            ("storage", case(), "-"),
            ("storage", Case { config: "[default]\nservices = s\n[services s]\nkinesis_video_webrtc_storage =\n  endpoint_url = http://s\n", ..case() }, r#""http://s" (the kinesis_video_webrtc_storage endpoint_url of services s in ~/config)"#),
            ("storage", Case { env: vec![("AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE", "http://e")], config: "[default]\nservices = s\n[services s]\nkinesis_video_webrtc_storage =\n  endpoint_url = http://s\n", ..case() }, r#""http://e" (AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE)"#),
            ("storage", Case { flags: flags(|g| g.endpoint_url = Some("http://f".into())), env: vec![("AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE", "http://e")], ..case() }, r#""http://f" (--endpoint-url)"#),
            ("storage", Case { env: vec![("AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE", "http://e"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")], ..case() }, "-"),
            ("storage", Case { flags: flags(|g| g.endpoint_url = Some("http://f".into())), env: vec![("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")], ..case() }, r#""http://f" (--endpoint-url)"#),
            ("storage", Case { env: vec![("AWS_ENDPOINT_URL", "http://g")], ..case() }, "-"),
            // control plane: service env > AWS_ENDPOINT_URL > services section > profile endpoint_url
            ("control", case(), "-"),
            ("control", Case { config: "[default]\nendpoint_url = http://p\n", ..case() }, r#""http://p" (the endpoint_url of profile default in ~/config)"#),
            ("control", Case { config: "[default]\nendpoint_url = http://p\nservices = s\n[services s]\nkinesis_video =\n  endpoint_url = http://s\n", ..case() }, r#""http://s" (the kinesis_video endpoint_url of services s in ~/config)"#),
            ("control", Case { env: vec![("AWS_ENDPOINT_URL", "http://g")], config: "[default]\nservices = s\n[services s]\nkinesis_video =\n  endpoint_url = http://s\n", ..case() }, r#""http://g" (AWS_ENDPOINT_URL)"#),
            ("control", Case { env: vec![("AWS_ENDPOINT_URL", "http://g"), ("AWS_ENDPOINT_URL_KINESIS_VIDEO", "http://k")], ..case() }, r#""http://k" (AWS_ENDPOINT_URL_KINESIS_VIDEO)"#),
            ("control", Case { env: vec![("AWS_ENDPOINT_URL", "http://g"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")], ..case() }, "-"),
            ("control", Case { config: "[default]\nendpoint_url = http://p\nignore_configured_endpoint_urls = true\n", ..case() }, "-"),
            ("control", Case { env: vec![("AWS_ENDPOINT_URL", "http://g"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")], config: "[default]\nignore_configured_endpoint_urls = true\n", ..case() }, r#""http://g" (AWS_ENDPOINT_URL)"#),
            // STS (for assume-role): the same order with its own variable and services key
            ("sts", case(), "-"),
            ("sts", Case { config: "[default]\nendpoint_url = http://p\nservices = s\n[services s]\nsts =\n  endpoint_url = http://s\n", ..case() }, r#""http://s" (the sts endpoint_url of services s in ~/config)"#),
            ("sts", Case { env: vec![("AWS_ENDPOINT_URL", "http://g"), ("AWS_ENDPOINT_URL_STS", "http://t")], ..case() }, r#""http://t" (AWS_ENDPOINT_URL_STS)"#),
            ("sts", Case { env: vec![("AWS_ENDPOINT_URL_STS", "http://t"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")], ..case() }, "-"),
            // FIPS and dual-stack: env > profile > false, booleans case-insensitive
            ("fips", case(), "false (default)"),
            ("fips", Case { config: "[default]\nuse_fips_endpoint = True\n", ..case() }, "true (the use_fips_endpoint of profile default in ~/config)"),
            ("fips", Case { env: vec![("AWS_USE_FIPS_ENDPOINT", "false")], config: "[default]\nuse_fips_endpoint = true\n", ..case() }, "false (AWS_USE_FIPS_ENDPOINT)"),
            ("dualstack", case(), "false (default)"),
            ("dualstack", Case { config: "[default]\nuse_dualstack_endpoint = true\n", ..case() }, "true (the use_dualstack_endpoint of profile default in ~/config)"),
            ("dualstack", Case { env: vec![("AWS_USE_DUALSTACK_ENDPOINT", "FALSE")], config: "[default]\nuse_dualstack_endpoint = true\n", ..case() }, "false (AWS_USE_DUALSTACK_ENDPOINT)"),
            // timeouts: flags only, 60 s by default, 0 for none
            ("connect_timeout", case(), "Some(60s)"),
            ("connect_timeout", Case { flags: flags(|g| g.cli_connect_timeout = Some(5)), ..case() }, "Some(5s)"),
            ("read_timeout", Case { flags: flags(|g| g.cli_read_timeout = Some(0)), ..case() }, "None"),
            ("read_timeout", Case { env: vec![("AWS_READ_TIMEOUT", "5")], config: "[default]\ncli_read_timeout = 5\n", ..case() }, "Some(60s)"),
            ("verify_ssl", case(), "true"),
            ("verify_ssl", Case { flags: flags(|g| g.no_verify_ssl = true), ..case() }, "false"),
            ("sign_requests", Case { flags: flags(|g| g.no_sign_request = true), ..case() }, "false"),
        ];
        for (i, (name, case, expected)) in table.iter().enumerate() {
            let settings = case
                .resolve()
                .unwrap_or_else(|e| panic!("row {i} ({name}): {e:?}"));
            assert_eq!(setting(&settings, name), *expected, "row {i} ({name})");
        }
    }

    #[test]
    fn bad_values_are_reported_with_their_source() {
        #[rustfmt::skip]
        let table: Vec<(Case, u8, &[&str])> = vec![
            (Case { flags: flags(|g| g.profile = Some("nosuch".into())), ..case() }, 253, &["The config profile (nosuch) could not be found"]),
            (Case { env: vec![("AWS_PROFILE", "nosuch")], ..case() }, 253, &["The config profile (nosuch) could not be found"]),
            (Case { env: vec![("AWS_DEFAULT_OUTPUT", "yaml")], ..case() }, 253, &["Unknown output type: yaml", "AWS_DEFAULT_OUTPUT"]),
            (Case { config: "[default]\noutput = xml\n", ..case() }, 253, &["Unknown output type: xml", "the output of profile default in "]),
            (Case { env: vec![("AWS_RETRY_MODE", "bogus")], ..case() }, 253, &[r#"Invalid value provided to "mode": "bogus""#]),
            (Case { config: "[default]\nmax_attempts = 0\n", ..case() }, 253, &["max_attempts", "0"]),
            (Case { env: vec![("AWS_MAX_ATTEMPTS", "abc")], ..case() }, 253, &["abc", "AWS_MAX_ATTEMPTS"]),
            (Case { env: vec![("AWS_USE_FIPS_ENDPOINT", "yes")], ..case() }, 253, &["AWS_USE_FIPS_ENDPOINT", "yes"]),
            (Case { flags: flags(|g| g.region = Some("us west 2".into())), ..case() }, 252, &["Provided region_name 'us west 2' doesn't match a supported format."]),
            (Case { flags: flags(|g| g.region = Some("123".into())), ..case() }, 252, &["'123'"]),
            (Case { config: "[default]\nregion = us_west_2\n", ..case() }, 253, &["'us_west_2'", "the region of profile default in "]),
            (Case { env: vec![("AWS_REGION", "eu-west-1")], ..case() }, 253, &["eu-west-1", "us-west-2", "AWS_REGION"]),
            (Case { arn: Some("arn:aws:kinesisvideo:cn-north-1:1:channel/c/1"), ..case() }, 253, &["cn-north-1", "aws-cn"]),
            (Case { arn: None, ..case() }, 253, &["You must specify a region"]),
            (Case { config: "[default\n", ..case() }, 253, &["line 1"]),
        ];
        for (i, (case, code, needles)) in table.iter().enumerate() {
            let err = case
                .resolve()
                .err()
                .unwrap_or_else(|| panic!("row {i} resolved"));
            assert_eq!(err.exit_code(), *code, "row {i}: {}", err.message());
            for needle in *needles {
                assert!(err.message().contains(needle), "row {i}: {}", err.message());
            }
        }
    }

    #[test]
    fn a_region_that_disagrees_with_the_arn_only_warns_with_an_endpoint() {
        let settings = Case {
            flags: flags(|g| {
                g.region = Some("eu-west-1".into());
                g.endpoint_url = Some("http://127.0.0.1:1".into());
            }),
            ..case()
        }
        .resolve()
        .unwrap();
        assert_eq!(settings.region.value, "eu-west-1");
        assert_eq!(settings.warnings.len(), 1);
        assert!(settings.warnings[0].contains("us-west-2"));
    }

    #[test]
    fn describe_names_sources_and_no_secrets() {
        let settings = Case {
            env: vec![
                ("AWS_ACCESS_KEY_ID", "AKIDDESCRIBE"),
                ("AWS_SECRET_ACCESS_KEY", "secret-do-not-print"),
                ("AWS_SESSION_TOKEN", "token-do-not-print"),
                ("AWS_REGION", "us-west-2"),
            ],
            ..case()
        }
        .resolve()
        .unwrap();
        let mut lines = settings.describe();
        lines.push(settings.credentials.describe());
        let all = lines.join("\n");
        assert!(
            all.contains("region = \"us-west-2\" (from AWS_REGION)"),
            "{all}"
        );
        assert!(all.contains("AKIDDESCRIBE"), "{all}");
        assert!(!all.contains("do-not-print"), "{all}");
        assert!(!format!("{settings:?}").contains("do-not-print"));
    }
}
