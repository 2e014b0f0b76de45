//! The package's candidate types: structs that hold a `sync.Mutex` or
//! `sync.RWMutex` (named or embedded) and at least one map field, read from
//! the package's declarations; and the names the walk looks for (map
//! fields, mutexes, methods and functions of the package).

use crate::go::types::{FileIndex, PackageScope, TypeExpr, TypeKind};
use std::collections::{HashMap, HashSet};

/// A mutex field of a candidate type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutexField {
    /// The field name; `Mutex`/`RWMutex` for an embedded one.
    pub name: String,
    pub rw: bool,
    pub embedded: bool,
    /// Where it is declared among the struct's fields (0-based).
    pub pos: usize,
    /// Whether `x.Lock()` on the value may take it: it is the embedded
    /// mutex, or the struct embeds none (then `Lock` is a method of the
    /// type, which may take any of its mutexes).
    pub value_lock: bool,
}

#[derive(Debug, Clone, Default)]
pub struct StructInfo {
    pub mutexes: Vec<MutexField>,
    pub maps: Vec<String>,
    /// Where each of `maps` is declared among the struct's fields.
    pub map_pos: Vec<usize>,
}

impl StructInfo {
    pub fn mutex(&self, name: &str) -> Option<&MutexField> {
        self.mutexes.iter().find(|m| m.name == name)
    }

    /// How closely mutex `m` sits above map field `field`, as Go code
    /// declares a mutex right above the fields it guards: the nearest
    /// mutex declared before the field ranks highest, then those declared
    /// after it, nearest first. Breaks ties between mutexes held equally
    /// often, so that the guard does not depend on iteration order.
    pub fn nearness(&self, m: &MutexField, field: &str) -> (bool, usize) {
        let at = self
            .maps
            .iter()
            .position(|f| f == field)
            .map_or(usize::MAX, |i| self.map_pos[i]);
        if m.pos < at {
            (true, m.pos)
        } else {
            (false, usize::MAX - m.pos)
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub types: HashMap<String, StructInfo>,
    map_field_names: HashSet<String>,
    mutex_names: HashSet<String>,
    /// Methods of the candidate types: type → names.
    methods: HashMap<String, HashSet<String>>,
    method_names: HashSet<String>,
    funcs: HashSet<String>,
}

/// `sync.Mutex` → Some(false), `sync.RWMutex` → Some(true).
fn mutex_kind(ty: &TypeExpr) -> Option<bool> {
    match ty.kind() {
        TypeKind::Qualified { package, name } if package == "sync" => match name.as_str() {
            "Mutex" => Some(false),
            "RWMutex" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// A map type, or a name the package declares as one (types of other
/// packages are not looked up: that would parse every file for its imports).
fn is_map_type(ty: &TypeExpr, scope: &PackageScope) -> bool {
    let mut ty = ty.clone();
    for _ in 0..4 {
        ty = match ty.kind() {
            TypeKind::Map { .. } => return true,
            TypeKind::Name(n) => match scope.type_decl(n) {
                Some(decl) => decl,
                None => return false,
            },
            _ => return false,
        };
    }
    false
}

impl Candidates {
    /// The candidate types declared in `files` (the package's indexes).
    pub fn from_indexes<'i>(files: impl IntoIterator<Item = &'i FileIndex>, scope: &PackageScope) -> Candidates {
        let mut out = Candidates::default();
        for index in files {
            out.funcs.extend(index.funcs.iter().cloned());
            for (name, decl) in &index.types {
                let TypeKind::Struct(fields) = decl.kind() else {
                    continue;
                };
                // Only a struct with a mutex is a candidate: its other
                // fields' types are not looked up otherwise.
                if !fields.iter().any(|f| mutex_kind(&f.ty).is_some()) {
                    continue;
                }
                let mut info = StructInfo::default();
                for (pos, f) in fields.iter().enumerate() {
                    if let Some(rw) = mutex_kind(&f.ty) {
                        if f.names.is_empty() {
                            let name = if rw { "RWMutex" } else { "Mutex" };
                            info.mutexes.push(MutexField {
                                name: name.into(),
                                rw,
                                embedded: true,
                                pos,
                                value_lock: true,
                            });
                        } else {
                            for n in &f.names {
                                info.mutexes.push(MutexField {
                                    name: n.clone(),
                                    rw,
                                    embedded: false,
                                    pos,
                                    value_lock: false,
                                });
                            }
                        }
                    } else if !f.names.is_empty() && is_map_type(&f.ty, scope) {
                        info.maps.extend(f.names.iter().cloned());
                        info.map_pos.extend(f.names.iter().map(|_| pos));
                    }
                }
                if !info.mutexes.iter().any(|m| m.embedded) {
                    for m in &mut info.mutexes {
                        m.value_lock = true;
                    }
                }
                if !info.mutexes.is_empty() && !info.maps.is_empty() {
                    out.map_field_names.extend(info.maps.iter().cloned());
                    out.mutex_names.extend(info.mutexes.iter().map(|m| m.name.clone()));
                    out.types.insert(name.clone(), info);
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Records a method declaration of the package.
    pub fn add_method(&mut self, ty: &str, name: &str) {
        self.methods.entry(ty.to_string()).or_default().insert(name.to_string());
        self.method_names.insert(name.to_string());
    }

    pub fn field_words(&self) -> impl Iterator<Item = &str> {
        self.map_field_names.iter().map(String::as_str)
    }

    pub fn is_type(&self, name: &str) -> bool {
        self.types.contains_key(name)
    }

    pub fn is_map_field_name(&self, name: &str) -> bool {
        self.map_field_names.contains(name)
    }

    pub fn is_map_field(&self, ty: &str, field: &str) -> bool {
        self.types.get(ty).is_some_and(|i| i.maps.iter().any(|m| m == field))
    }

    pub fn is_mutex_name(&self, name: &str) -> bool {
        self.mutex_names.contains(name)
    }

    pub fn is_method_name(&self, name: &str) -> bool {
        self.method_names.contains(name)
    }

    pub fn has_method(&self, ty: &str, name: &str) -> bool {
        self.methods.get(ty).is_some_and(|m| m.contains(name))
    }

    pub fn is_func(&self, name: &str) -> bool {
        self.funcs.contains(name)
    }
}
