//! Fetching what the plan decided: aws-config's providers for assume-role, web identity, SSO,
//! credential_process, container and instance metadata, all sending their requests through
//! kvs's reqwest client.

use std::time::{Duration, SystemTime};

use aws_config::provider_config::ProviderConfig;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::{error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_async::time::SystemTimeSource;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::retry::RetryConfig;
use aws_types::region::Region;
use aws_types::SdkConfig;

use super::credentials::{Context, Provider, Role, NO_CREDENTIALS};
use super::http_adapter::ReqwestHttpClient;
use crate::error::{Error, Result};

/// Fetch the credentials one link of the chain stands for.
pub(super) async fn fetch(
    provider: &Provider,
    context: &Context,
    http: &reqwest::Client,
) -> Result<Credentials> {
    let config = || {
        ProviderConfig::empty()
            .with_http_client(ReqwestHttpClient::new(http.clone()))
            .with_sleep_impl(TokioSleep::new())
            .with_region(Some(Region::new(context.region.clone())))
    };
    let fetched = match provider {
        Provider::Static { credentials, .. } => return Ok(credentials.clone()),
        Provider::AssumeRole(role) => {
            // The source first, so its own failure is reported as its own.
            let source = Box::pin(fetch(&role.source, context, http)).await?;
            assume_role(role, source, context, http).await
        }
        Provider::WebIdentity {
            token_file,
            role_arn,
            session_name,
            ..
        } => {
            use aws_config::web_identity_token::{
                StaticConfiguration, WebIdentityTokenCredentialsProvider,
            };
            WebIdentityTokenCredentialsProvider::builder()
                .configure(&config())
                .static_configuration(StaticConfiguration {
                    web_identity_token_file: token_file.clone(),
                    role_arn: role_arn.clone(),
                    session_name: session_name.clone().unwrap_or_else(default_session_name),
                })
                .build()
                .provide_credentials()
                .await
        }
        Provider::Sso(sso) => {
            let mut builder = aws_config::sso::SsoCredentialsProvider::builder()
                .configure(&config())
                .account_id(&sso.account_id)
                .role_name(&sso.role_name)
                .start_url(&sso.start_url)
                .region(Region::new(sso.region.clone()));
            if let Some(session) = &sso.session {
                builder = builder.session_name(session);
            }
            builder.build().provide_credentials().await
        }
        Provider::Process { command, .. } => {
            aws_config::credential_process::CredentialProcessProvider::new(command.clone())
                .provide_credentials()
                .await
        }
        Provider::Container => {
            aws_config::ecs::EcsCredentialsProvider::builder()
                .configure(&config())
                .build()
                .provide_credentials()
                .await
        }
        Provider::InstanceMetadata => {
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
            if let Err(CredentialsError::CredentialsNotLoaded(_)) = fetched {
                // Not on EC2: the chain simply ends empty.
                return Err(Error::config(NO_CREDENTIALS));
            }
            fetched
        }
    };
    fetched.map_err(|e| provider_error(provider, e))
}

async fn assume_role(
    role: &Role,
    source: Credentials,
    context: &Context,
    http: &reqwest::Client,
) -> std::result::Result<Credentials, CredentialsError> {
    let mut sts = SdkConfig::builder()
        .http_client(ReqwestHttpClient::new(http.clone()))
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new())
        .behavior_version(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard())
        .region(Region::new(context.region.clone()));
    if let Some(endpoint) = &context.sts_endpoint {
        sts = sts.endpoint_url(endpoint);
    }
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(&role.role_arn)
        .configure(&sts.build())
        .session_name(
            role.session_name
                .clone()
                .unwrap_or_else(default_session_name),
        );
    if let Some(id) = &role.external_id {
        builder = builder.external_id(id);
    }
    if let Some(duration) = role.duration {
        builder = builder.session_length(duration);
    }
    builder
        .build_from_provider(source)
        .await
        .provide_credentials()
        .await
}

/// A session name when the profile gives none, shaped like botocore's
/// `botocore-session-<epoch seconds>`.
fn default_session_name() -> String {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("kvs-session-{seconds}")
}

