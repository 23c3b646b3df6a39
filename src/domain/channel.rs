use serde::{Deserialize, Serialize};

use super::FieldError;

/// Where the customer is writing from; kept for statistics and for how replies are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Web,
    App,
}

impl Channel {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "web" => Ok(Self::Web),
            "app" => Ok(Self::App),
            _ => Err(FieldError::new(
                "channel",
                "unsupported_channel",
                "channel must be \"web\" or \"app\".",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::App => "app",
        }
    }
}
