//! The value types the checker reasons about, independent of polars.

use std::fmt;

/// A column or expression type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Float,
    /// Text.
    Str,
    /// true / false.
    Bool,
    /// Calendar date.
    Date,
    /// The type of `null`: fits anywhere.
    Null,
    /// Anything else a registered table may carry (lists, structs…): can be selected and
    /// compared for equality only.
    Other,
}

impl Type {
    /// The name shown to users (`str`, `int`, …).
    pub fn name(self) -> &'static str {
        match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Str => "str",
            Type::Bool => "bool",
            Type::Date => "date",
            Type::Null => "null",
            Type::Other => "other",
        }
    }

    /// The type for a user-facing type name (as produced by [`Type::name`]).
    pub fn from_name(name: &str) -> Type {
        match name {
            "int" => Type::Int,
            "float" => Type::Float,
            "str" => Type::Str,
            "bool" => Type::Bool,
            "date" => Type::Date,
            "null" => Type::Null,
            _ => Type::Other,
        }
    }

    /// Int or Float (or Null).
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Null)
    }

    /// Bool (or Null).
    pub fn is_bool(self) -> bool {
        matches!(self, Type::Bool | Type::Null)
    }

    /// Whether values of the two types can be compared with `==`, `<`, ….
    pub fn comparable(self, other: Type) -> bool {
        self == Type::Null
            || other == Type::Null
            || self == other
            || (self.is_numeric() && other.is_numeric())
    }

    /// The common type of two branches (`if`, `coalesce`), if there is one.
    pub fn unify(self, other: Type) -> Option<Type> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (Type::Null, b) => Some(b),
            (a, Type::Null) => Some(a),
            (Type::Int, Type::Float) | (Type::Float, Type::Int) => Some(Type::Float),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An ordered list of (column name, type): the schema of a table or of a pipeline stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Columns(pub Vec<(String, Type)>);

impl Columns {
    /// The type of a column.
    pub fn get(&self, name: &str) -> Option<Type> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    /// Column names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// Adds a column, replacing one of the same name in place.
    pub fn set(&mut self, name: &str, ty: Type) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = ty,
            None => self.0.push((name.to_string(), ty)),
        }
    }

    /// The names as a short list for help texts: `a, b, c`.
    pub fn listing(&self) -> String {
        self.names().collect::<Vec<_>>().join(", ")
    }
}
