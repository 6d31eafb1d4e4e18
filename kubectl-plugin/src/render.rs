//! The tree, from a `PrimaryAll` response and the time now: no I/O, so its output is tested
//! exactly.

use std::collections::HashMap;

use k8s_openapi::jiff::Timestamp;
use kube_secondary::primary_all::{KindChildren, PrimaryAll};
use kube_secondary::summary::readiness;
use serde_json::Value;

use kube_secondary::client::age::age;

/// The primary and its children as a tree, one line each with kind/name, age and readiness
/// (`ready`, `not ready`, or `-` where no built-in status convention tells): each child under
/// its controller when the response holds it, else under the primary; a kind the API could not
/// serve on a line of its own with its error; and a last line naming the kinds the caller may
/// not list.
///
/// ```
/// use k8s_openapi::jiff::Timestamp;
/// use kube_secondary::primary_all::PrimaryAll;
///
/// let response: PrimaryAll = serde_json::from_value(serde_json::json!({
///     "apiVersion": "primary-all.demo.example.com/v1", "kind": "Database",
///     "primary": { "kind": "Database", "metadata": { "name": "orders", "uid": "u1",
///         "creationTimestamp": "2026-05-01T11:00:00Z" } },
///     "secondaries": [{ "apiVersion": "v1", "kind": "ConfigMap", "resource": "configmaps",
///         "items": [{ "metadata": { "name": "orders-config",
///             "creationTimestamp": "2026-05-01T11:59:30Z" } }] }],
///     "hidden": ["secrets"],
/// })).unwrap();
/// let now: Timestamp = "2026-05-01T12:00:00Z".parse().unwrap();
/// assert_eq!(kubectl_secondaries::render(&response, now), "\
/// NAME                         AGE   READY
/// Database/orders              60m   -
/// └─ ConfigMap/orders-config   30s   -
/// hidden: secrets (no permission to list)
/// ");
/// ```
pub fn render(response: &PrimaryAll, now: Timestamp) -> String {
    let primary_kind = response.primary["kind"].as_str().unwrap_or("?");
    let primary = Node::of(primary_kind, &response.primary);
    let nodes: Vec<Node> = response
        .secondaries
        .iter()
        .flat_map(|kind| kind.items.iter().map(|item| Node::of(&kind.kind, item)))
        .collect();
    let tree = Tree::new(&nodes);
    let mut rows = vec![Row::node(String::new(), &primary, primary.namespace, now)];
    let failed = response
        .secondaries
        .iter()
        .filter(|kind| kind.error.is_some());
    let top: Vec<Child> = tree.children[ROOT]
        .iter()
        .map(|&node| Child::Node(node))
        .chain(failed.map(Child::Failed))
        .collect();
    tree.rows(&top, &nodes, primary.namespace, "", now, &mut rows);
    let mut text = columns(&rows);
    if let Some(hidden) = hidden(response) {
        text.push_str(&hidden);
        text.push('\n');
    }
    text
}

/// What the tree shows of one object.
struct Node<'a> {
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
    uid: Option<&'a str>,
    /// The uid of its controller ownerReference.
    controller: Option<&'a str>,
    created: Option<Timestamp>,
    ready: Option<bool>,
}

impl<'a> Node<'a> {
    fn of(kind: &'a str, object: &'a Value) -> Self {
        let meta = &object["metadata"];
        let controller = meta["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|owner| owner["controller"] == Value::Bool(true))
            .and_then(|owner| owner["uid"].as_str());
        Self {
            kind,
            name: meta["name"].as_str().unwrap_or("?"),
            namespace: meta["namespace"].as_str(),
            uid: meta["uid"].as_str(),
            controller,
            created: meta["creationTimestamp"]
                .as_str()
                .and_then(|time| time.parse().ok()),
            ready: readiness(object),
        }
    }
}

/// The index of the primary among the parents: children are `1..`.
const ROOT: usize = 0;

/// Who is under whom: `children[ROOT]` are the primary's, `children[i + 1]` node `i`'s.
struct Tree {
    children: Vec<Vec<usize>>,
}

impl Tree {
    fn new(nodes: &[Node]) -> Self {
        let by_uid: HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .filter_map(|(i, node)| Some((node.uid?, i)))
            .collect();
        // The parent of each node, as a position among the parents.
        let mut parent: Vec<usize> = nodes
            .iter()
            .map(
                |node| match node.controller.and_then(|uid| by_uid.get(uid)) {
                    Some(&owner) => owner + 1,
                    None => ROOT,
                },
            )
            .collect();
        // Owners that own each other (never so in a cluster) would hang apart from the tree:
        // the first of them found goes under the primary.
        for start in 0..nodes.len() {
            let mut at = parent[start];
            let mut steps = 0;
            while at != ROOT && steps <= nodes.len() {
                at = parent[at - 1];
                steps += 1;
            }
            if at != ROOT {
                parent[start] = ROOT;
            }
        }
        let mut children = vec![Vec::new(); nodes.len() + 1];
        for (node, parent) in parent.into_iter().enumerate() {
            children[parent].push(node);
        }
        Self { children }
    }

