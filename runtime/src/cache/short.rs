//! Lists that are short for most objects: a primary's children of one kind, its pending child
//! changes, a change's pending versions. `Vec` doubles its room from four items up, so a list of
//! one keeps room for four; over thousands of primaries that room is most of the list's bytes.

/// The length up to which a list grows one item at a time.
const SHORT: usize = 4;

/// Pushes `item` onto `list`, with room for exactly it while the list is short, then as `Vec`
/// grows.
pub(crate) fn push<T>(list: &mut Vec<T>, item: T) {
    if list.len() < SHORT {
        list.reserve_exact(1);
    }
    list.push(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_keeps_room_for_what_it_holds_and_a_long_one_grows_as_vec_does() {
        let mut list = Vec::new();
        for n in 1..=SHORT {
            push(&mut list, n);
            assert_eq!(list.capacity(), n, "room for exactly {n}");
        }
        push(&mut list, SHORT + 1);
        assert!(list.capacity() > SHORT);
        assert_eq!(list, (1..=SHORT + 1).collect::<Vec<_>>());
    }
}
