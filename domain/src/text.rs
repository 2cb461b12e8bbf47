//! Trilingual text: everything user-facing exists in Kazakh, Russian and English.

use serde::{Deserialize, Serialize};

/// A language of the portal. 004 §5: the portal and its resources are in
/// Kazakh and Russian; English is offered for foreign readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Қазақ тілі.
    Kk,
    /// Русский язык (the default: the language every state body reads).
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order the UI shows them.
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code (case-insensitive, region ignored: `ru-KZ` is `ru`).
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "kk" | "kz" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an HTTP `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// A text in the three languages of the portal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocalizedText {
    /// Kazakh.
    pub kk: String,
    /// Russian.
    pub ru: String,
    /// English.
    pub en: String,
}

impl LocalizedText {
    /// Builds a text from its three translations.
    pub fn new(kk: impl Into<String>, ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            kk: kk.into(),
            ru: ru.into(),
            en: en.into(),
        }
    }

    /// The text in one language; an empty translation falls back to Russian,
    /// the language every act is published in.
    pub fn get(&self, lang: Lang) -> &str {
        let text = match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        };
        if text.is_empty() { &self.ru } else { text }
    }
}

/// A static trilingual label of a vocabulary value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// Kazakh.
    pub kk: &'static str,
    /// Russian.
    pub ru: &'static str,
    /// English.
    pub en: &'static str,
}

impl Label {
    /// The label in one language.
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Kk => self.kk,
            Lang::Ru => self.ru,
            Lang::En => self.en,
        }
    }
}

/// Defines a closed vocabulary: an enum whose values have a stable storage
/// code and a trilingual label. The code is what the database and the
/// GraphQL enums carry; it never changes once released.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal { kk: $kk:literal, ru: $ru:literal, en: $en:literal }
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable storage code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a storage code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The trilingual label.
            pub fn label(self) -> $crate::text::Label {
                match self {
                    $($name::$variant => $crate::text::Label { kk: $kk, ru: $ru, en: $en }),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language("kk-KZ,ru;q=0.9"), Some(Lang::Kk));
        assert_eq!(
            Lang::from_accept_language("de, en;q=0.5, ru;q=0.8"),
            Some(Lang::Ru)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::parse("RU_ru"), Some(Lang::Ru));
    }
}
