//! Errors answered as Kubernetes `Status` objects, the body kubectl and kube-rs decode.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

/// A failed request: its HTTP code, the `Status` reason and a message for the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status code, repeated in the body's `code`.
    pub code: StatusCode,
    /// The machine-readable reason, as Kubernetes spells it (`NotFound`, `Forbidden`, ...).
    pub reason: &'static str,
    /// What went wrong, in words.
    pub message: String,
    /// The object a 404 is about (name, API group, resource), as Kubernetes reports a missing
    /// object: how a client tells "no such object" from "no such resource".
    pub object: Option<(String, String, String)>,
}

impl ApiError {
    /// 400: the path or a query parameter cannot be read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 401: the request carries no identity this server trusts.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
    }

    /// 403: the caller may not read the primary.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// 404: no such resource or object.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    /// 405: the API is read-only.
    pub fn method_not_allowed(method: &http::Method) -> Self {
        let message = format!("method {method} is not supported; primary-all is read-only (GET)");
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", message)
    }

    /// 405 for a list of `resource`: one named primary is served, never a list.
    pub fn list_not_served(resource: &str) -> Self {
        let message =
            format!("{resource} cannot be listed: primary-all serves one named primary at a time");
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", message)
    }

    /// 406: the caller accepts no representation this server offers.
    pub fn not_acceptable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_ACCEPTABLE, "NotAcceptable", message)
    }

    /// 413: the answer would be larger than the server sends.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            message,
        )
    }

    /// 500: something of ours failed (an access review could not be sent).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }

    /// 503: a cache the answer needs is not synced yet; answered with `Retry-After: 1`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            message,
        )
    }

    /// 404 for the object `name` of `resource` in `group`, which does not exist.
    pub fn object_not_found(name: &str, group: &str, resource: &str) -> Self {
        let message = format!(
            "{} \"{name}\" not found",
            kube_secondary::primary_all::resource_name(group, resource)
        );
        Self {
            object: Some((name.into(), group.into(), resource.into())),
            ..Self::not_found(message)
        }
    }

    fn new(code: StatusCode, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            object: None,
        }
    }

    /// The `Status` object sent as the body.
    pub fn status(&self) -> Status {
        Status {
            code: Some(i32::from(self.code.as_u16())),
            message: Some(self.message.clone()),
            reason: Some(self.reason.to_string()),
            status: Some("Failure".to_string()),
            details: self.object.as_ref().map(|(name, group, resource)| {
                k8s_openapi::apimachinery::pkg::apis::meta::v1::StatusDetails {
                    name: Some(name.clone()),
                    group: Some(group.clone()),
                    kind: Some(resource.clone()),
                    ..Default::default()
                }
            }),
            ..Status::default()
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.code, Json(self.status())).into_response();
        if self.code == StatusCode::SERVICE_UNAVAILABLE {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_body_is_what_kubectl_decodes() {
        let body =
            serde_json::to_value(ApiError::not_found("no database orders").status()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "Status",
                "metadata": {},
                "status": "Failure",
                "message": "no database orders",
                "reason": "NotFound",
                "code": 404,
            })
        );
    }

    #[test]
    fn each_error_carries_its_code_and_reason() {
        let cases = [
            (ApiError::bad_request("x"), 400, "BadRequest"),
            (ApiError::unauthorized(), 401, "Unauthorized"),
            (ApiError::forbidden("x"), 403, "Forbidden"),
            (ApiError::not_found("x"), 404, "NotFound"),
            (
                ApiError::method_not_allowed(&http::Method::POST),
                405,
                "MethodNotAllowed",
            ),
            (ApiError::unavailable("x"), 503, "ServiceUnavailable"),
        ];
        for (error, code, reason) in cases {
            let status = error.status();
            assert_eq!(status.code, Some(code));
            assert_eq!(status.reason.as_deref(), Some(reason));
        }
    }

    #[test]
    fn a_missing_object_is_named_in_the_details_and_a_missing_resource_is_not() {
        let object = ApiError::object_not_found("orders", "demo.example.com", "databases");
        let details = object.status().details.expect("details");
        assert_eq!(details.name.as_deref(), Some("orders"));
        assert_eq!(details.kind.as_deref(), Some("databases"));
        assert_eq!(object.code, StatusCode::NOT_FOUND);
        assert!(
            ApiError::not_found("no such resource")
                .status()
                .details
                .is_none()
        );
    }

    #[test]
    fn unavailable_asks_to_retry_after_a_second() {
        let response = ApiError::unavailable("cache of databases not synced").into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let response = ApiError::forbidden("no").into_response();
        assert!(response.headers().get(header::RETRY_AFTER).is_none());
    }
}
