// SCRATCH STUB
pub struct CredentialsPlan;
impl CredentialsPlan {
    pub async fn resolve(
        &self,
        _http: &reqwest::Client,
    ) -> crate::error::Result<Option<aws_credential_types::Credentials>> {
        Ok(Some(aws_credential_types::Credentials::new(
            "test", "test", None, None, "x",
        )))
    }
    pub fn describe(&self) -> String {
        "stub".into()
    }
}
