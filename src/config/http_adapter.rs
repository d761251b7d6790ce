//! aws-config's credential providers (STS, SSO, container, IMDS) send their requests through
//! kvs's own reqwest client, so there is one HTTP and TLS stack with one set of trust roots.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

#[derive(Debug, Clone)]
pub struct ReqwestHttpClient {
    client: reqwest::Client,
}

impl ReqwestHttpClient {
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestHttpClient { client }
    }
}

impl HttpClient for ReqwestHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        // reqwest has one timeout per request: the sum of what the provider allows.
        let timeout = match (settings.connect_timeout(), settings.read_timeout()) {
            (None, None) => None,
            (connect, read) => Some(connect.unwrap_or_default() + read.unwrap_or_default()),
        };
        SharedHttpConnector::new(ReqwestConnector {
            client: self.client.clone(),
            timeout,
        })
    }
}

#[derive(Debug)]
struct ReqwestConnector {
    client: reqwest::Client,
    timeout: Option<Duration>,
}

fn connector_error(e: reqwest::Error) -> ConnectorError {
    if e.is_timeout() {
        ConnectorError::timeout(e.into())
    } else if e.is_connect() || e.is_request() {
        ConnectorError::io(e.into())
    } else {
        ConnectorError::other(e.into(), None)
    }
}

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        let timeout = self.timeout;
        HttpConnectorFuture::new(async move {
            let method = reqwest::Method::from_bytes(request.method().as_bytes())
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            let mut builder = client.request(method, request.uri());
            for (name, value) in request.headers() {
                builder = builder.header(name, value);
            }
            if let Some(timeout) = timeout {
                builder = builder.timeout(timeout);
            }
            // The providers' requests (STS, SSO, metadata) always have in-memory bodies.
            let body = request.body().bytes().unwrap_or_default().to_vec();
            let response = builder.body(body).send().await.map_err(connector_error)?;
            let status = StatusCode::try_from(response.status().as_u16())
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            let bytes = response.bytes().await.map_err(connector_error)?;
            let mut out = HttpResponse::new(status, SdkBody::from(bytes));
            for (name, value) in headers {
                out.headers_mut().append(name, value);
            }
            Ok(out)
        })
    }
}
