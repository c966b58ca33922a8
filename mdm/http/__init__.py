"""What every HTTP entry point shares (REST, GraphQL, console): authentication and
roles, the one error shape and its translation from domain errors, request body
reading and limits, correlation ids, and running bus work off the event loop."""
