//! Which namespaces the operator watches: all of them, or a list (`--namespaces`).

use kube::{Api, Client, Resource};

/// The watch scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespaces(Vec<String>),
}

impl Scope {
    /// From a comma-separated list; empty means every namespace.
    pub fn parse(list: &[String]) -> Scope {
        let names: Vec<String> = list
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if names.is_empty() {
            Scope::All
        } else {
            Scope::Namespaces(names)
        }
    }

    /// The namespaces to run controllers in: `None` stands for all of them.
    pub fn namespaces(&self) -> Vec<Option<String>> {
        match self {
            Scope::All => vec![None],
            Scope::Namespaces(ns) => ns.iter().cloned().map(Some).collect(),
        }
    }
}

/// An `Api` in `namespace`, or across all namespaces for `None`.
pub fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn empty_means_all() {
        assert_eq!(Scope::parse(&[]), Scope::All);
        assert_eq!(Scope::parse(&["".into()]), Scope::All);
        assert_eq!(
            Scope::parse(&["a, b".into(), "c".into()]),
            Scope::Namespaces(vec!["a".into(), "b".into(), "c".into()])
        );
    }
}
