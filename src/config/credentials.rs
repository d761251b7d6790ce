//! The credential chain, in the AWS CLI v1's order, decided without I/O. Environment and static
//! profile keys (nearly every CI run) are complete here; everything that needs a request or a
//! process is fetched later by `providers`.

use std::path::PathBuf;
use std::time::Duration;

use aws_credential_types::Credentials;

use super::files::{ConfigFiles, FileKind};
use super::providers;
use crate::error::{Error, Result};
use crate::settings::Env;

/// Where credentials will come from, decided without I/O; `resolve` fetches them.
#[derive(Debug)]
pub struct CredentialsPlan {
    /// `Err` holds the message to report if credentials are needed: a configuration problem,
    /// or "nothing found".
    found: std::result::Result<Provider, String>,
    context: Context,
}

/// What the providers' own clients need.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    /// The region STS and instance metadata requests are made for.
    pub region: String,
    /// A configured STS endpoint (`AWS_ENDPOINT_URL_STS` and friends), for assume-role.
    pub sts_endpoint: Option<String>,
}

/// One link of the chain. Assume-role nests the provider of its source credentials.
#[derive(Debug, Clone)]
pub(super) enum Provider {
    /// Keys already in hand (environment, credentials file, config file).
    Static {
        credentials: Credentials,
        origin: String,
    },
    AssumeRole(Box<Role>),
    WebIdentity {
        token_file: PathBuf,
        role_arn: String,
        session_name: Option<String>,
        origin: &'static str,
    },
    Sso(Sso),
    Process {
        profile: String,
        command: String,
    },
    Container,
    InstanceMetadata,
}

#[derive(Debug, Clone)]
pub(super) struct Role {
    pub profile: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub duration: Option<Duration>,
    pub source: Provider,
}

#[derive(Debug, Clone)]
pub(super) struct Sso {
    pub profile: String,
    pub account_id: String,
    pub role_name: String,
    pub start_url: String,
    pub region: String,
    /// The `sso-session` name, when the profile uses one (its token cache is keyed by it).
    pub session: Option<String>,
}

pub(super) const NO_CREDENTIALS: &str =
    "Unable to locate credentials. You can configure credentials by \
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
        sts_endpoint: Option<&str>,
    ) -> CredentialsPlan {
        let planner = Planner { env, files };
        let found = planner
            .top_level(profile, profile_flag_given)
            .and_then(|p| p.ok_or_else(|| NO_CREDENTIALS.to_string()));
        CredentialsPlan {
            found,
            context: Context {
                region: region.to_string(),
                sts_endpoint: sts_endpoint.map(str::to_string),
            },
        }
    }

    /// Where the credentials come from, for `--debug`: never a secret, nor a process's command.
    pub fn describe(&self) -> String {
        match &self.found {
            Ok(provider) => provider.describe(),
            Err(problem) => format!("nowhere: {problem}"),
        }
    }

    /// Fetch the credentials. `http` carries the providers' requests (STS, SSO, metadata).
    pub async fn resolve(&self, http: &reqwest::Client) -> Result<Option<Credentials>> {
        let provider = self.found.as_ref().map_err(|p| Error::config(p.clone()))?;
        providers::fetch(provider, &self.context, http)
            .await
            .map(Some)
    }
}

impl Provider {
    pub(super) fn describe(&self) -> String {
        match self {
            Provider::Static {
                credentials,
                origin,
            } => format!("{origin} (access key {})", credentials.access_key_id()),
            Provider::AssumeRole(role) => format!(
                "assume-role {} (profile {}), with credentials from {}",
                role.role_arn,
                role.profile,
                role.source.describe()
            ),
            Provider::WebIdentity {
                role_arn,
                token_file,
                origin,
                ..
            } => format!(
                "web identity {role_arn} with the token in {} (from {origin})",
                token_file.display()
            ),
            Provider::Sso(sso) => format!(
                "IAM Identity Center (SSO) account {} role {} (profile {})",
                sso.account_id, sso.role_name, sso.profile
            ),
            Provider::Process { profile, .. } => format!("credential_process of profile {profile}"),
            Provider::Container => "container credentials (AWS_CONTAINER_CREDENTIALS_*)".into(),
            Provider::InstanceMetadata => "EC2 instance metadata (IMDSv2)".into(),
        }
    }
}

/// Reads the chain's inputs. `Err` is a configuration problem, `Ok(None)` "not this link".
struct Planner<'a> {
    env: &'a Env,
    files: &'a ConfigFiles,
}

