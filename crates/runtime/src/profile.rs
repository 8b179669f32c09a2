//! The shared AWS config and credentials files (`~/.aws/config`, `~/.aws/credentials`).
//!
//! Both are INI files. In the config file a profile's section is `[profile name]` (or
//! `[default]`), and `[services name]` sections hold per-service settings that a profile
//! names with `services = name`; in the credentials file a section is just `[name]`.
//! Properties may hold a nested block: `lambda =` followed by indented `key = value` lines.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One section's properties; nested blocks are stored as `parent.key`.
pub type Properties = BTreeMap<String, String>;

/// The profiles of the config and credentials files, merged as the AWS SDKs merge them.
///
/// Its `Debug` shows the sections and the names of their properties, never the values: a
/// credentials file holds secret keys and session tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Properties>,
    services: BTreeMap<String, Properties>,
    selected: String,
    explicit: bool,
    sources: Vec<PathBuf>,
}

impl fmt::Debug for ProfileSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileSet")
            .field("selected", &self.selected)
            .field("explicit", &self.explicit)
            .field("sources", &self.sources)
            .field("profiles", &KeysOnly(&self.profiles))
            .field("services", &KeysOnly(&self.services))
            .finish_non_exhaustive()
    }
}

/// Sections with the names of their properties and without the values, for `Debug`.
struct KeysOnly<'a>(&'a BTreeMap<String, Properties>);

impl fmt::Debug for KeysOnly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .iter()
                    .map(|(name, properties)| (name, properties.keys().collect::<Vec<_>>())),
            )
            .finish()
    }
}

impl ProfileSet {
    /// Reads the files the environment points at: `AWS_CONFIG_FILE` (else
    /// `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`), and
    /// selects `profile` (else `AWS_PROFILE`, else `default`). Missing files are empty.
    ///
    /// A `profile` given here counts as chosen explicitly (see [`ProfileSet::is_explicit`]).
    pub fn load(lookup: &dyn Fn(&str) -> Option<String>, profile: Option<&str>) -> Self {
        let home = lookup("HOME").or_else(|| lookup("USERPROFILE"));
        let default_path = |name: &str| home.as_ref().map(|h| Path::new(h).join(".aws").join(name));
        let config = lookup("AWS_CONFIG_FILE")
            .map(PathBuf::from)
            .or_else(|| default_path("config"));
        let credentials = lookup("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| default_path("credentials"));

        let mut set = ProfileSet {
            selected: profile
                .map(str::to_owned)
                .or_else(|| lookup("AWS_PROFILE"))
                .unwrap_or_else(|| "default".into()),
            explicit: profile.is_some(),
            ..Self::default()
        };
        if let Some(path) = config {
            if let Ok(text) = std::fs::read_to_string(&path) {
                set.add_config(&text);
                set.sources.push(path);
            }
        }
        if let Some(path) = credentials {
            if let Ok(text) = std::fs::read_to_string(&path) {
                set.add_credentials(&text);
                set.sources.push(path);
            }
        }
        set
    }

    /// Adds the sections of a config file's text.
    pub fn add_config(&mut self, text: &str) {
        for (header, properties) in parse_ini(text) {
            let header = header.trim();
            let target = if header == "default" {
                self.profiles.entry("default".into())
            } else if let Some(name) = header.strip_prefix("profile ") {
                self.profiles.entry(name.trim().to_owned())
            } else if let Some(name) = header.strip_prefix("services ") {
                self.services.entry(name.trim().to_owned())
            } else {
                continue;
            };
            target.or_default().extend(properties);
        }
    }

    /// Adds the sections of a credentials file's text; its keys win over the config file's.
    pub fn add_credentials(&mut self, text: &str) {
        for (header, properties) in parse_ini(text) {
            let name = header.trim().to_owned();
            self.profiles.entry(name).or_default().extend(properties);
        }
    }

    /// The selected profile's name.
    pub fn selected(&self) -> &str {
        &self.selected
    }

    /// Whether the profile was chosen in code or on a command line (`--profile`) rather than by
    /// `AWS_PROFILE` or by default. As in the AWS CLI, an explicit profile's credentials win
    /// over the `AWS_ACCESS_KEY_ID` of the environment.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// The files that were read.
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }

