//! The shared config and credentials files, parsed by aws-runtime's `env_config` (the parser
//! every AWS SDK shares and tests against the same suite), merged as the AWS CLI merges them.

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_runtime::env_config::property::PropertiesKey;
use aws_runtime::env_config::section::{EnvConfigSections, Profile};
use aws_types::os_shim_internal;

use crate::error::{Error, Result};
use crate::settings::Env;

/// Both files, parsed and merged (credentials-file keys win, as in the AWS CLI).
pub struct ConfigFiles {
    sections: EnvConfigSections,
    /// How the config file is named in messages: `AWS_CONFIG_FILE` or `~/.aws/config`.
    pub config_path: String,
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
        let files = EnvConfigFiles::default();
        let loading = aws_runtime::env_config::source::load(&shim_env, &fs, &files);
        // Loading only reads files: the future never waits, so no runtime is needed.
        let source = run_ready(loading).map_err(|e| {
            let reason = std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_else(|| e.to_string());
            Error::config(format!("Unable to read the AWS config files: {reason}"))
        })?;
        let sections = EnvConfigSections::parse(source).map_err(|e| {
            Error::config(format!(
                "Unable to parse config file: {}",
                e.to_string().replace("\n  ", " ")
            ))
        })?;
        Ok(ConfigFiles {
            sections,
            config_path: env
                .non_empty("AWS_CONFIG_FILE")
                .unwrap_or("~/.aws/config")
                .to_string(),
        })
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.sections.get_profile(name)
    }

    /// A value from a profile, if the profile exists.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.profile(profile).and_then(|p| p.get(key))
    }

    /// `endpoint_url` for `service` (e.g. `kinesis_video`) in the `[services NAME]` section the
    /// profile's `services` key names.
    pub fn service_endpoint(&self, profile: &str, service: &str) -> Result<Option<String>> {
        let Some(section) = self.get(profile, "services") else {
            return Ok(None);
        };
        let key = |property: Option<&str>| {
            let mut builder = PropertiesKey::builder()
                .section_key("services")
                .section_name(section)
                .property_name(service);
            if let Some(p) = property {
                builder = builder.sub_property_name(p);
            }
            builder.build().ok()
        };
        let sections = self.sections.other_sections();
        Ok(key(Some("endpoint_url"))
            .and_then(|k| sections.get(&k))
            .map(|v| v.to_string()))
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
        assert!(files.profile("onlycreds").is_some());
        assert!(files.profile("nosuch").is_none());
    }

    #[test]
    fn services_sections_give_endpoints() {
        let (_dir, loaded) = files(
            "[default]\nservices = local\n[services local]\nkinesis_video =\n  endpoint_url = http://127.0.0.1:1\n",
            "",
        );
        let files = loaded.unwrap();
        assert_eq!(
            files.service_endpoint("default", "kinesis_video").unwrap(),
            Some("http://127.0.0.1:1".to_string())
        );
        assert_eq!(
            files
                .service_endpoint("default", "kinesis_video_webrtc_storage")
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_broken_file_is_one_line_naming_it() {
        let (_dir, loaded) = files("[default\nregion = x\n", "");
        let err = loaded.err().unwrap();
        assert_eq!(err.exit_code(), 253);
        assert!(err.message().contains("config"), "{}", err.message());
        assert!(err.message().contains("line 1"), "{}", err.message());
        assert!(!err.message().contains('\n'));
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
