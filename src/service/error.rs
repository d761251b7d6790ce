// SCRATCH STUB
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}
pub fn parse_error(status: u16, _h: &[(String, String)], body: &[u8]) -> ServiceError {
    ServiceError {
        status,
        code: status.to_string(),
        message: String::from_utf8_lossy(body).into(),
        request_id: None,
    }
}
pub fn client_error_message(err: &ServiceError, op: &str, r: u32) -> String {
    format!(
        "An error occurred ({}) when calling the {op} operation{}: {}",
        err.code,
        if r > 0 {
            format!(" (reached max retries: {r})")
        } else {
            String::new()
        },
        err.message
    )
}
pub fn connect_error_message(url: &str) -> String {
    format!("Could not connect to the endpoint URL: \"{url}\"")
}
pub fn read_timeout_message(url: &str) -> String {
    format!("Read timeout on endpoint URL: \"{url}\"")
}
pub fn connect_timeout_message(url: &str) -> String {
    format!("Connect timeout on endpoint URL: \"{url}\"")
}
pub fn connection_closed_message(url: &str) -> String {
    format!("closed {url}")
}
pub fn tls_error_message(url: &str, c: &str) -> String {
    format!("SSL validation failed for {url} {c}")
}
