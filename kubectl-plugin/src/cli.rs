//! The command line: `kubectl secondaries tree TYPE/NAME [-n NAMESPACE] [--depth N] [-o json]`.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A primary resource and its secondaries, read through the aggregated primary-all API.
#[derive(Debug, Parser)]
#[command(name = "kubectl secondaries", version)]
pub struct Cli {
    /// What to show.
    #[command(subcommand)]
    pub command: Command,
}

/// The plugin's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a primary and its children as a tree: children under their controller, with age,
    /// readiness, and what you may not see.
    Tree(Tree),
}

/// `kubectl secondaries tree`.
#[derive(Debug, Args)]
pub struct Tree {
    /// The primary: `TYPE/NAME` (`database/orders`), or `TYPE NAME`. TYPE is a resource's plural,
    /// singular, short name or kind, optionally followed by `.GROUP`.
    #[arg(value_name = "TYPE[/NAME]")]
    pub target: String,
    /// The primary's name, when not given as `TYPE/NAME`.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// The primary's namespace; the kubeconfig context's by default.
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// How many levels of children to read (children of children from 2 on); the server's
    /// default if absent.
    #[arg(long)]
    pub depth: Option<u32>,
    /// `tree` (default) or `json`: the API's response as it came.
    #[arg(short, long, value_enum, default_value_t = Output::Tree)]
    pub output: Output,
    /// The kubeconfig context to use instead of the current one.
    #[arg(long)]
    pub context: Option<String>,
}

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// A tree of kind/name, age and readiness.
    Tree,
    /// The `PrimaryAll` response.
    Json,
}

impl Tree {
    /// The type and name asked for, or `None` when no name was given.
    pub fn type_and_name(&self) -> Option<(&str, &str)> {
        match (self.target.split_once('/'), &self.name) {
            (Some((kind, name)), None) if !kind.is_empty() && !name.is_empty() => {
                Some((kind, name))
            }
            (None, Some(name)) if !self.target.is_empty() => Some((&self.target, name)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(args: &[&str]) -> Tree {
        let args = ["kubectl-secondaries", "tree"].iter().chain(args);
        match Cli::parse_from(args).command {
            Command::Tree(tree) => tree,
        }
    }

    #[test]
    fn a_primary_is_named_as_kubectl_names_it() {
        assert_eq!(
            tree(&["database/orders"]).type_and_name(),
            Some(("database", "orders"))
        );
        assert_eq!(
            tree(&["databases.demo.kube-secondary.dev", "orders"]).type_and_name(),
            Some(("databases.demo.kube-secondary.dev", "orders"))
        );
        assert_eq!(tree(&["database"]).type_and_name(), None);
        assert_eq!(tree(&["database/orders", "again"]).type_and_name(), None);
        assert_eq!(tree(&["database/"]).type_and_name(), None);
    }

    #[test]
    fn flags() {
        let tree = tree(&["db/orders", "-n", "prod", "--depth", "2", "-o", "json"]);
        assert_eq!(tree.namespace.as_deref(), Some("prod"));
        assert_eq!(tree.depth, Some(2));
        assert_eq!(tree.output, Output::Json);
    }
}
