//! Claim building that needs no store: how Clerk's v2 session tokens encode
//! an organization's permissions.
//!
//! `per` lists the permission names, `fea` the features (`o:<feature>`), and
//! `fpm` gives each feature a bitmask over `per`, as the SDKs decode them:
//!
//! ```
//! use clerk_mock::tokens::claims::encode_permissions;
//! let (fea, per, fpm) = encode_permissions(&["org:reports:read".into(), "org:reports:manage".into(), "org:billing:read".into()]).unwrap();
//! assert_eq!((fea.as_str(), per.as_str(), fpm.as_str()), ("o:reports,o:billing", "read,manage", "3,1"));
//! ```

/// `org:<feature>:<permission>` keys → (`fea`, `per`, `fpm`) as Clerk's v2
/// tokens encode them; `None` when there is nothing to encode.
pub fn encode_permissions(keys: &[String]) -> Option<(String, String, String)> {
    let mut features: Vec<&str> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut pairs = Vec::new();
    for key in keys {
        let mut parts = key.splitn(3, ':');
        let (Some("org"), Some(feature), Some(name)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if !features.contains(&feature) {
            features.push(feature);
        }
        if !names.contains(&name) {
            names.push(name);
        }
        pairs.push((feature, name));
    }
    if pairs.is_empty() || names.len() > 63 {
        return None;
    }
    let masks: Vec<String> = features
        .iter()
        .map(|f| {
            let mask: u64 = pairs
                .iter()
                .filter(|(feature, _)| feature == f)
                .map(|(_, name)| 1u64 << names.iter().position(|n| n == name).unwrap_or(0))
                .fold(0, |a, b| a | b);
            mask.to_string()
        })
        .collect();
    let fea = features.iter().map(|f| format!("o:{f}")).collect::<Vec<_>>().join(",");
    Some((fea, names.join(","), masks.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_of_several_features_share_one_name_list() {
        let keys: Vec<String> = ["org:a:read", "org:b:manage", "org:a:manage", "org:sys_x:read", "bogus"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (fea, per, fpm) = encode_permissions(&keys).unwrap();
        assert_eq!(fea, "o:a,o:b,o:sys_x");
        assert_eq!(per, "read,manage");
        assert_eq!(fpm, "3,2,1");
        assert!(encode_permissions(&[]).is_none());
    }
}