    /// Adds the rows of `children` and of theirs, indented by `indent`.
    fn rows(
        &self,
        children: &[Child],
        nodes: &[Node],
        namespace: Option<&str>,
        indent: &str,
        now: Timestamp,
        rows: &mut Vec<Row>,
    ) {
        for (i, child) in children.iter().enumerate() {
            let last = i + 1 == children.len();
            let branch = format!("{indent}{}", if last { "└─ " } else { "├─ " });
            match child {
                Child::Failed(kind) => rows.push(Row::failed(branch, kind)),
                Child::Node(node) => {
                    rows.push(Row::node(branch, &nodes[*node], namespace, now));
                    let below: Vec<Child> = self.children[node + 1]
                        .iter()
                        .map(|&node| Child::Node(node))
                        .collect();
                    let indent = format!("{indent}{}", if last { "   " } else { "│  " });
                    self.rows(&below, nodes, namespace, &indent, now, rows);
                }
            }
        }
    }
}

/// A line under a parent: an object, or a kind the API could not serve.
enum Child<'a> {
    Node(usize),
    Failed(&'a KindChildren),
}

/// One line: the name column (tree and kind/name), then age and readiness; a failed kind's line
/// has its message in place of the columns.
struct Row {
    name: String,
    columns: Option<(String, &'static str)>,
}

impl Row {
    fn node(branch: String, node: &Node, namespace: Option<&str>, now: Timestamp) -> Self {
        let mut name = format!("{branch}{}/{}", node.kind, node.name);
        if let Some(other) = node.namespace.filter(|ns| Some(*ns) != namespace) {
            name.push_str(&format!(" (in {other})"));
        }
        let age = node
            .created
            .map_or_else(|| "<unknown>".to_string(), |created| age(created, now));
        let ready = match node.ready {
            Some(true) => "ready",
            Some(false) => "not ready",
            None => "-",
        };
        Self {
            name,
            columns: Some((age, ready)),
        }
    }

    fn failed(branch: String, kind: &KindChildren) -> Self {
        let error = kind.error.as_deref().unwrap_or_default();
        Self {
            name: format!("{branch}{}: error: {error}", kind.kind),
            columns: None,
        }
    }
}

/// The rows under a header, in columns three spaces apart, as kubectl prints tables.
fn columns(rows: &[Row]) -> String {
    let header = Row {
        name: "NAME".into(),
        columns: Some(("AGE".into(), "READY")),
    };
    let rows: Vec<&Row> = std::iter::once(&header).chain(rows).collect();
    let width = |column: fn(&Row) -> Option<usize>| rows.iter().filter_map(|row| column(row)).max();
    let name_width = width(|row| row.columns.as_ref().map(|_| row.name.chars().count()));
    let age_width = width(|row| row.columns.as_ref().map(|(age, _)| age.chars().count()));
    let mut text = String::new();
    for row in rows {
        match &row.columns {
            Some((age, ready)) => text.push_str(&format!(
                "{:<name$}   {:<age_width$}   {ready}\n",
                row.name,
                age,
                name = name_width.unwrap_or(0),
                age_width = age_width.unwrap_or(0),
            )),
            None => text.push_str(&format!("{}\n", row.name)),
        }
    }
    text
}

/// `hidden: secrets, configmaps (no permission to list)`, or nothing when every kind may be
/// listed. The API names these kinds without saying whether anything of them exists.
fn hidden(response: &PrimaryAll) -> Option<String> {
    let kinds = response.hidden.join(", ");
    (!kinds.is_empty()).then(|| format!("hidden: {kinds} (no permission to list)"))
}
