//! The catalogue is embedded at compile time: a new or edited `.ftl` file
//! must rebuild the crate (Cargo watches the whole folder from here).

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
