//! The credential chain, in the AWS CLI v1's order. Environment and static profile keys (nearly
//! every CI run) are read here without I/O; assume-role, web identity, SSO, credential_process,
//! container and instance-metadata credentials come from aws-config's providers.

use std::time::Duration;

use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_types::region::Region;

use super::files::ConfigFiles;
use super::http_adapter::ReqwestHttpClient;
use crate::error::{Error, Result};
use crate::settings::Env;

/// Where credentials will come from, decided without I/O; `resolve` fetches them.
#[derive(Debug)]
pub struct CredentialsPlan {
    kind: Kind,
    region: String,
}

#[derive(Debug)]
enum Kind {
    /// Keys already in hand, and where they were found.
    Static(Credentials, String),
    /// A profile that aws-config resolves: assume-role, SSO, credential_process, web identity.
    Profile {
        name: String,
        method: &'static str,
    },
    WebIdentityFromEnv,
    Container,
    InstanceMetadata,
    /// A problem found while planning, reported only if credentials are needed.
    Invalid(String),
    Nothing,
}

const NO_CREDENTIALS: &str = "Unable to locate credentials. You can configure credentials by \
     running \"aws configure\", or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

impl CredentialsPlan {
    /// The AWS CLI v1 order: environment (unless `--profile` was given), assume-role, web
    /// identity, SSO, the credentials file, credential_process, the config file, container,
    /// instance metadata.
    pub fn plan(
        env: &Env,
        files: &ConfigFiles,
        profile: &str,
        profile_flag_given: bool,
        region: &str,
    ) -> CredentialsPlan {
        let kind = plan_kind(env, files, profile, profile_flag_given);
        CredentialsPlan {
            kind,
            region: region.to_string(),
        }
    }

    /// A plan for keys given directly (tests).
    pub fn from_credentials(credentials: Credentials, source: &str) -> CredentialsPlan {
        CredentialsPlan {
            kind: Kind::Static(credentials, source.to_string()),
            region: String::new(),
        }
    }

    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Static(c, source) => format!("{source} (access key {})", c.access_key_id()),
            Kind::Profile { name, method } => format!("profile {name} ({method})"),
            Kind::WebIdentityFromEnv => {
                "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)".into()
            }
            Kind::Container => "container credentials (AWS_CONTAINER_CREDENTIALS_*)".into(),
            Kind::InstanceMetadata => "EC2 instance metadata (IMDSv2)".into(),
            Kind::Invalid(problem) => format!("nowhere: {problem}"),
            Kind::Nothing => "nowhere: none configured".into(),
        }
    }

    /// Fetch the credentials. `http` carries the providers' requests (STS, SSO, metadata).
    pub async fn resolve(&self, http: &reqwest::Client) -> Result<Option<Credentials>> {
        let config = || {
            ProviderConfig::empty()
                .with_http_client(ReqwestHttpClient::new(http.clone()))
                .with_sleep_impl(TokioSleep::new())
                .with_region(Some(Region::new(self.region.clone())))
        };
        let fetched = match &self.kind {
            Kind::Static(credentials, _) => return Ok(Some(credentials.clone())),
            Kind::Invalid(problem) => return Err(Error::config(problem.clone())),
            Kind::Nothing => return Err(Error::config(NO_CREDENTIALS)),
            Kind::Profile { name, .. } => {
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .configure(&config())
                    .profile_name(name)
                    .build()
                    .provide_credentials()
                    .await
            }
            Kind::WebIdentityFromEnv => {
                aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder()
                    .configure(&config())
                    .build()
                    .provide_credentials()
                    .await
            }
            Kind::Container => {
                aws_config::ecs::EcsCredentialsProvider::builder()
                    .configure(&config())
                    .build()
                    .provide_credentials()
                    .await
            }
            Kind::InstanceMetadata => {
                // One attempt with a one-second timeout, as the AWS CLI does off EC2.
                let client = aws_config::imds::Client::builder()
                    .configure(&config())
                    .max_attempts(1)
                    .connect_timeout(Duration::from_secs(1))
                    .read_timeout(Duration::from_secs(1))
                    .build();
                let fetched = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                    .configure(&config())
                    .imds_client(client)
                    .build()
                    .provide_credentials()
                    .await;
                return match fetched {
                    Ok(credentials) => Ok(Some(credentials)),
                    // Not on EC2: the chain simply ends empty.
                    Err(CredentialsError::CredentialsNotLoaded(_)) => {
                        Err(Error::config(NO_CREDENTIALS))
                    }
                    Err(e) => Err(provider_error(&self.describe(), e)),
                };
            }
        };
        fetched
            .map(Some)
            .map_err(|e| provider_error(&self.describe(), e))
    }
}

fn provider_error(source: &str, error: CredentialsError) -> Error {
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(e) = cause {
        message.push_str(": ");
        message.push_str(&e.to_string());
        cause = e.source();
    }
    Error::config(format!(
        "Error when retrieving credentials from {source}: {}",
        message.replace('\n', " ").trim_end()
    ))
}

