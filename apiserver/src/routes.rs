//! The HTTP surface: health routes open to anyone; discovery, OpenAPI and the primary-all
//! routes of every served group for authenticated callers only, anything else a 404 `Status`.

use std::sync::atomic::Ordering;

use axum::extract::{Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{HeaderMap, Method, StatusCode, header};
use kube_secondary::primary_all::VERSION;

use crate::authn::PeerChain;
use crate::discovery;
use crate::limits;
use crate::metrics;
use crate::openapi;
use crate::primary;
use crate::state::AppState;
use crate::status::ApiError;

/// Every route.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/apis", get(apis))
        .route("/apis/{group}", get(group))
        .route("/apis/{group}/{version}", get(resources))
        .route("/apis/{group}/{version}/{*rest}", get(primary::get))
        .route("/openapi/v3", get(openapi_index))
        .route("/openapi/v3/apis/{group}/{version}", get(openapi_document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(limits::bounded))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state.clone());
    let metrics = state.metrics.clone();
    Router::new()
        .route("/healthz", get(ok))
        .route("/livez", get(ok))
        .route("/readyz", get(ready))
        .with_state(state)
        .merge(api)
        .layer(middleware::from_fn_with_state(metrics, metrics::observe))
}

/// Puts the authenticated caller into the request, or answers 401.
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let chain = request.extensions().get::<PeerChain>();
    match state.authn.authenticate(chain, request.headers()) {
        Ok(user) => {
            request.extensions_mut().insert(user);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

async fn apis(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok());
    if !discovery::accepts_json(accept) {
        return ApiError::not_acceptable("only application/json discovery is served")
            .into_response();
    }
    Json(discovery::group_list(state.caches.kinds())).into_response()
}

async fn group(State(state): State<AppState>, Path(group): Path<String>) -> Response {
    if !state.caches.kinds().served_groups().contains(&group) {
        return not_found().await.into_response();
    }
    Json(discovery::group(&group)).into_response()
}

async fn resources(
    State(state): State<AppState>,
    Path((group, version)): Path<(String, String)>,
) -> Response {
    let kinds = state.caches.kinds();
    if version != VERSION || !kinds.served_groups().contains(&group) {
        return not_found().await.into_response();
    }
    Json(discovery::resource_list(kinds, &group)).into_response()
}

async fn openapi_index(State(state): State<AppState>) -> Response {
    Json(openapi::index(state.caches.kinds())).into_response()
}

async fn openapi_document(
    State(state): State<AppState>,
    Path((group, version)): Path<(String, String)>,
) -> Response {
    match openapi::document(state.caches.kinds(), &group).filter(|_| version == VERSION) {
        Some(document) => Json(document).into_response(),
        None => not_found().await.into_response(),
    }
}

async fn ok() -> &'static str {
    "ok"
}

/// Ready while not stopping, with a request-header CA to trust callers by, and every watched
/// kind's cache synced and not stale; otherwise 503 saying why.
async fn ready(State(state): State<AppState>) -> Response {
    let why = if state.stopping.load(Ordering::Acquire) {
        "shutting down".to_string()
    } else if !state.authn.trusts_a_ca() {
        "request-header authentication not loaded: no requestheader-client-ca-file in kube-system/extension-apiserver-authentication, so every request would get 401".to_string()
    } else if let Some((id, problem)) = state.caches.not_current() {
        let kind = state.caches.kinds().get(id).resource.kind.clone();
        format!("the cache of {kind} is not current: {}", problem.message())
    } else {
        return "ok".into_response();
    };
    (StatusCode::SERVICE_UNAVAILABLE, why).into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("the server could not find the requested resource")
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::method_not_allowed(&method)
}
