//! How much one answer may be: a tree of five levels under a primary with thousands of children
//! could be hundreds of megabytes, built and sent for one request. An answer over
//! [`MAX_RESPONSE_BYTES`] is replaced by a 413 `Status` saying how to ask for less.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::status::ApiError;

/// The largest answer served (32 MiB: more than 20 objects at etcd's 1.5 MiB limit).
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// The middleware: answers with at most [`MAX_RESPONSE_BYTES`].
pub async fn bounded(request: Request, next: Next) -> Response {
    within(MAX_RESPONSE_BYTES, next.run(request).await).await
}

/// `response`, or a 413 when its body is over `limit` bytes (read no further than that).
async fn within(limit: usize, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    match to_bytes(body, limit).await {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(_) => {
            tracing::info!(limit, "answer over the size limit: 413");
            ApiError::too_large(format!(
                "the answer is over {} MiB; ask for fewer levels (?depth=1)",
                limit / (1024 * 1024)
            ))
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;

    async fn body(response: Response) -> String {
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn an_answer_over_the_limit_is_a_413_status_and_one_within_it_is_untouched() {
        let small = within(1024 * 1024, "x".repeat(1024 * 1024).into_response()).await;
        assert_eq!(small.status(), StatusCode::OK);
        assert_eq!(body(small).await.len(), 1024 * 1024);

        let large = within(1024 * 1024, "x".repeat(1024 * 1024 + 1).into_response()).await;
        assert_eq!(large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let status: serde_json::Value = serde_json::from_str(&body(large).await).unwrap();
        assert_eq!(status["kind"], "Status");
        assert_eq!(status["reason"], "RequestEntityTooLarge");
        assert_eq!(
            status["message"],
            "the answer is over 1 MiB; ask for fewer levels (?depth=1)"
        );
    }
}
