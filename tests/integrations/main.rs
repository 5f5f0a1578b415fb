//! End-to-end tests of the `redis-unify` binary in real git repositories, built
//! with the git command line. One test binary (one link) for all of them.

mod changed;
mod common;
mod formats;
mod hook;
mod pre_commit;
mod workflows;
