//! A declared label selector applied to objects in hand, for the children the aggregated
//! `primary-all` API returns: its server does not narrow a kind by the selector that narrows our
//! watch, so the client does, and reads the same children a handler's cache holds.
//!
//! kube-core matches its [`Expression`]s but parses none from text; this reads the text form
//! (`labels.Parse` of `k8s.io/apimachinery`) into them. The derive has checked the grammar at
//! compile time, so a requirement that does not read matches nothing.

use std::collections::{BTreeMap, BTreeSet};

use kube::core::{Expression, SelectorExt};

/// Whether `labels` satisfy every requirement of `selector` (`app=db,tier in (a,b),!canary`).
pub(crate) fn matches(selector: &str, labels: Option<&BTreeMap<String, String>>) -> bool {
    let none = BTreeMap::new();
    let labels = labels.unwrap_or(&none);
    requirements(selector).all(|requirement| match parse(requirement) {
        Some(Requirement::Expression(expression)) => expression.matches(labels),
        Some(Requirement::Greater(key, bound)) => number(labels, &key).is_some_and(|n| n > bound),
        Some(Requirement::Less(key, bound)) => number(labels, &key).is_some_and(|n| n < bound),
        None => false,
    })
}

/// One requirement: what kube-core matches, plus the numeric comparisons it lacks.
#[derive(Debug, PartialEq)]
enum Requirement {
    Expression(Expression),
    Greater(String, i64),
    Less(String, i64),
}

/// The requirements of `selector`: split at the commas outside `(...)`.
fn requirements(selector: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    selector
        .split(move |c| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            c == ',' && depth == 0
        })
        .map(str::trim)
        .filter(|requirement| !requirement.is_empty())
}

fn parse(requirement: &str) -> Option<Requirement> {
    let pair = |operator: &str| {
        let (key, value) = requirement.split_once(operator)?;
        Some((key.trim().to_string(), value.trim().to_string()))
    };
    if let Some(key) = requirement
        .strip_prefix('!')
        .filter(|rest| !rest.starts_with('='))
    {
        return Some(Requirement::Expression(Expression::DoesNotExist(
            key.trim().to_string(),
        )));
    }
    if let Some((head, values)) = requirement.split_once('(') {
        let values: BTreeSet<String> = values
            .strip_suffix(')')?
            .split(',')
            .map(|value| value.trim().to_string())
            .collect();
        let expression = match head.split_whitespace().collect::<Vec<_>>().as_slice() {
            [key, "in"] => Expression::In(key.to_string(), values),
            [key, "notin"] => Expression::NotIn(key.to_string(), values),
            _ => return None,
        };
        return Some(Requirement::Expression(expression));
    }
    let requirement = if let Some((key, value)) = pair("!=") {
        Requirement::Expression(Expression::NotEqual(key, value))
    } else if let Some((key, value)) = pair("==").or_else(|| pair("=")) {
        Requirement::Expression(Expression::Equal(key, value))
    } else if let Some((key, bound)) = pair(">") {
        Requirement::Greater(key, bound.parse().ok()?)
    } else if let Some((key, bound)) = pair("<") {
        Requirement::Less(key, bound.parse().ok()?)
    } else if requirement.contains(char::is_whitespace) {
        return None;
    } else {
        Requirement::Expression(Expression::Exists(requirement.to_string()))
    };
    Some(requirement)
}

fn number(labels: &BTreeMap<String, String>, key: &str) -> Option<i64> {
    labels.get(key)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn equality_requirements() {
        let db = labels(&[("app", "db"), ("tier", "backend")]);
        assert!(matches("app=db", Some(&db)));
        assert!(matches("app==db", Some(&db)));
        assert!(matches("app = db, tier!=cache", Some(&db)));
        assert!(!matches("app=web", Some(&db)));
        assert!(!matches("tier!=backend", Some(&db)));
        assert!(
            matches("release!=canary", Some(&db)),
            "an absent key is unequal"
        );
        assert!(!matches("app=db", None));
    }

    #[test]
    fn set_and_existence_requirements() {
        let db = labels(&[("app", "db"), ("example.com/tier", "a")]);
        assert!(matches("example.com/tier in (a, b)", Some(&db)));
        assert!(!matches("example.com/tier notin (a,b)", Some(&db)));
        assert!(matches("app in (db),release notin (canary)", Some(&db)));
        assert!(matches("app,!release", Some(&db)));
        assert!(!matches("!app", Some(&db)));
        assert!(!matches("release", Some(&db)));
    }

    #[test]
    fn numeric_requirements() {
        let shard = labels(&[("shard", "3")]);
        assert!(matches("shard>2", Some(&shard)));
        assert!(!matches("shard<3", Some(&shard)));
        assert!(
            !matches("replicas>0", Some(&shard)),
            "an absent key is not a number"
        );
    }

    #[test]
    fn requirements_are_read_into_kube_core_expressions() {
        assert_eq!(
            parse("tier notin (a,b)"),
            Some(Requirement::Expression(Expression::NotIn(
                "tier".into(),
                ["a".to_string(), "b".to_string()].into()
            )))
        );
        assert_eq!(parse("tier in a"), None);
        assert_eq!(parse("shard>x"), None);
    }
}
