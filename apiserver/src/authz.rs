//! Authorisation as the caller: every question goes to the kube-apiserver as a
//! SubjectAccessReview for the caller's user, groups and extra, so the server's own read
//! rights are never lent. Decisions are remembered for ten seconds.

use std::time::{Duration, Instant};

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::Client;
use kube::api::{Api, PostParams};

use crate::decision_cache::DecisionCache;
use crate::requestheader::UserInfo;

/// How long a decision is remembered.
pub const DECISION_TTL: Duration = Duration::from_secs(10);
/// How many decisions are remembered at most.
pub const DECISION_CAPACITY: usize = 10_000;

/// May `user` `verb` the `resource` of `group` (in `namespace`, named `name`)?
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Question {
    /// The caller.
    pub user: UserInfo,
    /// `get` or `list`.
    pub verb: &'static str,
    /// The API group, `""` for the core group.
    pub group: String,
    /// The plural resource name.
    pub resource: String,
    /// The namespace; `None` for a cluster-scoped resource or all namespaces.
    pub namespace: Option<String>,
    /// The object's name, for `get`.
    pub name: Option<String>,
}

impl Question {
    /// The review that asks it.
    pub fn review(&self) -> SubjectAccessReview {
        let user = &self.user;
        SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some(user.name.clone()),
                uid: user.uid.clone(),
                groups: Some(user.groups.clone()),
                extra: Some(user.extra.clone()),
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(self.verb.to_string()),
                    group: Some(self.group.clone()),
                    resource: Some(self.resource.clone()),
                    namespace: self.namespace.clone(),
                    name: self.name.clone(),
                    ..ResourceAttributes::default()
                }),
                ..SubjectAccessReviewSpec::default()
            },
            ..SubjectAccessReview::default()
        }
    }
}

/// Sends access reviews and remembers their decisions.
pub struct Authorizer {
    client: Client,
    decisions: DecisionCache<Question>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("decisions", &self.decisions.len())
            .finish()
    }
}

impl Authorizer {
    /// Reviews through `client`, which needs `create` on `subjectaccessreviews`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            decisions: DecisionCache::new(DECISION_TTL, DECISION_CAPACITY),
        }
    }

    /// Whether the kube-apiserver allows `question`; an error when the review could not be sent.
    pub async fn allowed(&self, question: Question) -> kube::Result<bool> {
        if let Some(allowed) = self.decisions.get(&question, Instant::now()) {
            return Ok(allowed);
        }
        let api: Api<SubjectAccessReview> = Api::all(self.client.clone());
        let review = api
            .create(&PostParams::default(), &question.review())
            .await?;
        let allowed = review.status.is_some_and(|status| status.allowed);
        self.decisions.insert(question, allowed, Instant::now());
        Ok(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_names_the_caller_and_the_resource() {
        let question = Question {
            user: UserInfo {
                name: "alice".into(),
                uid: None,
                groups: vec!["devs".into()],
                extra: [("scopes".to_string(), vec!["read".to_string()])].into(),
            },
            verb: "list",
            group: "apps".into(),
            resource: "statefulsets".into(),
            namespace: Some("prod".into()),
            name: None,
        };
        let review = serde_json::to_value(question.review()).unwrap();
        assert_eq!(
            review["spec"],
            serde_json::json!({
                "user": "alice",
                "groups": ["devs"],
                "extra": { "scopes": ["read"] },
                "resourceAttributes": {
                    "verb": "list", "group": "apps", "resource": "statefulsets", "namespace": "prod",
                },
            })
        );
    }
}