    /// Whether the selected profile exists in any file.
    pub fn has_selected(&self) -> bool {
        self.profiles.contains_key(&self.selected)
    }

    /// A property of the selected profile.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.profiles
            .get(&self.selected)?
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Setting `key` of every service in the `[services]` section the selected profile names:
    /// each service's key (such as `lambda`) with its value.
    pub fn service_settings<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        let section = self
            .get("services")
            .and_then(|name| self.services.get(name));
        section.into_iter().flat_map(move |section| {
            section.iter().filter_map(move |(name, value)| {
                let service = name.strip_suffix(key)?.strip_suffix('.')?;
                (!value.is_empty()).then_some((service, value.as_str()))
            })
        })
    }
}

/// Sections in file order: header text and its properties.
fn parse_ini(text: &str) -> Vec<(String, Properties)> {
    let mut sections: Vec<(String, Properties)> = Vec::new();
    let mut parent: Option<String> = None;

    for raw in text.lines() {
        let line = strip_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        let trimmed = line.trim();

        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            sections.push((header.to_owned(), Properties::new()));
            parent = None;
            continue;
        }
        let Some((_, properties)) = sections.last_mut() else {
            continue;
        };
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim().to_ascii_lowercase(), value.trim().to_owned());
        match (&parent, indented) {
            (Some(parent), true) => {
                properties.insert(format!("{parent}.{key}"), value);
            }
            _ if value.is_empty() => {
                parent = Some(key.clone());
                properties.insert(key, value);
            }
            _ => {
                parent = None;
                properties.insert(key, value);
            }
        }
    }
    sections
}

/// A line without its `#` or `;` comment (only at the start, or after white space).
fn strip_comment(line: &str) -> &str {
    let mut previous_space = true;
    for (i, c) in line.char_indices() {
        if (c == '#' || c == ';') && previous_space {
            return &line[..i];
        }
        previous_space = c.is_whitespace();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "
[default]
region = eu-west-1   # a comment
services = local

[profile dev]
region=us-west-2
credential_process = /bin/echo hi

[services local]
lambda =
  endpoint_url = http://127.0.0.1:4000
s3 =
  endpoint_url = http://127.0.0.1:5000
";

    const CREDENTIALS: &str = "
; comment line
[default]
aws_access_key_id = AKIDFILE
aws_secret_access_key = file-secret
[dev]
aws_access_key_id = AKIDDEV
";

    fn set(profile: &str) -> ProfileSet {
        let mut set = ProfileSet {
            selected: profile.into(),
            ..ProfileSet::default()
        };
        set.add_config(CONFIG);
        set.add_credentials(CREDENTIALS);
        set
    }

    #[test]
    fn profiles_merge_both_files() {
        let default = set("default");
        assert_eq!(default.get("region"), Some("eu-west-1"));
        assert_eq!(default.get("aws_access_key_id"), Some("AKIDFILE"));
        let endpoints: Vec<_> = default.service_settings("endpoint_url").collect();
        assert_eq!(
            endpoints,
            [
                ("lambda", "http://127.0.0.1:4000"),
                ("s3", "http://127.0.0.1:5000")
            ]
        );

        let dev = set("dev");
        assert_eq!(dev.get("region"), Some("us-west-2"));
        assert_eq!(dev.get("credential_process"), Some("/bin/echo hi"));
        assert_eq!(dev.get("aws_access_key_id"), Some("AKIDDEV"));
        assert_eq!(dev.service_settings("endpoint_url").count(), 0);
        assert!(!set("nope").has_selected());
    }
}