type Step = std::result::Result<Option<Provider>, String>;

impl Planner<'_> {
    fn top_level(&self, profile: &str, profile_flag_given: bool) -> Step {
        // botocore: an explicit --profile switches off the environment's keys and web identity.
        let env_allowed = !profile_flag_given;
        if env_allowed {
            if let Some(found) = self.environment()? {
                return Ok(Some(found));
            }
        }
        if self.is_role(profile) {
            return self.role(profile, &mut vec![profile.to_string()]).map(Some);
        }
        if let Some(found) = self.profile_providers(profile, env_allowed)? {
            return Ok(Some(found));
        }
        if self.container_configured() {
            return Ok(Some(Provider::Container));
        }
        let metadata_disabled = self
            .env
            .get("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Ok((!metadata_disabled).then_some(Provider::InstanceMetadata))
    }

    fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.files.get(profile, key).filter(|v| !v.is_empty())
    }

    fn environment(&self) -> Step {
        let Some(key) = self.env.non_empty("AWS_ACCESS_KEY_ID") else {
            return Ok(None);
        };
        let Some(secret) = self.env.non_empty("AWS_SECRET_ACCESS_KEY") else {
            return Err("Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY".into());
        };
        let token = self
            .env
            .non_empty("AWS_SECURITY_TOKEN")
            .or_else(|| self.env.non_empty("AWS_SESSION_TOKEN"));
        Ok(Some(Provider::Static {
            credentials: Credentials::new(key, secret, token.map(str::to_string), None, "env"),
            origin: "the environment (AWS_ACCESS_KEY_ID)".into(),
        }))
    }

    fn container_configured(&self) -> bool {
        self.env
            .non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .is_some()
            || self
                .env
                .non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                .is_some()
    }

    fn is_role(&self, profile: &str) -> bool {
        self.get(profile, "role_arn").is_some()
            && self.get(profile, "web_identity_token_file").is_none()
    }

    fn has_static_keys(&self, profile: &str) -> bool {
        self.get(profile, "aws_access_key_id").is_some()
            || self.get(profile, "aws_secret_access_key").is_some()
    }

    /// The profile-based links, in botocore's `ProfileProviderBuilder` order.
    fn profile_providers(&self, profile: &str, env_allowed: bool) -> Step {
        if let Some(found) = self.web_identity(profile, env_allowed)? {
            return Ok(Some(found));
        }
        if let Some(found) = self.sso(profile)? {
            return Ok(Some(found));
        }
        if let Some(found) = self.static_keys(FileKind::Credentials, profile)? {
            return Ok(Some(found));
        }
        if let Some(command) = self.get(profile, "credential_process") {
            return Ok(Some(Provider::Process {
                profile: profile.to_string(),
                command: command.to_string(),
            }));
        }
        self.static_keys(FileKind::Config, profile)
    }

    fn static_keys(&self, file: FileKind, profile: &str) -> Step {
        let get = |key| {
            self.files
                .get_in(file, profile, key)
                .filter(|v| !v.is_empty())
        };
        let Some(key) = get("aws_access_key_id") else {
            return Ok(None);
        };
        let (method, origin) = match file {
            FileKind::Credentials => ("shared-credentials-file", "the credentials file"),
            FileKind::Config => ("config-file", "the config file"),
        };
        let Some(secret) = get("aws_secret_access_key") else {
            return Err(format!(
                "Partial credentials found in {method}, missing: aws_secret_access_key"
            ));
        };
        let token = get("aws_security_token").or_else(|| get("aws_session_token"));
        Ok(Some(Provider::Static {
            credentials: Credentials::new(key, secret, token.map(str::to_string), None, method),
            origin: format!("profile {profile} in {origin}"),
        }))
    }

    /// Web identity: each key from the environment first (unless switched off), then the profile.
    fn web_identity(&self, profile: &str, env_allowed: bool) -> Step {
        let env = |var| env_allowed.then(|| self.env.non_empty(var)).flatten();
        let (token_file, origin) = match env("AWS_WEB_IDENTITY_TOKEN_FILE") {
            Some(file) => (file, "AWS_WEB_IDENTITY_TOKEN_FILE"),
            None => match self.get(profile, "web_identity_token_file") {
                Some(file) => (file, "web_identity_token_file"),
                None => return Ok(None),
            },
        };
        let Some(role_arn) = env("AWS_ROLE_ARN").or_else(|| self.get(profile, "role_arn")) else {
            return Err(
                "The provided profile or the current environment is configured to \
                        assume role with web identity but has no role ARN configured. Ensure \
                        that the profile has the role_arn configuration set or the AWS_ROLE_ARN \
                        env var is set."
                    .into(),
            );
        };
        let session_name =
            env("AWS_ROLE_SESSION_NAME").or_else(|| self.get(profile, "role_session_name"));
        Ok(Some(Provider::WebIdentity {
            token_file: PathBuf::from(token_file),
            role_arn: role_arn.to_string(),
            session_name: session_name.map(str::to_string),
            origin,
        }))
    }

    /// SSO, as botocore's `SSOProvider`: the role name or account id marks an SSO profile.
    fn sso(&self, profile: &str) -> Step {
        let account_id = self.get(profile, "sso_account_id");
        let role_name = self.get(profile, "sso_role_name");
        if account_id.is_none() && role_name.is_none() {
            return Ok(None);
        }
        let session = self.get(profile, "sso_session");
        let mut start_url = self.get(profile, "sso_start_url");
        let mut region = self.get(profile, "sso_region");
        if let Some(name) = session {
            if !self.files.has_sso_session(name) {
                return Err(format!(
                    "The specified sso-session does not exist: \"{name}\""
                ));
            }
            for (key, value) in [
                ("sso_start_url", &mut start_url),
                ("sso_region", &mut region),
            ] {
                let from_session = self.files.sso_session(name, key);
                match (*value, from_session) {
                    (Some(mine), Some(theirs)) if mine != theirs => {
                        return Err(format!(
                            "The value for {key} is inconsistent between profile ({mine}) and \
                             sso-session ({theirs})."
                        ))
                    }
                    (_, Some(theirs)) => *value = Some(theirs),
                    _ => {}
                }
            }
        }
        let missing: Vec<&str> = [
            ("sso_role_name", role_name),
            ("sso_account_id", account_id),
            ("sso_start_url", start_url),
            ("sso_region", region),
        ]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
        match (account_id, role_name, start_url, region) {
            (Some(account_id), Some(role_name), Some(start_url), Some(region)) => {
                Ok(Some(Provider::Sso(Sso {
                    profile: profile.to_string(),
                    account_id: account_id.to_string(),
                    role_name: role_name.to_string(),
                    start_url: start_url.to_string(),
                    region: region.to_string(),
                    session: session.map(str::to_string),
                })))
            }
            _ => Err(format!(
                "The profile \"{profile}\" is configured to use SSO but is missing required \
                 configuration: {}",
                missing.join(", ")
            )),
        }
    }

    /// An assume-role profile and, recursively, where its source credentials come from.
    fn role(
        &self,
        profile: &str,
        visited: &mut Vec<String>,
    ) -> std::result::Result<Provider, String> {
        let get = |key| self.get(profile, key);
        let role_arn = get("role_arn").unwrap_or_default().to_string();
        if let Some(serial) = get("mfa_serial") {
            return Err(format!(
                "The profile {profile} assumes {role_arn} with MFA device {serial} \
                 (mfa_serial), which kvs does not support: run `aws sts get-session-token` or \
                 `aws sts assume-role` yourself and export the credentials it returns."
            ));
        }
        let source = match (get("source_profile"), get("credential_source")) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "The profile \"{profile}\" contains both source_profile and \
                     credential_source."
                ))
            }
            (None, None) => {
                return Err(
                    "Partial credentials found in assume-role, missing: source_profile \
                            or credential_source"
                        .into(),
                )
            }
            (None, Some(named)) => self.credential_source(profile, named)?,
            (Some(source), None) => self.source_profile(profile, source, visited)?,
        };
        Ok(Provider::AssumeRole(Box::new(Role {
            profile: profile.to_string(),
            role_arn,
            external_id: get("external_id").map(str::to_string),
            session_name: get("role_session_name").map(str::to_string),
            // botocore ignores a value that is not an integer.
            duration: get("duration_seconds")
                .and_then(|d| d.trim().parse().ok())
                .map(Duration::from_secs),
            source,
        })))
    }

    fn credential_source(
        &self,
        profile: &str,
        named: &str,
    ) -> std::result::Result<Provider, String> {
        match named {
            // botocore's named source reads the environment even under --profile.
            "Environment" => self.environment()?.ok_or_else(|| {
                format!(
                    "Error when retrieving credentials from Environment: No credentials found \
                     in credential_source referenced in profile {profile}"
                )
            }),
            "Ec2InstanceMetadata" => Ok(Provider::InstanceMetadata),
            "EcsContainer" => Ok(Provider::Container),
            other => Err(format!(
                "The credential source \"{other}\" referenced in profile \"{profile}\" is not \
                 valid."
            )),
        }
    }

    fn source_profile(
        &self,
        profile: &str,
        source: &str,
        visited: &mut Vec<String>,
    ) -> std::result::Result<Provider, String> {
        if !self.files.has_profile(source) {
            return Err(format!(
                "The source_profile \"{source}\" referenced in the profile \"{profile}\" does \
                 not exist."
            ));
        }
        // A profile may name itself to take static keys from itself; any other revisit loops.
        let revisit = visited.iter().any(|v| v == source);
        if revisit && (source != profile || !self.has_static_keys(source)) {
            let visited: Vec<String> = visited.iter().map(|v| format!("'{v}'")).collect();
            return Err(format!(
                "Infinite loop in credential configuration detected. Attempting to load from \
                 profile {source} which has already been visited. Visited profiles: [{}]",
                visited.join(", ")
            ));
        }
        visited.push(source.to_string());
        if self.has_static_keys(source) || !self.is_role(source) {
            self.profile_providers(source, false)?
                .ok_or_else(|| format!("The source profile \"{source}\" must have credentials."))
        } else {
            self.role(source, visited)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan for these files and variables, as `describe` puts it.
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
        CredentialsPlan::plan(&env, &files, profile, flag, "us-west-2", None).describe()
    }

    type Vars<'a> = &'a [(&'a str, &'a str)];

    const ENV_KEYS: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ];
    const CREDS_FILE: &str = "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n";
    const WEB: &[(&str, &str)] = &[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/web"),
    ];

    #[test]
    fn the_chain_follows_the_aws_cli_order() {
        let role = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n\
                    [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n";
        let sso =
            "[default]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\n\
                   sso_account_id = 1\nsso_role_name = r\n";
        let process = "[default]\ncredential_process = /bin/creds\n";
        let process_and_keys = "[default]\ncredential_process = /bin/creds\n\
                                aws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n";
        let container = [("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds")];
        let off = [("AWS_EC2_METADATA_DISABLED", "TRUE")];
        let mut web_and_keys = WEB.to_vec();
        web_and_keys.extend_from_slice(ENV_KEYS);
        #[rustfmt::skip]
        let table: &[(&str, &str, Vars, bool, &str)] = &[
            // 1. the environment, unless --profile was given
            ("", CREDS_FILE, ENV_KEYS, false, "the environment (AWS_ACCESS_KEY_ID) (access key AKIDENV)"),
            ("", CREDS_FILE, ENV_KEYS, true, "profile default in the credentials file (access key AKIDFILE)"),
            (role, CREDS_FILE, &web_and_keys, false, "the environment"),
            // 2. assume-role, before web identity and the profile's own keys
            (role, CREDS_FILE, WEB, false, "assume-role arn:aws:iam::1:role/r (profile default), with credentials from profile base in the config file (access key AKIDBASE)"),
            // 3. web identity: the environment's unless --profile, then the profile's
            ("", CREDS_FILE, WEB, false, "web identity arn:aws:iam::1:role/web with the token in /t (from AWS_WEB_IDENTITY_TOKEN_FILE)"),
            ("", CREDS_FILE, WEB, true, "profile default in the credentials file"),
            ("[default]\nweb_identity_token_file = /p\nrole_arn = arn:aws:iam::1:role/p\n", CREDS_FILE, &[], false, "web identity arn:aws:iam::1:role/p with the token in /p (from web_identity_token_file)"),
            // 4. SSO, before static keys
            (sso, CREDS_FILE, &[], false, "IAM Identity Center (SSO) account 1 role r (profile default)"),
            // 5. the credentials file, before credential_process
            (process, CREDS_FILE, &[], false, "profile default in the credentials file (access key AKIDFILE)"),
            // 6. credential_process, before the config file's keys
            (process_and_keys, "", &[], false, "credential_process of profile default"),
            // 7. the config file
            ("[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n", "", &[], false, "profile default in the config file (access key AKIDCONFIG)"),
            // 8. the container, 9. instance metadata unless disabled
            ("", "", &container, false, "container credentials"),
            ("", "", &[], false, "EC2 instance metadata (IMDSv2)"),
            ("", "", &off, false, "nowhere: Unable to locate credentials."),
        ];
        for (i, (config, credentials, vars, flag, expected)) in table.iter().enumerate() {
            let described = plan(config, credentials, vars, "default", *flag);
            assert!(described.starts_with(expected), "row {i}: {described}");
        }
    }

    #[test]
    fn role_sources_chain_and_carry_their_options() {
        let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
                      external_id = ext\nrole_session_name = sess\nduration_seconds = 900\n\
                      [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n\
                      [profile c]\ncredential_process = /bin/c\n\
                      [profile self]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = self\n\
                      aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n\
                      [profile env]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n\
                      [profile ecs]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = EcsContainer\n\
                      [profile sso]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = ssobase\n\
                      [profile ssobase]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n\
                      [sso-session s]\nsso_region = us-east-1\nsso_start_url = https://x\n";
        let described = plan(config, "", &[], "a", true);
        assert_eq!(
            described,
            "assume-role arn:aws:iam::1:role/a (profile a), with credentials from assume-role \
             arn:aws:iam::1:role/b (profile b), with credentials from credential_process of \
             profile c"
        );
        assert!(plan(config, "", &[], "self", true)
            .ends_with("profile self in the config file (access key AKIDSELF)"));
        // credential_source = Environment reads the environment even under --profile.
        assert!(plan(config, "", ENV_KEYS, "env", true).ends_with("(access key AKIDENV)"));
        assert!(plan(config, "", &[], "env", true)
            .contains("No credentials found in credential_source"));
        assert!(plan(config, "", &[], "ecs", true)
            .ends_with("container credentials (AWS_CONTAINER_CREDENTIALS_*)"));
        assert!(plan(config, "", &[], "sso", true)
            .ends_with("IAM Identity Center (SSO) account 1 role r (profile ssobase)"));
    }

    #[test]
    fn configuration_problems_use_the_aws_cli_messages() {
        #[rustfmt::skip]
        let table: &[(&str, &str, Vars, &str)] = &[
            ("", "", &[("AWS_ACCESS_KEY_ID", "AKID")], "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY"),
            ("", "[default]\naws_access_key_id = AKID\n", &[], "Partial credentials found in shared-credentials-file, missing: aws_secret_access_key"),
            ("[default]\naws_access_key_id = AKID\n", "", &[], "Partial credentials found in config-file, missing: aws_secret_access_key"),
            ("[default]\nrole_arn = arn:aws:iam::1:role/r\n", "", &[], "Partial credentials found in assume-role, missing: source_profile or credential_source"),
            ("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nosuch\n", "", &[], "The source_profile \"nosuch\" referenced in the profile \"default\" does not exist."),
            ("[default]\nrole_arn = r\nsource_profile = default\ncredential_source = Environment\n", "", &[], "The profile \"default\" contains both source_profile and credential_source."),
            ("[default]\nrole_arn = r\ncredential_source = Moon\n", "", &[], "The credential source \"Moon\" referenced in profile \"default\" is not valid."),
            ("[default]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = default\n", "", &[], "Infinite loop in credential configuration detected. Attempting to load from profile default which has already been visited. Visited profiles: ['default', 'b']"),
            ("[default]\nrole_arn = r\nsource_profile = default\n", "", &[], "Infinite loop"),
            ("[default]\nrole_arn = r\nsource_profile = b\n[profile b]\nregion = x\n", "", &[], "The source profile \"b\" must have credentials."),
            ("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/u\n[profile b]\n", "", &[], "The profile default assumes arn:aws:iam::1:role/r with MFA device arn:aws:iam::1:mfa/u (mfa_serial), which kvs does not support"),
            ("[default]\nsso_account_id = 1\n", "", &[], "The profile \"default\" is configured to use SSO but is missing required configuration: sso_role_name, sso_start_url, sso_region"),
            ("[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n", "", &[], "The specified sso-session does not exist: \"s\""),
            ("[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\nsso_region = eu-west-1\n[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://x\n", "", &[], "The value for sso_region is inconsistent between profile (eu-west-1) and sso-session (us-east-1)."),
            ("", "", &[("AWS_WEB_IDENTITY_TOKEN_FILE", "/t")], "The provided profile or the current environment is configured to assume role with web identity but has no role ARN configured."),
        ];
        for (i, (config, credentials, vars, expected)) in table.iter().enumerate() {
            let described = plan(config, credentials, vars, "default", false);
            let expected = format!("nowhere: {expected}");
            assert!(described.starts_with(&expected), "row {i}: {described}");
        }
        // mfa_serial outside an assume-role profile is not used, as in the AWS CLI.
        let keys_and_mfa = "[default]\nmfa_serial = arn:aws:iam::1:mfa/u\n";
        assert!(plan(keys_and_mfa, CREDS_FILE, &[], "default", false).contains("AKIDFILE"));
    }
}
