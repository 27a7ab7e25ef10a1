//! Gateway tests: the API contract.

mod contract;
