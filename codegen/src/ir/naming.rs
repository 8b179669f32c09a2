//! Rust names for model names, by general rules: no shape is special-cased.

/// Rust keywords (strict and reserved, all editions) that cannot be identifiers as they are.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers either; they get a trailing underscore.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Splits a model name into lower-case words at case changes, digits-to-letters boundaries
/// and separators, keeping acronyms together (`EC2ErrorCode` → `ec2`, `error`, `code`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();

    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }

        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            None => false,
            Some(p) if !p.is_alphanumeric() => false,
            Some(p) => {
                let lower_to_upper = (p.is_lowercase() || p.is_ascii_digit()) && c.is_uppercase();
                let acronym_end = p.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(|n| n.is_lowercase())
                    && !ends_with_plural_s(&chars, i);
                lower_to_upper || acronym_end
            }
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `IDs` in `InvalidSecurityGroupIDs`: the trailing `s` belongs to the acronym.
fn ends_with_plural_s(chars: &[char], i: usize) -> bool {
    chars.get(i + 1) == Some(&'s') && chars.get(i + 2).is_none_or(|c| c.is_uppercase())
}

/// The snake_case form of a model name, as used for fields and functions.
///
/// # Example
/// ```
/// use lamina_codegen::ir::naming::snake_case;
/// assert_eq!(snake_case("FunctionName"), "function_name");
/// assert_eq!(snake_case("EC2ErrorCode"), "ec2_error_code");
/// ```
pub fn snake_case(name: &str) -> String {
    words(name).join("_")
}

/// The UpperCamelCase form of a model name, as used for types and enum variants.
///
/// # Example
/// ```
/// use lamina_codegen::ir::naming::camel_case;
/// assert_eq!(camel_case("ENILimitReachedException"), "EniLimitReachedException");
/// assert_eq!(camel_case("nodejs18.x"), "Nodejs18X");
/// ```
pub fn camel_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// A name made safe as a Rust identifier: keywords become raw (`r#type`) or, where Rust
/// forbids that, get a trailing underscore; names starting with a digit get a leading `_`.
///
/// # Example
/// ```
/// use lamina_codegen::ir::naming::escape;
/// assert_eq!(escape("type".to_owned()), "r#type");
/// assert_eq!(escape("self".to_owned()), "self_");
/// assert_eq!(escape("3x".to_owned()), "_3x");
/// ```
pub fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        return format!("{name}_");
    }
    if KEYWORDS.contains(&name.as_str()) {
        return format!("r#{name}");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        return format!("_{name}");
    }
    name
}

/// The Rust field or function name for a member.
pub fn field_name(member: &str) -> String {
    escape(snake_case(member))
}

/// The Rust type name for an enum variant or union member.
pub fn type_name(shape: &str) -> String {
    escape(camel_case(shape))
}

/// Names from Rust's prelude that generated code uses unqualified.
const PRELUDE_TYPES: &[&str] = &[
    "Result", "Option", "String", "Vec", "Box", "Ok", "Err", "Some", "None", "Default", "From",
    "Into", "Send", "Sync", "Clone", "Copy", "Fn",
];

/// The Rust type name for a generated type (structure, union, enum): as [`type_name`], with
/// `Value` added to names that would hide a prelude item (`Result` becomes `ResultValue`).
///
/// # Example
/// ```
/// use lamina_codegen::ir::naming::shape_type_name;
/// assert_eq!(shape_type_name("Result"), "ResultValue");
/// assert_eq!(shape_type_name("FunctionCode"), "FunctionCode");
/// ```
pub fn shape_type_name(shape: &str) -> String {
    let name = type_name(shape);
    if PRELUDE_TYPES.contains(&name.as_str()) {
        format!("{name}Value")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_follows_word_boundaries() {
        let cases = [
            ("FunctionName", "function_name"),
            ("retryAfterSeconds", "retry_after_seconds"),
            ("Type", "r#type"),
            ("message", "message"),
            ("EC2ErrorCode", "ec2_error_code"),
            ("KMSKeyArn", "kms_key_arn"),
            ("SubnetIds", "subnet_ids"),
            ("SecurityGroupIDs", "security_group_ids"),
            ("S3Bucket", "s3_bucket"),
            ("self", "self_"),
            ("x-amz-thing", "x_amz_thing"),
        ];
        for (model, rust) in cases {
            assert_eq!(field_name(model), rust, "{model}");
        }
    }

    #[test]
    fn camel_case_follows_word_boundaries() {
        let cases = [
            ("InvocationRequest", "InvocationRequest"),
            ("ENINotReadyException", "EniNotReadyException"),
            ("EFSIOException", "EfsioException"),
            ("KMSAccessDeniedException", "KmsAccessDeniedException"),
            ("RequestResponse", "RequestResponse"),
            ("None", "None"),
            ("python3.12", "Python312"),
            ("java8.al2", "Java8Al2"),
            ("Self", "Self_"),
        ];
        for (model, rust) in cases {
            assert_eq!(type_name(model), rust, "{model}");
        }
    }
}
