//! Fetching what the plan decided: aws-config's providers for assume-role, web identity, SSO,
//! credential_process, container and instance metadata, all sending their requests through
//! kvs's reqwest client.

use std::time::{Duration, SystemTime};

use aws_config::provider_config::ProviderConfig;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::{error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_smithy_async::rt::sleep::TokioSleep;
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
    fetched.map_err(|e| provider_error(&provider.describe(), e))
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

/// What botocore calls a session it names itself: `botocore-session-<epoch seconds>`.
fn default_session_name() -> String {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("kvs-session-{seconds}")
}

/// The provider's error and its causes on one line.
fn provider_error(source: &str, error: CredentialsError) -> Error {
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(e) = cause {
        let text = e.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = e.source();
    }
    Error::config(format!(
        "Error when retrieving credentials from {source}: {}",
        message.replace('\n', " ").trim_end()
    ))
}
