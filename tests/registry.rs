//! The registry against Clerk's specs: every operationId a resource module
//! registers is declared by at least one loaded Backend API document, so no
//! handler is silently never served (a typo, a renamed operation).

mod common;


#[test]
fn every_registered_operation_is_declared_by_one_of_clerks_specs() {
    let specs = common::official_specs();
    let registry = clerk_mock::resources::registry();
    assert!(registry.len() > 100, "the resource modules register their handlers");
    let undeclared = registry.undeclared(specs);
    assert!(undeclared.is_empty(), "registered operationIds no spec declares: {undeclared:?}");
}

#[test]
fn a_misspelled_operation_is_reported() {
    let mut registry = clerk_mock::resources::registry();
    registry.add("CreateUzer", "users", |_| unreachable!("never served"));
    assert_eq!(registry.undeclared(common::official_specs()), vec!["CreateUzer"]);
}
