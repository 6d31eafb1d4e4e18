//! Which representation of a primary a request's `Accept` header asks for, as the
//! kube-apiserver negotiates it: the first media range it can serve wins; JSON only.

use crate::status::ApiError;

/// A representation of one primary and its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The object itself (`application/json`).
    Object,
    /// A `meta.k8s.io/v1` Table, what `kubectl get` asks for
    /// (`application/json;as=Table;v=v1;g=meta.k8s.io`).
    Table,
    /// A `meta.k8s.io/v1` PartialObjectMetadata, what metadata clients ask for.
    Metadata,
}

/// The form `accept` asks for; no header is the object. 406 when no range is JSON this server
/// serves (protobuf, YAML, CBOR, a Table of another version).
pub fn form(accept: Option<&str>) -> Result<Form, ApiError> {
    let Some(accept) = accept.filter(|accept| !accept.trim().is_empty()) else {
        return Ok(Form::Object);
    };
    accept.split(',').find_map(range).ok_or_else(|| {
        ApiError::not_acceptable(format!(
            "only application/json is served (the object, or as=Table or as=PartialObjectMetadata with g=meta.k8s.io;v=v1), not {accept}"
        ))
    })
}

/// The form one media range asks for, if this server serves it.
fn range(range: &str) -> Option<Form> {
    let mut parts = range.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default().to_ascii_lowercase();
    if !matches!(media.as_str(), "application/json" | "application/*" | "*/*") {
        return None;
    }
    let (mut as_, mut group, mut version) = (None, None, None);
    for param in parts {
        let (key, value) = param.split_once('=')?;
        let value = value.trim().trim_matches('"');
        match key.trim() {
            "as" => as_ = Some(value),
            "g" => group = Some(value),
            "v" => version = Some(value),
            "q" if value.parse::<f32>().is_ok_and(|q| q == 0.0) => return None,
            _ => {}
        }
    }
    match (as_, group, version) {
        (None, None, None) => Some(Form::Object),
        (Some("Table"), Some("meta.k8s.io"), Some("v1")) => Some(Form::Table),
        (Some("PartialObjectMetadata"), Some("meta.k8s.io"), Some("v1")) => Some(Form::Metadata),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_get_asks_for_a_table_and_yaml_output_for_the_object() {
        let get = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(form(Some(get)), Ok(Form::Table));
        assert_eq!(form(Some("application/json")), Ok(Form::Object));
        assert_eq!(form(None), Ok(Form::Object));
        assert_eq!(form(Some("*/*")), Ok(Form::Object));
        let metadata = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
        assert_eq!(form(Some(metadata)), Ok(Form::Metadata));
    }

    #[test]
    fn the_first_range_served_wins() {
        let protobuf_first = "application/vnd.kubernetes.protobuf, application/json";
        assert_eq!(form(Some(protobuf_first)), Ok(Form::Object));
        let old_table_first = "application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json;as=Table;v=v1;g=meta.k8s.io";
        assert_eq!(form(Some(old_table_first)), Ok(Form::Table));
        assert_eq!(
            form(Some(
                "application/json;q=0, application/json;as=Table;g=meta.k8s.io;v=v1"
            )),
            Ok(Form::Table)
        );
    }

    #[test]
    fn what_is_not_json_served_here_is_not_acceptable() {
        for accept in [
            "application/vnd.kubernetes.protobuf",
            "application/yaml",
            "application/cbor",
            "application/json;as=Table;v=v1beta1;g=meta.k8s.io",
            "application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io",
        ] {
            let error = form(Some(accept)).unwrap_err();
            assert_eq!(error.code, http::StatusCode::NOT_ACCEPTABLE, "{accept}");
        }
    }
}
