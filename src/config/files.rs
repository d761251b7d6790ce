//! The shared config and credentials files, parsed by aws-runtime's `env_config` (the parser
//! every AWS SDK shares and tests against the same suite), merged as the AWS CLI merges them.

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_runtime::env_config::property::PropertiesKey;
use aws_runtime::env_config::section::EnvConfigSections;
use aws_types::os_shim_internal;

use crate::error::{Error, Result};
use crate::settings::Env;

/// Which shared file a value was read from (the credential chain treats them differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

/// Both files, each parsed on its own; lookups lay the credentials file over the config file.
pub struct ConfigFiles {
    config: EnvConfigSections,
    credentials: EnvConfigSections,
    /// How the files are named in messages: as `AWS_CONFIG_FILE` and
    /// `AWS_SHARED_CREDENTIALS_FILE` give them, else `~/.aws/config` and `~/.aws/credentials`.
    config_path: String,
    credentials_path: String,
}

impl ConfigFiles {
    /// Read and parse both files. Missing files are empty; unparseable ones are a config error.
    pub fn load(env: &Env) -> Result<ConfigFiles> {
        let vars: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let shim_env = os_shim_internal::Env::from(vars);
        let fs = os_shim_internal::Fs::real();
        let parse = |kind: EnvConfigFileKind, name: &str| {
            let files = match kind {
                EnvConfigFileKind::Config => {
                    EnvConfigFiles::builder().include_default_config_file(true)
                }
                EnvConfigFileKind::Credentials => {
                    EnvConfigFiles::builder().include_default_credentials_file(true)
                }
            }
            .build();
            let loading = aws_runtime::env_config::source::load(&shim_env, &fs, &files);
            // Loading only reads files: the future never waits, so no runtime is needed.
            let source = run_ready(loading).map_err(|e| {
                let reason = std::error::Error::source(&e)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| e.to_string());
                Error::config(format!("Unable to read the {name} file: {reason}"))
            })?;
            EnvConfigSections::parse(source).map_err(|e| {
                Error::config(format!(
                    "Unable to parse the {name} file: {}",
                    e.to_string().replace("\n  ", " ")
                ))
            })
        };
        Ok(ConfigFiles {
            config: parse(EnvConfigFileKind::Config, "config")?,
            credentials: parse(EnvConfigFileKind::Credentials, "credentials")?,
            config_path: env
                .non_empty("AWS_CONFIG_FILE")
                .unwrap_or("~/.aws/config")
                .to_string(),
            credentials_path: env
                .non_empty("AWS_SHARED_CREDENTIALS_FILE")
                .unwrap_or("~/.aws/credentials")
                .to_string(),
        })
    }

    pub fn has_profile(&self, name: &str) -> bool {
        self.config.get_profile(name).is_some() || self.credentials.get_profile(name).is_some()
    }

    /// A value from a profile, the credentials file winning.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.locate(profile, key).map(|(value, _)| value)
    }

    /// A value from a profile and the file it is in.
    pub fn locate(&self, profile: &str, key: &str) -> Option<(&str, FileKind)> {
        [FileKind::Credentials, FileKind::Config]
            .into_iter()
            .find_map(|file| Some((self.get_in(file, profile, key)?, file)))
    }

    /// The file's name for messages.
    pub fn path(&self, file: FileKind) -> &str {
        match file {
            FileKind::Config => &self.config_path,
            FileKind::Credentials => &self.credentials_path,
        }
    }

    /// A value from one of the files only.
    pub fn get_in(&self, file: FileKind, profile: &str, key: &str) -> Option<&str> {
        let sections = match file {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        };
        sections.get_profile(profile).and_then(|p| p.get(key))
    }

    /// A key of an `[sso-session NAME]` section (config file only).
    pub fn sso_session(&self, name: &str, key: &str) -> Option<&str> {
        self.config.sso_session(name).and_then(|s| s.get(key))
    }

    pub fn has_sso_session(&self, name: &str) -> bool {
        self.config.sso_session(name).is_some()
    }

    /// `endpoint_url` for `service` (e.g. `kinesis_video`) in the `[services NAME]` section the
    /// profile's `services` key names, with that name.
    pub fn service_endpoint(&self, profile: &str, service: &str) -> Option<(&str, String)> {
        let section = self.get(profile, "services")?;
        let key = PropertiesKey::builder()
            .section_key("services")
            .section_name(section)
            .property_name(service)
            .sub_property_name("endpoint_url")
            .build()
            .ok();
        key.and_then(|k| self.config.other_sections().get(&k))
            .map(|v| (section, v.to_string()))
    }
}

