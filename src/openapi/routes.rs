//! Path templates → operations, literals before parameters.
//!
//! Clerk has templates that compete at one position (`/users/count` and
//! `/users/{user_id}`; `/invitations/bulk` and `/invitations/{id}/revoke`), so
//! matching walks a segment tree, tries the literal child first, and
//! backtracks into the parameter child when the literal branch dead-ends.
//!
//! ```
//! use clerk_mock::openapi::routes::{Router, RouteMatch};
//! let mut r = Router::default();
//! r.insert("/users/{user_id}", "GET", 0);
//! r.insert("/users/count", "GET", 1);
//! match r.find("GET", "/users/count") { RouteMatch::Found { op, .. } => assert_eq!(op, 1), _ => panic!() }
//! match r.find("GET", "/users/user_1") { RouteMatch::Found { op, params } => {
//!     assert_eq!(op, 0); assert_eq!(params[0], ("user_id".to_string(), "user_1".to_string()));
//! } _ => panic!() }
//! ```

use std::collections::HashMap;

/// The outcome of matching one request path.
#[derive(Debug, PartialEq)]
pub enum RouteMatch {
    /// An operation (index into the spec's operation list) and its path params.
    Found { op: usize, params: Vec<(String, String)> },
    /// The path exists, the method does not.
    MethodNotAllowed { allowed: Vec<String> },
    NotFound,
}

#[derive(Default, Debug)]
struct Node {
    literals: HashMap<String, Node>,
    param: Option<Box<Node>>,
    /// method → (operation index, parameter names in order)
    methods: HashMap<String, (usize, Vec<String>)>,
}

/// A segment tree of every path template of one spec.
#[derive(Default, Debug)]
pub struct Router {
    root: Node,
}

impl Router {
    /// Adds `METHOD template` → operation index.
    pub fn insert(&mut self, template: &str, method: &str, op: usize) {
        let mut node = &mut self.root;
        let mut names = Vec::new();
        for segment in segments(template) {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                names.push(name.to_string());
                node = node.param.get_or_insert_with(Default::default);
            } else {
                node = node.literals.entry(segment.to_string()).or_default();
            }
        }
        node.methods.insert(method.to_ascii_uppercase(), (op, names));
    }

    /// Matches a concrete path (already without `/v1`, percent-decoding is
    /// done per segment here).
    pub fn find(&self, method: &str, path: &str) -> RouteMatch {
        let parts: Vec<String> = segments(path).map(percent_decode).collect();
        let mut captured = Vec::new();
        let mut leaves = Vec::new();
        collect_leaves(&self.root, &parts, &mut captured, &mut leaves);
        if leaves.is_empty() {
            return RouteMatch::NotFound;
        }
        // Leaves come literal-first; the first one with the method wins.
        for (node, values) in &leaves {
            if let Some((op, names)) = node.methods.get(method) {
                let params = names.iter().cloned().zip(values.iter().cloned()).collect();
                return RouteMatch::Found { op: *op, params };
            }
        }
        let mut allowed: Vec<String> =
            leaves.iter().flat_map(|(node, _)| node.methods.keys().cloned()).collect();
        allowed.sort();
        allowed.dedup();
        RouteMatch::MethodNotAllowed { allowed }
    }
}

fn collect_leaves<'a>(
    node: &'a Node,
    rest: &[String],
    captured: &mut Vec<String>,
    out: &mut Vec<(&'a Node, Vec<String>)>,
) {
    let Some((head, tail)) = rest.split_first() else {
        if !node.methods.is_empty() {
            out.push((node, captured.clone()));
        }
        return;
    };
    if let Some(child) = node.literals.get(head) {
        collect_leaves(child, tail, captured, out);
    }
    if let Some(child) = &node.param {
        if !head.is_empty() {
            captured.push(head.clone());
            collect_leaves(child, tail, captured, out);
            captured.pop();
        }
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn percent_decode(segment: &str) -> String {
    form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| segment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router {
        let mut r = Router::default();
        r.insert("/users/{user_id}", "GET", 0);
        r.insert("/users/{user_id}", "DELETE", 1);
        r.insert("/users/count", "GET", 2);
        r.insert("/users/ban", "POST", 3);
        r.insert("/organizations/{organization_id}/invitations/{invitation_id}", "GET", 4);
        r.insert("/organizations/{organization_id}/invitations/pending", "GET", 5);
        r.insert("/invitations/bulk", "POST", 6);
        r.insert("/invitations/{invitation_id}/revoke", "POST", 7);
        r
    }

    fn op(m: RouteMatch) -> usize {
        match m {
            RouteMatch::Found { op, .. } => op,
            other => panic!("expected a match, got {other:?}"),
        }
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        let r = router();
        assert_eq!(op(r.find("GET", "/users/count")), 2);
        assert_eq!(op(r.find("GET", "/organizations/org_1/invitations/pending")), 5);
        assert_eq!(op(r.find("GET", "/organizations/org_1/invitations/orginv_1")), 4);
    }

    #[test]
    fn a_dead_end_literal_backtracks_into_the_parameter() {
        let r = router();
        assert_eq!(op(r.find("POST", "/invitations/bulk/revoke")), 7);
        assert_eq!(op(r.find("POST", "/invitations/bulk")), 6);
    }

    #[test]
    fn a_literal_route_without_the_method_falls_back_to_the_parameter_route() {
        // DELETE /users/count is DELETE /users/{user_id} with user_id=count.
        assert_eq!(op(router().find("DELETE", "/users/count")), 1);
    }

    #[test]
    fn a_known_path_with_the_wrong_method_is_405() {
        let m = router().find("PUT", "/users/user_1");
        assert_eq!(m, RouteMatch::MethodNotAllowed { allowed: vec!["DELETE".into(), "GET".into()] });
    }

    #[test]
    fn an_unknown_path_is_not_found() {
        assert_eq!(router().find("GET", "/nope"), RouteMatch::NotFound);
        assert_eq!(router().find("GET", "/users/a/b/c"), RouteMatch::NotFound);
    }

    #[test]
    fn path_parameters_are_percent_decoded() {
        match router().find("GET", "/users/a%20b") {
            RouteMatch::Found { params, .. } => assert_eq!(params[0].1, "a b"),
            other => panic!("{other:?}"),
        }
    }
}
