//! `GET /apis/<group>/v1/...`: one primary and its children, read from the caches and
//! filtered by what the caller may read, answered in the form `Accept` asks for.

use std::collections::HashSet;

use axum::extract::{Extension, Path, RawQuery, State};
use axum::response::Response;
use futures::future::join_all;
use http::{HeaderMap, header};
use kube_secondary::primary_all::{GROUP, PrimaryAll, VERSION, served_group};

use crate::accept;
use crate::answer::{self, Route};
use crate::authz::Question;
use crate::kinds::{Kind, Kinds};
use crate::requestheader::UserInfo;
use crate::state::AppState;
use crate::status::ApiError;
use crate::target::{self, Target};
use crate::tree::{self, ListScope};

/// The handler, for `/apis/{group}/{version}/{rest}`. Of the query, only `depth` is read.
pub async fn get(
    State(state): State<AppState>,
    Extension(user): Extension<UserInfo>,
    Path((group, version, rest)): Path<(String, String, String)>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let caches = &state.caches;
    let kinds = caches.kinds();
    if version != VERSION || !kinds.served_groups().contains(&group) {
        return Err(ApiError::not_found(
            "the server could not find the requested resource",
        ));
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok());
    let form = accept::form(accept)?;
    let target = target::parse(&group, &rest)?;
    let depth = query
        .iter()
        .flat_map(|query| form_urlencoded::parse(query.as_bytes()))
        .find_map(|(key, value)| (key == "depth").then_some(value));
    let depth = target::depth(depth.as_deref())?;
    let (id, namespace, name, route) = resolve(kinds, &group, target)?;
    let kind = kinds.get(id);

    let get = Question {
        user: user.clone(),
        verb: "get",
        group: kind.resource.group.clone(),
        resource: kind.resource.plural.clone(),
        namespace: namespace.clone(),
        name: Some(name.clone()),
    };
    let allowed = state.authz.allowed(get).await.map_err(|error| {
        tracing::warn!(%error, "access review failed");
        ApiError::internal(format!("cannot review access: {error}"))
    })?;
    if !allowed {
        return Err(ApiError::forbidden(forbidden(
            kind,
            &user,
            namespace.as_deref(),
            &name,
        )));
    }
    if !caches.kind(id).synced() {
        let message = format!("the cache of {} is not synced yet", kind.served_name());
        return Err(ApiError::unavailable(message));
    }
    let Some(primary) = caches.get(id, namespace.as_deref(), &name) else {
        let resource = &kind.resource;
        return Err(ApiError::object_not_found(
            &name,
            &resource.group,
            &resource.plural,
        ));
    };

    let found = tree::collect(&**caches, id, &primary, depth);
    let unavailable: tree::Unavailable = kinds
        .iter()
        .filter(|(_, kind)| kind.child)
        .filter_map(|(id, _)| Some((id, caches.problem(id)?)))
        .collect();
    let scopes = tree::scopes(kinds, &found, namespace.as_deref());
    let allowed = may_list(&state, &user, kinds, scopes).await;
    let (secondaries, hidden) = tree::assemble(
        kinds,
        found,
        &unavailable,
        namespace.as_deref(),
        |scope| allowed.contains(scope),
        |id| caches.kind(id).resource_version(),
    );
    let answer = PrimaryAll {
        api_version: format!("{}/{VERSION}", served_group(&kind.resource.group)),
        kind: kind.resource.kind.clone(),
        metadata: answer::metadata(&primary),
        primary: serde_json::to_value(&*primary).expect("a cached object serialises"),
        secondaries,
        hidden,
    };
    Ok(answer::respond(answer, route, form))
}

/// The primary kind, namespace and name a path in the API group `group` names, and whether
/// it is an alias; 404 for a kind not served there or a path in the wrong scope.
fn resolve(
    kinds: &Kinds,
    group: &str,
    target: Target,
) -> Result<(usize, Option<String>, String, Route), ApiError> {
    let (id, namespace, name, asked) = match target {
        Target::Resource {
            resource,
            namespace,
            name,
        } => match kinds.primary_in(group, &resource) {
            Some(id) => (Some((id, Route::Resource)), namespace, name, resource),
            None => {
                let alias = kinds
                    .primary_by_served_name(&resource)
                    .filter(|_| group == GROUP);
                (
                    alias.map(|id| (id, Route::Alias)),
                    namespace,
                    name,
                    resource,
                )
            }
        },
        Target::Kind {
            group: kind_group,
            version,
            kind,
            namespace,
            name,
        } => {
            let asked = match kind_group.as_str() {
                "" => format!("{version}/{kind}"),
                kind_group => format!("{kind_group}/{version}/{kind}"),
            };
            let id = kinds.primary_by_kind(&kind_group, &kind);
            (id.map(|id| (id, Route::Alias)), namespace, name, asked)
        }
    };
    let Some((id, route)) = id else {
        let message = format!(
            "the server could not find the requested resource: {asked} is not a primary kind served in {group}"
        );
        return Err(ApiError::not_found(message));
    };
    let kind = kinds.get(id);
    match (kind.namespaced, namespace.is_some()) {
        (true, false) => Err(ApiError::not_found(format!(
            "{} is namespaced; name a namespace",
            kind.served_name()
        ))),
        (false, true) => Err(ApiError::not_found(format!(
            "{} is cluster-scoped; name no namespace",
            kind.served_name()
        ))),
        _ => Ok((id, namespace, name, route)),
    }
}

/// The scopes in which the caller may list, one review each (concurrently, cached). A review
/// that cannot be sent counts as a denial.
async fn may_list(
    state: &AppState,
    user: &UserInfo,
    kinds: &Kinds,
    scopes: impl IntoIterator<Item = ListScope>,
) -> HashSet<ListScope> {
    let reviews = scopes.into_iter().map(|scope| async move {
        let resource = &kinds.get(scope.kind).resource;
        let question = Question {
            user: user.clone(),
            verb: "list",
            group: resource.group.clone(),
            resource: resource.plural.clone(),
            namespace: scope.namespace.clone(),
            name: None,
        };
        match state.authz.allowed(question).await {
            Ok(allowed) => allowed.then_some(scope),
            Err(error) => {
                tracing::warn!(%error, kind = %resource.kind, "access review failed; kind hidden");
                None
            }
        }
    });
    join_all(reviews).await.into_iter().flatten().collect()
}

/// The message Kubernetes gives for a denied `get`.
fn forbidden(kind: &Kind, user: &UserInfo, namespace: Option<&str>, name: &str) -> String {
    let resource = &kind.resource;
    let mut message = format!(
        "{} \"{name}\" is forbidden: User \"{}\" cannot get resource \"{}\" in API group \"{}\"",
        kind.served_name(),
        user.name,
        resource.plural,
        resource.group
    );
    match namespace {
        Some(namespace) => message.push_str(&format!(" in the namespace \"{namespace}\"")),
        None => message.push_str(" at the cluster scope"),
    }
    message
}