/// Drive a future that completes without waiting (file reads here are synchronous).
fn run_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(config: &str, credentials: &str) -> (tempfile::TempDir, Result<ConfigFiles>) {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config");
        let credentials_path = dir.path().join("credentials");
        std::fs::write(&config_path, config).unwrap();
        std::fs::write(&credentials_path, credentials).unwrap();
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_CONFIG_FILE", config_path.to_str().unwrap()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials_path.to_str().unwrap(),
            ),
        ]);
        let loaded = ConfigFiles::load(&env);
        (dir, loaded)
    }

    #[test]
    fn profiles_merge_with_credentials_winning() {
        let (_dir, loaded) = files(
            "[default]\nregion = us-west-2\n[profile dev]\nregion = eu-west-1\noutput = text\n",
            "[dev]\nregion = eu-north-1\naws_access_key_id = AKID\n[onlycreds]\nx = 1\n",
        );
        let files = loaded.unwrap();
        assert_eq!(files.get("default", "region"), Some("us-west-2"));
        assert_eq!(files.get("dev", "region"), Some("eu-north-1"));
        assert_eq!(files.get("dev", "output"), Some("text"));
        assert!(files.has_profile("onlycreds"));
        assert!(!files.has_profile("nosuch"));
        assert_eq!(
            files.get_in(FileKind::Config, "dev", "region"),
            Some("eu-west-1")
        );
        assert_eq!(files.get_in(FileKind::Credentials, "dev", "output"), None);
    }

    #[test]
    fn services_sections_give_endpoints() {
        let (_dir, loaded) = files(
            "[default]\nservices = local\n[services local]\nkinesis_video =\n  endpoint_url = http://127.0.0.1:1\n",
            "",
        );
        let files = loaded.unwrap();
        assert_eq!(
            files.service_endpoint("default", "kinesis_video"),
            Some(("local", "http://127.0.0.1:1".to_string()))
        );
        assert_eq!(
            files.service_endpoint("default", "kinesis_video_webrtc_storage"),
            None
        );
    }

    #[test]
    fn a_broken_file_is_one_line_naming_it() {
        for (config, credentials, name) in [
            ("[default\nregion = x\n", "", "config"),
            ("", "[default]\n[x\n", "credentials"),
        ] {
            let (dir, loaded) = files(config, credentials);
            let err = loaded.err().unwrap();
            let message = err.message();
            assert_eq!(err.exit_code(), 253);
            assert!(
                message.starts_with(&format!("Unable to parse the {name} file")),
                "{message}"
            );
            assert!(
                message.contains(&dir.path().join(name).display().to_string()),
                "{message}"
            );
            assert!(message.contains("line"), "{message}");
            assert!(!message.contains('\n'));
        }
    }

    #[test]
    fn sso_sessions_come_from_the_config_file() {
        let (_dir, loaded) = files(
            "[sso-session s]\nsso_region = eu-west-1\nsso_start_url = https://x\n",
            "[sso-session t]\nsso_region = x\n",
        );
        let files = loaded.unwrap();
        assert_eq!(files.sso_session("s", "sso_region"), Some("eu-west-1"));
        assert!(files.has_sso_session("s"));
        assert!(!files.has_sso_session("t"));
    }

    /// aws-runtime's own profile-parser suite, which ships with the crate, through our loader.
    #[test]
    fn the_shared_profile_parser_suite_passes() {
        let suite: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/profile-parser-tests.json"
        ))
        .unwrap();
        let mut checked = 0;
        for case in suite["tests"].as_array().unwrap() {
            let input = &case["input"];
            let config = input["configFile"].as_str().unwrap_or("");
            let credentials = input["credentialsFile"].as_str().unwrap_or("");
            let (_dir, loaded) = files(config, credentials);
            let output = &case["output"];
            if output.get("errorContaining").is_some() {
                assert!(loaded.is_err(), "{}", case["name"]);
            } else if let Some(profiles) = output["config"]["profiles"].as_object() {
                let files = loaded.unwrap_or_else(|e| panic!("{}: {e:?}", case["name"]));
                for (name, properties) in profiles {
                    for (key, value) in properties.as_object().unwrap() {
                        if let Some(value) = value.as_str() {
                            assert_eq!(
                                files.get(name, key),
                                Some(value),
                                "{}: {name}.{key}",
                                case["name"]
                            );
                        }
                    }
                }
            }
            checked += 1;
        }
        assert!(checked > 50, "only {checked} cases");
    }
}
