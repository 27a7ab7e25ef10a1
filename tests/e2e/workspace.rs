//! Conventions of the workspace that a reviewer would otherwise check by hand.

use std::path::Path;

/// Every crate root opens with a `//!` doc saying what it owns and what it
/// must not depend on.
#[test]
fn every_crate_root_says_what_it_owns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut roots = vec![root.join("migrations/src/lib.rs")];
    for entry in std::fs::read_dir(root.join("crates")).expect("crates dir") {
        let dir = entry.expect("entry").path();
        roots.push(dir.join("src/lib.rs"));
    }
    assert!(roots.len() >= 6, "{roots:?}");
    for file in roots {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.starts_with("//! "), "{} must start with a //! crate doc", file.display());
    }
}
