//! placeholder
pub(crate) fn test(_: &[String]) -> Result<(), String> {
    Err("not yet".into())
}
pub(crate) fn demo(_: &[String]) -> Result<(), String> {
    Err("not yet".into())
}
