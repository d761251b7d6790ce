// SCRATCH STUB
pub fn control_plane_url(region: &str, _f: bool, _d: bool) -> crate::error::Result<String> {
    Ok(format!("https://kinesisvideo.{region}.amazonaws.com"))
}