fn plan_kind(env: &Env, files: &ConfigFiles, profile: &str, profile_flag_given: bool) -> Kind {
    if !profile_flag_given {
        if let Some(key) = env.non_empty("AWS_ACCESS_KEY_ID") {
            let Some(secret) = env.non_empty("AWS_SECRET_ACCESS_KEY") else {
                return Kind::Invalid(
                    "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY".into(),
                );
            };
            let token = env
                .non_empty("AWS_SECURITY_TOKEN")
                .or_else(|| env.non_empty("AWS_SESSION_TOKEN"));
            let credentials =
                Credentials::new(key, secret, token.map(str::to_string), None, "environment");
            return Kind::Static(credentials, "the environment (AWS_ACCESS_KEY_ID)".into());
        }
    }
    let get = |key: &str| files.get(profile, key).filter(|v| !v.is_empty());
    if get("mfa_serial").is_some() {
        return Kind::Invalid(format!(
            "The profile {profile} uses mfa_serial, which kvs does not support: run \
             `aws sts get-session-token` and export its credentials instead."
        ));
    }
    let via_profile = |method| Kind::Profile {
        name: profile.to_string(),
        method,
    };
    if get("role_arn").is_some() && get("web_identity_token_file").is_none() {
        return via_profile("assume-role");
    }
    if !profile_flag_given
        && env.non_empty("AWS_WEB_IDENTITY_TOKEN_FILE").is_some()
        && env.non_empty("AWS_ROLE_ARN").is_some()
    {
        return Kind::WebIdentityFromEnv;
    }
    if get("web_identity_token_file").is_some() {
        return via_profile("web identity");
    }
    if get("sso_account_id").is_some() || get("sso_session").is_some() {
        return via_profile("sso");
    }
    match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(key), Some(secret)) => {
            let token = get("aws_security_token").or_else(|| get("aws_session_token"));
            let credentials =
                Credentials::new(key, secret, token.map(str::to_string), None, "profile");
            return Kind::Static(
                credentials,
                format!("profile {profile} in the shared files"),
            );
        }
        (Some(_), None) => {
            return Kind::Invalid(format!(
                "Partial credentials found in profile {profile}, missing: aws_secret_access_key"
            ))
        }
        _ => {}
    }
    if get("credential_process").is_some() {
        return via_profile("credential_process");
    }
    if env
        .non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .is_some()
        || env
            .non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .is_some()
    {
        return Kind::Container;
    }
    let metadata_disabled = env
        .get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if metadata_disabled {
        Kind::Nothing
    } else {
        Kind::InstanceMetadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(
        config: &str,
        credentials: &str,
        vars: &[(&str, &str)],
        profile: &str,
        flag: bool,
    ) -> String {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config");
        let credentials_path = dir.path().join("credentials");
        std::fs::write(&config_path, config).unwrap();
        std::fs::write(&credentials_path, credentials).unwrap();
        let mut pairs = vec![
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_CONFIG_FILE", config_path.to_str().unwrap()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials_path.to_str().unwrap(),
            ),
        ];
        pairs.extend_from_slice(vars);
        let env = Env::from_pairs(pairs.iter().copied());
        let files = ConfigFiles::load(&env).unwrap();
        CredentialsPlan::plan(&env, &files, profile, flag, "us-west-2").describe()
    }

    const ENV_KEYS: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ];

    #[test]
    fn the_chain_follows_the_aws_cli_order() {
        let static_creds = "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n";
        // Environment first, unless --profile was given.
        assert!(plan("", static_creds, ENV_KEYS, "default", false).contains("AKIDENV"));
        assert!(plan("", static_creds, ENV_KEYS, "default", true).contains("AKIDFILE"));
        // Assume-role beats static keys in the same profile.
        let role = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n";
        assert!(plan(role, static_creds, &[], "default", false).contains("assume-role"));
        // Web identity from the environment, then SSO, then static keys, then the process.
        let web = [
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
        ];
        assert!(plan("", static_creds, &web, "default", false).starts_with("web identity"));
        assert!(plan("", static_creds, &web, "default", true).contains("AKIDFILE"));
        let sso = "[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n";
        assert!(plan(sso, static_creds, &[], "default", false).contains("(sso)"));
        let process = "[default]\ncredential_process = /bin/creds\n";
        assert!(plan(process, static_creds, &[], "default", false).contains("AKIDFILE"));
        assert!(plan(process, "", &[], "default", false).contains("credential_process"));
        // Then the container, then instance metadata unless disabled.
        let container = [("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds")];
        assert!(plan("", "", &container, "default", false).starts_with("container"));
        assert!(plan("", "", &[], "default", false).starts_with("EC2 instance metadata"));
        let off = [("AWS_EC2_METADATA_DISABLED", "true")];
        assert!(plan("", "", &off, "default", false).starts_with("nowhere"));
    }

    #[test]
    fn partial_keys_and_mfa_are_reported() {
        let partial = [("AWS_ACCESS_KEY_ID", "AKID")];
        assert!(
            plan("", "", &partial, "default", false).contains("Partial credentials found in env")
        );
        let mfa = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/u\n";
        assert!(plan(mfa, "", &[], "default", false).contains("mfa_serial"));
        let half = "[default]\naws_access_key_id = AKID\n";
        assert!(plan("", half, &[], "default", false).contains("missing: aws_secret_access_key"));
    }

    #[test]
    fn session_tokens_come_with_static_keys() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "sekrit"),
            ("AWS_SESSION_TOKEN", "tok"),
        ]);
        let files = ConfigFiles::load(&env).unwrap();
        let plan = CredentialsPlan::plan(&env, &files, "default", false, "us-west-2");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let credentials = runtime
            .block_on(async {
                let options = crate::http::client::ClientOptions {
                    verify_ssl: true,
                    ..Default::default()
                };
                plan.resolve(&crate::http::client::build(&options).unwrap())
                    .await
            })
            .unwrap()
            .unwrap();
        assert_eq!(credentials.session_token(), Some("tok"));
        assert_eq!(credentials.secret_access_key(), "sekrit");
        let described = plan.describe();
        assert!(
            !described.contains("sekrit") && !described.contains("tok"),
            "{described}"
        );
    }
}
