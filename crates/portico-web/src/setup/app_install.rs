//! Install and uninstall (`/setup/apps/{fullName}/install`), from the Manage page and from
//! Connected Apps OAuth Usage: the admin API's install handlers, so packaged apps need Download
//! AppExchange Packages as the seed says.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;

use super::api::{answer, refusal};
use super::page::{Fields, SetupUser, done, note};
use crate::admin_api::app_lifecycle;
use crate::state::AppState;

/// The seed's words for what installing needs.
pub(crate) const fn install_action_label(action: AdminAction) -> &'static str {
    match action {
        AdminAction::InstallPackagedApp => {
            "Customize Application AND either Modify All Data OR Manage Connected Apps AND Download AppExchange Packages"
        }
        _ => "Customize Application AND either Modify All Data OR Manage Connected Apps",
    }
}

/// Where to go back to: the page the button was on (only these two).
fn back_to(fields: &Fields, name: &str) -> String {
    if fields.get("back") == "usage" {
        "/setup/oauth-usage".to_owned()
    } else {
        format!("/setup/apps/{name}/policies")
    }
}

pub(crate) async fn post(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let install = fields.get("action") != "uninstall";
    let result = if install {
        answer(
            app_lifecycle::install(State(state.clone()), user.caller(), Path(name.clone())).await,
        )
        .await
    } else {
        answer(
            app_lifecycle::uninstall(State(state.clone()), user.caller(), Path(name.clone())).await,
        )
        .await
    };
    match result {
        Ok(_) => {
            let verb = if install { "installed" } else { "uninstalled" };
            done(
                &state,
                jar,
                &back_to(&fields, &name),
                &note(format!("Connected app {name} was {verb}.")),
            )
        }
        Err(e) => refusal(&e),
    }
}