/// The provider's error and its causes on one line. A request that never got an answer
/// (refused, timed out) is exit 255 as for kvs's own requests; anything else is a problem
/// with the configuration, 253.
fn provider_error(provider: &Provider, error: CredentialsError) -> Error {
    let mut unreachable = matches!(error, CredentialsError::ProviderTimedOut(_));
    let mut parts: Vec<String> = Vec::new();
    // The top level only says "an error occurred while loading credentials": start below it.
    let mut cause: Option<&(dyn std::error::Error + 'static)> =
        std::error::Error::source(&error).or(Some(&error));
    while let Some(e) = cause {
        unreachable |= e.downcast_ref::<ConnectorError>().is_some();
        let text = e.to_string().replace('\n', " ").trim().to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = e.source();
    }
    let mut message = format!(
        "Error when retrieving credentials from {}: {}",
        provider.describe(),
        parts.join(": ")
    );
    if matches!(provider, Provider::Sso(_)) && !unreachable {
        message.push_str(
            ". The SSO session associated with this profile has expired or is otherwise \
             invalid. To refresh this SSO session run aws sso login with the corresponding \
             profile.",
        );
    }
    if unreachable {
        Error::other(message)
    } else {
        Error::config(message)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{is_child, run_in_child, Reply, Request, Stub};
    use super::*;
    use crate::cli::GlobalArgs;
    use crate::settings::{Env, Settings};

    const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1";

    /// Resolve settings for `env` and `--profile`, then fetch the credentials as a run would.
    fn credentials(env: &Env, profile: Option<&str>) -> Result<Credentials> {
        let globals = GlobalArgs {
            profile: profile.map(str::to_string),
            ..GlobalArgs::default()
        };
        let settings = Settings::resolve(&globals, env, Some(ARN))?;
        let client = crate::http::client::build(&crate::http::client::ClientOptions {
            verify_ssl: true,
            ..Default::default()
        })?;
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(settings.credentials.resolve(&client))
            .map(|c| c.expect("signing credentials"))
    }

    /// A HOME with these files under it; returns the directory and the variables naming it.
    fn home(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, contents) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        dir
    }

    fn child_env() -> Env {
        Env::from_os(std::env::vars_os())
    }

    fn sts_credentials(action: &str, key: &str) -> Reply {
        Reply::new(
            200,
            format!(
                "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>\
                 <SecretAccessKey>{key}-secret</SecretAccessKey>\
                 <SessionToken>{key}-token</SessionToken>\
                 <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
                 <AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>\
                 <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>\
                 </{action}Result><ResponseMetadata><RequestId>r</RequestId>\
                 </ResponseMetadata></{action}Response>"
            ),
        )
    }

    fn signed_by(request: &Request) -> &str {
        let auth = request.header("authorization").expect("signed");
        auth.split("Credential=")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
    }

    #[test]
    fn static_keys_need_no_request() {
        let dir = home(&[]);
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "sekrit"),
            ("AWS_SESSION_TOKEN", "tok"),
        ]);
        let c = credentials(&env, None).unwrap();
        assert_eq!(
            (c.access_key_id(), c.secret_access_key(), c.session_token()),
            ("AKID", "sekrit", Some("tok"))
        );
    }

    /// Assume-role against a local STS: a two-role chain from static keys, with every option.
    #[test]
    fn assume_role_chains_through_sts_with_its_options() {
        let sts = Stub::start(|r| {
            let key = if r.body.contains("role%2Fmiddle") {
                "ASIAMIDDLE"
            } else {
                "ASIATOP"
            };
            sts_credentials("AssumeRole", key)
        });
        let dir = home(&[(
            ".aws/config",
            "[profile top]\nrole_arn = arn:aws:iam::123456789012:role/top\n\
             source_profile = middle\nexternal_id = ext-1\nrole_session_name = kvs-test\n\
             duration_seconds = 900\n\
             [profile middle]\nrole_arn = arn:aws:iam::123456789012:role/middle\n\
             source_profile = base\n\
             [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
        )]);
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_ENDPOINT_URL_STS", sts.url.as_str()),
            // --profile switches these off, as in the AWS CLI.
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ]);
        let c = credentials(&env, Some("top")).unwrap();
        assert_eq!(c.access_key_id(), "ASIATOP");
        assert_eq!(c.secret_access_key(), "ASIATOP-secret");
        assert_eq!(c.session_token(), Some("ASIATOP-token"));

        let requests = sts.requests();
        assert_eq!(requests.len(), 2, "{requests:?}");
        let (middle, top) = (&requests[0], &requests[1]);
        assert_eq!(middle.method, "POST");
        assert!(middle.body.contains("Action=AssumeRole"), "{}", middle.body);
        assert_eq!(signed_by(middle), "AKIDBASE");
        assert!(middle
            .header("authorization")
            .unwrap()
            .contains("/us-west-2/sts/aws4_request"));
        assert_eq!(signed_by(top), "ASIAMIDDLE");
        assert_eq!(top.header("x-amz-security-token"), Some("ASIAMIDDLE-token"));
        for part in [
            "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftop",
            "ExternalId=ext-1",
            "RoleSessionName=kvs-test",
            "DurationSeconds=900",
        ] {
            assert!(top.body.contains(part), "{part} not in {}", top.body);
        }
    }

    #[test]
    fn an_sts_refusal_is_a_configuration_error_without_secrets() {
        let sts = Stub::start(|_| {
            Reply::new(
                403,
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
                 <Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed to assume \
                 it</Message></Error><RequestId>r</RequestId></ErrorResponse>",
            )
        });
        let dir = home(&[(
            ".aws/config",
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
             [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
        )]);
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_ENDPOINT_URL_STS", sts.url.as_str()),
        ]);
        let err = credentials(&env, None).unwrap_err();
        assert_eq!(err.exit_code(), 253);
        let message = err.message();
        assert!(message.starts_with("Error when retrieving credentials from assume-role arn:aws:iam::123456789012:role/r"), "{message}");
        assert!(message.contains("not allowed to assume it"), "{message}");
        assert!(
            !message.contains("base-secret") && !message.contains('\n'),
            "{message}"
        );
    }

    #[test]
    fn an_sts_that_never_answers_is_exit_255() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let dir = home(&[(
            ".aws/config",
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
             [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
        )]);
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ]);
        let err = credentials(&env, None).unwrap_err();
        assert_eq!(err.exit_code(), 255, "{err:?}");
        assert!(err.message().contains("Connection refused"), "{err:?}");
    }

    /// SSO with an `sso-session`: the token from the CLI's cache, GetRoleCredentials on a stub.
    #[test]
    fn sso_uses_the_token_cache_and_the_portal() {
        if is_child() {
            let c = credentials(&child_env(), Some("sso")).unwrap();
            assert_eq!(c.access_key_id(), "ASIASSO");
            assert_eq!(c.session_token(), Some("sso-session-token"));
            return;
        }
        let portal = Stub::start(|r| {
            if !r.target.starts_with("/federation/credentials") {
                return Reply::new(404, "{}");
            }
            Reply::new(
                200,
                r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"sso-secret","sessionToken":"sso-session-token","expiration":4070908800000}}"#,
            )
        });
        // The cache file is named by the SHA-1 of the session name, "kvs-test".
        let dir = home(&[
            (
                ".aws/config",
                "[profile sso]\nsso_session = kvs-test\nsso_account_id = 123456789012\n\
                 sso_role_name = Reader\n\
                 [sso-session kvs-test]\nsso_start_url = https://kvs.example/start\n\
                 sso_region = us-east-1\n",
            ),
            (
                ".aws/sso/cache/41b420ec955a97f760f6ef3e4208798d31b6ba4f.json",
                r#"{"accessToken":"cached-access-token","expiresAt":"2099-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://kvs.example/start"}"#,
            ),
        ]);
        run_in_child(
            "config::providers::tests::sso_uses_the_token_cache_and_the_portal",
            &[
                ("HOME", dir.path().to_str().unwrap()),
                ("AWS_ENDPOINT_URL_SSO", portal.url.as_str()),
            ],
        );
        let requests = portal.requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        let request = &requests[0];
        assert_eq!(request.method, "GET");
        assert!(
            request.target.contains("role_name=Reader"),
            "{}",
            request.target
        );
        assert!(
            request.target.contains("account_id=123456789012"),
            "{}",
            request.target
        );
        assert_eq!(
            request.header("x-amz-sso_bearer_token"),
            Some("cached-access-token")
        );
    }

    /// Web identity from the environment: an unsigned AssumeRoleWithWebIdentity.
    #[test]
    fn web_identity_sends_the_token_file() {
        if is_child() {
            let c = credentials(&child_env(), None).unwrap();
            assert_eq!(c.access_key_id(), "ASIAWEB");
            return;
        }
        let sts = Stub::start(|_| sts_credentials("AssumeRoleWithWebIdentity", "ASIAWEB"));
        let dir = home(&[("token", "the-web-token")]);
        let token_file = dir.path().join("token");
        run_in_child(
            "config::providers::tests::web_identity_sends_the_token_file",
            &[
                ("HOME", dir.path().to_str().unwrap()),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
                ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web"),
                ("AWS_ROLE_SESSION_NAME", "web-session"),
                ("AWS_ENDPOINT_URL_STS", sts.url.as_str()),
            ],
        );
        let requests = sts.requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        let body = &requests[0].body;
        for part in [
            "Action=AssumeRoleWithWebIdentity",
            "WebIdentityToken=the-web-token",
            "RoleSessionName=web-session",
        ] {
            assert!(body.contains(part), "{part} not in {body}");
        }
        assert!(requests[0].header("authorization").is_none());
    }

    /// Container credentials from a full URI, with the authorization token.
    #[test]
    fn container_credentials_send_the_authorization_token() {
        if is_child() {
            let c = credentials(&child_env(), None).unwrap();
            assert_eq!(c.access_key_id(), "ASIAECS");
            return;
        }
        let ecs = Stub::start(|_| {
            Reply::new(
                200,
                r#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"ecs-secret","Token":"ecs-token","Expiration":"2099-01-01T00:00:00Z"}"#,
            )
        });
        let dir = home(&[]);
        let uri = format!("{}/v2/credentials", ecs.url);
        run_in_child(
            "config::providers::tests::container_credentials_send_the_authorization_token",
            &[
                ("HOME", dir.path().to_str().unwrap()),
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth"),
            ],
        );
        let requests = ecs.requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        assert_eq!(requests[0].target, "/v2/credentials");
        assert_eq!(requests[0].header("authorization"), Some("ecs-auth"));
    }

    /// Instance metadata, IMDSv2: a session token first, then the role's credentials.
    #[test]
    fn instance_metadata_uses_a_session_token() {
        if is_child() {
            let c = credentials(&child_env(), None).unwrap();
            assert_eq!(c.access_key_id(), "ASIAIMDS");
            return;
        }
        let imds = Stub::start(|r| match (r.method.as_str(), r.target.as_str()) {
            ("PUT", "/latest/api/token") => Reply::new(200, "imds-session")
                .header("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
            (_, _) if r.header("x-aws-ec2-metadata-token") != Some("imds-session") => {
                Reply::new(401, "")
            }
            ("GET", "/latest/meta-data/iam/security-credentials/") => Reply::new(200, "the-role"),
            ("GET", "/latest/meta-data/iam/security-credentials/the-role") => Reply::new(
                200,
                r#"{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-token","Expiration":"2099-01-01T00:00:00Z"}"#,
            ),
            _ => Reply::new(404, ""),
        });
        let dir = home(&[]);
        run_in_child(
            "config::providers::tests::instance_metadata_uses_a_session_token",
            &[
                ("HOME", dir.path().to_str().unwrap()),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.as_str()),
            ],
        );
        let requests = imds.requests();
        assert_eq!(requests[0].method, "PUT", "{requests:?}");
        assert!(requests.iter().any(|r| r.target.ends_with("/the-role")));
    }

    /// Off EC2 the chain ends quietly with the AWS CLI's message.
    #[test]
    fn without_instance_metadata_there_are_no_credentials() {
        if is_child() {
            let started = std::time::Instant::now();
            let err = credentials(&child_env(), None).unwrap_err();
            assert_eq!(err.exit_code(), 253);
            assert!(
                err.message().starts_with("Unable to locate credentials."),
                "{err:?}"
            );
            assert!(started.elapsed() < Duration::from_secs(5));
            return;
        }
        // A port nothing listens on: the connection is refused at once.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let dir = home(&[]);
        run_in_child(
            "config::providers::tests::without_instance_metadata_there_are_no_credentials",
            &[
                ("HOME", dir.path().to_str().unwrap()),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str()),
            ],
        );
    }
}
