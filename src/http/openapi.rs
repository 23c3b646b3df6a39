//! The OpenAPI document served at `/api/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    agent, classify, conversations, customers, guide_validation, guides, live, ops, review,
    staff_session, stats, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Felsök",
        description = "Self-service troubleshooting chat for telecom customers. Errors always \
                       have the form {\"error\": {\"code\", \"message\"}}.",
    ),
    paths(
        conversations::create_conversation,
        conversations::post_message,
        conversations::read_conversation,
        conversations::transcript,
        conversations::submit_cancellation,
        conversations::review_cancellation,
        conversations::submit_withdrawal,
        conversations::review_withdrawal,
        conversations::cancellation_receipt,
        conversations::request_callback,
        live::conversation_events,
        live::agent_events,
        agent::list_handoffs,
        agent::read_handoff,
        agent::claim_handoff,
        agent::send_message,
        agent::move_handoff,
        agent::release_handoff,
        agent::resolve_handoff,
        stats::stats,
        staff_session::sign_in,
        staff_session::sign_out,
        staff_session::me,
        webhooks::deliveries,
        customers::export,
        customers::erase,
        classify::classify,
        guides::list_guides,
        guides::read_guide,
        guides::save_guide,
        guide_validation::validate_guide,
        guides::delete_guide,
        guides::search_guides,
        guides::guide_history,
        guides::guide_version,
        guides::guide_stats,
        guides::list_outages,
        guides::create_outage,
        guides::end_outage,
        review::read_inbox,
        review::dismiss,
        review::teach,
        review::taught,
        ops::healthz,
        ops::readyz,
        ops::metrics,
        ops::openapi,
    ),
    components(schemas(
        crate::conversation::Message,
        crate::conversation::Role,
        crate::conversation::IntentScore,
        crate::domain::Intent,
        crate::domain::Queue,
        crate::domain::HandoffStatus,
        crate::domain::HandoffReason,
        crate::domain::HandoffOutcome,
        crate::domain::RequestKind,
        crate::domain::MissKind,
        crate::domain::ReviewStatus,
        crate::dialogue::ActionButton,
        crate::dialogue::ActionKind,
        super::ErrorBody,
        crate::classifier::decision::Scored,
        crate::dialogue::GuideStepRef,
        crate::dialogue::StepParts,
        crate::dialogue::LabelledPart,
        crate::handoff::HandoffPacket,
        crate::handoff::CancellationFacts,
        crate::conversation::CallbackFacts,
        crate::handoff::CaseDetails,
        crate::conversation::Waiting,
        crate::storage::WebhookDelivery,
        conversations::TranscriptFormat,
        crate::conversation::privacy::ExportedConversation,
        crate::conversation::privacy::ExportedHandoff,
        crate::conversation::privacy::ExportedCancellation,
    )),
    modifiers(&ConversationToken),
    tags(
        (name = "conversations", description = "The customer's chat"),
        (name = "agents", description = "Handoffs to people: the queue, the context, the answer"),
        (name = "classification", description = "What a text is about"),
        (name = "guides", description = "Step-by-step guides: read by anyone, kept by editors"),
        (name = "outages", description = "Known outages, told to customers first"),
        (name = "review", description = "What the bot handled badly, for editors to teach it"),
        (name = "operations", description = "Health, readiness, metrics and the team's numbers"),
        (name = "staff", description = "Signing the staff pages in and out"),
    )
)]
pub struct ApiDoc;

struct ConversationToken;

impl Modify for ConversationToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "conversation_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Staff tokens (agent, editor, admin) from `felsok token create`.
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
