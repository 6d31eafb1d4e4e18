//! Names derived from what the user wrote: cache fields, enum variants, and "did you mean".

/// `ConfigMap` -> `config_maps`, `HTTPRoute` -> `http_routes`, `NetworkPolicy` ->
/// `network_policies`, `Ingress` -> `ingresses`; a name already ending in a single `s`
/// (`Endpoints`) is taken as plural.
pub fn plural_snake(type_name: &str) -> String {
    let snake = snake(type_name);
    if let Some(stem) = snake
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']))
    {
        format!("{stem}ies")
    } else if snake.ends_with("ss")
        || snake.ends_with('x')
        || snake.ends_with("ch")
        || snake.ends_with("sh")
    {
        format!("{snake}es")
    } else if snake.ends_with('s') {
        snake
    } else {
        format!("{snake}s")
    }
}

/// `ConfigMap` -> `config_map`, `HTTPRoute` -> `http_route`, `V1Alpha` -> `v1_alpha`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut snake = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|next| next.is_lowercase());
            if previous != '_' && (!previous.is_uppercase() || next_is_lower) {
                snake.push('_');
            }
        }
        snake.extend(c.to_lowercase());
    }
    snake
}

/// `pods` -> `Pods`, `config_maps` -> `ConfigMaps`.
pub fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// A path as written, without generics: `Deployment`, `apps::v1::Deployment`.
pub fn path_text(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The candidate within edit distance 2 of `name`, if any: close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            current.push(
                (previous[j] + usize::from(ca != *cb))
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_plural_snake_case() {
        assert_eq!(plural_snake("Deployment"), "deployments");
        assert_eq!(plural_snake("ConfigMap"), "config_maps");
        assert_eq!(
            plural_snake("PersistentVolumeClaim"),
            "persistent_volume_claims"
        );
        assert_eq!(plural_snake("Ingress"), "ingresses");
        assert_eq!(plural_snake("NetworkPolicy"), "network_policies");
        assert_eq!(plural_snake("Gateway"), "gateways");
        assert_eq!(plural_snake("Endpoints"), "endpoints");
        assert_eq!(plural_snake("StorageClass"), "storage_classes");
        assert_eq!(plural_snake("HTTPRoute"), "http_routes");
        assert_eq!(plural_snake("CSIDriver"), "csi_drivers");
    }

    #[test]
    fn variants_are_upper_camel_case() {
        assert_eq!(upper_camel("config_maps"), "ConfigMaps");
        assert_eq!(upper_camel("pods"), "Pods");
    }

    #[test]
    fn suggestions_are_typos_only() {
        assert_eq!(
            closest("genration", &["generation", "labels"]),
            Some("generation")
        );
        assert_eq!(closest("label", &["generation", "labels"]), Some("labels"));
        assert_eq!(closest("spec_hash", &["generation", "labels"]), None);
    }
}
