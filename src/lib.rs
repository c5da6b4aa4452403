//! planq: a government work plan as queryable tables, and a small query language over them.

pub mod lang;
